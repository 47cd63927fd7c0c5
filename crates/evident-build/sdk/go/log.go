package evident

import "fmt"

// LogLevel is how much a log line matters (the WIT `log-level`).
type LogLevel uint8

// The levels, in the order of the WIT enum.
const (
	LevelError LogLevel = iota
	LevelWarn
	LevelInfo
	LevelDebug
	LevelTrace
)

// Log writes one line to the host's log, which tags it with the component's name. Outside a
// component (tests) lines go to the function set with SetLogOutput, if any.
func Log(level LogLevel, message string) {
	hostLog(level, message)
}

// Errorf logs a failure.
func Errorf(format string, args ...any) { Log(LevelError, fmt.Sprintf(format, args...)) }

// Warnf logs something that looks wrong.
func Warnf(format string, args ...any) { Log(LevelWarn, fmt.Sprintf(format, args...)) }

// Infof logs something worth knowing in normal operation.
func Infof(format string, args ...any) { Log(LevelInfo, fmt.Sprintf(format, args...)) }

// Debugf logs detail for whoever debugs the component.
func Debugf(format string, args ...any) { Log(LevelDebug, fmt.Sprintf(format, args...)) }

// Tracef logs fine-grained detail.
func Tracef(format string, args ...any) { Log(LevelTrace, fmt.Sprintf(format, args...)) }

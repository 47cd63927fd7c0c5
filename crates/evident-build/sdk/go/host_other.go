//go:build !wasip1

package evident

// Outside a component there is no host: log lines go to logOutput, and the refusal and
// frame-progress calls are recorded for tests.

var logOutput func(LogLevel, string)

// SetLogOutput sends log lines to f outside a component (in tests); nil drops them.
func SetLogOutput(f func(level LogLevel, message string)) {
	logOutput = f
}

func hostLog(level LogLevel, message string) {
	if logOutput != nil {
		logOutput(level, message)
	}
}

// lastRefusal and eventsBegun record what a component would have told the host.
var (
	lastRefusal *Refusal
	eventsBegun int
)

func hostRefuse(r *Refusal) { lastRefusal = r }

func hostBeginEvent() { eventsBegun++ }

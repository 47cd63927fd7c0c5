package evident

import (
	"errors"
	"fmt"
)

// Codes of the refusals the SDK itself makes; the same strings as the Rust SDK's.
const (
	// CodeInvalidState: the state does not decode as this guest's state, or is in another
	// format.
	CodeInvalidState = "invalid-state"
	// CodeUnencodableState: a view's state cannot be encoded.
	CodeUnencodableState = "unencodable-state"
	// CodeInvalidFrame: the event frame the host sent is malformed.
	CodeInvalidFrame = "invalid-frame"
	// CodeInvalidEvent: an event is malformed (a view's single event), or an event a change
	// emitted is not a valid CloudEvent.
	CodeInvalidEvent = "invalid-event"
	// CodeInvalidCommand: the command bytes do not decode as the change's command type.
	CodeInvalidCommand = "invalid-command"
	// CodeUnsupportedContentType: the command is neither JSON nor CBOR.
	CodeUnsupportedContentType = "unsupported-content-type"
	// CodeInvalidParameter: a parameter does not parse as the type asked for.
	CodeInvalidParameter = "invalid-parameter"
	// CodeInternal: a change's Process returned an error that is not a *Refusal.
	CodeInternal = "internal"
)

// Refusal is an error with a code callers match on, as the WIT `error` record carries it.
//
// A state change refuses a command by returning one; a view may return one from Initialize
// or Reduce to give its failure a code (a plain error becomes a bare message).
type Refusal struct {
	// Code is stable and machine-readable, e.g. "insufficient-funds".
	Code string
	// Message explains the refusal to people.
	Message string
	// Details is optional machine-readable detail, encoded as the guest chooses.
	Details []byte
}

// Refuse makes a refusal with a code and a message.
func Refuse(code, message string) *Refusal {
	return &Refusal{Code: code, Message: message}
}

// Refusef makes a refusal with a code and a formatted message.
func Refusef(code, format string, args ...any) *Refusal {
	return &Refusal{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithDetails attaches machine-readable detail and returns the refusal.
func (r *Refusal) WithDetails(details []byte) *Refusal {
	r.Details = details
	return r
}

// Error is "code: message", as the Rust SDK's GuestError prints.
func (r *Refusal) Error() string {
	return r.Code + ": " + r.Message
}

// failure is an error as an export reports it: a message, and the refusal to hand the host
// first if the error has a code.
type failure struct {
	message string
	refusal *Refusal
}

// asFailure reads err as a view's export reports it: a *Refusal (anywhere in the chain)
// gives its code; the message is the refusal's own when err is the refusal itself.
func asFailure(err error) failure {
	var refusal *Refusal
	if errors.As(err, &refusal) {
		message := refusal.Message
		if err != error(refusal) {
			message = err.Error()
		}
		return failure{message: message, refusal: &Refusal{Code: refusal.Code, Message: message, Details: refusal.Details}}
	}
	return failure{message: err.Error()}
}

// asRefusal reads err as a change's export reports it: every error has a code, CodeInternal
// for one that is not a *Refusal.
func asRefusal(err error) *Refusal {
	var refusal *Refusal
	if errors.As(err, &refusal) {
		return refusal
	}
	return &Refusal{Code: CodeInternal, Message: err.Error()}
}

package evident

// Change is a state change: given the current state (of type S; its zero value when there
// is no state yet) and a decoded command (of type C, decoded from JSON or CBOR as the
// command's content type says), it decides which events happen, or refuses with a
// *Refusal whose Code callers match on. Register it with ExportChange.
//
// Process must depend on nothing but its inputs: the database may call it again to replay
// or to validate.
type Change[S any, C any] struct {
	// Process decides the events a command causes. An error that is not a *Refusal is
	// refused with CodeInternal.
	Process func(state S, command C, parameters Parameters) ([]Event, error)
	// Validate tells whether Process would accept the command. If nil, it runs Process with
	// no parameters and discards the events.
	Validate func(state S, command C) bool
	// Codec stores the state; nil means JSON.
	Codec Codec
}

// ExportChange makes change the component's state change; call it once, from an init
// function.
func ExportChange[S any, C any](change Change[S, C]) {
	if change.Process == nil {
		panic("evident.ExportChange: the change needs Process")
	}
	if registeredChange != nil {
		panic("evident.ExportChange: a state change is already registered")
	}
	if change.Codec == nil {
		change.Codec = JSON
	}
	registeredChange = &changeRunner[S, C]{change: change}
}

// registeredChange is what the state-change exports run.
var registeredChange changeExports

// changeExports is a change as the exports call it, whatever its types.
type changeExports interface {
	process(s state, c command, parameters Parameters) ([]Event, *Refusal)
	validate(s state, c command) (bool, *Refusal)
}

type changeRunner[S any, C any] struct {
	change Change[S, C]
}

func (r *changeRunner[S, C]) process(s state, c command, parameters Parameters) ([]Event, *Refusal) {
	var current S
	if _, refusal := decodeState(r.change.Codec, "change", s, &current); refusal != nil {
		return nil, refusal
	}
	var decoded C
	if refusal := decodeCommand(c.contentType, c.bytes, &decoded); refusal != nil {
		return nil, refusal
	}
	events, err := r.change.Process(current, decoded, parameters)
	if err != nil {
		return nil, asRefusal(err)
	}
	for i := range events {
		if err := events[i].validate(); err != nil {
			return nil, Refusef(CodeInvalidEvent, "event %d (id %s) is not a valid CloudEvent: %v",
				i, Quote(events[i].ID), err)
		}
	}
	return events, nil
}

// validate reports whether Process would accept the command. A command that does not
// decode is simply invalid (false); a state that does not decode is refused, since nothing
// can be said about any command against it.
func (r *changeRunner[S, C]) validate(s state, c command) (bool, *Refusal) {
	var current S
	if _, refusal := decodeState(r.change.Codec, "change", s, &current); refusal != nil {
		return false, refusal
	}
	var decoded C
	if decodeCommand(c.contentType, c.bytes, &decoded) != nil {
		return false, nil
	}
	if r.change.Validate != nil {
		return r.change.Validate(current, decoded), nil
	}
	_, err := r.change.Process(current, decoded, Parameters{})
	return err == nil, nil
}

// noChange is what the change exports return when no change is registered.
var noChange = Refuse(CodeInternal,
	"this component registers no state change: call evident.ExportChange in an init function")

package evident

// View is a state view: a state of type S that starts from Initialize and changes with each
// event in Reduce. Register it with ExportView.
//
// If Reduce fails, the host keeps the previous state, so a Reduce that changed the state
// before failing does no harm. The state must come back unchanged from its codec (see
// Codec).
type View[S any] struct {
	// Initialize is the state before any event.
	Initialize func(parameters Parameters) (S, error)
	// Reduce applies one event to the state.
	Reduce func(state *S, event *Event, parameters Parameters) error
	// Codec stores the state between calls; nil means JSON.
	Codec Codec
}

// ExportView makes view the component's state view; call it once, from an init function.
func ExportView[S any](view View[S]) {
	if view.Initialize == nil || view.Reduce == nil {
		panic("evident.ExportView: the view needs both Initialize and Reduce")
	}
	if registeredView != nil {
		panic("evident.ExportView: a state view is already registered")
	}
	if view.Codec == nil {
		view.Codec = JSON
	}
	registeredView = &viewRunner[S]{view: view}
}

// registeredView is what the state-view and state-view-batch exports run.
var registeredView viewExports

// viewExports is a view as the exports call it, whatever its state type.
type viewExports interface {
	initialize(parameters Parameters) (state, *failure)
	reduce(s state, event *Event, parameters Parameters) (state, *failure)
	load(s state, parameters Parameters) *failure
	apply(frame []byte) (uint32, *failure)
	save() (state, *failure)
}

// viewRunner runs a View[S]; between state-view-batch calls it keeps the decoded state (the
// "resident" state) and the parameters events are applied under.
type viewRunner[S any] struct {
	view       View[S]
	loaded     bool
	resident   S
	parameters Parameters
	// failed is set when an event failed: Reduce may have changed the state halfway.
	failed bool
}

// collectEvery is how many events of a frame pass between calls of collectIfDue.
const collectEvery = 32

const notLoaded = "no state is loaded: call load-state first"

func (v *viewRunner[S]) initialize(parameters Parameters) (state, *failure) {
	initial, err := v.view.Initialize(parameters)
	if err != nil {
		return state{}, failed(err)
	}
	return v.encode(&initial)
}

func (v *viewRunner[S]) reduce(s state, event *Event, parameters Parameters) (state, *failure) {
	current, f := v.decode(s, parameters)
	if f != nil {
		return state{}, f
	}
	if err := v.view.Reduce(&current, event, parameters); err != nil {
		return state{}, failed(err)
	}
	return v.encode(&current)
}

func (v *viewRunner[S]) load(s state, parameters Parameters) *failure {
	var zero S
	v.loaded, v.resident, v.failed = false, zero, false
	current, f := v.decode(s, parameters)
	if f != nil {
		return f
	}
	v.loaded, v.resident, v.parameters = true, current, parameters
	return nil
}

// apply applies every event of frame in order, telling the host before each one (so each
// gets the limits of one call); on failure it reports the event's position in the frame.
func (v *viewRunner[S]) apply(frame []byte) (uint32, *failure) {
	if !v.loaded {
		return 0, &failure{message: notLoaded}
	}
	if v.failed {
		return 0, &failure{message: "an earlier event failed; load the state again"}
	}
	events, err := newFrameReader(frame)
	if err != nil {
		return 0, invalidFrame(err)
	}
	var event Event
	for {
		index := events.index
		if events.remaining > 0 {
			hostBeginEvent()
			if index%collectEvery == collectEvery-1 {
				collectIfDue()
			}
		}
		more, err := events.next(&event)
		if err == nil && !more {
			return uint32(index), nil
		}
		if err != nil {
			v.failed = true
			return uint32(index), invalidFrame(err)
		}
		if err := v.view.Reduce(&v.resident, &event, v.parameters); err != nil {
			v.failed = true
			return uint32(index), failed(err)
		}
	}
}

func (v *viewRunner[S]) save() (state, *failure) {
	if !v.loaded {
		return state{}, &failure{message: notLoaded}
	}
	if v.failed {
		return state{}, &failure{message: "an event failed; the state is not saved"}
	}
	return v.encode(&v.resident)
}

// decode reads a state this view stored; "no state yet" starts from Initialize.
func (v *viewRunner[S]) decode(s state, parameters Parameters) (S, *failure) {
	var current S
	found, refusal := decodeState(v.view.Codec, "view", s, &current)
	if refusal != nil {
		return current, refused(refusal)
	}
	if !found {
		initial, err := v.view.Initialize(parameters)
		if err != nil {
			return current, failed(err)
		}
		return initial, nil
	}
	return current, nil
}

func (v *viewRunner[S]) encode(current *S) (state, *failure) {
	s, refusal := encodeState(v.view.Codec, current)
	if refusal != nil {
		return state{}, refused(refusal)
	}
	return s, nil
}

func failed(err error) *failure {
	f := asFailure(err)
	return &f
}

func refused(r *Refusal) *failure {
	return &failure{message: r.Message, refusal: r}
}

func invalidFrame(err error) *failure {
	return refused(Refuse(CodeInvalidFrame, err.Error()))
}

// invalidEvent refuses an event that arrived alone (state-view.reduce) and is malformed.
func invalidEvent(id string, err error) *failure {
	return refused(Refusef(CodeInvalidEvent, "event %s is not a valid CloudEvent: %v", Quote(id), err))
}

// noView is what the view exports return when no view is registered.
var noView = &failure{message: "this component registers no state view: call evident.ExportView in an init function"}

package evident

// Decider is a decider that reads the database (the WIT `decider` interface, world
// database-decider): given a command (of type C, decoded from JSON or CBOR as its content type
// says), Decide reads what it needs from the database and returns the events to append, and
// optionally the condition to append them under, or refuses with a *Refusal whose Code callers
// match on (validation, conflict, not-found, unauthorized, or its own). Register it with
// ExportDecider.
type Decider[C any] struct {
	// Decide decides on a command. An error that is not a *Refusal is refused with
	// CodeInternal.
	Decide func(database *Database, command C, parameters Parameters) (Decision, error)
}

// Decision is what a command decided.
type Decision struct {
	// Events are the events to append, in order; none is a valid decision.
	Events []Event
	// Condition is the condition to append them under; nil lets the host derive one from the
	// reads the decision made, after its revision.
	Condition *AppendCondition
}

// AppendCondition fails the append if an event FailIfEventsMatch selects has a position after
// After: the Dynamic Consistency Boundary condition. After 0 (positions start at 1) is after
// any position, and is sent as none.
type AppendCondition struct {
	FailIfEventsMatch Query  `json:"failIfEventsMatch"`
	After             uint64 `json:"after,omitempty"`
}

// ExportDecider makes decider the component's decider; call it once, from an init function.
func ExportDecider[C any](decider Decider[C]) {
	if decider.Decide == nil {
		panic("evident.ExportDecider: the decider needs Decide")
	}
	if registeredDecider != nil {
		panic("evident.ExportDecider: a decider is already registered")
	}
	registeredDecider = &deciderRunner[C]{decider: decider}
}

// Decide runs decider on an already decoded command as the component does, over database (a
// fake in tests, such as evidenttest.InMemoryDatabase): the events are checked to be valid
// CloudEvents (else CodeInvalidEvent), the condition's query to be well formed, and an error
// that is not a *Refusal becomes one with CodeInternal.
func Decide[C any](decider Decider[C], database DatabaseReader, command C, parameters Parameters) (Decision, error) {
	decision, refusal := checkDecision(decider.Decide(NewDatabase(database), command, parameters))
	if refusal != nil {
		return Decision{}, refusal
	}
	return decision, nil
}

// registeredDecider is what the decider export runs.
var registeredDecider deciderExports

// deciderExports is a decider as the export calls it, whatever its command type.
type deciderExports interface {
	decide(database DatabaseReader, c command, parameters Parameters) (Decision, *Refusal)
}

type deciderRunner[C any] struct {
	decider Decider[C]
}

func (r *deciderRunner[C]) decide(database DatabaseReader, c command, parameters Parameters) (Decision, *Refusal) {
	var decoded C
	if refusal := decodeCommand(c.contentType, c.bytes, &decoded); refusal != nil {
		return Decision{}, refusal
	}
	return checkDecision(r.decider.Decide(NewDatabase(database), decoded, parameters))
}

// checkDecision refuses what Decide returned if it failed or is malformed.
func checkDecision(decision Decision, err error) (Decision, *Refusal) {
	if err != nil {
		return Decision{}, asRefusal(err)
	}
	for i := range decision.Events {
		if err := decision.Events[i].validate(); err != nil {
			return Decision{}, Refusef(CodeInvalidEvent, "event %d (id %s) is not a valid CloudEvent: %v",
				i, Quote(decision.Events[i].ID), err)
		}
	}
	if decision.Condition != nil {
		if err := decision.Condition.FailIfEventsMatch.check(); err != nil {
			return Decision{}, Refusef(CodeInternal, "the append condition: %v", err)
		}
	}
	return decision, nil
}

// noDecider is what the decider export returns when no decider is registered.
var noDecider = Refuse(CodeInternal,
	"this component registers no decider: call evident.ExportDecider in an init function")

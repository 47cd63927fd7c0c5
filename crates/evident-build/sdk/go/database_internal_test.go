package evident

import (
	"strings"
	"testing"
)

// fixedReader is a DatabaseReader whose views all have one state record.
type fixedReader struct{ state State }

func (fixedReader) Revision() uint64 { return 7 }
func (fixedReader) QueryEvents(Query, uint64, uint32) ([]StoredEvent, error) {
	return []StoredEvent{}, nil
}
func (r fixedReader) ViewState(string, string, Parameters) (State, bool, error) {
	return r.state, true, nil
}

func TestViewStateByContentType(t *testing.T) {
	var value map[string]any
	// {"a": 1} in CBOR.
	cbor := NewDatabase(fixedReader{State{ContentType: "application/cbor", Bytes: []byte{0xa1, 0x61, 'a', 0x01}}})
	if found, err := cbor.ViewState("v", Parameters{}, "", &value); !found || err != nil || value["a"] != float64(1) {
		t.Errorf("CBOR: %v %v %v", found, err, value)
	}
	none := NewDatabase(fixedReader{State{}})
	if found, err := none.ViewState("v", Parameters{}, "", &value); found || err != nil {
		t.Errorf("no state yet: %v %v", found, err)
	}
	text := NewDatabase(fixedReader{State{ContentType: "text/plain", Bytes: []byte("x")}})
	_, err := text.ViewState("v", Parameters{}, "", &value)
	if err == nil || err.Error() != `invalid-state: the state of view "v" is "text/plain", neither JSON nor CBOR (read it with ViewStateRecord)` {
		t.Errorf("text: %v", err)
	}
	broken := NewDatabase(fixedReader{State{ContentType: "application/cbor", Bytes: []byte{0xa1}}})
	if _, err := broken.ViewState("v", Parameters{}, "", &value); err == nil ||
		!strings.HasPrefix(err.Error(), `invalid-state: cannot decode the state of view "v": application/cbor: `) {
		t.Errorf("broken CBOR: %v", err)
	}
	charset := NewDatabase(fixedReader{State{ContentType: "application/json; charset=utf-8", Bytes: []byte(`{"b":2}`)}})
	if found, err := charset.ViewState("v", Parameters{}, "", &value); !found || err != nil || value["b"] != float64(2) {
		t.Errorf("JSON with a charset: %v %v %v", found, err, value)
	}
}

func TestTheExportDecodesTheCommand(t *testing.T) {
	runner := &deciderRunner[map[string]int]{decider: Decider[map[string]int]{
		Decide: func(database *Database, command map[string]int, parameters Parameters) (Decision, error) {
			event := NewEvent("e", "/s", "t")
			event.Subject = parameters.String("subject", "none")
			if err := event.SetJSONData(map[string]uint64{"amount": uint64(command["amount"]), "revision": database.Revision()}); err != nil {
				return Decision{}, err
			}
			return Decision{Events: []Event{event}}, nil
		},
	}}
	decision, refusal := runner.decide(fixedReader{}, command{contentType: "application/json", bytes: []byte(`{"amount":5}`)}, NewParameters("subject", "x"))
	if refusal != nil || string(decision.Events[0].Data) != `{"amount":5,"revision":7}` || decision.Events[0].Subject != "x" || decision.Condition != nil {
		t.Errorf("JSON: %+v %v", decision, refusal)
	}
	decision, refusal = runner.decide(fixedReader{}, command{contentType: "application/cbor", bytes: []byte{0xa1, 0x66, 'a', 'm', 'o', 'u', 'n', 't', 0x03}}, Parameters{})
	if refusal != nil || string(decision.Events[0].Data) != `{"amount":3,"revision":7}` {
		t.Errorf("CBOR: %+v %v", decision, refusal)
	}
	if _, refusal := runner.decide(fixedReader{}, command{contentType: "text/plain"}, Parameters{}); refusal == nil || refusal.Code != CodeUnsupportedContentType {
		t.Errorf("text: %v", refusal)
	}
	if _, refusal := runner.decide(fixedReader{}, command{contentType: "application/json", bytes: []byte("{")}, Parameters{}); refusal == nil || refusal.Code != CodeInvalidCommand {
		t.Errorf("broken JSON: %v", refusal)
	}
}

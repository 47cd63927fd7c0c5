//go:build !wasip1

package evident

import (
	"errors"
	"testing"
)

type counter struct {
	Value uint64 `json:"value"`
}

type increment struct {
	By uint64 `json:"by"`
}

func incrementing() *changeRunner[counter, increment] {
	return &changeRunner[counter, increment]{change: Change[counter, increment]{
		Process: func(c counter, cmd increment, p Parameters) ([]Event, error) {
			limit, err := p.Uint("limit", 10)
			if err != nil {
				return nil, err
			}
			if c.Value+cmd.By > limit {
				return nil, Refuse("over-limit", "too much")
			}
			if cmd.By == 0 {
				return nil, errors.New("zero")
			}
			e := NewEvent("c-1", "/counter", "counter.incremented")
			if cmd.By == 9 {
				e.Source = ""
			}
			if err := e.SetJSONData(map[string]uint64{"by": cmd.By}); err != nil {
				return nil, err
			}
			return []Event{e}, nil
		},
		Codec: JSON,
	}}
}

func TestAChangeDecodesProcessesAndChecksItsEvents(t *testing.T) {
	c := incrementing()
	json := func(text string) command { return command{contentType: ContentTypeJSON, bytes: []byte(text)} }
	events, r := c.process(state{}, json(`{"by":2}`), Parameters{})
	if r != nil || len(events) != 1 || string(events[0].Data) != `{"by":2}` || events[0].DataContentType != ContentTypeJSON {
		t.Fatal(events, r)
	}
	if _, r := c.process(state{}, json(`{"by":5}`), NewParameters("limit", "3")); r.Code != "over-limit" {
		t.Fatal(r)
	}
	if _, r := c.process(state{}, json(`{"by":5}`), NewParameters("limit", "x")); r.Code != CodeInvalidParameter {
		t.Fatal(r)
	}
	if _, r := c.process(state{}, json(`{"by":0}`), Parameters{}); r.Code != CodeInternal || r.Message != "zero" {
		t.Fatal(r)
	}
	if _, r := c.process(state{}, json(`{"by":9}`), Parameters{}); r.Code != CodeInvalidEvent ||
		r.Message != "event 0 (id \"c-1\") is not a valid CloudEvent: attribute `source` must not be empty" {
		t.Fatal(r)
	}
	if _, r := c.process(state{contentType: ContentTypeJSON, bytes: []byte("[")}, json(`{}`), Parameters{}); r.Code != CodeInvalidState {
		t.Fatal(r)
	}
	if ok, r := c.validate(state{contentType: ContentTypeJSON, bytes: []byte(`{"value":9}`)}, json(`{"by":1}`)); !ok || r != nil {
		t.Fatal(ok, r)
	}
	if ok, r := c.validate(state{contentType: ContentTypeJSON, bytes: []byte(`{"value":10}`)}, json(`{"by":1}`)); ok || r != nil {
		t.Fatal(ok, r)
	}
	if ok, r := c.validate(state{}, json(`nonsense`)); ok || r != nil {
		t.Fatal(ok, r)
	}
}

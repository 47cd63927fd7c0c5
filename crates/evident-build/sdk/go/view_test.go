//go:build !wasip1

package evident

import (
	"errors"
	"fmt"
	"testing"
)

type seen struct {
	Count uint64 `json:"count"`
}

func counting() *viewRunner[seen] {
	return &viewRunner[seen]{view: View[seen]{
		Initialize: func(Parameters) (seen, error) { return seen{}, nil },
		Reduce: func(s *seen, e *Event, _ Parameters) error {
			if e.Type == "bad" {
				return fmt.Errorf("event %s is bad", e.ID)
			}
			if e.Type == "refused" {
				return Refuse("nope", "refused on purpose")
			}
			s.Count++
			return nil
		},
		Codec: JSON,
	}}
}

func TestAResidentViewFoldsFramesAndStopsAtTheFailingEvent(t *testing.T) {
	v := counting()
	if _, f := v.apply(encodeFrame()); f == nil || f.message != notLoaded {
		t.Fatal(f)
	}
	if f := v.load(state{}, Parameters{}); f != nil {
		t.Fatal(f)
	}
	eventsBegun = 0
	frame := encodeFrame(NewEvent("1", "/", "t"), NewEvent("2", "/", "t"))
	for range 2 {
		if n, f := v.apply(frame); n != 2 || f != nil {
			t.Fatal(n, f)
		}
	}
	if eventsBegun != 4 {
		t.Fatalf("begin-event called %d times", eventsBegun)
	}
	if s, f := v.save(); f != nil || string(s.bytes) != `{"count":4}` || s.contentType != ContentTypeJSON {
		t.Fatal(s, f)
	}
	index, f := v.apply(encodeFrame(NewEvent("3", "/", "t"), NewEvent("4", "/", "bad")))
	if index != 1 || f.message != "event 4 is bad" || f.refusal != nil {
		t.Fatal(index, f)
	}
	if _, f := v.save(); f == nil || f.message != "an event failed; the state is not saved" {
		t.Fatal(f)
	}
	if _, f := v.apply(frame); f == nil || f.message != "an earlier event failed; load the state again" {
		t.Fatal(f)
	}
	if f := v.load(state{contentType: ContentTypeJSON, bytes: []byte(`{"count":9}`)}, Parameters{}); f != nil {
		t.Fatal(f)
	}
	index, f = v.apply(encodeFrame(NewEvent("5", "/", "refused")))
	if index != 0 || f.refusal.Code != "nope" || f.message != "refused on purpose" {
		t.Fatal(index, f)
	}
	if f := v.load(state{contentType: "text/plain"}, Parameters{}); f.refusal.Code != CodeInvalidState {
		t.Fatal(f)
	}
	if _, f := v.save(); f.message != notLoaded {
		t.Fatal(f)
	}
}

func TestABrokenFrameIsAnInvalidFrame(t *testing.T) {
	v := counting()
	v.load(state{}, Parameters{})
	frame := encodeFrame(NewEvent("1", "/", "t"), NewEvent("2", "/", "t"))
	index, f := v.apply(frame[:len(frame)-2])
	if index != 1 || f.refusal.Code != CodeInvalidFrame {
		t.Fatal(index, f)
	}
}

func TestReduceStartsFromInitializeWithNoStateYet(t *testing.T) {
	v := counting()
	s, f := v.reduce(state{}, &Event{Type: "t"}, Parameters{})
	if f != nil || string(s.bytes) != `{"count":1}` {
		t.Fatal(s, f)
	}
	s, _ = v.reduce(s, &Event{Type: "t"}, Parameters{})
	if string(s.bytes) != `{"count":2}` {
		t.Fatal(string(s.bytes))
	}
}

func TestAWrappedRefusalKeepsItsCode(t *testing.T) {
	f := asFailure(fmt.Errorf("loading: %w", Refuse("x", "y")))
	if f.refusal.Code != "x" || f.message != "loading: x: y" {
		t.Fatal(f)
	}
	if f := asFailure(errors.New("plain")); f.refusal != nil || f.message != "plain" {
		t.Fatal(f)
	}
}

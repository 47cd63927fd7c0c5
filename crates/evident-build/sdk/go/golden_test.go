//go:build !wasip1

package evident

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// goldenTime is a time as chrono holds it: Unix seconds, nanoseconds (a billion or more in a
// leap second), the UTC offset in seconds, and its RFC 3339 text as the Rust SDK writes it.
type goldenTime struct {
	Seconds int64  `json:"seconds"`
	Nanos   uint32 `json:"nanos"`
	Offset  int    `json:"offset"`
	Text    string `json:"text"`
}

type goldenEvent struct {
	ID              string      `json:"id"`
	Source          string      `json:"source"`
	SpecVersion     string      `json:"specversion"`
	Type            string      `json:"type"`
	DataContentType *string     `json:"datacontenttype"`
	DataSchema      *string     `json:"dataschema"`
	Subject         *string     `json:"subject"`
	Time            *goldenTime `json:"time"`
	Data            *string     `json:"data"`
	Extensions      [][2]string `json:"extensions"`
}

// golden is ../testdata/frames.json, written by crates/evident-types/tests/sdk_golden.rs from
// the host's frame writer and the Rust SDK's frame reader and time parser.
type golden struct {
	Frames []struct {
		Name   string        `json:"name"`
		Frame  string        `json:"frame"`
		Error  *string       `json:"error"`
		Events []goldenEvent `json:"events"`
	} `json:"frames"`
	Times []struct {
		Text string      `json:"text"`
		Time *goldenTime `json:"time"`
	} `json:"times"`
}

// The SDK reads every golden frame and time text as the Rust SDK does: the same events, times
// (leap seconds kept) and errors.
func TestTheGoldenVectorsReadAsInTheRustSDK(t *testing.T) {
	text, err := os.ReadFile(filepath.Join("..", "testdata", "frames.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(text, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Frames) == 0 || len(g.Times) == 0 {
		t.Fatal("no golden vectors")
	}
	for _, c := range g.Frames {
		frame, err := hex.DecodeString(c.Frame)
		if err != nil {
			t.Fatal(c.Name, err)
		}
		events, err := readAll(frame)
		if c.Error != nil {
			if err == nil || err.Error() != *c.Error {
				t.Errorf("%s: %v, want the error %q", c.Name, err, *c.Error)
			}
			continue
		}
		if err != nil || len(events) != len(c.Events) {
			t.Errorf("%s: %d events, %v; want %d", c.Name, len(events), err, len(c.Events))
			continue
		}
		for i, want := range c.Events {
			checkGoldenEvent(t, c.Name+": "+want.ID, events[i], want)
		}
	}
	for _, c := range g.Times {
		parsed, leap, err := parseTime(c.Text)
		switch {
		case c.Time == nil && err == nil:
			t.Errorf("%s: accepted as %v (leap %v); the Rust SDK refuses it", c.Text, parsed, leap)
		case c.Time != nil && err != nil:
			t.Errorf("%s: %v", c.Text, err)
		case c.Time != nil:
			checkGoldenTime(t, c.Text, parsed, leap, *c.Time)
		}
	}
}

func checkGoldenEvent(t *testing.T, what string, got Event, want goldenEvent) {
	t.Helper()
	optional := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	if got.ID != want.ID || got.Source != want.Source || got.SpecVersion != want.SpecVersion ||
		got.Type != want.Type || got.DataContentType != optional(want.DataContentType) ||
		got.DataSchema != optional(want.DataSchema) || got.Subject != optional(want.Subject) {
		t.Errorf("%s: %+v, want %+v", what, got, want)
	}
	if (got.Data == nil) != (want.Data == nil) || want.Data != nil && hex.EncodeToString(got.Data) != *want.Data {
		t.Errorf("%s: data %x, want %v", what, got.Data, want.Data)
	}
	if len(got.Extensions) != len(want.Extensions) {
		t.Errorf("%s: extensions %v, want %v", what, got.Extensions, want.Extensions)
	}
	for i := range min(len(got.Extensions), len(want.Extensions)) {
		if got.Extensions[i] != (Extension{want.Extensions[i][0], want.Extensions[i][1]}) {
			t.Errorf("%s: extension %d is %v, want %v", what, i, got.Extensions[i], want.Extensions[i])
		}
	}
	switch {
	case want.Time == nil && (!got.Time.IsZero() || got.LeapSecond):
		t.Errorf("%s: time %v, want none", what, got.Time)
	case want.Time != nil:
		checkGoldenTime(t, what, got.Time, got.LeapSecond, *want.Time)
	}
}

func checkGoldenTime(t *testing.T, what string, got time.Time, leap bool, want goldenTime) {
	t.Helper()
	nanos := uint32(got.Nanosecond())
	if leap {
		nanos += 1_000_000_000
	}
	_, offset := got.Zone()
	if got.Unix() != want.Seconds || nanos != want.Nanos || offset != want.Offset {
		t.Errorf("%s: %d s %d ns offset %d, want %d s %d ns offset %d", what, got.Unix(), nanos, offset,
			want.Seconds, want.Nanos, want.Offset)
	}
	// RFC 3339 has four-digit years and offsets in whole minutes; chrono writes other times in
	// forms no SDK (nor the host) reads back, so only these texts are compared.
	if year := got.Year(); year >= 0 && year <= 9999 && want.Offset%60 == 0 {
		if text := formatTime(got, leap); text != want.Text {
			t.Errorf("%s: written %s, want %s", what, text, want.Text)
		}
	}
}

// wire is ../testdata/wire.json, written by crates/evident-types/tests/sdk_golden.rs with
// evident-types' own code: states, CBOR items, parameters and emitted events.
type wire struct {
	States []struct {
		Value          string `json:"value"`
		JSON           string `json:"json"`
		CBOR           string `json:"cbor"`
		Floats         bool   `json:"floats"`
		IntegralFloats bool   `json:"integral_floats"`
	} `json:"states"`
	CBORReads []struct {
		Name    string  `json:"name"`
		CBOR    string  `json:"cbor"`
		Refused bool    `json:"refused"`
		JSON    *string `json:"json"`
	} `json:"cbor_reads"`
	Parameters []struct {
		Text      string  `json:"text"`
		Bool      *bool   `json:"bool"`
		BoolError *string `json:"bool_error"`
		I64       *int64  `json:"i64"`
		I64Error  *string `json:"i64_error"`
		U64       *uint64 `json:"u64"`
		U64Error  *string `json:"u64_error"`
		F64       *string `json:"f64"`
		F64Error  *string `json:"f64_error"`
	} `json:"parameters"`
	Events []struct {
		Name  string `json:"name"`
		Event struct {
			goldenEvent
			Time *string `json:"time"`
		} `json:"event"`
		Error *string `json:"error"`
	} `json:"events"`
}

func loadWire(t *testing.T) wire {
	t.Helper()
	text, err := os.ReadFile(filepath.Join("..", "testdata", "wire.json"))
	if err != nil {
		t.Fatal(err)
	}
	var w wire
	if err := json.Unmarshal(text, &w); err != nil {
		t.Fatal(err)
	}
	if len(w.States) == 0 || len(w.CBORReads) == 0 || len(w.Parameters) == 0 || len(w.Events) == 0 {
		t.Fatal("no wire vectors")
	}
	return w
}

// sameJSON reports whether two JSON texts hold the same value: numbers compared as float64
// when either is a float, else as their digits.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	decode := func(text []byte) any {
		decoder := json.NewDecoder(bytes.NewReader(text))
		decoder.UseNumber()
		var v any
		if err := decoder.Decode(&v); err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		return v
	}
	var same func(x, y any) bool
	same = func(x, y any) bool {
		switch x := x.(type) {
		case json.Number:
			y, ok := y.(json.Number)
			if !ok {
				return false
			}
			if x == y {
				return true
			}
			fx, errX := x.Float64()
			fy, errY := y.Float64()
			return errX == nil && errY == nil && math.Float64bits(fx) == math.Float64bits(fy) &&
				strings.ContainsAny(string(x)+string(y), ".eE")
		case []any:
			y, ok := y.([]any)
			if !ok || len(x) != len(y) {
				return false
			}
			for i := range x {
				if !same(x[i], y[i]) {
					return false
				}
			}
			return true
		case map[string]any:
			y, ok := y.(map[string]any)
			if !ok || len(x) != len(y) {
				return false
			}
			for k, v := range x {
				if w, ok := y[k]; !ok || !same(v, w) {
					return false
				}
			}
			return true
		}
		return reflect.DeepEqual(x, y)
	}
	return same(decode(a), decode(b))
}

// States: the JSON codec writes what serde_json writes (floats aside, whose spelling differs),
// and a CBOR state reads as the value it encodes.
func TestStatesEncodeAsInTheRustSDK(t *testing.T) {
	for _, c := range loadWire(t).States {
		text, _ := hex.DecodeString(c.JSON)
		cbor, _ := hex.DecodeString(c.CBOR)
		decoder := json.NewDecoder(strings.NewReader(c.Value))
		decoder.UseNumber()
		var value any
		if err := decoder.Decode(&value); err != nil {
			t.Fatal(c.Value, err)
		}
		encoded, err := JSON.Encode(value)
		if err != nil {
			t.Errorf("%s: %v", c.Value, err)
			continue
		}
		if !c.Floats && string(encoded) != string(text) {
			t.Errorf("%s: JSON %s, want %s", c.Value, encoded, text)
		}
		if !sameJSON(t, encoded, text) {
			t.Errorf("%s: JSON %s, want the value of %s", c.Value, encoded, text)
		}
		read, err := cborToJSON(cbor)
		if err != nil || !sameJSON(t, read, text) {
			t.Errorf("%s: CBOR reads as %s (%v), want %s", c.Value, read, err, text)
		}
		var decoded any
		if err := JSON.Decode(text, &decoded); err != nil {
			t.Errorf("%s: %v", c.Value, err)
		}
	}
}

// CBOR items read as the host shows them (byte strings as base64), and malformed ones are
// refused.
func TestCBORReadsAsTheHostShowsIt(t *testing.T) {
	for _, c := range loadWire(t).CBORReads {
		data, _ := hex.DecodeString(c.CBOR)
		read, err := cborToJSON(data)
		switch {
		case c.Refused && err == nil:
			t.Errorf("%s: read as %s; the host refuses it", c.Name, read)
		case !c.Refused && err != nil:
			t.Errorf("%s: %v", c.Name, err)
		case !c.Refused && *c.JSON == `"`+string(read)+`"`:
			// An integer beyond 64 bits: the host shows its digits as text, the SDK as a number.
		case !c.Refused && !sameJSON(t, read, []byte(*c.JSON)):
			t.Errorf("%s: %s, want %s", c.Name, read, *c.JSON)
		}
	}
}

// Parameters parse as Rust's str::parse does, with the same messages.
func TestParametersParseAsInTheRustSDK(t *testing.T) {
	message := func(err error) string {
		var refusal *Refusal
		if errors.As(err, &refusal) {
			if refusal.Code != CodeInvalidParameter {
				t.Errorf("code %s", refusal.Code)
			}
			return refusal.Message
		}
		if err == nil {
			return "<accepted>"
		}
		return err.Error()
	}
	for _, c := range loadWire(t).Parameters {
		p := NewParameters("p", c.Text)
		if b, err := p.Bool("p", false); c.BoolError == nil && (err != nil || b != *c.Bool) {
			t.Errorf("%q: bool %v, %v", c.Text, b, err)
		} else if c.BoolError != nil && message(err) != *c.BoolError {
			t.Errorf("%q: bool %q, want %q", c.Text, message(err), *c.BoolError)
		}
		if i, err := p.Int("p", 0); c.I64Error == nil && (err != nil || i != *c.I64) {
			t.Errorf("%q: int %v, %v", c.Text, i, err)
		} else if c.I64Error != nil && message(err) != *c.I64Error {
			t.Errorf("%q: int %q, want %q", c.Text, message(err), *c.I64Error)
		}
		if u, err := p.Uint("p", 0); c.U64Error == nil && (err != nil || u != *c.U64) {
			t.Errorf("%q: uint %v, %v", c.Text, u, err)
		} else if c.U64Error != nil && message(err) != *c.U64Error {
			t.Errorf("%q: uint %q, want %q", c.Text, message(err), *c.U64Error)
		}
		f, err := p.Float("p", 0)
		if c.F64Error != nil {
			if message(err) != *c.F64Error {
				t.Errorf("%q: float %q, want %q", c.Text, message(err), *c.F64Error)
			}
			continue
		}
		bits, _ := strconv.ParseUint(*c.F64, 16, 64)
		want := math.Float64frombits(bits)
		if err != nil || math.Float64bits(f) != bits && !(math.IsNaN(f) && math.IsNaN(want)) {
			t.Errorf("%q: float %v, %v; want %v", c.Text, f, err, want)
		}
	}
}

// An emitted event is refused when the host would refuse it, and the message is the host's
// (or the start of it).
func TestEmittedEventsAreRefusedAsTheHostRefusesThem(t *testing.T) {
	for _, c := range loadWire(t).Events {
		r := c.Event
		optional := func(s *string) (string, bool) {
			if s == nil {
				return "", true
			}
			return *s, *s != ""
		}
		contentType, ok1 := optional(r.DataContentType)
		schema, ok2 := optional(r.DataSchema)
		subject, ok3 := optional(r.Subject)
		if !ok1 || !ok2 || !ok3 {
			continue // an empty string is "absent" in the Go SDK: it cannot send one
		}
		event := Event{ID: r.ID, Source: r.Source, SpecVersion: r.SpecVersion, Type: r.Type,
			DataContentType: contentType, DataSchema: schema, Subject: subject}
		for _, pair := range r.Extensions {
			event.Extensions = append(event.Extensions, Extension{pair[0], pair[1]})
		}
		if r.Data != nil {
			event.Data, _ = hex.DecodeString(*r.Data)
		}
		var err error
		if r.Time != nil {
			event.Time, event.LeapSecond, err = parseTime(*r.Time)
		}
		if err == nil {
			err = event.validate()
		}
		switch {
		case c.Error == nil && err != nil:
			t.Errorf("%s: %v; the host accepts it", c.Name, err)
		case c.Error != nil && err == nil:
			t.Errorf("%s: accepted; the host refuses it: %s", c.Name, *c.Error)
		case c.Error != nil && strings.HasPrefix(err.Error(), "attribute") && !strings.HasPrefix(*c.Error, strings.Split(err.Error(), " (")[0]):
			t.Errorf("%s: %v; the host says %s", c.Name, err, *c.Error)
		}
	}
}

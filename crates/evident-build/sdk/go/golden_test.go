//go:build !wasip1

package evident

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
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

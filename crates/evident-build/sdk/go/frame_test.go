//go:build !wasip1

package evident

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// frameWriter writes frames as evident_types::frame::FrameWriter does, for tests.
type frameWriter struct {
	bytes []byte
	count uint32
}

func (w *frameWriter) u32(n uint32) { w.bytes = binary.LittleEndian.AppendUint32(w.bytes, n) }

func (w *frameWriter) str(s string) {
	w.u32(uint32(len(s)))
	w.bytes = append(w.bytes, s...)
}

func (w *frameWriter) optional(s string) {
	if s == "" {
		w.u32(absent)
		return
	}
	w.str(s)
}

func (w *frameWriter) push(e Event) {
	w.count++
	w.str(e.ID)
	w.str(e.Source)
	w.str(e.SpecVersion)
	w.str(e.Type)
	w.optional(e.DataContentType)
	w.optional(e.DataSchema)
	w.optional(e.Subject)
	if e.Time.IsZero() {
		w.bytes = append(w.bytes, 0)
	} else {
		_, offset := e.Time.Zone()
		w.bytes = append(w.bytes, 1)
		w.bytes = binary.LittleEndian.AppendUint64(w.bytes, uint64(e.Time.Unix()))
		nanos := uint32(e.Time.Nanosecond())
		if e.LeapSecond {
			nanos += 1_000_000_000
		}
		w.u32(nanos)
		w.u32(uint32(int32(offset)))
	}
	if e.Data == nil {
		w.u32(absent)
	} else {
		w.u32(uint32(len(e.Data)))
		w.bytes = append(w.bytes, e.Data...)
	}
	w.u32(uint32(len(e.Extensions)))
	for _, x := range e.Extensions {
		w.str(x.Name)
		w.str(x.Value)
	}
}

func (w *frameWriter) frame() []byte {
	return append(binary.LittleEndian.AppendUint32(nil, w.count), w.bytes...)
}

func encodeFrame(events ...Event) []byte {
	var w frameWriter
	for _, e := range events {
		w.push(e)
	}
	return w.frame()
}

func readAll(frame []byte) ([]Event, error) {
	r, err := newFrameReader(frame)
	if err != nil {
		return nil, err
	}
	var events []Event
	for {
		var e Event
		more, err := r.next(&e)
		if err != nil || !more {
			return events, err
		}
		events = append(events, e)
	}
}

func fullEvent() Event {
	t, _, _ := parseTime("2026-11-25T19:03:21.123456789+05:30")
	e := NewEvent("42", "/bank/accounts", "bank.deposited")
	e.Subject, e.Time, e.DataContentType, e.Data = "acc-1", t, "application/octet-stream", []byte{0, 1, 2, 255}
	e.Extensions = Extensions{{"traceparent", "00-abc"}, {"partition", "7"}}
	return e
}

func TestEveryAttributeSurvivesTheFrame(t *testing.T) {
	sparse := NewEvent("1", "/a", "t")
	sparse.DataSchema = "https://example.com/schema"
	empty := NewEvent("2", "/a", "t")
	empty.Data = []byte{}
	events, err := readAll(encodeFrame(fullEvent(), sparse, empty))
	if err != nil {
		t.Fatal(err)
	}
	got := events[0]
	want := fullEvent()
	if got.ID != want.ID || got.Subject != want.Subject || !got.Time.Equal(want.Time) ||
		string(got.Data) != string(want.Data) || len(got.Extensions) != 2 {
		t.Fatalf("%+v", got)
	}
	if _, offset := got.Time.Zone(); offset != 5*3600+1800 {
		t.Fatalf("offset %d", offset)
	}
	if v, _ := got.Extensions.Get("partition"); v != "7" {
		t.Fatal(v)
	}
	if events[1].DataSchema != sparse.DataSchema || events[1].Data != nil || !events[1].Time.IsZero() {
		t.Fatalf("%+v", events[1])
	}
	if events[2].Data == nil {
		t.Fatal("present, empty data read as absent")
	}
}

func TestEveryTruncationIsAnErrorNamingTheEvent(t *testing.T) {
	frame := encodeFrame(NewEvent("1", "/a", "t"), fullEvent())
	for n := 0; n < len(frame); n++ {
		if _, err := readAll(frame[:n]); err == nil || !strings.Contains(err.Error(), "truncated") {
			t.Fatalf("%d: %v", n, err)
		}
	}
	_, err := readAll(frame[:len(frame)-1])
	if err.Error() != "the event frame is truncated in event 1 (extension value)" {
		t.Fatal(err)
	}
}

func TestMalformedFramesAreRefused(t *testing.T) {
	frame := append(encodeFrame(NewEvent("1", "/a", "t")), 0)
	if _, err := readAll(frame); err.Error() != "the event frame has 1 bytes after its last event" {
		t.Fatal(err)
	}
	frame = encodeFrame(NewEvent("\u00e9", "/a", "t"))
	frame[9] = 0xff
	if _, err := readAll(frame); err.Error() != "the event frame's event 0 has a `id` that is not UTF-8" {
		t.Fatal(err)
	}
	twice := NewEvent("1", "/a", "t")
	twice.Extensions = Extensions{{"x", "1"}, {"x", "1"}}
	if _, err := readAll(encodeFrame(twice)); err.Error() != "the event frame's event 0 has an invalid `extensions`" {
		t.Fatal(err)
	}
	late := NewEvent("1", "/a", "t")
	late.Time = time.Unix(0, 0)
	frame = encodeFrame(late)
	frame[len(frame)-4-4-4-4-1] = 0xff // the nanoseconds' high byte: past a second, not a leap second
	if _, err := readAll(frame); err.Error() != "the event frame's event 0 has an invalid `time`" {
		t.Fatal(err)
	}
}

func TestTimeIsWrittenAsTheRustSDKWritesIt(t *testing.T) {
	for text, want := range map[string]string{
		"2026-01-01T00:00:10Z":                "2026-01-01T00:00:10Z",
		"2026-01-01T00:00:10.5+00:00":         "2026-01-01T00:00:10.500Z",
		"2026-01-01T00:00:10.000001-01:30":    "2026-01-01T00:00:10.000001-01:30",
		"2026-01-01 00:00:10.123456789+05:30": "2026-01-01T00:00:10.123456789+05:30",
	} {
		parsed, leap, err := parseTime(text)
		if err != nil || leap {
			t.Fatal(err, leap)
		}
		if got := formatTime(parsed, false); got != want {
			t.Errorf("%s: %s, want %s", text, got, want)
		}
	}
}

// A leap second reads the same from a frame and from its text, as chrono keeps it (the 59th
// second, a billion nanoseconds more): not rolled into the next minute, not refused, and
// written back with a second of 60.
func TestALeapSecondIsKeptInFramesAndPerEvent(t *testing.T) {
	for _, c := range []struct {
		text, written string
		seconds       int64
		nanos         uint32
		offset        int32
	}{
		{"2016-12-31T23:59:60.5Z", "2016-12-31T23:59:60.500Z", 1483228799, 1_500_000_000, 0},
		{"2016-12-31T23:59:60Z", "2016-12-31T23:59:60Z", 1483228799, 1_000_000_000, 0},
		{"2017-01-01 05:29:60.999999999+05:30", "2017-01-01T05:29:60.999999999+05:30", 1483228799, 1_999_999_999, 19800},
		{"1969-12-31T23:59:60.000001-01:00", "1969-12-31T23:59:60.000001-01:00", 3599, 1_000_001_000, -3600},
	} {
		parsed, leap, err := parseTime(c.text)
		if err != nil || !leap {
			t.Fatalf("%s: per event: %v, leap %v", c.text, err, leap)
		}
		if parsed.Unix() != c.seconds || uint32(parsed.Nanosecond())+1_000_000_000 != c.nanos {
			t.Errorf("%s: per event: %v", c.text, parsed)
		}
		if got := formatTime(parsed, leap); got != c.written {
			t.Errorf("%s: written %s, want %s", c.text, got, c.written)
		}

		e := NewEvent("1", "/a", "t")
		e.Time = time.Unix(0, 0)
		frame := encodeFrame(e)
		at := len(frame) - 4 - 4 - 4 - 4 - 8 // the time's seconds
		binary.LittleEndian.PutUint64(frame[at:], uint64(c.seconds))
		binary.LittleEndian.PutUint32(frame[at+8:], c.nanos)
		binary.LittleEndian.PutUint32(frame[at+12:], uint32(c.offset))
		events, err := readAll(frame)
		if err != nil {
			t.Fatalf("%s: frame: %v", c.text, err)
		}
		framed := events[0]
		if !framed.LeapSecond || !framed.Time.Equal(parsed) {
			t.Errorf("%s: frame %v (leap %v), per event %v", c.text, framed.Time, framed.LeapSecond, parsed)
		}
		if got := formatTime(framed.Time, framed.LeapSecond); got != c.written {
			t.Errorf("%s: framed, written %s, want %s", c.text, got, c.written)
		}
		if err := framed.validate(); err != nil {
			t.Errorf("%s: %v", c.text, err)
		}
		// The frame the SDK's test writer makes of the event is the one it was read from.
		if again := encodeFrame(framed); string(again) != string(frame) {
			t.Errorf("%s: the event does not write back to its frame", c.text)
		}
	}
}

func TestALeapSecondOnlyEndsAMinute(t *testing.T) {
	for _, text := range []string{"2016-12-31T23:59:61Z", "2016-12-31T23:60:59Z", "2016-12-31T24:59:60Z"} {
		if _, _, err := parseTime(text); err == nil {
			t.Errorf("%s is accepted", text)
		}
	}
	e := NewEvent("1", "/a", "t")
	e.LeapSecond = true
	if err := e.validate(); err == nil || !strings.Contains(err.Error(), "leap second") {
		t.Errorf("a leap second without a time: %v", err)
	}
	e.Time = time.Unix(1483228798, 0)
	if err := e.validate(); err == nil || !strings.Contains(err.Error(), "leap second") {
		t.Errorf("a leap second at :58: %v", err)
	}
}

package evident

import (
	"encoding/binary"
	"fmt"
	"time"
	"unicode/utf8"
	"unsafe"
)

// absent is the length an absent optional attribute has in a frame.
const absent = 0xffff_ffff

// frameError is why a frame could not be read, worded as the Rust SDK's FrameError.
type frameError struct {
	message string
}

func (e *frameError) Error() string { return e.message }

// frameReader reads the events of a frame (the format of state-view-batch.apply-events,
// written by evident_types::frame) one at a time, checking structure only: lengths within
// the frame, UTF-8 strings, a representable time, extension names given once.
type frameReader struct {
	frame     []byte
	position  int
	remaining uint32
	index     int
}

func newFrameReader(frame []byte) (*frameReader, error) {
	if len(frame) < 4 {
		return nil, &frameError{"the event frame is truncated in event 0 (event count)"}
	}
	return &frameReader{frame: frame, position: 4, remaining: binary.LittleEndian.Uint32(frame)}, nil
}

// stringNames are the string attributes an event starts with, in frame order; the last
// three are optional.
var stringNames = [7]string{"id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject"}

// next reads the next event into e and reports whether there was one; after the last event
// it checks that no bytes are left.
//
// It reads the attributes with a local cursor, and checks the strings' UTF-8 only if they
// are not all ASCII: Go's function calls are dear in WebAssembly, and this runs once per
// event.
func (r *frameReader) next(e *Event) (bool, error) {
	if r.remaining == 0 {
		if trailing := len(r.frame) - r.position; trailing != 0 {
			return false, &frameError{fmt.Sprintf("the event frame has %d bytes after its last event", trailing)}
		}
		return false, nil
	}
	frame, p := r.frame, r.position
	start := p
	var spans [len(stringNames)][2]int
	// bits gathers every byte of the strings, to tell whether they are all ASCII.
	var bits uint64
	for i := range spans {
		if len(frame)-p < 4 {
			return false, r.firstError(spans[:i], r.truncated(stringNames[i]))
		}
		n := load32(frame, p)
		p += 4
		if i >= 4 && n == absent {
			spans[i] = [2]int{-1, -1}
			continue
		}
		if uint64(n) > uint64(len(frame)-p) {
			return false, r.firstError(spans[:i], r.truncated(stringNames[i]))
		}
		end := p + int(n)
		spans[i] = [2]int{p, end}
		for ; p+8 <= end; p += 8 {
			bits |= load64(frame, p)
		}
		for ; p < end; p++ {
			bits |= uint64(frame[p])
		}
	}
	if bits&0x8080_8080_8080_8080 != 0 {
		if err := r.firstError(spans[:], nil); err != nil {
			return false, err
		}
	}
	// The event's own copy of its bytes from id to subject, made once: its strings are
	// slices of it.
	span := string(frame[start:p])
	text := func(i int) string {
		if spans[i][0] < 0 {
			return ""
		}
		return span[spans[i][0]-start : spans[i][1]-start]
	}

	if p == len(frame) {
		return false, r.truncated("time")
	}
	var eventTime time.Time
	var leap bool
	switch flag := frame[p]; flag {
	case 0:
		p++
	case 1:
		if len(frame)-p < 17 {
			return false, r.truncated("time")
		}
		seconds := int64(load64(frame, p+1))
		nanos := load32(frame, p+9)
		offset := int32(load32(frame, p+13))
		p += 17
		if !validTime(seconds, nanos, offset) {
			return false, r.invalid("time")
		}
		// A leap second is the 59th second with a billion nanoseconds or more (chrono's
		// form); time.Unix would roll it into the next minute.
		if leap = nanos >= 1_000_000_000; leap {
			nanos -= 1_000_000_000
		}
		eventTime = time.Unix(seconds, int64(nanos)).In(zone(int(offset)))
	default:
		return false, r.invalid("time")
	}

	if len(frame)-p < 4 {
		return false, r.truncated("data")
	}
	var data []byte
	n := load32(frame, p)
	p += 4
	if n != absent {
		if uint64(n) > uint64(len(frame)-p) {
			return false, r.truncated("data")
		}
		data = frame[p : p+int(n) : p+int(n)]
		p += int(n)
	}

	if len(frame)-p < 4 {
		return false, r.truncated("extensions")
	}
	count := load32(frame, p)
	r.position = p + 4
	var extensions Extensions
	if count > 0 {
		var err error
		if extensions, err = r.readExtensions(count); err != nil {
			return false, err
		}
	}

	e.ID, e.Source, e.SpecVersion, e.Type = text(0), text(1), text(2), text(3)
	e.DataContentType, e.DataSchema, e.Subject = text(4), text(5), text(6)
	e.Time, e.LeapSecond, e.Data, e.Extensions = eventTime, leap, data, extensions
	r.remaining--
	r.index++
	return true, nil
}

// firstError is the error the Rust reader, which checks each string as it reads it, would
// report: a string read before err that is not UTF-8, else err.
func (r *frameReader) firstError(spans [][2]int, err error) error {
	for i, span := range spans {
		if span[0] >= 0 && !utf8.Valid(r.frame[span[0]:span[1]]) {
			return r.notUTF8(stringNames[i])
		}
	}
	return err
}

// load32 and load64 read little-endian integers at b[i:] as one (unaligned) load each,
// where encoding/binary makes four or eight byte loads in WebAssembly. The caller checks
// that the bytes are there.
func load32(b []byte, i int) uint32 {
	_ = b[i+3]
	return *(*uint32)(unsafe.Pointer(&b[i]))
}

func load64(b []byte, i int) uint64 {
	_ = b[i+7]
	return *(*uint64)(unsafe.Pointer(&b[i]))
}

func (r *frameReader) truncated(what string) error {
	return &frameError{fmt.Sprintf("the event frame is truncated in event %d (%s)", r.index, what)}
}

func (r *frameReader) invalid(what string) error {
	return &frameError{fmt.Sprintf("the event frame's event %d has an invalid `%s`", r.index, what)}
}

func (r *frameReader) notUTF8(what string) error {
	return &frameError{fmt.Sprintf("the event frame's event %d has a `%s` that is not UTF-8", r.index, what)}
}

func (r *frameReader) take(what string, n uint64) ([]byte, error) {
	if n > uint64(len(r.frame)-r.position) {
		return nil, r.truncated(what)
	}
	start := r.position
	r.position += int(n)
	return r.frame[start:r.position:r.position], nil
}

func (r *frameReader) readU32(what string) (uint32, error) {
	bytes, err := r.take(what, 4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(bytes), nil
}

func (r *frameReader) readString(what string) (string, error) {
	n, err := r.readU32(what)
	if err != nil {
		return "", err
	}
	bytes, err := r.take(what, uint64(n))
	if err != nil {
		return "", err
	}
	if !utf8.Valid(bytes) {
		return "", r.notUTF8(what)
	}
	return string(bytes), nil
}

// Seconds of the first and last instants chrono (and so the host) can represent:
// -262143-01-01T00:00:00Z and +262142-12-31T23:59:59Z.
const (
	minSeconds = -8334601228800
	maxSeconds = 8210266876799
)

// validTime reports whether chrono (and so the host) can represent the instant: seconds in
// its range, nanoseconds below a second (or up to two in a leap second, :59), an offset
// within a day.
func validTime(seconds int64, nanos uint32, offset int32) bool {
	leap := nanos >= 1_000_000_000 && nanos < 2_000_000_000 && ((seconds%60)+60)%60 == 59
	return seconds >= minSeconds && seconds <= maxSeconds && (nanos < 1_000_000_000 || leap) &&
		offset > -86_400 && offset < 86_400
}

// zones caches the fixed zones of the UTC offsets events carry.
var zones = map[int]*time.Location{}

func zone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	location, ok := zones[offset]
	if !ok {
		location = time.FixedZone("", offset)
		zones[offset] = location
	}
	return location
}

// readExtensions reads count name/value pairs at r.position.
func (r *frameReader) readExtensions(count uint32) (Extensions, error) {
	var extensions Extensions
	for range count {
		name, err := r.readString("extension name")
		if err != nil {
			return nil, err
		}
		value, err := r.readString("extension value")
		if err != nil {
			return nil, err
		}
		if _, seen := extensions.Get(name); seen {
			return nil, r.invalid("extensions")
		}
		extensions = append(extensions, Extension{Name: name, Value: value})
	}
	return extensions, nil
}

//go:build wasip1

package evident

// The canonical ABI, by hand: how the host's arguments are read from this module's memory
// and how results are written for it to read (the layouts wit-component gives the evident:db
// records: strings and lists as a 4-byte pointer and a 4-byte length, an option as a tag
// byte and its payload 4 bytes later, a result likewise).

import (
	"fmt"
	"unsafe"
)

// argBlocks is the memory cabi_realloc gave the host for the coming call's arguments. Only
// addresses the collector cannot see point at it until the export has read them, so it is
// kept here until the call's cabi_post_* (Data slices lent to Reduce keep a frame alive
// beyond that, as ordinary Go references).
var argBlocks [][]uint64

// returnArea is where an export writes its result for the host (every result here is at
// most 32 bytes).
var returnArea [8]uint32

// keptStrings, keptBytes and keptWords are what the last export's result points at, kept until its
// cabi_post_* call.
var (
	keptStrings []string
	keptBytes   [][]byte
	keptWords   [][]uint32
)

// cabi_realloc allocates memory for the host to write arguments into. It must not run the
// collector (see heap_wasip1.go); with automatic collection off, allocating does not.
//
//go:wasmexport cabi_realloc
func cabiRealloc(oldPointer, oldSize, align, newSize uint32) uint32 {
	if newSize == 0 {
		return align // a non-null, aligned address nothing is written to
	}
	block := make([]uint64, (uint64(newSize)+7)/8)
	pointer := unsafe.Pointer(unsafe.SliceData(block))
	if oldPointer != 0 {
		copy(unsafe.Slice((*byte)(pointer), newSize), bytesAt(oldPointer, min(oldSize, newSize)))
	}
	argBlocks = append(argBlocks, block)
	reallocBytes += uint64(newSize)
	return uint32(uintptr(pointer))
}

// endCall drops what the finished call's arguments and result held: what every
// cabi_post_* export does. It allocates nothing.
func endCall() {
	clear(argBlocks)
	argBlocks = argBlocks[:0]
	clear(keptStrings)
	keptStrings = keptStrings[:0]
	clear(keptBytes)
	keptBytes = keptBytes[:0]
	clear(keptWords)
	keptWords = keptWords[:0]
}

// beginCall is the start of every export: the collector may run here (see heap_wasip1.go).
func beginCall() {
	collectIfDue()
}

// guard logs a panic at error level before it traps the call, so that the host's error
// says what happened.
func guard() {
	if recovered := recover(); recovered != nil {
		hostLog(LevelError, fmt.Sprintf("panic: %v", recovered))
		panic(recovered)
	}
}

// Reading arguments.

// pointer is the Go pointer for an address in this module's memory that the host was given
// (by cabi_realloc) and has written through.
func pointer(address uint32) unsafe.Pointer {
	return unsafe.Add(nil, uintptr(address))
}

func word(address uint32) uint32 {
	return *(*uint32)(pointer(address))
}

func byteAt(address uint32) byte {
	return *(*byte)(pointer(address))
}

// bytesAt lends length bytes at address (never nil, so that present-but-empty data stays
// present).
func bytesAt(address, length uint32) []byte {
	if length == 0 {
		return []byte{}
	}
	return unsafe.Slice((*byte)(pointer(address)), length)
}

// stringAt copies a string out of the arguments.
func stringAt(address, length uint32) string {
	return string(bytesAt(address, length))
}

// optionalStringAt reads an option<string> at address: "" when absent.
func optionalStringAt(address uint32) string {
	if byteAt(address) == 0 {
		return ""
	}
	return stringAt(word(address+4), word(address+8))
}

// parametersAt reads a list<tuple<string, string>>.
func parametersAt(address, count uint32) Parameters {
	if count == 0 {
		return Parameters{}
	}
	pairs := make([]Parameter, count)
	for i := range pairs {
		at := address + uint32(i)*16
		pairs[i] = Parameter{Name: stringAt(word(at), word(at+4)), Value: stringAt(word(at+8), word(at+12))}
	}
	return Parameters{pairs: pairs}
}

// stateFlat reads a state from its seven flat values (content type, schema id, bytes);
// the schema id is not used.
func stateFlat(contentType, contentTypeLen, _, _, _, bytes, bytesLen uint32) state {
	return state{contentType: stringAt(contentType, contentTypeLen), bytes: bytesAt(bytes, bytesLen)}
}

// stateAt reads a state record (28 bytes) at address.
func stateAt(address uint32) state {
	return state{
		contentType: stringAt(word(address), word(address+4)),
		bytes:       bytesAt(word(address+20), word(address+24)),
	}
}

// eventAt reads an event record (100 bytes) at address; a bad time or a repeated extension
// name is refused as Rust's SDK does.
func eventAt(address uint32) (Event, *failure) {
	str := func(offset uint32) string { return stringAt(word(address+offset), word(address+offset+4)) }
	event := Event{
		ID:              str(0),
		Source:          str(8),
		SpecVersion:     str(16),
		Type:            str(24),
		DataContentType: optionalStringAt(address + 32),
		DataSchema:      optionalStringAt(address + 44),
		Subject:         optionalStringAt(address + 56),
	}
	if byteAt(address+68) != 0 {
		t, leap, err := parseTime(stringAt(word(address+72), word(address+76)))
		if err != nil {
			return Event{}, invalidEvent(event.ID, err)
		}
		event.Time, event.LeapSecond = t, leap
	}
	if byteAt(address+80) != 0 {
		event.Data = bytesAt(word(address+84), word(address+88))
	}
	extensions, count := word(address+92), word(address+96)
	for i := range count {
		at := extensions + i*16
		name := stringAt(word(at), word(at+4))
		if _, seen := event.Extensions.Get(name); seen {
			return Event{}, refused(Refusef(CodeInvalidEvent, "event %s names extension `%s` twice", Quote(event.ID), name))
		}
		event.Extensions = append(event.Extensions, Extension{Name: name, Value: stringAt(word(at+8), word(at+12))})
	}
	return event, nil
}

// Writing results.

func returnAddress() uint32 {
	return uint32(uintptr(unsafe.Pointer(&returnArea)))
}

// keepString keeps s until the call ends and returns its address (0 for "").
func keepString(s string) uint32 {
	if s == "" {
		return 0
	}
	keptStrings = append(keptStrings, s)
	return uint32(uintptr(unsafe.Pointer(unsafe.StringData(s))))
}

// keepBytes keeps b until the call ends and returns its address (0 if empty).
func keepBytes(b []byte) uint32 {
	if len(b) == 0 {
		return 0
	}
	keptBytes = append(keptBytes, b)
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b))))
}

// keepWords allocates n words for a result, kept until the call ends.
func keepWords(n int) ([]uint32, uint32) {
	words := make([]uint32, n)
	keptWords = append(keptWords, words)
	return words, uint32(uintptr(unsafe.Pointer(unsafe.SliceData(words))))
}

// putString writes a string (pointer, length) at words[i:i+2].
func putString(words []uint32, i int, s string) {
	words[i], words[i+1] = keepString(s), uint32(len(s))
}

// putOptionalString writes an option<string> at words[i:i+3]: "" is none.
func putOptionalString(words []uint32, i int, s string) {
	if s == "" {
		words[i], words[i+1], words[i+2] = 0, 0, 0
		return
	}
	words[i] = 1
	putString(words, i+1, s)
}

// putState writes a state record (7 words) at words[i:].
func putState(words []uint32, i int, s state) {
	putString(words, i, s.contentType)
	words[i+2], words[i+3], words[i+4] = 0, 0, 0 // no schema id
	words[i+5], words[i+6] = keepBytes(s.bytes), uint32(len(s.bytes))
}

// putFailure hands the host the failure's code, if it has one, and writes the err case of a
// result<_, string> (tag 1, then the message).
func putFailure(f *failure) uint32 {
	if f.refusal != nil {
		hostRefuse(f.refusal)
	}
	returnArea[0] = 1
	putString(returnArea[:], 1, f.message)
	return returnAddress()
}

// returnState writes a result<state, string>.
func returnState(s state, f *failure) uint32 {
	clear(returnArea[:])
	if f != nil {
		return putFailure(f)
	}
	putState(returnArea[:], 1, s)
	return returnAddress()
}

// returnUnit writes a result<_, string>.
func returnUnit(f *failure) uint32 {
	clear(returnArea[:])
	if f != nil {
		return putFailure(f)
	}
	return returnAddress()
}

// putEvents writes events as a list of event records (100 bytes each) and returns its
// address.
func putEvents(events []Event) uint32 {
	if len(events) == 0 {
		return 0
	}
	words, address := keepWords(25 * len(events))
	for i := range events {
		e, w := &events[i], words[25*i:25*i+25]
		putString(w, 0, e.ID)
		putString(w, 2, e.Source)
		putString(w, 4, e.SpecVersion)
		putString(w, 6, e.Type)
		putOptionalString(w, 8, e.DataContentType)
		putOptionalString(w, 11, e.DataSchema)
		putOptionalString(w, 14, e.Subject)
		if !e.Time.IsZero() {
			putOptionalString(w, 17, formatTime(e.Time, e.LeapSecond))
		}
		if e.Data != nil {
			w[20], w[21], w[22] = 1, keepBytes(e.Data), uint32(len(e.Data))
		}
		if len(e.Extensions) > 0 {
			pairs, pairsAddress := keepWords(4 * len(e.Extensions))
			for j, extension := range e.Extensions {
				putString(pairs, 4*j, extension.Name)
				putString(pairs, 4*j+2, extension.Value)
			}
			w[23], w[24] = pairsAddress, uint32(len(e.Extensions))
		}
	}
	return address
}

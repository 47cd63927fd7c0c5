//go:build wasip1 && evident_decider

package evident

import (
	"errors"
	"runtime"
	"unsafe"
)

// The database resource's methods, imported in their flat core-wasm form: the handle first,
// lists and strings as pointer and length into this module's memory, and a result too large
// for a value written at the last argument, into memory the host allocates with cabi_realloc.
// The handle `decide` is lent is a borrow: the guest must drop it before `decide` returns (the
// component model's rule, which the host enforces), and exportDecide does.

//go:wasmimport evident:db/database@EVIDENT_WIT_VERSION [resource-drop]database
func importDropDatabase(handle uint32)

//go:wasmimport evident:db/database@EVIDENT_WIT_VERSION [method]database.revision
func importRevision(handle uint32) uint64

//go:wasmimport evident:db/database@EVIDENT_WIT_VERSION [method]database.query-events
func importQueryEvents(handle uint32, items unsafe.Pointer, itemsLen uint32, after uint64, limit uint32, result unsafe.Pointer)

//go:wasmimport evident:db/database@EVIDENT_WIT_VERSION [method]database.view-state
func importViewState(handle uint32, name unsafe.Pointer, nameLen uint32, hasVersion uint32, version unsafe.Pointer,
	versionLen uint32, parameters unsafe.Pointer, parametersLen uint32, result unsafe.Pointer)

// importArea is where the host writes an import's result: list<stored-event> (a pointer and
// a length) or option<state> (a tag byte, then the 28-byte state record at 4).
var importArea [8]uint32

// hostDatabase is the host's database resource, borrowed for one decide call.
type hostDatabase struct {
	handle uint32
}

func (d hostDatabase) Revision() uint64 {
	return importRevision(d.handle)
}

func (d hostDatabase) QueryEvents(query Query, after uint64, limit uint32) ([]StoredEvent, error) {
	// The query record: items of {types: list<string>, tags: list<tag>} (16 bytes), strings as
	// (pointer, length), tags as {name, value} (16 bytes). kept holds what the words point at
	// until the call returns.
	items := make([]uint32, 4*len(query.Items))
	var kept [][]uint32
	for i, item := range query.Items {
		if len(item.Types) > 0 {
			types := make([]uint32, 2*len(item.Types))
			for j, t := range item.Types {
				types[2*j], types[2*j+1] = stringAddress(t), uint32(len(t))
			}
			kept = append(kept, types)
			items[4*i], items[4*i+1] = sliceAddress(types), uint32(len(item.Types))
		}
		if len(item.Tags) > 0 {
			tags := make([]uint32, 4*len(item.Tags))
			for j, tag := range item.Tags {
				tags[4*j], tags[4*j+1] = stringAddress(tag.Name), uint32(len(tag.Name))
				tags[4*j+2], tags[4*j+3] = stringAddress(tag.Value), uint32(len(tag.Value))
			}
			kept = append(kept, tags)
			items[4*i+2], items[4*i+3] = sliceAddress(tags), uint32(len(item.Tags))
		}
	}
	mark := len(argBlocks)
	clear(importArea[:])
	importQueryEvents(d.handle, unsafe.Pointer(unsafe.SliceData(items)), uint32(len(query.Items)), after, limit,
		unsafe.Pointer(&importArea))
	runtime.KeepAlive(items)
	runtime.KeepAlive(kept)
	runtime.KeepAlive(query)
	events, err := storedEventsAt(importArea[0], importArea[1])
	dropBlocksFrom(mark)
	return events, err
}

func (d hostDatabase) ViewState(name, version string, parameters Parameters) (State, bool, error) {
	pairs := make([]uint32, 4*len(parameters.pairs))
	for i, pair := range parameters.pairs {
		pairs[4*i], pairs[4*i+1] = stringAddress(pair.Name), uint32(len(pair.Name))
		pairs[4*i+2], pairs[4*i+3] = stringAddress(pair.Value), uint32(len(pair.Value))
	}
	var hasVersion uint32
	if version != "" {
		hasVersion = 1
	}
	mark := len(argBlocks)
	clear(importArea[:])
	importViewState(d.handle, unsafe.Pointer(unsafe.StringData(name)), uint32(len(name)), hasVersion,
		unsafe.Pointer(unsafe.StringData(version)), uint32(len(version)),
		unsafe.Pointer(unsafe.SliceData(pairs)), uint32(len(parameters.pairs)), unsafe.Pointer(&importArea))
	runtime.KeepAlive(name)
	runtime.KeepAlive(version)
	runtime.KeepAlive(pairs)
	runtime.KeepAlive(parameters)
	found := byte(importArea[0]) != 0
	var s State
	if found {
		// The state record at 4: content type (4, 8), schema id (option<string>: 12, 16, 20),
		// bytes (24, 28); copied, since the memory is dropped below.
		s.ContentType = stringAt(importArea[1], importArea[2])
		if byte(importArea[3]) != 0 {
			s.SchemaID = stringAt(importArea[4], importArea[5])
		}
		s.Bytes = append([]byte{}, bytesAt(importArea[6], importArea[7])...)
	}
	dropBlocksFrom(mark)
	return s, found, nil
}

// storedEventsAt reads a list<stored-event>: records of 112 bytes (8-aligned), the position
// (u64) at 0 and the event record at 8. Every string and data is copied, so the host's memory
// can be dropped.
func storedEventsAt(address, count uint32) ([]StoredEvent, error) {
	events := make([]StoredEvent, count)
	for i := range events {
		at := address + uint32(i)*112
		events[i].Position = *(*uint64)(pointer(at))
		event, f := eventAt(at + 8)
		if f != nil {
			if f.refusal == nil {
				return nil, errors.New(f.message)
			}
			return nil, f.refusal
		}
		if event.Data != nil {
			event.Data = append([]byte{}, event.Data...)
		}
		events[i].Event = event
	}
	return events, nil
}

// dropBlocksFrom forgets the blocks cabi_realloc handed out since argBlocks had mark of them
// (the memory of an import's result, read and copied): the collector may take them back.
func dropBlocksFrom(mark int) {
	clear(argBlocks[mark:])
	argBlocks = argBlocks[:mark]
	collectIfDue()
}

// stringAddress is the address of s's bytes (0 for "").
func stringAddress(s string) uint32 {
	if s == "" {
		return 0
	}
	return uint32(uintptr(unsafe.Pointer(unsafe.StringData(s))))
}

// sliceAddress is the address of words' first element.
func sliceAddress(words []uint32) uint32 {
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(words))))
}

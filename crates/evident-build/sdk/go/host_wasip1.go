//go:build wasip1

package evident

import "unsafe"

// The imports of the evident:db worlds, in their flat core-wasm form (strings as pointer and
// length into this module's memory). An import no build calls is left out by the linker, so
// a world without frame-progress does not import it.
//
// EVIDENT_WIT_VERSION in an import's or export's name stands for the evident:db release: the
// names of //go:wasmimport and //go:wasmexport must be literal, so evident-build (go.rs)
// writes the SDK out with the release of the WIT it builds against in its place. This SDK
// names no release anywhere else.

//go:wasmimport evident:db/logging@EVIDENT_WIT_VERSION log
func importLog(level uint32, message unsafe.Pointer, messageLen uint32)

//go:wasmimport evident:db/refusal@EVIDENT_WIT_VERSION refuse
func importRefuse(code unsafe.Pointer, codeLen uint32, message unsafe.Pointer, messageLen uint32,
	hasDetails uint32, details unsafe.Pointer, detailsLen uint32)

//go:wasmimport evident:db/frame-progress@EVIDENT_WIT_VERSION begin-event
func importBeginEvent()

// SetLogOutput does nothing in a component: lines go to the host.
func SetLogOutput(func(level LogLevel, message string)) {}

func hostLog(level LogLevel, message string) {
	importLog(uint32(level), unsafe.Pointer(unsafe.StringData(message)), uint32(len(message)))
}

func hostRefuse(r *Refusal) {
	var hasDetails uint32
	var details unsafe.Pointer
	if r.Details != nil {
		hasDetails, details = 1, unsafe.Pointer(unsafe.SliceData(r.Details))
	}
	importRefuse(unsafe.Pointer(unsafe.StringData(r.Code)), uint32(len(r.Code)),
		unsafe.Pointer(unsafe.StringData(r.Message)), uint32(len(r.Message)),
		hasDetails, details, uint32(len(r.Details)))
}

func hostBeginEvent() { importBeginEvent() }

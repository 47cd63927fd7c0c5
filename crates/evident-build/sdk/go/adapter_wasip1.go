//go:build wasip1

package evident

import "unsafe"

// The WASI preview 1 adapter that makes this module a component allocates its own state and
// stack once, at its first call: during the Go runtime's initialisation (its first clock
// reading), before Go code can allocate. Given only cabi_realloc, it would run the Go
// allocator there (and the SDK frees cabi_realloc's memory after each call); with
// memory.grow, it would take pages the Go heap later grows over. So the module exports
// cabi_realloc_adapter, which wit-component hands the adapter instead: a bump allocator over
// a static array that nothing else uses, running no runtime code (nosplit, no allocation).

// adapterArenaSize is what the adapter may take: its 64 KiB stack and its state (one 64 KiB
// page; it uses 128 KiB in all).
const adapterArenaSize = 192 << 10

var (
	adapterArena [adapterArenaSize]byte
	adapterUsed  uintptr
)

//go:wasmexport cabi_realloc_adapter
//go:nosplit
func cabiReallocAdapter(oldPointer, oldSize, align, newSize uint32) uint32 {
	base := uintptr(unsafe.Pointer(&adapterArena))
	start := (base + adapterUsed + uintptr(align) - 1) &^ (uintptr(align) - 1)
	end := start + uintptr(newSize)
	if oldPointer != 0 || end > base+adapterArenaSize {
		// The adapter asked for more than it ever does: stop with an out-of-bounds trap,
		// since nothing else can run here.
		return *(*uint32)(unsafe.Add(nil, uintptr(0xffff_fff0)))
	}
	adapterUsed = end - base
	return uint32(start)
}

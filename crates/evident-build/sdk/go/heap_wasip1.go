//go:build wasip1

package evident

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// The Go collector must not start inside cabi_realloc: it reads the clock there, and the
// component model forbids calling an import during cabi_realloc (and cabi_post_*), so the
// call traps with "cannot leave component instance" (wasmtime issue 14318; seen after
// ~6,000 events). So automatic collection is off, and collectIfDue collects at points where
// imports are allowed: the start of every export, and every collectEvery events of a frame.

// collectAt is the least heap at which collectIfDue collects.
const collectAt = 8 << 20

// readEvery is how many collectIfDue calls pass between readings of the heap, unless
// cabi_realloc has handed out readAfterBytes since the last one: a reading costs about
// 17,000 fuel, as much as several events.
const (
	readEvery      = 16
	readAfterBytes = 1 << 20
)

var (
	// sinceReading counts the collectIfDue calls since the heap was last read.
	sinceReading int
	// reallocBytes is what cabi_realloc has handed out since the heap was last read.
	reallocBytes uint64
)

// nextCollection is the heap size at which collectIfDue collects next: twice what was live
// after the last collection, and at least collectAt, so a large state is not collected at
// every call.
var nextCollection uint64 = collectAt

// heapObjects reads the bytes of heap objects, live or not yet freed, without stopping the
// world.
var heapObjects = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func init() {
	debug.SetGCPercent(-1)
	// Sampling allocations for heap profiles costs time and nobody reads the profile.
	runtime.MemProfileRate = 0
}

// collectIfDue runs the collector if the heap has grown to nextCollection; it reads the heap
// only every readEvery calls (or after readAfterBytes of arguments).
func collectIfDue() {
	sinceReading++
	if sinceReading < readEvery && reallocBytes < readAfterBytes {
		return
	}
	sinceReading, reallocBytes = 0, 0
	metrics.Read(heapObjects)
	if heapObjects[0].Value.Uint64() < nextCollection {
		return
	}
	runtime.GC()
	metrics.Read(heapObjects)
	nextCollection = max(collectAt, 2*heapObjects[0].Value.Uint64())
}

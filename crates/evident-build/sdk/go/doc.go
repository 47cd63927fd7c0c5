// Package evident writes Evident state views, state changes and deciders in plain Go.
//
// A guest is a Go module (package main, GOOS=wasip1, -buildmode=c-shared) that registers its
// logic in an init function and never touches the component model's canonical ABI: this
// package implements the exports of the evident:db worlds with //go:wasmexport, the
// allocator the host writes arguments with (cabi_realloc), and the imports (logging,
// refusal, frame-progress, database) with //go:wasmimport.
//
// A state view folds events into a state:
//
//	type Counts struct {
//		Total uint64 `json:"total"`
//	}
//
//	func init() {
//		evident.ExportView(evident.View[Counts]{
//			Initialize: func(p evident.Parameters) (Counts, error) { return Counts{}, nil },
//			Reduce: func(s *Counts, e *evident.Event, p evident.Parameters) error {
//				s.Total++
//				return nil
//			},
//		})
//	}
//
//	func main() {}
//
// A state change turns a command into events ([ExportChange]); refusals are [*Refusal]
// values, with a code callers match on. A decider of the database-decider world reads the
// database (the log by DCB [Query], the materialized views) and returns a [Decision]
// ([ExportDecider]; package evidenttest has an in-memory database for tests).
//
// Which exports a build contains follows the world the guest implements, given as build
// tags (evident-build sets them from guest.json): evident_view (state-view), evident_batch
// (state-view-batch and the frame-progress import), evident_change (state-change) and
// evident_decider (decider and the database import).
//
// States are stored as JSON by default ([JSON]), written byte for byte as serde_json writes
// the same value in the Rust SDK, except for floating-point numbers (see [JSON]).
//
// The Go garbage collector must not start inside cabi_realloc (it would read the clock, an
// import the component model forbids there; wasmtime issue 14318). This package therefore
// turns automatic collection off and collects at the start of exports (and between the
// events of a frame) once the heap has grown past a threshold; see heap_wasip1.go.
package evident

// The event counter in Go: the same state, byte for byte, as guests/event-counter (Rust).
//
// Parameters:
//   - prefix: count only events whose type starts with it;
//   - require-data (true/false): refuse events that carry no data.
package main

import (
	"fmt"
	"strings"

	"evident.dev/evident"
)

// Counts is how many events of each type the view has seen.
type Counts struct {
	// ByType is the events counted, by CloudEvents type.
	ByType map[string]uint64 `json:"by_type"`
	// Total is the events counted in all.
	Total uint64 `json:"total"`
}

func initialize(parameters evident.Parameters) (Counts, error) {
	if prefix, ok := parameters.Get("prefix"); ok {
		evident.Infof("counting events whose type starts with %s", evident.Quote(prefix))
	}
	return Counts{ByType: map[string]uint64{}}, nil
}

func reduce(counts *Counts, event *evident.Event, parameters evident.Parameters) error {
	requireData, err := parameters.Bool("require-data", false)
	if err != nil {
		return err
	}
	if requireData && event.Data == nil {
		return fmt.Errorf("event %s has no data", event.ID)
	}
	if prefix, ok := parameters.Get("prefix"); ok && !strings.HasPrefix(event.Type, prefix) {
		return nil
	}
	if counts.ByType == nil {
		counts.ByType = map[string]uint64{}
	}
	counts.Total++
	counts.ByType[event.Type]++
	return nil
}

func init() {
	evident.ExportView(evident.View[Counts]{Initialize: initialize, Reduce: reduce})
}

// main is never called: the component's exports are its entry points.
func main() {}

// Hostile guest: Reduce spins forever. Fuel stops it; with unlimited fuel the epoch
// deadline does.
package main

import "evident.dev/evident"

// Spinner is the spin count, never returned.
type Spinner struct {
	Spins uint64 `json:"spins"`
}

func init() {
	evident.ExportView(evident.View[Spinner]{
		Initialize: func(evident.Parameters) (Spinner, error) { return Spinner{}, nil },
		Reduce: func(s *Spinner, _ *evident.Event, _ evident.Parameters) error {
			for {
				s.Spins++
			}
		},
	})
}

// main is never called: the component's exports are its entry points.
func main() {}

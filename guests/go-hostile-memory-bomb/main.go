// Hostile guest: Reduce hoards 1 MiB blocks, writing to every page of each, until memory
// growth is refused.
package main

import "evident.dev/evident"

// Hoard is the blocks held so far.
type Hoard struct {
	Blocks uint64 `json:"blocks"`
}

func init() {
	evident.ExportView(evident.View[Hoard]{
		Initialize: func(evident.Parameters) (Hoard, error) { return Hoard{}, nil },
		Reduce: func(h *Hoard, _ *evident.Event, _ evident.Parameters) error {
			var hoard [][]byte
			for {
				block := make([]byte, 1<<20)
				for page := 0; page < len(block); page += 4096 {
					block[page] = 0xAB
				}
				hoard = append(hoard, block)
				h.Blocks = uint64(len(hoard))
			}
		},
	})
}

// main is never called: the component's exports are its entry points.
func main() {}

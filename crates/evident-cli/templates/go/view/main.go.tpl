// {{name}}: a state view. It sums the `amount` in each event's JSON data, by event type.
package main

import (
	"fmt"

	"evident.dev/evident"
)

// Totals is the state: the sum of `amount` by event type, stored as JSON between calls.
type Totals struct {
	ByType map[string]int64 `json:"by_type"`
}

// payload is the JSON data the events carry.
type payload struct {
	Amount *int64 `json:"amount"`
}

func initialize(evident.Parameters) (Totals, error) {
	return Totals{ByType: map[string]int64{}}, nil
}

func reduce(totals *Totals, event *evident.Event, _ evident.Parameters) error {
	// Events without data count for nothing; data without an amount is refused, and the host
	// keeps the previous state.
	if event.Data == nil {
		return nil
	}
	var data payload
	if err := event.DataJSON(&data); err != nil {
		return err
	}
	if data.Amount == nil {
		return fmt.Errorf("event %s has data without an `amount`", event.ID)
	}
	totals.ByType[event.Type] += *data.Amount
	evident.Debugf("%s +%d", event.ID, *data.Amount)
	return nil
}

func init() {
	evident.ExportView(evident.View[Totals]{Initialize: initialize, Reduce: reduce})
}

// main is never called: the component's exports are its entry points.
func main() {}

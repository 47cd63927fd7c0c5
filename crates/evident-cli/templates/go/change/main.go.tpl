// {{name}}: a state change. A counter that can be incremented up to a limit.
package main

import (
	"fmt"
	"math"

	"evident.dev/evident"
)

// Counter is the state: the counter's value, stored as JSON between calls.
type Counter struct {
	Value uint64 `json:"value"`
}

// Command is what callers send, as JSON or CBOR: {"type": "increment", "by": 2}.
type Command struct {
	Type string `json:"type"`
	By   uint64 `json:"by"`
}

// incremented is the data of a counter.incremented event.
type incremented struct {
	By    uint64 `json:"by"`
	Value uint64 `json:"value"`
}

func process(counter Counter, command Command, parameters evident.Parameters) ([]evident.Event, error) {
	limit, err := parameters.Uint("limit", 100)
	if err != nil {
		return nil, err // code invalid-parameter
	}
	if command.Type != "increment" {
		return nil, evident.Refusef("unknown-command", "unknown command %s", evident.Quote(command.Type))
	}
	value := counter.Value + min(command.By, math.MaxUint64-counter.Value)
	if value > limit {
		return nil, evident.Refusef("over-limit", "%d is over the limit of %d", value, limit)
	}
	event := evident.NewEvent(fmt.Sprintf("counter-%d", value), "/counter", "counter.incremented")
	if err := event.SetJSONData(incremented{By: command.By, Value: value}); err != nil {
		return nil, err
	}
	return []evident.Event{event}, nil
}

func init() {
	evident.ExportChange(evident.Change[Counter, Command]{Process: process})
}

// main is never called: the component's exports are its entry points.
func main() {}

// The tally in Go: a state change that adds to a tally, emitting the same events byte for
// byte and refusing with the same codes as guests/tally (Rust).
//
// {"type": "add", "amount": n} emits tally.added with the amount and the new total; the
// event's source is the parameter source, or /tally.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"evident.dev/evident"
)

// Tally is what has been added so far.
type Tally struct {
	// Total is the sum of every amount added.
	Total int64 `json:"total"`
}

// added is the data of a tally.added event.
type added struct {
	Amount int64 `json:"amount"`
	Total  int64 `json:"total"`
}

func process(tally Tally, command json.RawMessage, parameters evident.Parameters) ([]evident.Event, error) {
	amount, err := amountOf(command)
	if err != nil {
		return nil, err
	}
	if amount > math.MaxInt64-tally.Total {
		return nil, evident.Refuse("invalid-amount", "the total would overflow")
	}
	total := tally.Total + amount
	event := evident.NewEvent(fmt.Sprintf("tally-%d", total), parameters.String("source", "/tally"), "tally.added")
	if err := event.SetJSONData(added{Amount: amount, Total: total}); err != nil {
		return nil, err
	}
	return []evident.Event{event}, nil
}

// amountOf is the amount an add command adds, or the refusal. The command is any JSON
// value, as the Rust tally takes a serde_json::Value.
func amountOf(command json.RawMessage) (int64, error) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(command, &fields) != nil {
		fields = nil // not an object: it has no type
	}
	var kind string
	if raw := fields["type"]; string(raw) == "null" || json.Unmarshal(raw, &kind) != nil {
		return 0, evident.Refuse("unknown-command", "the command has no type")
	}
	if kind != "add" {
		return 0, evident.Refusef("unknown-command", "unknown command '%s'", kind)
	}
	// Only a JSON integer that fits an int64 is an amount (as serde_json's as_i64).
	amount, err := strconv.ParseInt(string(fields["amount"]), 10, 64)
	if err != nil || amount <= 0 {
		return 0, evident.Refuse("invalid-amount", "amount must be a positive integer")
	}
	return amount, nil
}

func init() {
	evident.ExportChange(evident.Change[Tally, json.RawMessage]{Process: process})
}

// main is never called: the component's exports are its entry points.
func main() {}

// Unbroken invoice numbers in Go: the decider of guests/js-invoice-numbers (world
// `database-decider`), deciding as it does, event for event and refusal for refusal. Each new
// invoice gets the number after the last one, with no gap and no number given twice, however
// many invoices are created at once (the Dynamic Consistency Boundary example).
//
// {"type": "create-invoice", "invoice": "i-abc", "amount": 100} reads the last
// `invoice.created` event, emits `invoice.created` with the next number, and appends it under
// its own condition: fail if an `invoice.created` event was appended after the revision it
// read at. Of two concurrent creations, one is appended and the other gets a `Conflict` and is
// decided again on the log that now holds the first.
package main

import (
	"encoding/json"
	"fmt"
	"math"

	"evident.dev/evident"
)

// created is the type of the events this decider reads and emits.
const created = "invoice.created"

// invoices is every invoice.created event: what the number depends on, and what the condition
// guards.
var invoices = evident.QueryOf([]string{created})

// page is how many events one read asks for.
const page = 1000

// maxNumber is the largest invoice number the JavaScript twin reads (Number.MAX_SAFE_INTEGER).
const maxNumber = 1<<53 - 1

// invoiceCreated is the data of an invoice.created event, its keys sorted as the JavaScript
// twin and serde_json write them, so the store's JSON form shows it as `data`.
type invoiceCreated struct {
	Amount  float64 `json:"amount"`
	Invoice string  `json:"invoice"`
	Number  uint64  `json:"number"`
}

// The command is taken as raw JSON and checked field by field, so that a field of the wrong
// type is refused with `validation`, as the JavaScript twin refuses it, rather than failing to
// decode (`invalid-command`).
func decide(database *evident.Database, command json.RawMessage, _ evident.Parameters) (evident.Decision, error) {
	invoice, amount, err := check(command)
	if err != nil {
		return evident.Decision{}, err
	}
	revision := database.Revision()
	// The last invoice.created event, read page by page to the revision: Events stops only at
	// an empty page or one that reaches the revision, as the host may return fewer events than
	// asked before it (its caps on a read's events and bytes). This reads every invoice ever
	// created; a view holding the last number (database.ViewState) is what scales (README.md).
	var last *evident.StoredEvent
	for stored, err := range database.Events(invoices, 0, page) {
		if err != nil {
			return evident.Decision{}, err
		}
		last = &stored
	}
	number := uint64(1)
	if last != nil {
		previous, err := numberOf(last)
		if err != nil {
			return evident.Decision{}, err
		}
		number = previous + 1
	}
	event := evident.NewEvent(invoice, "/invoices", created)
	event.SetExtension("invoice", invoice)
	if err := event.SetJSONData(invoiceCreated{Invoice: invoice, Number: number, Amount: amount}); err != nil {
		return evident.Decision{}, err
	}
	return evident.Decision{
		Events:    []evident.Event{event},
		Condition: &evident.AppendCondition{FailIfEventsMatch: invoices, After: revision},
	}, nil
}

// check returns the command's invoice and amount, or a `validation` refusal.
func check(command json.RawMessage) (string, float64, error) {
	var fields map[string]json.RawMessage
	var kind string
	if json.Unmarshal(command, &fields) != nil || fields == nil ||
		json.Unmarshal(fields["type"], &kind) != nil || kind != "create-invoice" {
		return "", 0, evident.Refuse("validation", `the command is {"type": "create-invoice", "invoice": ..., "amount": ...}`)
	}
	var invoice string
	if json.Unmarshal(fields["invoice"], &invoice) != nil || invoice == "" {
		return "", 0, evident.Refuse("validation", "invoice must be a non-empty string")
	}
	// A missing amount, null, a string, or a number too large for a float64 (Infinity in
	// JavaScript) is refused as one that is not positive.
	var amount float64
	if json.Unmarshal(fields["amount"], &amount) != nil || amount <= 0 {
		return "", 0, evident.Refuse("validation", "amount must be a positive number")
	}
	return invoice, amount, nil
}

// numberOf is the number of the invoice a stored invoice.created event created. An event
// without one fails the decision (`internal`).
func numberOf(stored *evident.StoredEvent) (uint64, error) {
	// Read as JavaScript reads it: the key exactly "number" (a struct field would match any
	// case), and a float, so that 3.0 and 3e0 are the number 3 as they are there.
	var data map[string]json.RawMessage
	var number float64
	if stored.Event.DataJSON(&data) != nil || json.Unmarshal(data["number"], &number) != nil ||
		number < 1 || number > maxNumber || number != math.Trunc(number) {
		return 0, fmt.Errorf("the invoice.created event at position %d has no invoice number", stored.Position)
	}
	return uint64(number), nil
}

func init() {
	evident.ExportDecider(evident.Decider[json.RawMessage]{Decide: decide})
}

func main() {}

package evident_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"evident.dev/evident"
	"evident.dev/evident/evidenttest"
)

var invoices = evident.QueryOf([]string{"invoice.created"})

type createInvoice struct {
	Type    string  `json:"type"`
	Invoice string  `json:"invoice"`
	Amount  float64 `json:"amount"`
}

type invoiceCreated struct {
	Amount  float64 `json:"amount"`
	Invoice string  `json:"invoice"`
	Number  uint64  `json:"number"`
}

func invoiceEvent(t testing.TB, id string, number uint64, amount float64) evident.Event {
	event := evident.NewEvent(id, "/invoices", "invoice.created")
	event.SetExtension("invoice", id)
	if err := event.SetJSONData(invoiceCreated{Amount: amount, Invoice: id, Number: number}); err != nil {
		t.Fatal(err)
	}
	return event
}

// Unbroken invoice numbers: the last invoice.created event read page by page, the next number,
// and the condition that no invoice was created after the revision.
var invoiceNumbers = evident.Decider[createInvoice]{
	Decide: func(database *evident.Database, command createInvoice, _ evident.Parameters) (evident.Decision, error) {
		if command.Amount <= 0 {
			return evident.Decision{}, evident.Refuse("validation", "amount must be a positive number")
		}
		var last *evident.StoredEvent
		for stored, err := range database.Events(invoices, 0, 1000) {
			if err != nil {
				return evident.Decision{}, err
			}
			last = &stored
		}
		number := uint64(1)
		if last != nil {
			var created invoiceCreated
			if err := last.Event.DataJSON(&created); err != nil {
				return evident.Decision{}, err
			}
			number = created.Number + 1
		}
		event := evident.NewEvent(command.Invoice, "/invoices", "invoice.created")
		event.SetExtension("invoice", command.Invoice)
		if err := event.SetJSONData(invoiceCreated{Amount: command.Amount, Invoice: command.Invoice, Number: number}); err != nil {
			return evident.Decision{}, err
		}
		return evident.Decision{
			Events:    []evident.Event{event},
			Condition: &evident.AppendCondition{FailIfEventsMatch: invoices, After: database.Revision()},
		}, nil
	},
}

func TestTheFirstInvoiceIsNumberOne(t *testing.T) {
	payment := evident.NewEvent("p-1", "/payments", "payment.received")
	database := evidenttest.NewInMemoryDatabase(payment)
	decision, err := evident.Decide(invoiceNumbers, database, createInvoice{Type: "create-invoice", Invoice: "i-abc", Amount: 100}, evident.Parameters{})
	if err != nil {
		t.Fatal(err)
	}
	if len(decision.Events) != 1 || string(decision.Events[0].Data) != `{"amount":100,"invoice":"i-abc","number":1}` {
		t.Fatalf("events: %+v", decision.Events)
	}
	condition, _ := json.Marshal(decision.Condition)
	if string(condition) != `{"failIfEventsMatch":{"items":[{"types":["invoice.created"]}]},"after":1}` {
		t.Errorf("condition: %s", condition)
	}
	want := []evidenttest.Read{{Kind: "query-events", Query: invoices, After: 0, Limit: 1000, Returned: 0}}
	if !reflect.DeepEqual(database.Reads, want) {
		t.Errorf("reads: %+v", database.Reads)
	}
}

func TestTheNumberFollowsTheLastInvoiceReadPageByPage(t *testing.T) {
	database := evidenttest.NewInMemoryDatabase()
	positions := map[string]uint64{}
	for n := uint64(1); n <= 2500; n++ {
		id := fmt.Sprintf("i-%d", n)
		positions[id] = database.Append(invoiceEvent(t, id, n, 1))
		if n%3 == 0 {
			database.Append(evident.NewEvent(fmt.Sprintf("p-%d", n), "/payments", "payment.received"))
		}
	}
	revision := database.Append()
	database.At = revision
	database.Append(invoiceEvent(t, "i-late", 9000, 1)) // after the revision: not read
	decision, err := evident.Decide(invoiceNumbers, database, createInvoice{Invoice: "i-new", Amount: 5}, evident.Parameters{})
	if err != nil {
		t.Fatal(err)
	}
	var created invoiceCreated
	if err := decision.Events[0].DataJSON(&created); err != nil || created.Number != 2501 {
		t.Fatalf("created %+v (%v)", created, err)
	}
	var reads [][3]uint64
	for _, read := range database.Reads {
		reads = append(reads, [3]uint64{read.After, uint64(read.Limit), uint64(read.Returned)})
	}
	want := [][3]uint64{{0, 1000, 1000}, {positions["i-1000"], 1000, 1000}, {positions["i-2000"], 1000, 500}}
	if !reflect.DeepEqual(reads, want) {
		t.Errorf("reads %v, want %v", reads, want)
	}
	if decision.Condition.After != revision {
		t.Errorf("after %d, want %d", decision.Condition.After, revision)
	}
	// The invoice created after the revision is what the store refuses the append for.
	if position, found := database.Conflict(*decision.Condition); !found || position != revision+1 {
		t.Errorf("conflict at %d (%v), want %d", position, found, revision+1)
	}
}

func TestRefusals(t *testing.T) {
	database := evidenttest.NewInMemoryDatabase()
	_, err := evident.Decide(invoiceNumbers, database, createInvoice{Amount: 0}, evident.Parameters{})
	var refusal *evident.Refusal
	if !errors.As(err, &refusal) || refusal.Code != "validation" {
		t.Errorf("amount 0: %v", err)
	}
	buggy := evident.Decider[int]{Decide: func(*evident.Database, int, evident.Parameters) (evident.Decision, error) {
		return evident.Decision{}, errors.New("boom")
	}}
	if _, err := evident.Decide(buggy, database, 0, evident.Parameters{}); !errors.As(err, &refusal) || refusal.Code != "internal" || refusal.Message != "boom" {
		t.Errorf("a plain error: %v", err)
	}
	bad := evident.Decider[int]{Decide: func(*evident.Database, int, evident.Parameters) (evident.Decision, error) {
		return evident.Decision{Events: []evident.Event{evident.NewEvent("x", "has space", "t")}}, nil
	}}
	if _, err := evident.Decide(bad, database, 0, evident.Parameters{}); !errors.As(err, &refusal) || refusal.Code != "invalid-event" ||
		!strings.HasPrefix(refusal.Message, `event 0 (id "x") is not a valid CloudEvent: `) {
		t.Errorf("an invalid event: %v", err)
	}
	badTag := evident.Decider[int]{Decide: func(*evident.Database, int, evident.Parameters) (evident.Decision, error) {
		query := evident.Query{Items: []evident.QueryItem{{Tags: []evident.Tag{{Name: "Course", Value: "c1"}}}}}
		return evident.Decision{Condition: &evident.AppendCondition{FailIfEventsMatch: query}}, nil
	}}
	if _, err := evident.Decide(badTag, database, 0, evident.Parameters{}); !errors.As(err, &refusal) || refusal.Code != "internal" {
		t.Errorf("a malformed condition: %v", err)
	}
}

func TestEventsReadsToTheEndInPages(t *testing.T) {
	database := evidenttest.NewInMemoryDatabase()
	for n := uint64(1); n <= 4; n++ {
		database.Append(invoiceEvent(t, fmt.Sprintf("i-%d", n), n, 1))
	}
	database.At = 4
	db := evident.NewDatabase(database)
	var positions []uint64
	for stored, err := range db.Events(invoices, 0, 2) {
		if err != nil {
			t.Fatal(err)
		}
		positions = append(positions, stored.Position)
	}
	// 4 is the revision: no third read.
	if !reflect.DeepEqual(positions, []uint64{1, 2, 3, 4}) || len(database.Reads) != 2 || database.Reads[1].After != 2 {
		t.Errorf("positions %v, reads %+v", positions, database.Reads)
	}
	for range db.Events(invoices, 0, 1) {
		break // stopping early reads no further page
	}
	if len(database.Reads) != 3 {
		t.Errorf("reads after a break: %d", len(database.Reads))
	}
	// Events past the last one it selects: an empty read ends it.
	database.Append(evident.NewEvent("p-5", "/payments", "payment.received"))
	database.At = 5
	database.Reads = nil
	positions = nil
	for stored := range db.Events(invoices, 0, 3) {
		positions = append(positions, stored.Position)
	}
	var reads [][2]uint64
	for _, read := range database.Reads {
		reads = append(reads, [2]uint64{read.After, uint64(read.Returned)})
	}
	if !reflect.DeepEqual(positions, []uint64{1, 2, 3, 4}) || !reflect.DeepEqual(reads, [][2]uint64{{0, 3}, {3, 1}, {4, 0}}) {
		t.Errorf("positions %v, reads %v", positions, reads)
	}
	// An empty log is still read once, so the read is recorded.
	empty := evidenttest.NewInMemoryDatabase()
	for range evident.NewDatabase(empty).Events(invoices, 0, 0) {
		t.Error("an event in an empty log")
	}
	if len(empty.Reads) != 1 || empty.Reads[0].Limit != evident.DefaultPage {
		t.Errorf("reads of an empty log: %+v", empty.Reads)
	}
	database.At = 4
	if _, err := db.QueryEvents(evident.Query{Items: []evident.QueryItem{{Tags: []evident.Tag{{Name: "type", Value: "t"}}}}}, 0, 1); err == nil ||
		!strings.Contains(err.Error(), "not a tag") {
		t.Errorf("a tag on type: %v", err)
	}
	// The revision hides later events; the cap lowers a large limit.
	database.At, database.Cap = 3, 2
	events, _ := db.QueryEvents(invoices, 0, 100)
	if len(events) != 2 || database.Reads[len(database.Reads)-1].Limit != 100 {
		t.Errorf("capped read: %d events, %+v", len(events), database.Reads[len(database.Reads)-1])
	}
	events, _ = db.QueryEvents(invoices, 2, 100)
	if len(events) != 1 || events[0].Position != 3 {
		t.Errorf("read to the revision: %+v", events)
	}
	// A read the cap made short does not end Events.
	positions = nil
	for stored := range db.Events(invoices, 0, 100) {
		positions = append(positions, stored.Position)
	}
	if !reflect.DeepEqual(positions, []uint64{1, 2, 3}) {
		t.Errorf("capped pages: %v", positions)
	}
}

func TestViewStateDecodesTheViewsState(t *testing.T) {
	database := evidenttest.NewInMemoryDatabase()
	database.Views["invoice-count"] = func(parameters evident.Parameters, version string) (any, bool) {
		if version == "2.0.0" {
			return nil, false
		}
		return map[string]any{"count": 3, "customer": parameters.String("customer", "")}, true
	}
	db := evident.NewDatabase(database)
	var state struct {
		Count    int    `json:"count"`
		Customer string `json:"customer"`
	}
	found, err := db.ViewState("invoice-count", evident.NewParameters("customer", "c1"), "", &state)
	if !found || err != nil || state.Count != 3 || state.Customer != "c1" {
		t.Errorf("found %v, err %v, state %+v", found, err, state)
	}
	if found, err := db.ViewState("invoice-count", evident.NewParameters("customer", "c1"), "2.0.0", &state); found || err != nil {
		t.Errorf("another version: %v %v", found, err)
	}
	if found, err := db.ViewState("missing", evident.Parameters{}, "", &state); found || err != nil {
		t.Errorf("no such view: %v %v", found, err)
	}
	record, found, _ := db.ViewStateRecord("invoice-count", evident.NewParameters("customer", "c2"), "")
	if !found || record.ContentType != "application/json" || string(record.Bytes) != `{"count":3,"customer":"c2"}` {
		t.Errorf("record %+v", record)
	}
	want := []evidenttest.Read{
		{Kind: "view-state", Name: "invoice-count", Parameters: []evident.Parameter{{Name: "customer", Value: "c1"}}, Found: true},
		{Kind: "view-state", Name: "invoice-count", Version: "2.0.0", Parameters: []evident.Parameter{{Name: "customer", Value: "c1"}}},
		{Kind: "view-state", Name: "missing"},
		{Kind: "view-state", Name: "invoice-count", Parameters: []evident.Parameter{{Name: "customer", Value: "c2"}}, Found: true},
	}
	if !reflect.DeepEqual(database.Reads, want) {
		t.Errorf("reads %+v", database.Reads)
	}
	database.Views["list"] = evidenttest.Constant([]int{1, 2})
	if found, err := db.ViewState("list", evident.Parameters{}, "", &state); found || err == nil || !strings.HasPrefix(err.Error(), `invalid-state: cannot decode the state of view "list": application/json: `) {
		t.Errorf("a state of another shape: %v %v", found, err)
	}
}

func TestQueries(t *testing.T) {
	event := evident.NewEvent("a", "/s", "t")
	event.Subject = "c1"
	event.SetExtension("course", "c1")
	item := func(types []string, tags ...string) evident.QueryItem {
		return evident.QueryOf(types, tags...).Items[0]
	}
	cases := []struct {
		query evident.Query
		want  bool
	}{
		{evident.Query{}, true},
		{evident.Query{Items: []evident.QueryItem{{}}}, true},
		{evident.QueryOf([]string{"x", "t"}), true},
		{evident.QueryOf([]string{"x"}), false},
		{evident.QueryOf([]string{"t"}, "course:c1", "source:/s", "subject:c1"), true},
		{evident.QueryOf(nil, "course:c1", "course:c2"), false},
		{evident.QueryOf(nil, "dataschema:"), false},
		{evident.Query{Items: []evident.QueryItem{item(nil, "course:c2"), item([]string{"t"})}}, true},
	}
	for _, c := range cases {
		if got := c.query.Matches(&event); got != c.want {
			t.Errorf("%+v matches: %v, want %v", c.query, got, c.want)
		}
	}
	text := `{"items":[{"types":["a"],"tags":["source:urn:a:b"]},{}]}`
	var query evident.Query
	if err := json.Unmarshal([]byte(text), &query); err != nil {
		t.Fatal(err)
	}
	if query.Items[0].Tags[0] != (evident.Tag{Name: "source", Value: "urn:a:b"}) {
		t.Errorf("parsed %+v", query)
	}
	if out, _ := json.Marshal(query); string(out) != text {
		t.Errorf("written %s", out)
	}
	for _, bad := range []string{"nocolon", "Course:c1", "type:t", ":x"} {
		if _, err := evident.ParseTag(bad); err == nil {
			t.Errorf("tag %q parsed", bad)
		}
	}
}

// Package evidenttest helps test Evident guests natively (go test): InMemoryDatabase is a
// database held in memory that a decider reads as it reads the host's, recording every read.
package evidenttest

import (
	"evident.dev/evident"
)

// Read is one read a decision made: a query-events read (Kind "query-events": Query, After,
// Limit, and Returned, how many events it gave) or a view-state read (Kind "view-state": Name,
// Version, Parameters, and Found).
type Read struct {
	Kind       string
	Query      evident.Query
	After      uint64
	Limit      uint32
	Returned   int
	Name       string
	Version    string
	Parameters []evident.Parameter
	Found      bool
}

// ViewFunc is a view's state under parameters, of version ("" for the active one): a value
// encoded with the database's codec, or false for no such view.
type ViewFunc func(parameters evident.Parameters, version string) (any, bool)

// InMemoryDatabase is a log and views in memory, read as the host's database resource is
// (an evident.DatabaseReader): pass it to evident.Decide.
//
//	database := evidenttest.NewInMemoryDatabase(events...)
//	database.Views["invoice-count"] = evidenttest.Constant(map[string]int{"count": 3})
//	decision, err := evident.Decide(decider, database, command, evident.Parameters{})
//	database.Reads // what it read
type InMemoryDatabase struct {
	// Log is the events, in order; the first has position 1.
	Log []evident.StoredEvent
	// At is the position decisions read at (their revision); NewInMemoryDatabase sets it to
	// the last event's.
	At uint64
	// Views are the materialized views by name.
	Views map[string]ViewFunc
	// Codec encodes the views' states; nil means JSON.
	Codec evident.Codec
	// Cap is the most events one read returns, whatever limit it asks for (the host has a
	// cap too); 0 means no cap.
	Cap uint32
	// Reads is every read, in order.
	Reads []Read
}

// NewInMemoryDatabase is a database whose log holds events, read at the last of them.
func NewInMemoryDatabase(events ...evident.Event) *InMemoryDatabase {
	database := &InMemoryDatabase{Views: map[string]ViewFunc{}}
	database.Append(events...)
	database.At = uint64(len(database.Log))
	return database
}

// Constant is a view whose state is value under any parameters and version.
func Constant(value any) ViewFunc {
	return func(evident.Parameters, string) (any, bool) { return value, true }
}

// Append adds events to the end of the log (after the revision: decisions do not see them)
// and returns the last position.
func (d *InMemoryDatabase) Append(events ...evident.Event) uint64 {
	for _, event := range events {
		d.Log = append(d.Log, evident.StoredEvent{Position: uint64(len(d.Log)) + 1, Event: event})
	}
	return uint64(len(d.Log))
}

// Conflict is where the store would refuse an append under condition: the first position
// after condition.After of an event its query selects; false if there is none.
func (d *InMemoryDatabase) Conflict(condition evident.AppendCondition) (uint64, bool) {
	for _, stored := range d.Log {
		if stored.Position > condition.After && condition.FailIfEventsMatch.Matches(&stored.Event) {
			return stored.Position, true
		}
	}
	return 0, false
}

// Revision is the position decisions read at.
func (d *InMemoryDatabase) Revision() uint64 {
	return d.At
}

// QueryEvents is the events query selects after after, up to the revision, at most limit
// (and Cap).
func (d *InMemoryDatabase) QueryEvents(query evident.Query, after uint64, limit uint32) ([]evident.StoredEvent, error) {
	most := limit
	if d.Cap != 0 && most > d.Cap {
		most = d.Cap
	}
	found := []evident.StoredEvent{}
	for _, stored := range d.Log {
		if uint32(len(found)) >= most || stored.Position > d.At {
			break
		}
		if stored.Position > after && query.Matches(&stored.Event) {
			found = append(found, stored)
		}
	}
	d.Reads = append(d.Reads, Read{Kind: "query-events", Query: query, After: after, Limit: limit, Returned: len(found)})
	return found, nil
}

// ViewState is the state of the view name, encoded with Codec; false if there is no such view.
func (d *InMemoryDatabase) ViewState(name, version string, parameters evident.Parameters) (evident.State, bool, error) {
	var value any
	view, found := d.Views[name]
	if found {
		value, found = view(parameters, version)
	}
	d.Reads = append(d.Reads, Read{Kind: "view-state", Name: name, Version: version, Parameters: parameters.All(), Found: found})
	if !found {
		return evident.State{}, false, nil
	}
	codec := d.Codec
	if codec == nil {
		codec = evident.JSON
	}
	bytes, err := codec.Encode(value)
	if err != nil {
		return evident.State{}, false, err
	}
	return evident.State{ContentType: codec.ContentType(), Bytes: bytes}, true, nil
}

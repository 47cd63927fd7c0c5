package evident

import (
	"encoding/json"
	"fmt"
	"iter"
	"strings"
)

// The database as a decision reads it (the WIT `database` interface of the database-decider
// world): the event log and the materialized views, both as of one position of the log, the
// decision's revision.

// Tag matches an event whose attribute Name (source, subject, dataschema or an extension
// attribute) equals Value. Its text form is "name:value" (the value may hold colons:
// "source:urn:shop"); in JSON it is that text.
type Tag struct {
	Name, Value string
}

// ParseTag reads a tag from its text form, "name:value".
func ParseTag(text string) (Tag, error) {
	name, value, found := strings.Cut(text, ":")
	if !found {
		return Tag{}, fmt.Errorf("tag %s is not `name:value`", Quote(text))
	}
	tag := Tag{Name: name, Value: value}
	return tag, tag.check()
}

// MustParseTag is ParseTag for tags written in the code: it panics on a malformed one.
func MustParseTag(text string) Tag {
	tag, err := ParseTag(text)
	if err != nil {
		panic(err)
	}
	return tag
}

// notTagged are the attributes a tag cannot name (a type is selected with QueryItem.Types).
var notTagged = map[string]bool{
	"id": true, "type": true, "specversion": true, "datacontenttype": true, "time": true,
	"data": true, "data_base64": true,
}

// check refuses a tag whose name is not an attribute the log indexes.
func (t Tag) check() error {
	valid := len(t.Name) > 0 && len(t.Name) <= 20
	for _, c := range []byte(t.Name) {
		valid = valid && (c >= 'a' && c <= 'z' || c >= '0' && c <= '9')
	}
	if !valid {
		return fmt.Errorf("tag %s: an attribute name is 1 to 20 lower-case letters and digits", Quote(t.String()))
	}
	if notTagged[t.Name] {
		return fmt.Errorf("tag %s names an attribute that is not a tag: tags are source, subject, "+
			"dataschema and extension attributes (select types with Types)", Quote(t.String()))
	}
	return nil
}

// String is the tag's text form, "name:value".
func (t Tag) String() string { return t.Name + ":" + t.Value }

// MarshalJSON writes the tag as its text form.
func (t Tag) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// UnmarshalJSON reads the tag from its text form.
func (t *Tag) UnmarshalJSON(data []byte) error {
	var text string
	if err := json.Unmarshal(data, &text); err != nil {
		return err
	}
	tag, err := ParseTag(text)
	if err != nil {
		return err
	}
	*t = tag
	return nil
}

// Matches reports whether event's attribute Name has Value.
func (t Tag) Matches(event *Event) bool {
	switch t.Name {
	case "source":
		return event.Source == t.Value
	case "subject":
		return event.Subject != "" && event.Subject == t.Value
	case "dataschema":
		return event.DataSchema != "" && event.DataSchema == t.Value
	}
	value, ok := event.Extensions.Get(t.Name)
	return ok && value == t.Value
}

// QueryItem selects the events whose type is one of Types (any type, if there are none) and
// that carry every tag of Tags.
type QueryItem struct {
	Types []string `json:"types,omitempty"`
	Tags  []Tag    `json:"tags,omitempty"`
}

// Matches reports whether the item selects event.
func (item QueryItem) Matches(event *Event) bool {
	if len(item.Types) > 0 {
		found := false
		for _, t := range item.Types {
			found = found || t == event.Type
		}
		if !found {
			return false
		}
	}
	for _, tag := range item.Tags {
		if !tag.Matches(event) {
			return false
		}
	}
	return true
}

// Query selects the events any of its items selects; a query with no items selects every
// event. In JSON it is the DCB form the store reads: {"items":[{"types":[...],"tags":["name:value"]}]}.
type Query struct {
	Items []QueryItem `json:"items"`
}

// QueryOf is the query of one item: the events of one of types (any, if none) that carry every
// tag of tags (each "name:value"). It panics on a malformed tag: it is for queries written in
// the code.
func QueryOf(types []string, tags ...string) Query {
	item := QueryItem{Types: types}
	for _, tag := range tags {
		item.Tags = append(item.Tags, MustParseTag(tag))
	}
	return Query{Items: []QueryItem{item}}
}

// Matches reports whether the query selects event.
func (q Query) Matches(event *Event) bool {
	if len(q.Items) == 0 {
		return true
	}
	for _, item := range q.Items {
		if item.Matches(event) {
			return true
		}
	}
	return false
}

// check refuses a query with a malformed tag.
func (q Query) check() error {
	for _, item := range q.Items {
		for _, tag := range item.Tags {
			if err := tag.check(); err != nil {
				return err
			}
		}
	}
	return nil
}

// StoredEvent is an event with the position the log gave it (1 for the first event).
type StoredEvent struct {
	Position uint64
	Event    Event
}

// State is a state record as a view hands it over: its bytes and their content type ("" for
// "no state yet").
type State struct {
	ContentType string
	SchemaID    string
	Bytes       []byte
}

// DatabaseReader is what a Database reads through: the WIT resource's three functions. In a
// component it is the host's; in tests, a fake (evidenttest.InMemoryDatabase).
type DatabaseReader interface {
	// Revision is the position the decision reads at.
	Revision() uint64
	// QueryEvents is the events query selects after after, up to the revision, at most limit.
	QueryEvents(query Query, after uint64, limit uint32) ([]StoredEvent, error)
	// ViewState is the state of the view name under parameters at the revision, of version ("":
	// the active one); false if there is no such view.
	ViewState(name, version string, parameters Parameters) (State, bool, error)
}

// DefaultPage is how many events Events asks for per read, unless told otherwise.
const DefaultPage = 1000

// Database is the log and the views as of the decision's revision: what Decide reads. Every
// read is recorded by the host: a decision that returns no append condition is appended under
// one it derives from them. It is valid only while Decide runs: keep nothing that holds it.
type Database struct {
	reader DatabaseReader
}

// NewDatabase is a Database reading through reader (a fake, in tests).
func NewDatabase(reader DatabaseReader) *Database {
	return &Database{reader: reader}
}

// Revision is the position the decision reads at: the last event of the log when it began.
func (d *Database) Revision() uint64 {
	return d.reader.Revision()
}

// QueryEvents is the events query selects with positions after after and at or before the
// revision, in order, at most limit of them (the host lowers a larger limit to its cap).
// Events reads them all, page by page. Each read costs fuel: a fixed amount and one unit per
// byte of the events returned.
func (d *Database) QueryEvents(query Query, after uint64, limit uint32) ([]StoredEvent, error) {
	if err := query.check(); err != nil {
		return nil, err
	}
	return d.reader.QueryEvents(query, after, limit)
}

// Events is every event query selects after after, up to the revision, read page events at a
// time (DefaultPage if 0): range over it with `for stored, err := range database.Events(...)`.
// A failed read is yielded once, as the error, and ends it. It reads at least once (so the read
// is recorded), and stops at an empty read or one that reaches the revision, not at a short
// one: the host may return fewer events than asked before the revision (it caps a read's
// events and bytes).
func (d *Database) Events(query Query, after uint64, page uint32) iter.Seq2[StoredEvent, error] {
	if page == 0 {
		page = DefaultPage
	}
	return func(yield func(StoredEvent, error) bool) {
		revision := d.Revision()
		for {
			events, err := d.QueryEvents(query, after, page)
			if err != nil {
				yield(StoredEvent{}, err)
				return
			}
			for _, stored := range events {
				if !yield(stored, nil) {
					return
				}
			}
			if len(events) == 0 {
				return
			}
			after = events[len(events)-1].Position
			if after >= revision {
				return
			}
		}
	}
}

// ViewStateRecord is the state of the materialized view name under parameters at the
// revision, of version (its semantic version as text; "" for the active version), as the view
// stored it; false if no such view is registered. Folding the view's events up to the revision
// is charged to the decision's fuel.
func (d *Database) ViewStateRecord(name string, parameters Parameters, version string) (State, bool, error) {
	return d.reader.ViewState(name, version, parameters)
}

// ViewState decodes the state of the view name (as ViewStateRecord reads it) into v, a
// pointer, from JSON or CBOR as its content type says (CBOR through JSON, so v's json tags
// apply). It reports false, leaving v alone, if no such view is registered or it has "no state
// yet". A state in another content type, or one that does not decode into v, is refused with
// CodeInvalidState.
func (d *Database) ViewState(name string, parameters Parameters, version string, v any) (bool, error) {
	s, found, err := d.ViewStateRecord(name, parameters, version)
	if err != nil || !found || s.ContentType == "" {
		return false, err
	}
	essence, _, _ := strings.Cut(s.ContentType, ";")
	essence = strings.TrimSpace(essence)
	text, kind := s.Bytes, ContentTypeJSON
	switch {
	case strings.EqualFold(essence, ContentTypeJSON):
	case strings.EqualFold(essence, ContentTypeCBOR):
		text, err = cborToJSON(s.Bytes)
		kind = ContentTypeCBOR
	default:
		return false, Refusef(CodeInvalidState,
			"the state of view %s is %s, neither JSON nor CBOR (read it with ViewStateRecord)",
			Quote(name), Quote(s.ContentType))
	}
	if err == nil {
		err = json.Unmarshal(text, v)
	}
	if err != nil {
		return false, Refusef(CodeInvalidState, "cannot decode the state of view %s: %s: %v", Quote(name), kind, err)
	}
	return true, nil
}

package evident

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// SpecVersion is the CloudEvents version every event carries.
const SpecVersion = "1.0"

// Event is a CloudEvent (https://cloudevents.io, spec version 1.0), as a view's Reduce
// receives it and a change's Process emits it.
//
// The optional attributes are "" when absent (CloudEvents requires them to be non-empty when
// present), Time is the zero time.Time when absent, and Data is nil when absent.
//
// Go's time.Time has no leap seconds. A time in one (written with a second of 60, as
// 2016-12-31T23:59:60.5Z) is kept as the Rust SDK's chrono keeps it: Time is the 59th second
// with the same fraction (2016-12-31T23:59:59.5Z) and LeapSecond is true; it is written back
// with a second of 60.
//
// In Reduce, the *Event and its Data are lent for the call: Data points into the frame the
// event arrived in, so keeping it keeps the whole frame in memory (copy it with
// bytes.Clone instead). The strings are the event's own and may be kept.
type Event struct {
	ID              string
	Source          string
	SpecVersion     string
	Type            string
	DataContentType string
	DataSchema      string
	Subject         string
	Time            time.Time
	LeapSecond      bool
	Data            []byte
	Extensions      Extensions
}

// Extension is one extension attribute of an event.
type Extension struct {
	Name, Value string
}

// Extensions are an event's extension attributes, in the order they came in; names are
// unique.
type Extensions []Extension

// Get is the value of the extension name, and whether the event has it.
func (x Extensions) Get(name string) (string, bool) {
	for _, extension := range x {
		if extension.Name == name {
			return extension.Value, true
		}
	}
	return "", false
}

// NewEvent makes an event with the required attributes (and SpecVersion "1.0").
func NewEvent(id, source, eventType string) Event {
	return Event{ID: id, Source: source, SpecVersion: SpecVersion, Type: eventType}
}

// SetJSONData sets Data to v encoded as JSON (as the state is: compact, no HTML escaping)
// and DataContentType to application/json.
func (e *Event) SetJSONData(v any) error {
	data, err := JSON.Encode(v)
	if err != nil {
		return err
	}
	e.Data = data
	e.DataContentType = ContentTypeJSON
	return nil
}

// SetExtension sets the extension name to value, replacing one of that name.
func (e *Event) SetExtension(name, value string) {
	for i := range e.Extensions {
		if e.Extensions[i].Name == name {
			e.Extensions[i].Value = value
			return
		}
	}
	e.Extensions = append(e.Extensions, Extension{Name: name, Value: value})
}

// DataJSON decodes the event's JSON data into v (a pointer).
func (e *Event) DataJSON(v any) error {
	if e.Data == nil {
		return fmt.Errorf("missing required attribute `data`")
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("attribute `data` is not the JSON expected: %v", err)
	}
	return nil
}

// formatTime writes t in RFC 3339 as the Rust SDK does: Z for UTC, and 0, 3, 6 or 9
// fractional digits, the fewest that hold its nanoseconds. With leap, t is the second before a
// leap second and is written with its second one more (:60), as chrono writes a leap second.
func formatTime(t time.Time, leap bool) string {
	fraction := ""
	switch nanos := t.Nanosecond(); {
	case nanos == 0:
	case nanos%1_000_000 == 0:
		fraction = ".000"
	case nanos%1_000 == 0:
		fraction = ".000000"
	default:
		fraction = ".000000000"
	}
	if !leap {
		return t.Format("2006-01-02T15:04:05" + fraction + "Z07:00")
	}
	return t.Format("2006-01-02T15:04:") + fmt.Sprintf("%02d", t.Second()+1) + t.Format(fraction+"Z07:00")
}

// parseTime reads an RFC 3339 timestamp as the Rust SDK (chrono) does: a space or t may stand
// for T, and a second of 60 is a leap second, returned as Event keeps one (the 59th second,
// and leap true).
func parseTime(text string) (t time.Time, leap bool, err error) {
	normal := text
	if len(normal) > 10 && (normal[10] == ' ' || normal[10] == 't') {
		normal = normal[:10] + "T" + normal[11:]
	}
	if strings.HasSuffix(normal, "z") {
		normal = normal[:len(normal)-1] + "Z"
	}
	// time.Parse refuses a second of 60: read it as 59 and remember the leap second.
	if len(normal) > 19 && normal[13] == ':' && normal[16] == ':' && normal[17:19] == "60" {
		normal = normal[:17] + "59" + normal[19:]
		leap = true
	}
	t, err = time.Parse(time.RFC3339Nano, normal)
	if _, offset := t.Zone(); err == nil && (offset <= -86_400 || offset >= 86_400) {
		err = fmt.Errorf("the UTC offset is a day or more")
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("attribute `time` is %s, not an RFC 3339 timestamp (%v)", Quote(text), err)
	}
	return t, leap, nil
}

// validate checks the CloudEvents 1.0 rules the host checks on every event a change emits,
// so that a bad event is refused with CodeInvalidEvent and a message naming the attribute.
func (e *Event) validate() error {
	if e.SpecVersion != SpecVersion {
		return fmt.Errorf("attribute `specversion` is %s; only %s is supported", Quote(e.SpecVersion), Quote(SpecVersion))
	}
	for _, required := range [...]struct{ name, value string }{{"id", e.ID}, {"source", e.Source}} {
		if required.value == "" {
			return fmt.Errorf("attribute `%s` must not be empty", required.name)
		}
	}
	if strings.ContainsFunc(e.Source, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return fmt.Errorf("attribute `source` is not a URI reference (it contains whitespace)")
	}
	if e.Type == "" {
		return fmt.Errorf("attribute `type` must not be empty")
	}
	if e.DataContentType != "" && !isMediaType(e.DataContentType) {
		return fmt.Errorf("attribute `datacontenttype` is %s, not an RFC 2046 media type", Quote(e.DataContentType))
	}
	if e.LeapSecond && (e.Time.IsZero() || ((e.Time.Unix()%60)+60)%60 != 59) {
		return fmt.Errorf("attribute `time` is marked a leap second but is not in the last second of a minute")
	}
	if e.DataSchema != "" && !hasURIScheme(e.DataSchema) {
		return fmt.Errorf("attribute `dataschema` is %s, not an absolute URI", Quote(e.DataSchema))
	}
	for i, extension := range e.Extensions {
		if err := validateExtensionName(extension.Name); err != nil {
			return err
		}
		for _, earlier := range e.Extensions[:i] {
			if earlier.Name == extension.Name {
				return fmt.Errorf("extension `%s` is given twice", extension.Name)
			}
		}
	}
	return nil
}

var reservedNames = map[string]bool{
	"id": true, "source": true, "specversion": true, "type": true, "datacontenttype": true,
	"dataschema": true, "subject": true, "time": true, "data": true, "data_base64": true,
}

func validateExtensionName(name string) error {
	if reservedNames[name] {
		return fmt.Errorf("attribute `%s` is a reserved attribute name and cannot be an extension", name)
	}
	valid := name != ""
	for i := 0; i < len(name); i++ {
		valid = valid && (name[i] >= 'a' && name[i] <= 'z' || name[i] >= '0' && name[i] <= '9')
	}
	if !valid {
		return fmt.Errorf("attribute `%s` is not a valid extension name (only a-z and 0-9 are allowed)", name)
	}
	return nil
}

// hasURIScheme: RFC 3986 `scheme ":"`, a letter, then letters, digits, +, - or .
func hasURIScheme(uri string) bool {
	scheme, _, found := strings.Cut(uri, ":")
	if !found || scheme == "" || !isASCIILetter(scheme[0]) {
		return false
	}
	for i := 1; i < len(scheme); i++ {
		c := scheme[i]
		if !isASCIILetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isMediaType checks the shape type/subtype[;parameters] with RFC 2045 token characters.
func isMediaType(text string) bool {
	essence, _, _ := strings.Cut(text, ";")
	kind, subtype, found := strings.Cut(strings.TrimSpace(essence), "/")
	return found && isToken(kind) && isToken(subtype)
}

func isToken(text string) bool {
	if text == "" {
		return false
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

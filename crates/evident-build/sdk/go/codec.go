package evident

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Media types states and commands are labelled with.
const (
	ContentTypeJSON = "application/json"
	ContentTypeCBOR = "application/cbor"
)

// Codec turns a guest's state into bytes and back, labelled with its media type.
//
// The state must come back unchanged from its codec (encoded, then decoded): a fold keeps
// the state in the instance across many events, but restarts from a saved copy when a frame
// fails and at checkpoints. With JSON, that means exported fields only (encoding/json
// ignores the others) and no field whose value JSON cannot hold.
type Codec interface {
	// ContentType is the media type of the bytes, e.g. application/json.
	ContentType() string
	// Encode encodes v.
	Encode(v any) ([]byte, error)
	// Decode decodes data into v, a pointer.
	Decode(data []byte, v any) error
}

// JSON is the default codec: encoding/json, compact, with the output made byte-identical to
// serde_json's for the same value (as the Rust SDK writes it):
//
//   - no HTML escaping (<, >, & written as they are) and U+2028, U+2029 written raw;
//   - map keys sorted by their bytes, as Rust's BTreeMap<String, _> orders them;
//   - \" \\ \n \r \t \b \f escaped, other control characters as \u00xx (lowercase hex).
//
// What still differs: floating-point numbers (Go writes 1e+21 and 3, serde_json 1e21 and
// 3.0; both read back the same float64), invalid UTF-8 in a Go string (written as U+FFFD; a
// Rust string cannot hold it), and a nil map or slice, which Go writes as null (initialise
// them). Decoding matches field names case-insensitively, where serde does not.
var JSON Codec = jsonCodec{}

type jsonCodec struct{}

func (jsonCodec) ContentType() string { return ContentTypeJSON }

func (jsonCodec) Encode(v any) ([]byte, error) {
	var buffer bytes.Buffer
	encoder := json.NewEncoder(&buffer)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(v); err != nil {
		return nil, err
	}
	return unescapeSeparators(bytes.TrimSuffix(buffer.Bytes(), []byte{'\n'})), nil
}

func (jsonCodec) Decode(data []byte, v any) error {
	return json.Unmarshal(data, v)
}

// unescapeSeparators writes the \u2028 and \u2029 escapes encoding/json always makes as the
// raw characters, as serde_json does; an escaped backslash before "u2028" is left alone.
func unescapeSeparators(text []byte) []byte {
	if !bytes.Contains(text, []byte(`\u202`)) {
		return text
	}
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		if text[i] != '\\' || i+1 == len(text) {
			out = append(out, text[i])
			continue
		}
		if rest := text[i+1:]; bytes.HasPrefix(rest, []byte("u2028")) || bytes.HasPrefix(rest, []byte("u2029")) {
			out = append(out, 0xe2, 0x80, 0xa8+rest[4]-'8')
			i += 5
			continue
		}
		out = append(out, text[i], text[i+1])
		i++
	}
	return out
}

// codecError words a codec's failure as the Rust SDK's CodecError: "<media type>: <why>".
func codecError(codec Codec, err error) string {
	return codec.ContentType() + ": " + err.Error()
}

// decodeCommand decodes a command by its content type (the essence before any ';',
// compared case-insensitively): JSON, or CBOR (converted to JSON first, so the command type's
// json tags apply).
func decodeCommand(contentType string, data []byte, v any) *Refusal {
	essence, _, _ := strings.Cut(contentType, ";")
	essence = strings.TrimSpace(essence)
	var err error
	switch {
	case strings.EqualFold(essence, ContentTypeJSON):
		err = json.Unmarshal(data, v)
	case strings.EqualFold(essence, ContentTypeCBOR):
		var text []byte
		if text, err = cborToJSON(data); err == nil {
			err = json.Unmarshal(text, v)
		}
		if err != nil {
			return Refusef(CodeInvalidCommand, "cannot decode the command: %s: %v", ContentTypeCBOR, err)
		}
		return nil
	default:
		return Refusef(CodeUnsupportedContentType,
			"cannot decode the command: content type %s is not supported (use %s or %s)",
			Quote(contentType), ContentTypeJSON, ContentTypeCBOR)
	}
	if err != nil {
		return Refusef(CodeInvalidCommand, "cannot decode the command: %s: %v", ContentTypeJSON, err)
	}
	return nil
}

// decodeState decodes a stored state into v (a pointer), refusing one in another format; it
// reports false for "no state yet" (no content type, no bytes), leaving v alone. kind is
// "view" or "change", for the message.
func decodeState(codec Codec, kind string, s state, v any) (bool, *Refusal) {
	if s.contentType == "" {
		if len(s.bytes) != 0 {
			return false, Refusef(CodeInvalidState,
				"the state has %d bytes but no content type (\"no state yet\" has no bytes)", len(s.bytes))
		}
		return false, nil
	}
	if expected := codec.ContentType(); s.contentType != expected {
		return false, Refusef(CodeInvalidState, "the state is %s but this %s stores %s",
			Quote(s.contentType), kind, Quote(expected))
	}
	if err := codec.Decode(s.bytes, v); err != nil {
		return false, Refusef(CodeInvalidState, "cannot decode the state: %s", codecError(codec, err))
	}
	return true, nil
}

// encodeState encodes a state with codec.
func encodeState(codec Codec, v any) (state, *Refusal) {
	data, err := codec.Encode(v)
	if err != nil {
		return state{}, Refusef(CodeUnencodableState, "cannot encode the state: %s", codecError(codec, err))
	}
	return state{contentType: codec.ContentType(), bytes: data}, nil
}

// state is the WIT `state` record: a "no state yet" state has no content type.
type state struct {
	contentType string
	bytes       []byte
}

// command is the WIT `command` record.
type command struct {
	contentType string
	bytes       []byte
}

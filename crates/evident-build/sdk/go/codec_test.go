//go:build !wasip1

package evident

import "testing"

func TestJSONIsWrittenAsSerdeJSONWritesIt(t *testing.T) {
	value := struct {
		ByType map[string]uint64 `json:"by_type"`
		Total  uint64            `json:"total"`
	}{map[string]uint64{"b": 1, "a<>&": 2, "é": 3, "z": 4, "\u2028\u2029": 5, "\"\\\n\r\t\b\f\x01\x1f/": 6, `\u2028`: 7}, 28}
	got, err := JSON.Encode(value)
	if err != nil {
		t.Fatal(err)
	}
	// serde_json::to_vec of the same BTreeMap and u64s.
	want := "{\"by_type\":{\"\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u001f/\":6,\"\\\\u2028\":7,\"a<>&\":2,\"b\":1,\"z\":4,\"é\":3,\"\u2028\u2029\":5},\"total\":28}"
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestStatesAreCheckedBeforeTheyAreDecoded(t *testing.T) {
	var v map[string]int
	if found, r := decodeState(JSON, "view", state{}, &v); found || r != nil {
		t.Fatal(found, r)
	}
	_, r := decodeState(JSON, "view", state{bytes: []byte("0")}, &v)
	if r.Code != CodeInvalidState || r.Message != `the state has 1 bytes but no content type ("no state yet" has no bytes)` {
		t.Fatal(r)
	}
	_, r = decodeState(JSON, "view", state{contentType: "x", bytes: []byte("0")}, &v)
	if r.Message != `the state is "x" but this view stores "application/json"` {
		t.Fatal(r)
	}
	_, r = decodeState(JSON, "change", state{contentType: ContentTypeJSON}, &v)
	if r.Code != CodeInvalidState || r.Message != "cannot decode the state: application/json: unexpected end of JSON input" {
		t.Fatal(r)
	}
}

func TestCommandsAreDecodedByContentType(t *testing.T) {
	type add struct {
		Type   string `json:"type"`
		Amount int64  `json:"amount"`
	}
	var a add
	if r := decodeCommand("Application/JSON; charset=utf-8", []byte(`{"type":"add","amount":5}`), &a); r != nil || a.Amount != 5 {
		t.Fatal(r, a)
	}
	// {"type": "add", "amount": 7} in CBOR.
	cbor := []byte{0xa2, 0x64, 't', 'y', 'p', 'e', 0x63, 'a', 'd', 'd', 0x66, 'a', 'm', 'o', 'u', 'n', 't', 0x07}
	if r := decodeCommand("application/cbor", cbor, &a); r != nil || a.Amount != 7 || a.Type != "add" {
		t.Fatal(r, a)
	}
	if r := decodeCommand("text/plain", nil, &a); r.Code != CodeUnsupportedContentType ||
		r.Message != `cannot decode the command: content type "text/plain" is not supported (use application/json or application/cbor)` {
		t.Fatal(r)
	}
	if r := decodeCommand("application/json", []byte("{"), &a); r.Code != CodeInvalidCommand {
		t.Fatal(r)
	}
}

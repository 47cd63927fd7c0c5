"""The JSON codec writes what serde_json writes; commands are decoded by content type."""

import unittest

from evident.codec import Cbor, CodecError, Json, UnsupportedContentType, codec_for, decode_by_content_type


class JsonAsSerdeWritesIt(unittest.TestCase):
    def test_compact_utf8_with_only_the_escapes_serde_json_makes(self):
        value = {"b": "é \"q\" \\ \n\r\t\b\f \x01\x1f \x7f < > & / \u2028 😀", "a": [1, -2, True, None]}
        expected = '{"b":"é \\"q\\" \\\\ \\n\\r\\t\\b\\f \\u0001\\u001f \x7f < > & / \u2028 😀","a":[1,-2,true,null]}'
        self.assertEqual(Json.encode(value), expected.encode("utf-8"))

    def test_keys_keep_their_order(self):
        self.assertEqual(Json.encode({"z": 1, "a": 2}), b'{"z":1,"a":2}')

    def test_floats_come_back_bit_for_bit(self):
        for value in [0.1, 1 / 3, 5e-324, -0.0, 1e16, 2.2250738585072014e-308, 123456789.125]:
            back = Json.decode(Json.encode(value))
            self.assertEqual(back.hex(), value.hex())

    def test_what_json_cannot_hold_is_refused(self):
        for value in [float("nan"), float("inf"), b"bytes", {1, 2}, "\ud800"]:
            with self.subTest(value=value):
                with self.assertRaises(CodecError) as refused:
                    Json.encode(value)
                self.assertTrue(str(refused.exception).startswith("application/json: "))

    def test_decoding_is_strict(self):
        for text in [b"", b"NaN", b"[Infinity]", b"\xef\xbb\xbf{}", b"{", b"\xff", '"\u00e9"'.encode("utf-16")]:
            with self.subTest(text=text):
                with self.assertRaises(CodecError):
                    Json.decode(text)
        self.assertEqual(Json.decode(b'{"a":[1,2.5,"\\u00e9"]}'), {"a": [1, 2.5, "é"]})


class ByContentType(unittest.TestCase):
    def test_the_essence_names_the_codec(self):
        self.assertIs(codec_for("application/json"), Json)
        self.assertIs(codec_for("Application/JSON; charset=utf-8"), Json)
        self.assertIs(codec_for(" application/cbor ;x=y"), Cbor)
        self.assertEqual(decode_by_content_type("application/cbor", Cbor.encode({"n": 1})), {"n": 1})

    def test_other_formats_are_unsupported(self):
        for content_type in ["text/plain", "", "application/json-seq"]:
            with self.assertRaises(UnsupportedContentType) as refused:
                codec_for(content_type)
            self.assertIn("is not supported (use application/json or application/cbor)", str(refused.exception))


if __name__ == "__main__":
    unittest.main()

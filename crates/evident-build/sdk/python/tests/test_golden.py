"""The golden vectors of ../testdata (written by crates/evident-types/tests/sdk_golden.rs): the
SDK reads frames and times, encodes and decodes states, parses parameters and checks emitted
events as the host and the Rust SDK do."""

import base64
import json
import math
import os
import struct
import unittest

from evident import Event, Parameters, Refusal
from evident import _time
from evident.change import invalid_attribute
from evident.codec import Cbor, CodecError, Json
from evident.frame import FrameError, apply

_TESTDATA = os.path.join(os.path.dirname(__file__), "..", "..", "testdata")


def _load(name):
    with open(os.path.join(_TESTDATA, name), encoding="utf-8") as f:
        return json.load(f)


def _shown(value):
    """A decoded CBOR value as the host shows it in JSON: bytes as standard base64, an integer
    beyond 64 bits as its text."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if type(value) is int and not -(2**63) <= value < 2**64:
        return str(value)
    if isinstance(value, list):
        return [_shown(item) for item in value]
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items()}
    return value


def _same(test, got, want, what):
    """Equal values, floats bit for bit (so -0.0 is not 0.0) and ints not floats."""
    test.assertIs(type(got), type(want), what)
    if isinstance(want, float):
        test.assertEqual(struct.pack(">d", got), struct.pack(">d", want), what)
    elif isinstance(want, list):
        test.assertEqual(len(got), len(want), what)
        for g, w in zip(got, want):
            _same(test, g, w, what)
    elif isinstance(want, dict):
        test.assertEqual(list(got), list(want), what)
        for key in want:
            _same(test, got[key], want[key], what)
    else:
        test.assertEqual(got, want, what)


class WireTest(unittest.TestCase):
    wire = _load("wire.json")

    def test_states_encode_and_decode_as_in_the_rust_sdk(self):
        self.assertTrue(self.wire["states"])
        for case in self.wire["states"]:
            value = json.loads(case["value"])
            text, cbor = bytes.fromhex(case["json"]), bytes.fromhex(case["cbor"])
            # A dict keeps its keys in the order given, as a Rust struct does its fields; the
            # vectors' maps are serde_json::Value's, sorted: encode them in that order.
            sorted_value = json.loads(text.decode("utf-8"))
            with self.subTest(case["value"]):
                self.assertEqual(Cbor.encode(sorted_value).hex(), case["cbor"])
                _same(self, Cbor.decode(cbor), sorted_value, "cbor")
                _same(self, Cbor.decode(Cbor.encode(value)), value, "cbor")
                if not case["floats"]:
                    self.assertEqual(Json.encode(sorted_value, sort_keys=True), text)
                _same(self, Json.decode(text), sorted_value, "json")
                _same(self, json.loads(Json.encode(value, sort_keys=True)), sorted_value, "json")

    def test_cbor_reads_as_the_host_shows_it(self):
        for case in self.wire["cbor_reads"]:
            with self.subTest(case["name"]):
                data = bytes.fromhex(case["cbor"])
                if case["refused"]:
                    with self.assertRaises(CodecError):
                        Cbor.decode(data)
                else:
                    # The keys in the order read: compared as dicts.
                    self.assertEqual(_shown(Cbor.decode(data)), json.loads(case["json"]))

    def test_parameters_parse_as_in_the_rust_sdk(self):
        for case in self.wire["parameters"]:
            parameters = Parameters({"p": case["text"]})
            with self.subTest(case["text"]):
                if case["bool_error"] is None:
                    self.assertIs(parameters.get_bool("p"), case["bool"])
                else:
                    with self.assertRaises(Refusal) as refused:
                        parameters.get_bool("p")
                    self.assertEqual(refused.exception.message, case["bool_error"])
                    self.assertEqual(refused.exception.code, "invalid-parameter")
                # Python's integers have no range: it accepts what i64 or u64 does, and refuses
                # what neither does unless the text is digits (too large for 64 bits).
                integer = case["i64"] if case["i64"] is not None else case["u64"]
                if integer is not None:
                    self.assertEqual(parameters.get_int("p"), integer)
                elif "too large" not in case["u64_error"] and "too small" not in case["i64_error"]:
                    with self.assertRaises(Refusal):
                        parameters.get_int("p")
                if case["f64"] is None:
                    with self.assertRaises(Refusal):
                        parameters.get_float("p")
                else:
                    want = struct.unpack(">d", bytes.fromhex(case["f64"]))[0]
                    got = parameters.get_float("p")
                    if math.isnan(want):
                        self.assertTrue(math.isnan(got))
                    else:
                        self.assertEqual(struct.pack(">d", got), struct.pack(">d", want))

    def test_emitted_events_are_refused_as_the_host_refuses_them(self):
        for case in self.wire["events"]:
            record = case["event"]
            with self.subTest(case["name"]):
                why = None
                try:
                    if record["time"] is not None:
                        _time.parse_rfc3339(record["time"])
                    event = Event(
                        record["id"], record["source"], record["type"],
                        specversion=record["specversion"],
                        datacontenttype=record["datacontenttype"],
                        dataschema=record["dataschema"], subject=record["subject"],
                        data=None if record["data"] is None else bytes.fromhex(record["data"]),
                        extensions=[tuple(pair) for pair in record["extensions"]],
                    )
                    why = invalid_attribute(event)
                except ValueError as e:
                    why = str(e)
                if case["error"] is None:
                    self.assertIsNone(why)
                else:
                    self.assertIsNotNone(why, case["error"])
                    if why.startswith("attribute"):
                        self.assertTrue(case["error"].startswith(why), f"{why} / {case['error']}")


class FramesTest(unittest.TestCase):
    frames = _load("frames.json")

    def test_times_parse_as_in_the_rust_sdk(self):
        for case in self.frames["times"]:
            with self.subTest(case["text"]):
                want = case["time"]
                if want is None:
                    with self.assertRaises(ValueError):
                        _time.parse_rfc3339(case["text"])
                    continue
                raw = _time.parse_rfc3339(case["text"])
                self.assertEqual(tuple(raw), (want["seconds"], want["nanos"], want["offset"]))

    def test_frames_read_as_in_the_rust_sdk(self):
        for case in self.frames["frames"]:
            with self.subTest(case["name"]):
                frame = bytes.fromhex(case["frame"])
                events = []

                def read(event, _):
                    # Attributes are read when asked for, in the view's call: ask for all.
                    (event.id, event.source, event.type, event.subject, event.data,
                     event.extensions, event._raw_time)
                    events.append(event)

                try:
                    apply(frame, read, None)
                except FrameError as e:
                    self.assertIsNotNone(case["error"], e.message)
                    self.assertEqual(e.message, case["error"])
                    continue
                self.assertIsNone(case["error"])
                self.assertEqual(len(events), len(case["events"]))
                for got, want in zip(events, case["events"]):
                    self.assertEqual(
                        (got.id, got.source, got.specversion, got.type, got.datacontenttype,
                         got.dataschema, got.subject),
                        (want["id"], want["source"], want["specversion"], want["type"],
                         want["datacontenttype"], want["dataschema"], want["subject"]),
                    )
                    self.assertEqual(None if got.data is None else got.data.hex(), want["data"])
                    self.assertEqual([list(p) for p in got.extensions.items()], want["extensions"])
                    if want["time"] is None:
                        self.assertIsNone(got.time_text)
                    else:
                        t = want["time"]
                        self.assertEqual(tuple(got._raw_time), (t["seconds"], t["nanos"], t["offset"]))


if __name__ == "__main__":
    unittest.main()

"""The event frame: what the host writes decodes to the same events, and malformed frames are
refused with the Rust SDK's messages, naming the event."""

import struct
import unittest
from datetime import datetime, timedelta, timezone

from evident import Event, frame
from evident.event import NO_EXTENSIONS, from_fields
from evident.frame import FrameError


def full_event():
    time = datetime(2026, 11, 25, 19, 3, 21, 123456, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    return Event("42", "/bank/accounts", "bank.deposited", subject="acc-1", time=time,
                 datacontenttype="application/octet-stream", data=bytes([0, 1, 2, 255]),
                 extensions={"traceparent": "00-abc", "partition": "7"})


class RoundTrip(unittest.TestCase):
    def test_every_attribute_survives_the_frame(self):
        sparse = Event("1", "/a", "t", dataschema="https://example.com/schema")
        events = [full_event(), sparse, full_event()]
        decoded = frame.decode(frame.encode(events))
        self.assertEqual(decoded, events)
        self.assertEqual(decoded[0].time.utcoffset(), timedelta(hours=5, minutes=30))
        self.assertEqual(decoded[0].extensions, {"traceparent": "00-abc", "partition": "7"})

    def test_the_layout_is_the_hosts(self):
        time = (1767225610, 5, -3600)
        event = from_fields("e1", "/s", "1.0", "t", None, None, "x", time, b"{}", NO_EXTENSIONS)
        u32 = lambda n: struct.pack("<I", n)  # noqa: E731
        expected = (u32(1) + u32(2) + b"e1" + u32(2) + b"/s" + u32(3) + b"1.0" + u32(1) + b"t"
                    + u32(0xFFFFFFFF) + u32(0xFFFFFFFF) + u32(1) + b"x"
                    + b"\x01" + struct.pack("<qIi", *time) + u32(2) + b"{}" + u32(0))
        self.assertEqual(frame.encode([event]), expected)
        decoded = frame.decode(expected)[0]
        self.assertEqual(decoded.time_ns, 1767225610 * 10**9 + 5)
        self.assertEqual(decoded.time_text, "2025-12-31T23:00:10.000000005-01:00")

    def test_an_empty_frame_has_no_events(self):
        self.assertEqual(frame.decode(struct.pack("<I", 0)), [])

    def test_begin_is_called_before_each_event(self):
        calls = []
        events = [Event(str(i), "/a", "t") for i in range(3)]
        count = frame.apply(frame.encode(events), lambda event, _: calls.append(event.id), None,
                            lambda: calls.append("begin"))
        self.assertEqual(calls, ["begin", "0", "begin", "1", "begin", "2"])
        self.assertEqual(count, 3)

    def test_what_the_function_raises_names_the_event(self):
        def fail_on_second(event, _):
            if event.id == "1":
                raise ValueError("no")

        events = [Event(str(i), "/a", "t") for i in range(3)]
        with self.assertRaises(frame.EventFailed) as failed:
            frame.apply(frame.encode(events), fail_on_second, None)
        self.assertEqual(failed.exception.index, 1)
        self.assertIsInstance(failed.exception.error, ValueError)

    def test_specversion_dataschema_and_subject_in_every_combination(self):
        events = [Event("1", "/a", "t", specversion=version, dataschema=schema, subject=subject)
                  for version in ["1.0", "0.3", "", "1.00"]
                  for schema in [None, "", "urn:x", "https://example.com/a-long-schema"]
                  for subject in [None, "", "s", "a longer subject"]]
        self.assertEqual(frame.decode(frame.encode(events)), events)


class Malformed(unittest.TestCase):
    def assertRefused(self, data, index, message):
        with self.assertRaises(FrameError) as refused:
            frame.decode(data)
        self.assertEqual((refused.exception.index, refused.exception.message), (index, message))
        self.assertEqual(refused.exception.code, "invalid-frame")

    def test_every_truncation_is_an_error_naming_the_event(self):
        data = frame.encode([Event("1", "/a", "t"), full_event()])
        first = len(frame.encode([Event("1", "/a", "t")]))
        for length in range(len(data)):
            with self.subTest(length=length):
                with self.assertRaises(FrameError) as refused:
                    frame.decode(data[:length])
                self.assertIn("is truncated in event", refused.exception.message)
                self.assertEqual(refused.exception.index, 0 if length < first else 1)
        self.assertRefused(data[:-1], 1, "the event frame is truncated in event 1 (extension value)")
        self.assertRefused(b"\x01\x00", 0, "the event frame is truncated in event 0 (event count)")

    def test_bytes_after_the_last_event(self):
        self.assertRefused(frame.encode([Event("1", "/a", "t")]) + b"\x00", 1, "the event frame has 1 bytes after its last event")

    def test_strings_must_be_utf8(self):
        data = bytearray(frame.encode([Event("1", "/a", "\u00e9")]))
        data[-4 - 4 - 1 - 12 - 1] = 0xFF  # the second byte of the type "é"
        self.assertRefused(bytes(data), 0, "the event frame's event 0 has a `type` that is not UTF-8")

    def test_source_content_type_and_subject_are_checked_when_read(self):
        event = Event("\u00e9", "/\u00e9", "t", subject="\u00e9", datacontenttype="a/\u00e9")
        data = bytearray(frame.encode([event]))
        places = [i for i in range(len(data) - 1) if data[i:i + 2] == "\u00e9".encode()]
        for attribute, at in zip(["id", "source", "datacontenttype", "subject"], places):
            data[at + 1] = 0x41
            lent = frame.decode(bytes(data))[0]
            with self.subTest(attribute=attribute):
                with self.assertRaises(FrameError) as refused:
                    frame.apply(bytes(data), lambda event, name: getattr(event, name), attribute)
                self.assertEqual(refused.exception.code, "invalid-frame")
                self.assertEqual(refused.exception.message, f"the event frame's event 0 has a `{attribute}` that is not UTF-8")
                self.assertEqual(refused.exception.index, 0)
                with self.assertRaises(FrameError) as outside:
                    getattr(lent, attribute)
                self.assertEqual(outside.exception.message, f"the event frame has a `{attribute}` that is not UTF-8")
            data[at + 1] = 0xA9

    def test_a_lent_event_is_an_event(self):
        original = full_event()
        lent = frame.decode(frame.encode([original]))[0]
        self.assertIsInstance(lent, Event)
        self.assertEqual(lent, original)
        self.assertEqual(hash(lent), hash(original))
        self.assertEqual(repr(lent), repr(original))
        kept = lent.replace()
        self.assertIs(type(kept), Event)
        self.assertEqual(kept, original)
        import pickle

        self.assertEqual(pickle.loads(pickle.dumps(lent)), original)

    def test_extension_names_are_given_once(self):
        data = bytearray(frame.encode([Event("1", "/a", "t", extensions={"x": "1"})]))
        pairs_at = len(data) - (4 + 1 + 4 + 1) - 4
        data[pairs_at] = 2
        data += b"\x01\x00\x00\x00x\x01\x00\x00\x001"
        self.assertRefused(bytes(data), 0, "the event frame's event 0 has an invalid `extensions`")

    def test_times_must_be_representable(self):
        good = frame.encode([Event("1", "/a", "t", time=datetime(2026, 1, 1, tzinfo=timezone.utc))])
        time_at = len(good) - 4 - 4 - 16 - 1
        self.assertEqual(good[time_at], 1)
        for flag, fields in [(2, (0, 0, 0)), (1, (0, 1_000_000_000, 0)), (1, (0, 0, 86400)), (1, (2**62, 0, 0))]:
            with self.subTest(flag=flag, fields=fields):
                data = bytearray(good)
                data[time_at] = flag
                data[time_at + 1:time_at + 17] = struct.pack("<qIi", *fields)
                self.assertRefused(bytes(data), 0, "the event frame's event 0 has an invalid `time`")
        leap = bytearray(good)
        leap[time_at + 1:time_at + 17] = struct.pack("<qIi", 59, 1_500_000_000, 0)
        self.assertEqual(frame.decode(bytes(leap))[0].time_text, "1970-01-01T00:00:60.500Z")

    def test_a_bad_event_after_good_ones_is_named(self):
        data = frame.encode([Event("1", "/a", "t"), Event("2", "/a", "t")])
        count_says_three = struct.pack("<I", 3) + data[4:]
        self.assertRefused(count_says_three, 2, "the event frame is truncated in event 2 (id)")


if __name__ == "__main__":
    unittest.main()

"""Events: attributes by name, `time` as an aware datetime, data with JSON and CBOR helpers."""

import unittest
from datetime import datetime, timedelta, timezone

from evident import Event, Refusal, _time
from evident.cbor import dumps
from evident.event import NO_EXTENSIONS, from_fields


class Construction(unittest.TestCase):
    def test_attributes_by_name(self):
        time = datetime(2026, 11, 25, 19, 3, 21, 123456, tzinfo=timezone(timedelta(hours=5, minutes=30)))
        event = Event("42", "/bank", "bank.deposited", subject="acc-1", time=time,
                      data=b"\x00\x01", datacontenttype="application/octet-stream",
                      dataschema="https://example.com/s", extensions={"traceparent": "00-abc"})
        self.assertEqual((event.id, event.source, event.type, event.specversion), ("42", "/bank", "bank.deposited", "1.0"))
        self.assertEqual((event.subject, event.data, event.dataschema), ("acc-1", b"\x00\x01", "https://example.com/s"))
        self.assertEqual(event.time, time)
        self.assertEqual(event.time.utcoffset(), timedelta(hours=5, minutes=30))
        self.assertEqual(event.time_text, "2026-11-25T19:03:21.123456+05:30")
        self.assertEqual(event.extensions["traceparent"], "00-abc")
        self.assertEqual(event.replace(subject="acc-2").subject, "acc-2")
        self.assertEqual(event.replace(subject="acc-2").time, time)
        self.assertEqual(event.replace(), event)

    def test_absent_attributes_are_none(self):
        event = Event("1", "/a", "t")
        for name in ["datacontenttype", "dataschema", "subject", "time", "data", "time_ns", "time_text"]:
            self.assertIsNone(getattr(event, name), name)
        self.assertEqual(dict(event.extensions), {})

    def test_json_data_is_compact_and_marked_json(self):
        event = Event("tally-5", "/tally", "tally.added", json={"amount": 5, "total": 5})
        self.assertEqual(event.data, b'{"amount":5,"total":5}')
        self.assertEqual(event.datacontenttype, "application/json")
        self.assertEqual(event.data_json(), {"amount": 5, "total": 5})

    def test_bad_attributes_are_refused(self):
        with self.assertRaises(TypeError):
            Event("1", "/a", None)
        with self.assertRaises(TypeError):
            Event("1", "/a", "t", data="text")
        with self.assertRaises(TypeError):
            Event("1", "/a", "t", time="2026-01-01T00:00:00Z")
        with self.assertRaises(ValueError):
            Event("1", "/a", "t", time=datetime(2026, 1, 1))
        with self.assertRaises(TypeError):
            Event("1", "/a", "t", data=b"{}", json={})

    def test_events_are_immutable_and_compare_by_attributes(self):
        event = Event("1", "/a", "t")
        with self.assertRaises(AttributeError):
            event.id = "2"
        self.assertEqual(event, Event("1", "/a", "t"))
        self.assertNotEqual(event, Event("1", "/a", "u"))
        utc = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
        self.assertEqual(Event("1", "/a", "t", time=utc).time_ns, 1767268800 * 10**9)
        self.assertEqual(len({event, Event("1", "/a", "t")}), 1)
        self.assertIn("'t'", repr(event))


class Data(unittest.TestCase):
    def test_data_json_refuses_without_a_code(self):
        with self.assertRaises(Refusal) as refused:
            Event("1", "/a", "t").data_json()
        self.assertEqual((refused.exception.code, refused.exception.message), (None, "missing required attribute `data`"))
        with self.assertRaises(Refusal) as refused:
            Event("1", "/a", "t", data=b"{").data_json()
        self.assertTrue(refused.exception.message.startswith("attribute `data` is not the JSON expected"))

    def test_data_cbor(self):
        self.assertEqual(Event("1", "/a", "t", data=dumps({"n": 1})).data_cbor(), {"n": 1})
        with self.assertRaises(Refusal):
            Event("1", "/a", "t", data=b"\xff").data_cbor()


class Times(unittest.TestCase):
    def test_rfc3339_round_trips(self):
        for text in ["2026-01-01T00:00:10Z", "2026-11-25T19:03:21.123456789+05:30", "1969-12-31T23:59:59.500-08:00",
                     "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2016-12-31T23:59:60Z"]:
            with self.subTest(text=text):
                self.assertEqual(_time.format_raw(_time.parse_rfc3339(text)), text)

    def test_rfc3339_parsing_accepts_what_chrono_accepts(self):
        self.assertEqual(_time.parse_rfc3339("2026-01-01t00:00:00z"), (1767225600, 0, 0))
        self.assertEqual(_time.parse_rfc3339("2026-01-01 00:00:00.1234567891+00:00"), (1767225600, 123456789, 0))
        self.assertEqual(_time.format_raw(_time.parse_rfc3339("1969-12-31T23:59:59.5-08:00")), "1969-12-31T23:59:59.500-08:00")
        for text in ["2026-01-01", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00",
                     "2026-01-01T00:00:00+2400", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00+24:00"]:
            with self.subTest(text=text):
                with self.assertRaises(ValueError):
                    _time.parse_rfc3339(text)

    def test_days_match_python_dates(self):
        for ordinal in range(1, 3652059, 997):
            date = datetime.fromordinal(ordinal)
            days = _time.days_from_civil(date.year, date.month, date.day)
            self.assertEqual(days, ordinal - 719163)
            self.assertEqual(_time.civil_from_days(days), (date.year, date.month, date.day))

    def test_frame_times_outside_pythons_years_are_refused_when_read(self):
        raw = (_time.days_from_civil(12000, 1, 1) * 86400, 0, 0)
        far = from_fields("1", "/a", "1.0", "t", None, None, None, raw, None, NO_EXTENSIONS)
        self.assertEqual(far.time_text, "+12000-01-01T00:00:00Z")
        with self.assertRaises(Refusal) as refused:
            far.time
        self.assertEqual(refused.exception.code, "invalid-event")

    def test_chronos_range(self):
        self.assertTrue(_time.is_valid(_time.MAX_SECONDS, 999_999_999, 86399))
        self.assertFalse(_time.is_valid(_time.MAX_SECONDS + 1, 0, 0))
        self.assertFalse(_time.is_valid(_time.MIN_SECONDS - 1, 0, 0))
        self.assertFalse(_time.is_valid(0, 0, 86400))
        self.assertFalse(_time.is_valid(0, 1_000_000_000, 0))
        self.assertTrue(_time.is_valid(59, 1_000_000_000, 0))


if __name__ == "__main__":
    unittest.main()

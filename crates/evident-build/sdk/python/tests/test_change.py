"""Changes: commands decoded by content type, events checked, refusals with codes."""

import unittest

from evident import Command, Event, Refusal, State, change
from evident.cbor import dumps

from .examples import Counter


def cbor_state(value):
    return State("application/cbor", dumps({"value": value}))


class Process(unittest.TestCase):
    def test_emits_events_from_no_state(self):
        events = change.process(Counter, State(), Command.json({"type": "increment", "by": 2}))
        self.assertEqual(events, [Event("counter-2", "/counter", "counter.incremented", json={"by": 2, "value": 2})])

    def test_commands_come_in_json_or_cbor(self):
        events = change.process(Counter, cbor_state(3), Command.cbor({"type": "increment", "by": 2}))
        self.assertEqual(events[0].id, "counter-5")
        events = change.process(Counter, cbor_state(3), Command("application/json; charset=utf-8", b'{"type":"increment","by":1}'))
        self.assertEqual(events[0].id, "counter-4")

    def test_the_sdk_refuses_with_its_codes(self):
        cases = [
            (State(), Command("text/plain", b"x"), "unsupported-content-type"),
            (State(), Command("application/json", b"{"), "invalid-command"),
            (State("application/json", b"{}"), Command.json({}), "invalid-state"),
            (State("", b"x"), Command.json({}), "invalid-state"),
            (State("application/cbor", b"\xff"), Command.json({}), "invalid-state"),
        ]
        for state, command, code in cases:
            with self.subTest(code=code, command=command):
                with self.assertRaises(Refusal) as refused:
                    change.process(Counter, state, command)
                self.assertEqual(refused.exception.code, code)
        with self.assertRaises(Refusal) as refused:
            change.process(Counter, State("application/json", b"{}"), Command.json({}))
        self.assertEqual(refused.exception.message, 'the state is "application/json" but this change stores "application/cbor"')

    def test_the_authors_refusal_keeps_its_code_and_details(self):
        with self.assertRaises(Refusal) as refused:
            change.process(Counter, cbor_state(9), Command.json({"type": "increment", "by": 2}), {"limit": "10"})
        self.assertEqual(refused.exception, Refusal("over-limit", "11 is over the limit of 10", b'{"limit":10}'))
        with self.assertRaises(Refusal) as refused:
            change.process(Counter, cbor_state(9), Command.json({"type": "increment", "by": 2}), {"limit": "ten"})
        self.assertEqual(refused.exception.code, "invalid-parameter")

    def test_a_refusal_without_a_code_gets_one(self):
        class Vague(Counter):
            def process(self, command, parameters):
                raise Refusal(None, "no")

        with self.assertRaises(Refusal) as refused:
            change.process(Vague, State(), Command.json({}))
        self.assertEqual((refused.exception.code, refused.exception.message), ("refused", "no"))

    def test_emitted_events_must_be_valid_cloudevents(self):
        bad = [
            (Event("", "/s", "t"), "attribute `id` must not be empty"),
            (Event("1", "a b", "t"), "attribute `source` is not a URI reference (it contains whitespace)"),
            (Event("1", "/s", "t", specversion="0.3"), 'attribute `specversion` is "0.3"; only "1.0" is supported'),
            (Event("1", "/s", "t", dataschema="no-scheme"), 'attribute `dataschema` is "no-scheme", not an absolute URI'),
            (Event("1", "/s", "t", datacontenttype="json"), 'attribute `datacontenttype` is "json", not an RFC 2046 media type'),
            (Event("1", "/s", "t", extensions={"Bad": "x"}), "attribute `Bad` is not a valid extension name (only a-z and 0-9 are allowed)"),
            (Event("1", "/s", "t", extensions={"subject": "x"}), "attribute `subject` is a reserved attribute name and cannot be an extension"),
        ]

        for event, reason in bad:
            class Emits(Counter):
                def process(self, command, parameters, event=event):
                    return [Event("ok", "/s", "t"), event]

            with self.subTest(reason=reason):
                with self.assertRaises(Refusal) as refused:
                    change.process(Emits, State(), Command.json({}))
                self.assertEqual(refused.exception.code, "invalid-event")
                self.assertEqual(refused.exception.message, f"event 1 (id {event.id!r}) is not a valid CloudEvent: {reason}".replace(f"'{event.id}'", f'"{event.id}"'))

    def test_process_returns_a_list(self):
        class One(Counter):
            def process(self, command, parameters):
                return Event("1", "/s", "t")

        with self.assertRaises(TypeError):
            change.process(One, State(), Command.json({}))


class Validate(unittest.TestCase):
    def test_validate_runs_process(self):
        self.assertTrue(change.validate(Counter, State(), Command.json({"type": "increment", "by": 1})))
        self.assertFalse(change.validate(Counter, cbor_state(100), Command.json({"type": "increment", "by": 1})))
        self.assertFalse(change.validate(Counter, State(), Command("application/json", b"{")))
        with self.assertRaises(Refusal) as refused:
            change.validate(Counter, State("application/json", b"{}"), Command.json({}))
        self.assertEqual(refused.exception.code, "invalid-state")


if __name__ == "__main__":
    unittest.main()

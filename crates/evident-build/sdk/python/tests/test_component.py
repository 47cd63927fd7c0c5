"""The export glue, run natively with stand-ins for componentize-py's records: what each export
returns, which refusals reach the host with their code, and when `begin-event` is called."""

import sys
import unittest

import evident
from evident import Command, Event, State, component, frame, host
from evident.component import NativeBatchError, NativeErr, NativeError, NativeEvent

from .examples import Account, Amounts, Counter, Counts


class Exports(unittest.TestCase):
    def setUp(self):
        self.refused = []
        self.begun = 0
        self.exported_view = evident.export_view(Counts)
        self.exported_change = evident.export_change(Counter)
        self.saved = (host.refuse_sink, host.begin_event)
        host.refuse_sink = self.refused.append
        host.begin_event = self.begin

    def tearDown(self):
        host.refuse_sink, host.begin_event = self.saved

    def begin(self):
        self.begun += 1

    def codes(self):
        return [refusal.code for refusal in self.refused]


class ViewExports(Exports):
    def test_batch_folds_frames_and_calls_begin_event_per_event(self):
        _, batch = self.exported_view
        exported = batch()
        exported.load_state(State(), [("prefix", "a")])
        exported.apply_events(frame.encode([Event("1", "/t", "a.x"), Event("2", "/t", "b")]))
        exported.apply_events(frame.encode([Event("3", "/t", "a.x")]))
        self.assertEqual(exported.save_state().bytes, b'{"by_type":{"a.x":2},"total":2}')
        self.assertEqual(self.begun, 3)

    def test_a_failing_event_is_a_batch_error(self):
        _, batch = self.exported_view
        exported = batch()
        exported.load_state(State(), [("require-data", "true")])
        with self.assertRaises(NativeErr) as failed:
            exported.apply_events(frame.encode([Event("1", "/t", "a", data=b"1"), Event("2", "/t", "a")]))
        self.assertEqual(failed.exception.value, NativeBatchError(index=1, message="event 2 has no data"))
        self.assertEqual(self.refused, [])
        with self.assertRaises(NativeErr) as failed:
            exported.save_state()
        self.assertEqual(failed.exception.value, "an event failed; the state is not saved")

    def test_coded_refusals_reach_the_host_first(self):
        _, batch = self.exported_view
        exported = batch()
        with self.assertRaises(NativeErr) as failed:
            exported.apply_events(frame.encode([]))
        self.assertEqual(failed.exception.value, NativeBatchError(index=0, message=component.NOT_LOADED))
        with self.assertRaises(NativeErr):
            exported.load_state(State("text/plain", b"x"), [])
        exported.load_state(State(), [("require-data", "perhaps")])
        with self.assertRaises(NativeErr) as failed:
            exported.apply_events(frame.encode([Event("1", "/t", "a")]))
        self.assertEqual(failed.exception.value.index, 0)
        exported.load_state(State(), [])
        with self.assertRaises(NativeErr) as failed:
            exported.apply_events(b"\x02\x00\x00\x00")
        self.assertEqual(failed.exception.value, NativeBatchError(index=0, message="the event frame is truncated in event 0 (id)"))
        self.assertEqual(self.codes(), ["invalid-state", "invalid-parameter", "invalid-frame"])

    def test_reduce_per_event_reads_the_wit_record(self):
        single, _ = self.exported_view
        exported = single()
        state = exported.initialize([])
        event = NativeEvent("1", "/t", "1.0", "a", time="2026-01-01T00:00:00Z", extensions=[("x", "1")])
        state = exported.reduce(state, event, [])
        self.assertEqual(state.bytes, b'{"by_type":{"a":1},"total":1}')
        bad_time = NativeEvent("1", "/t", "1.0", "a", time="yesterday")
        with self.assertRaises(NativeErr) as failed:
            exported.reduce(state, bad_time, [])
        self.assertTrue(failed.exception.value.startswith('event "1" is not a valid CloudEvent: attribute `time` is "yesterday", not an RFC 3339 timestamp'))
        twice = NativeEvent("1", "/t", "1.0", "a", extensions=[("x", "1"), ("x", "2")])
        with self.assertRaises(NativeErr) as failed:
            exported.reduce(state, twice, [])
        self.assertEqual(failed.exception.value, 'event "1" names extension `x` twice')
        self.assertEqual(self.codes(), ["invalid-event", "invalid-event"])


    def test_a_bug_in_reduce_is_its_message_where_the_traceback_module_is_missing(self):
        # A component holds only the modules imported while it was built: not `traceback`.
        single, _ = evident.export_view(Amounts)
        with self.assertLogs("evident", level="DEBUG") as logged:  # (`logging` imports `traceback`)
            saved = sys.modules.get("traceback")
            sys.modules["traceback"] = None
            try:
                with self.assertRaises(NativeErr) as failed:
                    single().reduce(State(), NativeEvent("1", "/t", "1.0", "a", data=b"{}"), [])
            finally:
                sys.modules["traceback"] = saved
        self.assertEqual(failed.exception.value, "KeyError: 'amount'")
        self.assertIn("in reduce", logged.output[0])


class ChangeExports(Exports):
    def test_process_returns_wit_events(self):
        exported = self.exported_change()
        events = exported.process(State(), Command.json({"type": "increment", "by": 1}), [])
        self.assertEqual(events, [NativeEvent("counter-1", "/counter", "1.0", "counter.incremented", "application/json",
                                              None, None, None, b'{"by":1,"value":1}', [])])

    def test_process_refuses_with_the_error_record(self):
        exported = self.exported_change()
        with self.assertRaises(NativeErr) as failed:
            exported.process(State(), Command.json({"type": "increment", "by": 200}), [])
        self.assertEqual(failed.exception.value, NativeError("over-limit", "200 is over the limit of 100", b'{"limit":100}'))

    def test_validate(self):
        exported = self.exported_change()
        self.assertIs(exported.validate(State(), Command.json({"type": "increment", "by": 1})), True)
        self.assertIs(exported.validate(State(), Command.json({"type": "reset"})), False)
        with self.assertRaises(NativeErr):
            exported.validate(State("application/json", b"{}"), Command.json({}))
        self.assertEqual(self.codes(), ["invalid-state"])

    def test_a_decider_exports_both(self):
        single, batch, change = evident.export_decider(Account)
        events = change().process(State(), Command.json({"amount": 5}), [])
        self.assertEqual(events[0].id, "d-0")
        exported = batch()
        exported.load_state(State(), [])
        exported.apply_events(frame.encode([Event(e.id, e.source, e.type, json={"amount": 5}) for e in events]))
        self.assertEqual(exported.save_state().bytes, b'{"balance":5}')


class Logging(unittest.TestCase):
    def test_log_helpers_reach_the_sink(self):
        lines = []
        saved = host.log_sink
        host.log_sink = lambda level, message: lines.append((level, message))
        try:
            evident.error("e")
            evident.warn("w")
            evident.info("i")
            evident.debug("d")
            evident.trace("t")
            evident.log("info", 42)
            with self.assertRaises(ValueError):
                evident.log("loud", "x")
        finally:
            host.log_sink = saved
        self.assertEqual(lines, [("error", "e"), ("warn", "w"), ("info", "i"), ("debug", "d"), ("trace", "t"), ("info", "42")])


if __name__ == "__main__":
    unittest.main()

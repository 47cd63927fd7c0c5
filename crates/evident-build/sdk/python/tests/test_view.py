"""Views: no state yet, stored states, reduce per event and folds in frames."""

import unittest

import evident
from evident import Event, Parameters, Refusal, State, frame, view
from evident.view import BatchFailure, Resident

from .examples import Amounts, Counts


def events(*types):
    return [Event(str(i), "/test", t, json={"amount": i}) for i, t in enumerate(types)]


class States(unittest.TestCase):
    def test_counts_by_type_from_no_state(self):
        state = State()
        for event in events("a", "b", "a"):
            state = view.reduce(Counts, state, event)
        self.assertEqual(state, State("application/json", b'{"by_type":{"a":2,"b":1},"total":3}'))

    def test_initialize_is_stored_and_logs(self):
        with self.assertLogs("evident", "INFO") as logs:
            state = view.initialize(Counts, {"prefix": "shop."})
        self.assertEqual(state.bytes, b'{"by_type":{},"total":0}')
        self.assertEqual(logs.output, ["INFO:evident:counting events whose type starts with 'shop.'"])

    def test_no_state_yet_has_no_content_type_and_no_bytes(self):
        with self.assertRaises(Refusal) as refused:
            view.load(Counts, State("", b"0"), None)
        self.assertEqual(refused.exception.code, "invalid-state")
        self.assertEqual(refused.exception.message, 'the state has 1 bytes but no content type ("no state yet" has no bytes)')
        with self.assertRaises(Refusal) as refused:
            view.load(Counts, State("application/cbor", b"\xa0"), None)
        self.assertEqual(refused.exception.message, 'the state is "application/cbor" but this view stores "application/json"')
        with self.assertRaises(Refusal) as refused:
            view.load(Counts, State("application/json", b""), None)
        self.assertEqual(refused.exception.code, "invalid-state")
        self.assertTrue(refused.exception.message.startswith("cannot decode the state: application/json: "))
        with self.assertRaises(Refusal) as refused:
            view.load(Counts, State("application/json", b"[1]"), None)
        self.assertEqual(refused.exception.message, "cannot decode the state: expected an object, not list")

    def test_an_unencodable_state_is_refused(self):
        counts = Counts()
        counts.by_type = {"a": float("nan")}
        with self.assertRaises(Refusal) as refused:
            evident.stored.encode(counts)
        self.assertEqual(refused.exception.code, "unencodable-state")

    def test_dataclasses_are_stored_by_field_in_cbor(self):
        state = view.reduce(Amounts, State(), events("a")[0].replace(json={"amount": 5}))
        self.assertEqual(state.content_type, "application/cbor")
        self.assertEqual(state.value(), {"by_type": {"a": 5}})
        self.assertEqual(view.load(Amounts, state, None), Amounts({"a": 5}))

    def test_prefix_filters_and_require_data_refuses(self):
        state = view.reduce(Counts, State(), Event("1", "/t", "shop.sold"), {"prefix": "bank."})
        self.assertEqual(state.bytes, b'{"by_type":{},"total":0}')
        with self.assertRaises(Refusal) as refused:
            view.reduce(Counts, State(), Event("7", "/t", "a"), {"require-data": "true"})
        self.assertEqual((refused.exception.code, refused.exception.message), (None, "event 7 has no data"))
        with self.assertRaises(Refusal) as refused:
            view.reduce(Counts, State(), Event("7", "/t", "a"), {"require-data": "maybe"})
        self.assertEqual(refused.exception.code, "invalid-parameter")


class Frames(unittest.TestCase):
    def test_a_resident_view_is_decoded_once_and_stored_once(self):
        resident = Resident(Counts, State(), Parameters())
        self.assertEqual(resident.apply(frame.encode(events("a", "b"))), 2)
        self.assertEqual(resident.apply(frame.encode(events("a"))), 1)
        self.assertEqual(resident.save().bytes, b'{"by_type":{"a":2,"b":1},"total":3}')
        self.assertEqual(resident.save().bytes, b'{"by_type":{"a":2,"b":1},"total":3}')

    def test_a_failing_event_is_named_by_its_position(self):
        batch = events("a", "b", "c")
        batch[1] = batch[1].replace(data=None, datacontenttype=None)
        resident = Resident(Counts, State(), {"require-data": "true"})
        with self.assertRaises(BatchFailure) as failed:
            resident.apply(frame.encode(batch))
        self.assertEqual((failed.exception.index, failed.exception.refusal.message), (1, "event 1 has no data"))
        with self.assertRaises(BatchFailure) as again:
            resident.apply(frame.encode(events("a")))
        self.assertEqual(again.exception.refusal.message, "an earlier event failed; load the state again")
        with self.assertRaises(Refusal):
            resident.save()

    def test_an_unexpected_exception_names_itself(self):
        batch = events("a", "b")
        batch[1] = batch[1].replace(json={"no amount": 1})
        resident = Resident(Amounts, State(), None)
        with self.assertRaises(BatchFailure) as failed:
            resident.apply(frame.encode(batch))
        self.assertEqual((failed.exception.index, failed.exception.refusal.message), (1, "KeyError: 'amount'"))

    def test_a_malformed_frame_is_an_invalid_frame(self):
        resident = Resident(Counts, State(), None)
        with self.assertRaises(BatchFailure) as failed:
            resident.apply(frame.encode(events("a", "b"))[:-3])
        self.assertEqual(failed.exception.index, 1)
        self.assertEqual(failed.exception.refusal.code, "invalid-frame")

    def test_fold_gives_the_state_object(self):
        counts = view.fold(Counts, events("x", "y", "x"))
        self.assertEqual((counts.by_type, counts.total), ({"x": 2, "y": 1}, 3))
        more = view.fold(Counts, events("y"), state=evident.stored.encode(counts))
        self.assertEqual(more.by_type, {"x": 2, "y": 2})


if __name__ == "__main__":
    unittest.main()

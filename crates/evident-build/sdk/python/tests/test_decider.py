"""Deciders that read the database: the native runner (`evident.decider.decide`) and the exported
`Decider` class, run with the in-memory database and with a stand-in of the host's resource."""

import sys
import unittest

import evident
from evident import AppendCondition, Command, Decision, Event, Query, Refusal, host
from evident.component import NativeAppendCondition, NativeDecision, NativeErr, NativeError, NativeEvent
from evident.database import NativeQuery, NativeQueryItem, NativeStoredEvent, NativeTag
from evident.decider import decide
from evident.records import State
from evident.testing import InMemoryDatabase, QueryRead, ViewRead

from .examples import Usernames, count_courses

CLAIMED = Query.of("username.claimed", "username:ann")


def claimed(name):
    return Event(name, "/users", "username.claimed", json={"username": name}, extensions={"username": name})


class Runner(unittest.TestCase):
    def test_a_decision_with_its_own_condition(self):
        database = InMemoryDatabase([claimed("bob")])
        decision = decide(Usernames, database, Command.json({"username": "ann"}))
        self.assertEqual(decision, Decision([claimed("ann")], AppendCondition(CLAIMED, 1)))
        self.assertEqual(database.reads, [QueryRead(CLAIMED, 0, 1)])
        self.assertEqual(database.append_decision(decision), 2)

    def test_refusals_keep_their_code_and_details(self):
        database = InMemoryDatabase([claimed("ann")])
        with self.assertRaises(Refusal) as refused:
            decide(Usernames, database, Command.cbor({"username": "ann"}))
        self.assertEqual(refused.exception, Refusal("username-taken", "ann is taken", details={"username": "ann"}))

    def test_the_sdk_refuses_commands_and_events_with_its_codes(self):
        database = InMemoryDatabase()
        for command, code in ((Command("text/plain", b"x"), "unsupported-content-type"),
                              (Command("application/json", b"{"), "invalid-command")):
            with self.subTest(code=code), self.assertRaises(Refusal) as refused:
                decide(Usernames, database, command)
            self.assertEqual(refused.exception.code, code)
        with self.assertRaises(Refusal) as refused:
            decide(lambda d, c, p: [Event("1", "/t", "a", extensions={"Bad": "x"})], database, {})
        self.assertEqual(refused.exception.code, "invalid-event")
        with self.assertRaises(Refusal) as refused:
            decide(lambda d, c, p: (_ for _ in ()).throw(Refusal(None, "no")), database, {})
        self.assertEqual(refused.exception, Refusal("refused", "no"))

    def test_functions_and_plain_values(self):
        database = InMemoryDatabase(views={"student-courses": lambda p: {"student": p["student"], "courses": ["c1", "c2"]}})
        decision = decide(count_courses, database, {"student": "s1"}, {"x": "1"})
        self.assertEqual(decision.events[0].data_json(), {"count": 2})
        self.assertIsNone(decision.condition)
        self.assertEqual(database.reads, [ViewRead("student-courses", {"student": "s1"})])
        decision = decide(count_courses, InMemoryDatabase(), {"student": "s1"})
        self.assertEqual(decision.events[0].data_json(), {"count": 0})

    def test_what_decide_returns_is_checked(self):
        for result in (Event("1", "/t", "a"), None, ["x"]):
            with self.subTest(result=result), self.assertRaises(TypeError):
                decide(lambda d, c, p: result, InMemoryDatabase(), {})
        self.assertEqual(decide(lambda d, c, p: [], InMemoryDatabase(), {}), Decision())
        with self.assertRaises(ValueError):
            AppendCondition(Query.all(), -1)
        with self.assertRaises(TypeError):
            Decision([], condition=Query.all())

    def test_the_base_class_says_what_is_missing(self):
        with self.assertRaises(NotImplementedError):
            decide(evident.DatabaseDecider, InMemoryDatabase(), {})


class HostDatabase:
    """A stand-in of the host's `database` resource: WIT records in and out."""

    def __init__(self, stored=()):
        self.calls = []
        self.stored = list(stored)

    def revision(self):
        return 7

    def query_events(self, query, after, limit):
        self.calls.append(("query-events", query, after, limit))
        return self.stored

    def view_state(self, name, version, parameters):
        self.calls.append(("view-state", name, version, parameters))
        return State("application/json", b'{"courses":["c1"]}')


class Exported(unittest.TestCase):
    def setUp(self):
        self.refused = []
        self.saved = (host.refuse_sink, host.begin_event)
        self.Decider = evident.export_database_decider(Usernames)
        host.refuse_sink = self.refused.append

    def tearDown(self):
        host.refuse_sink, host.begin_event = self.saved

    def test_decide_returns_the_wit_decision(self):
        database = HostDatabase()
        decision = self.Decider().decide(database, Command.json({"username": "ann"}), [])
        query = NativeQuery([NativeQueryItem(["username.claimed"], [NativeTag("username", "ann")])])
        self.assertEqual(database.calls, [("query-events", query, 0, 1)])
        self.assertEqual(decision, NativeDecision(
            [NativeEvent("ann", "/users", "1.0", "username.claimed", "application/json", None, None, None,
                         b'{"username":"ann"}', [("username", "ann")])],
            NativeAppendCondition(query, 7),
        ))

    def test_reads_through_the_host_resource(self):
        database = HostDatabase()
        decision = evident.export_database_decider(count_courses)().decide(database, Command.json({"student": "s1"}), [])
        self.assertEqual(database.calls, [("view-state", "student-courses", None, [("student", "s1")])])
        self.assertEqual(decision.events[0].id, "count-7")
        self.assertIsNone(decision.condition)

    def test_refusals_are_the_error_record(self):
        database = InMemoryDatabase([claimed("ann")])
        with self.assertRaises(NativeErr) as failed:
            self.Decider().decide(database, Command.json({"username": "ann"}), [])
        self.assertEqual(failed.exception.value, NativeError("username-taken", "ann is taken", b'{"username":"ann"}'))
        with self.assertRaises(NativeErr) as failed:
            self.Decider().decide(database, Command("application/json", b"["), [])
        self.assertEqual(failed.exception.value.code, "invalid-command")
        taken = HostDatabase([NativeStoredEvent(3, NativeEvent("ann", "/users", "1.0", "username.claimed",
                                                               extensions=[("username", "ann")]))])
        with self.assertRaises(NativeErr) as failed:
            self.Decider().decide(taken, Command.json({"username": "ann"}), [])
        self.assertEqual(failed.exception.value.code, "username-taken")
        self.assertEqual(self.refused, [])

    def test_a_bug_is_internal_and_logged(self):
        def broken(database, command, parameters):
            return command["missing"]

        with self.assertLogs("evident", level="DEBUG") as logged:
            with self.assertRaises(NativeErr) as failed:
                evident.export_database_decider(broken)().decide(InMemoryDatabase(), Command.json({}), [])
        self.assertEqual(failed.exception.value, NativeError("internal", "KeyError: 'missing'", None))
        self.assertIn("the decider raised", logged.output[0])
        self.assertIn("in broken", logged.output[0])

    def test_the_traceback_is_logged_where_the_traceback_module_is_missing(self):
        # A component holds only the modules imported while it was built: not `traceback`.
        def broken(database, command, parameters):
            raise ValueError("bad")

        with self.assertLogs("evident", level="DEBUG") as logged:  # (`logging` imports `traceback`)
            saved = sys.modules.get("traceback")
            sys.modules["traceback"] = None
            try:
                with self.assertRaises(NativeErr) as failed:
                    evident.export_database_decider(broken)().decide(InMemoryDatabase(), Command.json({}), [])
            finally:
                sys.modules["traceback"] = saved
        self.assertEqual(failed.exception.value, NativeError("internal", "ValueError: bad", None))
        self.assertRegex(logged.output[0], r'File ".*test_decider.py", line \d+, in broken\nValueError: bad')


if __name__ == "__main__":
    unittest.main()

"""The database a decider reads: queries, paged reads of the log, view states decoded by content
type, and the in-memory database that records the reads."""

import unittest

from evident import Event, Query, QueryItem, Refusal, State, StateView, StoredEvent, Tag
from evident.cbor import dumps
from evident.database import Database, NativeQuery, NativeQueryItem, NativeRecords, NativeTag
from evident.decider import AppendCondition
from evident.testing import ConditionFailed, DuplicateEvent, InMemoryDatabase, QueryRead, ViewRead


def defined(course, capacity=3):
    return Event(course, "/courses", "course.defined", json={"course": course, "capacity": capacity},
                 extensions={"course": course})


def subscribed(course, student):
    return Event(f"{course}/{student}", "/courses", "student.subscribed",
                 json={"course": course, "student": student}, extensions={"course": course, "student": student})


LOG = [defined("c1"), defined("c2"), subscribed("c1", "s1"), subscribed("c2", "s1"), subscribed("c1", "s2")]


class Queries(unittest.TestCase):
    def test_tags_parse_and_check_like_the_store(self):
        self.assertEqual(Tag.parse("source:urn:shop"), Tag("source", "urn:shop"))
        self.assertEqual(str(Tag("course", "c1")), "course:c1")
        for bad in ("course", "Course:c1", ":x", "type:a", "id:1", "a" * 21 + ":x"):
            with self.subTest(tag=bad), self.assertRaises(ValueError):
                Tag.parse(bad)
        with self.assertRaises(TypeError):
            Tag("course", 1)

    def test_items_take_one_type_or_tag_alone(self):
        item = QueryItem("student.subscribed", "course:c1")
        self.assertEqual(item, QueryItem(["student.subscribed"], [Tag("course", "c1")]))
        self.assertEqual(Query.of("a", ["x:1", "y:2"]).to_value(), {"items": [{"types": ["a"], "tags": ["x:1", "y:2"]}]})
        self.assertEqual(Query.all().to_value(), {"items": []})
        with self.assertRaises(TypeError):
            Query([{"types": ["a"]}])
        with self.assertRaises(TypeError):
            QueryItem([1])

    def test_matching_follows_the_dcb_rules(self):
        c1 = Query.of(tags="course:c1")
        self.assertEqual([e.id for e in LOG if c1.matches(e)], ["c1", "c1/s1", "c1/s2"])
        either = Query([QueryItem("course.defined", "course:c2"), QueryItem("student.subscribed", ["course:c1", "student:s2"])])
        self.assertEqual([e.id for e in LOG if either.matches(e)], ["c2", "c1/s2"])
        self.assertTrue(all(Query.all().matches(e) for e in LOG))
        self.assertTrue(Query.of().matches(LOG[0]))
        by_source = Query.of(tags="source:/courses")
        self.assertTrue(by_source.matches(LOG[0]))
        self.assertFalse(Query.of(tags="subject:x").matches(LOG[0]))

    def test_records_round_trip(self):
        query = Query([QueryItem("a", "x:1"), QueryItem(tags="y:2")])
        record = query.to_record(NativeRecords)
        self.assertEqual(record, NativeQuery([NativeQueryItem(["a"], [NativeTag("x", "1")]), NativeQueryItem([], [NativeTag("y", "2")])]))
        self.assertEqual(Query.from_record(record), query)


class Reads(unittest.TestCase):
    def test_query_events_reads_after_a_position_up_to_a_limit(self):
        database = InMemoryDatabase(LOG)
        self.assertEqual(database.revision(), 5)
        c1 = Query.of(tags="course:c1")
        self.assertEqual(database.query_events(c1, 0, 10), [StoredEvent(1, LOG[0]), StoredEvent(3, LOG[2]), StoredEvent(5, LOG[4])])
        self.assertEqual(database.query_events(c1, 1, 1), [StoredEvent(3, LOG[2])])
        position, event = database.query_events(c1, 3, 10)[0]
        self.assertEqual((position, event.id), (5, "c1/s2"))
        self.assertEqual(database.query_events(QueryItem("student.subscribed"), 0, 0), [])
        self.assertEqual(database.reads, [QueryRead(c1, 0, 10), QueryRead(c1, 1, 1), QueryRead(c1, 3, 10),
                                          QueryRead(Query.of("student.subscribed"), 0, 0)])
        self.assertEqual([read.returned for read in database.reads], [3, 1, 1, 0])

    def test_reads_stop_at_the_revision(self):
        database = InMemoryDatabase(LOG, revision=2)
        self.assertEqual(database.revision(), 2)
        self.assertEqual([e.id for _, e in database.query_events(Query.all(), 0, 100)], ["c1", "c2"])

    def test_iter_events_pages_until_a_short_read(self):
        database = InMemoryDatabase(LOG)
        self.assertEqual([p for p, _ in database.iter_events(Query.all(), page=2)], [1, 2, 3, 4, 5])
        self.assertEqual([(read.after, read.limit) for read in database.reads], [(0, 2), (2, 2), (4, 2)])
        self.assertEqual(list(database.iter_events(Query.of(tags="course:c9"))), [])

    def test_iter_events_reads_on_after_a_page_the_host_shortened(self):
        class Capped(InMemoryDatabase):
            # The host caps pages by count and bytes: a short page is not the end.
            def query_events(self, query, after, limit):
                return super().query_events(query, after, min(limit, 2))

        database = Capped(LOG)
        self.assertEqual([p for p, _ in database.iter_events(Query.all(), page=3)], [1, 2, 3, 4, 5])

    def test_bad_arguments_are_python_errors(self):
        database = InMemoryDatabase(LOG)
        with self.assertRaises(TypeError):
            database.query_events({"items": []}, 0, 1)
        with self.assertRaises(ValueError):
            database.query_events(Query.all(), -1, 1)
        with self.assertRaises(ValueError):
            database.query_events(Query.all(), 0, 1 << 32)
        with self.assertRaises(TypeError):
            database.view_state(1)

    def test_view_states_decode_by_content_type(self):
        class Subscriptions(StateView):
            def __init__(self):
                self.count = 0

            def reduce(self, event, parameters):
                if event.type == "student.subscribed" and event.extensions["course"] == parameters["course"]:
                    self.count += 1

        database = InMemoryDatabase(LOG, views={
            "course-capacity": lambda p: {"course": p["course"], "defined": True, "capacity": 3, "subscribed": 1},
            ("course-capacity", "2.0.0"): lambda p: {"version": 2},
            "cbor": State("application/cbor", dumps({"a": b"\x00"})),
            "gone": lambda p: None,
            "empty": State(),
            "subscriptions": Subscriptions,
        })
        self.assertEqual(database.view_state("course-capacity", {"course": "c1"}),
                         {"course": "c1", "defined": True, "capacity": 3, "subscribed": 1})
        self.assertEqual(database.view_state("course-capacity", [("course", "c1")], version="2.0.0"), {"version": 2})
        self.assertEqual(database.view_state("course-capacity", {"course": "c1"}, version="1.0.0")["course"], "c1")
        self.assertEqual(database.view_state("cbor"), {"a": b"\x00"})
        self.assertIsNone(database.view_state("gone"))
        self.assertIsNone(database.view_state("empty"))
        self.assertIsNone(database.view_state("unregistered", {"x": "1"}))
        self.assertEqual(database.view_state("subscriptions", {"course": "c1"}), {"count": 2})
        self.assertEqual(database.view_state_raw("subscriptions", {"course": "c2"}), State("application/json", b'{"count":1}'))
        self.assertEqual(database.view_reads()[:3], [
            ViewRead("course-capacity", {"course": "c1"}),
            ViewRead("course-capacity", {"course": "c1"}, "2.0.0"),
            ViewRead("course-capacity", {"course": "c1"}, "1.0.0"),
        ])
        self.assertEqual(database.view_reads()[6], ViewRead("unregistered", {"x": "1"}))
        self.assertEqual(database.query_reads(), [])

    def test_a_state_that_does_not_decode_is_refused(self):
        database = InMemoryDatabase(views={"text": State("text/plain", b"x"), "broken": State("application/json", b"{")})
        for name in ("text", "broken"):
            with self.subTest(view=name), self.assertRaises(Refusal) as refused:
                database.view_state(name)
            self.assertEqual(refused.exception.code, "invalid-state")
            self.assertIn(f'view "{name}"', refused.exception.message)

    def test_events_from_the_host_are_checked(self):
        class Host:
            def revision(self):
                return 1

            def query_events(self, query, after, limit):
                from evident.component import NativeEvent
                from evident.database import NativeStoredEvent
                return [NativeStoredEvent(1, NativeEvent("1", "/t", "1.0", "a", time="later"))]

            def view_state(self, name, version, parameters):
                return None

        with self.assertRaises(Refusal) as refused:
            Database(Host()).query_events(Query.all(), 0, 1)
        self.assertEqual(refused.exception.code, "invalid-event")


class Appends(unittest.TestCase):
    def test_append_refuses_duplicates_and_failed_conditions(self):
        database = InMemoryDatabase(LOG[:2])
        with self.assertRaises(DuplicateEvent):
            database.append([defined("c1")])
        with self.assertRaises(DuplicateEvent):
            database.append([defined("c3"), defined("c3")])
        c1 = Query.of(tags="course:c1")
        with self.assertRaises(ConditionFailed) as failed:
            database.append([subscribed("c1", "s1")], AppendCondition(c1, None))
        self.assertEqual(failed.exception.position, 1)
        self.assertEqual(database.append([subscribed("c1", "s1")], AppendCondition(c1, 1)), 3)
        self.assertEqual(database.revision(), 3)
        self.assertEqual(database.head(), 3)
        self.assertEqual([e.id for e in database.events()], ["c1", "c2", "c1/s1"])


if __name__ == "__main__":
    unittest.main()

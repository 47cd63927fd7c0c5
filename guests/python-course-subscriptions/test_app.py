"""The course subscriptions decider, run natively against the in-memory database:
`PYTHONPATH=../../crates/evident-build/sdk/python python3 -B -m unittest` from this directory."""

import unittest

from evident import Command, Decision, Event, Refusal
from evident.decider import decide
from evident.testing import DuplicateEvent, InMemoryDatabase, ViewRead

from app import CourseSubscriptions


def course_capacity(courses):
    """The `course-capacity` view over `{course: (capacity, subscribed)}`."""

    def state(parameters):
        course = parameters["course"]
        if course not in courses:
            return {"course": course, "defined": False, "capacity": 0, "subscribed": 0}
        capacity, subscribed = courses[course]
        return {"course": course, "defined": True, "capacity": capacity, "subscribed": subscribed}

    return state


def student_courses(students):
    """The `student-courses` view over `{student: [course, ...]}`."""
    return lambda parameters: {"student": parameters["student"], "courses": students.get(parameters["student"], [])}


def database(courses=None, students=None, events=()):
    return InMemoryDatabase(events, views={
        "course-capacity": course_capacity(courses or {}),
        "student-courses": student_courses(students or {}),
    })


def run(db, command):
    return decide(CourseSubscriptions, db, Command.json(command))


class DefineCourse(unittest.TestCase):
    def test_defines_a_course(self):
        db = database()
        decision = run(db, {"type": "define-course", "course": "c1", "capacity": 3})
        self.assertEqual(decision, Decision([Event(
            "c1", "/courses", "course.defined", datacontenttype="application/json",
            data=b'{"capacity":3,"course":"c1"}', extensions={"course": "c1"})]))
        self.assertEqual(db.reads, [])

    def test_a_capacity_below_one_is_refused(self):
        for capacity in (0, -1):
            with self.subTest(capacity=capacity), self.assertRaises(Refusal) as refused:
                run(database(), {"type": "define-course", "course": "c1", "capacity": capacity})
            self.assertEqual(refused.exception.code, "validation")

    def test_a_repeat_is_a_duplicate_the_store_refuses(self):
        db = database()
        db.append_decision(run(db, {"type": "define-course", "course": "c1", "capacity": 3}))
        again = run(db, {"type": "define-course", "course": "c1", "capacity": 4})
        with self.assertRaises(DuplicateEvent):
            db.append_decision(again)


class ChangeCapacity(unittest.TestCase):
    def test_changes_the_capacity_with_the_revision_in_the_id(self):
        defined = Event("c1", "/courses", "course.defined", json={"course": "c1", "capacity": 3}, extensions={"course": "c1"})
        db = database({"c1": (3, 0)}, events=[defined, defined.replace(id="c2", extensions={"course": "c2"})])
        decision = run(db, {"type": "change-capacity", "course": "c1", "capacity": 5})
        self.assertEqual(decision.events, (Event(
            "c1/capacity/2", "/courses", "course.capacity-changed", json={"course": "c1", "capacity": 5},
            extensions={"course": "c1"}),))
        self.assertIsNone(decision.condition)
        self.assertEqual(db.reads, [ViewRead("course-capacity", {"course": "c1"})])

    def test_an_undefined_course_is_refused(self):
        for db in (database(), InMemoryDatabase()):
            with self.subTest(db=db), self.assertRaises(Refusal) as refused:
                run(db, {"type": "change-capacity", "course": "c1", "capacity": 5})
            self.assertEqual(refused.exception.code, "no-such-course")

    def test_a_capacity_below_one_is_refused(self):
        with self.assertRaises(Refusal) as refused:
            run(database({"c1": (3, 0)}), {"type": "change-capacity", "course": "c1", "capacity": 0})
        self.assertEqual(refused.exception.code, "validation")


class Subscribe(unittest.TestCase):
    def subscribe(self, db, course="c1", student="s1"):
        return run(db, {"type": "subscribe", "course": course, "student": student})

    def refused(self, db, code):
        with self.assertRaises(Refusal) as refused:
            self.subscribe(db)
        self.assertEqual(refused.exception.code, code)
        return refused.exception

    def test_subscribes_a_student(self):
        db = database({"c1": (3, 2)}, {"s1": ["c2", "c3", "c4", "c5"]})
        decision = self.subscribe(db)
        self.assertEqual(decision, Decision([Event(
            "c1/s1", "/courses", "student.subscribed", datacontenttype="application/json",
            data=b'{"course":"c1","student":"s1"}', extensions={"course": "c1", "student": "s1"})]))
        self.assertEqual(db.reads, [ViewRead("course-capacity", {"course": "c1"}), ViewRead("student-courses", {"student": "s1"})])

    def test_without_the_student_view_the_student_has_no_courses(self):
        db = InMemoryDatabase(views={"course-capacity": course_capacity({"c1": (1, 0)})})
        self.assertEqual(self.subscribe(db).events[0].id, "c1/s1")

    def test_no_such_course(self):
        self.refused(database({"c2": (3, 0)}), "no-such-course")
        self.refused(InMemoryDatabase(), "no-such-course")

    def test_course_full(self):
        self.refused(database({"c1": (2, 2)}), "course-full")
        self.refused(database({"c1": (2, 3)}), "course-full")

    def test_already_subscribed(self):
        self.refused(database({"c1": (3, 1)}, {"s1": ["c1"]}), "already-subscribed")

    def test_student_at_limit(self):
        self.refused(database({"c1": (3, 0)}, {"s1": ["c2", "c3", "c4", "c5", "c6"]}), "student-at-limit")

    def test_refusals_come_in_the_order_of_the_contract(self):
        full_and_subscribed = database({"c1": (1, 1)}, {"s1": ["c1", "c2", "c3", "c4", "c5"]})
        self.refused(full_and_subscribed, "course-full")
        subscribed_at_limit = database({"c1": (9, 1)}, {"s1": ["c1", "c2", "c3", "c4", "c5"]})
        self.refused(subscribed_at_limit, "already-subscribed")


class Commands(unittest.TestCase):
    def test_malformed_commands_are_invalid(self):
        for command in ({}, {"type": "enrol"}, {"type": "subscribe", "course": "c1"},
                        {"type": "define-course", "course": "c1", "capacity": "3"},
                        {"type": "define-course", "course": "c1", "capacity": True}, ["subscribe"]):
            with self.subTest(command=command), self.assertRaises(Refusal) as refused:
                run(database({"c1": (3, 0)}), command)
            self.assertEqual(refused.exception.code, "invalid-command")

    def test_cbor_commands_too(self):
        decision = decide(CourseSubscriptions, database(), Command.cbor({"type": "define-course", "course": "c1", "capacity": 3}))
        self.assertEqual(decision.events[0].id, "c1")


if __name__ == "__main__":
    unittest.main()

"""Course subscriptions as a decider that reads the database, in Python on the Evident Python SDK
(world `database-decider`, `evident:db@0.4.0`): the Dynamic Consistency Boundary example of
courses with a capacity and students with at most five courses. It emits exactly the events of
guests/course-subscriptions (Rust) and refuses with the same codes.

Commands are JSON (or CBOR) objects tagged by `type`:
`{"type":"define-course","course":"c1","capacity":3}`,
`{"type":"change-capacity","course":"c1","capacity":5}`,
`{"type":"subscribe","course":"c1","student":"s1"}`.

It reads two materialized views the host provides (JSON states; None when a view is not
registered, read as "not defined" and "no courses"):
`course-capacity` under `course` -> `{"course":"c1","defined":true,"capacity":3,"subscribed":2}`
and `student-courses` under `student` -> `{"student":"s1","courses":["c1","c2"]}`.

Events, from source `/courses`, JSON data, tagged by the extension attributes `course` (and
`student` on a subscription): `course.defined` `{"course","capacity"}` with id `c1`,
`course.capacity-changed` `{"course","capacity"}` with id `c1/capacity/<revision>`,
`student.subscribed` `{"course","student"}` with id `c1/s1`. A course defined twice is a
duplicate (`source`, `id`) the store refuses. No append condition is returned: the host derives
it from the views read.

Refusals: `validation` (a capacity below 1), `no-such-course`, `course-full`,
`already-subscribed`, `student-at-limit`, and `invalid-command` for a command of an unknown type
or whose fields are missing or of the wrong type.
"""

from typing import Any, Optional, TypeVar

import evident

T = TypeVar("T")

SOURCE = "/courses"
DEFINED = "course.defined"
CAPACITY_CHANGED = "course.capacity-changed"
SUBSCRIBED = "student.subscribed"

COURSE_CAPACITY = "course-capacity"
STUDENT_COURSES = "student-courses"

#: How many courses a student may subscribe to.
STUDENT_LIMIT = 5


class CourseSubscriptions(evident.DatabaseDecider):
    def decide(
        self, database: evident.Database, command: Any, parameters: evident.Parameters
    ) -> list[evident.Event]:
        kind = _field(command, "type", str)
        if kind == "define-course":
            course = _field(command, "course", str)
            capacity = _capacity(command)
            return [_event(course, DEFINED, course, {"course": course, "capacity": capacity})]
        if kind == "change-capacity":
            course = _field(command, "course", str)
            capacity = _capacity(command)
            if not _course(database, course)["defined"]:
                raise _no_such_course(course)
            event_id = f"{course}/capacity/{database.revision()}"
            return [_event(event_id, CAPACITY_CHANGED, course, {"course": course, "capacity": capacity})]
        if kind == "subscribe":
            course = _field(command, "course", str)
            student = _field(command, "student", str)
            state = _course(database, course)
            if not state["defined"]:
                raise _no_such_course(course)
            if state["subscribed"] >= state["capacity"]:
                raise evident.Refusal(
                    "course-full", f"course {course} is full ({state['subscribed']} of {state['capacity']})"
                )
            courses = _courses(database, student)
            if course in courses:
                raise evident.Refusal("already-subscribed", f"student {student} is already subscribed to {course}")
            if len(courses) >= STUDENT_LIMIT:
                raise evident.Refusal(
                    "student-at-limit", f"student {student} already has {STUDENT_LIMIT} courses"
                )
            event = _event(f"{course}/{student}", SUBSCRIBED, course, {"course": course, "student": student},
                           student=student)
            return [event]
        raise evident.Refusal(
            "invalid-command",
            f"unknown command type {kind!r}: expected define-course, change-capacity or subscribe",
        )


def _course(database: evident.Database, course: str) -> dict[str, Any]:
    """The `course-capacity` view of `course`: `defined`, `capacity`, `subscribed`."""
    state = database.view_state(COURSE_CAPACITY, {"course": course})
    if state is None:
        return {"defined": False, "capacity": 0, "subscribed": 0}
    if not isinstance(state, dict):
        raise evident.Refusal("invalid-state", f"view {COURSE_CAPACITY} gave {state!r}, not an object")
    return {
        "defined": state.get("defined") is True,
        "capacity": _count(state, "capacity"),
        "subscribed": _count(state, "subscribed"),
    }


def _courses(database: evident.Database, student: str) -> list[Any]:
    """The courses `student` is subscribed to, by the `student-courses` view."""
    state = database.view_state(STUDENT_COURSES, {"student": student})
    if state is None:
        return []
    courses = state.get("courses", []) if isinstance(state, dict) else None
    if not isinstance(courses, list):
        raise evident.Refusal("invalid-state", f"view {STUDENT_COURSES} gave {state!r}, not an object with `courses`")
    return courses


def _count(state: dict[str, Any], name: str) -> int:
    value = state.get(name, 0)
    if type(value) is not int:
        raise evident.Refusal("invalid-state", f"view {COURSE_CAPACITY} gave {name} {value!r}, not an integer")
    return value


def _event(
    event_id: str, event_type: str, course: str, data: dict[str, Any], student: Optional[str] = None
) -> evident.Event:
    extensions = {"course": course}
    if student is not None:
        extensions["student"] = student
    return evident.Event(event_id, SOURCE, event_type, json=data, extensions=extensions)


def _no_such_course(course: str) -> evident.Refusal:
    return evident.Refusal("no-such-course", f"course {course} is not defined")


def _field(command: Any, name: str, kind: type[T]) -> T:
    """A command field, refused as `invalid-command` when missing or of another type."""
    if not isinstance(command, dict):
        raise evident.Refusal("invalid-command", "cannot decode the command: expected an object with a `type`")
    if name not in command:
        raise evident.Refusal("invalid-command", f"cannot decode the command: missing field `{name}`")
    value = command[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise evident.Refusal("invalid-command", f"cannot decode the command: `{name}` has the wrong type")
    return value


def _capacity(command: Any) -> int:
    capacity = _field(command, "capacity", int)
    if capacity < 1:
        raise evident.Refusal("validation", f"the capacity must be at least 1, not {capacity}")
    return capacity


Decider = evident.export_database_decider(CourseSubscriptions)

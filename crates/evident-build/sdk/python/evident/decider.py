"""Deciders that read the database (the WIT `decider` interface and the `database-decider`
world, `evident:db@0.4.0`).

Write one as a class with `decide`, which reads what it needs from the database and returns the
events to append:

    class Subscriptions(evident.DatabaseDecider):
        def decide(self, database, command, parameters):
            course = database.view_state("course-capacity", {"course": command["course"]})
            if course is None:
                raise evident.Refusal("no-such-course", "...")
            return [evident.Event(...)]

    Decider = evident.export_database_decider(Subscriptions)

(a plain function `decide(database, command, parameters)` may be exported too). The class is
instantiated, with no arguments, for each command. `database` is an `evident.Database`, valid
only during the call; `command` arrives decoded from JSON or CBOR into plain values;
`parameters` is an `evident.Parameters`. `decide` returns a list of `evident.Event`s or a
`Decision`, or refuses by raising `evident.Refusal(code, message, details)`.

A decision without a condition is appended under one the host derives from the reads the
decision made (it fails if an event any read selected was appended after the revision). Give
`Decision(events, AppendCondition(query, after))` to append under your own.
"""

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence, Union

from . import codes
from ._text import quote
from .change import REFUSED, decode_command, invalid_attribute
from .database import MAX_POSITION, Database, Query, as_query
from .errors import Refusal
from .event import Event
from .parameters import Parameters


@dataclass(frozen=True)
class AppendCondition:
    """Fails the append if an event `fail_if_events_match` (a `Query` or one `QueryItem`)
    selects has a position after `after` (after any position, if None): the Dynamic
    Consistency Boundary condition."""

    fail_if_events_match: Query
    after: Optional[int] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fail_if_events_match", as_query(self.fail_if_events_match))
        after = self.after
        if after is not None and (type(after) is not int or not 0 <= after <= MAX_POSITION):
            raise ValueError(f"a condition's `after` is a position (0..={MAX_POSITION}) or None, not {after!r}")

    def to_value(self) -> "dict[str, Any]":
        """The DCB JSON form, `{"failIfEventsMatch": query, "after": position}`."""
        value: "dict[str, Any]" = {"failIfEventsMatch": self.fail_if_events_match.to_value()}
        if self.after is not None:
            value["after"] = self.after
        return value


@dataclass(frozen=True)
class Decision:
    """What a command decided: the `events` to append, in order (none is a valid decision), and
    the `condition` to append them under (None: the host derives it from the reads)."""

    events: Sequence[Event] = ()
    condition: Optional[AppendCondition] = None

    def __post_init__(self) -> None:
        events = self.events
        if isinstance(events, Event) or not isinstance(events, (list, tuple)):
            raise TypeError(f"a decision's events are a list of evident.Event, not {events!r}")
        object.__setattr__(self, "events", tuple(events))
        if self.condition is not None and not isinstance(self.condition, AppendCondition):
            raise TypeError(f"a decision's condition is an evident.AppendCondition or None, not {self.condition!r}")


class DatabaseDecider:
    """A decider that reads the database; subclass it (see the module's documentation)."""

    def decide(
        self, database: Database, command: Any, parameters: Parameters
    ) -> Union[Sequence[Event], "Decision"]:
        """The events `command` causes, as a list of `evident.Event` or a `Decision`."""
        raise NotImplementedError(f"{type(self).__name__} does not define decide(self, database, command, parameters)")


def _decide_function(decider: Any) -> Callable[..., Any]:
    """What calls `decider` for one command: a new instance's `decide`, or the function."""
    if isinstance(decider, type):
        return lambda *arguments: decider().decide(*arguments)
    if callable(decider):
        return decider  # type: ignore[no-any-return]
    raise TypeError(f"a database decider is a class with decide() or a function, not {decider!r}")


def _name(decider: Any) -> str:
    return getattr(decider, "__name__", type(decider).__name__)


def as_decision(decider: Any, result: Any) -> Decision:
    """What `decide` returned as a checked `Decision`: a list of events is a decision without a
    condition; an event that is not a valid CloudEvent is refused with `invalid-event`."""
    if isinstance(result, Decision):
        decision = result
    elif isinstance(result, (list, tuple)) and not isinstance(result, Event):
        decision = Decision(tuple(result))
    else:
        raise TypeError(f"{_name(decider)}.decide must return a list of events or an evident.Decision, not {result!r}")
    for index, event in enumerate(decision.events):
        if not isinstance(event, Event):
            raise TypeError(f"{_name(decider)}.decide returned {event!r} where an evident.Event belongs")
        problem = invalid_attribute(event)
        if problem is not None:
            raise Refusal(
                codes.INVALID_EVENT,
                f"event {index} (id {quote(event.id)}) is not a valid CloudEvent: {problem}",
            )
    return decision


def decide(decider: Any, database: Any, command: Any, parameters: Any = None) -> Decision:
    """Runs `decider` (a `DatabaseDecider` class or a function) on `command` against `database`
    (an `evident.Database`, e.g. an `evident.testing.InMemoryDatabase`): what the component's
    `decide` does. `command` is an `evident.Command`, decoded by its content type (refused with
    `invalid-command` or `unsupported-content-type`), or a value already decoded. A refusal
    without a code is reported with the code `refused`."""
    if not isinstance(database, Database):
        database = Database(database)
    value = decode_command(command) if hasattr(command, "content_type") else command
    try:
        result = _decide_function(decider)(database, value, Parameters.of(parameters))
    except Refusal as refusal:
        if refusal.code is None:
            raise Refusal(REFUSED, refusal.message, refusal.details) from None
        raise
    return as_decision(decider, result)


__all__ = ["AppendCondition", "DatabaseDecider", "Decision", "as_decision", "decide"]

"""Testing deciders natively: `InMemoryDatabase`, a database over events and views held in memory
that records every read.

    database = InMemoryDatabase(
        events=[Event("c1", "/courses", "course.defined", json={...}, extensions={"course": "c1"})],
        views={"course-capacity": lambda parameters: {"course": parameters["course"], ...}},
    )
    decision = evident.decider.decide(Subscriptions, database, Command.json({...}))
    assert database.reads == [ViewRead("course-capacity", {"course": "c1"})]
    database.append_decision(decision)     # as the store would: duplicates and conditions checked

It goes through the same conversions as the host's database (queries become WIT records, events
come back as WIT records and are decoded), so what passes here reads the host's alike. Nothing
of this module is used in a component.
"""

from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Optional, Union

from . import view as _view
from .codec import Json
from .database import Database, NativeStoredEvent, Query, StoredEvent, as_query
from .event import Event
from .parameters import Parameters
from .records import State


@dataclass(frozen=True)
class QueryRead:
    """A `query_events` call: the query, `after` and `limit`, and how many events it returned."""

    query: Query
    after: int
    limit: int
    returned: Optional[int] = field(default=None, compare=False)


@dataclass(frozen=True)
class ViewRead:
    """A `view_state` call: the view's name, its parameters as a dict and the version asked
    for (None: the active one)."""

    name: str
    parameters: "dict[str, str]" = field(default_factory=dict)
    version: Optional[str] = None


class AppendRefused(Exception):
    """Why `append` wrote nothing."""


class DuplicateEvent(AppendRefused):
    """An event with the (`source`, `id`) of one in the log, or of another in the same append."""


class ConditionFailed(AppendRefused):
    """The append condition matched an event after its `after`: `position` is the first."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


class _Handle:
    """The WIT `database` functions over an `InMemoryDatabase`'s log and views."""

    def __init__(self, database: "InMemoryDatabase") -> None:
        self.database = database

    def revision(self) -> int:
        return self.database.head_at_revision()

    def query_events(self, query: Any, after: int, limit: int) -> List[NativeStoredEvent]:
        from .component import event_record  # Only natively: the component never tests.

        database = self.database
        query = Query.from_record(query)
        revision = database.head_at_revision()
        selected: List[NativeStoredEvent] = []
        for stored in database.log:
            if len(selected) >= limit or stored.position > revision:
                break
            if stored.position > after and query.matches(stored.event):
                selected.append(NativeStoredEvent(stored.position, event_record(stored.event)))
        database.reads.append(QueryRead(query, after, limit, len(selected)))
        return selected

    def view_state(self, name: str, version: Optional[str], parameters: Any) -> Optional[State]:
        database = self.database
        database.reads.append(ViewRead(name, dict(parameters), version))
        view = database.views.get((name, version)) if version is not None else None
        if view is None:
            view = database.views.get(name)
        if view is None:
            return None
        parameters = Parameters(parameters)
        if isinstance(view, State):
            return view
        if isinstance(view, type) and issubclass(view, _view.StateView):
            events = [stored.event for stored in database.log if stored.position <= database.head_at_revision()]
            state = _view.fold(view, events, parameters)
            return _view.encode(state)  # type: ignore[attr-defined]
        value = view(parameters)
        if value is None or isinstance(value, State):
            return value
        return State(Json.content_type, Json.encode(value))


class InMemoryDatabase(Database):
    """An `evident.Database` over a log and views in memory, for tests; it records every read
    in `reads` (`QueryRead`s and `ViewRead`s, in order).

    - `events`: the log, given positions 1, 2, ... in order (`append` adds more).
    - `views`: view name (or `(name, version)`) to what its state is: a function of the
      view's `Parameters` returning a plain value (stored as JSON), an `evident.State` or None
      (no such view); an `evident.State`; or a `StateView` class, folded over the log up to the
      revision under the parameters. A view not named is not registered: `view_state` is None.
    - `revision`: the position decisions read at; by default the last event of the log, so
      events appended later are read by the next decision.
    """

    def __init__(
        self,
        events: Iterable[Event] = (),
        views: Optional[Mapping[Any, Any]] = None,
        *,
        revision: Optional[int] = None,
    ) -> None:
        super().__init__(_Handle(self))
        self.log: List[StoredEvent] = []
        self.views: "dict[Any, Any]" = dict(views or {})
        self.revision_at = revision
        self.reads: List[Union[QueryRead, ViewRead]] = []
        self.append(events)

    def head(self) -> int:
        """The position of the last event of the log (0 when it is empty)."""
        return self.log[-1].position if self.log else 0

    def head_at_revision(self) -> int:
        return self.head() if self.revision_at is None else self.revision_at

    def events(self) -> List[Event]:
        """Every event of the log, in order."""
        return [stored.event for stored in self.log]

    def append(self, events: Iterable[Event], condition: Any = None) -> int:
        """Appends `events` as the store does, or refuses them all: `DuplicateEvent` if one has
        the (`source`, `id`) of another, `ConditionFailed` if `condition` (an
        `evident.AppendCondition`) matches an event after its `after`. Returns the new head."""
        events = list(events)
        for event in events:
            if not isinstance(event, Event):
                raise TypeError(f"the log holds evident.Events, not {event!r}")
        if condition is not None:
            query = as_query(condition.fail_if_events_match)
            after = condition.after or 0
            for stored in self.log:
                if stored.position > after and query.matches(stored.event):
                    raise ConditionFailed(
                        f"the condition matches event {stored.event.id!r} at position {stored.position}",
                        stored.position,
                    )
        seen = {(stored.event.source, stored.event.id) for stored in self.log}
        for event in events:
            key = (event.source, event.id)
            if key in seen:
                raise DuplicateEvent(f"an event with source {event.source!r} and id {event.id!r} is already there")
            seen.add(key)
        position = self.head()
        for event in events:
            position += 1
            self.log.append(StoredEvent(position, event))
        return position

    def append_decision(self, decision: Any) -> int:
        """Appends a decision's events under its condition (see `append`); a decision without a
        condition is appended without one (the host would derive one from the reads)."""
        return self.append(decision.events, decision.condition)

    def view_reads(self) -> List[ViewRead]:
        """The `ViewRead`s among `reads`."""
        return [read for read in self.reads if isinstance(read, ViewRead)]

    def query_reads(self) -> List[QueryRead]:
        """The `QueryRead`s among `reads`."""
        return [read for read in self.reads if isinstance(read, QueryRead)]

    def __repr__(self) -> str:
        return f"InMemoryDatabase({len(self.log)} events, views {sorted(map(str, self.views))})"


__all__ = [
    "AppendRefused", "ConditionFailed", "DuplicateEvent", "InMemoryDatabase", "QueryRead", "ViewRead",
]

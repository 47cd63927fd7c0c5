"""The database as a decision reads it (the WIT `database` interface, `evident:db@0.4.0`).

A decider of the `database-decider` world gets a `Database`: the event log and the
materialized views, both as of one position of the log, the decision's revision.

    database.revision()                                     # int: the position it reads at
    database.query_events(Query.of(types="course.defined", tags="course:c1"), 0, 100)
                                                            # [StoredEvent(position, event)]
    database.view_state("course-capacity", {"course": "c1"})  # the decoded state, or None

Events are selected with Dynamic Consistency Boundary queries: a `Query` is a list of
`QueryItem`s, OR'd; an item matches an event whose type is one of its `types` (any type when
there are none) and that carries every one of its `tags`; a `Tag` (`name:value`) matches an
event whose attribute `name` (`source`, `subject`, `dataschema` or an extension) has `value`.
A query with no items selects every event.

The host records every read: a decision that returns no append condition is appended under one
it derives from them. `evident.testing.InMemoryDatabase` is a `Database` over events and views
held in memory, for tests.
"""

from dataclasses import dataclass
from typing import Any, Iterator, List, Mapping, NamedTuple, Optional, Tuple, Union

#: What names the parameters of a view: a mapping, `evident.Parameters` or `(name, value)` pairs.
ParameterPairs = Union[Mapping[str, str], Any, None]

from . import codes
from ._text import quote
from .codec import CodecError, UnsupportedContentType, codec_for
from .errors import Refusal
from .event import Event, from_record
from .records import State

#: The largest position (`u64`) and limit (`u32`) the WIT functions take.
MAX_POSITION = (1 << 64) - 1
MAX_LIMIT = (1 << 32) - 1

#: How many events `iter_events` asks for per read.
PAGE = 1000

#: Attributes a tag cannot name (`type` is selected with an item's `types`).
_NOT_TAGGED = frozenset(("id", "type", "specversion", "datacontenttype", "time", "data", "data_base64"))


@dataclass(frozen=True)
class Tag:
    """`name:value`: matches an event whose attribute `name` (`source`, `subject`,
    `dataschema` or an extension attribute) equals `value`. `Tag.parse("course:c1")` reads the
    text form; the value may hold colons (`source:urn:shop`)."""

    name: str
    value: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not isinstance(self.value, str):
            raise TypeError(f"a tag's name and value are str, not ({self.name!r}, {self.value!r})")
        name = self.name
        if not (0 < len(name) <= 20 and all("a" <= c <= "z" or "0" <= c <= "9" for c in name)):
            raise ValueError(f"tag `{self}`: an attribute name is 1 to 20 lower-case letters and digits")
        if name in _NOT_TAGGED:
            raise ValueError(
                f"tag `{self}` names an attribute that is not a tag: tags are source, subject, "
                "dataschema and extension attributes (select types with `types`)"
            )

    @classmethod
    def parse(cls, text: str) -> "Tag":
        """The tag `name:value`."""
        if not isinstance(text, str):
            raise TypeError(f"a tag is a Tag or `name:value` text, not {text!r}")
        name, colon, value = text.partition(":")
        if not colon:
            raise ValueError(f"tag `{text}` is not `name:value`")
        return cls(name, value)

    @classmethod
    def of(cls, tag: Union["Tag", str]) -> "Tag":
        """`tag` as a `Tag`: itself, or parsed from `name:value` text."""
        return tag if isinstance(tag, Tag) else cls.parse(tag)

    def matches(self, event: Event) -> bool:
        """Whether `event`'s attribute `name` has this value."""
        name = self.name
        if name == "source":
            return event.source == self.value
        if name == "subject":
            return event.subject == self.value
        if name == "dataschema":
            return event.dataschema == self.value
        return event.extensions.get(name) == self.value

    def __str__(self) -> str:
        return f"{self.name}:{self.value}"


def _texts(values: Any, what: str) -> Tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    values = tuple(values)
    for value in values:
        if not isinstance(value, str):
            raise TypeError(f"a query item's {what} are str, not {value!r}")
    return values  # type: ignore[no-any-return]


@dataclass(frozen=True)
class QueryItem:
    """One way for an event to match: its type is one of `types` (any type if there are none)
    and it carries every tag of `tags`. Tags are `Tag`s or `name:value` text; a single type or
    tag may be given alone: `QueryItem("student.subscribed", "course:c1")`."""

    types: Any = ()
    tags: Any = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "types", _texts(self.types, "types"))
        tags = (self.tags,) if isinstance(self.tags, (str, Tag)) else self.tags
        object.__setattr__(self, "tags", tuple(Tag.of(tag) for tag in tags))

    def matches(self, event: Event) -> bool:
        """Whether `event` matches this item."""
        return (not self.types or event.type in self.types) and all(tag.matches(event) for tag in self.tags)

    def to_value(self) -> "dict[str, List[str]]":
        """The DCB JSON form, `{"types": [...], "tags": ["name:value", ...]}` (empty lists left
        out), as the store reads and writes it."""
        value: "dict[str, List[str]]" = {}
        if self.types:
            value["types"] = list(self.types)
        if self.tags:
            value["tags"] = [str(tag) for tag in self.tags]
        return value


@dataclass(frozen=True)
class Query:
    """The events that any of `items` selects; with no items, every event.

        Query([QueryItem(types="course.defined", tags="course:c1"),
               QueryItem(types="student.subscribed", tags="course:c1")])
        Query.of(types="course.defined", tags=["course:c1"])   # one item
        Query.all()                                             # every event
    """

    items: Any = ()

    def __post_init__(self) -> None:
        items = (self.items,) if isinstance(self.items, QueryItem) else tuple(self.items)
        for item in items:
            if not isinstance(item, QueryItem):
                raise TypeError(f"a query's items are QueryItems, not {item!r}")
        object.__setattr__(self, "items", items)

    @classmethod
    def of(cls, types: Any = (), tags: Any = ()) -> "Query":
        """The query of one item."""
        return cls((QueryItem(types, tags),))

    @classmethod
    def all(cls) -> "Query":
        """Every event of the log."""
        return cls(())

    def or_(self, item: QueryItem) -> "Query":
        """This query, also taking what `item` takes."""
        return Query(self.items + (item,))

    def matches(self, event: Event) -> bool:
        """Whether `event` matches."""
        return not self.items or any(item.matches(event) for item in self.items)

    def to_value(self) -> "dict[str, Any]":
        """The DCB JSON form, `{"items": [...]}`."""
        return {"items": [item.to_value() for item in self.items]}

    def to_record(self, records: Any) -> Any:
        """The WIT `query` record, made with the classes of `records`."""
        return records.Query(
            items=[
                records.QueryItem(
                    types=list(item.types),
                    tags=[records.Tag(name=tag.name, value=tag.value) for tag in item.tags],
                )
                for item in self.items
            ]
        )

    @classmethod
    def from_record(cls, record: Any) -> "Query":
        """A WIT `query` record as a `Query`."""
        return cls(tuple(
            QueryItem(tuple(item.types), tuple(Tag(tag.name, tag.value) for tag in item.tags))
            for item in record.items
        ))


def as_query(query: Union[Query, QueryItem]) -> Query:
    """`query` as a `Query` (a lone `QueryItem` is the query of that item)."""
    if isinstance(query, Query):
        return query
    if isinstance(query, QueryItem):
        return Query((query,))
    raise TypeError(f"a query is an evident.Query or QueryItem, not {query!r}")


class StoredEvent(NamedTuple):
    """An event with the position the log gave it (1 for the first event); unpacks as
    `(position, event)`."""

    position: int
    event: Event


@dataclass
class NativeTag:
    """Natively, the WIT `tag` record."""

    name: str
    value: str


@dataclass
class NativeQueryItem:
    """Natively, the WIT `query-item` record."""

    types: List[str]
    tags: List[NativeTag]


@dataclass
class NativeQuery:
    """Natively, the WIT `query` record."""

    items: List[NativeQueryItem]


@dataclass
class NativeStoredEvent:
    """Natively, the WIT `stored-event` record."""

    position: int
    event: object


class NativeRecords:
    """The classes a `Database` makes WIT query records with, natively: stand-ins with the
    generated classes' fields. In a component the export glue gives the generated ones."""

    Tag = NativeTag
    QueryItem = NativeQueryItem
    Query = NativeQuery


def _check_int(name: str, value: Any, maximum: int) -> int:
    if type(value) is not int:
        raise TypeError(f"{name} is an int, not {value!r}")
    if not 0 <= value <= maximum:
        raise ValueError(f"{name} is {value}, not within 0..={maximum}")
    return value


def parameter_pairs(parameters: ParameterPairs) -> List[Tuple[str, str]]:
    """`parameters` (a mapping, `evident.Parameters` or `(name, value)` pairs; None for none)
    as the list of pairs the host takes."""
    if parameters is None:
        return []
    if hasattr(parameters, "pairs") and callable(parameters.pairs):
        pairs = parameters.pairs()
    elif hasattr(parameters, "items"):
        pairs = parameters.items()
    else:
        pairs = parameters
    checked: List[Tuple[str, str]] = []
    for pair in pairs:
        name, value = pair
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"a parameter is a pair of str, not ({name!r}, {value!r})")
        checked.append((name, value))
    return checked


class Database:
    """The log and the views as of the decision's revision; what `decide` reads.

    It wraps the host's `database` resource (or, natively, anything with its three functions,
    as `evident.testing.InMemoryDatabase` has). It is valid only while `decide` runs: keep
    nothing that holds it.
    """

    __slots__ = ("_handle", "_records")

    def __init__(self, handle: Any, records: Any = NativeRecords) -> None:
        self._handle = handle
        self._records = records

    def revision(self) -> int:
        """The position the decision reads at: the last event of the log when it began."""
        return self._handle.revision()  # type: ignore[no-any-return]

    def query_events(self, query: Union[Query, QueryItem], after: int, limit: int) -> List[StoredEvent]:
        """The events `query` (a `Query` or one `QueryItem`) selects with positions after
        `after` and at or before the revision, in order, at most `limit` of them (the host
        lowers a larger limit to its cap), as a list of `StoredEvent(position, event)`. Fewer
        than `limit` events means the read reached the revision (`iter_events` reads them all).
        Each read costs fuel: a fixed amount and one unit per byte of the events returned."""
        query = as_query(query)
        _check_int("after", after, MAX_POSITION)
        _check_int("limit", limit, MAX_LIMIT)
        stored = self._handle.query_events(query.to_record(self._records), after, limit)
        return [StoredEvent(entry.position, from_record(entry.event)) for entry in stored]

    def iter_events(
        self, query: Union[Query, QueryItem], after: int = 0, page: int = PAGE
    ) -> Iterator[StoredEvent]:
        """Every event `query` selects after `after` up to the revision, read `page` at a time:
        an iterator of `StoredEvent(position, event)`. The host may return fewer events than a
        page asks (it caps pages by count and bytes), so reading stops only at an empty page or
        at the revision."""
        _check_int("page", page, MAX_LIMIT)
        if page == 0:
            raise ValueError("page must be at least 1")
        while True:
            events = self.query_events(query, after, page)
            yield from events
            if not events or events[-1].position >= self.revision():
                return
            after = events[-1].position

    def view_state_raw(
        self, name: str, parameters: ParameterPairs = None, version: Optional[str] = None
    ) -> Optional[State]:
        """The state of the materialized view `name` under `parameters` (a mapping or pairs) at
        the revision, of `version` (its semantic version as text) or of the active version if
        None, as an `evident.State` (bytes and content type); None if no such view is
        registered."""
        if not isinstance(name, str):
            raise TypeError(f"a view's name is a str, not {name!r}")
        if version is not None and not isinstance(version, str):
            raise TypeError(f"a view's version is a str or None, not {version!r}")
        state = self._handle.view_state(name, version, parameter_pairs(parameters))
        if state is None:
            return None
        return State(state.content_type, bytes(state.bytes), state.schema_id)

    def view_state(
        self, name: str, parameters: ParameterPairs = None, version: Optional[str] = None
    ) -> Any:
        """The state of the view `name` as `view_state_raw` reads it, decoded from JSON or CBOR
        as its content type says into plain values; None if no such view is registered (or it
        has "no state yet"). A state that does not decode is refused with `invalid-state`."""
        state = self.view_state_raw(name, parameters, version)
        if state is None or state.is_absent():
            return None
        try:
            codec = codec_for(state.content_type)
        except UnsupportedContentType:
            raise Refusal(
                codes.INVALID_STATE,
                f"the state of view {quote(name)} is {quote(state.content_type)}, neither JSON nor "
                "CBOR (read it with view_state_raw)",
            ) from None
        try:
            return codec.decode(state.bytes)
        except CodecError as e:
            raise Refusal(codes.INVALID_STATE, f"cannot decode the state of view {quote(name)}: {e}") from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._handle!r})"


__all__ = [
    "Database", "NativeRecords", "Query", "QueryItem", "StoredEvent", "Tag", "as_query",
    "parameter_pairs",
]

"""The CloudEvent as a view receives it and a change emits it."""

from collections.abc import Mapping
from datetime import datetime
from operator import itemgetter as _itemgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Optional, Tuple, Union

from . import _time, codes
from ._text import quote
from .codec import Cbor, Json
from .errors import Refusal

#: The only CloudEvents spec version events carry.
SPEC_VERSION = "1.0"

#: The extensions of an event that has none.
NO_EXTENSIONS: "MappingProxyType[str, str]" = MappingProxyType({})

_MISSING = object()
_new: Any = tuple.__new__

try:  # The C descriptor namedtuple's fields use: about twice as fast as a property.
    from collections import _tuplegetter as _at  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover (CPython has had it since 3.8)
    def _at(index: int, doc: str) -> Any:
        return property(_itemgetter(index), doc=doc)

if TYPE_CHECKING:
    _Tuple = Tuple[Any, ...]
else:
    _Tuple = tuple


class Event(_Tuple):
    """A CloudEvent (spec version 1.0): `id`, `source`, `specversion`, `type`,
    `datacontenttype`, `dataschema`, `subject`, `time` (an aware `datetime`), `data` (bytes)
    and `extensions` (a read-only mapping of name to text), each None when absent.

    Events are immutable. Build one with the three attributes every event has and any others
    by keyword; `json=value` sets `data` to `value` as compact JSON, object keys sorted (as the
    Rust SDK and the store's JSON form write them, so the data reads back as `data`, byte for
    byte), and `datacontenttype` to `application/json`:

        Event("tally-5", "/tally", "tally.added", json={"amount": 5, "total": 5})

    A view's `reduce` gets the events of a frame decoded with no copy it does not need; their
    `time` becomes a `datetime` only when read (`time_ns` has it to the nanosecond).
    """

    __slots__ = ()

    def __new__(cls, id: str, source: str, type: str, *, specversion: str = SPEC_VERSION,
                datacontenttype: Optional[str] = None, dataschema: Optional[str] = None,
                subject: Optional[str] = None, time: Optional[datetime] = None,
                data: Union[bytes, bytearray, memoryview, None] = None, json: Any = _MISSING,
                extensions: Union[Mapping[str, str], Iterable[Tuple[str, str]], None] = None) -> "Event":
        for name, value in (("id", id), ("source", source), ("type", type), ("specversion", specversion)):
            if not isinstance(value, str):
                raise TypeError(f"an event's {name} is a str, not {value!r}")
        optional = (("datacontenttype", datacontenttype), ("dataschema", dataschema), ("subject", subject))
        for name, value in optional:  # type: ignore[assignment]
            if value is not None and not isinstance(value, str):
                raise TypeError(f"an event's {name} is a str or None, not {value!r}")
        if json is not _MISSING:
            if data is not None:
                raise TypeError("give an event's data or its json, not both")
            data = Json.encode(json, sort_keys=True)
            if datacontenttype is None:
                datacontenttype = "application/json"
        elif data is not None:
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f"an event's data is bytes (or use json=...), not {data.__class__.__name__}")
            data = bytes(data)
        if time is not None:
            if not isinstance(time, datetime):
                raise TypeError(f"an event's time is an aware datetime, not {time!r}")
            time = _time.from_datetime(time)  # type: ignore[assignment]
        return _new(cls, (id, source, specversion, type, datacontenttype, dataschema,  # type: ignore[no-any-return]
                          subject, time, data, _extensions(extensions)))

    if TYPE_CHECKING:
        # What a type checker sees of the attributes below (read-only).
        @property
        def id(self) -> str: ...
        @property
        def source(self) -> str: ...
        @property
        def specversion(self) -> str: ...
        @property
        def type(self) -> str: ...
        @property
        def datacontenttype(self) -> Optional[str]: ...
        @property
        def dataschema(self) -> Optional[str]: ...
        @property
        def subject(self) -> Optional[str]: ...
        @property
        def _raw_time(self) -> Optional[_time.Raw]: ...
        @property
        def data(self) -> Optional[bytes]: ...
        @property
        def extensions(self) -> Mapping[str, str]: ...
    else:
        id = _at(0, "Unique within `source`.")
        source = _at(1, "Where the event happened (a URI reference).")
        specversion = _at(2, 'The CloudEvents version, "1.0".')
        type = _at(3, "What happened, e.g. `order.placed`.")
        datacontenttype = _at(4, "The media type of `data`; None means JSON.")
        dataschema = _at(5, "A URI naming the schema `data` follows.")
        subject = _at(6, "What the event is about, within `source`.")
        _raw_time = _at(7, "`time` as `(unix seconds, nanoseconds, offset seconds)`, or None.")
        data = _at(8, "The payload bytes, or None.")
        extensions = _at(9, "Extension attributes, name to text.")

    @property
    def time(self) -> Optional[datetime]:
        """When it happened, as an aware `datetime` in the offset it was written in."""
        raw = self._raw_time
        if raw is None:
            return None
        try:
            return _time.to_datetime(raw)
        except ValueError as e:
            message = f"event {quote(self.id)} has a time Python cannot hold: {e}"
            raise Refusal(codes.INVALID_EVENT, message) from None

    @property
    def time_ns(self) -> Optional[int]:
        """`time` as nanoseconds since the Unix epoch, or None."""
        raw = self._raw_time
        return None if raw is None else _time.unix_nanos(raw)

    @property
    def time_text(self) -> Optional[str]:
        """`time` as RFC 3339 text, as it crosses the component boundary, or None."""
        raw = self._raw_time
        return None if raw is None else _time.format_raw(raw)

    def data_json(self) -> Any:
        """`data` decoded as JSON; a refusal (no code) if it is absent or not JSON."""
        data = self.data
        if data is None:
            raise Refusal(None, "missing required attribute `data`")
        try:
            return Json.decode(data)
        except ValueError as e:
            raise Refusal(None, f"attribute `data` is not the JSON expected: {e}") from None

    def data_cbor(self) -> Any:
        """`data` decoded as CBOR; a refusal (no code) if it is absent or not CBOR."""
        data = self.data
        if data is None:
            raise Refusal(None, "missing required attribute `data`")
        try:
            return Cbor.decode(data)
        except ValueError as e:
            raise Refusal(None, f"attribute `data` is not the CBOR expected: {e}") from None

    def fields(self) -> Tuple[Any, ...]:
        """Every attribute, in the order of the WIT `event` record (`time` raw)."""
        return (self.id, self.source, self.specversion, self.type, self.datacontenttype,
                self.dataschema, self.subject, self._raw_time, self.data, self.extensions)

    def replace(self, **attributes: Any) -> "Event":
        """A copy with some attributes changed, by keyword as the constructor takes them."""
        current: dict[str, Any] = {
            "specversion": self.specversion, "datacontenttype": self.datacontenttype,
            "dataschema": self.dataschema, "subject": self.subject, "time": self.time,
            "data": self.data, "extensions": self.extensions,
        }
        if "json" in attributes:
            current["data"] = None
        current.update(attributes)
        id = current.pop("id", self.id)
        source = current.pop("source", self.source)
        type = current.pop("type", self.type)
        return Event(id, source, type, **current)

    def _key(self) -> Tuple[Any, ...]:
        fields = self.fields()
        return fields[:9] + (tuple(sorted(fields[9].items())),)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Event):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        parts = [repr(self.id), repr(self.source), repr(self.type)]
        if self.specversion != SPEC_VERSION:
            parts.append(f"specversion={self.specversion!r}")
        for name in ("datacontenttype", "dataschema", "subject"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        if self._raw_time is not None:
            parts.append(f"time={self.time_text!r}")
        if self.data is not None:
            parts.append(f"data={self.data!r}")
        if self.extensions:
            parts.append(f"extensions={dict(self.extensions)!r}")
        return f"Event({', '.join(parts)})"

    def __reduce__(self) -> Tuple[Any, ...]:
        fields = self.fields()
        return (_rebuild, (fields[:9] + (dict(fields[9]),),))


def _rebuild(fields: Tuple[Any, ...]) -> Event:
    """An event from `fields()` with a plain dict of extensions: how events are unpickled."""
    return _new(Event, fields[:9] + (_extensions(fields[9]),))  # type: ignore[no-any-return]


def _extensions(extensions: Any) -> "MappingProxyType[str, str]":
    if not extensions:
        return NO_EXTENSIONS
    pairs = extensions.items() if isinstance(extensions, Mapping) else extensions
    checked: dict[str, str] = {}
    for name, value in pairs:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"an extension is a pair of str, not ({name!r}, {value!r})")
        if name in checked:
            raise ValueError(f"the extension {name!r} is given twice")
        checked[name] = value
    return MappingProxyType(checked)


def from_fields(id: Any, source: Any, specversion: Any, type: Any, datacontenttype: Any, dataschema: Any,
                subject: Any, time: Any, data: Any, extensions: Any) -> Event:
    """An event from attributes already checked (time as `(seconds, nanos, offset)`, extensions
    a read-only mapping): how the SDK makes the events it decodes."""
    fields = (id, source, specversion, type, datacontenttype, dataschema, subject, time, data, extensions)
    return _new(Event, fields)  # type: ignore[no-any-return]


def from_record(record: Any) -> Event:
    """A WIT `event` record (or anything with its fields: `spec_version`, `time` as RFC 3339
    text, `extensions` as pairs) as an `evident.Event`: `time` parsed and extension names
    checked once, refused with `invalid-event` otherwise. How a component reads the events the
    host hands it one at a time."""
    time = record.time
    if time is not None:
        try:
            time = _time.parse_rfc3339(time)
        except ValueError as e:
            raise Refusal(
                codes.INVALID_EVENT,
                f"event {quote(record.id)} is not a valid CloudEvent: attribute `time` is "
                f"{quote(time)}, not an RFC 3339 timestamp ({e})",
            ) from None
    extensions = NO_EXTENSIONS
    if record.extensions:
        pairs: dict[str, str] = {}
        for name, value in record.extensions:
            if name in pairs:
                raise Refusal(codes.INVALID_EVENT, f"event {quote(record.id)} names extension `{name}` twice")
            pairs[name] = value
        extensions = MappingProxyType(pairs)
    data = record.data
    return from_fields(record.id, record.source, record.spec_version, record.type, record.datacontenttype,
                       record.dataschema, record.subject, time, None if data is None else bytes(data),
                       extensions)

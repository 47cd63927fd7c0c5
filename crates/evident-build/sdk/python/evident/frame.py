"""The event frame: many events as one byte string, as `state-view-batch.apply-events` gets them.

Layout, integers little-endian: a `u32` event count, then per event `id`, `source`,
`specversion`, `type`, `datacontenttype`?, `dataschema`?, `subject`?, `time`?, `data`? and the
extensions. A string or byte string is a `u32` length and the bytes; an absent optional one is
the length 0xffffffff. `time` is a flag byte (0 absent, 1 present), then `i64` Unix seconds,
`u32` nanoseconds and `i32` UTC offset seconds. Extensions are a `u32` pair count and the names
and values as strings.

`apply` checks structure only, as the Rust SDK does: lengths within the frame, UTF-8
strings, a representable `time`, extension names given once. The CloudEvents rules were checked
by the host when it read the events. Unlike the Rust SDK, it checks that `id`, `source`,
`datacontenttype` and `subject` are UTF-8 when they are read (see `FrameEvent`), not before:
many views never read them, and decoding every string was a third of the cost of an event.
"""

import struct
from typing import Any, Callable, Iterable, List, Optional, Union
from types import MappingProxyType

from . import _time, codes
from .errors import Refusal
from .event import NO_EXTENSIONS, Event

ABSENT = 0xFFFFFFFF

_u32 = struct.Struct("<I").unpack_from
_u32_pair = struct.Struct("<II").unpack_from
_time_fields = struct.Struct("<qIi").unpack_from
_time_and_length = struct.Struct("<qIiI").unpack_from
#: The `specversion` every event has, with its length, as the frame spells it.
_SPEC_1_0 = struct.pack("<I", 3) + b"1.0"
_SECONDS = range(_time.MIN_SECONDS, _time.MAX_SECONDS + 1)
_OFFSETS = range(-86399, 86400)
_new: Any = tuple.__new__


class FrameError(Refusal):
    """A malformed frame (code `invalid-frame`); `index` is the position of the event at fault
    (the event count, for bytes after the last event)."""

    def __init__(self, index: Optional[int], message: str) -> None:
        super().__init__(codes.INVALID_FRAME, message)
        self.index = index


class EventFailed(Exception):
    """The function `apply` called on event `index` raised `error`."""

    def __init__(self, index: int, error: BaseException) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


class _NotUtf8(FrameError):
    """A lazily read attribute that is not UTF-8; `apply` names the event it was read in."""

    def __init__(self, what: str) -> None:
        super().__init__(None, f"the event frame has a `{what}` that is not UTF-8")
        self.what = what


def _not_utf8(index: int, what: str) -> FrameError:
    return FrameError(index, f"the event frame's event {index} has a `{what}` that is not UTF-8")


def _lazy(field: int, what: str) -> Any:
    """A string attribute left in the frame until read: field `field` holds where its bytes
    start (just after their length), or None if it is absent."""

    def read(self: Any) -> Optional[str]:
        at = self[field]
        if at is None:
            return None
        frame = self[10]
        (length,) = _u32(frame, at - 4)
        try:
            return frame[at:at + length].decode()  # type: ignore[no-any-return]
        except UnicodeDecodeError:
            raise _NotUtf8(what) from None

    return property(read, doc=f"See `Event.{what}`; decoded from the frame when read.")


def _lazy_data(self: Any) -> Optional[bytes]:
    at = self[8]
    if at is None:
        return None
    frame = self[10]
    (length,) = _u32(frame, at - 4)
    return frame[at:at + length]  # type: ignore[no-any-return]


class FrameEvent(Event):
    """An event as a frame lends it to `reduce`: `id`, `source`, `datacontenttype`, `subject`
    and `data` stay in the frame until read (a view that never reads one never pays for it, and
    a read that finds a string not UTF-8 refuses with `invalid-frame`); `type`, `specversion`,
    `dataschema`, `time` and `extensions` are decoded as the frame is read.

    It keeps the whole frame alive: to keep an event beyond the call, keep `event.replace()`.
    """

    __slots__ = ()

    # Fields: 0 where id starts, 1 where source starts, 2 specversion, 3 type, 4 where
    # datacontenttype starts or None, 5 dataschema, 6 where subject starts or None, 7 time as
    # (seconds, nanos, offset, data length) or None, 8 where data starts or None, 9 extensions,
    # 10 the frame. A string or data starts just after its length.
    id = _lazy(0, "id")
    source = _lazy(1, "source")
    datacontenttype = _lazy(4, "datacontenttype")
    subject = _lazy(6, "subject")
    data = property(_lazy_data, doc="See `Event.data`; copied from the frame when read.")

    @property
    def _raw_time(self) -> Any:
        time = self[7]
        return None if time is None else time[:3]


class _Malformed(Exception):
    """Raised on the fast path; the event is then read again slowly to say exactly what is wrong."""


def apply(
    frame: Union[bytes, bytearray, memoryview],
    function: Callable[[Any, Any], Any],
    argument: Any,
    begin: Optional[Callable[[], Any]] = None,
) -> int:
    """Calls `function(event, argument)` for each event of `frame` in order, and `begin()` (if
    given) before reading each; returns how many events there were.

    Raises `FrameError` where the frame is malformed (after the events before it were applied),
    and `EventFailed` if `function` raised.
    """
    if type(frame) is not bytes:
        frame = bytes(frame)
    end = len(frame)
    if end < 4:
        raise FrameError(0, "the event frame is truncated in event 0 (event count)")
    (count,) = _u32(frame, 0)
    p = 4
    # Locals: every name below is looked up once per frame, not once per event.
    u32 = _u32
    u32_pair = _u32_pair
    time_and_length = _time_and_length
    is_spec_1_0 = frame.startswith
    spec_1_0 = _SPEC_1_0
    seconds_range = _SECONDS
    offsets = _OFFSETS
    new = _new
    cls = FrameEvent
    no_extensions = NO_EXTENSIONS
    for index in range(count):
        if begin is not None:
            begin()
        start = p
        try:
            (n,) = u32(frame, p)
            id_ = p + 4
            q = id_ + n
            (n,) = u32(frame, q)
            source = q + 4
            q = source + n
            if is_spec_1_0(spec_1_0, q):
                specversion = "1.0"
                p = q + 7
            else:
                (n,) = u32(frame, q)
                p = q + 4
                q = p + n
                specversion = frame[p:q].decode()
                p = q
            (n,) = u32(frame, p)
            p += 4
            q = p + n
            type_ = frame[p:q].decode()
            (n,) = u32(frame, q)
            p = q + 4
            if n == ABSENT:
                datacontenttype = None
            else:
                datacontenttype = p
                p += n
            # `dataschema` is seldom given: read its length and the next one at once.
            n, m = u32_pair(frame, p)
            if n == ABSENT:
                dataschema = None
                p += 8
            else:
                p += 4
                q = p + n
                dataschema = frame[p:q].decode()
                (m,) = u32(frame, q)
                p = q + 4
            if m == ABSENT:
                subject = None
            else:
                subject = p
                p += m
            flag = frame[p]
            if flag == 1:
                # The time and the data's length, in one read.
                time = time_and_length(frame, p + 1)
                seconds, nanos, offset, n = time
                p += 21
                if nanos >= 1_000_000_000 or offset not in offsets or seconds not in seconds_range:
                    if not _time.is_valid(seconds, nanos, offset):
                        raise _Malformed
            elif flag == 0:
                time = None
                (n,) = u32(frame, p + 1)
                p += 5
            else:
                raise _Malformed
            if n == ABSENT:
                data = None
            else:
                data = p
                p += n
            (n,) = u32(frame, p)
            p += 4
            if n:
                extensions, p = _extensions(frame, p, n)
            else:
                extensions = no_extensions
            if p > end:
                raise _Malformed
        except Exception:
            raise _diagnose(frame, start, index) from None
        event = new(cls, (id_, source, specversion, type_, datacontenttype, dataschema, subject,
                          time, data, extensions, frame))
        try:
            function(event, argument)
        except _NotUtf8 as error:
            raise _not_utf8(index, error.what) from None
        except Exception as error:
            raise EventFailed(index, error) from None
    if p != end:
        raise FrameError(count, f"the event frame has {end - p} bytes after its last event")
    return count  # type: ignore[no-any-return]


def _extensions(frame: bytes, p: int, count: int) -> Any:
    pairs = {}
    for _ in range(count):
        (n,) = _u32(frame, p)
        p += 4
        q = p + n
        name = frame[p:q].decode()
        (n,) = _u32(frame, q)
        p = q + 4
        q = p + n
        value = frame[p:q].decode()
        p = q
        if name in pairs:
            raise _Malformed
        pairs[name] = value
    return MappingProxyType(pairs), p


def decode(frame: Union[bytes, bytearray, memoryview]) -> List[Event]:
    """Every event of a frame, as a list."""
    events: List[Event] = []
    apply(frame, _append, events)
    return events


def _append(event: Event, events: List[Event]) -> None:
    events.append(event)


class _Reader:
    """Reads one event attribute by attribute, as the Rust SDK's frame reader does, to name
    what is wrong with it."""

    def __init__(self, frame: bytes, position: int, index: int):
        self.frame = frame
        self.position = position
        self.index = index

    def truncated(self, what: str) -> FrameError:
        return FrameError(self.index, f"the event frame is truncated in event {self.index} ({what})")

    def invalid(self, what: str) -> FrameError:
        return FrameError(self.index, f"the event frame's event {self.index} has an invalid `{what}`")

    def take(self, what: str, length: int) -> bytes:
        start = self.position
        end = start + length
        if end > len(self.frame):
            raise self.truncated(what)
        self.position = end
        return self.frame[start:end]

    def u32(self, what: str) -> int:
        return _u32(self.take(what, 4))[0]  # type: ignore[no-any-return]

    def string(self, what: str, optional: bool = False) -> Any:
        length = self.u32(what)
        if optional and length == ABSENT:
            return None
        raw = self.take(what, length)
        try:
            return raw.decode()
        except UnicodeDecodeError:
            raise _not_utf8(self.index, what) from None

    def event(self) -> Any:
        for what in ("id", "source", "specversion", "type"):
            self.string(what)
        for what in ("datacontenttype", "dataschema", "subject"):
            self.string(what, optional=True)
        flag = self.take("time", 1)[0]
        if flag == 1:
            seconds, nanos, offset = _time_fields(self.take("time", 16))
            if not _time.is_valid(seconds, nanos, offset):
                raise self.invalid("time")
        elif flag != 0:
            raise self.invalid("time")
        length = self.u32("data")
        if length != ABSENT:
            self.take("data", length)
        names = set()
        for _ in range(self.u32("extensions")):
            name = self.string("extension name")
            self.string("extension value")
            if name in names:
                raise self.invalid("extensions")
            names.add(name)


def _diagnose(frame: bytes, start: int, index: int) -> Any:
    try:
        _Reader(frame, start, index).event()
    except FrameError as error:
        return error
    return FrameError(index, f"the event frame's event {index} could not be read")


def encode(events: Iterable[Event]) -> bytes:
    """Writes `events` as one frame, as the host does (to test views natively)."""
    out = bytearray(struct.pack("<I", 0))
    count = 0
    for event in events:
        count += 1
        fields = event.fields()
        for index in range(4):
            _string(out, fields[index].encode())
        for index in (4, 5, 6):
            _optional(out, None if fields[index] is None else fields[index].encode())
        time = fields[7]
        if time is None:
            out.append(0)
        else:
            out.append(1)
            out += struct.pack("<qIi", *time)
        _optional(out, fields[8])
        out += struct.pack("<I", len(fields[9]))
        for name, value in fields[9].items():
            _string(out, name.encode())
            _string(out, value.encode())
    out[:4] = struct.pack("<I", count)
    return bytes(out)


def _string(out: bytearray, data: bytes) -> None:
    out += struct.pack("<I", len(data))
    out += data


def _optional(out: bytearray, data: Optional[bytes]) -> None:
    if data is None:
        out += struct.pack("<I", ABSENT)
    else:
        _string(out, data)

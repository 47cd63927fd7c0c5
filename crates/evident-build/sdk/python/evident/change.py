"""State changes: turn a command into events.

Write a change as a class whose instances are the state it decides on:

    class Tally(evident.StateChange):
        def __init__(self):
            self.total = 0

        def process(self, command, parameters):
            ...
            return [evident.Event(...)]

"No state yet" is `cls()`. `process` gets the command decoded from JSON or CBOR (as its content
type says) into plain values, and returns the events it causes, or refuses by raising
`evident.Refusal(code, message, details)`. It must depend on nothing but its inputs: the
database may call it again to replay or validate. `validate` tells whether `process` would
accept a command; by default it runs `process` with no parameters.

A class that is both a `StateView` and a `StateChange` is a decider: its view folds the events
its change emits back into the state the change decides on.
"""

import re
from typing import Any, Optional, Sequence, Type, TypeVar

from . import codes
from ._text import quote
from .codec import CodecError, UnsupportedContentType, decode_by_content_type
from .errors import Refusal
from .event import SPEC_VERSION, Event
from .parameters import Parameters
from .records import Command, State
from .stored import Stored, decode

_C = TypeVar("_C", bound="StateChange")

#: The code of a change's refusal that gave none.
REFUSED = "refused"


class StateChange(Stored):
    """A state change; subclass it (see the module's documentation)."""

    def process(self, command: Any, parameters: Parameters) -> Sequence[Event]:
        """The events `command` causes, as a list of `evident.Event`."""
        raise NotImplementedError(f"{type(self).__name__} does not define process(self, command, parameters)")

    def validate(self, command: Any) -> bool:
        """Whether `process` would accept `command`; by default it runs `process` with no
        parameters and discards the events."""
        try:
            self.process(command, Parameters())
        except Refusal:
            return False
        return True


def load(change: Type[_C], state: State) -> _C:
    """The change's state object from a stored state ("no state yet" is `change()`)."""
    return decode(change, state, change, "change")


def decode_command(command: Command) -> Any:
    """The command's bytes decoded by its content type: `invalid-command` or
    `unsupported-content-type` if they do not decode."""
    try:
        return decode_by_content_type(command.content_type, command.bytes)
    except UnsupportedContentType as e:
        raise Refusal(codes.UNSUPPORTED_CONTENT_TYPE, f"cannot decode the command: {e}") from None
    except CodecError as e:
        raise Refusal(codes.INVALID_COMMAND, f"cannot decode the command: {e}") from None


def process(change: "Type[StateChange]", state: State, command: Command, parameters: Any = None) -> "list[Event]":
    """Decodes state and command, runs `process` and checks the events: what the component's
    `process` does."""
    current = load(change, state)
    value = decode_command(command)
    try:
        events = current.process(value, Parameters.of(parameters))
    except Refusal as refusal:
        if refusal.code is None:
            raise Refusal(REFUSED, refusal.message, refusal.details) from None
        raise
    if isinstance(events, Event) or not isinstance(events, (list, tuple)):
        raise TypeError(f"{change.__name__}.process must return a list of events, not {events!r}")
    for index, event in enumerate(events):
        if not isinstance(event, Event):
            raise TypeError(f"{change.__name__}.process returned {event!r} where an evident.Event belongs")
        problem = invalid_attribute(event)
        if problem is not None:
            raise Refusal(
                codes.INVALID_EVENT,
                f"event {index} (id {quote(event.id)}) is not a valid CloudEvent: {problem}",
            )
    return list(events)


def validate(change: "Type[StateChange]", state: State, command: Command) -> bool:
    """Decodes state and command and runs `validate`: what the component's `validate` does. A
    command that does not decode is invalid; a state that does not decode is refused."""
    current = load(change, state)
    try:
        value = decode_command(command)
    except Refusal:
        return False
    return bool(current.validate(value))


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_EXTENSION_NAME = re.compile(r"[a-z0-9]+\Z")
_MEDIA_TYPE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*(;.*)?\Z", re.S)
_RESERVED = frozenset(
    ("id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time",
     "data", "data_base64")
)


def invalid_attribute(event: Event) -> Optional[str]:
    """What breaks the CloudEvents rules in an emitted event (as the Rust SDK words it), or
    None; the host checks every event again."""
    if event.specversion != SPEC_VERSION:
        return (
            f"attribute `specversion` is {quote(event.specversion)}; "
            f"only {quote(SPEC_VERSION)} is supported"
        )
    for name in ("id", "source", "type"):
        if not getattr(event, name):
            return f"attribute `{name}` must not be empty"
    if any(char.isspace() or char < " " or "\x7f" <= char <= "\x9f" for char in event.source):
        return "attribute `source` is not a URI reference (it contains whitespace)"
    for name in ("datacontenttype", "dataschema", "subject"):
        if getattr(event, name) == "":
            return f"attribute `{name}` must not be empty"
    content_type = event.datacontenttype
    if content_type is not None and not _MEDIA_TYPE.match(content_type):
        return f"attribute `datacontenttype` is {quote(content_type)}, not an RFC 2046 media type"
    schema = event.dataschema
    if schema is not None and not _SCHEME.match(schema):
        return f"attribute `dataschema` is {quote(schema)}, not an absolute URI"
    for name in event.extensions:
        if name in _RESERVED:
            return f"attribute `{name}` is a reserved attribute name and cannot be an extension"
        if not _EXTENSION_NAME.match(name):
            return f"attribute `{name}` is not a valid extension name (only a-z and 0-9 are allowed)"
    return None

"""What views and changes share: a state object the SDK stores between calls through a codec."""

import dataclasses
from typing import Any, Callable, Type, TypeVar, Union

from . import codes
from ._text import quote
from .codec import CborCodec, Json, JsonCodec
from .errors import Refusal
from .records import State

_S = TypeVar("_S", bound="Stored")


class Stored:
    """A state the SDK keeps between calls: `codec` (`evident.Json`, the default, or
    `evident.Cbor`) stores the plain value `to_value` gives, and `from_value` rebuilds the
    object from it.

    By default a dataclass is stored as its fields, in order, and any other object as its
    attributes (`vars(self)`); `from_value` gives them back (a dataclass through its
    constructor). Override both to store something else, e.g. a dict with sorted keys.

    The state must come back unchanged from `to_value`, the codec and `from_value`: a fold keeps
    the object in the instance across many events but restarts from a stored copy at checkpoints
    and when a frame fails, so what is not stored would make the result depend on where those
    fall.
    """

    codec: Union[JsonCodec, CborCodec] = Json

    def to_value(self) -> Any:
        """The state as a plain value for the codec."""
        if dataclasses.is_dataclass(self):
            return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        return dict(vars(self))

    @classmethod
    def from_value(cls: Type[_S], value: Any) -> _S:
        """The state from the plain value `to_value` gave."""
        if not isinstance(value, dict):
            raise ValueError(f"expected an object, not {value.__class__.__name__}")
        if dataclasses.is_dataclass(cls):
            return cls(**value)
        state = cls.__new__(cls)
        state.__dict__.update(value)
        return state


def decode(cls: Type[_S], state: State, start: Callable[[], _S], kind: str) -> _S:
    """The state object `state` holds; `start()` makes it for "no state yet". `kind` ("view" or
    "change") words the refusal of a state in another format."""
    content_type = state.content_type
    data = state.bytes
    if not content_type:
        if data:
            raise Refusal(
                codes.INVALID_STATE,
                f'the state has {len(data)} bytes but no content type ("no state yet" has no bytes)',
            )
        return start()
    codec = cls.codec
    if content_type != codec.content_type:
        raise Refusal(
            codes.INVALID_STATE,
            f"the state is {quote(content_type)} but this {kind} stores {quote(codec.content_type)}",
        )
    try:
        return cls.from_value(codec.decode(data))
    except Refusal:
        raise
    except Exception as e:
        raise Refusal(codes.INVALID_STATE, f"cannot decode the state: {e}") from None


def encode(state: Stored) -> State:
    """Stores a state object as a `State`."""
    codec = type(state).codec
    try:
        data = codec.encode(state.to_value())
    except Refusal:
        raise
    except Exception as e:
        raise Refusal(codes.UNENCODABLE_STATE, f"cannot encode the state: {e}") from None
    return State(codec.content_type, data)

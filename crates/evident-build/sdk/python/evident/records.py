"""States and commands as plain records: what crosses the component boundary, minus the
boundary, so views and changes can be run and tested natively."""

from dataclasses import dataclass
from typing import Any, Optional

from .codec import CBOR, JSON, Cbor, Json


@dataclass(frozen=True)
class State:
    """The stored state of a view or change: bytes labelled with their media type. The default,
    `State()`, is "no state yet" (no content type, no bytes)."""

    content_type: str = ""
    bytes: bytes = b""
    schema_id: Optional[str] = None

    def is_absent(self) -> bool:
        """Whether this is "no state yet": it has no content type."""
        return not self.content_type

    def value(self) -> Any:
        """The bytes decoded as the content type says (JSON or CBOR), to look at in tests."""
        if self.content_type == JSON:
            return Json.decode(self.bytes)
        if self.content_type == CBOR:
            return Cbor.decode(self.bytes)
        raise ValueError(f"a state of type {self.content_type!r} is neither JSON nor CBOR")


@dataclass(frozen=True)
class Command:
    """A request to change state: bytes labelled with their media type."""

    content_type: str
    bytes: bytes
    schema_id: Optional[str] = None

    @classmethod
    def json(cls, value: Any) -> "Command":
        """`value` as a JSON command, the form most callers write."""
        return cls(JSON, Json.encode(value))

    @classmethod
    def cbor(cls, value: Any) -> "Command":
        """`value` as a CBOR command."""
        return cls(CBOR, Cbor.encode(value))

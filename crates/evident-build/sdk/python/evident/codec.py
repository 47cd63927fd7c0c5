"""How a state (and a command) is turned into bytes and back: `Json` or `Cbor`, each labelled
with its media type.

A codec turns a plain value (None, bool, int, float, str, lists and dicts; bytes too for CBOR)
into bytes and back; a view's or a change's `to_value`/`from_value` turn the state object into
that plain value.
"""

import json as _json
from typing import Any, NoReturn, Union

from . import cbor as _cbor
from ._text import quote

JSON = "application/json"
CBOR = "application/cbor"


class CodecError(ValueError):
    """Bytes that do not decode, or a value that cannot be encoded, in a codec's format."""

    def __init__(self, format: str, message: str):
        super().__init__(f"{format}: {message}")
        self.format = format
        self.message = message


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


class JsonCodec:
    """JSON: readable, the default choice. Written compact (no spaces) and UTF-8 with non-ASCII
    characters as they are, escaping only what JSON requires, as serde_json writes it; dict keys
    keep their order. Floats are written as Python's `repr`, which reads back bit for bit (it
    may differ from serde_json's spelling, as `1e+16` for `1e16`). NaN and infinities cannot be
    encoded."""

    content_type = JSON

    def encode(self, value: Any, sort_keys: bool = False) -> bytes:
        """The JSON text of `value`, as UTF-8; with `sort_keys`, objects' keys sorted as
        serde_json writes a map."""
        try:
            text = _json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                               sort_keys=sort_keys)
            return text.encode("utf-8")
        except (TypeError, ValueError, RecursionError) as e:
            raise CodecError(JSON, str(e)) from None

    def decode(self, data: Union[bytes, bytearray, memoryview]) -> Any:
        """The value of JSON text in UTF-8; NaN and infinities are refused."""
        try:
            return _json.loads(bytes(data).decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, RecursionError) as e:
            raise CodecError(JSON, str(e)) from None

    def __repr__(self) -> str:
        return "Json"


class CborCodec:
    """CBOR: compact, and holds bytes; for large or binary states."""

    content_type = CBOR

    def encode(self, value: Any) -> bytes:
        """The CBOR encoding of `value`."""
        try:
            return _cbor.dumps(value)
        except (_cbor.CBORError, RecursionError) as e:
            raise CodecError(CBOR, str(e)) from None

    def decode(self, data: Union[bytes, bytearray, memoryview]) -> Any:
        """The value of one CBOR item."""
        try:
            return _cbor.loads(data)
        except (_cbor.CBORError, RecursionError) as e:
            raise CodecError(CBOR, str(e)) from None

    def __repr__(self) -> str:
        return "Cbor"


#: The JSON codec.
Json = JsonCodec()
#: The CBOR codec.
Cbor = CborCodec()


class UnsupportedContentType(ValueError):
    """A command in a format that is neither JSON nor CBOR."""

    def __init__(self, content_type: str):
        super().__init__(
            f"content type {quote(content_type)} is not supported (use {JSON} or {CBOR})"
        )
        self.content_type = content_type


def codec_for(content_type: str) -> Union[JsonCodec, CborCodec]:
    """The codec a media type names (`application/json` or `application/cbor`, parameters after
    `;` ignored, case-insensitive); `UnsupportedContentType` otherwise."""
    essence = content_type.split(";", 1)[0].strip().lower()
    if essence == JSON:
        return Json
    if essence == CBOR:
        return Cbor
    raise UnsupportedContentType(content_type)


def decode_by_content_type(content_type: str, data: Union[bytes, bytearray, memoryview]) -> Any:
    """Decodes bytes with the codec their media type names, so a command may come in either
    format."""
    return codec_for(content_type).decode(data)

"""CBOR (RFC 8949) in pure Python, since a component cannot bundle C extensions.

`dumps` writes the preferred serialisation: the shortest head for every length and integer, and
each float in the shortest of half, single or double precision that holds it exactly (as the
Rust SDK's CBOR does). `loads` reads any well-formed item, indefinite lengths included; bignum
tags (2, 3) become ints, other tags are dropped and their content kept.
"""

import math
import struct
from typing import Any, Optional, Union

_HALF = struct.Struct(">e")
_SINGLE = struct.Struct(">f")
_DOUBLE = struct.Struct(">d")
_U8 = struct.Struct(">B")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")

#: How deeply arrays and maps may nest, as ciborium's default limit.
MAX_DEPTH = 256


class CBORError(ValueError):
    """Bytes that are not one well-formed CBOR item, or a value CBOR cannot encode."""


def dumps(value: Any) -> bytes:
    """Encodes `value`: None, bool, int, float, str, bytes, and lists, tuples and dicts of these."""
    out = bytearray()
    _encode(value, out, 0)
    return bytes(out)


def _head(major: int, number: int, out: bytearray) -> None:
    major <<= 5
    if number < 24:
        out.append(major | number)
    elif number < 0x100:
        out.append(major | 24)
        out.append(number)
    elif number < 0x10000:
        out.append(major | 25)
        out += _U16.pack(number)
    elif number < 0x100000000:
        out.append(major | 26)
        out += _U32.pack(number)
    else:
        out.append(major | 27)
        out += _U64.pack(number)


def _encode(value: Any, out: bytearray, depth: int) -> None:
    kind = type(value)
    if kind is str:
        try:
            text = value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise CBORError(f"a string is not valid Unicode ({e.reason})") from None
        _head(3, len(text), out)
        out += text
    elif kind is int or (isinstance(value, int) and kind is not bool):
        _integer(int(value), out)
    elif value is None:
        out.append(0xF6)
    elif kind is bool:
        out.append(0xF5 if value else 0xF4)
    elif kind is float or isinstance(value, float):
        _float(float(value), out)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        _head(2, len(data), out)
        out += data
    elif isinstance(value, (list, tuple)):
        if depth >= MAX_DEPTH:
            raise CBORError(f"values nest deeper than {MAX_DEPTH}")
        _head(4, len(value), out)
        for item in value:
            _encode(item, out, depth + 1)
    elif isinstance(value, dict):
        if depth >= MAX_DEPTH:
            raise CBORError(f"values nest deeper than {MAX_DEPTH}")
        _head(5, len(value), out)
        for key, item in value.items():
            _encode(key, out, depth + 1)
            _encode(item, out, depth + 1)
    else:
        raise CBORError(f"cannot encode a {kind.__name__} as CBOR")


def _integer(number: int, out: bytearray) -> None:
    if 0 <= number < 1 << 64:
        _head(0, number, out)
    elif -(1 << 64) <= number < 0:
        _head(1, -1 - number, out)
    else:
        tag, magnitude = (2, number) if number > 0 else (3, -1 - number)
        data = magnitude.to_bytes((magnitude.bit_length() + 7) // 8, "big")
        _head(6, tag, out)
        _head(2, len(data), out)
        out += data


def _float(number: float, out: bytearray) -> None:
    if math.isnan(number):
        out += b"\xf9\x7e\x00"
        return
    for head, packer in ((0xF9, _HALF), (0xFA, _SINGLE)):
        try:
            packed = packer.pack(number)
        except (OverflowError, struct.error):
            continue
        if packer.unpack(packed)[0] == number:
            out.append(head)
            out += packed
            return
    out.append(0xFB)
    out += _DOUBLE.pack(number)


def loads(data: Union[bytes, bytearray, memoryview]) -> Any:
    """Decodes one CBOR item that takes all of `data`."""
    data = bytes(data)
    decoder = _Decoder(data)
    value = decoder._value(0)
    if decoder.position != len(data):
        raise CBORError(f"{len(data) - decoder.position} bytes after the item, at byte {decoder.position}")
    return value


_BREAK = object()


class _Decoder:
    __slots__ = ("data", "position")

    def __init__(self, data: bytes):
        self.data = data
        self.position = 0

    def _take(self, length: int) -> bytes:
        start = self.position
        end = start + length
        if end > len(self.data):
            raise CBORError(f"the data ends inside an item (at byte {start}, {length} more needed)")
        self.position = end
        return self.data[start:end]

    def _argument(self, info: int) -> Any:
        if info < 24:
            return info
        if info == 24:
            return self._take(1)[0]
        if info == 25:
            return _U16.unpack(self._take(2))[0]
        if info == 26:
            return _U32.unpack(self._take(4))[0]
        if info == 27:
            return _U64.unpack(self._take(8))[0]
        if info == 31:
            return None
        raise CBORError(f"reserved additional information {info} at byte {self.position - 1}")

    def item(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise CBORError(f"items nest deeper than {MAX_DEPTH}")
        at = self.position
        initial = self._take(1)[0]
        major, info = initial >> 5, initial & 0x1F
        if major == 7:
            return self._simple(info, at)
        argument = self._argument(info)
        if major == 0:
            return self._definite(argument, at)
        if major == 1:
            return -1 - self._definite(argument, at)
        if major in (2, 3):
            if argument is None:
                chunk = self._chunks(major, depth)
            else:
                chunk = self._take(argument)
            if major == 2:
                return chunk
            try:
                return chunk.decode("utf-8")
            except UnicodeDecodeError:
                raise CBORError(f"the text string at byte {at} is not UTF-8") from None
        if major == 4:
            items: list[Any] = []
            if argument is None:
                while True:
                    item = self.item(depth + 1)
                    if item is _BREAK:
                        return items
                    items.append(item)
            for _ in range(argument):
                items.append(self._value(depth + 1))
            return items
        if major == 5:
            mapping: dict[Any, Any] = {}
            count = argument
            while count is None or count > 0:
                key = self.item(depth + 1)
                if key is _BREAK:
                    if count is None:
                        return mapping
                    raise CBORError(f"a break code inside the map at byte {at}")
                mapping[_hashable(key, at)] = self._value(depth + 1)
                if count is not None:
                    count -= 1
            return mapping
        tag = self._definite(argument, at)
        content = self._value(depth + 1)
        if tag in (2, 3):
            if not isinstance(content, bytes):
                raise CBORError(f"the bignum at byte {at} is not a byte string")
            number = int.from_bytes(content, "big")
            return number if tag == 2 else -1 - number
        return content

    def _value(self, depth: int) -> Any:
        value = self.item(depth)
        if value is _BREAK:
            raise CBORError(f"an unexpected break code at byte {self.position - 1}")
        return value

    def _definite(self, argument: Optional[int], at: int) -> int:
        if argument is None:
            raise CBORError(f"an indefinite length where a number belongs, at byte {at}")
        return argument

    def _chunks(self, major: int, depth: int) -> bytes:
        parts: list[bytes] = []
        while True:
            at = self.position
            chunk = self.item(depth + 1)
            if chunk is _BREAK:
                break
            if not isinstance(chunk, bytes if major == 2 else str):
                raise CBORError(f"a chunk of another type inside an indefinite string, at byte {at}")
            parts.append(chunk if major == 2 else chunk.encode("utf-8"))  # type: ignore[arg-type, union-attr]
        return b"".join(parts)

    def _simple(self, info: int, at: int) -> Any:
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):
            return None
        if info == 25:
            return _HALF.unpack(self._take(2))[0]
        if info == 26:
            return _SINGLE.unpack(self._take(4))[0]
        if info == 27:
            return _DOUBLE.unpack(self._take(8))[0]
        if info == 31:
            return _BREAK
        if info == 24:
            self._take(1)
        raise CBORError(f"unsupported simple value at byte {at}")


def _hashable(key: Any, at: int) -> Any:
    if isinstance(key, list):
        return tuple(_hashable(item, at) for item in key)
    if isinstance(key, dict):
        raise CBORError(f"a map used as a map key, at byte {at}")
    return key

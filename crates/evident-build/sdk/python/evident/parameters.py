"""The `name=value` parameters a view or a change is configured with."""

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Optional, Tuple, TypeVar, Union, overload

from . import codes
from ._text import quote
from .errors import Refusal

_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_FLOAT = re.compile(
    r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z|[+-]?(?:inf|infinity|nan)\Z", re.I
)

_D = TypeVar("_D")

if TYPE_CHECKING:
    _Base = Mapping[str, str]
else:
    _Base = Mapping


class Parameters(_Base):
    """The parameters, in the order given: a read-only mapping from name to value (the last
    one wins if a name is given twice), with typed accessors that refuse a bad value with the
    code `invalid-parameter`.

    Build one from `(name, value)` pairs or a dict: `Parameters({"prefix": "shop."})`.
    `get(name, default=None)` is the value of `name`, or `default` if it is not given.
    """

    # `get` is the dict's own method, set per instance: views call it on every event.
    __slots__ = ("_pairs", "_last", "_integers", "get")
    _pairs: Tuple[Tuple[str, str], ...]
    _last: dict[str, str]
    _integers: dict[Tuple[str, Optional[int], Optional[int]], int]

    def __init__(self, pairs: Union["Parameters", Mapping[str, str], Iterable[Tuple[str, str]]] = ()) -> None:
        if isinstance(pairs, Parameters):
            pairs = pairs._pairs
        elif isinstance(pairs, Mapping):
            pairs = pairs.items()
        checked: list[Tuple[str, str]] = []
        for name, value in pairs:
            if not isinstance(name, str) or not isinstance(value, str):
                raise TypeError(f"a parameter is a pair of str, not ({name!r}, {value!r})")
            checked.append((name, value))
        self._pairs = tuple(checked)
        self._last = dict(checked)
        self._integers = {}
        self.get = self._last.get  # type: ignore[method-assign]

    @classmethod
    def of(
        cls, parameters: Union["Parameters", Mapping[str, str], Iterable[Tuple[str, str]], None]
    ) -> "Parameters":
        """`parameters` as `Parameters` (None is none)."""
        if isinstance(parameters, Parameters):
            return parameters
        return cls(() if parameters is None else parameters)

    def __getitem__(self, name: str) -> str:
        return self._last[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._last)

    def __len__(self) -> int:
        return len(self._last)

    def __contains__(self, name: object) -> bool:
        return name in self._last

    def pairs(self) -> Tuple[Tuple[str, str], ...]:
        """Every `(name, value)` in the order given, repeats included, as the host sent them."""
        return self._pairs

    @overload
    def get_bool(self, name: str) -> Optional[bool]: ...
    @overload
    def get_bool(self, name: str, default: _D) -> Union[bool, _D]: ...

    def get_bool(self, name: str, default: Any = None) -> Any:
        """`name` as a bool: exactly "true" or "false"; `default` if it is not given."""
        raw = self._last.get(name)
        if raw is None:
            return default
        if raw == "true":
            return True
        if raw == "false":
            return False
        raise self._invalid(name, raw, "provided string was not `true` or `false`")

    @overload
    def get_int(
        self, name: str, *, minimum: Optional[int] = None, maximum: Optional[int] = None
    ) -> Optional[int]: ...
    @overload
    def get_int(
        self, name: str, default: _D, *, minimum: Optional[int] = None, maximum: Optional[int] = None
    ) -> Union[int, _D]: ...

    def get_int(
        self, name: str, default: Any = None, *, minimum: Optional[int] = None, maximum: Optional[int] = None
    ) -> Any:
        """`name` as an integer in decimal (an optional sign, then digits), within `minimum`
        and `maximum` if given; `default` if it is not given."""
        raw = self._last.get(name)
        if raw is None:
            return default
        key = (name, minimum, maximum)
        value = self._integers.get(key)
        if value is not None:
            return value
        if not _INTEGER.match(raw):
            raise self._invalid(name, raw, "not an integer")
        value = int(raw)
        if minimum is not None and value < minimum:
            raise self._invalid(name, raw, f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise self._invalid(name, raw, f"must be at most {maximum}")
        self._integers[key] = value
        return value

    @overload
    def get_float(self, name: str) -> Optional[float]: ...
    @overload
    def get_float(self, name: str, default: _D) -> Union[float, _D]: ...

    def get_float(self, name: str, default: Any = None) -> Any:
        """`name` as a float (decimal or exponent notation, `inf`, `nan`); `default` if it is
        not given."""
        raw = self._last.get(name)
        if raw is None:
            return default
        if not _FLOAT.match(raw):
            raise self._invalid(name, raw, "not a number")
        return float(raw)

    @staticmethod
    def _invalid(name: str, raw: str, reason: str) -> Refusal:
        return Refusal(codes.INVALID_PARAMETER, f"parameter `{name}` is {quote(raw)}: {reason}")

    def __repr__(self) -> str:
        return f"Parameters({list(self._pairs)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Parameters):
            return self._pairs == other._pairs
        return Mapping.__eq__(self, other)

    def __hash__(self) -> int:
        return hash(self._pairs)

"""Refusals: the typed error a view or a change raises to say no, with a code callers match on."""

import json as _json
from typing import Any, Optional


class Refusal(Exception):
    """Why a view or a change refused: a `code` callers match on, a `message` for people and
    optional machine-readable `details` (bytes).

    A view may refuse without a code (`code=None`): the host then reports the bare message.
    A state change always refuses with one; a `Refusal` without a code raised by `process` is
    reported with the code `refused`. `details` may be bytes, text (sent as UTF-8) or any value
    JSON can encode (sent as compact JSON).
    """

    def __init__(self, code: Optional[str], message: str, details: Any = None) -> None:
        if code is not None and not isinstance(code, str):
            raise TypeError(f"a refusal's code is a str or None, not {type(code).__name__}")
        if not isinstance(message, str):
            raise TypeError(f"a refusal's message is a str, not {type(message).__name__}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.details: Optional[bytes] = _as_details(details)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        details = "" if self.details is None else f", details={self.details!r}"
        return f"Refusal({self.code!r}, {self.message!r}{details})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Refusal):
            return NotImplemented
        return (self.code, self.message, self.details) == (other.code, other.message, other.details)

    __hash__ = Exception.__hash__


def _as_details(details: Any) -> Optional[bytes]:
    if details is None or isinstance(details, bytes):
        return details
    if isinstance(details, (bytearray, memoryview)):
        return bytes(details)
    if isinstance(details, str):
        return details.encode("utf-8")
    return _json.dumps(details, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def as_refusal(error: BaseException) -> Refusal:
    """`error` as a refusal: itself if it is one, else a refusal without a code naming the
    exception's type and text (how a view reports an exception it did not mean to raise)."""
    if isinstance(error, Refusal):
        return error
    text = str(error)
    name = type(error).__name__
    return Refusal(None, f"{name}: {text}" if text else name)


def traceback_text(error: BaseException) -> str:
    """Where `error` was raised, as Python prints it, for the debug log."""
    try:
        import traceback  # Only on errors: a component need not carry it otherwise.
    except ImportError:
        # A component holds only the modules imported while it was built, so there it is not
        # importable: walk the frames by hand (without the source lines).
        lines = ["Traceback (most recent call last):\n"]
        frame = error.__traceback__
        while frame is not None:
            code = frame.tb_frame.f_code
            lines.append(f'  File "{code.co_filename}", line {frame.tb_lineno}, in {code.co_name}\n')
            frame = frame.tb_next
        text = str(error)
        lines.append(f"{type(error).__name__}: {text}\n" if text else f"{type(error).__name__}\n")
        return "".join(lines)
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


__all__ = ["Refusal", "as_refusal", "traceback_text"]

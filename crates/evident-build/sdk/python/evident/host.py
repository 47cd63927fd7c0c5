"""What a guest tells the host as it goes: log lines (`logging`), which event of a frame it is at
(`frame-progress`) and the code of the refusal it is about to return (`refusal`).

Inside a component the export glue (`evident.component`) connects these to the component's
imports. Natively nothing is connected: log lines go to Python's `logging` (logger `evident`,
so tests can use `assertLogs("evident")`), and progress and refusal codes are dropped.
"""

from typing import Any, Callable, Optional

#: The WIT `log-level`s, most severe first, as the SDK names them.
LEVELS = ("error", "warn", "info", "debug", "trace")

#: Python `logging` levels of the WIT levels (trace is below DEBUG).
_NATIVE_LEVELS = {"error": 40, "warn": 30, "info": 20, "debug": 10, "trace": 5}


def _native_log(level: str, message: str) -> None:
    # Imported here: a component never logs natively, so it need not carry `logging`.
    import logging

    logging.getLogger("evident").log(_NATIVE_LEVELS[level], "%s", message)


#: Writes one log line: `(level, message)`. The component glue replaces it.
log_sink: Callable[[str, str], None] = _native_log
#: Tells the host the next event of a frame starts, or None (natively, or in a world without
#: `frame-progress`).
begin_event: Optional[Callable[[], None]] = None
#: Gives the host a refusal's code and details before the export returns its bare message.
refuse_sink: Optional[Callable[[Any], None]] = None


def log(level: str, message: str) -> None:
    """Writes one line to the host's log at `level` (one of `LEVELS`)."""
    if level not in _NATIVE_LEVELS:
        raise ValueError(f"log level {level!r} is not one of {', '.join(LEVELS)}")
    log_sink(level, str(message))


def refuse(refusal: Any) -> None:
    """Hands a refusal that has a code to the host, so it reports the code with the message."""
    if refuse_sink is not None and refusal.code is not None:
        refuse_sink(refusal)


def connect(
    log: Optional[Callable[[str, str], None]] = None,
    begin: Optional[Callable[[], None]] = None,
    refuse: Optional[Callable[[Any], None]] = None,
) -> None:
    """Routes log lines, frame progress and refusal codes to a component's imports."""
    global log_sink, begin_event, refuse_sink
    if log is not None:
        log_sink = log
    begin_event = begin
    refuse_sink = refuse

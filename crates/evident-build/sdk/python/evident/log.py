"""Logging from a guest to the host's log, which tags each line with the component's name.

`evident.info("...")` and its siblings are what authors call; natively the lines go to Python's
`logging` module under the logger `evident`.
"""

from . import host


def log(level: str, message: str) -> None:
    """Writes one line at `level`: "error", "warn", "info", "debug" or "trace"."""
    host.log(level, message)


def error(message: str) -> None:
    """Logs a failure."""
    host.log_sink("error", str(message))


def warn(message: str) -> None:
    """Logs something that looks wrong."""
    host.log_sink("warn", str(message))


def info(message: str) -> None:
    """Logs something worth knowing in normal operation."""
    host.log_sink("info", str(message))


def debug(message: str) -> None:
    """Logs detail for whoever debugs the component."""
    host.log_sink("debug", str(message))


def trace(message: str) -> None:
    """Logs fine-grained detail."""
    host.log_sink("trace", str(message))

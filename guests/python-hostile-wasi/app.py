"""A hostile Python guest, on the Evident Python SDK: each event's type names a capability it
reaches for (`file`, `socket`, `clock`, `env`, `random`; `print` writes to stdout, which the
host logs, and `print-flood` 3,000 lines of it); the state it returns says what it got. Under the host's deny-all WASI mode it must
get a denial, or a pinned value, never the resource.
"""

import json
import os
import time

import evident


def attempt(kind: str) -> str:
    """What reaching for `kind` gave."""
    if kind == "file":
        try:
            with open("/etc/passwd") as f:
                return "read: " + f.read(64)
        except Exception as e:
            return f"denied: {type(e).__name__}"
    if kind == "socket":
        try:
            import socket

            socket.create_connection(("127.0.0.1", 80), timeout=1)
            return "connected"
        except Exception as e:
            return f"denied: {type(e).__name__}"
    if kind == "clock":
        return repr(time.time())
    if kind == "env":
        return json.dumps(dict(os.environ))
    if kind == "random":
        return os.urandom(8).hex()
    if kind == "print":
        print("hello from python on stdout", flush=True)
        return "printed"
    if kind == "print-flood":
        for i in range(3000):
            print(f"flood {i}", flush=True)
        return "flooded"
    return "nothing tried"


class Outcome(evident.StateView):
    """The last capability tried, and what it gave: `{"tried": ..., "got": ...}`."""

    def reduce(self, event: evident.Event, parameters: evident.Parameters) -> None:
        self.tried = event.type
        self.got = attempt(event.type)


StateView, StateViewBatch = evident.export_view(Outcome)

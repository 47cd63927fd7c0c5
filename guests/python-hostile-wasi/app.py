"""A hostile Python guest: each event's type names a capability it reaches for (`file`,
`socket`, `clock`, `env`, `random`; `print` writes to stdout, which the host logs); the state it returns says what it got. Under the host's
deny-all WASI mode it must get a denial, or a pinned value, never the resource.
"""

import json
import os
import time

from wit_world import exports
from wit_world.imports.types import State


def attempt(kind: str) -> str:
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
    return "nothing tried"


class StateView(exports.StateView):
    def initialize(self, parameters):
        return State(content_type="application/json", schema_id=None, bytes=b"{}")

    def reduce(self, state, event, parameters):
        outcome = json.dumps({"tried": event.type, "got": attempt(event.type)})
        return State(content_type="application/json", schema_id=None, bytes=outcome.encode())

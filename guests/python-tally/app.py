"""A state change in Python: `{"type": "add", "amount": n}` adds to a tally and emits
`tally.added`; the same events, byte for byte, as guests/js-tally.
"""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports.types import Error, Event

JSON = "application/json"


def refuse(code: str, message: str):
    return Err(Error(code=code, message=message, details=None))


def total(state) -> int:
    if not state.content_type and not state.bytes:
        return 0
    return json.loads(state.bytes)["total"]


def check(state, command) -> int:
    if command.content_type != JSON:
        raise refuse("unsupported-format", f"commands are {JSON}, not {command.content_type}")
    body = json.loads(command.bytes)
    if body.get("type") != "add":
        raise refuse("unknown-command", f"unknown command {body.get('type')!r}")
    amount = body.get("amount")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise refuse("invalid-amount", "amount must be a positive integer")
    return amount


class StateChange(exports.StateChange):
    def process(self, state, command, parameters):
        amount = check(state, command)
        after = total(state) + amount
        data = json.dumps({"amount": amount, "total": after}, separators=(",", ":"))
        return [
            Event(
                id=f"tally-{after}",
                source=dict(parameters).get("source", "/tally"),
                spec_version="1.0",
                type="tally.added",
                datacontenttype=JSON,
                dataschema=None,
                subject=None,
                time=None,
                data=data.encode("utf-8"),
                extensions=[],
            )
        ]

    def validate(self, state, command):
        try:
            check(state, command)
            return True
        except Err:
            return False

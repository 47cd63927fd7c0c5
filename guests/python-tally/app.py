"""A state change in Python, on the Evident Python SDK: `{"type": "add", "amount": n}` adds to a
tally and emits `tally.added`, the same events byte for byte and the same refusal codes as
guests/tally (Rust): `unknown-command`, `invalid-amount`.

The state is `{"total": n}` as JSON; the event's source is the `source` parameter, or `/tally`.
"""

from typing import Any

import evident

#: The largest total, as the Rust tally's `i64`.
MAX_TOTAL = (1 << 63) - 1


class Tally(evident.StateChange):
    """What has been added so far."""

    def __init__(self) -> None:
        self.total = 0

    @classmethod
    def from_value(cls, value: Any) -> "Tally":
        total = value.get("total") if isinstance(value, dict) else None
        if type(total) is not int or not -MAX_TOTAL - 1 <= total <= MAX_TOTAL:
            raise ValueError('expected {"total": an integer}')
        tally = cls()
        tally.total = total
        return tally

    def process(self, command: Any, parameters: evident.Parameters) -> list[evident.Event]:
        amount = _amount(command)
        total = self.total + amount
        if total > MAX_TOTAL:
            raise evident.Refusal("invalid-amount", "the total would overflow")
        source = parameters.get("source", "/tally")
        return [evident.Event(f"tally-{total}", source, "tally.added", json={"amount": amount, "total": total})]


def _amount(command: Any) -> int:
    """The amount an `add` command adds, or the refusal."""
    kind = command.get("type") if isinstance(command, dict) else None
    if not isinstance(kind, str):
        raise evident.Refusal("unknown-command", "the command has no type")
    if kind != "add":
        raise evident.Refusal("unknown-command", f"unknown command '{kind}'")
    amount = command.get("amount")
    if type(amount) is not int or not 0 < amount <= MAX_TOTAL:
        raise evident.Refusal("invalid-amount", "amount must be a positive integer")
    return amount


StateChange = evident.export_change(Tally)

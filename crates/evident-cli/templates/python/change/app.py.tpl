"""{{name}}: a state change. A counter that can be incremented up to a limit."""

import evident


class Counter(evident.StateChange):
    """The state: the counter's value. It is stored as CBOR between calls."""

    codec = evident.Cbor

    def __init__(self):
        self.value = 0

    def process(self, command, parameters):
        """Commands, as JSON or CBOR: `{"type": "increment", "by": 2}`."""
        limit = parameters.get_int("limit", 100, minimum=0)
        if not isinstance(command, dict) or command.get("type") != "increment":
            raise evident.Refusal("unknown-command", "the command's type is not increment")
        by = command.get("by")
        if type(by) is not int or by < 0:
            raise evident.Refusal("invalid-command", "`by` must be a non-negative integer")
        value = self.value + by
        if value > limit:
            raise evident.Refusal("over-limit", f"{value} is over the limit of {limit}")
        data = {"by": by, "value": value}
        return [evident.Event(f"counter-{value}", "/counter", "counter.incremented", json=data)]


StateChange = evident.export_change(Counter)

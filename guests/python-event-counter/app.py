"""The event counter in Python, on the Evident Python SDK: the same state, byte for byte, as
guests/event-counter (Rust), folded in frames (`state-view-component`).

Parameters: `prefix` counts only events whose type starts with it; `require-data`
(`true`/`false`) refuses events without data.
"""

import json
from typing import Any, TypeGuard

import evident


class EventCounts(evident.StateView):
    """How many events of each type the view has seen."""

    def __init__(self) -> None:
        self.by_type: dict[str, int] = {}
        self.total = 0

    @classmethod
    def initialize(cls, parameters: evident.Parameters) -> "EventCounts":
        prefix = parameters.get("prefix")
        if prefix is not None:
            quoted = json.dumps(prefix, ensure_ascii=False)
            evident.info(f"counting events whose type starts with {quoted}")
        return cls()

    def reduce(self, event: evident.Event, parameters: evident.Parameters) -> None:
        if parameters.get_bool("require-data", False) and event.data is None:
            raise evident.Refusal(None, f"event {event.id} has no data")
        prefix = parameters.get("prefix")
        if prefix is not None and not event.type.startswith(prefix):
            return
        self.total += 1
        by_type = self.by_type
        by_type[event.type] = by_type.get(event.type, 0) + 1

    @classmethod
    def from_value(cls, value: Any) -> "EventCounts":
        counts = cls()
        by_type = value.get("by_type") if isinstance(value, dict) else None
        total = value.get("total") if isinstance(value, dict) else None
        if not isinstance(by_type, dict) or not _is_count(total):
            raise ValueError('expected {"by_type": {type: count}, "total": count}')
        if not all(_is_count(count) for count in by_type.values()):
            raise ValueError("a count in by_type is not a non-negative integer")
        counts.by_type = by_type
        counts.total = total
        return counts

    def to_value(self) -> dict[str, Any]:
        # As the Rust counter's BTreeMap: types in code point (= UTF-8 byte) order.
        return {"by_type": dict(sorted(self.by_type.items())), "total": self.total}


def _is_count(value: Any) -> TypeGuard[int]:
    return type(value) is int and 0 <= value < 1 << 64


StateView, StateViewBatch = evident.export_view(EventCounts)

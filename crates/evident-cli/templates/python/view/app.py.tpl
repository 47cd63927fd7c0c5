"""{{name}}: a state view. It sums the `amount` in each event's JSON data, by event type."""

import evident


class Totals(evident.StateView):
    """The state: totals by event type. It is stored as JSON between calls."""

    def __init__(self):
        self.by_type = {}

    @classmethod
    def initialize(cls, parameters):
        return cls()

    def reduce(self, event, parameters):
        # Events without data count for nothing; data without an amount is refused, and the
        # host keeps the previous state.
        if event.data is None:
            return
        payload = event.data_json()
        amount = payload.get("amount") if isinstance(payload, dict) else None
        if type(amount) is not int:
            raise evident.Refusal("invalid-amount", f"event {event.id} has no integer amount")
        self.by_type[event.type] = self.by_type.get(event.type, 0) + amount
        evident.debug(f"{event.id} +{amount}")

    def to_value(self):
        # Types in a stable order, so the same events always give the same bytes.
        return {"by_type": dict(sorted(self.by_type.items()))}


StateView, StateViewBatch = evident.export_view(Totals)

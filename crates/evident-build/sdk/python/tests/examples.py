"""Small views and changes the tests run, written as guests write them."""

from dataclasses import dataclass, field

import evident


class Counts(evident.StateView):
    """The event counter: counts by type, with `prefix` and `require-data`."""

    def __init__(self):
        self.by_type = {}
        self.total = 0

    @classmethod
    def initialize(cls, parameters):
        prefix = parameters.get("prefix")
        if prefix is not None:
            evident.info(f"counting events whose type starts with {prefix!r}")
        return cls()

    def reduce(self, event, parameters):
        if parameters.get_bool("require-data", False) and event.data is None:
            raise evident.Refusal(None, f"event {event.id} has no data")
        prefix = parameters.get("prefix")
        if prefix is not None and not event.type.startswith(prefix):
            return
        self.total += 1
        self.by_type[event.type] = self.by_type.get(event.type, 0) + 1

    def to_value(self):
        return {"by_type": dict(sorted(self.by_type.items())), "total": self.total}


@dataclass
class Amounts(evident.StateView):
    """Sums `amount` from JSON data by type, stored as CBOR; a dataclass, stored by default."""

    codec = evident.Cbor
    by_type: dict = field(default_factory=dict)

    def reduce(self, event, parameters):
        amount = event.data_json()["amount"]
        self.by_type[event.type] = self.by_type.get(event.type, 0) + amount


class Counter(evident.StateChange):
    """Incremented `by` up to the `limit` parameter."""

    codec = evident.Cbor

    def __init__(self):
        self.value = 0

    def process(self, command, parameters):
        limit = parameters.get_int("limit", 100)
        if command.get("type") != "increment":
            raise evident.Refusal("unknown-command", "only increment")
        value = self.value + command["by"]
        if value > limit:
            raise evident.Refusal("over-limit", f"{value} is over the limit of {limit}", details={"limit": limit})
        return [evident.Event(f"counter-{value}", "/counter", "counter.incremented", json={"by": command["by"], "value": value})]


class Account(evident.StateView, evident.StateChange):
    """A decider: deposits, folded back into the balance."""

    def __init__(self):
        self.balance = 0

    def process(self, command, parameters):
        return [evident.Event(f"d-{self.balance}", "/acc", "deposited", json={"amount": command["amount"]})]

    def reduce(self, event, parameters):
        self.balance += event.data_json()["amount"]


class Usernames(evident.DatabaseDecider):
    """A decider that reads the log: claims a username once (the DCB specification's example),
    appending under its own condition."""

    def decide(self, database, command, parameters):
        name = command["username"]
        claimed = evident.Query.of(types="username.claimed", tags=f"username:{name}")
        if database.query_events(claimed, 0, 1):
            raise evident.Refusal("username-taken", f"{name} is taken", details={"username": name})
        event = evident.Event(name, "/users", "username.claimed", json={"username": name},
                              extensions={"username": name})
        return evident.Decision([event], evident.AppendCondition(claimed, database.revision()))


def count_courses(database, command, parameters):
    """A decider as a function: how many courses a view says a student has, as one event."""
    courses = database.view_state("student-courses", {"student": command["student"]})
    count = 0 if courses is None else len(courses["courses"])
    return [evident.Event(f"count-{database.revision()}", "/counts", "courses.counted", json={"count": count})]

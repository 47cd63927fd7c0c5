"""The event counter in Python: the same state, byte for byte, as guests/event-counter (Rust).

Built with componentize-py against the `state-view-basic` world of evident:db@0.2.0; the host
runs it with every WASI capability denied.
"""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import logging
from wit_world.imports.types import State

JSON = "application/json"


def counts(state: State) -> dict:
    if not state.content_type and not state.bytes:
        return {"by_type": {}, "total": 0}
    if state.content_type != JSON:
        raise Err(f"the state is {state.content_type!r} but this view stores {JSON!r}")
    return json.loads(state.bytes)


def encode(value: dict) -> State:
    value = {"by_type": dict(sorted(value["by_type"].items())), "total": value["total"]}
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return State(content_type=JSON, schema_id=None, bytes=text.encode("utf-8"))


def flag(parameters: dict, name: str) -> bool:
    value = parameters.get(name, "false")
    if value not in ("true", "false"):
        raise Err(f"parameter {name!r} is {value!r}, not true or false")
    return value == "true"


class StateView(exports.StateView):
    def initialize(self, parameters):
        prefix = dict(parameters).get("prefix")
        if prefix is not None:
            logging.log(logging.LogLevel.INFO, f"counting events whose type starts with {prefix!r}")
        return encode({"by_type": {}, "total": 0})

    def reduce(self, state, event, parameters):
        parameters = dict(parameters)
        if flag(parameters, "require-data") and event.data is None:
            raise Err(f"event {event.id} has no data")
        value = counts(state)
        prefix = parameters.get("prefix")
        if prefix is None or event.type.startswith(prefix):
            value["total"] += 1
            value["by_type"][event.type] = value["by_type"].get(event.type, 0) + 1
        return encode(value)

// {{name}}: a state change. A counter that can be incremented up to a limit.

import {
  Event, GuestError, JsonValue, JsonWriter, Parameters, StateChange, registerChange,
} from "evident";

/** The state: the counter's value. It is stored as JSON between calls. */
class Counter {
  /** The current value. */
  value: u64 = 0;

  toJson(out: JsonWriter): void {
    out.beginObject().key("value").u64(this.value).endObject();
  }

  fromJson(json: JsonValue): string | null {
    const value = json.get("value");
    if (value == null || !value.isU64) return "missing field `value`";
    this.value = value.asU64();
    return null;
  }
}

/** Commands, as JSON or CBOR: `{"type": "increment", "by": 2}`. */
class CounterChange extends StateChange<Counter> {
  process(state: Counter, command: JsonValue, parameters: Parameters, events: Event[]): GuestError | null {
    const limit = parameters.getU64("limit", 100);
    const type = command.get("type");
    const by = command.get("by");
    if (type == null || type.asString() != "increment" || by == null || !by.isU64) {
      return new GuestError("invalid-command", 'expected {"type": "increment", "by": <count>}');
    }
    const step = by.asU64();
    const value = state.value > u64.MAX_VALUE - step ? u64.MAX_VALUE : state.value + step;
    if (value > limit) {
      return new GuestError("over-limit", `${value} is over the limit of ${limit}`);
    }
    const data = new JsonWriter().beginObject().key("by").u64(step).key("value").u64(value).endObject();
    events.push(new Event(`counter-${value}`, "/counter", "counter.incremented").withJson(data));
    return null;
  }
}

registerChange(new CounterChange());

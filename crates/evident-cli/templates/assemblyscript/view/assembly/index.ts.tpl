// {{name}}: a state view. It sums the `amount` in each event's JSON data, by event type.

import {
  Event, JsonValue, JsonWriter, Parameters, StateView, ViewError, log, registerView, sortedKeys,
} from "evident";

/** The state: totals by event type. It is stored as JSON between calls. */
class Totals {
  /** Sum of `amount` by event type. */
  byType: Map<string, i64> = new Map();

  /** Writes `{"by_type":{...}}`, the types in code point order. */
  toJson(out: JsonWriter): void {
    out.beginObject().key("by_type").beginObject();
    const types = sortedKeys(this.byType);
    for (let i = 0; i < types.length; i++) out.key(types[i]).i64(this.byType.get(types[i]));
    out.endObject().endObject();
  }

  /** Reads back what `toJson` wrote; returns why not, or `null`. */
  fromJson(json: JsonValue): string | null {
    const byType = json.get("by_type");
    if (byType == null || !byType.isObject) return "missing field `by_type`";
    const types = byType.keys();
    const sums = byType.values();
    for (let i = 0; i < types.length; i++) {
      if (!sums[i].isI64) return "the total of " + types[i] + " is not an integer";
      this.byType.set(types[i], sums[i].asI64());
    }
    return null;
  }
}

class TotalsView extends StateView<Totals> {
  initialize(_state: Totals, _parameters: Parameters): ViewError | null {
    return null;
  }

  reduce(state: Totals, event: Event, _parameters: Parameters): ViewError | null {
    // Events without data count for nothing; data without an amount is refused, and the host
    // keeps the previous state.
    if (event.data == null) return null;
    const data = event.dataJson();
    const amount = data != null ? data.get("amount") : null;
    if (amount == null || !amount.isI64) {
      return new ViewError(`event ${event.id}: data has no integer \`amount\``);
    }
    const type = event.type;
    const sum = state.byType.has(type) ? state.byType.get(type) : 0;
    state.byType.set(type, sum + amount.asI64());
    log.debug(`${event.id} +${amount.asI64()}`);
    return null;
  }
}

registerView(new TotalsView());

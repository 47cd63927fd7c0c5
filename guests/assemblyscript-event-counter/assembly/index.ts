// A state view that counts events by type, in AssemblyScript: the same states, byte for byte, as
// the Rust guests/event-counter.
//
// Parameters:
// - `prefix`: count only events whose type starts with it;
// - `require-data` (`true`/`false`): refuse events that carry no data.

import {
  Event, JsonValue, JsonWriter, Parameters, StateView, ViewError, log, quote, registerView,
  sortedKeys,
} from "evident";

/** How many events of each type the view has seen. */
class EventCounts {
  /** Events counted, by CloudEvents `type`. */
  byType: Map<string, u64> = new Map();
  /** Events counted in all. */
  total: u64 = 0;

  /** `{"by_type":{...},"total":n}`, the types in code point order (as a Rust BTreeMap). */
  toJson(out: JsonWriter): void {
    out.beginObject();
    out.key("by_type").beginObject();
    const types = sortedKeys(this.byType);
    for (let i = 0; i < types.length; i++) out.key(types[i]).u64(this.byType.get(types[i]));
    out.endObject();
    out.key("total").u64(this.total);
    out.endObject();
  }

  /** Reads back what `toJson` wrote; returns why not, or `null`. */
  fromJson(json: JsonValue): string | null {
    const byType = json.get("by_type");
    const total = json.get("total");
    if (byType == null || !byType.isObject) return "missing field `by_type`";
    if (total == null || !total.isU64) return "missing field `total`";
    const types = byType.keys();
    const counts = byType.values();
    for (let i = 0; i < types.length; i++) {
      if (!counts[i].isU64) return `the count of ${types[i]} is not an unsigned integer`;
      this.byType.set(types[i], counts[i].asU64());
    }
    this.total = total.asU64();
    return null;
  }
}

class EventCounter extends StateView<EventCounts> {
  initialize(_state: EventCounts, parameters: Parameters): ViewError | null {
    const prefix = parameters.get("prefix");
    if (prefix != null) log.info("counting events whose type starts with " + quote(prefix));
    return null;
  }

  reduce(state: EventCounts, event: Event, parameters: Parameters): ViewError | null {
    if (parameters.getBool("require-data", false) && event.data == null) {
      return new ViewError(`event ${event.id} has no data`);
    }
    const prefix = parameters.get("prefix");
    if (prefix != null && !event.type.startsWith(prefix)) return null;
    state.total += 1;
    const type = event.type;
    state.byType.set(type, state.byType.has(type) ? state.byType.get(type) + 1 : 1);
    return null;
  }
}

registerView(new EventCounter());

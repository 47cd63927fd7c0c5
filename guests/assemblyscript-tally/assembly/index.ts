// A state change that adds to a tally, in AssemblyScript: `{"type": "add", "amount": n}` emits
// `tally.added` with the amount and the new total; the same events, byte for byte, and the same
// refusal codes as the Rust guests/tally.
//
// The state is `{"total": n}` as JSON; the event's source is the `source` parameter, or `/tally`.

import {
  Event, GuestError, JsonValue, JsonWriter, Parameters, StateChange, registerChange,
} from "evident";

/** What has been added so far. */
class Tally {
  /** The sum of every amount added. */
  total: i64 = 0;

  toJson(out: JsonWriter): void {
    out.beginObject().key("total").i64(this.total).endObject();
  }

  fromJson(json: JsonValue): string | null {
    const total = json.get("total");
    if (total == null) return "missing field `total`";
    if (!total.isI64) return "invalid type: `total` is not an integer";
    this.total = total.asI64();
    return null;
  }
}

class AddToTally extends StateChange<Tally> {
  process(state: Tally, command: JsonValue, parameters: Parameters, events: Event[]): GuestError | null {
    const type = command.get("type");
    if (type == null || !type.isString) {
      return new GuestError("unknown-command", "the command has no type");
    }
    const name = type.asString()!;
    if (name != "add") return new GuestError("unknown-command", `unknown command '${name}'`);
    const amount = command.get("amount");
    if (amount == null || !amount.isI64 || amount.asI64() <= 0) {
      return new GuestError("invalid-amount", "amount must be a positive integer");
    }
    const added = amount.asI64();
    if (state.total > i64.MAX_VALUE - added) {
      return new GuestError("invalid-amount", "the total would overflow");
    }
    const total = state.total + added;
    const source = parameters.get("source");
    const data = new JsonWriter().beginObject().key("amount").i64(added).key("total").i64(total).endObject();
    events.push(
      new Event(`tally-${total}`, source == null ? "/tally" : source, "tally.added").withJson(data),
    );
    return null;
  }
}

registerChange(new AddToTally());

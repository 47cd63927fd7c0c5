// State views: the class an author extends (`StateView<S>`), and how the SDK decodes, keeps,
// applies events to and encodes its state.

import { Event } from "./event";
import { ViewError, viewCodes } from "./errors";
import { JsonWriter, parseJsonAt, parseError } from "./json";
import { Parameters } from "./parameters";
import { quote } from "./text";

/** The media type of the states the SDK stores. */
export const STATE_CONTENT_TYPE = "application/json";

/**
 * @internal What the exports need of a view, whatever its state type: a state decoded and held
 * in one of two slots (`batch`: kept across `state-view-batch` calls; otherwise for one call).
 */
export abstract class AnyView {
  abstract __load(batch: bool, contentType: string, bytes: usize, length: usize, parameters: Parameters): ViewError | null;
  abstract __apply(batch: bool, event: Event, parameters: Parameters): ViewError | null;
  abstract __encode(batch: bool): Uint8Array;
  abstract __drop(batch: bool): void;
}

/**
 * A state view: extend it with your state class `S` and implement `initialize` and `reduce`.
 *
 * `S` is a class with a constructor that takes no arguments (the state before `initialize`), a
 * `toJson(out: JsonWriter): void` that writes it, and a `fromJson(json: JsonValue): string | null`
 * that reads it back (returning why not, or `null`). The state must come back unchanged from
 * `toJson` then `fromJson`: a fold keeps it in the instance across many events, but restarts
 * from a saved copy when a frame fails and at checkpoints.
 *
 * Every hook returns `null`, or the `ViewError` it fails with: the host then keeps the previous
 * state, so a `reduce` that changed the state before failing does no harm.
 */
export abstract class StateView<S> extends AnyView {
  private kept: S | null = null;
  private single: S | null = null;

  /** Sets up `state` (a new `S`) before any event, from the parameters. */
  abstract initialize(state: S, parameters: Parameters): ViewError | null;

  /** Applies one event to `state`. */
  abstract reduce(state: S, event: Event, parameters: Parameters): ViewError | null;

  private slot(batch: bool, state: S | null): void {
    if (batch) this.kept = state;
    else this.single = state;
  }

  /** @internal Decodes a state ("no state yet" starts from `initialize`) into a slot. */
  __load(batch: bool, contentType: string, bytes: usize, length: usize, parameters: Parameters): ViewError | null {
    this.slot(batch, null);
    const state = instantiate<S>();
    if (contentType.length == 0) {
      if (length != 0) {
        return ViewError.withCode(
          viewCodes.INVALID_STATE,
          `the state has ${length} bytes but no content type ("no state yet" has no bytes)`,
        );
      }
      parameters.clearError();
      let error = this.initialize(state, parameters);
      const bad = parameters.error;
      if (bad != null) error = ViewError.from(bad);
      if (error != null) return error;
    } else {
      if (contentType != STATE_CONTENT_TYPE) {
        return ViewError.withCode(
          viewCodes.INVALID_STATE,
          `the state is ${quote(contentType)} but this view stores ${quote(STATE_CONTENT_TYPE)}`,
        );
      }
      const json = parseJsonAt(bytes, length);
      const problem = json == null ? parseError() : state.fromJson(json);
      if (problem != null) {
        return ViewError.withCode(
          viewCodes.INVALID_STATE,
          "cannot decode the state: " + STATE_CONTENT_TYPE + ": " + problem,
        );
      }
    }
    this.slot(batch, state);
    return null;
  }

  /** @internal Applies an event to the state in a slot; a bad parameter fails it. */
  __apply(batch: bool, event: Event, parameters: Parameters): ViewError | null {
    const state = batch ? this.kept : this.single;
    parameters.clearError();
    let error = this.reduce(state!, event, parameters);
    const bad = parameters.error;
    if (bad != null) error = ViewError.from(bad);
    return error;
  }

  /** @internal The state in a slot, as JSON. */
  __encode(batch: bool): Uint8Array {
    const state = batch ? this.kept : this.single;
    const out = new JsonWriter(256);
    state!.toJson(out);
    return out.toBytes();
  }

  /** @internal Empties a slot. */
  __drop(batch: bool): void {
    this.slot(batch, null);
  }
}

let registered: AnyView | null = null;

/** Makes `view` the component's state view: call it once, at the top level of `assembly/index.ts`. */
export function registerView(view: AnyView): void {
  registered = view;
}

/** @internal The registered view; traps with a message if there is none. */
export function theView(): AnyView {
  const view = registered;
  if (view == null) {
    throw new Error("no state view is registered: call registerView(new YourView()) in assembly/index.ts");
  }
  return view;
}

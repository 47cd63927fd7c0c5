// State changes: the class an author extends (`StateChange<S>`), and how the SDK decodes the
// state and the command and checks the events `process` emits.

import { Event } from "./event";
import { GuestError, changeCodes } from "./errors";
import { JsonValue, parseJsonAt, parseError } from "./json";
import { Parameters } from "./parameters";
import { quote } from "./text";
import { STATE_CONTENT_TYPE } from "./view";

/** @internal What the exports need of a change, whatever its state type. */
export abstract class AnyChange {
  abstract __decode(contentType: string, bytes: usize, length: usize): GuestError | null;
  abstract __process(command: JsonValue, parameters: Parameters, events: Event[]): GuestError | null;
  abstract __validate(command: JsonValue): bool;
}

/**
 * A state change: extend it with your state class `S` (as for a `StateView`: a constructor
 * without arguments, which is the state before any event, `toJson` and `fromJson`) and
 * implement `process`.
 *
 * `process` must depend on nothing but its inputs: the database may call it again to replay or
 * to validate. The command arrives decoded from JSON or CBOR, as its content type says.
 */
export abstract class StateChange<S> extends AnyChange {
  private state: S | null = null;

  /** Decides the events `command` causes: pushes them onto `events`, or returns the refusal. */
  abstract process(state: S, command: JsonValue, parameters: Parameters, events: Event[]): GuestError | null;

  /** Tells whether `process` would accept the command; by default runs it with no parameters. */
  validate(state: S, command: JsonValue): bool {
    return this.process(state, command, new Parameters(), []) == null;
  }

  /** @internal Decodes the state the command is processed against. */
  __decode(contentType: string, bytes: usize, length: usize): GuestError | null {
    this.state = null;
    const state = instantiate<S>();
    if (contentType.length == 0) {
      if (length != 0) {
        return new GuestError(
          changeCodes.INVALID_STATE,
          `the state has ${length} bytes but no content type ("no state yet" has no bytes)`,
        );
      }
    } else if (contentType != STATE_CONTENT_TYPE) {
      return new GuestError(
        changeCodes.INVALID_STATE,
        `the state is ${quote(contentType)} but this change stores ${quote(STATE_CONTENT_TYPE)}`,
      );
    } else {
      const json = parseJsonAt(bytes, length);
      const problem = json == null ? parseError() : state.fromJson(json);
      if (problem != null) {
        return new GuestError(
          changeCodes.INVALID_STATE,
          "cannot decode the state: " + STATE_CONTENT_TYPE + ": " + problem,
        );
      }
    }
    this.state = state;
    return null;
  }

  /** @internal Runs `process` on the decoded state; a bad parameter fails it. */
  __process(command: JsonValue, parameters: Parameters, events: Event[]): GuestError | null {
    parameters.clearError();
    let error = this.process(this.state!, command, parameters, events);
    const bad = parameters.error;
    if (bad != null) error = bad;
    return error;
  }

  /** @internal Runs `validate` on the decoded state. */
  __validate(command: JsonValue): bool {
    return this.validate(this.state!, command);
  }
}

let registered: AnyChange | null = null;

/** Makes `change` the component's state change: call it once, at the top level of `assembly/index.ts`. */
export function registerChange(change: AnyChange): void {
  registered = change;
}

/** @internal The registered change; traps with a message if there is none. */
export function theChange(): AnyChange {
  const change = registered;
  if (change == null) {
    throw new Error("no state change is registered: call registerChange(new YourChange()) in assembly/index.ts");
  }
  return change;
}

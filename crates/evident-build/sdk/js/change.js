// State changes: turn a command into events. The author gives `initialize` (the state when
// there is none yet), `process` and, optionally, `validate`, over a plain state value and a
// decoded command; the SDK decodes both and checks the events `process` returns.

import { debugString } from './debug.js';
import { Event, whyInvalid } from './event.js';
import { cbor } from './cbor.js';
import { json } from './json.js';
import { Parameters } from './parameters.js';
import { Refusal, codes } from './refusal.js';
import { decodeState, encodeState } from './state.js';
import { StateView, asParameters, checkCodec } from './view.js';

/**
 * A state change. `spec` has:
 * - `codec`: how the state is stored, `json` (the default) or `cbor`;
 * - `initialize(parameters)`: the state when there is none yet;
 * - `process(state, command, parameters)`: returns the events the command causes (Events, or
 *   objects with their attributes), or throws a Refusal whose code callers match on. It must
 *   depend on nothing but its inputs: the database may call it again to replay or to validate;
 * - `validate(state, command)` (optional): whether `process` would accept the command; by
 *   default, whether `process` with no parameters returns without throwing.
 *
 * The command is decoded from JSON or CBOR, as its content type says.
 *
 * Export it from `app.js` as `change`: `export const change = stateChange({ ... })`.
 */
export function stateChange(spec) {
  return new StateChange(spec);
}

/** What `stateChange` returns: the author's functions, and the same path the component takes. */
export class StateChange {
  constructor(spec) {
    if (spec === null || typeof spec !== 'object') {
      throw new TypeError('stateChange takes an object with `initialize` and `process`');
    }
    for (const name of ['initialize', 'process']) {
      if (typeof spec[name] !== 'function') {
        throw new TypeError(`a state change needs a \`${name}\` function`);
      }
    }
    if (spec.validate !== undefined && typeof spec.validate !== 'function') {
      throw new TypeError('a state change\'s `validate` is a function');
    }
    this.codec = checkCodec(spec.codec ?? json);
    this.spec = spec;
  }

  /** The state when there is none yet. */
  initialize(parameters = new Parameters()) {
    return this.spec.initialize(asParameters(parameters));
  }

  /**
   * Runs `process` and returns its events as Events, each checked to be a valid CloudEvent
   * (else a Refusal with the code `invalid-event`).
   */
  process(state, command, parameters = new Parameters()) {
    const returned = this.spec.process(state, command, asParameters(parameters));
    if (returned === undefined || returned === null || typeof returned[Symbol.iterator] !== 'function') {
      throw new TypeError('`process` returns an array of events');
    }
    const events = Array.from(returned, (event) => (event instanceof Event ? event : new Event(event)));
    events.forEach((event, index) => {
      const why = whyInvalid(event);
      if (why !== undefined) {
        throw new Refusal(
          codes.INVALID_EVENT,
          `event ${index} (id ${debugString(String(event.id))}) is not a valid CloudEvent: ${why}`,
        );
      }
    });
    return events;
  }

  /**
   * Whether `process` would accept the command: `validate`'s answer, false if it throws, but a
   * Refusal with the code `invalid-state` is thrown on: nothing can be said about any command
   * against a state that is not this change's.
   */
  validate(state, command) {
    try {
      if (this.spec.validate !== undefined) {
        return Boolean(this.spec.validate(state, command));
      }
      this.process(state, command, new Parameters());
      return true;
    } catch (error) {
      if (error instanceof Refusal && error.code === codes.INVALID_STATE) {
        throw error;
      }
      return false;
    }
  }

  /** Decodes a state record; "no state yet" is `initialize(parameters)`. */
  load(record, parameters = new Parameters()) {
    return decodeState(record, this.codec, 'change', () => this.initialize(parameters));
  }

  /** Encodes a state as a state record. */
  save(state) {
    return encodeState(state, this.codec);
  }
}

/**
 * Decodes a command record (`{contentType, bytes}`) by its content type: `application/json`
 * or `application/cbor` (parameters after `;` and case ignored). Throws a Refusal with the code
 * `unsupported-content-type` or `invalid-command`.
 */
export function decodeCommand(record) {
  const essence = asciiLower(record.contentType.split(';')[0].trim());
  const codec = essence === json.contentType ? json : essence === cbor.contentType ? cbor : undefined;
  if (codec === undefined) {
    throw new Refusal(
      codes.UNSUPPORTED_CONTENT_TYPE,
      `cannot decode the command: content type ${debugString(record.contentType)} is not supported ` +
        `(use ${json.contentType} or ${cbor.contentType})`,
    );
  }
  try {
    return codec.decode(record.bytes);
  } catch (error) {
    throw new Refusal(codes.INVALID_COMMAND, `cannot decode the command: ${codec.contentType}: ${error.message}`);
  }
}

function asciiLower(text) {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/**
 * A decider: a state view and a state change over one state, in one component (the world
 * `decider-component`). `spec` has what both need: `codec`, `initialize`, `reduce`, `process`
 * and optionally `validate`. Export both: `export const { view, change } = decider({ ... })`.
 */
export function decider(spec) {
  return { view: new StateView(spec), change: new StateChange(spec) };
}

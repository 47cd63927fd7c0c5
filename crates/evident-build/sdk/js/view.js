// State views: fold events into a state. The author gives `initialize` and a per-event
// `reduce` over a plain state value; the SDK decodes and encodes the state with a codec, and
// keeps it decoded in the instance while frames of events are applied (`Resident`).

import { Event } from './event.js';
import { FrameReader } from './frame.js';
import { host } from './host.js';
import { json } from './json.js';
import { Parameters } from './parameters.js';
import { decodeState, encodeState } from './state.js';

/**
 * A state view. `spec` has:
 * - `codec`: how the state is stored between calls, `json` (the default) or `cbor`;
 * - `initialize(parameters)`: returns the state before any event;
 * - `reduce(state, event, parameters)`: applies one event, either changing `state` in place
 *   and returning nothing, or returning the new state. It throws to refuse the event (a
 *   Refusal for a code, any Error for a message); the host then keeps the previous state, so
 *   a `reduce` that changed `state` before throwing does no harm.
 *
 * The state must come back from its codec as it was (plain objects, arrays, strings, numbers,
 * booleans, null): a fold keeps it in the instance across many events but restarts from a
 * saved copy when a frame fails and at checkpoints.
 *
 * Export it from `app.js` as `view`: `export const view = stateView({ ... })`.
 */
export function stateView(spec) {
  return new StateView(spec);
}

/** What `stateView` returns: the author's functions, and the same path the component takes. */
export class StateView {
  constructor(spec) {
    if (spec === null || typeof spec !== 'object') {
      throw new TypeError('stateView takes an object with `initialize` and `reduce`');
    }
    for (const name of ['initialize', 'reduce']) {
      if (typeof spec[name] !== 'function') {
        throw new TypeError(`a state view needs a \`${name}\` function`);
      }
    }
    this.codec = checkCodec(spec.codec ?? json);
    this.spec = spec;
  }

  /** The state before any event. */
  initialize(parameters = new Parameters()) {
    return this.spec.initialize(asParameters(parameters));
  }

  /** Applies one event and returns the state after it. */
  reduce(state, event, parameters = new Parameters()) {
    const after = this.spec.reduce(state, asEvent(event), asParameters(parameters));
    return after === undefined ? state : after;
  }

  /** Folds events from `state` (the initialized one if not given) and returns the state. */
  fold(events, parameters = new Parameters(), state = undefined) {
    const given = asParameters(parameters);
    let current = state === undefined ? this.initialize(given) : state;
    for (const event of events) {
      current = this.reduce(current, event, given);
    }
    return current;
  }

  /** Decodes a state record (`{contentType, bytes}`); "no state yet" starts from `initialize`. */
  load(record, parameters = new Parameters()) {
    return decodeState(record, this.codec, 'view', () => this.initialize(parameters));
  }

  /** Encodes a state as a state record. */
  save(state) {
    return encodeState(state, this.codec);
  }
}

/** A view's state decoded once and kept while frames of events are applied to it. */
export class Resident {
  /** Decodes `record` ("no state yet" starts from `initialize`); throws a Refusal. */
  constructor(view, record, parameters) {
    this.view = view;
    this.parameters = asParameters(parameters);
    this.state = view.load(record, this.parameters);
    /** Set when an event failed: `reduce` may have changed the state halfway. */
    this.failed = false;
  }

  /**
   * Applies every event of `frame` in order and returns how many; the host is told before each
   * (`frame-progress`). Throws a BatchError; after one, the state refuses further use.
   */
  apply(frame) {
    if (this.failed) {
      throw new BatchError(0, new Error('an earlier event failed; load the state again'));
    }
    let events;
    try {
      events = new FrameReader(frame);
    } catch (error) {
      throw new BatchError(0, error); // nothing was applied: the state is still good
    }
    const spec = this.view.spec; // reduce is called on it, as in StateView.reduce
    const parameters = this.parameters;
    const beginEvent = host.beginEvent;
    const count = events.count;
    let state = this.state;
    let index = 0;
    try {
      for (; index < count; index++) {
        beginEvent();
        const after = spec.reduce(state, events.scan(index), parameters);
        if (after !== undefined) {
          state = after;
        }
      }
      events.finish();
    } catch (error) {
      this.failed = true;
      this.state = undefined;
      throw new BatchError(index, error);
    }
    this.state = state;
    return count;
  }

  /** Encodes the state as it stands; throws a Refusal. */
  save() {
    if (this.failed) {
      throw new Error('an event failed; the state is not saved');
    }
    return this.view.save(this.state);
  }
}

/** Why applying a frame stopped: the failed event's position in the frame, and the error. */
export class BatchError extends Error {
  constructor(index, error) {
    super(error instanceof Error ? error.message : String(error));
    this.name = 'BatchError';
    /** The position in the frame of the event that failed. */
    this.index = index;
    /** What was thrown. */
    this.error = error;
  }
}

/** The codec, if it has what a codec needs. */
export function checkCodec(codec) {
  const ok =
    codec !== null &&
    typeof codec === 'object' &&
    typeof codec.contentType === 'string' &&
    codec.contentType !== '' &&
    typeof codec.encode === 'function' &&
    typeof codec.decode === 'function';
  if (!ok) {
    throw new TypeError('a codec has a `contentType`, `encode` and `decode` (use `json` or `cbor`)');
  }
  return codec;
}

/** Parameters from what a caller passes: a Parameters, name/value pairs, a Map or an object. */
export function asParameters(parameters) {
  return parameters instanceof Parameters ? parameters : new Parameters(parameters);
}

function asEvent(event) {
  return typeof event.json === 'function' ? event : new Event(event);
}

// Refusals: the typed error a view or change throws on purpose, with a code callers match on.

import { stringify } from './json.js';

const encoder = new TextEncoder();

/**
 * A refusal: `code` is stable and machine-readable (`insufficient-funds`), `message` is for
 * people, `details` (optional) is machine-readable detail the host passes on as bytes.
 *
 * Throw one from `reduce`, `initialize` or `process`; the SDK hands its code, message and
 * details to the host. An ordinary Error thrown from a view is a refusal without a code.
 */
export class Refusal extends Error {
  /**
   * @param {string} code stable identifier callers match on
   * @param {string} message explanation for people
   * @param {Uint8Array | string | object} [details] bytes, text (sent as UTF-8) or a value
   *   (sent as the JSON codec writes it)
   */
  constructor(code, message, details) {
    super(message);
    this.name = 'Refusal';
    this.code = code;
    this.details = details;
  }
}

/** The codes of the refusals the SDK itself makes, the same strings as the Rust SDK's. */
export const codes = Object.freeze({
  /** The state does not decode as this view's (or change's) state, or is in another format. */
  INVALID_STATE: 'invalid-state',
  /** The state cannot be encoded. */
  UNENCODABLE_STATE: 'unencodable-state',
  /** The event frame the host sent is malformed. */
  INVALID_FRAME: 'invalid-frame',
  /** An event is malformed (its `time`, its extensions), or one `process` returned is invalid. */
  INVALID_EVENT: 'invalid-event',
  /** The command does not decode. */
  INVALID_COMMAND: 'invalid-command',
  /** The command is neither JSON nor CBOR. */
  UNSUPPORTED_CONTENT_TYPE: 'unsupported-content-type',
  /** A parameter does not parse as the type asked for. */
  INVALID_PARAMETER: 'invalid-parameter',
  /** A state change failed with an error that is not a Refusal (a bug, not a decision). */
  INTERNAL: 'internal',
});

/** The message of anything thrown: an Error's message (with its name unless a plain Error). */
export function messageOf(thrown) {
  if (thrown instanceof Refusal) {
    return thrown.message;
  }
  if (thrown instanceof Error) {
    return thrown.constructor === Error ? thrown.message : `${thrown.name}: ${thrown.message}`;
  }
  return String(thrown);
}

/** A Refusal's details as the bytes the WIT `error` record carries. */
export function detailsBytes(details) {
  if (details === undefined || details === null) {
    return undefined;
  }
  if (details instanceof Uint8Array) {
    return details;
  }
  if (typeof details === 'string') {
    return encoder.encode(details);
  }
  return encoder.encode(stringify(details));
}

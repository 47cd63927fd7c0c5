// The errors a guest returns: `ViewError` from a view's hooks (a message, maybe a code), and
// `GuestError` from a change's (always a code), each with optional machine-readable details.

/** Codes of the refusals the SDK itself makes for views (the same strings as the Rust SDK's). */
export namespace viewCodes {
  /** The state does not decode as this view's state, or is in another format. */
  export const INVALID_STATE = "invalid-state";
  /** The state cannot be encoded. */
  export const UNENCODABLE_STATE = "unencodable-state";
  /** The event frame the host sent is malformed. */
  export const INVALID_FRAME = "invalid-frame";
  /** An event that arrived one per call is malformed (its `time`, its extensions). */
  export const INVALID_EVENT = "invalid-event";
}

/** Codes of the refusals the SDK itself makes for changes (the same strings as the Rust SDK's). */
export namespace changeCodes {
  /** The state bytes do not decode as this change's state. */
  export const INVALID_STATE = "invalid-state";
  /** The command bytes do not decode. */
  export const INVALID_COMMAND = "invalid-command";
  /** The command is neither JSON nor CBOR. */
  export const UNSUPPORTED_CONTENT_TYPE = "unsupported-content-type";
  /** `process` returned an event that is not a valid CloudEvent. */
  export const INVALID_EVENT = "invalid-event";
}

/** The code of a parameter whose value does not parse (`Parameters.getBool` and the like). */
export const INVALID_PARAMETER = "invalid-parameter";

/**
 * Why a view could not apply an event (or start, or read its state); the host reports it and
 * keeps the previous state. With a `code`, callers can match on it as on a change's refusal.
 */
export class ViewError {
  /** The code callers match on, or `null` for a message only. */
  code: string | null;
  /** Why, for people. */
  message: string;
  /** Machine-readable detail, encoded as the view chooses. */
  details: Uint8Array | null = null;

  /** An error with a message for people (and, optionally, a code). */
  constructor(message: string, code: string | null = null) {
    this.message = message;
    this.code = code;
  }

  /** An error with a code callers match on, and a message for people. */
  static withCode(code: string, message: string): ViewError {
    return new ViewError(message, code);
  }

  /** Attaches machine-readable detail; returns this error. */
  withDetails(details: Uint8Array): ViewError {
    this.details = details;
    return this;
  }

  /** A change's refusal, as a view error with its code and details. */
  static from(error: GuestError): ViewError {
    const view = new ViewError(error.message, error.code);
    view.details = error.details;
    return view;
  }
}

/** Why a change refused a command: a stable `code` callers match on, and a message for people. */
export class GuestError {
  /** Stable identifier, e.g. `insufficient-funds`. */
  code: string;
  /** Why, for people. */
  message: string;
  /** Machine-readable detail, encoded as the change chooses. */
  details: Uint8Array | null = null;

  /** A refusal with a code and a message. */
  constructor(code: string, message: string) {
    this.code = code;
    this.message = message;
  }

  /** Attaches machine-readable detail; returns this error. */
  withDetails(details: Uint8Array): GuestError {
    this.details = details;
    return this;
  }
}

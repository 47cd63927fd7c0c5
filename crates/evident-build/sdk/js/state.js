// States as records (`{contentType, schemaId, bytes}`): decoding one a view or change stored,
// refusing one in another format, and encoding one. "No state yet" has an empty content type.

import { debugString } from './debug.js';
import { Refusal, codes } from './refusal.js';

/**
 * Decodes `record` with `codec`; "no state yet" (empty content type, no bytes) is `initial()`.
 * `owner` (`view` or `change`) names who stores the state in the error message.
 */
export function decodeState(record, codec, owner, initial) {
  const bytes = record.bytes ?? new Uint8Array(0);
  if (!record.contentType) {
    if (bytes.length !== 0) {
      throw new Refusal(
        codes.INVALID_STATE,
        `the state has ${bytes.length} bytes but no content type ("no state yet" has no bytes)`,
      );
    }
    return initial();
  }
  if (record.contentType !== codec.contentType) {
    throw new Refusal(
      codes.INVALID_STATE,
      `the state is ${debugString(record.contentType)} but this ${owner} stores ${debugString(codec.contentType)}`,
    );
  }
  try {
    return codec.decode(bytes);
  } catch (error) {
    throw new Refusal(codes.INVALID_STATE, `cannot decode the state: ${codec.contentType}: ${error.message}`);
  }
}

/** Encodes `state` with `codec` as a state record. */
export function encodeState(state, codec) {
  let bytes;
  try {
    bytes = codec.encode(state);
  } catch (error) {
    throw new Refusal(codes.UNENCODABLE_STATE, `cannot encode the state: ${codec.contentType}: ${error.message}`);
  }
  return { contentType: codec.contentType, schemaId: undefined, bytes };
}

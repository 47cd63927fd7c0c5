// The AssemblyScript SDK's side of its golden-vector test (golden.test.mjs drives it): each
// export runs one SDK codec on one input from ../../testdata and returns what it made, as text
// or bytes, for the test to compare with the vectors.

import { parseCbor, parseError, parseJson, parseTime, timeError, Parameters } from "../evident/index";

/** JSON text parsed and written again by the SDK's JSON codec; null if refused (see lastError). */
export function jsonAgain(bytes: Uint8Array): Uint8Array | null {
  const value = parseJson(bytes);
  return value == null ? null : value.toBytes();
}

/** A CBOR item read by the SDK and written as JSON; null if refused (see lastError). */
export function cborAsJson(bytes: Uint8Array): Uint8Array | null {
  const value = parseCbor(bytes);
  return value == null ? null : value.toBytes();
}

/** Why the last parse failed. */
export function lastError(): string {
  return parseError();
}

/** Parameter `p` = `text` read as `kind` (bool, i64, u64): "ok VALUE" or "error MESSAGE". */
export function parameter(kind: string, text: string): string {
  const parameters = new Parameters().with("p", text);
  let value = "";
  if (kind == "bool") value = parameters.getBool("p") ? "true" : "false";
  else if (kind == "i64") value = parameters.getI64("p").toString();
  else value = parameters.getU64("p").toString();
  const error = parameters.error;
  return error == null ? "ok " + value : "error " + error.message;
}

/** RFC 3339 text as "SECONDS NANOS OFFSET TEXT-WRITTEN-BACK", or "error WHY". */
export function time(text: string): string {
  const parsed = parseTime(text);
  if (parsed == null) return "error " + timeError();
  return parsed.seconds.toString() + " " + parsed.nanos.toString() + " " + parsed.offset.toString() +
    " " + parsed.toString();
}

// Giving the host a refusal's code before an export returns its bare message (the `refusal`
// import), as the Rust SDK does for views' exports and a change's `validate`.

import { hostRefuse } from "./host";
import { ViewError, GuestError } from "./errors";
import { encodeUtf8 } from "./text";

/** Calls `refusal.refuse` with a code, a message and optional details. */
export function refuse(code: string, message: string, details: Uint8Array | null): void {
  const codeBytes = encodeUtf8(code);
  const messageBytes = encodeUtf8(message);
  hostRefuse(
    changetype<usize>(codeBytes),
    <usize>codeBytes.byteLength,
    changetype<usize>(messageBytes),
    <usize>messageBytes.byteLength,
    details == null ? 0 : 1,
    details == null ? 0 : details.dataStart,
    details == null ? 0 : <usize>details.length,
  );
}

/** A view's error as an export returns it: the bare message, its code (if any) given first. */
export function refusedView(error: ViewError): string {
  const code = error.code;
  if (code != null) refuse(code, error.message, error.details);
  return error.message;
}

/** A change's error as `validate` returns it: the message, its code given first. */
export function refusedChange(error: GuestError): string {
  refuse(error.code, error.message, error.details);
  return error.message;
}

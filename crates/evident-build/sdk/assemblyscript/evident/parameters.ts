// The `name=value` parameters a view or change runs with, and typed accessors that turn a value
// that does not parse into an `invalid-parameter` refusal.

import { GuestError, INVALID_PARAMETER } from "./errors";
import { quote } from "./text";

/**
 * The parameters, in the order given; `get` returns the last value of a name.
 *
 * The typed accessors (`getBool`, `getI64`, ...) return the value, or the fallback when the
 * parameter is absent. A value that does not parse also returns the fallback, and records an
 * `invalid-parameter` error: the SDK then fails the call with it (in place of whatever the
 * hook returned), so a hook never needs to check.
 */
export class Parameters {
  private names: string[] = [];
  private values: string[] = [];
  private failure: GuestError | null = null;

  /** A parameter list (empty, then `with` for each). */
  constructor() {}

  /** Adds a parameter; returns this list. */
  with(name: string, value: string): Parameters {
    this.names.push(name);
    this.values.push(value);
    return this;
  }

  /** How many parameters were given (repeats included). */
  get length(): i32 {
    return this.names.length;
  }

  /** The name of parameter `index`. */
  nameAt(index: i32): string {
    return this.names[index];
  }

  /** The value of parameter `index`. */
  valueAt(index: i32): string {
    return this.values[index];
  }

  /** The value of `name` (the last one if given twice), or `null`. */
  get(name: string): string | null {
    const names = this.names;
    for (let i = names.length - 1; i >= 0; i--) {
      if (names[i] == name) return this.values[i];
    }
    return null;
  }

  /** Whether `name` is given. */
  has(name: string): bool {
    return this.get(name) != null;
  }

  /** `name` as a boolean: exactly `true` or `false`; `fallback` when absent. */
  getBool(name: string, fallback: bool = false): bool {
    const raw = this.get(name);
    if (raw == null) return fallback;
    if (raw == "true") return true;
    if (raw == "false") return false;
    this.refuse(name, raw, "provided string was not `true` or `false`");
    return fallback;
  }

  /** `name` as an `i64` (decimal, optional sign); `fallback` when absent. */
  getI64(name: string, fallback: i64 = 0): i64 {
    return this.signed(name, fallback, i64.MIN_VALUE, i64.MAX_VALUE);
  }

  /** `name` as an `i32`; `fallback` when absent. */
  getI32(name: string, fallback: i32 = 0): i32 {
    return <i32>this.signed(name, fallback, i32.MIN_VALUE, i32.MAX_VALUE);
  }

  /** `name` as a `u64` (decimal, optional `+`); `fallback` when absent. */
  getU64(name: string, fallback: u64 = 0): u64 {
    return this.unsigned(name, fallback, u64.MAX_VALUE);
  }

  /** `name` as a `u32`; `fallback` when absent. */
  getU32(name: string, fallback: u32 = 0): u32 {
    return <u32>this.unsigned(name, fallback, u32.MAX_VALUE);
  }

  /** The first parameter that did not parse since the call began, as its refusal, or `null`. */
  get error(): GuestError | null {
    return this.failure;
  }

  /** @internal Forgets a recorded failure (when a new call begins). */
  clearError(): void {
    this.failure = null;
  }

  private refuse(name: string, raw: string, reason: string): void {
    if (this.failure == null) {
      this.failure = new GuestError(
        INVALID_PARAMETER,
        "parameter `" + name + "` is " + quote(raw) + ": " + reason,
      );
    }
  }

  private signed(name: string, fallback: i64, low: i64, high: i64): i64 {
    const raw = this.get(name);
    if (raw == null) return fallback;
    const n = raw.length;
    if (n == 0) {
      this.refuse(name, raw, "cannot parse integer from empty string");
      return fallback;
    }
    let at = 0;
    let negative = false;
    const first = raw.charCodeAt(0);
    if (first == 0x2b || first == 0x2d) {
      negative = first == 0x2d;
      at = 1;
      if (n == 1) {
        this.refuse(name, raw, "invalid digit found in string");
        return fallback;
      }
    }
    // Accumulate as a negative number, which reaches the type's minimum, and never past `bound`.
    const bound = negative ? low : -high;
    let value: i64 = 0;
    for (; at < n; at++) {
      const c = raw.charCodeAt(at);
      if (c < 0x30 || c > 0x39) {
        this.refuse(name, raw, "invalid digit found in string");
        return fallback;
      }
      const digit = <i64>(c - 0x30);
      if (value < (bound + digit) / 10) {
        const reason = negative ? "number too small to fit in target type" : "number too large to fit in target type";
        this.refuse(name, raw, reason);
        return fallback;
      }
      value = value * 10 - digit;
    }
    return negative ? value : -value;
  }

  private unsigned(name: string, fallback: u64, high: u64): u64 {
    const raw = this.get(name);
    if (raw == null) return fallback;
    const n = raw.length;
    if (n == 0) {
      this.refuse(name, raw, "cannot parse integer from empty string");
      return fallback;
    }
    let at = raw.charCodeAt(0) == 0x2b ? 1 : 0;
    if (at == n) {
      this.refuse(name, raw, "invalid digit found in string");
      return fallback;
    }
    let value: u64 = 0;
    for (; at < n; at++) {
      const c = raw.charCodeAt(at);
      if (c < 0x30 || c > 0x39) {
        this.refuse(name, raw, "invalid digit found in string");
        return fallback;
      }
      const digit = <u64>(c - 0x30);
      if (value > (high - digit) / 10) {
        this.refuse(name, raw, "number too large to fit in target type");
        return fallback;
      }
      value = value * 10 + digit;
    }
    return value;
  }
}

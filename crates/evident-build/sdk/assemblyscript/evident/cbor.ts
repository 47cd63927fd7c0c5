// CBOR (RFC 8949) read into the same `JsonValue` tree JSON reads into, as ciborium would read it
// into a serde_json value: so a command may come as `application/cbor` as well as JSON.

import { JsonValue, setParseError } from "./json";
import { isUtf8, decodeUtf8 } from "./text";

/** Parses `length` bytes of CBOR at `start`, or returns `null` (see `parseError` for why). */
export function parseCborAt(start: usize, length: usize): JsonValue | null {
  const reader = new CborReader(start, start + length);
  const value = reader.item(0);
  if (value == null) return null;
  if (reader.at != reader.end) {
    setParseError(`${reader.end - reader.at} bytes after the value`);
    return null;
  }
  return value;
}

/** Parses CBOR bytes, or returns `null` (see `parseError` for why). */
export function parseCbor(bytes: Uint8Array): JsonValue | null {
  return parseCborAt(bytes.dataStart, bytes.length);
}

const MAX_DEPTH = 128;

class CborReader {
  at: usize;
  end: usize;
  /** Set when an argument ran past the end of the input. */
  short: bool = false;

  constructor(at: usize, end: usize) {
    this.at = at;
    this.end = end;
  }

  fail(message: string): JsonValue | null {
    setParseError(message);
    return null;
  }

  /** The argument after an initial byte (0 for an indefinite length); sets `short` if the input ends. */
  argument(info: u32): u64 {
    if (info < 24) return info;
    const size: usize = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (size == 0) return 0; // 31: indefinite (28..30 are refused before)
    if (this.at + size > this.end) {
      this.short = true;
      return 0;
    }
    let value: u64 = 0;
    for (let i: usize = 0; i < size; i++) value = (value << 8) | <u64>load<u8>(this.at + i);
    this.at += size;
    return value;
  }

  item(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) return this.fail("recursion limit exceeded");
    if (this.at >= this.end) return this.fail("unexpected end of input");
    const initial = <u32>load<u8>(this.at);
    this.at++;
    const major = initial >> 5;
    const info = initial & 31;
    if (major == 7) return this.simple(info);
    if (info >= 28 && info <= 30) return this.fail(`invalid CBOR initial byte 0x${initial.toString(16)}`);
    const argument = this.argument(info);
    if (this.short) return this.fail("unexpected end of input");
    const indefinite = info == 31;
    switch (major) {
      case 0:
        if (indefinite) return this.fail("invalid CBOR: an integer of indefinite length");
        return JsonValue.u64(argument);
      case 1:
        if (indefinite) return this.fail("invalid CBOR: an integer of indefinite length");
        if (argument > <u64>i64.MAX_VALUE) return this.fail("integer out of range");
        return JsonValue.i64(-1 - <i64>argument);
      case 2:
        return this.fail("invalid type: byte array, expected any valid JSON value");
      case 3: {
        const text = this.text(indefinite, argument);
        return text == null ? null : JsonValue.string(text);
      }
      case 4: {
        const items: JsonValue[] = [];
        for (let i: u64 = 0; indefinite || i < argument; i++) {
          if (indefinite && this.isBreak()) break;
          const item = this.item(depth + 1);
          if (item == null) return null;
          items.push(item);
        }
        return JsonValue.collection(items, null);
      }
      case 5: {
        const object = JsonValue.object();
        for (let i: u64 = 0; indefinite || i < argument; i++) {
          if (indefinite && this.isBreak()) break;
          const key = this.item(depth + 1);
          if (key == null) return null;
          const name = key.asString();
          if (name == null) return this.fail("invalid type: a map key that is not a string, expected a string");
          const value = this.item(depth + 1);
          if (value == null) return null;
          object.set(name, value);
        }
        return object;
      }
      default: // 6: a tag
        if (indefinite) return this.fail("invalid CBOR: a tag of indefinite length");
        // serde_json's Value refuses a tagged item from ciborium (a bignum's tag 2 or 3 over a
        // byte string, which it reads as an integer, is refused here with the byte string).
        if (argument == 2 || argument == 3) return this.item(depth + 1);
        return this.fail("invalid type: a tagged value, expected any valid JSON value");
    }
  }

  /** Consumes a break byte (0xff) if one is next; fails the parse at the end of input. */
  isBreak(): bool {
    if (this.at < this.end && load<u8>(this.at) == 0xff) {
      this.at++;
      return true;
    }
    return false;
  }

  text(indefinite: bool, length: u64): string | null {
    if (!indefinite) {
      if (length > <u64>(this.end - this.at)) {
        this.fail("unexpected end of input");
        return null;
      }
      const start = this.at;
      this.at += <usize>length;
      if (!isUtf8(start, <usize>length)) {
        this.fail("invalid UTF-8 in a text string");
        return null;
      }
      return decodeUtf8(start, <usize>length);
    }
    let text = "";
    while (true) {
      if (this.at >= this.end) {
        this.fail("unexpected end of input");
        return null;
      }
      if (this.isBreak()) return text;
      const initial = <u32>load<u8>(this.at);
      this.at++;
      if (initial >> 5 != 3 || (initial & 31) == 31) {
        this.fail("invalid CBOR: an indefinite text string holds something else than text");
        return null;
      }
      const chunk = this.argument(initial & 31);
      if (this.short) {
        this.fail("unexpected end of input");
        return null;
      }
      const part = this.text(false, chunk);
      if (part == null) return null;
      text += part;
    }
  }

  simple(info: u32): JsonValue | null {
    switch (info) {
      case 20: return JsonValue.bool(false);
      case 21: return JsonValue.bool(true);
      case 22:
      case 23: return JsonValue.null();
      case 25: {
        if (this.at + 2 > this.end) return this.fail("unexpected end of input");
        const half = (<u32>load<u8>(this.at) << 8) | <u32>load<u8>(this.at + 1);
        this.at += 2;
        return float(halfToF64(half));
      }
      case 26: {
        if (this.at + 4 > this.end) return this.fail("unexpected end of input");
        let bits: u32 = 0;
        for (let i: usize = 0; i < 4; i++) bits = (bits << 8) | <u32>load<u8>(this.at + i);
        this.at += 4;
        return float(<f64>reinterpret<f32>(bits));
      }
      case 27: {
        if (this.at + 8 > this.end) return this.fail("unexpected end of input");
        let bits: u64 = 0;
        for (let i: usize = 0; i < 8; i++) bits = (bits << 8) | <u64>load<u8>(this.at + i);
        this.at += 8;
        return float(reinterpret<f64>(bits));
      }
      default:
        return this.fail(`unsupported CBOR simple value ${info}`);
    }
  }
}

/** A float as serde_json keeps it: NaN and infinities become `null`. */
function float(value: f64): JsonValue {
  return isFinite(value) ? JsonValue.f64(value) : JsonValue.null();
}

function halfToF64(half: u32): f64 {
  const exponent = (half >> 10) & 0x1f;
  const fraction = <f64>(half & 0x3ff);
  let value: f64;
  if (exponent == 0) value = fraction * Math.pow(2, -24);
  else if (exponent == 31) value = fraction == 0 ? Infinity : NaN;
  else value = (fraction + 1024) * Math.pow(2, <f64>exponent - 25);
  return (half & 0x8000) != 0 ? -value : value;
}

// JSON as serde_json reads and writes it: a reader into a small value tree (`JsonValue`) and a
// streaming writer (`JsonWriter`) whose output is byte for byte serde_json's compact form.

import { Bytes, isUtf8, decodeUtf8 } from "./text";
import { decimalToF64, formatF64 } from "./float";

export { formatF64 };

/** What kind of value a `JsonValue` is. */
export enum JsonKind {
  Null,
  Bool,
  Number,
  String,
  Array,
  Object,
}

/** How a number was read: as serde_json keeps it (an integer if it fits, a float otherwise). */
enum NumberKind {
  U64,
  I64,
  F64,
}

/** A JSON value: what `parseJson` returns and what commands, states and event data decode to. */
export class JsonValue {
  /** What kind of value this is. */
  readonly kind: JsonKind;
  private flag: bool = false;
  private numberKind: NumberKind = NumberKind.U64;
  private bits: u64 = 0;
  private text: string = "";
  private items: JsonValue[] | null = null;
  private names: string[] | null = null;
  /** For a large object, where each member name is in `names` (built on first need). */
  private index: Map<string, i32> | null = null;

  private constructor(kind: JsonKind) {
    this.kind = kind;
  }

  /** `null`. */
  static null(): JsonValue {
    return new JsonValue(JsonKind.Null);
  }

  /** `true` or `false`. */
  static bool(value: bool): JsonValue {
    const v = new JsonValue(JsonKind.Bool);
    v.flag = value;
    return v;
  }

  /** An integer. */
  static i64(value: i64): JsonValue {
    const v = new JsonValue(JsonKind.Number);
    v.numberKind = value < 0 ? NumberKind.I64 : NumberKind.U64;
    v.bits = <u64>value;
    return v;
  }

  /** A non-negative integer. */
  static u64(value: u64): JsonValue {
    const v = new JsonValue(JsonKind.Number);
    v.bits = value;
    return v;
  }

  /** A float (written as serde_json writes an `f64`; NaN and infinities as `null`). */
  static f64(value: f64): JsonValue {
    const v = new JsonValue(JsonKind.Number);
    v.numberKind = NumberKind.F64;
    v.bits = reinterpret<u64>(value);
    return v;
  }

  /** A string. */
  static string(value: string): JsonValue {
    const v = new JsonValue(JsonKind.String);
    v.text = value;
    return v;
  }

  /** An empty array; add items with `push`. */
  static array(): JsonValue {
    const v = new JsonValue(JsonKind.Array);
    v.items = [];
    return v;
  }

  /** An empty object; add members with `set`. */
  static object(): JsonValue {
    const v = new JsonValue(JsonKind.Object);
    v.items = [];
    v.names = [];
    return v;
  }

  /** Whether this is `null`. */
  get isNull(): bool {
    return this.kind == JsonKind.Null;
  }

  /** Whether this is a string. */
  get isString(): bool {
    return this.kind == JsonKind.String;
  }

  /** Whether this is a number. */
  get isNumber(): bool {
    return this.kind == JsonKind.Number;
  }

  /** Whether this is an object. */
  get isObject(): bool {
    return this.kind == JsonKind.Object;
  }

  /** Whether this is an array. */
  get isArray(): bool {
    return this.kind == JsonKind.Array;
  }

  /** Whether this is `true` or `false`. */
  get isBool(): bool {
    return this.kind == JsonKind.Bool;
  }

  /** Whether this is an integer that fits an `i64` (serde_json's `is_i64`). */
  get isI64(): bool {
    if (this.kind != JsonKind.Number) return false;
    if (this.numberKind == NumberKind.I64) return true;
    return this.numberKind == NumberKind.U64 && this.bits <= <u64>i64.MAX_VALUE;
  }

  /** Whether this is a non-negative integer that fits a `u64` (serde_json's `is_u64`). */
  get isU64(): bool {
    return this.kind == JsonKind.Number && this.numberKind == NumberKind.U64;
  }

  /** The boolean, or `false` if this is not one. */
  asBool(): bool {
    return this.kind == JsonKind.Bool && this.flag;
  }

  /** The integer if `isI64`, else 0. */
  asI64(): i64 {
    return this.isI64 ? <i64>this.bits : 0;
  }

  /** The integer if `isU64`, else 0. */
  asU64(): u64 {
    return this.isU64 ? this.bits : 0;
  }

  /** The number as a float (integers converted), or NaN if this is not a number. */
  asF64(): f64 {
    if (this.kind != JsonKind.Number) return NaN;
    if (this.numberKind == NumberKind.F64) return reinterpret<f64>(this.bits);
    if (this.numberKind == NumberKind.I64) return <f64><i64>this.bits;
    return <f64>this.bits;
  }

  /** The string, or `null` if this is not one. */
  asString(): string | null {
    return this.kind == JsonKind.String ? this.text : null;
  }

  /** The member `name` of an object, or `null`. */
  get(name: string): JsonValue | null {
    const at = this.find(name);
    return at < 0 ? null : this.items![at];
  }

  /** Where member `name` is in `names`, or -1: a scan for small objects, a map for large ones. */
  private find(name: string): i32 {
    const names = this.names;
    if (names == null) return -1;
    if (names.length <= 8) {
      for (let i = 0; i < names.length; i++) {
        if (names[i] == name) return i;
      }
      return -1;
    }
    let index = this.index;
    if (index == null) {
      index = new Map<string, i32>();
      for (let i = 0; i < names.length; i++) index.set(names[i], i);
      this.index = index;
    }
    return index.has(name) ? index.get(name) : -1;
  }

  /** Whether an object has the member `name`. */
  has(name: string): bool {
    return this.get(name) != null;
  }

  /** Item `index` of an array, or `null`. */
  at(index: i32): JsonValue | null {
    const items = this.items;
    if (items == null || this.names != null || index < 0 || index >= items.length) return null;
    return items[index];
  }

  /** How many items an array, or members an object, has (0 for anything else). */
  get length(): i32 {
    const items = this.items;
    return items == null ? 0 : items.length;
  }

  /** The names of an object's members, in the order they were read or set. */
  keys(): string[] {
    const names = this.names;
    return names == null ? [] : names.slice(0);
  }

  /** The member values of an object, or the items of an array, in order. */
  values(): JsonValue[] {
    const items = this.items;
    return items == null ? [] : items.slice(0);
  }

  /** Appends an item to an array; returns the array. */
  push(item: JsonValue): JsonValue {
    assert(this.kind == JsonKind.Array, "push on a JSON value that is not an array");
    this.items!.push(item);
    return this;
  }

  /** Sets member `name` of an object (replacing one of that name); returns the object. */
  set(name: string, value: JsonValue): JsonValue {
    assert(this.kind == JsonKind.Object, "set on a JSON value that is not an object");
    const at = this.find(name);
    if (at >= 0) {
      this.items![at] = value;
      return this;
    }
    const names = this.names!;
    const index = this.index;
    if (index != null) index.set(name, names.length);
    names.push(name);
    this.items!.push(value);
    return this;
  }

  /** Writes this value (objects with their members in order). */
  write(out: JsonWriter): void {
    switch (this.kind) {
      case JsonKind.Null:
        out.null();
        break;
      case JsonKind.Bool:
        out.bool(this.flag);
        break;
      case JsonKind.Number:
        if (this.numberKind == NumberKind.U64) out.u64(this.bits);
        else if (this.numberKind == NumberKind.I64) out.i64(<i64>this.bits);
        else out.f64(reinterpret<f64>(this.bits));
        break;
      case JsonKind.String:
        out.string(this.text);
        break;
      case JsonKind.Array: {
        out.beginArray();
        const items = this.items!;
        for (let i = 0; i < items.length; i++) items[i].write(out);
        out.endArray();
        break;
      }
      default: {
        out.beginObject();
        const items = this.items!;
        const names = this.names!;
        for (let i = 0; i < items.length; i++) {
          out.key(names[i]);
          items[i].write(out);
        }
        out.endObject();
      }
    }
  }

  /** This value as compact JSON bytes. */
  toBytes(): Uint8Array {
    const out = new JsonWriter();
    this.write(out);
    return out.toBytes();
  }

  /** This value as compact JSON text. */
  toString(): string {
    const bytes = this.toBytes();
    return decodeUtf8(bytes.dataStart, bytes.length);
  }

  /** @internal A number read from JSON text. */
  static number(kind: NumberKind, bits: u64): JsonValue {
    const v = new JsonValue(JsonKind.Number);
    v.numberKind = kind;
    v.bits = bits;
    return v;
  }

  /** @internal An array or object read from JSON or CBOR. */
  static collection(items: JsonValue[], names: string[] | null): JsonValue {
    const v = new JsonValue(names == null ? JsonKind.Array : JsonKind.Object);
    v.items = items;
    v.names = names;
    return v;
  }
}

/** Why the last `parseJson` or `parseCbor` failed, in serde_json's words where they differ. */
let lastError: string = "";

/** Why the last `parseJson` (or `parseCbor`) returned `null`. */
export function parseError(): string {
  return lastError;
}

/** @internal Records why a parse failed. */
export function setParseError(message: string): void {
  lastError = message;
}

/** Parses JSON bytes as serde_json does, or returns `null` (see `parseError` for why). */
export function parseJson(bytes: Uint8Array): JsonValue | null {
  return parseJsonAt(bytes.dataStart, bytes.length);
}

/** Parses `length` bytes of JSON at `start`, or returns `null` (see `parseError`). */
export function parseJsonAt(start: usize, length: usize): JsonValue | null {
  const reader = new JsonReader(start, length);
  const value = reader.value(0);
  if (value == null) return null;
  reader.skipWhitespace();
  if (reader.at < reader.end) return reader.fail("trailing characters");
  return value;
}

/** serde_json's nesting limit. */
const MAX_DEPTH = 128;

class JsonReader {
  at: usize;
  end: usize;
  start: usize;

  constructor(start: usize, length: usize) {
    this.start = start;
    this.at = start;
    this.end = start + length;
  }

  fail(message: string): JsonValue | null {
    // serde_json's position: the line and the column of the byte it stopped at.
    let line = 1;
    let column = 0;
    const stop = min(this.at + 1, this.end);
    for (let p = this.start; p < stop; p++) {
      if (load<u8>(p) == 0x0a) {
        line++;
        column = 0;
      } else column++;
    }
    lastError = `${message} at line ${line} column ${column}`;
    return null;
  }

  skipWhitespace(): void {
    while (this.at < this.end) {
      const c = load<u8>(this.at);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
      this.at++;
    }
  }

  value(depth: i32): JsonValue | null {
    this.skipWhitespace();
    if (this.at >= this.end) return this.fail("EOF while parsing a value");
    const c = load<u8>(this.at);
    switch (c) {
      case 0x6e: return this.literal("null", JsonValue.null());
      case 0x74: return this.literal("true", JsonValue.bool(true));
      case 0x66: return this.literal("false", JsonValue.bool(false));
      case 0x22: {
        const text = this.string();
        return text == null ? null : JsonValue.string(text);
      }
      case 0x5b: return this.array(depth + 1);
      case 0x7b: return this.object(depth + 1);
      default:
        if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail("expected value");
    }
  }

  literal(word: string, value: JsonValue): JsonValue | null {
    for (let i = 0; i < word.length; i++) {
      if (this.at >= this.end) return this.fail("EOF while parsing a value");
      if (<u32>load<u8>(this.at) != <u32>word.charCodeAt(i)) return this.fail("expected ident");
      this.at++;
    }
    return value;
  }

  array(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) return this.fail("recursion limit exceeded");
    this.at++; // [
    const items: JsonValue[] = [];
    this.skipWhitespace();
    if (this.at < this.end && load<u8>(this.at) == 0x5d) {
      this.at++;
      return JsonValue.collection(items, null);
    }
    while (true) {
      const item = this.value(depth);
      if (item == null) return null;
      items.push(item);
      this.skipWhitespace();
      if (this.at >= this.end) return this.fail("EOF while parsing a list");
      const c = load<u8>(this.at);
      this.at++;
      if (c == 0x5d) return JsonValue.collection(items, null);
      if (c != 0x2c) {
        this.at--;
        return this.fail("expected `,` or `]`");
      }
      this.skipWhitespace();
      if (this.at < this.end && load<u8>(this.at) == 0x5d) return this.fail("trailing comma");
    }
  }

  object(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) return this.fail("recursion limit exceeded");
    this.at++; // {
    const object = JsonValue.object();
    this.skipWhitespace();
    if (this.at < this.end && load<u8>(this.at) == 0x7d) {
      this.at++;
      return object;
    }
    while (true) {
      this.skipWhitespace();
      if (this.at >= this.end) return this.fail("EOF while parsing an object");
      if (load<u8>(this.at) != 0x22) return this.fail("key must be a string");
      const name = this.string();
      if (name == null) return null;
      this.skipWhitespace();
      if (this.at >= this.end) return this.fail("EOF while parsing an object");
      if (load<u8>(this.at) != 0x3a) return this.fail("expected `:`");
      this.at++;
      const item = this.value(depth);
      if (item == null) return null;
      object.set(name, item); // serde_json's map keeps the last of a repeated name
      this.skipWhitespace();
      if (this.at >= this.end) return this.fail("EOF while parsing an object");
      const c = load<u8>(this.at);
      this.at++;
      if (c == 0x7d) return object;
      if (c != 0x2c) {
        this.at--;
        return this.fail("expected `,` or `}`");
      }
      this.skipWhitespace();
      if (this.at < this.end && load<u8>(this.at) == 0x7d) return this.fail("trailing comma");
    }
    return null; // not reached: the loop returns
  }

  /** Reads a string token (at its opening quote); `null` after recording the error. */
  string(): string | null {
    this.at++; // "
    const begin = this.at;
    // The common case: no escapes, so the bytes are the string.
    while (this.at < this.end) {
      const c = load<u8>(this.at);
      if (c == 0x22) {
        const length = this.at - begin;
        if (!isUtf8(begin, length)) {
          this.at = begin;
          this.fail("invalid unicode code point");
          return null;
        }
        this.at++;
        return decodeUtf8(begin, length);
      }
      if (c == 0x5c) break;
      if (c < 0x20) {
        this.fail("control character (\\u0000-\\u001F) found while parsing a string");
        return null;
      }
      this.at++;
    }
    if (this.at >= this.end) {
      this.fail("EOF while parsing a string");
      return null;
    }
    // With escapes: UTF-8 runs and escapes, gathered as UTF-8 and decoded once.
    const out = new Bytes(<i32>(this.at - begin) + 16);
    if (!isUtf8(begin, this.at - begin)) {
      this.fail("invalid unicode code point");
      return null;
    }
    out.raw(begin, <i32>(this.at - begin));
    while (true) {
      if (this.at >= this.end) {
        this.fail("EOF while parsing a string");
        return null;
      }
      const c = load<u8>(this.at);
      if (c == 0x22) {
        this.at++;
        const bytes = out.toBytes();
        return decodeUtf8(bytes.dataStart, bytes.length);
      }
      if (c < 0x20) {
        this.fail("control character (\\u0000-\\u001F) found while parsing a string");
        return null;
      }
      if (c != 0x5c) {
        const run = this.at;
        while (this.at < this.end) {
          const d = load<u8>(this.at);
          if (d == 0x22 || d == 0x5c || d < 0x20) break;
          this.at++;
        }
        if (!isUtf8(run, this.at - run)) {
          this.fail("invalid unicode code point");
          return null;
        }
        out.raw(run, <i32>(this.at - run));
        continue;
      }
      this.at++; // backslash
      if (this.at >= this.end) {
        this.fail("EOF while parsing a string");
        return null;
      }
      const e = load<u8>(this.at);
      this.at++;
      switch (e) {
        case 0x22: out.byte(0x22); break;
        case 0x5c: out.byte(0x5c); break;
        case 0x2f: out.byte(0x2f); break;
        case 0x62: out.byte(0x08); break;
        case 0x66: out.byte(0x0c); break;
        case 0x6e: out.byte(0x0a); break;
        case 0x72: out.byte(0x0d); break;
        case 0x74: out.byte(0x09); break;
        case 0x75: {
          let code = this.hex4();
          if (code < 0) return null;
          if (code >= 0xdc00 && code <= 0xdfff) {
            this.fail("lone leading surrogate in hex escape");
            return null;
          }
          if (code >= 0xd800 && code <= 0xdbff) {
            if (
              this.at + 1 >= this.end ||
              load<u8>(this.at) != 0x5c ||
              load<u8>(this.at + 1) != 0x75
            ) {
              this.fail("unexpected end of hex escape");
              return null;
            }
            this.at += 2;
            const low = this.hex4();
            if (low < 0) return null;
            if (low < 0xdc00 || low > 0xdfff) {
              this.fail("lone leading surrogate in hex escape");
              return null;
            }
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          }
          writeCodePoint(out, <u32>code);
          break;
        }
        default:
          this.at--;
          this.fail("invalid escape");
          return null;
      }
    }
    return null; // not reached: the loop returns
  }

  hex4(): i32 {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      if (this.at >= this.end) {
        this.fail("EOF while parsing a string");
        return -1;
      }
      const c = <i32>load<u8>(this.at);
      let digit = -1;
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) digit = c - 0x41 + 10;
      if (digit < 0) {
        this.fail("invalid escape");
        return -1;
      }
      value = (value << 4) | digit;
      this.at++;
    }
    return value;
  }

  number(): JsonValue | null {
    const begin = this.at;
    const negative = load<u8>(this.at) == 0x2d;
    if (negative) this.at++;
    if (this.at >= this.end) return this.fail("EOF while parsing a value");
    const first = load<u8>(this.at);
    if (first < 0x30 || first > 0x39) return this.fail("invalid number");
    // Integer digits, accumulated while they fit a u64.
    let value: u64 = 0;
    let overflow = false;
    if (first == 0x30) {
      this.at++;
      if (this.at < this.end) {
        const next = load<u8>(this.at);
        if (next >= 0x30 && next <= 0x39) return this.fail("invalid number");
      }
    } else {
      while (this.at < this.end) {
        const c = load<u8>(this.at);
        if (c < 0x30 || c > 0x39) break;
        const digit = <u64>(c - 0x30);
        if (value > (u64.MAX_VALUE - digit) / 10) overflow = true;
        else value = value * 10 + digit;
        this.at++;
      }
    }
    let isFloat = false;
    if (this.at < this.end && load<u8>(this.at) == 0x2e) {
      isFloat = true;
      this.at++;
      if (!this.digits()) return null;
    }
    if (this.at < this.end) {
      const c = load<u8>(this.at);
      if (c == 0x65 || c == 0x45) {
        isFloat = true;
        this.at++;
        if (this.at < this.end) {
          const s = load<u8>(this.at);
          if (s == 0x2b || s == 0x2d) this.at++;
        }
        if (!this.digits()) return null;
      }
    }
    if (!isFloat && !overflow) {
      if (!negative) return JsonValue.number(NumberKind.U64, value);
      if (value <= <u64>i64.MAX_VALUE + 1) {
        return JsonValue.number(NumberKind.I64, <u64>(-(<i64>value)));
      }
    }
    const float = decimalAt(begin, this.at);
    if (!isFinite(float)) return this.fail("number out of range");
    return JsonValue.number(NumberKind.F64, reinterpret<u64>(float));
  }

  digits(): bool {
    const begin = this.at;
    while (this.at < this.end) {
      const c = load<u8>(this.at);
      if (c < 0x30 || c > 0x39) break;
      this.at++;
    }
    if (this.at == begin) {
      if (this.at >= this.end) this.fail("EOF while parsing a value");
      else this.fail("invalid number");
      return false;
    }
    return true;
  }
}

/** The f64 nearest the JSON number between `begin` and `end` (grammar already checked). */
function decimalAt(begin: usize, end: usize): f64 {
  let at = begin;
  const negative = load<u8>(at) == 0x2d;
  if (negative) at++;
  let digits = "";
  let exponent: i64 = 0;
  let fraction = false;
  let sticky = false;
  for (; at < end; at++) {
    const c = load<u8>(at);
    if (c == 0x2e) fraction = true;
    else if (c >= 0x30 && c <= 0x39) {
      if (digits.length == 0 && c == 0x30) {
        if (fraction) exponent--;
        continue; // leading zero
      }
      if (digits.length < 800) {
        digits += String.fromCharCode(c);
        if (fraction) exponent--;
      } else {
        // Past 800 digits only whether any is non-zero can matter (a tie between two f64s has
        // fewer digits): it becomes one sticky digit below.
        if (!fraction) exponent++;
        if (c != 0x30) sticky = true;
      }
    } else break; // e or E
  }
  if (sticky) {
    digits += "1";
    exponent--;
  }
  if (at < end) {
    at++;
    let sign: i64 = 1;
    const s = load<u8>(at);
    if (s == 0x2b || s == 0x2d) {
      if (s == 0x2d) sign = -1;
      at++;
    }
    let power: i64 = 0;
    for (; at < end; at++) {
      if (power < 100000) power = power * 10 + <i64>(load<u8>(at) - 0x30);
    }
    exponent += sign * power;
  }
  let value: f64 = 0;
  if (digits.length != 0) {
    const clamped = <i32>max(<i64>-100000, min(<i64>100000, exponent));
    value = decimalToF64(digits, clamped);
  }
  return negative ? -value : value;
}

/** Appends a code point as UTF-8. */
export function writeCodePoint(out: Bytes, code: u32): void {
  if (code < 0x80) {
    out.byte(<u8>code);
  } else if (code < 0x800) {
    out.byte(<u8>(0xc0 | (code >> 6)));
    out.byte(<u8>(0x80 | (code & 0x3f)));
  } else if (code < 0x10000) {
    out.byte(<u8>(0xe0 | (code >> 12)));
    out.byte(<u8>(0x80 | ((code >> 6) & 0x3f)));
    out.byte(<u8>(0x80 | (code & 0x3f)));
  } else {
    out.byte(<u8>(0xf0 | (code >> 18)));
    out.byte(<u8>(0x80 | ((code >> 12) & 0x3f)));
    out.byte(<u8>(0x80 | ((code >> 6) & 0x3f)));
    out.byte(<u8>(0x80 | (code & 0x3f)));
  }
}

const HEX_DIGITS = "0123456789abcdef";

/**
 * Writes compact JSON, exactly as serde_json's `to_vec` would for the same calls: commas and
 * colons are placed for you, strings are escaped as serde_json escapes them (`\"`, `\\`, `\n`,
 * `\r`, `\t`, `\b`, `\f`, other control characters as `\u00xx`, everything else raw), floats
 * are written in serde_json's (ryu's) layout. Object members come out in the order written: to
 * match a Rust `BTreeMap`, write the keys in `sortedKeys` order.
 */
export class JsonWriter {
  private out: Bytes;
  /** Per open array/object: whether an item was written (so the next needs a comma). */
  private open: bool[] = [];
  private afterKey: bool = false;

  constructor(capacity: i32 = 64) {
    this.out = new Bytes(capacity);
  }

  private item(): void {
    if (this.afterKey) {
      this.afterKey = false;
      return;
    }
    const depth = this.open.length;
    if (depth > 0) {
      if (this.open[depth - 1]) this.out.byte(0x2c);
      else this.open[depth - 1] = true;
    }
  }

  /** Starts an object. */
  beginObject(): JsonWriter {
    this.item();
    this.out.byte(0x7b);
    this.open.push(false);
    return this;
  }

  /** Ends the object. */
  endObject(): JsonWriter {
    this.open.pop();
    this.out.byte(0x7d);
    return this;
  }

  /** Starts an array. */
  beginArray(): JsonWriter {
    this.item();
    this.out.byte(0x5b);
    this.open.push(false);
    return this;
  }

  /** Ends the array. */
  endArray(): JsonWriter {
    this.open.pop();
    this.out.byte(0x5d);
    return this;
  }

  /** Writes a member name; the next value written is its value. */
  key(name: string): JsonWriter {
    this.item();
    this.quoted(name);
    this.out.byte(0x3a);
    this.afterKey = true;
    return this;
  }

  /** Writes a string. */
  string(value: string): JsonWriter {
    this.item();
    this.quoted(value);
    return this;
  }

  /** Writes `true` or `false`. */
  bool(value: bool): JsonWriter {
    this.item();
    this.out.ascii(value ? "true" : "false");
    return this;
  }

  /** Writes `null`. */
  null(): JsonWriter {
    this.item();
    this.out.ascii("null");
    return this;
  }

  /** Writes an unsigned integer. */
  u64(value: u64): JsonWriter {
    this.item();
    this.digits(value, false);
    return this;
  }

  /** Writes a signed integer. */
  i64(value: i64): JsonWriter {
    this.item();
    // The magnitude of i64's minimum is 2^63, which a u64 holds.
    if (value < 0) this.digits(<u64>0 - <u64>value, true);
    else this.digits(<u64>value, false);
    return this;
  }

  /** Writes the decimal digits of `value` (after a minus sign if `negative`), without allocating. */
  private digits(value: u64, negative: bool): void {
    let count = 1;
    for (let rest = value / 10; rest != 0; rest /= 10) count++;
    const total = count + (negative ? 1 : 0);
    const at = this.out.reserve(total);
    if (negative) store<u8>(at, 0x2d);
    let p = at + <usize>total;
    do {
      p--;
      store<u8>(p, <u8>(0x30 + <u32>(value % 10)));
      value /= 10;
    } while (value != 0);
    this.out.advance(total);
  }

  /** Writes a float as serde_json does: `1.0`, `0.1`, `1e21`, `1.5e-7`; NaN and infinities as `null`. */
  f64(value: f64): JsonWriter {
    this.item();
    this.out.ascii(formatF64(value));
    return this;
  }

  /** Writes a `JsonValue`. */
  value(value: JsonValue): JsonWriter {
    value.write(this);
    return this;
  }

  /** The JSON written so far. */
  toBytes(): Uint8Array {
    return this.out.toBytes();
  }

  private quoted(text: string): void {
    // Room for the worst case (every unit escaped as \u00xx), written through a pointer.
    const length = text.length;
    const begin = this.out.reserve(length * 6 + 2);
    let at = begin;
    store<u8>(at++, 0x22);
    const units = changetype<usize>(text);
    let i = 0;
    while (i < length) {
      const c = <u32>load<u16>(units + (<usize>i << 1));
      if (c >= 0x20 && c < 0x80 && c != 0x22 && c != 0x5c) {
        store<u8>(at++, <u8>c);
        i++;
        continue;
      }
      if (c < 0x80) {
        store<u8>(at++, 0x5c);
        if (c == 0x22) store<u8>(at++, 0x22);
        else if (c == 0x5c) store<u8>(at++, 0x5c);
        else if (c == 0x0a) store<u8>(at++, 0x6e);
        else if (c == 0x0d) store<u8>(at++, 0x72);
        else if (c == 0x09) store<u8>(at++, 0x74);
        else if (c == 0x08) store<u8>(at++, 0x62);
        else if (c == 0x0c) store<u8>(at++, 0x66);
        else {
          store<u8>(at++, 0x75);
          store<u8>(at++, 0x30);
          store<u8>(at++, 0x30);
          store<u8>(at++, <u8>HEX_DIGITS.charCodeAt(c >> 4));
          store<u8>(at++, <u8>HEX_DIGITS.charCodeAt(c & 15));
        }
        i++;
        continue;
      }
      let code = c;
      if ((c & 0xfc00) == 0xd800 && i + 1 < length) {
        const next = <u32>load<u16>(units + (<usize>(i + 1) << 1));
        if ((next & 0xfc00) == 0xdc00) code = 0x10000 + ((c & 0x3ff) << 10) + (next & 0x3ff);
      }
      i += code > 0xffff ? 2 : 1;
      // An unpaired surrogate has no UTF-8 form: U+FFFD, as Rust's lossy conversion writes it.
      if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
      if (code < 0x800) {
        store<u8>(at++, <u8>(0xc0 | (code >> 6)));
        store<u8>(at++, <u8>(0x80 | (code & 0x3f)));
      } else if (code < 0x10000) {
        store<u8>(at++, <u8>(0xe0 | (code >> 12)));
        store<u8>(at++, <u8>(0x80 | ((code >> 6) & 0x3f)));
        store<u8>(at++, <u8>(0x80 | (code & 0x3f)));
      } else {
        store<u8>(at++, <u8>(0xf0 | (code >> 18)));
        store<u8>(at++, <u8>(0x80 | ((code >> 12) & 0x3f)));
        store<u8>(at++, <u8>(0x80 | ((code >> 6) & 0x3f)));
        store<u8>(at++, <u8>(0x80 | (code & 0x3f)));
      }
    }
    store<u8>(at++, 0x22);
    this.out.advance(<i32>(at - begin));
  }
}

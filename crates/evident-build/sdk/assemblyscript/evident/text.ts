// Text helpers the SDK shares: UTF-8 checks and conversions, ordering by code point, and
// quoting strings the way Rust's `{:?}` does (the messages match the Rust SDK's).

/** Whether `length` bytes at `start` are UTF-8 (as Rust's `str::from_utf8` accepts it). */
export function isUtf8(start: usize, length: usize): bool {
  let at = start;
  const end = start + length;
  while (at < end) {
    // Eight ASCII bytes at a time.
    if (at + 8 <= end && (load<u64>(at) & 0x8080808080808080) == 0) {
      at += 8;
      continue;
    }
    const b0 = <u32>load<u8>(at);
    if (b0 < 0x80) {
      at += 1;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      if (at + 2 > end || !isContinuation(load<u8>(at + 1))) return false;
      at += 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      if (at + 3 > end) return false;
      const b1 = <u32>load<u8>(at + 1);
      if (b0 == 0xe0 && (b1 < 0xa0 || b1 > 0xbf)) return false; // overlong
      if (b0 == 0xed && (b1 < 0x80 || b1 > 0x9f)) return false; // surrogates
      if (!isContinuation(<u8>b1) || !isContinuation(load<u8>(at + 2))) return false;
      at += 3;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (at + 4 > end) return false;
      const b1 = <u32>load<u8>(at + 1);
      if (b0 == 0xf0 && (b1 < 0x90 || b1 > 0xbf)) return false; // overlong
      if (b0 == 0xf4 && (b1 < 0x80 || b1 > 0x8f)) return false; // above U+10FFFF
      if (
        !isContinuation(<u8>b1) ||
        !isContinuation(load<u8>(at + 2)) ||
        !isContinuation(load<u8>(at + 3))
      ) return false;
      at += 4;
    } else {
      return false;
    }
  }
  return true;
}

// @ts-ignore: decorator
@inline
function isContinuation(byte: u8): bool {
  return (byte & 0xc0) == 0x80;
}

/** The string of `length` bytes of UTF-8 at `start` (which must be UTF-8). */
export function decodeUtf8(start: usize, length: usize): string {
  if (length == 0) return "";
  return String.UTF8.decodeUnsafe(start, length);
}

/** `text` as UTF-8 bytes, an unpaired surrogate as U+FFFD (as Rust would have it). */
export function encodeUtf8(text: string): ArrayBuffer {
  return String.UTF8.encode(text, false, String.UTF8.ErrorMode.REPLACE);
}

/**
 * Orders strings by Unicode code point, which is the order of their UTF-8 bytes and of Rust's
 * `BTreeMap<String, _>` keys (UTF-16 order differs for characters above U+FFFF).
 */
export function compareCodePoints(a: string, b: string): i32 {
  const length = min(a.length, b.length);
  const pa = changetype<usize>(a);
  const pb = changetype<usize>(b);
  for (let i = 0; i < length; i++) {
    const x = <u32>load<u16>(pa + (<usize>i << 1));
    const y = <u32>load<u16>(pb + (<usize>i << 1));
    if (x == y) continue;
    // A surrogate (U+D800..U+DFFF) stands for a code point above U+FFFF: it sorts after every
    // other unit from U+E000 on.
    const xs = (x & 0xf800) == 0xd800;
    const ys = (y & 0xf800) == 0xd800;
    if (xs != ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** The keys of `map`, in code point order (as serde_json writes a `BTreeMap`). */
export function sortedKeys<V>(map: Map<string, V>): string[] {
  const keys = map.keys();
  keys.sort(compareCodePoints);
  return keys;
}

const HEX = "0123456789abcdef";

/**
 * `text` quoted as Rust's `{:?}` prints a `str`: in double quotes, with `\"`, `\\`, `\n`, `\r`,
 * `\t`, `\0` and other control characters as `\u{..}`.
 */
export function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = <u32>text.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c == 0x0a) out += "\\n";
    else if (c == 0x0d) out += "\\r";
    else if (c == 0x09) out += "\\t";
    else if (c == 0) out += "\\0";
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xad || c == 0x2028 || c == 0x2029) {
      out += "\\u{" + hex(c) + "}";
    } else out += String.fromCharCode(c);
  }
  return out + '"';
}

function hex(value: u32): string {
  let out = "";
  do {
    out = HEX.charAt(value & 15) + out;
    value >>= 4;
  } while (value != 0);
  return out;
}

/** A growable byte buffer: what JSON and other encoders write into. */
export class Bytes {
  private buffer: ArrayBuffer;
  private used: i32 = 0;

  constructor(capacity: i32 = 64) {
    this.buffer = new ArrayBuffer(max(capacity, 16));
  }

  /** How many bytes were written. */
  get length(): i32 {
    return this.used;
  }

  /** Makes room for `more` bytes and returns where they go. */
  reserve(more: i32): usize {
    const needed = this.used + more;
    if (needed > this.buffer.byteLength) {
      let capacity = this.buffer.byteLength << 1;
      while (capacity < needed) capacity <<= 1;
      const grown = new ArrayBuffer(capacity);
      memory.copy(changetype<usize>(grown), changetype<usize>(this.buffer), this.used);
      this.buffer = grown;
    }
    return changetype<usize>(this.buffer) + this.used;
  }

  /** Appends one byte. */
  byte(value: u8): void {
    store<u8>(this.reserve(1), value);
    this.used += 1;
  }

  /** Appends `length` bytes from `start`. */
  raw(start: usize, length: i32): void {
    memory.copy(this.reserve(length), start, length);
    this.used += length;
  }

  /** Appends ASCII text (each unit below U+0080). */
  ascii(text: string): void {
    const length = text.length;
    const at = this.reserve(length);
    for (let i = 0; i < length; i++) store<u8>(at + i, <u8>text.charCodeAt(i));
    this.used += length;
  }

  /** Appends `text` as UTF-8. */
  utf8(text: string): void {
    const length = String.UTF8.byteLength(text);
    const at = this.reserve(length);
    String.UTF8.encodeUnsafe(
      changetype<usize>(text), text.length, at, false, String.UTF8.ErrorMode.REPLACE,
    );
    this.used += length;
  }

  /** Marks `count` bytes written directly at the pointer `reserve` gave. */
  advance(count: i32): void {
    this.used += count;
  }

  /** The bytes written, without copying them. */
  toBytes(): Uint8Array {
    return Uint8Array.wrap(this.buffer, 0, this.used);
  }
}

/** How many recently decoded short strings `decodeShared` remembers, and up to what length. */
const SHARED_SLOTS = 64;
const SHARED_MAX_LENGTH: usize = 64;
const sharedBytes = new StaticArray<ArrayBuffer | null>(SHARED_SLOTS);
const sharedText = new StaticArray<string | null>(SHARED_SLOTS);

/**
 * `decodeUtf8`, but a short string seen recently (an event type, a source) is returned as the
 * same string object instead of a new one: attributes that repeat across events then cost no
 * allocation. (Strings are immutable, so sharing one is safe.)
 */
export function decodeShared(start: usize, length: usize): string {
  if (length > SHARED_MAX_LENGTH) return decodeUtf8(start, length);
  let hash: u32 = 2166136261;
  for (let i: usize = 0; i < length; i++) hash = (hash ^ <u32>load<u8>(start + i)) * 16777619;
  const slot = <i32>((hash ^ (hash >> 16)) & (SHARED_SLOTS - 1));
  const bytes = sharedBytes[slot];
  if (
    bytes != null &&
    <usize>bytes.byteLength == length &&
    memory.compare(changetype<usize>(bytes), start, length) == 0
  ) {
    return sharedText[slot]!;
  }
  const text = decodeUtf8(start, length);
  const copy = new ArrayBuffer(<i32>length);
  memory.copy(changetype<usize>(copy), start, length);
  sharedBytes[slot] = copy;
  sharedText[slot] = text;
  return text;
}

// The CBOR codec (RFC 8949): compact and binary-friendly. Maps are written with their text keys
// sorted by code point, integers and lengths in their shortest form, and each float in the
// shortest of half, single and double precision that holds it exactly (as ciborium, the Rust
// SDK's CBOR library, does).

import { describe, sortedKeys } from './json.js';

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The CBOR codec, as a view or change names it (`codec: cbor`). */
export const cbor = Object.freeze({
  contentType: 'application/cbor',
  /** Encodes a value as CBOR bytes. */
  encode(value) {
    const writer = new Writer();
    writer.value(value);
    return writer.bytes();
  },
  /** Decodes one CBOR item; bytes after it are refused. */
  decode(bytes) {
    const reader = new Reader(bytes);
    const value = reader.item();
    if (reader.position !== bytes.length) {
      throw new Error(`${bytes.length - reader.position} bytes follow the CBOR item`);
    }
    return value;
  },
});

class Writer {
  constructor() {
    this.buffer = new Uint8Array(256);
    this.view = new DataView(this.buffer.buffer);
    this.length = 0;
  }

  bytes() {
    return this.buffer.slice(0, this.length);
  }

  reserve(more) {
    const needed = this.length + more;
    if (needed <= this.buffer.length) {
      return;
    }
    let size = this.buffer.length * 2;
    while (size < needed) {
      size *= 2;
    }
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }

  byte(value) {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  /** A major type and its argument (a length or an integer's magnitude) in the shortest form. */
  head(major, argument) {
    const type = major << 5;
    if (typeof argument === 'bigint') {
      if (argument < 0x100000000n) {
        this.head(major, Number(argument));
        return;
      }
      this.reserve(9);
      this.buffer[this.length] = type | 27;
      this.view.setBigUint64(this.length + 1, argument);
      this.length += 9;
      return;
    }
    if (argument < 24) {
      this.byte(type | argument);
    } else if (argument < 0x100) {
      this.reserve(2);
      this.buffer[this.length] = type | 24;
      this.buffer[this.length + 1] = argument;
      this.length += 2;
    } else if (argument < 0x10000) {
      this.reserve(3);
      this.buffer[this.length] = type | 25;
      this.view.setUint16(this.length + 1, argument);
      this.length += 3;
    } else if (argument < 0x100000000) {
      this.reserve(5);
      this.buffer[this.length] = type | 26;
      this.view.setUint32(this.length + 1, argument);
      this.length += 5;
    } else {
      this.head(major, BigInt(argument));
    }
  }

  raw(bytes) {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  value(value) {
    switch (typeof value) {
      case 'string': {
        const bytes = encoder.encode(value);
        this.head(3, bytes.length);
        this.raw(bytes);
        return;
      }
      case 'number':
        this.number(value);
        return;
      case 'bigint':
        this.bigint(value);
        return;
      case 'boolean':
        this.byte(value ? 0xf5 : 0xf4);
        return;
      case 'undefined':
        this.byte(0xf7);
        return;
      case 'object':
        if (value === null) {
          this.byte(0xf6);
        } else if (Array.isArray(value)) {
          this.head(4, value.length);
          for (let i = 0; i < value.length; i++) {
            this.value(value[i]);
          }
        } else if (value instanceof Uint8Array) {
          this.head(2, value.length);
          this.raw(value);
        } else if (typeof value.toJSON === 'function') {
          this.value(value.toJSON());
        } else {
          this.map(value);
        }
        return;
      default:
        throw new TypeError(`cannot encode ${describe(value)} as CBOR`);
    }
  }

  map(value) {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new TypeError(
        `cannot encode ${describe(value)} as CBOR: a state holds plain objects, arrays, ` +
          'Uint8Arrays, strings, numbers, bigints, booleans and null',
      );
    }
    // Entries whose value is undefined are left out, as the JSON codec leaves them out.
    const keys = sortedKeys(value).filter((key) => value[key] !== undefined);
    this.head(5, keys.length);
    for (const key of keys) {
      this.value(key);
      this.value(value[key]);
    }
  }

  number(value) {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
      if (value >= 0) {
        this.head(0, value);
      } else {
        this.head(1, -1 - value);
      }
      return;
    }
    const half = toHalf(value);
    if (half !== undefined) {
      this.reserve(3);
      this.buffer[this.length] = 0xf9;
      this.view.setUint16(this.length + 1, half);
      this.length += 3;
    } else if (Math.fround(value) === value) {
      this.reserve(5);
      this.buffer[this.length] = 0xfa;
      this.view.setFloat32(this.length + 1, value);
      this.length += 5;
    } else {
      this.reserve(9);
      this.buffer[this.length] = 0xfb;
      this.view.setFloat64(this.length + 1, value);
      this.length += 9;
    }
  }

  bigint(value) {
    const MAX = 0xffffffffffffffffn;
    if (value >= 0n && value <= MAX) {
      this.head(0, value);
    } else if (value < 0n && -1n - value <= MAX) {
      this.head(1, -1n - value);
    } else {
      // A bignum (tags 2 and 3): the magnitude's bytes, big-endian.
      const negative = value < 0n;
      let magnitude = negative ? -1n - value : value;
      const digits = [];
      while (magnitude > 0n) {
        digits.unshift(Number(magnitude & 0xffn));
        magnitude >>= 8n;
      }
      this.head(6, negative ? 3 : 2);
      this.head(2, digits.length);
      this.raw(digits);
    }
  }
}

/** The bits of `value` as a half-precision float if that holds it exactly, else undefined. */
function toHalf(value) {
  if (Number.isNaN(value)) {
    return 0x7e00;
  }
  if (value === Infinity) {
    return 0x7c00;
  }
  if (value === -Infinity) {
    return 0xfc00;
  }
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === 0) {
    return sign;
  }
  if (magnitude > 65504) {
    return undefined;
  }
  if (magnitude < 2 ** -14) {
    // Subnormal: a multiple of 2^-24.
    const units = magnitude * 2 ** 24;
    return Number.isInteger(units) ? sign | units : undefined;
  }
  const exponent = Math.floor(Math.log2(magnitude));
  // Math.log2 may round across a power of two; settle the exponent exactly.
  const e = 2 ** exponent > magnitude ? exponent - 1 : 2 ** (exponent + 1) <= magnitude ? exponent + 1 : exponent;
  const fraction = magnitude / 2 ** e - 1; // in [0, 1)
  const bits = fraction * 1024;
  if (!Number.isInteger(bits) || e < -14 || e > 15) {
    return undefined;
  }
  return sign | ((e + 15) << 10) | bits;
}

function fromHalf(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) {
    return sign * fraction * 2 ** -24;
  }
  if (exponent === 0x1f) {
    return fraction === 0 ? sign * Infinity : NaN;
  }
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

class Reader {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = 0;
  }

  need(count) {
    if (this.position + count > this.bytes.length) {
      throw new Error(`the CBOR ends inside an item (at byte ${this.position})`);
    }
  }

  /** The argument of a head whose low five bits are `info`: a number, or a bigint above 2^53. */
  argument(info) {
    if (info < 24) {
      return info;
    }
    const at = this.position;
    switch (info) {
      case 24:
        this.need(1);
        this.position += 1;
        return this.bytes[at];
      case 25:
        this.need(2);
        this.position += 2;
        return this.view.getUint16(at);
      case 26:
        this.need(4);
        this.position += 4;
        return this.view.getUint32(at);
      case 27: {
        this.need(8);
        this.position += 8;
        const value = this.view.getBigUint64(at);
        return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
      }
      default:
        throw new Error(`invalid CBOR head (additional information ${info}) at byte ${at - 1}`);
    }
  }

  length(info) {
    const length = this.argument(info);
    if (typeof length === 'bigint') {
      throw new Error('a CBOR length is too large');
    }
    return length;
  }

  item() {
    this.need(1);
    const initial = this.bytes[this.position++];
    const major = initial >> 5;
    const info = initial & 0x1f;
    switch (major) {
      case 0:
        return this.argument(info);
      case 1: {
        const magnitude = this.argument(info);
        if (typeof magnitude === 'bigint') {
          return -1n - magnitude;
        }
        const value = -1 - magnitude;
        return Number.isSafeInteger(value) ? value : -1n - BigInt(magnitude);
      }
      case 2:
        return info === 31 ? this.chunks(2) : this.take(this.length(info)).slice();
      case 3:
        return info === 31 ? this.chunks(3) : strictUtf8.decode(this.take(this.length(info)));
      case 4: {
        const items = [];
        if (info === 31) {
          while (!this.isBreak()) {
            items.push(this.item());
          }
        } else {
          const count = this.length(info);
          for (let i = 0; i < count; i++) {
            items.push(this.item());
          }
        }
        return items;
      }
      case 5: {
        const map = {};
        if (info === 31) {
          while (!this.isBreak()) {
            this.entry(map);
          }
        } else {
          const count = this.length(info);
          for (let i = 0; i < count; i++) {
            this.entry(map);
          }
        }
        return map;
      }
      case 6: {
        const tag = this.argument(info);
        const content = this.item();
        if ((tag === 2 || tag === 3) && content instanceof Uint8Array) {
          let magnitude = 0n;
          for (const byte of content) {
            magnitude = (magnitude << 8n) | BigInt(byte);
          }
          const value = tag === 2 ? magnitude : -1n - magnitude;
          const small = Number(value);
          return Number.isSafeInteger(small) ? small : value;
        }
        return content; // other tags are transparent, as they are to serde
      }
      default:
        return this.simple(info);
    }
  }

  simple(info) {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25: {
        this.need(2);
        const bits = this.view.getUint16(this.position);
        this.position += 2;
        return fromHalf(bits);
      }
      case 26: {
        this.need(4);
        const value = this.view.getFloat32(this.position);
        this.position += 4;
        return value;
      }
      case 27: {
        this.need(8);
        const value = this.view.getFloat64(this.position);
        this.position += 8;
        return value;
      }
      default:
        throw new Error(`unsupported CBOR simple value ${info} at byte ${this.position - 1}`);
    }
  }

  entry(map) {
    let key = this.item();
    if (typeof key === 'number' || typeof key === 'bigint') {
      key = String(key); // as serde_json writes integer keys
    } else if (typeof key !== 'string') {
      throw new Error(`a CBOR map key is ${describe(key)}, not text or an integer`);
    }
    const value = this.item();
    if (key === '__proto__') {
      Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      map[key] = value;
    }
  }

  take(length) {
    this.need(length);
    const start = this.position;
    this.position += length;
    return this.bytes.subarray(start, start + length);
  }

  isBreak() {
    this.need(1);
    if (this.bytes[this.position] === 0xff) {
      this.position += 1;
      return true;
    }
    return false;
  }

  /** An indefinite-length byte or text string: definite chunks of its major type until a break. */
  chunks(major) {
    const parts = [];
    let total = 0;
    while (!this.isBreak()) {
      const initial = this.bytes[this.position++];
      if (initial >> 5 !== major || (initial & 0x1f) === 31) {
        throw new Error(`an indefinite-length string holds a chunk of another kind`);
      }
      const part = this.take(this.length(initial & 0x1f));
      parts.push(part);
      total += part.length;
    }
    const joined = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return major === 2 ? joined : strictUtf8.decode(joined);
  }
}

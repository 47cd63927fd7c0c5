// The JSON codec: compact JSON whose object keys are sorted by Unicode code point, so a state is
// the same bytes as the Rust SDK's serde_json writes for the same data (a struct's fields in
// name order, a `BTreeMap`'s keys in byte order).

const encoder = new TextEncoder();
/** Refuses bytes that are not UTF-8 and keeps a byte order mark (which JSON.parse refuses). */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Characters whose UTF-16 order differs from their code point order: surrogates and U+E000+. */
const ABOVE_D800 = /[\ud800-\uffff]/;

/** 2^64: integer-valued numbers below it are written as integers (as Rust writes a u64/i64). */
const TWO_TO_64 = 18446744073709551616;

/** Encodes a value as JSON text: keys sorted by code point, compact, serde_json's escaping. */
export function stringify(value) {
  const text = write(value);
  if (text === undefined) {
    throw new TypeError(`cannot encode ${describe(value)} as JSON`);
  }
  return text;
}

/** Parses JSON text. */
export function parse(text) {
  return JSON.parse(text);
}

/** The JSON codec, as a view or change names it (`codec: json`). */
export const json = Object.freeze({
  contentType: 'application/json',
  /** Encodes a value as UTF-8 JSON bytes. */
  encode(value) {
    return encoder.encode(stringify(value));
  },
  /** Decodes UTF-8 JSON bytes. */
  decode(bytes) {
    return JSON.parse(strictUtf8.decode(bytes));
  },
  stringify,
  parse,
});

function write(value) {
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes exactly as serde_json does: \" \\ \b \f \n \r \t, other controls
      // as \u00xx in lower-case hex, nothing else (lone surrogates, which Rust strings cannot
      // hold, as \udxxx).
      return JSON.stringify(value);
    case 'number':
      return number(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) {
        return 'null';
      }
      if (Array.isArray(value)) {
        return array(value);
      }
      if (typeof value.toJSON === 'function') {
        return write(value.toJSON());
      }
      return object(value);
    default:
      // undefined, functions and symbols are left out of objects and are null in arrays, as
      // JSON.stringify does.
      return undefined;
  }
}

function array(items) {
  if (isFlat(items, items)) {
    return JSON.stringify(items); // the engine writes these primitives as serde_json does
  }
  let text = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) {
      text += ',';
    }
    const item = write(items[i]);
    text += item === undefined ? 'null' : item;
  }
  return text + ']';
}

function object(value) {
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new TypeError(
      `cannot encode ${describe(value)} as JSON: a state holds plain objects, arrays, strings, ` +
        'numbers, booleans and null (give a class a toJSON method to choose what is stored)',
    );
  }
  const keys = Object.keys(value);
  const flat = isFlat(value, keys);
  if (flat && keys.length < 2) {
    return JSON.stringify(value);
  }
  sortKeys(keys);
  if (flat) {
    // The engine writes the keys in the order of the list it is given.
    return JSON.stringify(value, keys);
  }
  let text = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = write(value[key]);
    if (item === undefined) {
      continue;
    }
    text += (first ? '' : ',') + JSON.stringify(key) + ':' + item;
    first = false;
  }
  return text + '}';
}

/**
 * Whether every member of an object or array (`keys` being its keys, or the array itself) is
 * a string, boolean, null or a number the engine writes as serde_json does: then the engine's
 * JSON.stringify writes it as this codec would, and much faster.
 */
function isFlat(value, keys) {
  const array = keys === value;
  for (let i = 0; i < keys.length; i++) {
    const item = array ? value[i] : value[keys[i]];
    switch (typeof item) {
      case 'number':
        // Int32s (but -0) are written alike; other numbers are compared as written.
        if ((item | 0) !== item || (item === 0 && 1 / item < 0)) {
          if (number(item) !== String(item)) {
            return false;
          }
        }
        break;
      case 'string':
      case 'boolean':
        break;
      default:
        if (item !== null) {
          return false;
        }
    }
  }
  return true;
}

/** Sorts keys in Unicode code point order (= UTF-8 byte order), in place. */
function sortKeys(keys) {
  if (keys.length < 2) {
    return keys;
  }
  // The default sort compares UTF-16 code units, which is code point order unless a key holds
  // a surrogate pair or a character from U+E000 up: only then is the slower comparison needed.
  return ABOVE_D800.test(keys.join('')) ? keys.sort(compareCodePoints) : keys.sort();
}

/** An object's own enumerable keys in Unicode code point order (= UTF-8 byte order). */
export function sortedKeys(value) {
  return sortKeys(Object.keys(value));
}

/** Compares strings by Unicode code point (for well-formed strings: by their UTF-8 bytes). */
export function compareCodePoints(a, b) {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (D800-DFFF) stand for code points above FFFF: move them above E000-FFFF.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/** A number as serde_json writes it: integers as integers, other numbers as Rust's f64. */
function number(value) {
  if (!Number.isFinite(value)) {
    return 'null'; // serde_json writes NaN and the infinities as null, as JSON.stringify does
  }
  if (Number.isInteger(value)) {
    if (Object.is(value, -0)) {
      return '-0.0';
    }
    if (Number.isSafeInteger(value)) {
      return String(value);
    }
    if (Math.abs(value) < TWO_TO_64) {
      return BigInt(value).toString();
    }
  }
  return shortestFloat(value);
}

/**
 * Formats a finite number as Rust's f64 `Display` through ryu does (what serde_json writes):
 * the shortest digits that read back as the same number: `1.5`, `0.00001`, `1e-7`, `1.5e+300`.
 */
export function shortestFloat(value) {
  const exponential = value.toExponential(); // shortest round-trip digits, as ryu's
  const sign = value < 0 ? '-' : '';
  const e = exponential.indexOf('e');
  const mantissa = exponential.slice(sign.length, e);
  const digits = mantissa.length > 1 ? mantissa[0] + mantissa.slice(2) : mantissa;
  const length = digits.length;
  const point = Number(exponential.slice(e + 1)) + 1; // value = 0.digits × 10^point
  if (length <= point && point <= 16) {
    return sign + digits + '0'.repeat(point - length) + '.0';
  }
  if (0 < point && point <= 16) {
    return sign + digits.slice(0, point) + '.' + digits.slice(point);
  }
  if (-5 < point && point <= 0) {
    return sign + '0.' + '0'.repeat(-point) + digits;
  }
  const rest = length === 1 ? '' : '.' + digits.slice(1);
  const exponent = point - 1;
  return sign + digits[0] + rest + (exponent > 0 ? 'e+' : 'e') + exponent;
}

/** Names a value's kind for an error message. */
export function describe(value) {
  if (value === null) {
    return 'null';
  }
  if (typeof value !== 'object') {
    return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
  }
  const name = value.constructor && value.constructor.name;
  return name ? `a ${name}` : 'an object';
}

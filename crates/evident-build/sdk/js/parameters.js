// The `name=value` parameters a view or change is configured with, with typed accessors that
// refuse a bad value with the code `invalid-parameter` (the same messages as the Rust SDK's).

import { debugString } from './debug.js';
import { Refusal, codes } from './refusal.js';

const INTEGER = /^[+-]?[0-9]+$/;
const FLOAT = /^[+-]?(?:inf|infinity|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$/i;

/** Parameters, in the order given; when a name is given twice, the last value wins. */
export class Parameters {
  /**
   * @param {Iterable<[string, string]> | Record<string, string> | Parameters} [pairs] name/value
   *   pairs (as the host passes them), a Map, or an object
   */
  constructor(pairs = []) {
    let list;
    if (pairs instanceof Parameters) {
      list = pairs.pairs;
    } else if (typeof pairs[Symbol.iterator] === 'function') {
      list = Array.from(pairs, ([name, value]) => Object.freeze([String(name), String(value)]));
    } else {
      list = Object.entries(pairs).map(([name, value]) => Object.freeze([name, String(value)]));
    }
    /** The `[name, value]` pairs, in the order given. */
    this.pairs = Object.freeze(list);
    /** The value of each name: the last one given. */
    this.values = new Map(list);
  }

  /** The value of `name` (the last one given), or undefined. */
  get(name) {
    return this.values.get(name);
  }

  /** Whether `name` is given. */
  has(name) {
    return this.values.has(name);
  }

  /** The value of `name`, or `fallback` if it is not given. */
  string(name, fallback = undefined) {
    const raw = this.values.get(name);
    return raw === undefined ? fallback : raw;
  }

  /** `name` as a boolean: exactly `true` or `false`; `fallback` if absent. */
  bool(name, fallback = undefined) {
    const raw = this.values.get(name);
    if (raw === undefined) {
      return fallback;
    }
    if (raw === 'true' || raw === 'false') {
      return raw === 'true';
    }
    throw invalid(name, raw, 'provided string was not `true` or `false`');
  }

  /** `name` as an integer (decimal, optional sign, within ±(2^53 - 1)); `fallback` if absent. */
  int(name, fallback = undefined) {
    const raw = this.values.get(name);
    return raw === undefined ? fallback : integer(name, raw, true);
  }

  /** `name` as a non-negative integer (decimal, at most 2^53 - 1); `fallback` if absent. */
  uint(name, fallback = undefined) {
    const raw = this.values.get(name);
    return raw === undefined ? fallback : integer(name, raw, false);
  }

  /** `name` as a number, as Rust reads an f64 (`1.5`, `-2e3`, `inf`, `NaN`); `fallback` if absent. */
  number(name, fallback = undefined) {
    const raw = this.values.get(name);
    if (raw === undefined) {
      return fallback;
    }
    if (raw === '') {
      throw invalid(name, raw, 'cannot parse float from empty string');
    }
    if (!FLOAT.test(raw)) {
      throw invalid(name, raw, 'invalid float literal');
    }
    const lower = raw.toLowerCase().replace(/^\+/, '');
    if (lower === 'nan' || lower === '-nan') {
      return NaN;
    }
    if (lower === 'inf' || lower === 'infinity') {
      return Infinity;
    }
    if (lower === '-inf' || lower === '-infinity') {
      return -Infinity;
    }
    return Number(raw);
  }

  /** How many pairs there are. */
  get size() {
    return this.pairs.length;
  }

  /** The `[name, value]` pairs in order. */
  [Symbol.iterator]() {
    return this.pairs[Symbol.iterator]();
  }

  /** A copy with one more pair. */
  with(name, value) {
    return new Parameters([...this.pairs, [name, value]]);
  }
}

function integer(name, raw, signed) {
  if (raw === '') {
    throw invalid(name, raw, 'cannot parse integer from empty string');
  }
  if (!INTEGER.test(raw) || (!signed && raw.startsWith('-')) || raw === '+' || raw === '-') {
    throw invalid(name, raw, 'invalid digit found in string');
  }
  const value = Number(raw);
  if (value > Number.MAX_SAFE_INTEGER) {
    throw invalid(name, raw, 'number too large to fit in target type');
  }
  if (value < -Number.MAX_SAFE_INTEGER) {
    throw invalid(name, raw, 'number too small to fit in target type');
  }
  return value === 0 ? 0 : value; // no -0
}

function invalid(name, raw, reason) {
  return new Refusal(codes.INVALID_PARAMETER, `parameter \`${name}\` is ${debugString(raw)}: ${reason}`);
}

// The JSON codec writes what serde_json writes for the same data.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { json } from '../index.js';
import { compareCodePoints, shortestFloat, stringify } from '../json.js';

const text = (bytes) => new TextDecoder().decode(bytes);

test('keys are sorted by code point, not UTF-16 order, not integer-like keys first', () => {
  const counts = { b: 1, a: 2, 10: 3, 9: 4, 'é': 5, '\u{1f600}': 6, '\uffff': 7, '\ue000': 8, Z: 9, '': 10 };
  assert.equal(
    stringify(counts),
    '{"":10,"10":3,"9":4,"Z":9,"a":2,"b":1,"é":5,"\ue000":8,"\uffff":7,"\u{1f600}":6}',
  );
  // JavaScript's own order differs twice over: integer-like keys first, then insertion order.
  assert.notEqual(JSON.stringify(counts), stringify(counts));
});

test('the code point comparison orders astral characters after the top of the BMP', () => {
  const keys = ['\u{10000}', '\uffff', '\ud7ff', 'a', '\u{10ffff}', '\ue000'];
  assert.deepEqual(keys.sort(compareCodePoints), ['a', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{10ffff}']);
  // Code point order is UTF-8 byte order.
  const bytes = (s) => Array.from(new TextEncoder().encode(s));
  for (let i = 1; i < keys.length; i++) {
    const [a, b] = [bytes(keys[i - 1]), bytes(keys[i])];
    assert.ok(a.join() !== b.join() && compareArrays(a, b) < 0, `${keys[i - 1]} < ${keys[i]}`);
  }
});

function compareArrays(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return a[i] - b[i];
    }
  }
  return a.length - b.length;
}

test('strings are escaped as serde_json escapes them', () => {
  const controls = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)).join('');
  assert.equal(
    stringify(controls + '"\\/<>&\u2028\u007f é'),
    '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f' +
      '\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c' +
      '\\u001d\\u001e\\u001f\\"\\\\/<>&\u2028\u007f é"',
  );
  assert.equal(stringify({ 'k"\n': 'ü' }), '{"k\\"\\n":"ü"}');
});

// Checked against serde_json 1.0.154 (f64 values through `serde_json::to_string`).
test('numbers are written as serde_json writes integers and f64s', () => {
  const cases = [
    [0, '0'],
    [-7, '-7'],
    [2 ** 53 - 1, '9007199254740991'],
    [2 ** 60, '1152921504606846976'],
    [1.5, '1.5'],
    [-0.25, '-0.25'],
    [0.1, '0.1'],
    [1 / 3, '0.3333333333333333'],
    [123456.789, '123456.789'],
    [0.001, '0.001'],
    [0.0001, '0.0001'],
    [0.00001, '0.00001'],
    [0.000001, '1e-6'],
    [1.5e-7, '1.5e-7'],
    [5e-324, '5e-324'],
    [2 ** 64, '1.8446744073709552e+19'],
    [1e300, '1e+300'],
    [-1.7976931348623157e308, '-1.7976931348623157e+308'],
    [-0, '-0.0'],
    [NaN, 'null'],
    [Infinity, 'null'],
    [12345678901234567e-3, '12345678901234.566'],
  ];
  for (const [value, expected] of cases) {
    assert.equal(stringify(value), expected, String(value));
  }
  assert.equal(stringify(12345678901234567890n), '12345678901234567890');
});

test('flat objects and arrays (written by the engine) and nested ones are written alike', () => {
  // Flat: every member a primitive; the engine's JSON.stringify writes them, in the keys' order.
  assert.equal(stringify({ b: 2, a: 1, 10: 'x', 9: true, c: null }), '{"10":"x","9":true,"a":1,"b":2,"c":null}');
  assert.equal(stringify([3, 'b', null, false, 0.5]), '[3,"b",null,false,0.5]');
  // Numbers the engine writes otherwise than serde_json send the object down the slow path.
  assert.equal(stringify({ b: -0, a: 1.5e-6, c: 2 ** 60 }), '{"a":1.5e-6,"b":-0.0,"c":1152921504606846976}');
  assert.equal(stringify([1, -0, 2 ** 60, 1e21, 1e-7]), '[1,-0.0,1152921504606846976,1e+21,1e-7]');
  // Nested: each level sorted.
  assert.equal(
    stringify({ z: { d: [{ y: 1, x: 2 }], c: {} }, a: [[]], m: { 2: 1, 10: 2 } }),
    '{"a":[[]],"m":{"10":2,"2":1},"z":{"c":{},"d":[{"x":2,"y":1}]}}',
  );
  const many = {};
  for (let i = 0; i < 1000; i++) {
    many[`k${(i * 7919) % 1000}`] = i;
  }
  const keys = Object.keys(many).sort();
  assert.equal(stringify(many), '{' + keys.map((k) => `"${k}":${many[k]}`).join(',') + '}');
});

test('every float written reads back bit for bit', () => {
  const view = new DataView(new ArrayBuffer(8));
  let bits = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 20000; i++) {
    bits ^= (bits << 13n) & 0xffffffffffffffffn;
    bits ^= bits >> 7n;
    bits ^= (bits << 17n) & 0xffffffffffffffffn;
    view.setBigUint64(0, bits);
    const value = view.getFloat64(0);
    if (!Number.isFinite(value)) {
      continue;
    }
    const back = JSON.parse(shortestFloat(value));
    assert.ok(Object.is(back, value), `${value} wrote ${shortestFloat(value)}`);
  }
});

test('undefined members are left out, as JSON.stringify leaves them out', () => {
  assert.equal(stringify({ a: undefined, b: [undefined, () => 1], c: 1 }), '{"b":[null,null],"c":1}');
  assert.throws(() => stringify(undefined), /cannot encode undefined/);
});

test('what would not come back as it was is refused', () => {
  assert.throws(() => stringify({ by_type: new Map() }), /cannot encode a Map as JSON/);
  assert.throws(() => stringify(new Uint8Array(1)), /Uint8Array/);
  class Point {
    constructor() {
      this.x = 1;
    }
  }
  assert.throws(() => stringify(new Point()), /a Point/);
  // A toJSON says what is stored.
  assert.equal(stringify({ at: new Date(0) }), '{"at":"1970-01-01T00:00:00.000Z"}');
  assert.equal(stringify(Object.assign(Object.create(null), { b: 1, a: 2 })), '{"a":2,"b":1}');
});

test('decode refuses what serde_json refuses', () => {
  assert.deepEqual(json.decode(new TextEncoder().encode('{"a":[1,2]}')), { a: [1, 2] });
  assert.throws(() => json.decode(new Uint8Array([0x22, 0xff, 0x22])), TypeError); // not UTF-8
  assert.throws(() => json.decode(new TextEncoder().encode('\ufeff{}')), SyntaxError); // a BOM
  assert.throws(() => json.decode(new TextEncoder().encode('{"a":1,}')), SyntaxError);
  assert.throws(() => json.decode(new Uint8Array(0)), SyntaxError);
});

test('encode writes compact UTF-8', () => {
  assert.equal(text(json.encode({ by_type: { 'ünïcode.type': 75 }, total: 75 })), '{"by_type":{"ünïcode.type":75},"total":75}');
  assert.equal(json.contentType, 'application/json');
});

// The CBOR codec writes what ciborium writes for the same data, and reads what it writes back.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { cbor } from '../index.js';

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (text) => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));

// Both expected encodings are what ciborium 0.2.2 writes for the same serde_json values.
test('maps, integers and floats are written as ciborium writes them', () => {
  const counts = { by_type: { b: 1, a: 2, 10: 3, 'é': 4, '\u{1f600}': 5, '\uffff': 6 }, total: 21 };
  assert.equal(
    hex(cbor.encode(counts)),
    'a26762795f74797065a66231300361610261620162c3a90463efbfbf0664f09f98800565746f74616c15',
  );
  const mixed = [1, -1, 24, -25, 256, 65536, 4294967296, 1.5, 0.1, -0, 100000.5, true, null, 'x'];
  assert.equal(
    hex(cbor.encode(mixed)),
    '8e0120181838181901001a000100001b0000000100000000f93e00fb3fb999999999999af98000fa47c35040f5f66178',
  );
});

test('values come back as they were', () => {
  const values = [
    0,
    -0,
    23,
    -24,
    2 ** 53 - 1,
    -(2 ** 53 - 1),
    2 ** 60, // not a safe integer: written as a float, read back exactly
    0.1,
    65504,
    2 ** -24,
    1e-40,
    Infinity,
    -Infinity,
    'ünïcode 😀',
    '',
    new Uint8Array([0, 1, 255]),
    [],
    [[[]]],
    { a: { b: [1, { c: null }] } },
    true,
    false,
    null,
    12345678901234567890n,
    -(10n ** 30n),
  ];
  for (const value of values) {
    const back = cbor.decode(cbor.encode(value));
    if (typeof value === 'number') {
      assert.ok(Object.is(back, value), `${value} came back as ${back}`);
    } else {
      assert.deepEqual(back, value);
    }
  }
  assert.ok(Number.isNaN(cbor.decode(cbor.encode(NaN))));
  assert.equal(hex(cbor.encode(NaN)), 'f97e00');
});

test('keys with undefined values are left out', () => {
  assert.deepEqual(cbor.decode(cbor.encode({ a: undefined, b: 1 })), { b: 1 });
});

test('indefinite lengths, tags and integer keys are read', () => {
  // RFC 8949 appendix A: (_ h'0102', h'030405'), (_ "strea", "ming"), [_ 1, [2, 3]], {_ "a": 1}
  assert.deepEqual(cbor.decode(unhex('5f42010243030405ff')), new Uint8Array([1, 2, 3, 4, 5]));
  assert.equal(cbor.decode(unhex('7f657374726561646d696e67ff')), 'streaming');
  assert.deepEqual(cbor.decode(unhex('9f018202039f0405ffff')), [1, [2, 3], [4, 5]]);
  assert.deepEqual(cbor.decode(unhex('bf61610161629f0203ffff')), { a: 1, b: [2, 3] });
  assert.equal(cbor.decode(unhex('c074323031332d30332d32315432303a30343a30305a')), '2013-03-21T20:04:00Z');
  assert.equal(cbor.decode(unhex('c249010000000000000000')), 18446744073709551616n);
  assert.equal(cbor.decode(unhex('3bffffffffffffffff')), -18446744073709551616n);
  assert.equal(cbor.decode(unhex('f93c00')), 1);
  assert.equal(cbor.decode(unhex('f90001')), 5.960464477539063e-8);
  assert.deepEqual(cbor.decode(unhex('a201020304')), { 1: 2, 3: 4 });
  const proto = cbor.decode(unhex('a1695f5f70726f746f5f5f01'));
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(Object.keys(proto), ['__proto__']);
});

test('malformed CBOR is refused', () => {
  assert.throws(() => cbor.decode(unhex('')), /ends inside an item/);
  assert.throws(() => cbor.decode(unhex('62ff')), /ends inside an item/);
  assert.throws(() => cbor.decode(unhex('0101')), /1 bytes follow/);
  assert.throws(() => cbor.decode(unhex('62c328')), TypeError); // not UTF-8
  assert.throws(() => cbor.decode(unhex('1c')), /invalid CBOR head/);
  assert.throws(() => cbor.decode(unhex('a1f401')), /a CBOR map key is a boolean/);
  assert.throws(() => cbor.encode(new Map()), /cannot encode a Map as CBOR/);
  assert.throws(() => cbor.encode(Symbol('s')), /cannot encode a symbol/);
});

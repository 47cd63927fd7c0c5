// Parameters: the last value wins, and typed accessors refuse bad values as the Rust SDK does.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Parameters, Refusal } from '../index.js';

const refusal = (code, message) => (error) => {
  assert.ok(error instanceof Refusal, `${error} is a Refusal`);
  assert.equal(error.code, code);
  assert.equal(error.message, message);
  return true;
};

test('the last value of a name wins', () => {
  const parameters = new Parameters([
    ['prefix', 'a'],
    ['other', 'x'],
    ['prefix', 'b'],
  ]);
  assert.equal(parameters.get('prefix'), 'b');
  assert.equal(parameters.get('missing'), undefined);
  assert.equal(parameters.has('other'), true);
  assert.equal(parameters.string('missing', 'fallback'), 'fallback');
  assert.equal(parameters.size, 3);
  assert.deepEqual([...parameters.with('z', 1)].at(-1), ['z', '1']);
  assert.equal(new Parameters({ a: 1 }).get('a'), '1');
  assert.equal(new Parameters(new Map([['a', 'b']])).get('a'), 'b');
});

test('bool takes exactly true or false', () => {
  const parameters = new Parameters([
    ['yes', 'true'],
    ['no', 'false'],
    ['require-data', 'maybe'],
    ['upper', 'TRUE'],
  ]);
  assert.equal(parameters.bool('yes'), true);
  assert.equal(parameters.bool('no', true), false);
  assert.equal(parameters.bool('absent', false), false);
  assert.equal(parameters.bool('absent'), undefined);
  // The message the Rust SDK gives (`parameters.parse::<bool>`).
  assert.throws(
    () => parameters.bool('require-data', false),
    refusal('invalid-parameter', 'parameter `require-data` is "maybe": provided string was not `true` or `false`'),
  );
  assert.throws(() => parameters.bool('upper'), /is "TRUE"/);
});

test('integers are decimal, signed or not, within the safe range', () => {
  const parameters = new Parameters([
    ['n', '42'],
    ['plus', '+7'],
    ['minus', '-3'],
    ['zero', '-0'],
    ['empty', ''],
    ['float', '1.5'],
    ['spaced', ' 1'],
    ['big', '9007199254740992'],
    ['small', '-9007199254740992'],
    ['quote', 'a"b'],
  ]);
  assert.equal(parameters.int('n'), 42);
  assert.equal(parameters.int('plus'), 7);
  assert.equal(parameters.int('minus'), -3);
  assert.ok(Object.is(parameters.int('zero'), 0));
  assert.equal(parameters.uint('n'), 42);
  assert.equal(parameters.int('absent', 100), 100);
  const message = (name, raw, reason) => refusal('invalid-parameter', `parameter \`${name}\` is ${raw}: ${reason}`);
  assert.throws(() => parameters.int('empty'), message('empty', '""', 'cannot parse integer from empty string'));
  assert.throws(() => parameters.int('float'), message('float', '"1.5"', 'invalid digit found in string'));
  assert.throws(() => parameters.int('spaced'), message('spaced', '" 1"', 'invalid digit found in string'));
  assert.throws(() => parameters.uint('minus'), message('minus', '"-3"', 'invalid digit found in string'));
  assert.throws(() => parameters.int('big'), message('big', '"9007199254740992"', 'number too large to fit in target type'));
  assert.throws(
    () => parameters.int('small'),
    message('small', '"-9007199254740992"', 'number too small to fit in target type'),
  );
  assert.throws(() => parameters.int('quote'), message('quote', '"a\\"b"', 'invalid digit found in string'));
});

test('numbers read as Rust reads an f64', () => {
  const parameters = new Parameters([
    ['a', '1.5'],
    ['b', '-2e3'],
    ['c', '.5'],
    ['d', '5.'],
    ['e', 'inf'],
    ['f', '-Infinity'],
    ['g', 'NaN'],
    ['h', '0x10'],
    ['i', ''],
    ['j', '1e'],
  ]);
  assert.equal(parameters.number('a'), 1.5);
  assert.equal(parameters.number('b'), -2000);
  assert.equal(parameters.number('c'), 0.5);
  assert.equal(parameters.number('d'), 5);
  assert.equal(parameters.number('e'), Infinity);
  assert.equal(parameters.number('f'), -Infinity);
  assert.ok(Number.isNaN(parameters.number('g')));
  assert.throws(() => parameters.number('h'), /parameter `h` is "0x10": invalid float literal/);
  assert.throws(() => parameters.number('i'), /cannot parse float from empty string/);
  assert.throws(() => parameters.number('j'), /invalid float literal/);
});

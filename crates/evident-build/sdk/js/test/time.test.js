// Event times: RFC 3339 as the Rust SDK reads and writes it, within chrono's range.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Timestamp } from '../index.js';
import { MAX_SECONDS, MIN_SECONDS } from '../time.js';

test('RFC 3339 text keeps its nanoseconds and offset, and is written back as it came', () => {
  for (const text of [
    '2026-01-01T00:00:10Z',
    '2026-11-25T19:03:21.123456789+05:30',
    '2026-11-25T19:03:21.123+05:30',
    '2026-11-25T19:03:21.123456-08:00',
    '1969-12-31T23:59:59.500Z',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999999Z',
  ]) {
    assert.equal(Timestamp.parse(text).toString(), text);
  }
  const time = Timestamp.parse('2026-11-25T19:03:21.123456789+05:30');
  assert.equal(time.nanos, 123456789);
  assert.equal(time.offset, 5 * 3600 + 30 * 60);
  assert.equal(time.toDate().toISOString(), '2026-11-25T13:33:21.123Z');
});

test('other spellings RFC 3339 allows are read, and written in the canonical one', () => {
  assert.equal(Timestamp.parse('2026-01-01t00:00:10z').toString(), '2026-01-01T00:00:10Z');
  assert.equal(Timestamp.parse('2026-01-01 00:00:10+00:00').toString(), '2026-01-01T00:00:10Z');
  assert.equal(Timestamp.parse('2026-01-01T00:00:10.1000Z').toString(), '2026-01-01T00:00:10.100Z');
  assert.equal(Timestamp.parse('2026-01-01T00:00:10.1234567891Z').nanos, 123456789);
  // A leap second is the 59th second with a billion nanoseconds and more.
  const leap = Timestamp.parse('2016-12-31T23:59:60.5Z');
  assert.equal(leap.nanos, 1_500_000_000);
  assert.equal(leap.toString(), '2016-12-31T23:59:60.500Z');
});

test('what is not a date and time is refused', () => {
  for (const text of [
    '2026-01-01',
    '2026-01-01T00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00:00',
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00.Z',
    '+2026-01-01T00:00:00Z',
  ]) {
    assert.throws(() => Timestamp.parse(text), RangeError, text);
  }
  assert.equal(Timestamp.parse('2024-02-29T00:00:00Z').toString(), '2024-02-29T00:00:00Z');
});

test('the range is chrono\'s', () => {
  assert.ok(new Timestamp(MAX_SECONDS, 999_999_999, 0).isValid());
  assert.ok(!new Timestamp(MAX_SECONDS + 1, 0, 0).isValid());
  assert.ok(new Timestamp(MIN_SECONDS, 0, 0).isValid());
  assert.ok(!new Timestamp(MIN_SECONDS - 1, 0, 0).isValid());
  assert.ok(!new Timestamp(0, 1e9, 0).isValid(), 'a billion nanoseconds only in a leap second');
  assert.ok(new Timestamp(59, 1e9, 0).isValid());
  assert.ok(!new Timestamp(59, 2e9, 0).isValid());
  assert.ok(new Timestamp(0, 0, 86399).isValid());
  assert.ok(!new Timestamp(0, 0, 86400).isValid());
  assert.equal(new Timestamp(MAX_SECONDS, 0, 0).toString(), '+262142-12-31T23:59:59Z');
});

test('a Date becomes a UTC time to the millisecond', () => {
  const time = Timestamp.fromDate(new Date(Date.UTC(2026, 0, 1, 0, 0, 10, 250)));
  assert.equal(time.toString(), '2026-01-01T00:00:10.250Z');
  assert.equal(Timestamp.fromDate(new Date(-1)).toString(), '1969-12-31T23:59:59.999Z');
  assert.throws(() => Timestamp.fromDate(new Date(NaN)), RangeError);
});

// The golden vectors of ../testdata (written by crates/evident-types/tests/sdk_golden.rs): the
// SDK reads frames and times, encodes and decodes states, parses parameters and checks emitted
// events as the host and the Rust SDK do.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { Event, FrameError, FrameReader, Parameters, Timestamp, cbor, json } from '../index.js';
import { whyInvalid } from '../event.js';

const load = (name) =>
  JSON.parse(readFileSync(new URL(`../../testdata/${name}`, import.meta.url), 'utf8'));
const wire = load('wire.json');
const frames = load('frames.json');

const fromHex = (text) => Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
const toHex = (bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
const float64 = (hex) => new DataView(fromHex(hex).buffer).getFloat64(0);

/** A decoded CBOR value as the host shows it in JSON: bytes as base64, bigints as text. */
function shown(value) {
  if (value === undefined) {
    return null;
  }
  if (value instanceof Uint8Array) {
    return Buffer.from(value).toString('base64');
  }
  if (typeof value === 'bigint') {
    return value >= -(2n ** 63n) && value < 2n ** 64n ? value : value.toString();
  }
  if (Array.isArray(value)) {
    return value.map(shown);
  }
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([key, item]) => [key, shown(item)]));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shown(item)]));
  }
  return value;
}

test('states encode and decode as in the Rust SDK', () => {
  assert.ok(wire.states.length > 0);
  for (const c of wire.states) {
    // One number type: an integral float is written as an integer, and integers beyond 2^53
    // lose digits in JSON.parse (the SDK takes them as bigints).
    if (c.big_integers) {
      continue;
    }
    const value = JSON.parse(c.value);
    const text = fromHex(c.json);
    assert.deepEqual(cbor.decode(fromHex(c.cbor)), value, c.value);
    assert.deepEqual(json.decode(text), value, c.value);
    if (!c.integral_floats) {
      assert.equal(toHex(cbor.encode(value)), c.cbor, c.value);
      assert.equal(toHex(json.encode(value)), c.json, c.value);
    }
  }
});

test('CBOR items read as the host shows them', () => {
  for (const c of wire.cbor_reads) {
    const bytes = fromHex(c.cbor);
    if (c.refused) {
      assert.throws(() => cbor.decode(bytes), undefined, c.name);
    } else {
      const want = JSON.parse(c.json, (_, v, context) =>
        typeof v === 'number' && context && !Number.isSafeInteger(v) && /^-?\d+$/.test(context.source)
          ? BigInt(context.source)
          : v,
      );
      assert.deepEqual(shown(cbor.decode(bytes)), want, c.name);
    }
  }
});

function refusal(thunk) {
  try {
    return { value: thunk() };
  } catch (error) {
    return { error };
  }
}

test('parameters parse as in the Rust SDK', () => {
  for (const c of wire.parameters) {
    const parameters = new Parameters([['p', c.text]]);
    const bool = refusal(() => parameters.bool('p'));
    if (c.bool_error === null) {
      assert.equal(bool.value, c.bool, c.text);
    } else {
      assert.equal(bool.error?.message, c.bool_error, c.text);
      assert.equal(bool.error?.code, 'invalid-parameter', c.text);
    }
    // Integers are numbers: within ±(2^53 - 1), the rest refused.
    for (const [method, want, why] of [
      ['int', c.i64, c.i64_error],
      ['uint', c.u64, c.u64_error],
    ]) {
      const got = refusal(() => parameters[method]('p'));
      if (want !== null && Number.isSafeInteger(want)) {
        assert.equal(got.value, want, `${method} ${c.text}`);
      } else {
        assert.ok(got.error, `${method} ${c.text} is refused`);
        if (why !== null) {
          assert.equal(got.error.message, why, `${method} ${c.text}`);
        }
      }
    }
    const number = refusal(() => parameters.number('p'));
    if (c.f64_error === null) {
      const want = float64(c.f64);
      assert.ok(Object.is(number.value, want), `${c.text}: ${number.value} ${number.error}, want ${want}`);
    } else {
      assert.equal(number.error?.message, c.f64_error, c.text);
    }
  }
});

test('emitted events are refused as the host refuses them', () => {
  for (const c of wire.events) {
    const r = c.event;
    // As a WIT record, the way an event crosses the boundary (a repeated extension is refused
    // as it is read: a Map holds a name once).
    const made = refusal(() =>
      Event.fromRecord({
        id: r.id,
        source: r.source,
        specVersion: r.specversion,
        type: r.type,
        datacontenttype: r.datacontenttype ?? undefined,
        dataschema: r.dataschema ?? undefined,
        subject: r.subject ?? undefined,
        time: r.time ?? undefined,
        data: r.data === null ? undefined : fromHex(r.data),
        extensions: r.extensions,
      }),
    );
    const why = made.error ? made.error.message : whyInvalid(made.value);
    if (c.error === null) {
      assert.equal(why, undefined, c.name);
    } else {
      assert.ok(why, `${c.name}: accepted; the host refuses it: ${c.error}`);
      if (why.startsWith('attribute')) {
        assert.ok(c.error.startsWith(why), `${c.name}: ${why}; the host says ${c.error}`);
      }
    }
  }
});

test('times parse as in the Rust SDK', () => {
  for (const c of frames.times) {
    const parsed = refusal(() => Timestamp.parse(c.text));
    if (c.time === null) {
      assert.ok(parsed.error, `${c.text} is refused`);
    } else {
      const { seconds, nanos, offset } = parsed.value ?? {};
      assert.deepEqual({ seconds, nanos, offset }, {
        seconds: c.time.seconds,
        nanos: c.time.nanos,
        offset: c.time.offset,
      }, c.text);
    }
  }
});

test('frames read as in the Rust SDK', () => {
  for (const c of frames.frames) {
    const events = [];
    const read = refusal(() => {
      const reader = new FrameReader(fromHex(c.frame));
      for (let event = reader.next(); event !== null; event = reader.next()) {
        // Attributes are read when asked for: ask for every one.
        events.push({
          id: event.id,
          source: event.source,
          specversion: event.specversion,
          type: event.type,
          datacontenttype: event.datacontenttype ?? null,
          dataschema: event.dataschema ?? null,
          subject: event.subject ?? null,
          data: event.data === undefined ? null : toHex(event.data),
          extensions: [...event.extensions],
          time: event.timestamp === undefined ? null : event.timestamp,
        });
      }
    });
    if (c.error !== null) {
      assert.ok(read.error instanceof FrameError, `${c.name}: ${read.error}`);
      assert.equal(read.error.message, c.error, c.name);
      continue;
    }
    assert.equal(read.error, undefined, c.name);
    assert.equal(events.length, c.events.length, c.name);
    events.forEach((got, i) => {
      const want = c.events[i];
      const { time, ...rest } = got;
      const { time: wantTime, ...wantRest } = want;
      assert.deepEqual(rest, wantRest, `${c.name}: ${want.id}`);
      if (wantTime === null) {
        assert.equal(time, null);
      } else {
        assert.deepEqual(
          [time.seconds, time.nanos, time.offset],
          [wantTime.seconds, wantTime.nanos, wantTime.offset],
          `${c.name}: ${want.id}`,
        );
      }
    });
  }
});

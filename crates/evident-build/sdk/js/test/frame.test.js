// Event frames: read as the Rust SDK reads them (the same checks, the same messages), lazily.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Event, FrameError, FrameReader, encodeFrame } from '../index.js';

function fullEvent() {
  return new Event({
    id: '42',
    source: '/bank/accounts',
    type: 'bank.deposited',
    subject: 'acc-1',
    time: '2026-11-25T19:03:21.123456789+05:30',
    datacontenttype: 'application/octet-stream',
    data: new Uint8Array([0, 1, 2, 255]),
    extensions: { traceparent: '00-abc', partition: '7' },
  });
}

/** Every attribute of an event, as plain data. */
function attributes(event) {
  return {
    id: event.id,
    source: event.source,
    specversion: event.specversion,
    type: event.type,
    datacontenttype: event.datacontenttype,
    dataschema: event.dataschema,
    subject: event.subject,
    time: event.timestamp === undefined ? undefined : event.timestamp.toString(),
    data: event.data === undefined ? undefined : Array.from(event.data),
    extensions: [...event.extensions],
  };
}

/** Reads a whole frame: the events' attributes, or the error where reading stopped. */
function readAll(frame, { strictly = false } = {}) {
  const read = [];
  try {
    const reader = new FrameReader(frame);
    for (;;) {
      const event = strictly && reader.remaining > 0 ? strictNext(reader) : reader.next();
      if (event === null) {
        return { events: read };
      }
      read.push(attributes(event));
    }
  } catch (error) {
    assert.ok(error instanceof FrameError, String(error));
    assert.equal(error.code, 'invalid-frame');
    return { events: read, error: error.message, index: error.index };
  }
}

function strictNext(reader) {
  const event = reader.strict(reader.position, reader.index);
  reader.index += 1;
  return event;
}

test('every attribute survives the frame', () => {
  const sparse = new Event({ id: '1', source: '/a', type: 't', dataschema: 'https://example.com/schema' });
  const events = [fullEvent(), sparse, fullEvent()];
  const { events: read, error } = readAll(encodeFrame(events));
  assert.equal(error, undefined);
  assert.deepEqual(read, events.map(attributes));
  const event = new FrameReader(encodeFrame([fullEvent()])).next();
  assert.equal(event.timeOffset, 5 * 3600 + 30 * 60, 'the offset is kept, not just the instant');
  assert.equal(event.timeNanos, 123456789);
  assert.equal(event.time.toISOString(), '2026-11-25T13:33:21.123Z');
  assert.equal(event.extensions.get('partition'), '7');
  assert.deepEqual(attributes(event.toEvent()), attributes(fullEvent()));
});

test('events without extensions are read lazily, and their attributes are the same', () => {
  const long = 'x'.repeat(200);
  const events = [
    new Event({ id: 'e1', source: '/s', type: 'shop.order.placed', json: { n: 1 } }),
    new Event({ id: 'é😀', source: '/ünï', type: 'ünïcode.type', subject: 's', time: new Date(0) }),
    new Event({ id: long, source: long, type: long, datacontenttype: long, dataschema: 'urn:' + long, subject: long }),
    new Event({ id: '\ufeffbom', source: '/s', type: '', subject: '' }),
    new Event({ id: 'd', source: '/s', type: 't', data: new Uint8Array(0) }),
  ];
  const frame = encodeFrame(events);
  const reader = new FrameReader(frame);
  const event = reader.next();
  assert.equal(event.constructor.name, 'FrameEvent');
  assert.deepEqual(event.json(), { n: 1 });
  assert.equal(event.text(), '{"n":1}');
  assert.deepEqual(readAll(frame), readAll(frame, { strictly: true }));
  assert.deepEqual(readAll(frame).events, events.map(attributes));
});

test('an empty frame has no events', () => {
  assert.deepEqual(readAll(encodeFrame([])), { events: [] });
});

test('every truncation is an error naming the event', () => {
  const frame = encodeFrame([new Event({ id: '1', source: '/a', type: 't' }), fullEvent()]);
  for (let length = 0; length < frame.length; length++) {
    const { error } = readAll(frame.subarray(0, length));
    assert.match(error, /^the event frame is truncated in event [01] \(/, `${length}: ${error}`);
  }
  assert.equal(readAll(frame.subarray(0, 3)).error, 'the event frame is truncated in event 0 (event count)');
  assert.deepEqual(readAll(frame.subarray(0, frame.length - 1)), {
    events: [attributes(new Event({ id: '1', source: '/a', type: 't' }))],
    error: 'the event frame is truncated in event 1 (extension value)',
    index: 1,
  });
});

test('malformed frames are refused as the Rust SDK refuses them', () => {
  const trailing = new Uint8Array([...encodeFrame([new Event({ id: '1', source: '/a', type: 't' })]), 0]);
  assert.equal(readAll(trailing).error, 'the event frame has 1 bytes after its last event');
  assert.equal(readAll(trailing).index, 1);

  const notUtf8 = encodeFrame([new Event({ id: 'é', source: '/a', type: 't' })]);
  notUtf8[9] = 0xff; // inside the two-byte `id`
  assert.equal(readAll(notUtf8).error, "the event frame's event 0 has a `id` that is not UTF-8");

  const twice = encodeFrame([new Event({ id: '1', source: '/a', type: 't', extensions: { x: '1', y: '1' } })]);
  twice[twice.length - 6] = 'x'.charCodeAt(0); // the second name, `y`, becomes `x`
  assert.equal(readAll(twice).error, "the event frame's event 0 has an invalid `extensions`");
});

test('a time the Rust SDK cannot represent is refused', () => {
  const timed = () => encodeFrame([new Event({ id: '1', source: '/a', type: 't', time: new Date(0) })]);
  const at = 4 + 5 + 6 + 7 + 5 + 3 * 4; // the flag byte
  const cases = [
    [(frame) => (frame[at] = 2), 'flag 2'],
    [(frame) => new DataView(frame.buffer).setInt32(at + 5, 0x7fffffff, true), 'seconds out of range'],
    [(frame) => new DataView(frame.buffer).setUint32(at + 9, 1e9, true), 'a leap second not at :59'],
    [(frame) => new DataView(frame.buffer).setInt32(at + 13, 86400, true), 'an offset of a day'],
  ];
  for (const [spoil, what] of cases) {
    const frame = timed();
    spoil(frame);
    assert.equal(readAll(frame).error, "the event frame's event 0 has an invalid `time`", what);
  }
  const frame = timed();
  new DataView(frame.buffer).setUint32(at + 1, 59, true);
  new DataView(frame.buffer).setUint32(at + 9, 1_500_000_000, true);
  assert.equal(readAll(frame).error, undefined, 'a leap second at :59');
});

test('the first bad attribute is named, whichever way the event is read', () => {
  const long = 'y'.repeat(130);
  const base = [
    new Event({ id: 'a', source: '/é', type: 'ü', datacontenttype: 'text/plain', subject: 'ß' }),
    new Event({ id: long, source: long, type: 'é', subject: 'é' + long }),
  ];
  const clean = encodeFrame(base);
  // Spoil each byte of the frame in turn (with a stray continuation byte, and a lead byte that
  // starts a sequence): the fast reader must say what the strict one says.
  for (let at = 4; at < clean.length; at++) {
    for (const byte of [0x80, 0xc3, 0xff, 0x00]) {
      const frame = clean.slice();
      frame[at] = byte;
      assert.deepEqual(readAll(frame), readAll(frame, { strictly: true }), `byte ${at} = ${byte}`);
    }
  }
});

test('a frame error is a refusal with the code invalid-frame', () => {
  const error = new FrameError(3, 'why');
  assert.equal(error.code, 'invalid-frame');
  assert.equal(error.index, 3);
});

test('an event with one extension is read lazily too', () => {
  const events = [
    new Event({ id: 'a', source: '/s', type: 't', extensions: { traceparent: '00-fc1a-01' } }),
    new Event({ id: 'b', source: '/s', type: 't', extensions: { long: 'é'.repeat(100) } }),
  ];
  const reader = new FrameReader(encodeFrame(events));
  const event = reader.next();
  assert.equal(event.constructor.name, 'FrameEvent');
  assert.equal(event.extensions.get('traceparent'), '00-fc1a-01');
  assert.deepEqual(readAll(encodeFrame(events)).events, events.map(attributes));
  const frame = encodeFrame(events);
  for (let at = 4; at < frame.length; at++) {
    const spoilt = frame.slice();
    spoilt[at] = 0xc3;
    assert.deepEqual(readAll(spoilt), readAll(spoilt, { strictly: true }), `byte ${at}`);
  }
});

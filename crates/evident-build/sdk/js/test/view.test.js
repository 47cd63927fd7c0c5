// State views, natively and through the exports a component has.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Event, Parameters, Refusal, cbor, connect, encodeFrame, json, log, stateView } from '../index.js';
import { batchExports, viewExports } from '../component.js';

const encoder = new TextEncoder();
const text = (bytes) => new TextDecoder().decode(bytes);
const NO_STATE = { contentType: '', schemaId: undefined, bytes: new Uint8Array(0) };

/** The event counter of the Rust guests, on this SDK. */
const counter = stateView({
  initialize(parameters) {
    const prefix = parameters.get('prefix');
    if (prefix !== undefined) {
      log.info(`counting events whose type starts with "${prefix}"`);
    }
    return { by_type: {}, total: 0 };
  },
  reduce(state, event, parameters) {
    if (parameters.bool('require-data', false) && event.data === undefined) {
      throw new Error(`event ${event.id} has no data`);
    }
    const prefix = parameters.get('prefix');
    if (prefix !== undefined && !event.type.startsWith(prefix)) {
      return;
    }
    state.total += 1;
    state.by_type[event.type] = (state.by_type[event.type] ?? 0) + 1;
  },
});

const event = (id, type, data = '{}') => new Event({ id, source: '/test', type, data });

/** Connects a host that records what the SDK tells it; returns the record and a disconnect. */
function recordingHost() {
  const calls = [];
  const disconnect = connect({
    log: (level, message) => calls.push(['log', level, message]),
    refuse: (error) => calls.push(['refuse', error.code, error.message]),
    beginEvent: () => calls.push(['begin']),
  });
  return { calls, disconnect };
}

test('natively, a view folds plain values', () => {
  const state = counter.fold([event('1', 'a'), event('2', 'b'), event('3', 'a')]);
  assert.deepEqual(state, { by_type: { a: 2, b: 1 }, total: 3 });
  assert.equal(text(counter.save(state).bytes), '{"by_type":{"a":2,"b":1},"total":3}');
  assert.deepEqual(counter.fold([event('1', 'shop.sold')], { prefix: 'bank.' }), { by_type: {}, total: 0 });
  assert.throws(() => counter.fold([{ id: '7', source: '/t', type: 'a' }], { 'require-data': 'true' }), {
    message: 'event 7 has no data',
  });
  assert.throws(() => counter.fold([event('7', 'a')], { 'require-data': 'maybe' }), (error) => {
    return error instanceof Refusal && error.code === 'invalid-parameter' && error.message.includes('require-data');
  });
});

test('a reduce may return the new state instead of changing it', () => {
  const seen = stateView({ initialize: () => 0, reduce: (count) => count + 1 });
  const batch = batchExports(seen);
  batch.loadState(NO_STATE, []);
  batch.applyEvents(encodeFrame([event('1', 't'), event('2', 't')]));
  batch.applyEvents(encodeFrame([event('3', 't'), event('4', 't')]));
  assert.equal(text(batch.saveState().bytes), '4');
});

test('a frame is applied event by event, the host told before each', () => {
  const { calls, disconnect } = recordingHost();
  try {
    const seen = [];
    const view = stateView({
      initialize: () => ({}),
      reduce(_state, event) {
        seen.push(event.id);
        calls.push(['reduce', event.id]);
      },
    });
    const batch = batchExports(view);
    batch.loadState(NO_STATE, []);
    batch.applyEvents(encodeFrame([event('1', 't'), event('2', 't'), event('3', 't')]));
    assert.deepEqual(calls, [['begin'], ['reduce', '1'], ['begin'], ['reduce', '2'], ['begin'], ['reduce', '3']]);
    calls.length = 0;
    batch.applyEvents(encodeFrame([]));
    assert.deepEqual(calls, [], 'no event, no begin-event');
  } finally {
    disconnect();
  }
});

test('a failing event reports its index; the state is unusable until loaded again', () => {
  const { calls, disconnect } = recordingHost();
  try {
    const batch = batchExports(counter);
    batch.loadState(NO_STATE, [['require-data', 'true']]);
    const events = [event('e0', 'a'), event('e1', 'b'), new Event({ id: 'e2', source: '/t', type: 'a' })];
    assert.throws(() => batch.applyEvents(encodeFrame(events)), (error) => {
      assert.deepEqual(error, { index: 2, message: 'event e2 has no data' });
      return true;
    });
    assert.ok(!calls.some(([kind]) => kind === 'refuse'), 'a plain Error has no code to give');
    assert.throws(() => batch.applyEvents(encodeFrame([])), {
      index: 0,
      message: 'an earlier event failed; load the state again',
    });
    assert.throws(() => batch.saveState(), (error) => error === 'an event failed; the state is not saved');
    batch.loadState({ contentType: 'application/json', bytes: encoder.encode('{"by_type":{"a":1},"total":1}') }, []);
    batch.applyEvents(encodeFrame(events));
    assert.equal(text(batch.saveState().bytes), '{"by_type":{"a":3,"b":1},"total":4}');
  } finally {
    disconnect();
  }
});

test('a refusal with a code is given to the host before the export returns', () => {
  const { calls, disconnect } = recordingHost();
  try {
    const batch = batchExports(counter);
    batch.loadState(NO_STATE, [['require-data', 'maybe']]);
    assert.throws(() => batch.applyEvents(encodeFrame([event('1', 'a')])), {
      index: 0,
      message: 'parameter `require-data` is "maybe": provided string was not `true` or `false`',
    });
    assert.deepEqual(calls.at(-1), [
      'refuse',
      'invalid-parameter',
      'parameter `require-data` is "maybe": provided string was not `true` or `false`',
    ]);
    batch.loadState(NO_STATE, []);
    const frame = encodeFrame([event('1', 'a'), event('2', 'b')]);
    assert.throws(() => batch.applyEvents(frame.subarray(0, frame.length - 2)), {
      index: 1,
      message: 'the event frame is truncated in event 1 (extensions)',
    });
    assert.equal(calls.at(-1)[1], 'invalid-frame');
    const refusing = batchExports(
      stateView({
        initialize: () => ({}),
        reduce() {
          throw new Refusal('too-late', 'the books are closed', { at: 3 });
        },
      }),
    );
    refusing.loadState(NO_STATE, []);
    assert.throws(() => refusing.applyEvents(frame), { index: 0, message: 'the books are closed' });
    assert.deepEqual(calls.at(-1), ['refuse', 'too-late', 'the books are closed']);
  } finally {
    disconnect();
  }
});

test('states in another format, or none with bytes, are refused as invalid-state', () => {
  const { calls, disconnect } = recordingHost();
  try {
    const batch = batchExports(counter);
    const refusals = [
      [{ contentType: '', bytes: encoder.encode('0') }, 'the state has 1 bytes but no content type ("no state yet" has no bytes)'],
      [{ contentType: 'application/cbor', bytes: new Uint8Array([0xa0]) }, 'the state is "application/cbor" but this view stores "application/json"'],
      [{ contentType: 'application/json', bytes: new Uint8Array(0) }, /^cannot decode the state: application\/json: /],
    ];
    for (const [state, message] of refusals) {
      assert.throws(() => batch.loadState(state, []), (error) => {
        assert.equal(typeof error, 'string');
        assert.match(error, message instanceof RegExp ? message : new RegExp(`^${escape(message)}$`));
        return true;
      });
      assert.equal(calls.at(-1)[1], 'invalid-state');
    }
    assert.throws(() => batch.applyEvents(encodeFrame([])), {
      index: 0,
      message: 'no state is loaded: call load-state first',
    });
    assert.throws(() => batch.saveState(), (error) => error === 'no state is loaded: call load-state first');
  } finally {
    disconnect();
  }
});

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('a state the codec cannot write is refused as unencodable-state', () => {
  const { calls, disconnect } = recordingHost();
  try {
    const exports = viewExports(stateView({ initialize: () => ({ seen: new Set() }), reduce() {} }));
    assert.throws(() => exports.initialize([]), (error) => /^cannot encode the state: application\/json: cannot encode a Set/.test(error));
    assert.equal(calls.at(-1)[1], 'unencodable-state');
  } finally {
    disconnect();
  }
});

test('one event per call: the state record in, the state record out', () => {
  const { calls, disconnect } = recordingHost();
  try {
    const exports = viewExports(counter);
    const first = exports.initialize([['prefix', 'shop.']]);
    assert.deepEqual(calls, [['log', 'info', 'counting events whose type starts with "shop."']]);
    assert.equal(first.contentType, 'application/json');
    const record = (id, type, extra = {}) => ({
      id,
      source: '/test',
      specVersion: '1.0',
      type,
      datacontenttype: undefined,
      dataschema: undefined,
      subject: undefined,
      time: undefined,
      data: undefined,
      extensions: [],
      ...extra,
    });
    const after = exports.reduce(first, record('1', 'shop.sold'), [['prefix', 'shop.']]);
    assert.equal(text(after.bytes), '{"by_type":{"shop.sold":1},"total":1}');
    assert.equal(text(exports.reduce(NO_STATE, record('1', 'x'), []).bytes), '{"by_type":{"x":1},"total":1}');
    assert.throws(
      () => exports.reduce(first, record('t', 'x', { time: 'yesterday' }), []),
      (error) => error === 'event "t" is not a valid CloudEvent: attribute `time` is "yesterday", not an RFC 3339 timestamp',
    );
    assert.equal(calls.at(-1)[1], 'invalid-event');
    assert.throws(
      () => exports.reduce(first, record('x', 'x', { extensions: [['a', '1'], ['a', '2']] }), []),
      (error) => error === 'event "x" names extension `a` twice',
    );
    const timed = stateView({
      initialize: () => null,
      reduce: (_state, event) => ({ at: event.time.toISOString(), nanos: event.timeNanos, offset: event.timeOffset }),
    });
    const state = viewExports(timed).reduce(NO_STATE, record('1', 'x', { time: '2026-01-01T05:30:00.000000001+05:30' }), []);
    assert.equal(text(state.bytes), '{"at":"2026-01-01T00:00:00.000Z","nanos":1,"offset":19800}');
  } finally {
    disconnect();
  }
});

test('a CBOR view stores CBOR', () => {
  const view = stateView({ codec: cbor, initialize: () => ({ n: 0 }), reduce: (state) => void (state.n += 1) });
  const batch = batchExports(view);
  batch.loadState(NO_STATE, []);
  batch.applyEvents(encodeFrame([event('1', 't')]));
  const saved = batch.saveState();
  assert.equal(saved.contentType, 'application/cbor');
  assert.deepEqual(Array.from(saved.bytes), [0xa1, 0x61, 0x6e, 0x01]);
  batch.loadState(saved, []);
  batch.applyEvents(encodeFrame([event('2', 't')]));
  assert.deepEqual(cbor.decode(batch.saveState().bytes), { n: 2 });
});

test('what is not a view is refused with a message saying what to write', () => {
  assert.throws(() => stateView({ initialize() {} }), /needs a `reduce` function/);
  assert.throws(() => stateView({ initialize() {}, reduce() {}, codec: {} }), /a codec has a `contentType`/);
  assert.throws(() => viewExports(undefined), /app.js must export its view: `export const view = stateView/);
  assert.equal(stateView({ initialize() {}, reduce() {} }).codec, json);
  assert.ok(new Parameters([]) instanceof Parameters);
});

test('initialize and reduce are called on the object given to stateView', () => {
  const spec = {
    step: 2,
    initialize() {
      return { n: 0, step: this.step };
    },
    reduce(state) {
      state.n += this.step;
    },
  };
  const view = stateView(spec);
  assert.deepEqual(view.fold([event('1', 't')]), { n: 2, step: 2 });
  const batch = batchExports(view);
  batch.loadState(NO_STATE, []);
  batch.applyEvents(encodeFrame([event('1', 't'), event('2', 't')]));
  assert.equal(text(batch.saveState().bytes), '{"n":4,"step":2}');
});

// State changes, natively and through the exports a component has.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Event, Refusal, cbor, connect, decider, decodeCommand, stateChange } from '../index.js';
import { batchExports, changeExports } from '../component.js';
import { encodeFrame } from '../frame.js';

const encoder = new TextEncoder();
const text = (bytes) => new TextDecoder().decode(bytes);
const NO_STATE = { contentType: '', schemaId: undefined, bytes: new Uint8Array(0) };
const jsonCommand = (value, contentType = 'application/json') => ({
  contentType,
  schemaId: undefined,
  bytes: encoder.encode(JSON.stringify(value)),
});

/** The tally of the Rust guests, on this SDK. */
const tally = stateChange({
  initialize: () => ({ total: 0 }),
  process(state, command, parameters) {
    if (command.type !== 'add') {
      throw new Refusal('unknown-command', `unknown command '${command.type}'`);
    }
    if (!Number.isSafeInteger(command.amount) || command.amount <= 0) {
      throw new Refusal('invalid-amount', 'amount must be a positive integer');
    }
    const total = state.total + command.amount;
    return [
      {
        id: `tally-${total}`,
        source: parameters.string('source', '/tally'),
        type: 'tally.added',
        json: { amount: command.amount, total },
      },
    ];
  },
});

test('process returns the events, as WIT records', () => {
  const exports = changeExports(tally);
  const state = { contentType: 'application/json', bytes: encoder.encode('{"total":10}') };
  const [event, ...rest] = exports.process(state, jsonCommand({ type: 'add', amount: 5 }), []);
  assert.equal(rest.length, 0);
  assert.deepEqual({ ...event, data: text(event.data) }, {
    id: 'tally-15',
    source: '/tally',
    specVersion: '1.0',
    type: 'tally.added',
    datacontenttype: 'application/json',
    dataschema: undefined,
    subject: undefined,
    time: undefined,
    data: '{"amount":5,"total":15}',
    extensions: [],
  });
  const sourced = exports.process(NO_STATE, jsonCommand({ type: 'add', amount: 1 }), [['source', '/elsewhere']]);
  assert.equal(sourced[0].source, '/elsewhere');
  assert.equal(sourced[0].id, 'tally-1');
});

test('refusals are error records with their code', () => {
  const exports = changeExports(tally);
  assert.throws(() => exports.process(NO_STATE, jsonCommand({ type: 'add', amount: -1 }), []), {
    code: 'invalid-amount',
    message: 'amount must be a positive integer',
    details: undefined,
  });
  assert.throws(() => exports.process(NO_STATE, jsonCommand({ type: 'multiply' }), []), {
    code: 'unknown-command',
  });
  const detailed = changeExports(
    stateChange({
      initialize: () => null,
      process() {
        throw new Refusal('over-limit', 'too much', { limit: 3 });
      },
    }),
  );
  assert.throws(() => detailed.process(NO_STATE, jsonCommand({}), []), (error) => {
    return error.code === 'over-limit' && text(error.details) === '{"limit":3}';
  });
  const buggy = changeExports(
    stateChange({
      initialize: () => null,
      process: (state) => state.missing.field,
    }),
  );
  assert.throws(() => buggy.process(NO_STATE, jsonCommand({}), []), (error) => {
    return error.code === 'internal' && /^TypeError: /.test(error.message);
  });
});

test('commands are decoded by their content type', () => {
  assert.deepEqual(decodeCommand(jsonCommand({ a: 1 }, 'application/json; charset=utf-8')), { a: 1 });
  assert.deepEqual(decodeCommand({ contentType: 'APPLICATION/CBOR', bytes: cbor.encode({ a: 1 }) }), { a: 1 });
  assert.throws(() => decodeCommand(jsonCommand({}, 'text/plain')), {
    code: 'unsupported-content-type',
    message:
      'cannot decode the command: content type "text/plain" is not supported (use application/json or application/cbor)',
  });
  assert.throws(() => decodeCommand({ contentType: 'application/json', bytes: encoder.encode('{') }), (error) => {
    return error.code === 'invalid-command' && error.message.startsWith('cannot decode the command: application/json: ');
  });
  const exports = changeExports(tally);
  assert.throws(() => exports.process(NO_STATE, jsonCommand({}, 'text/csv'), []), { code: 'unsupported-content-type' });
  assert.throws(() => exports.process({ contentType: 'application/cbor', bytes: new Uint8Array([0xa0]) }, jsonCommand({}), []), {
    code: 'invalid-state',
    message: 'the state is "application/cbor" but this change stores "application/json"',
  });
});

test('an event that is not a valid CloudEvent is refused as invalid-event', () => {
  const returning = (event) =>
    changeExports(stateChange({ initialize: () => null, process: () => [event] })).process(NO_STATE, jsonCommand({}), []);
  const cases = [
    [{ id: '', source: '/s', type: 't' }, 'attribute `id` must not be empty'],
    [{ id: 'a', source: 'has space', type: 't' }, 'attribute `source` is not a URI reference (it contains whitespace)'],
    [{ id: 'a', source: '/s', type: 't', specversion: '0.3' }, 'attribute `specversion` is "0.3"; only "1.0" is supported'],
    [{ id: 'a', source: '/s', type: 't', datacontenttype: 'json' }, 'attribute `datacontenttype` is "json", not an RFC 2046 media type'],
    [{ id: 'a', source: '/s', type: 't', dataschema: 'schema.json' }, 'attribute `dataschema` is "schema.json", not an absolute URI'],
    [{ id: 'a', source: '/s', type: 't', extensions: { Bad: '1' } }, 'attribute `Bad` is not a valid extension name (only a-z and 0-9 are allowed)'],
    [{ id: 'a', source: '/s', type: 't', extensions: { subject: '1' } }, 'attribute `subject` is a reserved attribute name and cannot be an extension'],
    [{ source: '/s', type: 't' }, 'missing required attribute `id`'],
  ];
  for (const [event, why] of cases) {
    assert.throws(() => returning(event), (error) => {
      assert.equal(error.code, 'invalid-event');
      assert.match(error.message, /^event 0 \(id ".*"\) is not a valid CloudEvent: /);
      assert.ok(error.message.endsWith(why), `${error.message} ends with ${why}`);
      return true;
    });
  }
  const fine = returning(
    new Event({
      id: 'a',
      source: '/s',
      type: 't',
      datacontenttype: 'application/json; charset=utf-8',
      dataschema: 'https://example.com/s',
      subject: 'x',
      time: '2026-01-01T00:00:00.5+01:00',
      extensions: { traceparent: '00' },
    }),
  );
  assert.equal(fine[0].time, '2026-01-01T00:00:00.500+01:00');
  assert.deepEqual(fine[0].extensions, [['traceparent', '00']]);
});

test('validate says whether process would accept the command', () => {
  const { calls, disconnect } = (() => {
    const calls = [];
    return { calls, disconnect: connect({ refuse: (error) => calls.push(error.code) }) };
  })();
  try {
    const exports = changeExports(tally);
    const state = { contentType: 'application/json', bytes: encoder.encode('{"total":10}') };
    assert.equal(exports.validate(state, jsonCommand({ type: 'add', amount: 1 })), true);
    assert.equal(exports.validate(state, jsonCommand({ type: 'add', amount: 0 })), false);
    assert.equal(exports.validate(state, jsonCommand({ type: 'add', amount: 1 }, 'text/plain')), false);
    assert.equal(exports.validate(state, { contentType: 'application/json', bytes: encoder.encode('{') }), false);
    assert.throws(
      () => exports.validate({ contentType: 'application/json', bytes: encoder.encode('[') }, jsonCommand({})),
      (error) => typeof error === 'string' && error.startsWith('cannot decode the state: application/json: '),
    );
    assert.deepEqual(calls, ['invalid-state']);
    const shaped = changeExports(
      stateChange({
        initialize: () => ({ total: 0 }),
        process(state) {
          if (typeof state.total !== 'number') {
            throw new Refusal('invalid-state', 'no total');
          }
          return [];
        },
      }),
    );
    const list = { contentType: 'application/json', bytes: encoder.encode('[1]') };
    assert.throws(() => shaped.validate(list, jsonCommand({})), (error) => error === 'no total');
    assert.deepEqual(calls, ['invalid-state', 'invalid-state']);
    const strict = changeExports(
      stateChange({ initialize: () => null, process: () => [], validate: (_state, command) => command.ok === true }),
    );
    assert.equal(strict.validate(NO_STATE, jsonCommand({ ok: true })), true);
    assert.equal(strict.validate(NO_STATE, jsonCommand({ ok: 1 })), false);
  } finally {
    disconnect();
  }
});

test('a decider folds its own events and decides on the state they make', () => {
  const { view, change } = decider({
    initialize: () => ({ total: 0 }),
    reduce(state, event) {
      state.total = event.json().total;
    },
    process: tally.spec.process,
  });
  const exports = changeExports(change);
  const events = exports.process(NO_STATE, jsonCommand({ type: 'add', amount: 4 }), []);
  const batch = batchExports(view);
  batch.loadState(NO_STATE, []);
  batch.applyEvents(encodeFrame(events.map((record) => Event.fromRecord(record))));
  const state = batch.saveState();
  assert.equal(text(state.bytes), '{"total":4}');
  assert.equal(exports.process(state, jsonCommand({ type: 'add', amount: 1 }), [])[0].id, 'tally-5');
});

test('what is not a change is refused with a message saying what to write', () => {
  assert.throws(() => stateChange({ initialize() {} }), /needs a `process` function/);
  assert.throws(() => changeExports({}), /app.js must export its change: `export const change = stateChange/);
  assert.throws(
    () => changeExports(stateChange({ initialize: () => null, process: () => undefined })).process(NO_STATE, jsonCommand({}), []),
    { code: 'internal', message: 'TypeError: `process` returns an array of events' },
  );
});

// Deciders that read the database (world `database-decider`), natively over an in-memory
// database that records reads, and through the `decider` export a component has.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Database, Event, Refusal, cbor, connect, databaseDecider, normalizeQuery, queryMatches } from '../index.js';
import { deciderExports } from '../component.js';
import { InMemoryDatabase } from '../testing.js';

const encoder = new TextEncoder();
const text = (bytes) => new TextDecoder().decode(bytes);
const jsonCommand = (value, contentType = 'application/json') => ({
  contentType,
  schemaId: undefined,
  bytes: encoder.encode(JSON.stringify(value)),
});

const INVOICES = { items: [{ types: ['invoice.created'] }] };
const invoice = (number, id = `i-${number}`) => ({
  id,
  source: '/invoices',
  type: 'invoice.created',
  extensions: { invoice: id },
  json: { invoice: id, number, amount: 1 },
});
const payment = (n) => ({ id: `p-${n}`, source: '/payments', type: 'payment.received', subject: 'c1', json: { n } });

/** Unbroken invoice numbers (as guests/js-invoice-numbers): the last number read page by page. */
const invoices = databaseDecider({
  decide(database, command) {
    if (!(command.amount > 0)) {
      throw new Refusal('validation', 'amount must be a positive number');
    }
    let last;
    for (const stored of database.events(INVOICES, 0, 1000)) {
      last = stored;
    }
    const number = last === undefined ? 1 : last.event.json().number + 1;
    return {
      events: [{ ...invoice(number, command.invoice), json: { invoice: command.invoice, number, amount: command.amount } }],
      condition: { failIfEventsMatch: INVOICES, after: database.revision() },
    };
  },
});

test('the first invoice is number 1, under a condition on invoices after the revision', () => {
  const database = new InMemoryDatabase({ events: [payment(1)] });
  const { events, condition } = invoices.decide(database, { type: 'create-invoice', invoice: 'i-abc', amount: 100 });
  assert.equal(events.length, 1);
  assert.ok(events[0] instanceof Event);
  assert.deepEqual(events[0].json(), { amount: 100, invoice: 'i-abc', number: 1 });
  assert.equal(events[0].extensions.get('invoice'), 'i-abc');
  assert.deepEqual(condition, { failIfEventsMatch: { items: [{ types: ['invoice.created'], tags: [] }] }, after: 1 });
  assert.deepEqual(database.reads, [
    { kind: 'query-events', query: { items: [{ types: ['invoice.created'], tags: [] }] }, after: 0, limit: 1000, returned: 0 },
  ]);
});

test('the number follows the last invoice, read page by page to the revision', () => {
  const log = [];
  for (let n = 1; n <= 2500; n++) {
    log.push(invoice(n));
    if (n % 3 === 0) {
      log.push(payment(n));
    }
  }
  const database = new InMemoryDatabase({ events: log });
  const revision = database.log.length;
  database.append(invoice(9000)); // after the revision: not read
  const { events, condition } = invoices.decide(database, { invoice: 'i-new', amount: 5 });
  assert.equal(events[0].json().number, 2501);
  assert.equal(condition.after, revision);
  assert.deepEqual(
    database.reads.map(({ after, limit, returned }) => [after, limit, returned]),
    [
      [0, 1000, 1000],
      [database.log.find(({ event }) => event.id === 'i-1000').position, 1000, 1000],
      [database.log.find(({ event }) => event.id === 'i-2000').position, 1000, 500],
    ],
  );
  // The invoice appended after the revision is what the condition refuses the append for.
  assert.equal(database.conflict(condition), revision + 1);
  assert.equal(new InMemoryDatabase({ events: log }).conflict(condition), undefined);
});

test('a refusal keeps its code; a bug is internal; a bad event is invalid-event', () => {
  const database = new InMemoryDatabase();
  assert.throws(() => invoices.decide(database, { amount: 0 }), { code: 'validation' });
  const exports = deciderExports(invoices);
  assert.throws(() => exports.decide(database, jsonCommand({ invoice: 'i-1', amount: -1 }), []), {
    code: 'validation',
    message: 'amount must be a positive number',
    details: undefined,
  });
  assert.throws(() => exports.decide(database, jsonCommand({}, 'text/plain'), []), { code: 'unsupported-content-type' });
  assert.throws(() => exports.decide(database, { contentType: 'application/json', bytes: encoder.encode('{') }, []), {
    code: 'invalid-command',
  });
  const buggy = deciderExports(databaseDecider({ decide: (_database, command) => command.missing.field }));
  assert.throws(() => buggy.decide(database, jsonCommand({}), []), (error) => {
    return error.code === 'internal' && /^TypeError: /.test(error.message);
  });
  const bad = deciderExports(databaseDecider({ decide: () => [{ id: 'x', source: 'has space', type: 't' }] }));
  assert.throws(() => bad.decide(database, jsonCommand({}), []), (error) => {
    return error.code === 'invalid-event' && error.message.startsWith('event 0 (id "x") is not a valid CloudEvent: ');
  });
  const shapeless = deciderExports(databaseDecider({ decide: () => 3 }));
  assert.throws(() => shapeless.decide(database, jsonCommand({}), []), {
    code: 'internal',
    message: 'TypeError: `decide` returns an array of events or { events, condition }',
  });
});

test('the decider export returns the WIT decision record', () => {
  const database = new InMemoryDatabase({ events: [invoice(1), invoice(2)] });
  const exports = deciderExports(invoices);
  const decision = exports.decide(database, jsonCommand({ type: 'create-invoice', invoice: 'i-abc', amount: 100 }), [['a', 'b']]);
  assert.equal(decision.events.length, 1);
  const [event] = decision.events;
  assert.deepEqual({ ...event, data: text(event.data) }, {
    id: 'i-abc',
    source: '/invoices',
    specVersion: '1.0',
    type: 'invoice.created',
    datacontenttype: 'application/json',
    dataschema: undefined,
    subject: undefined,
    time: undefined,
    data: '{"amount":100,"invoice":"i-abc","number":3}',
    extensions: [['invoice', 'i-abc']],
  });
  assert.deepEqual(decision.condition, {
    failIfEventsMatch: { items: [{ types: ['invoice.created'], tags: [] }] },
    after: 2n,
  });
  // Events alone: no condition (the host derives one from the reads).
  const plain = deciderExports(databaseDecider({ decide: () => [] }));
  assert.deepEqual(plain.decide(database, jsonCommand({}), []), { events: [], condition: undefined });
  // A condition with tags and no `after`.
  const tagged = deciderExports(
    databaseDecider({
      decide: () => ({
        events: [],
        condition: { failIfEventsMatch: { items: [{ types: 'a', tags: ['course:c1', { name: 'source', value: 'urn:x:y' }] }] } },
      }),
    }),
  );
  assert.deepEqual(tagged.decide(database, jsonCommand({}), []).condition, {
    failIfEventsMatch: {
      items: [{ types: ['a'], tags: [{ name: 'course', value: 'c1' }, { name: 'source', value: 'urn:x:y' }] }],
    },
    after: undefined,
  });
});

test('queryEvents passes the query record, after as a u64 and the limit, and returns positions and Events', () => {
  const calls = [];
  const handle = {
    revision: () => 12n,
    queryEvents(query, after, limit) {
      calls.push([query, after, limit]);
      return [
        {
          position: 7n,
          event: {
            id: 'e',
            source: '/s',
            specVersion: '1.0',
            type: 't',
            datacontenttype: undefined,
            dataschema: undefined,
            subject: 'c1',
            time: '2026-01-01T00:00:00Z',
            data: encoder.encode('{"a":1}'),
            extensions: [['course', 'c1']],
          },
        },
      ];
    },
    viewState: () => undefined,
  };
  const database = new Database(handle);
  assert.equal(database.revision(), 12);
  const [stored] = database.queryEvents({ items: [{ types: ['t'], tags: ['course:c1', 'subject:c1'] }] }, 3, 10);
  assert.equal(stored.position, 7);
  assert.ok(stored.event instanceof Event);
  assert.deepEqual(stored.event.json(), { a: 1 });
  assert.equal(stored.event.extensions.get('course'), 'c1');
  assert.equal(stored.event.time.toISOString(), '2026-01-01T00:00:00.000Z');
  assert.deepEqual(calls, [
    [{ items: [{ types: ['t'], tags: [{ name: 'course', value: 'c1' }, { name: 'subject', value: 'c1' }] }] }, 3n, 10],
  ]);
  assert.deepEqual(database.queryEvents({ items: [] }, 2n ** 64n - 1n, 0).length, 1);
  assert.throws(() => database.queryEvents({ items: [] }, -1, 10), TypeError);
  assert.throws(() => database.queryEvents({ items: [] }, 0), TypeError); // the limit is required
  assert.throws(() => database.queryEvents({ items: [] }, 2n ** 64n, 10), RangeError);
  assert.throws(() => new Database({ revision: () => 2n ** 60n }).revision(), TypeError); // not a database
  assert.throws(() => new Database({ ...handle, revision: () => 2n ** 60n }).revision(), RangeError);
});

test('events() reads in pages to the revision or an empty read, and reads at least once', () => {
  const database = new InMemoryDatabase({ events: [1, 2, 3, 4].map((n) => invoice(n)) });
  const db = new Database(database);
  assert.deepEqual(Array.from(db.events(INVOICES, 0, 2), ({ position }) => position), [1, 2, 3, 4]);
  assert.deepEqual(database.reads.map(({ after, returned }) => [after, returned]), [[0, 2], [2, 2]]); // 4 is the revision
  assert.deepEqual(Array.from(db.events(INVOICES, 1), ({ position }) => position), [2, 3, 4]);
  assert.throws(() => Array.from(db.events(INVOICES, 0, 0)), TypeError);
  database.append(payment(5));
  database.position = 5;
  database.reads.length = 0;
  assert.deepEqual(Array.from(db.events(INVOICES, 0, 3), ({ position }) => position), [1, 2, 3, 4]);
  assert.deepEqual(database.reads.map(({ after, returned }) => [after, returned]), [[0, 3], [3, 1], [4, 0]]);
  const empty = new InMemoryDatabase();
  assert.deepEqual(Array.from(new Database(empty).events(INVOICES)), []);
  assert.equal(empty.reads.length, 1); // recorded, so a derived condition covers it
});

test('the host lowers a large limit to its cap; the revision hides later events', () => {
  const database = new InMemoryDatabase({ events: [1, 2, 3, 4, 5].map((n) => invoice(n)), revision: 4, cap: 3 });
  const db = new Database(database);
  assert.equal(db.revision(), 4);
  assert.deepEqual(db.queryEvents(INVOICES, 0, 100).map(({ position }) => position), [1, 2, 3]);
  // A read shorter than asked does not end events(): the cap made it short.
  assert.deepEqual(Array.from(db.events(INVOICES, 0, 100), ({ position }) => position), [1, 2, 3, 4]);
});

test('viewState decodes JSON and CBOR states, null for no view, and passes name, version and parameters', () => {
  const database = new InMemoryDatabase({
    views: {
      'invoice-count': (parameters, version) => (version === '2.0.0' ? undefined : { count: 3, customer: parameters.get('customer') }),
      constant: [1, 2],
    },
  });
  const db = new Database(database);
  assert.deepEqual(db.viewState('invoice-count', { customer: 'c1' }), { count: 3, customer: 'c1' });
  assert.equal(db.viewState('invoice-count', [['customer', 'c1']], '2.0.0'), null);
  assert.equal(db.viewState('missing'), null);
  assert.deepEqual(db.viewState('constant'), [1, 2]);
  assert.deepEqual(db.viewStateRecord('constant'), {
    contentType: 'application/json',
    schemaId: undefined,
    bytes: encoder.encode('[1,2]'),
  });
  assert.deepEqual(database.reads, [
    { kind: 'view-state', name: 'invoice-count', version: undefined, parameters: [['customer', 'c1']], found: true },
    { kind: 'view-state', name: 'invoice-count', version: '2.0.0', parameters: [['customer', 'c1']], found: false },
    { kind: 'view-state', name: 'missing', version: undefined, parameters: [], found: false },
    { kind: 'view-state', name: 'constant', version: undefined, parameters: [], found: true },
    { kind: 'view-state', name: 'constant', version: undefined, parameters: [], found: true },
  ]);
  const binary = new Database(new InMemoryDatabase({ views: { big: { n: 2n ** 60n } }, codec: cbor }));
  assert.deepEqual(binary.viewState('big'), { n: 2n ** 60n });
  const raw = (state) => new Database({ revision: () => 0n, queryEvents: () => [], viewState: () => state });
  assert.equal(raw({ contentType: '', schemaId: undefined, bytes: new Uint8Array(0) }).viewState('v'), null);
  assert.deepEqual(raw({ contentType: 'application/json; charset=utf-8', bytes: encoder.encode('{"a":1}') }).viewState('v'), { a: 1 });
  assert.throws(() => raw({ contentType: 'text/plain', bytes: encoder.encode('x') }).viewState('v'), {
    code: 'invalid-state',
    message: 'the state of view "v" is "text/plain", neither JSON nor CBOR (read it with viewStateRecord)',
  });
  assert.throws(() => raw({ contentType: 'application/json', bytes: encoder.encode('{') }).viewState('v'), (error) => {
    return error.code === 'invalid-state' && error.message.startsWith('cannot decode the state of view "v": application/json: ');
  });
  assert.throws(() => db.viewState(3), TypeError);
});

test('queries: items OR\'d, types any of, tags all of, checked', () => {
  const event = new Event({ id: 'a', source: '/s', type: 't', subject: 'c1', extensions: { course: 'c1' } });
  assert.ok(queryMatches({ items: [] }, event));
  assert.ok(queryMatches({ items: [{}] }, event));
  assert.ok(queryMatches({ items: [{ types: ['x', 't'] }] }, event));
  assert.ok(!queryMatches({ items: [{ types: ['x'] }] }, event));
  assert.ok(queryMatches({ items: [{ types: ['t'], tags: ['course:c1', 'source:/s', 'subject:c1'] }] }, event));
  assert.ok(!queryMatches({ items: [{ tags: ['course:c1', 'course:c2'] }] }, event));
  assert.ok(queryMatches({ items: [{ tags: 'course:c2' }, { types: 't' }] }, event));
  assert.deepEqual(normalizeQuery({ items: [{ types: 'a', tags: 'source:urn:a:b' }] }), {
    items: [{ types: ['a'], tags: ['source:urn:a:b'] }],
  });
  assert.throws(() => normalizeQuery({ items: [{ tags: ['nocolon'] }] }), /is not `name:value`/);
  assert.throws(() => normalizeQuery({ items: [{ tags: ['Course:c1'] }] }), /1 to 20 lower-case letters and digits/);
  assert.throws(() => normalizeQuery({ items: [{ tags: ['type:t'] }] }), /not a tag/);
  assert.throws(() => normalizeQuery({ types: ['t'] }), /a query is \{ items/);
  assert.throws(() => normalizeQuery({ items: [{ types: [3] }] }), /types are strings/);
});

test('a decision refuses a malformed condition, and a decider is what app.js exports', () => {
  const returning = (condition) =>
    deciderExports(databaseDecider({ decide: () => ({ events: [], condition }) })).decide(new InMemoryDatabase(), jsonCommand({}), []);
  assert.throws(() => returning({ after: 3 }), { code: 'internal', message: 'TypeError: an append condition is { failIfEventsMatch: query, after }' });
  assert.throws(() => returning({ failIfEventsMatch: { items: [] }, after: -1 }), { code: 'internal' });
  assert.equal(returning({ failIfEventsMatch: { items: [] }, after: 5n }).condition.after, 5n);
  assert.throws(() => databaseDecider({}), /databaseDecider takes an object with a `decide/);
  assert.throws(() => deciderExports({}), /app.js must export its decider: `export const decider = databaseDecider/);
});

test('a refusal from decide gives the host its code only as the error record', () => {
  const told = [];
  const disconnect = connect({ refuse: (error) => told.push(error) });
  try {
    const exports = deciderExports(invoices);
    assert.throws(() => exports.decide(new InMemoryDatabase(), jsonCommand({ amount: 0 }), []), { code: 'validation' });
    assert.deepEqual(told, []); // `decide` returns an `error` record: no `refusal.refuse` call
  } finally {
    disconnect();
  }
});

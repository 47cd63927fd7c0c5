// Unit tests of {{name}}, run natively by node: `node --test` (with the SDK installed, see
// README.md). `evident test . scenarios.yaml` runs the component itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Event, Refusal } from 'evident';
import { view } from '../app.js';

const event = (id, type, data) => new Event({ id, source: '/example', type, json: data });

test('sums amounts by type', () => {
  const state = view.fold([event('1', 'paid', { amount: 5 }), event('2', 'refunded', { amount: -2 }), event('3', 'paid', { amount: 7 })]);
  assert.deepEqual(state, { by_type: { paid: 12, refunded: -2 } });
  // What the component stores: JSON with its keys in order.
  assert.equal(new TextDecoder().decode(view.save(state).bytes), '{"by_type":{"paid":12,"refunded":-2}}');
});

test('data without an amount is refused', () => {
  assert.throws(() => view.fold([event('9', 'paid', {})]), (error) => {
    return error instanceof Refusal && error.code === 'invalid-amount';
  });
});

// Unit tests of {{name}}, run natively by node: `node --test` (with the SDK installed, see
// README.md). `evident test . scenarios.yaml` runs the component itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Parameters } from 'evident';
import { change } from '../app.js';

test('an increment emits incremented', () => {
  const [event] = change.process({ value: 40 }, { type: 'increment', by: 2 });
  assert.equal(event.id, 'counter-42');
  assert.deepEqual(event.json(), { by: 2, value: 42 });
});

test('going over the limit is refused', () => {
  const limit = new Parameters({ limit: '10' });
  assert.throws(() => change.process({ value: 9 }, { type: 'increment', by: 2 }, limit), { code: 'over-limit' });
  assert.equal(change.validate({ value: 9 }, { type: 'increment', by: 2 }), true, 'validate uses no parameters');
});

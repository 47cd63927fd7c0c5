// {{name}}: a state change. A counter that can be incremented up to a limit.

import { Refusal, cbor, stateChange } from 'evident';

export const change = stateChange({
  // The state: the counter's value. It is stored as CBOR between calls.
  codec: cbor,

  initialize(_parameters) {
    return { value: 0 };
  },

  // Commands, as JSON or CBOR: `{"type": "increment", "by": 2}`.
  process(state, command, parameters) {
    const limit = parameters.uint('limit', 100);
    if (command === null || typeof command !== 'object' || command.type !== 'increment') {
      throw new Refusal('unknown-command', "the command's type is not increment");
    }
    const by = command.by;
    if (!Number.isSafeInteger(by) || by < 0) {
      throw new Refusal('invalid-command', '`by` must be a non-negative integer');
    }
    const value = state.value + by;
    if (value > limit) {
      throw new Refusal('over-limit', `${value} is over the limit of ${limit}`);
    }
    return [{ id: `counter-${value}`, source: '/counter', type: 'counter.incremented', json: { by, value } }];
  },
});

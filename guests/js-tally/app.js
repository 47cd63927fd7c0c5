// A state change in JavaScript, on the Evident JavaScript SDK: `{"type": "add", "amount": n}`
// adds to a tally and emits `tally.added` with the amount and the new total; the same events,
// byte for byte, and the same refusal codes as guests/tally (Rust).
//
// The state is `{"total": n}` as JSON; the event's source is the `source` parameter, or
// `/tally`.

import { Refusal, stateChange } from 'evident';

export const change = stateChange({
  initialize() {
    return { total: 0 };
  },

  process(state, command, parameters) {
    if (!Number.isSafeInteger(state.total)) {
      throw new Refusal('invalid-state', 'cannot decode the state: `total` is not an integer');
    }
    const amount = amountOf(command);
    const total = state.total + amount;
    if (!Number.isSafeInteger(total)) {
      throw new Refusal('invalid-amount', 'the total would overflow');
    }
    return [
      {
        id: `tally-${total}`,
        source: parameters.string('source', '/tally'),
        type: 'tally.added',
        json: { amount, total },
      },
    ];
  },
});

/** The amount an `add` command adds, or the refusal. */
function amountOf(command) {
  const type = command !== null && typeof command === 'object' ? command.type : undefined;
  if (typeof type !== 'string') {
    throw new Refusal('unknown-command', 'the command has no type');
  }
  if (type !== 'add') {
    throw new Refusal('unknown-command', `unknown command '${type}'`);
  }
  const amount = command.amount;
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new Refusal('invalid-amount', 'amount must be a positive integer');
  }
  return amount;
}

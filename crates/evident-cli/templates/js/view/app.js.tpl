// {{name}}: a state view. It sums the `amount` in each event's JSON data, by event type.

import { Refusal, log, stateView } from 'evident';

export const view = stateView({
  // The state: totals by event type. It is stored as JSON between calls.
  initialize(_parameters) {
    return { by_type: {} };
  },

  reduce(state, event, _parameters) {
    // Events without data count for nothing; data without an amount is refused, and the host
    // keeps the previous state.
    if (event.data === undefined) {
      return;
    }
    const amount = event.json().amount;
    if (!Number.isSafeInteger(amount)) {
      throw new Refusal('invalid-amount', `event ${event.id} has no integer amount`);
    }
    state.by_type[event.type] = (state.by_type[event.type] ?? 0) + amount;
    log.debug(`${event.id} +${amount}`);
  },
});

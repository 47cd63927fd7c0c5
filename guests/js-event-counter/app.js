// The event counter in JavaScript, on the Evident JavaScript SDK: the same state, byte for byte,
// as guests/event-counter (Rust). It folds in frames (world `state-view-component`); the host
// runs it with every WASI capability denied.
//
// Parameters:
// - `prefix`: count only events whose type starts with it;
// - `require-data` (`true`/`false`): refuse events that carry no data.

import { log, stateView } from 'evident';

export const view = stateView({
  // The state: events counted by type, and in all. The JSON codec writes `by_type`'s keys in
  // code point order, as the Rust counter's BTreeMap does.
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
    const type = event.type;
    const prefix = parameters.get('prefix');
    if (prefix !== undefined && !type.startsWith(prefix)) {
      return;
    }
    state.total += 1;
    state.by_type[type] = (state.by_type[type] ?? 0) + 1;
  },
});

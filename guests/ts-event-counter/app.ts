// The event counter in TypeScript, on the Evident JavaScript SDK's declarations: the same state,
// byte for byte, as guests/event-counter (Rust) and guests/js-event-counter. `evident build`
// compiles it with tsc (tsconfig.json) to app.js, then builds that with componentize-js. It
// folds in frames (world `state-view-component`); the host runs it with every WASI capability
// denied.
//
// Parameters:
// - `prefix`: count only events whose type starts with it;
// - `require-data` (`true`/`false`): refuse events that carry no data.

import { log, stateView, type EventLike, type Parameters } from 'evident';

/** The state: events counted by type, and in all. */
interface EventCounts {
  // The JSON codec writes the keys in code point order, as the Rust counter's BTreeMap does.
  by_type: Record<string, number>;
  total: number;
}

export const view = stateView<EventCounts>({
  initialize(parameters: Parameters): EventCounts {
    const prefix = parameters.get('prefix');
    if (prefix !== undefined) {
      log.info(`counting events whose type starts with "${prefix}"`);
    }
    return { by_type: {}, total: 0 };
  },

  reduce(state: EventCounts, event: EventLike, parameters: Parameters): void {
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

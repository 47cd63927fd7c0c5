// A hostile JavaScript guest, on the Evident JavaScript SDK: each event's type names a
// capability it reaches for (`network`, `clock`, `random`); the state it returns says what it
// got. Under the host's deny-all WASI mode it must get a denial, or a pinned value, never the
// resource. It is built without fetch (the host grants no HTTP), so `fetch` aborts the engine:
// a trap, not a response.

import { stateView } from 'evident';

function attempt(kind) {
  if (kind === 'network') {
    try {
      fetch('http://127.0.0.1/');
      return 'requested';
    } catch (e) {
      return `denied: ${e.name}`;
    }
  }
  if (kind === 'clock') {
    return String(Date.now());
  }
  if (kind === 'random') {
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  return 'nothing tried';
}

export const view = stateView({
  initialize() {
    return {};
  },
  reduce(_state, event) {
    return { tried: event.type, got: attempt(event.type) };
  },
});

// What the SDK needs from the host: the `logging`, `refusal` and `frame-progress` imports of the
// component. The component's entry module connects them; in node (an author's unit tests) they
// do nothing unless a test connects its own.

/** The host's functions, as the SDK calls them. */
export const host = {
  /** `logging.log(level, message)`. */
  log(_level, _message) {},
  /** `refusal.refuse({code, message, details})`. */
  refuse(_error) {},
  /** `frame-progress.begin-event()`. */
  beginEvent() {},
};

/**
 * Connects the host's imports (any of `log`, `refuse`, `beginEvent`); a unit test may connect
 * its own to see what the SDK tells the host. Returns a function that restores the previous ones.
 */
export function connect(imports) {
  const previous = { ...host };
  for (const name of ['log', 'refuse', 'beginEvent']) {
    if (imports[name] !== undefined) {
      if (typeof imports[name] !== 'function') {
        throw new TypeError(`the host import \`${name}\` must be a function`);
      }
      host[name] = imports[name];
    }
  }
  return () => Object.assign(host, previous);
}

// Logging from a guest to the host's log (the `logging` import), which tags each line with the
// component's name. In node, lines go nowhere unless a test connects a `log` (see host.js).

import { host } from './host.js';

const LEVELS = ['error', 'warn', 'info', 'debug', 'trace'];

/**
 * Writes one line to the host's log at `level` (`error`, `warn`, `info`, `debug` or `trace`);
 * `log.info(message)` and the others are shorthands.
 */
export function log(level, message) {
  if (!LEVELS.includes(level)) {
    throw new TypeError(`${JSON.stringify(level)} is not a log level (use one of ${LEVELS.join(', ')})`);
  }
  host.log(level, String(message));
}

/** Logs a failure. */
log.error = (message) => host.log('error', String(message));
/** Logs something that looks wrong. */
log.warn = (message) => host.log('warn', String(message));
/** Logs something worth knowing in normal operation. */
log.info = (message) => host.log('info', String(message));
/** Logs detail for whoever debugs the component. */
log.debug = (message) => host.log('debug', String(message));
/** Logs very fine-grained detail. */
log.trace = (message) => host.log('trace', String(message));

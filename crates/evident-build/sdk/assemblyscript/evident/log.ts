// Logging to the host's log (the `logging` import), and the abort handler the build installs
// (`--use abort=`): an `assert` or an out-of-bounds access logs its message before the trap,
// so the host's error says what happened.

import { hostLog } from "./host";
import { encodeUtf8 } from "./text";

/** How much a log line matters (the WIT `log-level`). */
export enum LogLevel {
  Error = 0,
  Warn = 1,
  Info = 2,
  Debug = 3,
  Trace = 4,
}

/** Writes one line to the host's log, which tags it with the component's name. */
export function write(level: LogLevel, message: string): void {
  const bytes = encodeUtf8(message);
  hostLog(<i32>level, changetype<usize>(bytes), <usize>bytes.byteLength);
}

/** Logging helpers: `log.info("...")` and so on. */
export namespace log {
  /** Logs a failure. */
  export function error(message: string): void {
    write(LogLevel.Error, message);
  }

  /** Logs something that looks wrong. */
  export function warn(message: string): void {
    write(LogLevel.Warn, message);
  }

  /** Logs something worth knowing. */
  export function info(message: string): void {
    write(LogLevel.Info, message);
  }

  /** Logs detail for whoever debugs the component. */
  export function debug(message: string): void {
    write(LogLevel.Debug, message);
  }

  /** Logs fine-grained detail. */
  export function trace(message: string): void {
    write(LogLevel.Trace, message);
  }
}

let aborting = false;

/** What `abort` (a failed `assert`, `throw`, an index out of range) does: log, then trap. */
export function abortHandler(
  message: string | null,
  fileName: string | null,
  line: u32,
  column: u32,
): void {
  // Logging allocates; if that aborts too (memory exhausted), trap without it.
  if (!aborting) {
    aborting = true;
    let text = "abort: " + (message == null ? "(no message)" : message);
    if (fileName != null) text += " at " + fileName + ":" + line.toString() + ":" + column.toString();
    write(LogLevel.Error, text);
  }
  unreachable();
}

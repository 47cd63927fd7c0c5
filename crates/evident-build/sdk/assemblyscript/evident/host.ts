// The functions the host gives a component (the `evident:db` imports). The module names carry no
// version: the build's transform (transform.mjs) appends the release of the WIT it builds
// against, so this file follows the WIT without edits.

/** `logging.log(level, message)`: level as the `log-level` enum's index, message as UTF-8. */
// @ts-ignore: decorator
@external("evident:db/logging", "log")
export declare function hostLog(level: i32, message: usize, messageLength: usize): void;

/** `refusal.refuse(error)`: the code, message and optional details of the error about to be returned. */
// @ts-ignore: decorator
@external("evident:db/refusal", "refuse")
export declare function hostRefuse(
  code: usize,
  codeLength: usize,
  message: usize,
  messageLength: usize,
  hasDetails: i32,
  details: usize,
  detailsLength: usize,
): void;

/** `frame-progress.begin-event()`: the next event of the frame starts. */
// @ts-ignore: decorator
@external("evident:db/frame-progress", "begin-event")
export declare function hostBeginEvent(): void;

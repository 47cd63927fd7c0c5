// The exports of `state-view` (one call per event). Names: `evident$<interface>$<function>`,
// renamed by the transform to `evident:db/<interface>@<version>#<function>`.

import { releaseCall } from "evident/abi";
import { initialize, reduce } from "evident/wire_view";

/** `state-view.reduce`: its arguments are in memory at `args`. */
export function evident$state_view$reduce(args: usize): usize {
  return reduce(args);
}

/** After `state-view.reduce` returns: its arguments and results may be freed. */
export function evident$post$state_view$reduce(_result: usize): void {
  releaseCall();
}

/** `state-view.initialize`. */
export function evident$state_view$initialize(parameters: usize, count: usize): usize {
  return initialize(parameters, count);
}

/** After `state-view.initialize` returns: its arguments and results may be freed. */
export function evident$post$state_view$initialize(_result: usize): void {
  releaseCall();
}

// The exports of `state-view-batch` (the state kept in the instance, events in frames).

import { releaseCall } from "evident/abi";
import { applyEvents, loadState, saveState } from "evident/wire_view";

/** `state-view-batch.load-state`: the state and parameters, flattened. */
export function evident$state_view_batch$load_state(
  contentType: usize, contentTypeLength: usize,
  hasSchema: u32, schema: usize, schemaLength: usize,
  bytes: usize, length: usize,
  parameters: usize, count: usize,
): usize {
  return loadState(
    contentType, contentTypeLength, hasSchema, schema, schemaLength, bytes, length, parameters, count,
  );
}

/** After `state-view-batch.load-state` returns: its arguments and results may be freed. */
export function evident$post$state_view_batch$load_state(_result: usize): void {
  releaseCall();
}

/** `state-view-batch.apply-events`: the frame of events. */
export function evident$state_view_batch$apply_events(frame: usize, length: usize): usize {
  return applyEvents(frame, length);
}

/** After `state-view-batch.apply-events` returns: its arguments and results may be freed. */
export function evident$post$state_view_batch$apply_events(_result: usize): void {
  releaseCall();
}

/** `state-view-batch.save-state`. */
export function evident$state_view_batch$save_state(): usize {
  return saveState();
}

/** After `state-view-batch.save-state` returns: its arguments and results may be freed. */
export function evident$post$state_view_batch$save_state(_result: usize): void {
  releaseCall();
}

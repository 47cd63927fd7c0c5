// The exports of `state-change`.

import { releaseCall } from "evident/abi";
import { process, validate } from "evident/wire_change";

/** `state-change.process`: the state, command and parameters, flattened. */
export function evident$state_change$process(
  stateType: usize, stateTypeLength: usize,
  hasStateSchema: u32, stateSchema: usize, stateSchemaLength: usize,
  state: usize, stateLength: usize,
  commandType: usize, commandTypeLength: usize,
  hasCommandSchema: u32, commandSchema: usize, commandSchemaLength: usize,
  command: usize, commandLength: usize,
  parameters: usize, count: usize,
): usize {
  return process(
    stateType, stateTypeLength, hasStateSchema, stateSchema, stateSchemaLength, state, stateLength,
    commandType, commandTypeLength, hasCommandSchema, commandSchema, commandSchemaLength, command,
    commandLength, parameters, count,
  );
}

/** After `state-change.process` returns: its arguments and results may be freed. */
export function evident$post$state_change$process(_result: usize): void {
  releaseCall();
}

/** `state-change.validate`: the state and command, flattened. */
export function evident$state_change$validate(
  stateType: usize, stateTypeLength: usize,
  hasStateSchema: u32, stateSchema: usize, stateSchemaLength: usize,
  state: usize, stateLength: usize,
  commandType: usize, commandTypeLength: usize,
  hasCommandSchema: u32, commandSchema: usize, commandSchemaLength: usize,
  command: usize, commandLength: usize,
): usize {
  return validate(
    stateType, stateTypeLength, hasStateSchema, stateSchema, stateSchemaLength, state, stateLength,
    commandType, commandTypeLength, hasCommandSchema, commandSchema, commandSchemaLength, command,
    commandLength,
  );
}

/** After `state-change.validate` returns: its arguments and results may be freed. */
export function evident$post$state_change$validate(_result: usize): void {
  releaseCall();
}

// TypeScript declarations of `evident/component`: the component's exports, in the shapes
// componentize-js binds to the WIT interfaces, made from a view, change or database decider.
// The entry module evident-build generates uses them; a test may too.

import type { DatabaseDecider, StateChange, StateView } from './index.js';

export { connect } from './index.js';

/** The `state-view` export (`initialize`, `reduce`: one call per event) of a view. */
export declare function viewExports(view: StateView<any>): {
  initialize(parameters: Array<[string, string]>): unknown;
  reduce(state: unknown, event: unknown, parameters: Array<[string, string]>): unknown;
};

/** The `state-view-batch` export (`loadState`, `applyEvents`, `saveState`) of a view. */
export declare function batchExports(view: StateView<any>): {
  loadState(state: unknown, parameters: Array<[string, string]>): void;
  applyEvents(events: Uint8Array): void;
  saveState(): unknown;
};

/** The `state-change` export (`process`, `validate`) of a change. */
export declare function changeExports(change: StateChange<any, any>): {
  process(state: unknown, command: unknown, parameters: Array<[string, string]>): unknown[];
  validate(state: unknown, command: unknown): boolean;
};

/** The `decider` export (`decide`) of a database decider. */
export declare function deciderExports(decider: DatabaseDecider<any>): {
  decide(database: unknown, command: unknown, parameters: Array<[string, string]>): unknown;
};

// The Evident JavaScript SDK: write state views, state changes and deciders as plain JavaScript.
//
//     import { stateView, log } from 'evident';
//
//     export const view = stateView({
//       initialize(parameters) { return { total: 0 }; },
//       reduce(state, event, parameters) { state.total += 1; },
//     });
//
// evident-build turns `app.js` into a component; nothing here imports the host's interfaces,
// so the same code runs in node for unit tests. See README.md.

export { stateView, StateView, Resident, BatchError } from './view.js';
export { stateChange, StateChange, decider, decodeCommand } from './change.js';
export { databaseDecider, DatabaseDecider } from './decision.js';
export { Database, PAGE, normalizeQuery, queryMatches } from './database.js';
export { Event, SPEC_VERSION } from './event.js';
export { Timestamp } from './time.js';
export { Parameters } from './parameters.js';
export { Refusal, codes } from './refusal.js';
export { log } from './log.js';
export { json } from './json.js';
export { cbor } from './cbor.js';
export { encodeFrame, FrameReader, FrameError } from './frame.js';
export { connect } from './host.js';

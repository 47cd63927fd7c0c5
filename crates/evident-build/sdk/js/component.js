// The component's exports, in the shapes componentize-js binds to the WIT interfaces
// (`state-view`, `state-view-batch`, `state-change`, `decider`), made from the author's view,
// change or database decider.
// A failing export returns its error as the WIT says (a message, a `batch-error`, an `error`
// record), having given the host the code of a refusal that has one (`refusal.refuse`).
//
// The entry module evident-build generates connects the host's imports (`connect` in host.js)
// and exports these; in node they work as they do in the component, for end-to-end tests.

import { Event } from './event.js';
import { host } from './host.js';
import { Parameters } from './parameters.js';
import { Refusal, codes, detailsBytes, messageOf } from './refusal.js';
import { BatchError, Resident, StateView } from './view.js';
import { StateChange, decodeCommand } from './change.js';
import { Database } from './database.js';
import { DatabaseDecider, decisionRecord } from './decision.js';

export { connect } from './host.js';

const NOT_LOADED = 'no state is loaded: call load-state first';

/** The `state-view` export (`initialize`, `reduce`: one call per event) of a view. */
export function viewExports(view) {
  expect(view, StateView, 'view', 'stateView');
  return {
    initialize(parameters) {
      try {
        return view.save(view.initialize(new Parameters(parameters)));
      } catch (error) {
        throw refused(error);
      }
    },
    reduce(state, event, parameters) {
      try {
        const given = new Parameters(parameters);
        const lent = Event.fromRecord(event);
        return view.save(view.reduce(view.load(state, given), lent, given));
      } catch (error) {
        throw refused(error);
      }
    },
  };
}

/** The `state-view-batch` export (`loadState`, `applyEvents`, `saveState`) of a view. */
export function batchExports(view) {
  expect(view, StateView, 'view', 'stateView');
  let resident;
  return {
    loadState(state, parameters) {
      resident = undefined;
      try {
        resident = new Resident(view, state, new Parameters(parameters));
      } catch (error) {
        throw refused(error);
      }
    },
    applyEvents(events) {
      if (resident === undefined) {
        throw { index: 0, message: NOT_LOADED };
      }
      try {
        resident.apply(events);
      } catch (error) {
        if (error instanceof BatchError) {
          throw { index: error.index, message: refused(error.error) };
        }
        throw { index: 0, message: refused(error) };
      }
    },
    saveState() {
      if (resident === undefined) {
        throw NOT_LOADED;
      }
      try {
        return resident.save();
      } catch (error) {
        throw refused(error);
      }
    },
  };
}

/** The `state-change` export (`process`, `validate`) of a change. */
export function changeExports(change) {
  expect(change, StateChange, 'change', 'stateChange');
  return {
    process(state, command, parameters) {
      try {
        const given = new Parameters(parameters);
        const current = change.load(state, given);
        const decoded = decodeCommand(command);
        return change.process(current, decoded, given).map((event) => event.toRecord());
      } catch (error) {
        throw errorRecord(error);
      }
    },
    validate(state, command) {
      try {
        const current = change.load(state, new Parameters());
        let decoded;
        try {
          decoded = decodeCommand(command);
        } catch {
          return false; // a command that does not decode is simply invalid
        }
        return change.validate(current, decoded);
      } catch (error) {
        const record = errorRecord(error);
        host.refuse(record);
        throw record.message;
      }
    },
  };
}

/**
 * The `decider` export (`decide`) of a database decider (world `database-decider`): `decide`
 * is given the host's `database` resource, borrowed for the call.
 */
export function deciderExports(decider) {
  expect(decider, DatabaseDecider, 'decider', 'databaseDecider');
  return {
    decide(database, command, parameters) {
      try {
        const decoded = decodeCommand(command);
        return decisionRecord(decider.decide(new Database(database), decoded, new Parameters(parameters)));
      } catch (error) {
        throw errorRecord(error);
      }
    },
  };
}

/** The bare message an export returns, the host given the code first if there is one. */
function refused(error) {
  if (error instanceof Refusal && typeof error.code === 'string') {
    host.refuse({ code: error.code, message: error.message, details: detailsBytes(error.details) });
  }
  return messageOf(error);
}

/** The WIT `error` record of a change's failure; what is not a Refusal is `internal`. */
function errorRecord(error) {
  const coded = error instanceof Refusal && typeof error.code === 'string';
  return {
    code: coded ? error.code : codes.INTERNAL,
    message: messageOf(error),
    details: coded ? detailsBytes(error.details) : undefined,
  };
}

function expect(value, type, name, maker) {
  if (!(value instanceof type)) {
    throw new TypeError(
      `app.js must export its ${name}: \`export const ${name} = ${maker}({ ... })\` (found ${
        value === undefined ? 'nothing' : typeof value
      })`,
    );
  }
}

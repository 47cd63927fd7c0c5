// Deciders that read the database (the WIT `decider` interface, the `database-decider` world):
// given a command, `decide` reads what it needs from the database and returns the events to
// append, and optionally the condition to append them under.

import { debugString } from './debug.js';
import { Event, whyInvalid } from './event.js';
import { asDatabase, normalizeQuery, positionArgument, positionNumber, queryRecord } from './database.js';
import { Parameters } from './parameters.js';
import { Refusal, codes } from './refusal.js';
import { asParameters } from './view.js';

/**
 * A decider that reads the database. `spec` has:
 * - `decide(database, command, parameters)`: `database` is a Database (the log and the views as
 *   of the decision's revision), `command` the command decoded from JSON or CBOR as its content
 *   type says, `parameters` a Parameters. It returns the events to append (Events, or objects
 *   with their attributes; none is a valid decision), or `{ events, condition }` to append
 *   them under its own condition, or throws a Refusal whose code callers match on
 *   (`validation`, `conflict`, `not-found`, `unauthorized`, or its own).
 *
 * A condition is `{ failIfEventsMatch: query, after }`: the append fails if an event the query
 * selects has a position after `after` (after any position, if `after` is left out). With no
 * condition the host derives one from the reads the decision made.
 *
 * Export it from `app.js` as `decider`: `export const decider = databaseDecider({ ... })`.
 */
export function databaseDecider(spec) {
  return new DatabaseDecider(spec);
}

/** What `databaseDecider` returns: the author's `decide`, and the same path the component takes. */
export class DatabaseDecider {
  constructor(spec) {
    if (spec === null || typeof spec !== 'object' || typeof spec.decide !== 'function') {
      throw new TypeError('databaseDecider takes an object with a `decide(database, command, parameters)` function');
    }
    this.spec = spec;
  }

  /**
   * Runs `decide` over `database` (a Database, the host's resource, or a fake such as
   * InMemoryDatabase) and returns `{ events, condition }`: Events, each checked to be a valid
   * CloudEvent (else a Refusal with the code `invalid-event`), and the condition in its JSON
   * form (`{ failIfEventsMatch: { items: [{ types, tags }] }, after }`), or undefined.
   */
  decide(database, command, parameters = new Parameters()) {
    const returned = this.spec.decide(asDatabase(database), command, asParameters(parameters));
    return normalizeDecision(returned);
  }
}

/** What `decide` returned, as `{ events, condition }`. */
function normalizeDecision(returned) {
  let events;
  let condition;
  if (returned !== null && typeof returned === 'object' && typeof returned[Symbol.iterator] === 'function') {
    events = returned;
  } else if (returned !== null && typeof returned === 'object' && 'events' in returned) {
    ({ events, condition } = returned);
    if (events === undefined || events === null || typeof events[Symbol.iterator] !== 'function') {
      throw new TypeError('a decision\'s `events` is an array of events');
    }
  } else {
    throw new TypeError('`decide` returns an array of events or { events, condition }');
  }
  const checked = Array.from(events, (event) => (event instanceof Event ? event : new Event(event)));
  checked.forEach((event, index) => {
    const why = whyInvalid(event);
    if (why !== undefined) {
      throw new Refusal(
        codes.INVALID_EVENT,
        `event ${index} (id ${debugString(String(event.id))}) is not a valid CloudEvent: ${why}`,
      );
    }
  });
  return { events: checked, condition: normalizeCondition(condition) };
}

/** A condition in its JSON form, checked; undefined for none. */
function normalizeCondition(condition) {
  if (condition === undefined || condition === null) {
    return undefined;
  }
  if (typeof condition !== 'object' || condition.failIfEventsMatch === undefined) {
    throw new TypeError('an append condition is { failIfEventsMatch: query, after }');
  }
  const normalized = { failIfEventsMatch: normalizeQuery(condition.failIfEventsMatch) };
  if (condition.after !== undefined && condition.after !== null) {
    const after = positionArgument('the condition\'s after', condition.after);
    normalized.after = typeof condition.after === 'bigint' ? after : positionNumber(after);
  }
  return normalized;
}

/** The WIT `decision` record of a decision `DatabaseDecider.decide` returned. */
export function decisionRecord({ events, condition }) {
  return {
    events: events.map((event) => event.toRecord()),
    condition:
      condition === undefined
        ? undefined
        : {
            failIfEventsMatch: queryRecord(condition.failIfEventsMatch),
            after: condition.after === undefined ? undefined : positionArgument('after', condition.after),
          },
  };
}

// For an author's unit tests (`import { InMemoryDatabase } from 'evident/testing'`): a database
// held in memory, with the host's `database` resource functions, that records every read, so a
// database decider runs natively as it runs in the component.

import { Event } from './event.js';
import { json } from './json.js';
import { Parameters } from './parameters.js';
import { positionNumber, queryFromRecord, queryMatches } from './database.js';

/**
 * A log and views in memory, as the host's `database` resource presents them to `decide`.
 *
 *     const database = new InMemoryDatabase({
 *       events: [{ id: 'i-1', source: '/invoices', type: 'invoice.created', json: { number: 1 } }],
 *       views: { 'invoice-count': (parameters, version) => ({ count: 1 }) },
 *     });
 *     const { events, condition } = decider.decide(database, command);
 *     database.reads; // [{ kind: 'query-events', query, after, limit, returned }, ...]
 *
 * - `events`: the log, in order (Events or their attributes); the first has position 1.
 * - `revision`: the position decisions read at; the last event's if not given.
 * - `views`: name to the state (a plain value) or to a function `(parameters, version)` that
 *   returns it, undefined meaning no such view (or version); states are encoded with `codec`
 *   (`json` by default), as the host hands them over.
 * - `cap`: the most events one read returns, whatever limit it asks (the host has a cap too).
 */
export class InMemoryDatabase {
  constructor({ events = [], revision = undefined, views = {}, codec = json, cap = 10_000 } = {}) {
    /** The log: `[{ position, event }]`, positions from 1. */
    this.log = [];
    this.append(...events);
    this.position = revision === undefined ? this.log.length : positionNumber(revision);
    this.views = new Map(views instanceof Map ? views : Object.entries(views));
    this.codec = codec;
    this.cap = cap;
    /**
     * Every read, in order: `{ kind: 'query-events', query, after, limit, returned }` (the query
     * in its JSON form, `returned` how many events it gave) and `{ kind: 'view-state', name,
     * version, parameters, found }` (`parameters` as `[name, value]` pairs).
     */
    this.reads = [];
  }

  /** Adds events to the end of the log (after the revision: decisions do not see them). */
  append(...events) {
    for (const event of events) {
      this.log.push({ position: this.log.length + 1, event: event instanceof Event ? event : new Event(event) });
    }
    return this.log.length;
  }

  /**
   * Where the store would refuse an append under `condition` (a decision's, in its JSON form):
   * the first position after `condition.after` of an event its query selects; undefined if none.
   */
  conflict(condition) {
    const after = condition.after === undefined ? 0 : Number(condition.after);
    const found = this.log.find(
      ({ position, event }) => position > after && queryMatches(condition.failIfEventsMatch, event),
    );
    return found?.position;
  }

  // The resource's functions, as componentize-js presents the host's: records in, records out.

  /** `revision()`: the position decisions read at, as a bigint (a u64). */
  revision() {
    return BigInt(this.position);
  }

  /** `query-events(query, after, limit)`: the WIT query record, `after` a bigint. */
  queryEvents(query, after, limit) {
    const selected = queryFromRecord(query);
    const from = Number(after);
    const found = [];
    for (const { position, event } of this.log) {
      if (found.length >= Math.min(limit, this.cap) || position > this.position) {
        break;
      }
      if (position > from && queryMatches(selected, event)) {
        found.push({ position: BigInt(position), event: event.toRecord() });
      }
    }
    this.reads.push({ kind: 'query-events', query: selected, after: from, limit, returned: found.length });
    return found;
  }

  /** `view-state(name, version, parameters)`: a state record, or undefined. */
  viewState(name, version, parameters) {
    const view = this.views.get(name);
    let value = view;
    if (typeof view === 'function') {
      value = view(new Parameters(parameters), version);
    }
    this.reads.push({
      kind: 'view-state',
      name,
      version,
      parameters: parameters.map(([key, text]) => [key, text]),
      found: value !== undefined,
    });
    if (value === undefined) {
      return undefined;
    }
    return { contentType: this.codec.contentType, schemaId: undefined, bytes: this.codec.encode(value) };
  }
}

// The database as a decision reads it (the WIT `database` interface of the `database-decider`
// world): the event log and the materialized views, both as of one position of the log, the
// decision's revision. A `Database` wraps the host's `database` resource (or, natively, anything
// with its three functions, as `InMemoryDatabase` in testing.js has).
//
// Queries are written in the DCB JSON form the store reads and writes:
//
//     { items: [{ types: ['invoice.created'], tags: ['customer:c1'] }] }
//
// an item selects the events whose type is one of `types` (any type if there are none) and that
// carry every tag of `tags`; a tag `name:value` matches an event whose attribute `name`
// (`source`, `subject`, `dataschema` or an extension) equals `value`. A query's items are OR'd;
// a query with no items selects every event.

import { cbor } from './cbor.js';
import { debugString } from './debug.js';
import { Event } from './event.js';
import { json } from './json.js';
import { Refusal, codes } from './refusal.js';
import { asParameters } from './view.js';

/** How many events `events()` asks for per read. */
export const PAGE = 1000;

/** The largest limit (`u32`) a read takes. */
export const MAX_LIMIT = 2 ** 32 - 1;

const MAX_POSITION = 2n ** 64n - 1n;

/** Attributes a tag cannot name (`type` is selected with an item's `types`). */
const NOT_TAGGED = new Set(['id', 'type', 'specversion', 'datacontenttype', 'time', 'data', 'data_base64']);
const TAG_NAME = /^[a-z0-9]{1,20}$/;

/**
 * A tag as `{ name, value }`, from `name:value` text (the value may hold colons:
 * `source:urn:shop`) or a `{ name, value }` object. Throws a TypeError for anything else.
 */
export function parseTag(tag) {
  let name;
  let value;
  if (typeof tag === 'string') {
    const colon = tag.indexOf(':');
    if (colon < 0) {
      throw new TypeError(`tag ${debugString(tag)} is not \`name:value\``);
    }
    name = tag.slice(0, colon);
    value = tag.slice(colon + 1);
  } else if (tag !== null && typeof tag === 'object' && typeof tag.name === 'string' && typeof tag.value === 'string') {
    ({ name, value } = tag);
  } else {
    throw new TypeError(`a tag is \`name:value\` text or { name, value } strings, not ${describe(tag)}`);
  }
  if (!TAG_NAME.test(name)) {
    throw new TypeError(`tag ${debugString(`${name}:${value}`)}: an attribute name is 1 to 20 lower-case letters and digits`);
  }
  if (NOT_TAGGED.has(name)) {
    throw new TypeError(
      `tag ${debugString(`${name}:${value}`)} names an attribute that is not a tag: tags are source, subject, ` +
        'dataschema and extension attributes (select types with `types`)',
    );
  }
  return { name, value };
}

/**
 * `query` in its DCB JSON form, checked: `{ items: [{ types: [...], tags: ['name:value', ...] }] }`
 * (`types` and `tags` may be a single string, or left out; tags may be `{ name, value }`).
 * Throws a TypeError for what is not a query.
 */
export function normalizeQuery(query) {
  if (query === null || typeof query !== 'object' || typeof query.items?.[Symbol.iterator] !== 'function') {
    throw new TypeError(`a query is { items: [{ types, tags }] }, not ${describe(query)}`);
  }
  return {
    items: Array.from(query.items, (item) => {
      if (item === null || typeof item !== 'object') {
        throw new TypeError(`a query item is { types, tags }, not ${describe(item)}`);
      }
      const types = list(item.types, 'types').map((type) => {
        if (typeof type !== 'string') {
          throw new TypeError(`a query item's types are strings, not ${describe(type)}`);
        }
        return type;
      });
      const tags = list(item.tags, 'tags').map(parseTag).map(({ name, value }) => `${name}:${value}`);
      return { types, tags };
    }),
  };
}

/** Whether `event` (an Event or its attributes) is selected by `query` (as `normalizeQuery` takes it). */
export function queryMatches(query, event) {
  const { items } = normalizeQuery(query);
  return items.length === 0 || items.some((item) => itemMatches(item, event));
}

function itemMatches(item, event) {
  if (item.types.length > 0 && !item.types.includes(event.type)) {
    return false;
  }
  return item.tags.every((tag) => {
    const { name, value } = parseTag(tag);
    if (name === 'source' || name === 'subject' || name === 'dataschema') {
      return event[name] === value;
    }
    const extensions = event.extensions instanceof Map ? event.extensions : new Map(Object.entries(event.extensions ?? {}));
    return extensions.get(name) === value;
  });
}

/** The WIT `query` record of `query` (tags as `{ name, value }` records). */
export function queryRecord(query) {
  return {
    items: normalizeQuery(query).items.map((item) => ({
      types: item.types,
      tags: item.tags.map(parseTag),
    })),
  };
}

/** A WIT `query` record in its DCB JSON form. */
export function queryFromRecord(record) {
  return normalizeQuery({
    items: Array.from(record.items, (item) => ({ types: Array.from(item.types), tags: Array.from(item.tags) })),
  });
}

/**
 * A position (after which events are read, or a condition's `after`) as the host takes it, a
 * bigint within a u64, from a non-negative integer number or a bigint.
 */
export function positionArgument(name, value) {
  if (typeof value === 'bigint') {
    if (value < 0n || value > MAX_POSITION) {
      throw new RangeError(`${name} is ${value}, not within 0..=2^64-1`);
    }
    return value;
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${name} is a non-negative integer (a number or a bigint), not ${describe(value)}`);
  }
  return BigInt(value);
}

/** A position from the host (a bigint, or a number natively) as a number; it must be exact. */
export function positionNumber(value) {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new RangeError(`the host gave the position ${value}, beyond what a number holds exactly (2^53 - 1)`);
  }
  return number;
}

/**
 * The log and the views as of the decision's revision: what `decide` reads. Every read is
 * recorded by the host: a decision that returns no append condition is appended under one it
 * derives from them. Valid only while `decide` runs: keep nothing that holds it.
 */
export class Database {
  /** `handle` has the WIT resource's functions: `revision`, `queryEvents`, `viewState`. */
  constructor(handle) {
    for (const name of ['revision', 'queryEvents', 'viewState']) {
      if (typeof handle?.[name] !== 'function') {
        throw new TypeError(`a database has \`revision\`, \`queryEvents\` and \`viewState\` (found ${describe(handle)})`);
      }
    }
    this.handle = handle;
  }

  /** The position the decision reads at (a number): the last event of the log when it began. */
  revision() {
    return positionNumber(this.handle.revision());
  }

  /**
   * The events `query` selects with positions after `after` and at or before the revision, in
   * order, at most `limit` of them (the host lowers a larger limit to its cap), as
   * `[{ position, event }]` (`position` a number, `event` an Event). `events()` reads them all,
   * page by page. Each read costs fuel: a fixed amount and one unit per byte of the events
   * returned.
   */
  queryEvents(query, after, limit) {
    const record = queryRecord(query);
    const from = positionArgument('after', after);
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIMIT) {
      throw new TypeError(`limit is an integer within 0..=${MAX_LIMIT}, not ${describe(limit)}`);
    }
    return Array.from(this.handle.queryEvents(record, from, limit), (stored) => ({
      position: positionNumber(stored.position),
      event: Event.fromRecord(stored.event),
    }));
  }

  /**
   * Every event `query` selects after `after` up to the revision, read `page` at a time: an
   * iterable of `{ position, event }`. It reads at least once (so the read is recorded), and
   * stops at an empty read or one that reaches the revision, not at a short one: the host may
   * return fewer events than asked before the revision (it caps a read's events and bytes).
   */
  *events(query, after = 0, page = PAGE) {
    if (!Number.isInteger(page) || page < 1 || page > MAX_LIMIT) {
      throw new TypeError(`page is an integer within 1..=${MAX_LIMIT}, not ${describe(page)}`);
    }
    const revision = this.revision();
    let from = after;
    for (;;) {
      const read = this.queryEvents(query, from, page);
      yield* read;
      if (read.length === 0) {
        return;
      }
      from = read[read.length - 1].position;
      if (from >= revision) {
        return;
      }
    }
  }

  /**
   * The state record (`{ contentType, schemaId, bytes }`) of the materialized view `name` under
   * `parameters` (an object, a Map, name/value pairs or a Parameters) at the revision, of
   * `version` (its semantic version as text) or of the active version if not given; null if no
   * such view is registered. Folding the view's events is charged to the decision's fuel.
   */
  viewStateRecord(name, parameters = [], version = undefined) {
    if (typeof name !== 'string') {
      throw new TypeError(`a view's name is a string, not ${describe(name)}`);
    }
    if (version !== undefined && version !== null && typeof version !== 'string') {
      throw new TypeError(`a view's version is a string or undefined, not ${describe(version)}`);
    }
    const pairs = asParameters(parameters).pairs.map(([key, value]) => [key, value]);
    const state = this.handle.viewState(name, version ?? undefined, pairs);
    if (state === undefined || state === null) {
      return null;
    }
    return { contentType: state.contentType, schemaId: state.schemaId ?? undefined, bytes: state.bytes };
  }

  /**
   * The state of the view `name`, as `viewStateRecord` reads it, decoded from JSON or CBOR as its
   * content type says (as the SDK's codecs decode); null if no such view is registered or it
   * has "no state yet". A state in another content type, or one that does not decode, is
   * refused with `invalid-state`.
   */
  viewState(name, parameters = [], version = undefined) {
    const record = this.viewStateRecord(name, parameters, version);
    if (record === null || !record.contentType) {
      return null;
    }
    const essence = record.contentType.split(';')[0].trim().toLowerCase();
    const codec = essence === json.contentType ? json : essence === cbor.contentType ? cbor : undefined;
    if (codec === undefined) {
      throw new Refusal(
        codes.INVALID_STATE,
        `the state of view ${debugString(name)} is ${debugString(record.contentType)}, neither JSON nor CBOR ` +
          '(read it with viewStateRecord)',
      );
    }
    try {
      return codec.decode(record.bytes);
    } catch (error) {
      throw new Refusal(
        codes.INVALID_STATE,
        `cannot decode the state of view ${debugString(name)}: ${codec.contentType}: ${error.message}`,
      );
    }
  }
}

/** `database` as a Database: itself, or a Database over a handle (the host's, or a fake). */
export function asDatabase(database) {
  return database instanceof Database ? database : new Database(database);
}

function list(value, what) {
  if (value === undefined || value === null) {
    return [];
  }
  if (typeof value === 'string') {
    return [value];
  }
  if (typeof value[Symbol.iterator] !== 'function') {
    throw new TypeError(`a query item's ${what} are a list, not ${describe(value)}`);
  }
  return Array.from(value);
}

function describe(value) {
  if (value === undefined || value === null) {
    return String(value);
  }
  if (typeof value === 'string') {
    return debugString(value);
  }
  if (typeof value === 'bigint') {
    return `${value}n`;
  }
  if (typeof value === 'object') {
    return value.constructor?.name ? `a ${value.constructor.name}` : 'an object';
  }
  return String(value);
}

// TypeScript declarations of the Evident JavaScript SDK (`import ... from 'evident'`).
//
//     import { stateView, log, type Event, type Parameters } from 'evident';
//
//     interface Counts { total: number }
//     export const view = stateView<Counts>({
//       initialize(parameters) { return { total: 0 }; },
//       reduce(state, event, parameters) { state.total += 1; },
//     });

/** A plain value the codecs store: what `JSON.parse` gives (and, for CBOR, byte arrays too). */
export type Value = null | boolean | number | string | Uint8Array | Value[] | { [key: string]: Value };

/** A state or command as it crosses the component boundary: bytes labelled with their type. */
export interface StateRecord {
  contentType: string;
  schemaId?: string | undefined;
  bytes: Uint8Array;
}

/** How a state is stored between calls: `json` (the default) or `cbor`. */
export interface Codec {
  readonly contentType: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): any;
}

/** The JSON codec: compact UTF-8, object keys in code point order, as the Rust SDK writes. */
export declare const json: Codec & {
  readonly contentType: 'application/json';
  /** The JSON text of a value, as the codec writes it. */
  stringify(value: unknown): string;
  parse(text: string): any;
};

/** The CBOR codec (RFC 8949), for large or binary states. */
export declare const cbor: Codec & { readonly contentType: 'application/cbor' };

/** A point in time as CloudEvents carry it: Unix seconds, nanoseconds and the UTC offset. */
export declare class Timestamp {
  constructor(seconds: number, nanos?: number, offset?: number);
  readonly seconds: number;
  readonly nanos: number;
  /** The UTC offset in seconds east. */
  readonly offset: number;
  /** Whether the Rust SDK could represent it (a real instant, an offset under a day). */
  isValid(): boolean;
  /** The instant as a Date (to the millisecond). */
  toDate(): Date;
  /** RFC 3339 text as the Rust SDK writes it. */
  toString(): string;
  /** The time of a Date, in UTC. */
  static fromDate(date: Date): Timestamp;
  /** Parses RFC 3339 text; throws a RangeError. */
  static parse(text: string): Timestamp;
}

/** The attributes an Event is built from (`new Event({...})`, or returned by `process`). */
export interface EventAttributes {
  id: string;
  source: string;
  type: string;
  /** Defaults to `1.0`. */
  specversion?: string;
  datacontenttype?: string;
  dataschema?: string;
  subject?: string;
  /** A Date, RFC 3339 text or a Timestamp. */
  time?: Date | string | Timestamp;
  /** Bytes, or text stored as UTF-8. */
  data?: Uint8Array | string;
  /** A value the JSON codec writes as `data` (`datacontenttype` defaults to `application/json`). */
  json?: unknown;
  /** Extension attributes: a Map or an object of name to text. */
  extensions?: Map<string, string> | Record<string, string>;
}

/** What every event has, whether built by the author or read from a frame. */
export interface EventLike {
  readonly id: string;
  readonly source: string;
  readonly specversion: string;
  readonly type: string;
  readonly datacontenttype: string | undefined;
  readonly dataschema: string | undefined;
  readonly subject: string | undefined;
  /** `time` with its nanoseconds and offset, or undefined. */
  readonly timestamp: Timestamp | undefined;
  /** `time` as a Date (to the millisecond), or undefined. */
  readonly time: Date | undefined;
  /** The nanoseconds within the second of `time`. */
  readonly timeNanos: number | undefined;
  /** The UTC offset `time` was written with, in seconds east. */
  readonly timeOffset: number | undefined;
  readonly data: Uint8Array | undefined;
  readonly extensions: ReadonlyMap<string, string>;
  /** `data` parsed as JSON; throws if there is none or it is not JSON. */
  json(): any;
  /** `data` as UTF-8 text, or undefined; throws if it is not UTF-8. */
  text(): string | undefined;
  /** A copy as an Event that owns its attributes. */
  toEvent(): Event;
}

/** A CloudEvent (spec version 1.0). */
export declare class Event implements EventLike {
  constructor(attributes: EventAttributes);
  id: string;
  source: string;
  specversion: string;
  type: string;
  datacontenttype: string | undefined;
  dataschema: string | undefined;
  subject: string | undefined;
  timestamp: Timestamp | undefined;
  get time(): Date | undefined;
  set time(value: Date | string | Timestamp | undefined);
  readonly timeNanos: number | undefined;
  readonly timeOffset: number | undefined;
  data: Uint8Array | undefined;
  extensions: Map<string, string>;
  json(): any;
  text(): string | undefined;
  toEvent(): Event;
  /** The event the WIT `event` record carries (`time` as RFC 3339 text). */
  toRecord(): unknown;
  /** An event from a WIT `event` record. */
  static fromRecord(record: unknown): Event;
}

/** The CloudEvents version every event has. */
export declare const SPEC_VERSION: '1.0';

/** The `name=value` parameters a view, change or decider is configured with. */
export declare class Parameters implements Iterable<readonly [string, string]> {
  /** Name/value pairs (as the host passes them), a Map, an object or Parameters. */
  constructor(pairs?: Iterable<readonly [string, string]> | Record<string, string> | Parameters);
  /** The `[name, value]` pairs, in the order given. */
  readonly pairs: ReadonlyArray<readonly [string, string]>;
  /** The value of each name: the last one given. */
  readonly values: ReadonlyMap<string, string>;
  /** How many pairs there are. */
  readonly size: number;
  /** The value of `name` (the last one given), or undefined. */
  get(name: string): string | undefined;
  /** Whether `name` is given. */
  has(name: string): boolean;
  /** The value of `name`, or `fallback` if it is not given. */
  string(name: string): string | undefined;
  string<F>(name: string, fallback: F): string | F;
  /** `name` as a boolean (exactly `true` or `false`); `fallback` if absent; a Refusal otherwise. */
  bool(name: string): boolean | undefined;
  bool<F>(name: string, fallback: F): boolean | F;
  /** `name` as an integer (within ±(2^53 - 1)); `fallback` if absent. */
  int(name: string): number | undefined;
  int<F>(name: string, fallback: F): number | F;
  /** `name` as a non-negative integer; `fallback` if absent. */
  uint(name: string): number | undefined;
  uint<F>(name: string, fallback: F): number | F;
  /** `name` as a number, as Rust reads an f64; `fallback` if absent. */
  number(name: string): number | undefined;
  number<F>(name: string, fallback: F): number | F;
  /** A copy with one more pair. */
  with(name: string, value: string): Parameters;
  [Symbol.iterator](): Iterator<readonly [string, string]>;
}

/** What a caller may pass where Parameters are taken. */
export type ParametersLike = Parameters | Iterable<readonly [string, string]> | Record<string, string>;

/** Why a view, change or decider refused: a `code` callers match on, a message, details. */
export declare class Refusal extends Error {
  /** `details` may be bytes, text (sent as UTF-8) or any value JSON can encode. */
  constructor(code: string | undefined | null, message: string, details?: unknown);
  readonly code: string | undefined | null;
  readonly details: unknown;
}

/** The codes of the refusals the SDK itself makes, the same strings as the Rust SDK's. */
export declare const codes: {
  readonly INVALID_STATE: 'invalid-state';
  readonly UNENCODABLE_STATE: 'unencodable-state';
  readonly INVALID_FRAME: 'invalid-frame';
  readonly INVALID_EVENT: 'invalid-event';
  readonly INVALID_COMMAND: 'invalid-command';
  readonly UNSUPPORTED_CONTENT_TYPE: 'unsupported-content-type';
  readonly INVALID_PARAMETER: 'invalid-parameter';
  readonly INTERNAL: 'internal';
};

/** A log level of the host's log. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** Writes one line to the host's log; `log.info(message)` and the others are shorthands. */
export declare const log: {
  (level: LogLevel, message: unknown): void;
  error(message: unknown): void;
  warn(message: unknown): void;
  info(message: unknown): void;
  debug(message: unknown): void;
  trace(message: unknown): void;
};

/** What a state view is made of (`stateView({...})`); `S` is the state. */
export interface StateViewSpec<S> {
  /** How the state is stored between calls: `json` (the default) or `cbor`. */
  codec?: Codec;
  /** The state before any event. */
  initialize(parameters: Parameters): S;
  /** Applies one event: changes `state` in place and returns nothing, or returns the new state. */
  reduce(state: S, event: EventLike, parameters: Parameters): S | void;
}

/** What `stateView` returns; export it from `app.js`/`app.ts` as `view`. */
export declare class StateView<S = any> {
  constructor(spec: StateViewSpec<S>);
  readonly codec: Codec;
  readonly spec: StateViewSpec<S>;
  initialize(parameters?: ParametersLike): S;
  reduce(state: S, event: EventLike | EventAttributes, parameters?: ParametersLike): S;
  /** Folds events from `state` (the initialized one if not given). */
  fold(events: Iterable<EventLike | EventAttributes>, parameters?: ParametersLike, state?: S): S;
  load(record: StateRecord, parameters?: ParametersLike): S;
  save(state: S): StateRecord;
}

/** A state view (see `StateViewSpec`). */
export declare function stateView<S>(spec: StateViewSpec<S>): StateView<S>;

/** A view's state decoded once and kept while frames of events are applied to it. */
export declare class Resident<S = any> {
  constructor(view: StateView<S>, record: StateRecord, parameters?: ParametersLike);
  readonly view: StateView<S>;
  readonly parameters: Parameters;
  state: S | undefined;
  failed: boolean;
  /** Applies every event of `frame`; returns how many. Throws a BatchError. */
  apply(frame: Uint8Array): number;
  save(): StateRecord;
}

/** Why applying a frame stopped: the failed event's position in the frame, and the error. */
export declare class BatchError extends Error {
  constructor(index: number, error: unknown);
  readonly index: number;
  readonly error: unknown;
}

/** What a state change is made of (`stateChange({...})`); `S` the state, `C` the decoded command. */
export interface StateChangeSpec<S, C = any> {
  codec?: Codec;
  /** The state when there is none yet. */
  initialize(parameters: Parameters): S;
  /** The events the command causes (Events or their attributes); throws a Refusal to refuse. */
  process(state: S, command: C, parameters: Parameters): Iterable<Event | EventAttributes>;
  /** Whether `process` would accept the command. */
  validate?(state: S, command: C): boolean;
}

/** What `stateChange` returns; export it from `app.js`/`app.ts` as `change`. */
export declare class StateChange<S = any, C = any> {
  constructor(spec: StateChangeSpec<S, C>);
  readonly codec: Codec;
  readonly spec: StateChangeSpec<S, C>;
  initialize(parameters?: ParametersLike): S;
  process(state: S, command: C, parameters?: ParametersLike): Event[];
  validate(state: S, command: C): boolean;
  load(record: StateRecord, parameters?: ParametersLike): S;
  save(state: S): StateRecord;
}

/** A state change (see `StateChangeSpec`). */
export declare function stateChange<S, C = any>(spec: StateChangeSpec<S, C>): StateChange<S, C>;

/** A view and a change over one state: `export const { view, change } = decider({...})`. */
export declare function decider<S, C = any>(
  spec: StateViewSpec<S> & StateChangeSpec<S, C>,
): { view: StateView<S>; change: StateChange<S, C> };

/** Decodes a command record by its content type (JSON or CBOR); throws a Refusal. */
export declare function decodeCommand(record: StateRecord): any;

/** A tag: `name:value` text or `{ name, value }`. */
export type Tag = string | { name: string; value: string };

/** One way for an event to match a query: one of `types` (any if none), every tag of `tags`. */
export interface QueryItem {
  types?: string | Iterable<string>;
  tags?: Tag | Iterable<Tag>;
}

/** A DCB query: the events any of `items` selects; with no items, every event. */
export interface Query {
  items: Iterable<QueryItem>;
}

/** A query in its checked JSON form. */
export interface NormalizedQuery {
  items: { types: string[]; tags: string[] }[];
}

/** An event with the position the log gave it (1 for the first event). */
export interface StoredEvent {
  position: number;
  event: Event;
}

/** How many events `events()` asks for per read. */
export declare const PAGE: number;

/** `query` in its DCB JSON form, checked; throws a TypeError for what is not a query. */
export declare function normalizeQuery(query: Query): NormalizedQuery;

/** Whether `event` is selected by `query`. */
export declare function queryMatches(query: Query, event: EventLike | EventAttributes): boolean;

/** The log and the views as of the decision's revision: what `decide` reads. */
export declare class Database {
  /** `handle` has the WIT resource's functions: `revision`, `queryEvents`, `viewState`. */
  constructor(handle: unknown);
  /** The position the decision reads at. */
  revision(): number;
  /** At most `limit` events `query` selects after `after`, up to the revision. */
  queryEvents(query: Query, after: number | bigint, limit: number): StoredEvent[];
  /** Every event `query` selects after `after` up to the revision, read `page` at a time. */
  events(query: Query, after?: number | bigint, page?: number): Iterable<StoredEvent>;
  /** The state record of the view `name` at the revision; null if no such view. */
  viewStateRecord(name: string, parameters?: ParametersLike, version?: string): StateRecord | null;
  /** The state of the view `name`, decoded; null if no such view or no state yet. */
  viewState(name: string, parameters?: ParametersLike, version?: string): any;
}

/** The condition of an append: it fails if an event the query selects is after `after`. */
export interface AppendCondition {
  failIfEventsMatch: Query;
  after?: number | bigint;
}

/** What `decide` returns: events, or events with the condition to append them under. */
export type DecisionResult =
  | Iterable<Event | EventAttributes>
  | { events: Iterable<Event | EventAttributes>; condition?: AppendCondition | undefined };

/** What a database decider is made of (`databaseDecider({...})`); `C` the decoded command. */
export interface DatabaseDeciderSpec<C = any> {
  decide(database: Database, command: C, parameters: Parameters): DecisionResult;
}

/** What `databaseDecider` returns; export it from `app.js`/`app.ts` as `decider`. */
export declare class DatabaseDecider<C = any> {
  constructor(spec: DatabaseDeciderSpec<C>);
  readonly spec: DatabaseDeciderSpec<C>;
  decide(
    database: Database | unknown,
    command: C,
    parameters?: ParametersLike,
  ): { events: Event[]; condition: { failIfEventsMatch: NormalizedQuery; after?: number } | undefined };
}

/** A decider that reads the database (world `database-decider`). */
export declare function databaseDecider<C = any>(spec: DatabaseDeciderSpec<C>): DatabaseDecider<C>;

/** A malformed event frame (code `invalid-frame`). */
export declare class FrameError extends Refusal {
  constructor(index: number, message: string);
  readonly index: number;
}

/** Reads a frame's events one by one. */
export declare class FrameReader {
  constructor(frame: Uint8Array);
  readonly count: number;
  readonly remaining: number;
  /** The next event, or null after the last. */
  next(): EventLike | null;
  finish(): void;
  scan(index: number): EventLike;
}

/** Events as one frame, as the host sends `apply-events` (for tests). */
export declare function encodeFrame(events: Iterable<EventLike | EventAttributes>): Uint8Array;

/** The host's imports, as the SDK calls them. */
export interface HostImports {
  log?: (level: LogLevel, message: string) => void;
  refuse?: (error: { code: string; message: string; details?: Uint8Array }) => void;
  beginEvent?: () => void;
}

/** Connects the host's imports; returns a function that restores the previous ones. */
export declare function connect(imports: HostImports): () => void;

// TypeScript declarations of `evident/testing`: a database held in memory for an author's unit
// tests of a database decider (`import { InMemoryDatabase } from 'evident/testing'`).

import type { Codec, Event, EventAttributes, NormalizedQuery, Parameters, Query, StateRecord } from './index.js';

/** A read `InMemoryDatabase` recorded. */
export type Read =
  | { kind: 'query-events'; query: NormalizedQuery; after: number; limit: number; returned: number }
  | {
      kind: 'view-state';
      name: string;
      version: string | undefined;
      parameters: Array<[string, string]>;
      found: boolean;
    };

/** What a view's state is given as: a plain value, or a function of the parameters and version. */
export type ViewSource = unknown | ((parameters: Parameters, version: string | undefined) => unknown);

export interface InMemoryDatabaseOptions {
  /** The log, in order (Events or their attributes); the first has position 1. */
  events?: Iterable<Event | EventAttributes>;
  /** The position decisions read at; the last event's if not given. */
  revision?: number | bigint;
  /** View name to its state, or to a function returning it (undefined: no such view). */
  views?: Record<string, ViewSource> | Map<string, ViewSource>;
  /** How states are encoded (`json` by default). */
  codec?: Codec;
  /** The most events one read returns. */
  cap?: number;
}

/** A log and views in memory, as the host's `database` resource presents them to `decide`. */
export declare class InMemoryDatabase {
  constructor(options?: InMemoryDatabaseOptions);
  /** The log: `[{ position, event }]`, positions from 1. */
  log: { position: number; event: Event }[];
  /** The position decisions read at. */
  position: number;
  views: Map<string, ViewSource>;
  codec: Codec;
  cap: number;
  /** Every read, in order. */
  reads: Read[];
  /** Adds events to the end of the log; returns its new length. */
  append(...events: Array<Event | EventAttributes>): number;
  /** The first position after `condition.after` of an event its query selects; undefined if none. */
  conflict(condition: { failIfEventsMatch: Query | NormalizedQuery; after?: number | bigint }): number | undefined;
  /** `revision()` as the host's resource gives it (a bigint). */
  revision(): bigint;
  queryEvents(query: unknown, after: number | bigint, limit: number): unknown[];
  viewState(name: string, version: string | undefined, parameters: Array<[string, string]>): StateRecord | undefined;
}

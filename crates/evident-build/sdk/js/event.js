// Events: CloudEvents with named attributes (id, source, specversion, type, datacontenttype,
// dataschema, subject, time, data, extensions), as a view's `reduce` receives them and a
// change's `process` returns them; and their conversion to and from the WIT `event` record.

import { debugString } from './debug.js';
import { stringify } from './json.js';
import { Refusal, codes } from './refusal.js';
import { Timestamp } from './time.js';

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The CloudEvents version every event has. */
export const SPEC_VERSION = '1.0';

/** What every event has, whether built by the author, read from a frame or from a record. */
class EventMethods {
  /** `time` as a Date (to the millisecond), or undefined. */
  get time() {
    const timestamp = this.timestamp;
    return timestamp === undefined ? undefined : timestamp.toDate();
  }

  /** The nanoseconds within the second of `time` (which a Date rounds to milliseconds). */
  get timeNanos() {
    const timestamp = this.timestamp;
    return timestamp === undefined ? undefined : timestamp.nanos;
  }

  /** The UTC offset `time` was written with, in seconds east (a Date keeps none). */
  get timeOffset() {
    const timestamp = this.timestamp;
    return timestamp === undefined ? undefined : timestamp.offset;
  }

  /** `data` parsed as JSON; throws if there is none or it is not JSON. */
  json() {
    const data = this.data;
    if (data === undefined) {
      throw new Error('missing required attribute `data`');
    }
    try {
      return JSON.parse(strictUtf8.decode(data));
    } catch (e) {
      throw new Error(`attribute \`data\` is not the JSON expected: ${e.message}`);
    }
  }

  /** `data` as UTF-8 text, or undefined if there is none; throws if it is not UTF-8. */
  text() {
    const data = this.data;
    return data === undefined ? undefined : strictUtf8.decode(data);
  }

  /** A copy as an Event that owns its attributes. */
  toEvent() {
    return new Event({
      id: this.id,
      source: this.source,
      specversion: this.specversion,
      type: this.type,
      datacontenttype: this.datacontenttype,
      dataschema: this.dataschema,
      subject: this.subject,
      time: this.timestamp,
      data: this.data === undefined ? undefined : this.data.slice(),
      extensions: new Map(this.extensions),
    });
  }
}

/** The prototype frame events share with Events, for their methods. */
export const eventPrototype = EventMethods.prototype;

/**
 * A CloudEvent. Build one with its attributes:
 *
 *     new Event({ id: 'tally-5', source: '/tally', type: 'tally.added', json: { total: 5 } })
 *
 * `specversion` defaults to `1.0`; `time` is a Date, RFC 3339 text or a Timestamp; `data` is a
 * Uint8Array or text (stored as UTF-8), or give `json` (a value the JSON codec writes, and
 * `datacontenttype` defaults to `application/json`); `extensions` is a Map or an object of
 * name/value strings.
 */
export class Event extends EventMethods {
  constructor(attributes) {
    super();
    const {
      id,
      source,
      specversion = SPEC_VERSION,
      type,
      datacontenttype,
      dataschema,
      subject,
      time,
      data,
      json: value,
      extensions,
    } = attributes;
    this.id = id;
    this.source = source;
    this.specversion = specversion;
    this.type = type;
    this.datacontenttype = datacontenttype;
    this.dataschema = dataschema;
    this.subject = subject;
    /** `time` with its nanoseconds and offset, or undefined. */
    this.timestamp = toTimestamp(time);
    if (value !== undefined) {
      if (data !== undefined) {
        throw new TypeError('an event takes `data` or `json`, not both');
      }
      this.data = encoder.encode(stringify(value));
      if (datacontenttype === undefined) {
        this.datacontenttype = 'application/json';
      }
    } else {
      this.data = typeof data === 'string' ? encoder.encode(data) : data;
    }
    this.extensions =
      extensions instanceof Map ? extensions : new Map(extensions ? Object.entries(extensions) : []);
  }

  get time() {
    return super.time;
  }

  set time(value) {
    this.timestamp = toTimestamp(value);
  }

  /** The event the WIT `event` record carries (`time` as RFC 3339 text): what `reduce` gets. */
  static fromRecord(record) {
    let timestamp;
    if (record.time !== undefined) {
      try {
        timestamp = Timestamp.parse(record.time);
      } catch {
        throw new Refusal(
          codes.INVALID_EVENT,
          `event ${debugString(record.id)} is not a valid CloudEvent: attribute \`time\` is ` +
            `${debugString(record.time)}, not an RFC 3339 timestamp`,
        );
      }
    }
    const extensions = new Map();
    for (const [name, value] of record.extensions) {
      if (extensions.has(name)) {
        throw new Refusal(
          codes.INVALID_EVENT,
          `event ${debugString(record.id)} names extension \`${name}\` twice`,
        );
      }
      extensions.set(name, value);
    }
    return new Event({
      id: record.id,
      source: record.source,
      specversion: record.specVersion,
      type: record.type,
      datacontenttype: record.datacontenttype,
      dataschema: record.dataschema,
      subject: record.subject,
      time: timestamp,
      data: record.data,
      extensions,
    });
  }

  /** The WIT `event` record of this event: what `process` returns to the host. */
  toRecord() {
    return {
      id: this.id,
      source: this.source,
      specVersion: this.specversion,
      type: this.type,
      datacontenttype: this.datacontenttype,
      dataschema: this.dataschema,
      subject: this.subject,
      time: this.timestamp === undefined ? undefined : this.timestamp.toString(),
      data: this.data,
      extensions: Array.from(this.extensions, ([name, value]) => [name, value]),
    };
  }
}

function toTimestamp(time) {
  if (time === undefined || time instanceof Timestamp) {
    return time;
  }
  if (time instanceof Date) {
    return Timestamp.fromDate(time);
  }
  if (typeof time === 'string') {
    return Timestamp.parse(time);
  }
  throw new TypeError('an event `time` is a Date, RFC 3339 text or a Timestamp');
}

const RESERVED = new Set([
  'id',
  'source',
  'specversion',
  'type',
  'datacontenttype',
  'dataschema',
  'subject',
  'time',
  'data',
  'data_base64',
]);
const EXTENSION_NAME = /^[a-z0-9]+$/;
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:\\s*;\\s*${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))*\\s*$`);
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/u;

/**
 * Why an event is not a valid CloudEvent (the rules the Rust SDK checks, with its messages),
 * or undefined if it is.
 */
export function whyInvalid(event) {
  const string = (value) => typeof value === 'string';
  const optional = (value) => value === undefined || string(value);
  for (const name of ['id', 'source', 'specversion', 'type']) {
    if (!string(event[name])) {
      return `missing required attribute \`${name}\``;
    }
  }
  for (const name of ['datacontenttype', 'dataschema', 'subject']) {
    if (!optional(event[name])) {
      return `attribute \`${name}\` must be a string`;
    }
  }
  if (event.specversion !== SPEC_VERSION) {
    return `attribute \`specversion\` is ${debugString(event.specversion)}; only "1.0" is supported`;
  }
  for (const name of ['id', 'source', 'type']) {
    if (event[name] === '') {
      return `attribute \`${name}\` must not be empty`;
    }
  }
  if (WHITESPACE_OR_CONTROL.test(event.source)) {
    return 'attribute `source` is not a URI reference (it contains whitespace)';
  }
  const contentType = event.datacontenttype;
  if (contentType !== undefined) {
    if (contentType === '') {
      return 'attribute `datacontenttype` must not be empty';
    }
    if (!MEDIA_TYPE.test(contentType)) {
      return `attribute \`datacontenttype\` is ${debugString(contentType)}, not an RFC 2046 media type`;
    }
  }
  const schema = event.dataschema;
  if (schema !== undefined) {
    if (schema === '') {
      return 'attribute `dataschema` must not be empty';
    }
    if (!URI_SCHEME.test(schema)) {
      return `attribute \`dataschema\` is ${debugString(schema)}, not an absolute URI`;
    }
  }
  if (event.subject === '') {
    return 'attribute `subject` must not be empty';
  }
  if (event.data !== undefined && !(event.data instanceof Uint8Array)) {
    return 'attribute `data` must be a Uint8Array';
  }
  if (event.timestamp !== undefined && !event.timestamp.isValid()) {
    return 'attribute `time` is out of range';
  }
  for (const [name, value] of event.extensions) {
    if (RESERVED.has(name)) {
      return `attribute \`${name}\` is a reserved attribute name and cannot be an extension`;
    }
    if (!EXTENSION_NAME.test(name)) {
      return `attribute \`${name}\` is not a valid extension name (only a-z and 0-9 are allowed)`;
    }
    if (!string(value)) {
      return `attribute \`${name}\` must be a string`;
    }
  }
  return undefined;
}

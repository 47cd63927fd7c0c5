// The event frame (`state-view-batch.apply-events`): many events as one byte string. Layout,
// integers little-endian: a u32 event count, then per event id, source, specversion, type,
// datacontenttype?, dataschema?, subject?, time?, data? and the extensions. A string or byte
// string is a u32 length and the bytes; an absent optional one is the length 0xffffffff. `time`
// is a flag byte (0 absent, 1 present), then i64 Unix seconds, u32 nanoseconds and i32 UTC
// offset seconds. Extensions are a u32 pair count, then names and values as strings.
//
// Reading checks structure only, as the Rust SDK's FrameReader does (lengths within the frame,
// UTF-8 strings, a representable time, extension names given once; errors say the same), and
// decodes lazily: an event keeps where its attributes are, and a string is decoded when read.
// Its strings are checked as they are scanned, several in one TextDecoder call where the bytes
// between them (their length prefixes) are ASCII: valid UTF-8 separated by ASCII is valid UTF-8.
// When anything is wrong, the event is read again, strictly, to report the error Rust reports.

import { Event, eventPrototype } from './event.js';
import { MAX_SECONDS, MIN_SECONDS, Timestamp } from './time.js';
import { Refusal, codes } from './refusal.js';

const ABSENT = 0xffffffff;
/** A length below this is written as [n, 0, 0, 0]: ASCII bytes. */
const ASCII_LENGTH = 0x80;
const TWO_TO_32 = 4294967296;
/** Times whose seconds' high word lies strictly between these are in range whatever the rest. */
const MIN_HIGH = Math.floor(MIN_SECONDS / TWO_TO_32);
const MAX_HIGH = Math.floor(MAX_SECONDS / TWO_TO_32);
/** Thrown inside the fast scan to hand an event to the strict reader. */
const SLOW = Symbol('read strictly');

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** For strings already checked to be UTF-8. */
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Why a frame could not be read: the `invalid-frame` refusal, at the event it concerns. */
export class FrameError extends Refusal {
  constructor(index, message) {
    super(codes.INVALID_FRAME, message);
    this.name = 'FrameError';
    /** The position in the frame of the event at fault. */
    this.index = index;
  }
}

function truncated(index, what) {
  return new FrameError(index, `the event frame is truncated in event ${index} (${what})`);
}

function notUtf8(index, what) {
  return new FrameError(index, `the event frame's event ${index} has a \`${what}\` that is not UTF-8`);
}

function invalid(index, what) {
  return new FrameError(index, `the event frame's event ${index} has an invalid \`${what}\``);
}

/** Reads a frame's events one by one. */
export class FrameReader {
  /** @param {Uint8Array} frame */
  constructor(frame) {
    if (frame.length < 4) {
      throw truncated(0, 'event count');
    }
    this.bytes = frame;
    this.view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    this.count = this.view.getUint32(0, true);
    this.position = 4;
    /** The position in the frame of the event the next read returns. */
    this.index = 0;
  }

  /** Events not read yet. */
  get remaining() {
    return this.count - this.index;
  }

  /** The next event, or null after the last one; throws a FrameError. */
  next() {
    if (this.index === this.count) {
      this.finish();
      return null;
    }
    const event = this.scan(this.index);
    this.index += 1;
    return event;
  }

  /** Checks that nothing follows the last event (the reader is past it). */
  finish() {
    const trailing = this.bytes.length - this.position;
    if (trailing !== 0) {
      throw new FrameError(this.count, `the event frame has ${trailing} bytes after its last event`);
    }
  }

  /**
   * Reads event `index`, at the reader's position, in straight-line code: the lengths are read
   * (a read past the end throws), and the strings checked to be UTF-8 in as few decodes as the
   * layout allows. Anything unusual (an error, a string of 128 bytes or more where strings are
   * checked together, more than one extension) sends the event to `strict`, which reads it
   * again attribute by attribute and throws the error the Rust SDK reports.
   */
  scan(index) {
    const bytes = this.bytes;
    const view = this.view;
    const start = this.position;
    try {
      let p = start + 4 + view.getUint32(start, true);
      const source = view.getUint32(p, true);
      p += 4 + source;
      const version = view.getUint32(p, true);
      p += 4 + version;
      const type = p;
      const typeLength = view.getUint32(p, true);
      p += 4 + typeLength;
      const afterType = p;
      const contentType = view.getUint32(p, true);
      p += contentType === ABSENT ? 4 : 4 + contentType;
      const afterContentType = p;
      const schema = view.getUint32(p, true);
      p += schema === ABSENT ? 4 : 4 + schema;
      const subjectAt = p;
      const subject = view.getUint32(p, true);
      p += subject === ABSENT ? 4 : 4 + subject;
      const time = p;
      const flag = bytes[p];
      if (flag === 1) {
        const high = view.getInt32(p + 5, true);
        const nanos = view.getUint32(p + 9, true);
        const offset = view.getInt32(p + 13, true);
        const plain = high > MIN_HIGH && high < MAX_HIGH && nanos < 1e9 && offset > -86400 && offset < 86400;
        if (!plain && !isValidTime(view, p + 1)) {
          throw SLOW;
        }
        p += 17;
      } else if (flag === 0) {
        p += 1;
      } else {
        throw SLOW;
      }
      const data = view.getUint32(p, true);
      p += data === ABSENT ? 4 : 4 + data;
      const pairs = view.getUint32(p, true);
      p += 4;
      const extensions = p;
      if (pairs !== 0) {
        if (pairs !== 1) {
          throw SLOW; // names must be compared: read strictly
        }
        p += 4 + view.getUint32(p, true);
        const value = view.getUint32(p, true);
        if (value >= ASCII_LENGTH) {
          throw SLOW;
        }
        p += 4 + value;
      }
      if (p > bytes.length) {
        throw SLOW;
      }
      // id, source, specversion, type and datacontenttype are checked as one run of bytes:
      // the length prefixes between them are ASCII when the lengths are under 128.
      if ((source | version | typeLength) >= ASCII_LENGTH || (contentType >= ASCII_LENGTH && contentType !== ABSENT)) {
        throw SLOW;
      }
      strictUtf8.decode(bytes.subarray(start + 4, contentType === ABSENT ? afterType : afterContentType));
      if (schema !== ABSENT && schema !== 0) {
        strictUtf8.decode(bytes.subarray(afterContentType + 4, subjectAt));
      }
      if (subject !== ABSENT && subject !== 0) {
        strictUtf8.decode(bytes.subarray(subjectAt + 4, time));
      }
      if (pairs === 1) {
        strictUtf8.decode(bytes.subarray(extensions + 4, p));
      }
      this.position = p;
      return new FrameEvent(this, start, type, time);
    } catch {
      return this.strict(start, index);
    }
  }

  /** Reads event `index`, at `start`, checking each attribute in turn as the Rust SDK does. */
  strict(start, index) {
    const bytes = this.bytes;
    const view = this.view;
    let p = start;
    const u32 = (what) => {
      if (p + 4 > bytes.length) {
        throw truncated(index, what);
      }
      const value = view.getUint32(p, true);
      p += 4;
      return value;
    };
    const take = (what, length) => {
      if (length > bytes.length - p) {
        throw truncated(index, what);
      }
      p += length;
      return bytes.subarray(p - length, p);
    };
    const text = (what, raw) => {
      try {
        return strictUtf8.decode(raw);
      } catch {
        throw notUtf8(index, what);
      }
    };
    const string = (what) => text(what, take(what, u32(what)));
    const optionalBytes = (what) => {
      const length = u32(what);
      return length === ABSENT ? undefined : take(what, length);
    };
    const optionalString = (what) => {
      const raw = optionalBytes(what);
      return raw === undefined ? undefined : text(what, raw);
    };
    const attributes = {
      id: string('id'),
      source: string('source'),
      specversion: string('specversion'),
      type: string('type'),
      datacontenttype: optionalString('datacontenttype'),
      dataschema: optionalString('dataschema'),
      subject: optionalString('subject'),
    };
    const flag = take('time', 1)[0];
    if (flag === 1) {
      take('time', 16);
      const timestamp = readTime(view, p - 16);
      if (!timestamp.isValid()) {
        throw invalid(index, 'time');
      }
      attributes.time = timestamp;
    } else if (flag !== 0) {
      throw invalid(index, 'time');
    }
    attributes.data = optionalBytes('data');
    const pairs = u32('extensions');
    const extensions = new Map();
    for (let i = 0; i < pairs; i++) {
      const name = string('extension name');
      const value = string('extension value');
      if (extensions.has(name)) {
        throw invalid(index, 'extensions');
      }
      extensions.set(name, value);
    }
    attributes.extensions = extensions;
    this.position = p;
    return new Event(attributes);
  }
}

/** Whether the time at `p` is one the Rust SDK can represent (without making a Timestamp). */
function isValidTime(view, p) {
  const seconds = view.getInt32(p + 4, true) * TWO_TO_32 + view.getUint32(p, true);
  const nanos = view.getUint32(p + 8, true);
  const offset = view.getInt32(p + 12, true);
  return (
    seconds >= MIN_SECONDS &&
    seconds <= MAX_SECONDS &&
    (nanos < 1e9 || (nanos < 2e9 && ((seconds % 60) + 60) % 60 === 59)) &&
    offset > -86400 &&
    offset < 86400
  );
}

function readTime(view, p) {
  const seconds = view.getInt32(p + 4, true) * TWO_TO_32 + view.getUint32(p, true);
  return new Timestamp(seconds, view.getUint32(p + 8, true), view.getInt32(p + 12, true));
}

/**
 * An event of a frame, its attributes read from the frame when asked for. It has the same
 * attributes and methods as an Event (`toEvent()` copies it into one). It keeps only where its
 * id, type and time are; the other attributes are found from those.
 */
class FrameEvent {
  constructor(reader, start, type, time) {
    this._reader = reader;
    this._start = start;
    this._type = type;
    this._time = time;
  }

  /** The string whose length prefix is at `p`. */
  _string(p) {
    const reader = this._reader;
    return utf8.decode(reader.bytes.subarray(p + 4, p + 4 + reader.view.getUint32(p, true)));
  }

  /** Where the attribute after the (possibly absent) string or bytes at `p` starts. */
  _after(p) {
    const length = this._reader.view.getUint32(p, true);
    return p + 4 + (length === ABSENT ? 0 : length);
  }

  _optionalString(p) {
    return this._reader.view.getUint32(p, true) === ABSENT ? undefined : this._string(p);
  }

  get id() {
    return this._string(this._start);
  }

  get source() {
    return this._string(this._after(this._start));
  }

  get specversion() {
    return this._string(this._after(this._after(this._start)));
  }

  get type() {
    const reader = this._reader;
    const p = this._type;
    return utf8.decode(reader.bytes.subarray(p + 4, p + 4 + reader.view.getUint32(p, true)));
  }

  get datacontenttype() {
    return this._optionalString(this._after(this._type));
  }

  get dataschema() {
    return this._optionalString(this._after(this._after(this._type)));
  }

  get subject() {
    return this._optionalString(this._after(this._after(this._after(this._type))));
  }

  get timestamp() {
    return this._reader.bytes[this._time] === 1 ? readTime(this._reader.view, this._time + 1) : undefined;
  }

  get data() {
    const reader = this._reader;
    const p = this._time + (reader.bytes[this._time] === 1 ? 17 : 1);
    const length = reader.view.getUint32(p, true);
    return length === ABSENT ? undefined : reader.bytes.subarray(p + 4, p + 4 + length);
  }

  get extensions() {
    const extensions = new Map();
    const reader = this._reader;
    let p = this._after(this._time + (reader.bytes[this._time] === 1 ? 17 : 1));
    const pairs = reader.view.getUint32(p, true);
    p += 4;
    for (let i = 0; i < pairs; i++) {
      const name = this._string(p);
      p = this._after(p);
      extensions.set(name, this._string(p));
      p = this._after(p);
    }
    return extensions;
  }
}

Object.setPrototypeOf(FrameEvent.prototype, eventPrototype);

/** Writes events (Events, or objects with their attributes) as one frame, as the host does. */
export function encodeFrame(events) {
  const encoder = new TextEncoder();
  const parts = [];
  let size = 4;
  const u32 = (value) => {
    const part = new Uint8Array(4);
    new DataView(part.buffer).setUint32(0, value, true);
    parts.push(part);
    size += 4;
  };
  const raw = (value) => {
    u32(value.length);
    parts.push(value);
    size += value.length;
  };
  const optional = (value) => (value === undefined ? u32(ABSENT) : raw(encoder.encode(value)));
  let count = 0;
  for (const given of events) {
    const event = given instanceof Event ? given : new Event(given);
    count += 1;
    raw(encoder.encode(event.id));
    raw(encoder.encode(event.source));
    raw(encoder.encode(event.specversion));
    raw(encoder.encode(event.type));
    optional(event.datacontenttype);
    optional(event.dataschema);
    optional(event.subject);
    const timestamp = event.timestamp;
    if (timestamp === undefined) {
      parts.push(new Uint8Array([0]));
      size += 1;
    } else {
      const part = new Uint8Array(17);
      const view = new DataView(part.buffer);
      part[0] = 1;
      view.setBigInt64(1, BigInt(timestamp.seconds), true);
      view.setUint32(9, timestamp.nanos, true);
      view.setInt32(13, timestamp.offset, true);
      parts.push(part);
      size += 17;
    }
    if (event.data === undefined) {
      u32(ABSENT);
    } else {
      raw(event.data);
    }
    u32(event.extensions.size);
    for (const [name, value] of event.extensions) {
      raw(encoder.encode(name));
      raw(encoder.encode(value));
    }
  }
  const frame = new Uint8Array(size);
  new DataView(frame.buffer).setUint32(0, count, true);
  let at = 4;
  for (const part of parts) {
    frame.set(part, at);
    at += part.length;
  }
  return frame;
}

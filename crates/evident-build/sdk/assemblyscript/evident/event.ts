// The CloudEvent a view's `reduce` is given and a change's `process` emits, with its attributes
// by name. An event read from a frame decodes each attribute the first time it is read.

import { Time } from "./time";
import { decodeShared, decodeUtf8 } from "./text";
import { JsonValue, JsonWriter, parseJson } from "./json";

/** The CloudEvents spec version every event has. */
export const SPEC_VERSION = "1.0";

/** The media type of JSON data. */
export const JSON_CONTENT_TYPE = "application/json";

/** @internal Offsets, in a frame, of one event's attributes (each at its length prefix, or time flag). */
export class FrameOffsets {
  id: u32 = 0;
  source: u32 = 0;
  specversion: u32 = 0;
  type: u32 = 0;
  datacontenttype: u32 = 0;
  dataschema: u32 = 0;
  subject: u32 = 0;
  time: u32 = 0;
  data: u32 = 0;
  extensions: u32 = 0;
}

const ABSENT: u32 = 0xffffffff;

/** An event's extension attributes: name/value pairs, names unique, in the order they came. */
export class Extensions {
  private names: string[] = [];
  private values: string[] = [];

  /** How many there are. */
  get length(): i32 {
    return this.names.length;
  }

  /** The value of extension `name`, or `null`. */
  get(name: string): string | null {
    const names = this.names;
    for (let i = 0; i < names.length; i++) {
      if (names[i] == name) return this.values[i];
    }
    return null;
  }

  /** Whether extension `name` is set. */
  has(name: string): bool {
    return this.get(name) != null;
  }

  /** The name of extension `index`. */
  nameAt(index: i32): string {
    return this.names[index];
  }

  /** The value of extension `index`. */
  valueAt(index: i32): string {
    return this.values[index];
  }

  /** Sets extension `name` (replacing its value if it is set). */
  set(name: string, value: string): void {
    const names = this.names;
    for (let i = 0; i < names.length; i++) {
      if (names[i] == name) {
        this.values[i] = value;
        return;
      }
    }
    names.push(name);
    this.values.push(value);
  }

  /** @internal Appends a pair whose name is known to be new. */
  add(name: string, value: string): void {
    this.names.push(name);
    this.values.push(value);
  }
}

/**
 * A CloudEvent (spec version 1.0). `new Event(id, source, type)` starts one with the three
 * attributes a change must choose; the `with*` methods set the rest.
 */
export class Event {
  private _id: string | null;
  private _source: string | null;
  private _specversion: string | null;
  private _type: string | null;
  private _datacontenttype: string | null = null;
  private _dataschema: string | null = null;
  private _subject: string | null = null;
  private _time: Time | null = null;
  private _data: Uint8Array | null = null;
  private _extensions: Extensions | null = null;
  /** For an event read from a frame: the frame, and where its attributes are. */
  private frame: ArrayBuffer | null = null;
  private oId: u32 = 0;
  private oSource: u32 = 0;
  private oSpecversion: u32 = 0;
  private oType: u32 = 0;
  private oDatacontenttype: u32 = 0;
  private oDataschema: u32 = 0;
  private oSubject: u32 = 0;
  private oTime: u32 = 0;
  private oData: u32 = 0;
  private oExtensions: u32 = 0;
  /** Bits of the frame attributes not decoded yet (1 << index in `FrameOffsets` order). */
  private pending: u32 = 0;

  /** An event with an id, a source and a type; the spec version is `1.0`, the rest is absent. */
  constructor(id: string, source: string, type: string) {
    this._id = id;
    this._source = source;
    this._specversion = SPEC_VERSION;
    this._type = type;
  }

  /** @internal An event whose attributes are read from `frame` when first used. */
  static lent(frame: ArrayBuffer, at: FrameOffsets): Event {
    const event = new Event("", "", "");
    event.frame = frame;
    event.oId = at.id;
    event.oSource = at.source;
    event.oSpecversion = at.specversion;
    event.oType = at.type;
    event.oDatacontenttype = at.datacontenttype;
    event.oDataschema = at.dataschema;
    event.oSubject = at.subject;
    event.oTime = at.time;
    event.oData = at.data;
    event.oExtensions = at.extensions;
    event.pending = 0x3ff;
    return event;
  }

  private string(offset: u32): string {
    const base = changetype<usize>(this.frame!);
    return decodeUtf8(base + offset + 4, load<u32>(base + offset));
  }

  private sharedString(offset: u32): string {
    const base = changetype<usize>(this.frame!);
    return decodeShared(base + offset + 4, load<u32>(base + offset));
  }

  private optionalString(offset: u32, shared: bool): string | null {
    const base = changetype<usize>(this.frame!);
    const length = load<u32>(base + offset);
    if (length == ABSENT) return null;
    return shared ? decodeShared(base + offset + 4, length) : decodeUtf8(base + offset + 4, length);
  }

  /** Unique within `source`; producers use it to de-duplicate. */
  get id(): string {
    if (this.pending & 1) {
      this._id = this.string(this.oId);
      this.pending &= ~1;
    }
    return this._id!;
  }

  set id(value: string) {
    this.pending &= ~1;
    this._id = value;
  }

  /** Where the event happened (a URI reference). */
  get source(): string {
    if (this.pending & 2) {
      this._source = this.sharedString(this.oSource);
      this.pending &= ~2;
    }
    return this._source!;
  }

  set source(value: string) {
    this.pending &= ~2;
    this._source = value;
  }

  /** The CloudEvents spec version: `1.0`. */
  get specversion(): string {
    if (this.pending & 4) {
      this._specversion = this.sharedString(this.oSpecversion);
      this.pending &= ~4;
    }
    return this._specversion!;
  }

  set specversion(value: string) {
    this.pending &= ~4;
    this._specversion = value;
  }

  /** What happened, e.g. `com.example.account.deposited`. */
  get type(): string {
    if (this.pending & 8) {
      this._type = this.sharedString(this.oType);
      this.pending &= ~8;
    }
    return this._type!;
  }

  set type(value: string) {
    this.pending &= ~8;
    this._type = value;
  }

  /** The media type of `data`; absent means JSON. */
  get datacontenttype(): string | null {
    if (this.pending & 16) {
      this._datacontenttype = this.optionalString(this.oDatacontenttype, true);
      this.pending &= ~16;
    }
    return this._datacontenttype;
  }

  set datacontenttype(value: string | null) {
    this.pending &= ~16;
    this._datacontenttype = value;
  }

  /** A URI naming the schema `data` follows. */
  get dataschema(): string | null {
    if (this.pending & 32) {
      this._dataschema = this.optionalString(this.oDataschema, true);
      this.pending &= ~32;
    }
    return this._dataschema;
  }

  set dataschema(value: string | null) {
    this.pending &= ~32;
    this._dataschema = value;
  }

  /** What the event is about, within `source`. */
  get subject(): string | null {
    if (this.pending & 64) {
      this._subject = this.optionalString(this.oSubject, false);
      this.pending &= ~64;
    }
    return this._subject;
  }

  set subject(value: string | null) {
    this.pending &= ~64;
    this._subject = value;
  }

  /** When it happened, with the UTC offset it was written in. */
  get time(): Time | null {
    if (this.pending & 128) {
      const at = changetype<usize>(this.frame!) + this.oTime;
      if (load<u8>(at) == 1) {
        this._time = new Time(load<i64>(at + 1), load<u32>(at + 9), load<i32>(at + 13));
      }
      this.pending &= ~128;
    }
    return this._time;
  }

  set time(value: Time | null) {
    this.pending &= ~128;
    this._time = value;
  }

  /** The payload: the JSON text for JSON content types, the raw bytes otherwise. */
  get data(): Uint8Array | null {
    if (this.pending & 256) {
      const offset = this.oData;
      const length = load<u32>(changetype<usize>(this.frame!) + offset);
      if (length != ABSENT) {
        this._data = Uint8Array.wrap(this.frame!, <i32>offset + 4, <i32>length);
      }
      this.pending &= ~256;
    }
    return this._data;
  }

  set data(value: Uint8Array | null) {
    this.pending &= ~256;
    this._data = value;
  }

  /** The extension attributes. */
  get extensions(): Extensions {
    if (this.pending & 512) {
      const extensions = new Extensions();
      const base = changetype<usize>(this.frame!);
      let at = base + this.oExtensions;
      const count = load<u32>(at);
      at += 4;
      for (let i: u32 = 0; i < count; i++) {
        const nameLength = load<u32>(at);
        const name = decodeShared(at + 4, nameLength);
        at += 4 + nameLength;
        const valueLength = load<u32>(at);
        extensions.add(name, decodeUtf8(at + 4, valueLength));
        at += 4 + valueLength;
      }
      this._extensions = extensions;
      this.pending &= ~512;
    }
    let extensions = this._extensions;
    if (extensions == null) {
      extensions = new Extensions();
      this._extensions = extensions;
    }
    return extensions;
  }

  /** `data` parsed as JSON, or `null` if there is none or it is not JSON (see `parseError`). */
  dataJson(): JsonValue | null {
    const data = this.data;
    if (data == null) return null;
    return parseJson(data);
  }

  /** Sets `subject`; returns this event. */
  withSubject(subject: string): Event {
    this.subject = subject;
    return this;
  }

  /** Sets `time`; returns this event. */
  withTime(time: Time): Event {
    this.time = time;
    return this;
  }

  /** Sets `dataschema`; returns this event. */
  withDataschema(dataschema: string): Event {
    this.dataschema = dataschema;
    return this;
  }

  /** Sets `data` to raw bytes of a media type; returns this event. */
  withData(contentType: string, data: Uint8Array): Event {
    this.datacontenttype = contentType;
    this.data = data;
    return this;
  }

  /** Sets `data` to JSON (the bytes of a `JsonWriter` or `JsonValue`) marked `application/json`. */
  withJsonData(json: Uint8Array): Event {
    return this.withData(JSON_CONTENT_TYPE, json);
  }

  /** Sets `data` to what `writer` wrote, marked `application/json`. */
  withJson(writer: JsonWriter): Event {
    return this.withJsonData(writer.toBytes());
  }

  /** Sets an extension attribute; returns this event. */
  withExtension(name: string, value: string): Event {
    this.extensions.set(name, value);
    return this;
  }
}

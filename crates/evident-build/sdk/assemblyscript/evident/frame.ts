// Reading an event frame (the `list<u8>` of `state-view-batch.apply-events`): a little-endian
// u32 event count, then per event its attributes in the order of the WIT `event`, strings as a
// u32 length and the bytes (0xffffffff for an absent optional one), `time` as a flag byte and
// i64 seconds, u32 nanoseconds, i32 offset, extensions as a u32 pair count and the pairs.
// Structure only is checked, as the Rust SDK checks it: lengths, UTF-8, a representable time,
// extension names given once. The host checked the CloudEvents rules when it read the events.

import { Event, FrameOffsets } from "./event";
import { isUtf8 } from "./text";
import { isValidTime } from "./time";

const ABSENT: u32 = 0xffffffff;
/** What a read returns instead of the next position when it failed (`error` says why). */
const FAILED: u32 = 0xffffffff;

// What is being read, for the messages (the Rust SDK's names).
const ID = 0;
const SOURCE = 1;
const SPECVERSION = 2;
const TYPE = 3;
const DATACONTENTTYPE = 4;
const DATASCHEMA = 5;
const SUBJECT = 6;
const TIME = 7;
const DATA = 8;
const EXTENSIONS = 9;
const EXTENSION_NAME = 10;
const EXTENSION_VALUE = 11;
const NAMES: string[] = [
  "id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time",
  "data", "extensions", "extension name", "extension value",
];

/** Reads a frame's events one by one, each lent as an `Event` into the frame's buffer. */
export class FrameReader {
  private frame: ArrayBuffer;
  private base: usize;
  private length: u32;
  private position: u32 = 4;
  /** Events not read yet. */
  remaining: u32 = 0;
  /** The position in the frame of the event the next read returns. */
  index: u32 = 0;
  /** Why the last read failed (`null` if it did not). */
  error: string | null = null;
  private offsets: FrameOffsets = new FrameOffsets();
  /** Where the extension names of the event being read are: (offset, length) pairs. */
  private names: u32[] = [];

  /** Starts reading `frame`; `error` is set if it has no event count. */
  constructor(frame: ArrayBuffer) {
    this.frame = frame;
    this.base = changetype<usize>(frame);
    this.length = <u32>frame.byteLength;
    if (this.length < 4) {
      this.error = "the event frame is truncated in event 0 (event count)";
    } else {
      this.remaining = load<u32>(this.base);
    }
  }

  /** The next event; `null` at the end, or on an error (then `error` says why). */
  next(): Event | null {
    if (this.remaining == 0) {
      const trailing = this.length - this.position;
      if (trailing != 0) this.error = `the event frame has ${trailing} bytes after its last event`;
      return null;
    }
    const o = this.offsets;
    let at = this.position;
    o.id = at;
    if ((at = this.text(at, ID, false)) == FAILED) return null;
    o.source = at;
    if ((at = this.text(at, SOURCE, false)) == FAILED) return null;
    o.specversion = at;
    if ((at = this.text(at, SPECVERSION, false)) == FAILED) return null;
    o.type = at;
    if ((at = this.text(at, TYPE, false)) == FAILED) return null;
    o.datacontenttype = at;
    if ((at = this.text(at, DATACONTENTTYPE, true)) == FAILED) return null;
    o.dataschema = at;
    if ((at = this.text(at, DATASCHEMA, true)) == FAILED) return null;
    o.subject = at;
    if ((at = this.text(at, SUBJECT, true)) == FAILED) return null;
    o.time = at;
    if ((at = this.time(at)) == FAILED) return null;
    o.data = at;
    if ((at = this.bytes(at)) == FAILED) return null;
    o.extensions = at;
    if ((at = this.extensions(at)) == FAILED) return null;
    this.position = at;
    this.remaining--;
    this.index++;
    return Event.lent(this.frame, o);
  }

  private fail(message: string): u32 {
    this.error = message;
    return FAILED;
  }

  private truncated(what: i32): u32 {
    return this.fail(`the event frame is truncated in event ${this.index} (${NAMES[what]})`);
  }

  private invalid(what: i32): u32 {
    return this.fail(`the event frame's event ${this.index} has an invalid \`${NAMES[what]}\``);
  }

  /** Reads a length-prefixed UTF-8 string at `at` (absent allowed if `optional`); the position after it. */
  private text(at: u32, what: i32, optional: bool): u32 {
    if (this.length - at < 4) return this.truncated(what);
    const size = load<u32>(this.base + at);
    at += 4;
    if (optional && size == ABSENT) return at;
    if (size > this.length - at) return this.truncated(what);
    if (!isUtf8(this.base + at, size)) {
      return this.fail(`the event frame's event ${this.index} has a \`${NAMES[what]}\` that is not UTF-8`);
    }
    return at + size;
  }

  /** Reads the optional `data` bytes at `at`; the position after them. */
  private bytes(at: u32): u32 {
    if (this.length - at < 4) return this.truncated(DATA);
    const size = load<u32>(this.base + at);
    at += 4;
    if (size == ABSENT) return at;
    if (size > this.length - at) return this.truncated(DATA);
    return at + size;
  }

  /** Reads `time` at `at`; the position after it. */
  private time(at: u32): u32 {
    if (this.length - at < 1) return this.truncated(TIME);
    const flag = load<u8>(this.base + at);
    at += 1;
    if (flag == 0) return at;
    if (flag != 1) return this.invalid(TIME);
    if (this.length - at < 16) return this.truncated(TIME);
    const p = this.base + at;
    if (!isValidTime(load<i64>(p), load<u32>(p, 8), load<i32>(p, 12))) return this.invalid(TIME);
    return at + 16;
  }

  /** Reads the extensions at `at`; the position after them. */
  private extensions(at: u32): u32 {
    if (this.length - at < 4) return this.truncated(EXTENSIONS);
    const count = load<u32>(this.base + at);
    at += 4;
    if (count == 0) return at;
    const names = this.names;
    names.length = 0;
    for (let i: u32 = 0; i < count; i++) {
      const nameAt = at + 4;
      if ((at = this.text(at, EXTENSION_NAME, false)) == FAILED) return FAILED;
      const nameLength = at - nameAt;
      if ((at = this.text(at, EXTENSION_VALUE, false)) == FAILED) return FAILED;
      for (let j = 0; j < names.length; j += 2) {
        if (
          names[j + 1] == nameLength &&
          memory.compare(this.base + names[j], this.base + nameAt, nameLength) == 0
        ) return this.invalid(EXTENSIONS);
      }
      names.push(nameAt);
      names.push(nameLength);
    }
    return at;
  }
}

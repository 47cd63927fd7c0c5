// An event's `time`: an instant (Unix seconds and nanoseconds) with the UTC offset it was written
// in, read from and written as RFC 3339 the way the Rust SDK (chrono) does.

/** The earliest and latest Unix second chrono represents (years -262143 and 262142). */
const MIN_SECONDS: i64 = -8334601228800;
const MAX_SECONDS: i64 = 8210266876799;

/** When an event happened: `seconds` since the Unix epoch (UTC), `nanos` into that second, and the `offset` east of UTC (in seconds) it was written with. */
export class Time {
  /** Seconds since 1970-01-01T00:00:00Z. */
  seconds: i64;
  /** Nanoseconds into the second (1,000,000,000 or more only during a leap second). */
  nanos: u32;
  /** The offset from UTC the time was written with, in seconds east. */
  offset: i32;

  constructor(seconds: i64, nanos: u32 = 0, offset: i32 = 0) {
    this.seconds = seconds;
    this.nanos = nanos;
    this.offset = offset;
  }

  /** Milliseconds since the Unix epoch (as JavaScript's `Date` counts). */
  get millis(): i64 {
    return this.seconds * 1000 + <i64>(this.nanos / 1_000_000);
  }

  /** Whether chrono can represent this time (what the Rust SDK checks of a time in a frame). */
  isValid(): bool {
    return isValidTime(this.seconds, this.nanos, this.offset);
  }

  /** RFC 3339, as the Rust SDK writes it: `2026-01-01T00:00:10Z`, `...10.250+01:00`. */
  toString(): string {
    const local = this.seconds + <i64>this.offset;
    const days = floorDiv(local, 86_400);
    let second = <i32>floorMod(local, 86_400);
    const date = civil(days);
    const hour = second / 3600;
    const minute = (second / 60) % 60;
    second = second % 60;
    let nanos = this.nanos;
    if (nanos >= 1_000_000_000) {
      second += 1; // a leap second prints as :60
      nanos -= 1_000_000_000;
    }
    let out = year(date[0]) + "-" + two(date[1]) + "-" + two(date[2]);
    out += "T" + two(hour) + ":" + two(minute) + ":" + two(second);
    if (nanos != 0) {
      if (nanos % 1_000_000 == 0) out += "." + pad(nanos / 1_000_000, 3);
      else if (nanos % 1000 == 0) out += "." + pad(nanos / 1000, 6);
      else out += "." + pad(nanos, 9);
    }
    if (this.offset == 0) return out + "Z";
    const sign = this.offset < 0 ? "-" : "+";
    const minutes = (abs(this.offset) + 30) / 60;
    return out + sign + two(minutes / 60) + ":" + two(minutes % 60);
  }
}

/** Whether chrono represents this instant and offset (what a frame's `time` must be). */
export function isValidTime(seconds: i64, nanos: u32, offset: i32): bool {
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) return false;
  if (offset <= -86_400 || offset >= 86_400) return false;
  if (nanos >= 2_000_000_000) return false;
  if (nanos >= 1_000_000_000 && floorMod(seconds, 86_400) % 60 != 59) return false;
  return true;
}

/** Why the last `parseTime` failed, in chrono's words. */
let lastError = "";

/** Why the last `parseTime` returned `null`. */
export function timeError(): string {
  return lastError;
}

/** Parses an RFC 3339 timestamp as chrono's `parse_from_rfc3339` does, or returns `null`. */
export function parseTime(text: string): Time | null {
  const n = text.length;
  if (n < 19) return fail("premature end of input");
  const y = digits(text, 0, 4);
  if (y < 0 || text.charCodeAt(4) != 0x2d) return fail("input contains invalid characters");
  const month = digits(text, 5, 2);
  if (month < 0 || text.charCodeAt(7) != 0x2d) return fail("input contains invalid characters");
  const day = digits(text, 8, 2);
  if (day < 0) return fail("input contains invalid characters");
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(y, month)) {
    return fail("input is out of range");
  }
  const t = text.charCodeAt(10);
  if (t != 0x54 && t != 0x74 && t != 0x20) return fail("input contains invalid characters");
  const hour = digits(text, 11, 2);
  if (hour < 0 || text.charCodeAt(13) != 0x3a) return fail("input contains invalid characters");
  const minute = digits(text, 14, 2);
  if (minute < 0 || text.charCodeAt(16) != 0x3a) return fail("input contains invalid characters");
  let second = digits(text, 17, 2);
  if (second < 0) return fail("input contains invalid characters");
  let nanos: u32 = 0;
  if (second == 60) {
    second = 59;
    nanos = 1_000_000_000;
  }
  let at = 19;
  if (at < n && text.charCodeAt(at) == 0x2e) {
    at++;
    let count = 0;
    let fraction: u32 = 0;
    while (at < n) {
      const c = text.charCodeAt(at);
      if (c < 0x30 || c > 0x39) break;
      if (count < 9) fraction = fraction * 10 + <u32>(c - 0x30);
      count++;
      at++;
    }
    if (count == 0) return fail(at < n ? "input contains invalid characters" : "premature end of input");
    for (let i = count; i < 9; i++) fraction *= 10;
    nanos += fraction;
  }
  if (hour > 23 || minute > 59 || second > 59) return fail("input is out of range");
  if (at >= n) return fail("premature end of input");
  let offset = 0;
  const z = text.charCodeAt(at);
  if (z == 0x5a || z == 0x7a) {
    at++;
  } else {
    let negative = false;
    if (z == 0x2b) at++;
    else if (z == 0x2d) {
      negative = true;
      at++;
    } else if (z == 0x2212) {
      negative = true;
      at++;
    } else return fail("input contains invalid characters");
    if (at + 2 > n) return fail("premature end of input");
    const oh = digits(text, at, 2);
    if (oh < 0) return fail("input contains invalid characters");
    at += 2;
    if (at >= n) return fail("premature end of input");
    if (text.charCodeAt(at) != 0x3a) return fail("input contains invalid characters");
    at++;
    if (at + 2 > n) return fail("premature end of input");
    const om = digits(text, at, 2);
    if (om < 0 || om > 59) return fail("input contains invalid characters");
    at += 2;
    offset = oh * 3600 + om * 60;
    if (negative) offset = -offset;
  }
  if (at < n) return fail("trailing input");
  if (offset <= -86_400 || offset >= 86_400) return fail("input is out of range");
  const local = daysFromCivil(y, month, day) * 86_400 + <i64>(hour * 3600 + minute * 60 + second);
  return new Time(local - <i64>offset, nanos, offset);
}

function fail(message: string): Time | null {
  lastError = message;
  return null;
}

/** The value of `count` ASCII digits at `at`, or -1. */
function digits(text: string, at: i32, count: i32): i32 {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const c = text.charCodeAt(at + i);
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

function isLeap(y: i32): bool {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

function daysInMonth(y: i32, month: i32): i32 {
  if (month == 2) return isLeap(y) ? 29 : 28;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

function floorDiv(a: i64, b: i64): i64 {
  const q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

function floorMod(a: i64, b: i64): i64 {
  return a - floorDiv(a, b) * b;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(y: i32, m: i32, d: i32): i64 {
  let year = <i64>y - (m <= 2 ? 1 : 0);
  const era = floorDiv(year, 400);
  const yoe = year - era * 400;
  const mp = <i64>((m + 9) % 12);
  const doy = (153 * mp + 2) / 5 + <i64>d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number since 1970-01-01. */
function civil(days: i64): i32[] {
  const z = days + 719468;
  const era = floorDiv(z, 146097);
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = <i32>(doy - (153 * mp + 2) / 5 + 1);
  const m = <i32>(mp < 10 ? mp + 3 : mp - 9);
  const y = <i32>(yoe + era * 400) + (m <= 2 ? 1 : 0);
  return [y, m, d];
}

function two(value: i32): string {
  return value < 10 ? "0" + value.toString() : value.toString();
}

function pad(value: u32, width: i32): string {
  const text = value.toString();
  return "0".repeat(max(0, width - text.length)) + text;
}

function year(value: i32): string {
  if (value >= 0 && value <= 9999) return pad(<u32>value, 4);
  const text = abs(value).toString();
  return (value < 0 ? "-" : "+") + "0".repeat(max(0, 4 - text.length)) + text;
}

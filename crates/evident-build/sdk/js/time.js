// Event times: RFC 3339 text (how `time` crosses the boundary one event at a time) and Unix
// seconds, nanoseconds and a UTC offset (how it sits in a frame), within the range the Rust SDK
// accepts (years -262143 to 262142, offsets under a day).

/** The earliest and latest Unix second a time may have (chrono's range). */
export const MIN_SECONDS = -8334601228800;
export const MAX_SECONDS = 8210266876799;

const RFC3339 =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$/;

/**
 * An instant with the precision and offset it was written with: `seconds` since the Unix epoch,
 * `nanos` (0 to 999,999,999; up to 1,999,999,999 in a leap second), `offset` in seconds east
 * of UTC.
 */
export class Timestamp {
  constructor(seconds, nanos = 0, offset = 0) {
    this.seconds = seconds;
    this.nanos = nanos;
    this.offset = offset;
  }

  /** Whether the Rust SDK could represent it (a real instant, an offset under a day). */
  isValid() {
    return (
      Number.isInteger(this.seconds) &&
      this.seconds >= MIN_SECONDS &&
      this.seconds <= MAX_SECONDS &&
      Number.isInteger(this.nanos) &&
      this.nanos >= 0 &&
      (this.nanos < 1e9 || (this.nanos < 2e9 && mod(this.seconds, 60) === 59)) &&
      Number.isInteger(this.offset) &&
      this.offset > -86400 &&
      this.offset < 86400
    );
  }

  /** The instant as a Date (to the millisecond). */
  toDate() {
    return new Date(this.seconds * 1000 + Math.floor(this.nanos / 1e6));
  }

  /** RFC 3339 text as the Rust SDK writes it: 0, 3, 6 or 9 fraction digits; `Z` for UTC. */
  toString() {
    const local = new Date((this.seconds + this.offset) * 1000);
    let second = local.getUTCSeconds();
    let nanos = this.nanos;
    if (nanos >= 1e9) {
      second = 60; // a leap second
      nanos -= 1e9;
    }
    const year = local.getUTCFullYear();
    const yearText =
      year >= 0 && year <= 9999 ? pad(year, 4) : (year < 0 ? '-' : '+') + pad(Math.abs(year), 4);
    let text =
      `${yearText}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}` +
      `T${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(second, 2)}`;
    if (nanos !== 0) {
      const digits = pad(nanos, 9);
      text += '.' + (nanos % 1e6 === 0 ? digits.slice(0, 3) : nanos % 1e3 === 0 ? digits.slice(0, 6) : digits);
    }
    if (this.offset === 0) {
      return text + 'Z';
    }
    const east = Math.abs(this.offset);
    return `${text}${this.offset < 0 ? '-' : '+'}${pad(Math.floor(east / 3600), 2)}:${pad(Math.floor((east % 3600) / 60), 2)}`;
  }

  /** The time of a Date, in UTC. */
  static fromDate(date) {
    const ms = date.getTime();
    if (Number.isNaN(ms)) {
      throw new RangeError('the Date is invalid');
    }
    const seconds = Math.floor(ms / 1000);
    return new Timestamp(seconds, (ms - seconds * 1000) * 1e6, 0);
  }

  /** Parses RFC 3339 text (`2026-01-01T00:00:10Z`, `...10.5+05:30`); throws a RangeError. */
  static parse(text) {
    const match = RFC3339.exec(text);
    if (match === null) {
      throw new RangeError(`${JSON.stringify(text)} is not an RFC 3339 timestamp`);
    }
    const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    let second = Number(s);
    const offsetHours = zulu ? 0 : Number(oh);
    const offsetMinutes = zulu ? 0 : Number(om);
    const valid =
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysIn(year, month) &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 60 &&
      offsetHours <= 23 &&
      offsetMinutes <= 59;
    if (!valid) {
      throw new RangeError(`${JSON.stringify(text)} is not a valid date and time`);
    }
    let nanos = fraction ? Number(fraction.slice(0, 9).padEnd(9, '0')) : 0;
    if (second === 60) {
      second = 59; // a leap second, as chrono keeps it: the 59th second, 1e9 ns and more
      nanos += 1e9;
    }
    const offset = (sign === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
    const local = new Date(0);
    local.setUTCFullYear(year, month - 1, day);
    local.setUTCHours(hour, minute, second, 0);
    const timestamp = new Timestamp(local.getTime() / 1000 - offset, nanos, offset);
    if (!timestamp.isValid()) {
      throw new RangeError(`${JSON.stringify(text)} is out of range`);
    }
    return timestamp;
  }
}

function daysIn(year, month) {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
    month - 1
  ];
}

function pad(value, width) {
  return String(value).padStart(width, '0');
}

function mod(a, b) {
  return ((a % b) + b) % b;
}

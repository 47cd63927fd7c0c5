"""Event times as the frame carries them, `(unix seconds, nanoseconds, UTC offset seconds)`, and
their RFC 3339 text, with the ranges the Rust SDK (chrono) accepts."""

import re
from datetime import datetime, timedelta, timezone
from typing import Tuple

#: A frame's time: `(unix seconds, nanoseconds, UTC offset seconds)`.
Raw = Tuple[int, int, int]


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def civil_from_days(days: int) -> Tuple[int, int, int]:
    """The proleptic Gregorian `(year, month, day)` `days` after 1970-01-01."""
    days += 719468
    era = days // 146097
    day_of_era = days - era * 146097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    mp = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return year_of_era + era * 400 + (month <= 2), month, day


#: The earliest and latest Unix seconds chrono represents (years -262143 to 262142).
MIN_SECONDS = days_from_civil(-262143, 1, 1) * 86400
MAX_SECONDS = days_from_civil(262142, 12, 31) * 86400 + 86399


def is_valid(seconds: int, nanos: int, offset: int) -> bool:
    """Whether a frame's time is one the Rust SDK accepts: within chrono's years, nanoseconds
    below a second (or below two in a leap second, the last of a minute), and an offset of less
    than a day."""
    if not (MIN_SECONDS <= seconds <= MAX_SECONDS and -86400 < offset < 86400):
        return False
    return nanos < 1_000_000_000 or (nanos < 2_000_000_000 and seconds % 60 == 59)


_ZONES: dict[int, timezone] = {}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _zone(offset: int) -> timezone:
    zone = _ZONES.get(offset)
    if zone is None:
        zone = timezone.utc if offset == 0 else timezone(timedelta(seconds=offset))
        _ZONES[offset] = zone
    return zone


def to_datetime(raw: Raw) -> datetime:
    """A frame's time as an aware `datetime` in its own offset (to the microsecond; a leap
    second is its last microsecond). Years outside 1 to 9999 raise `ValueError`."""
    seconds, nanos, offset = raw
    micros = min(nanos // 1000, 999_999)
    try:
        utc = _EPOCH + timedelta(seconds=seconds, microseconds=micros)
        return utc.astimezone(_zone(offset))
    except OverflowError:
        raise ValueError(
            f"{format_raw(raw)} is outside the years Python's datetime holds (1 to 9999)"
        ) from None


def from_datetime(time: datetime) -> Raw:
    """An aware `datetime` as `(unix seconds, nanoseconds, offset seconds)`."""
    offset = time.utcoffset()
    if offset is None:
        raise ValueError("the time has no UTC offset (use an aware datetime, e.g. tzinfo=timezone.utc)")
    micros = (time - _EPOCH) // timedelta(microseconds=1)
    seconds, micros = divmod(micros, 1_000_000)
    return seconds, micros * 1000, int(offset.total_seconds())


def unix_nanos(raw: Raw) -> int:
    """Nanoseconds since the Unix epoch."""
    return raw[0] * 1_000_000_000 + raw[1]


def format_raw(raw: Raw) -> str:
    """RFC 3339 text as the Rust SDK writes it: fraction digits 0, 3, 6 or 9 as needed, `Z` for
    UTC, the offset to the minute."""
    seconds, nanos, offset = raw
    local = seconds + offset
    days, second_of_day = divmod(local, 86400)
    year, month, day = civil_from_days(days)
    hour, rest = divmod(second_of_day, 3600)
    minute, second = divmod(rest, 60)
    if nanos >= 1_000_000_000:
        second += 1
        nanos -= 1_000_000_000
    if nanos == 0:
        fraction = ""
    elif nanos % 1_000_000 == 0:
        fraction = ".%03d" % (nanos // 1_000_000)
    elif nanos % 1000 == 0:
        fraction = ".%06d" % (nanos // 1000)
    else:
        fraction = ".%09d" % nanos
    year_text = "%04d" % year if 0 <= year <= 9999 else "%+05d" % year
    if offset == 0:
        zone = "Z"
    else:
        minutes = (abs(offset) + 30) // 60
        zone = "%s%02d:%02d" % ("-" if offset < 0 else "+", minutes // 60, minutes % 60)
    return "%s-%02d-%02dT%02d:%02d:%02d%s%s" % (year_text, month, day, hour, minute, second, fraction, zone)


_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))\Z"
)
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def parse_rfc3339(text: str) -> Raw:
    """RFC 3339 text as `(unix seconds, nanoseconds, offset seconds)`; `ValueError` if it is
    not one (a second of 60 is a leap second, nanoseconds past a billion)."""
    match = _RFC3339.match(text)
    if match is None:
        raise ValueError("not in the form YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM)")
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    leap_year = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12:
        raise ValueError("the month is out of range")
    if not 1 <= day <= (_MONTH_DAYS[month - 1] if month != 2 or leap_year else 28):
        raise ValueError("the day is out of range")
    if hour > 23 or minute > 59 or second > 60:
        raise ValueError("the time of day is out of range")
    fraction = match.group(7) or ""
    nanos = int((fraction + "000000000")[:9])
    if second == 60:
        second, nanos = 59, nanos + 1_000_000_000
    if match.group(8):
        offset = 0
    else:
        offset_hours, offset_minutes = int(match.group(10)), int(match.group(11))
        if offset_hours > 23 or offset_minutes > 59:
            raise ValueError("the UTC offset is out of range")
        offset = (offset_hours * 3600 + offset_minutes * 60) * (-1 if match.group(9) == "-" else 1)
    local = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    return local - offset, nanos, offset

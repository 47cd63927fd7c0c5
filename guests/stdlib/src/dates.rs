//! Calendar dates and instants (`evident:stdlib/dates`): ISO 8601 dates and RFC 3339
//! date-times to days and seconds since 1970-01-01 (proleptic Gregorian calendar, UTC), and
//! the weekday and month of a day.

/// Seconds in a day (leap seconds are not counted, as in Unix time).
const SECONDS_PER_DAY: i64 = 86_400;

/// Why a date or a date-time could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not {expected}: {reason}")]
pub struct DateError {
    /// The text given.
    pub text: String,
    /// What was expected.
    pub expected: &'static str,
    /// What is wrong with it.
    pub reason: &'static str,
}

const DATE: &str = "an ISO 8601 date such as \"2026-12-07\"";
const DATE_TIME: &str = "an RFC 3339 date-time such as \"2026-12-07T10:30:00Z\"";

/// Days since 1970-01-01 of `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<i32, DateError> {
    let error = |reason| DateError {
        text: text.to_owned(),
        expected: DATE,
        reason,
    };
    if text.len() != 10 {
        return Err(error("a date is 10 characters, YYYY-MM-DD"));
    }
    calendar_date(text.as_bytes()).map_err(error)
}

/// Seconds since 1970-01-01T00:00:00Z of an RFC 3339 date-time (`T`, `t` or a space between
/// date and time; `Z`, `z` or `±HH:MM` offset); a fraction of a second is dropped.
pub fn parse_date_time(text: &str) -> Result<i64, DateError> {
    let error = |reason| DateError {
        text: text.to_owned(),
        expected: DATE_TIME,
        reason,
    };
    let bytes = text.as_bytes();
    if bytes.len() < 20 {
        return Err(error("too short for YYYY-MM-DDTHH:MM:SSZ"));
    }
    let day = calendar_date(&bytes[..10]).map_err(error)?;
    if !matches!(bytes[10], b'T' | b't' | b' ') {
        return Err(error("the date and the time are not separated by 'T'"));
    }
    let time = &bytes[11..];
    if time[2] != b':' || time[5] != b':' {
        return Err(error("the time is not HH:MM:SS"));
    }
    let hour = number(&time[0..2]).ok_or_else(|| error("the hour is not two digits"))?;
    let minute = number(&time[3..5]).ok_or_else(|| error("the minute is not two digits"))?;
    let second = number(&time[6..8]).ok_or_else(|| error("the second is not two digits"))?;
    // 60 is a leap second, which Unix time folds into the next one.
    if hour > 23 || minute > 59 || second > 60 {
        return Err(error("the time of day is out of range"));
    }
    let mut rest = &time[8..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return Err(error("a '.' must be followed by digits"));
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = number(&[*h1, *h2]).filter(|h| *h <= 23);
            let minutes = number(&[*m1, *m2]).filter(|m| *m <= 59);
            let (Some(hours), Some(minutes)) = (hours, minutes) else {
                return Err(error("the offset is not ±HH:MM"));
            };
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return Err(error("the offset is not 'Z' or ±HH:MM")),
    };
    Ok(i64::from(day) * SECONDS_PER_DAY + i64::from(hour * 3600 + minute * 60 + second) - offset)
}

/// The day (since 1970-01-01, UTC) an instant falls on; instants beyond the days an `i32`
/// counts are clamped to its first or last day.
pub fn epoch_day(seconds: i64) -> i32 {
    let day = seconds.div_euclid(SECONDS_PER_DAY);
    i32::try_from(day).unwrap_or(if day < 0 { i32::MIN } else { i32::MAX })
}

/// The ISO 8601 weekday of a day: 1 for Monday to 7 for Sunday (1970-01-01 was a Thursday).
pub fn day_of_week(epoch_day: i32) -> u8 {
    // rem_euclid(7) is 0..=6.
    (i64::from(epoch_day) + 3).rem_euclid(7) as u8 + 1
}

/// The month a day is in, `2026-12`.
pub fn month_of(epoch_day: i32) -> String {
    let (year, month, _) = civil_from_days(i64::from(epoch_day));
    format!("{year:04}-{month:02}")
}

/// A day as `2026-12-07`.
pub fn format_date(epoch_day: i32) -> String {
    let (year, month, day) = civil_from_days(i64::from(epoch_day));
    format!("{year:04}-{month:02}-{day:02}")
}

/// `YYYY-MM-DD` (ten bytes) as days since 1970-01-01, the day checked against its month.
fn calendar_date(bytes: &[u8]) -> Result<i32, &'static str> {
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return Err("the date is not YYYY-MM-DD");
    }
    let year = number(&bytes[0..4]).ok_or("the year is not four digits")?;
    let month = number(&bytes[5..7]).ok_or("the month is not two digits")?;
    let day = number(&bytes[8..10]).ok_or("the day is not two digits")?;
    if !(1..=12).contains(&month) {
        return Err("the month is not 01 to 12");
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err("the month has no such day");
    }
    // Years 0000-9999 are within ±3 million days: an i32 holds them.
    Ok(days_from_civil(i64::from(year), month, day) as i32)
}

/// ASCII digits as a number; `None` if any byte is not a digit.
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |value, digit| {
        digit
            .is_ascii_digit()
            .then(|| value * 10 + u32::from(digit - b'0'))
    })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = i64::from((month + 9) % 12); // March is 0
    let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day since 1970-01-01 (Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March is 0
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_days_since_the_epoch() {
        assert_eq!(parse_date("1970-01-01"), Ok(0));
        assert_eq!(parse_date("1969-12-31"), Ok(-1));
        assert_eq!(parse_date("2000-03-01"), Ok(11_017));
        assert_eq!(parse_date("2026-12-07"), Ok(20_794));
        assert_eq!(parse_date("0000-01-01"), Ok(-719_528));
        for day in [-719_528, -1, 0, 59, 11_016, 20_794, 2_932_896] {
            assert_eq!(parse_date(&format_date(day)), Ok(day), "day {day}");
        }
    }

    #[test]
    fn refuses_dates_that_do_not_exist() {
        assert_eq!(parse_date("2024-02-29"), Ok(19_782));
        for text in [
            "2026-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-12-00",
            "2026-1-07",
            "2026/12/07",
            "26-12-07",
            "2026-12-07T",
            "２０２６-12-07",
        ] {
            assert!(parse_date(text).is_err(), "{text}");
        }
        assert_eq!(
            parse_date("2026-02-29").unwrap_err().to_string(),
            "\"2026-02-29\" is not an ISO 8601 date such as \"2026-12-07\": the month has no such day"
        );
    }

    #[test]
    fn date_times_are_seconds_since_the_epoch_in_utc() {
        assert_eq!(parse_date_time("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_date_time("2026-12-07T10:30:00Z"), Ok(1_796_639_400));
        assert_eq!(
            parse_date_time("2026-12-07T11:30:00+01:00"),
            Ok(1_796_639_400)
        );
        assert_eq!(
            parse_date_time("2026-12-07T05:00:00-05:30"),
            Ok(1_796_639_400)
        );
        assert_eq!(
            parse_date_time("2026-12-07t10:30:00.999z"),
            Ok(1_796_639_400)
        );
        assert_eq!(
            parse_date_time("2026-12-07 10:30:00.5+00:00"),
            Ok(1_796_639_400)
        );
        assert_eq!(parse_date_time("1969-12-31T23:59:59Z"), Ok(-1));
        for text in [
            "2026-12-07",
            "2026-12-07T10:30Z",
            "2026-12-07T24:00:00Z",
            "2026-12-07T10:60:00Z",
            "2026-12-07T10:30:00",
            "2026-12-07T10:30:00.Z",
            "2026-12-07T10:30:00+1:00",
            "2026-12-07T10:30:00+01:00 ",
            "2026-12-07X10:30:00Z",
        ] {
            assert!(parse_date_time(text).is_err(), "{text}");
        }
    }

    #[test]
    fn buckets_by_day_weekday_and_month() {
        let instant = parse_date_time("2026-12-07T23:30:00-02:00").unwrap();
        let day = epoch_day(instant);
        assert_eq!(format_date(day), "2026-12-08", "the UTC day");
        assert_eq!(epoch_day(-1), -1);
        assert_eq!(epoch_day(i64::MAX), i32::MAX);
        assert_eq!(day_of_week(0), 4, "1970-01-01 was a Thursday");
        assert_eq!(day_of_week(parse_date("2026-12-07").unwrap()), 1);
        assert_eq!(day_of_week(parse_date("2026-12-13").unwrap()), 7);
        assert_eq!(day_of_week(-1), 3);
        assert_eq!(day_of_week(i32::MIN), day_of_week(i32::MIN + 7));
        assert_eq!(month_of(parse_date("2024-02-29").unwrap()), "2024-02");
        assert_eq!(month_of(parse_date("2026-12-31").unwrap()), "2026-12");
        assert_eq!(month_of(parse_date("2027-01-01").unwrap()), "2027-01");
    }
}

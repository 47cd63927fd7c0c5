/* Event times: RFC 3339 read as chrono reads it and written as the host writes it. */
#include "evident_internal.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t yoe = year - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t days, int64_t *year, int *month, int *day) {
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool ev__time_in_range(int64_t seconds, uint32_t nanos, int32_t offset_seconds) {
    /* chrono: dates from -262143-01-01 to 262142-12-31; 2e9 nanoseconds only in a leap
     * second (the 59th second of a minute); offsets under a day. */
    static const int64_t min_days = -96465292; /* days_from_civil(-262143, 1, 1) */
    static const int64_t max_days = 95026236;  /* days_from_civil(262142, 12, 31) */
    if (offset_seconds <= -86400 || offset_seconds >= 86400) return false;
    int64_t days = floor_div(seconds, 86400);
    int64_t second_of_day = seconds - days * 86400;
    if (days < min_days || days > max_days) return false;
    if (nanos >= 2000000000u) return false;
    if (nanos >= 1000000000u && second_of_day % 60 != 59) return false;
    return true;
}

static bool digits(ev_str text, size_t *at, size_t count, int *out) {
    int value = 0;
    for (size_t i = 0; i < count; i++) {
        if (*at >= text.len) return false;
        char c = text.ptr[*at];
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
        (*at)++;
    }
    *out = value;
    return true;
}

/* The chrono error for a missing or wrong character at `at`. */
static const char *bad_input(ev_str text, size_t at) {
    return at >= text.len ? "premature end of input" : "input contains invalid characters";
}

static bool expect(ev_str text, size_t *at, char c) {
    if (*at < text.len && text.ptr[*at] == c) {
        (*at)++;
        return true;
    }
    return false;
}

const char *ev__parse_time(ev_str text, ev_time *out) {
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t at = 0;
    int year, month, day, hour, minute, second;
    if (!digits(text, &at, 4, &year) || !expect(text, &at, '-') ||
        !digits(text, &at, 2, &month) || !expect(text, &at, '-') || !digits(text, &at, 2, &day)) {
        return bad_input(text, at);
    }
    if (at >= text.len) return "premature end of input";
    char t = text.ptr[at];
    if (t != 'T' && t != 't' && t != ' ') return "input contains invalid characters";
    at++;
    if (!digits(text, &at, 2, &hour) || !expect(text, &at, ':') ||
        !digits(text, &at, 2, &minute) || !expect(text, &at, ':') ||
        !digits(text, &at, 2, &second)) {
        return bad_input(text, at);
    }
    uint32_t nanos = 0;
    if (at < text.len && text.ptr[at] == '.') {
        at++;
        size_t count = 0;
        uint32_t scale = 100000000;
        while (at < text.len && text.ptr[at] >= '0' && text.ptr[at] <= '9') {
            if (count < 9) nanos += (uint32_t)(text.ptr[at] - '0') * scale, scale /= 10;
            count++, at++;
        }
        if (count == 0) return bad_input(text, at);
    }
    if (at >= text.len) return "premature end of input";
    int offset = 0;
    char z = text.ptr[at];
    if (z == 'Z' || z == 'z') {
        at++;
    } else if (z == '+' || z == '-') {
        at++;
        int offset_hours, offset_minutes;
        if (!digits(text, &at, 2, &offset_hours) || !expect(text, &at, ':') ||
            !digits(text, &at, 2, &offset_minutes)) {
            return bad_input(text, at);
        }
        if (offset_minutes >= 60 || offset_hours >= 24) return "input is out of range";
        offset = (offset_hours * 60 + offset_minutes) * 60 * (z == '-' ? -1 : 1);
    } else {
        return "input contains invalid characters";
    }
    if (at != text.len) return "trailing input";
    if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1] || hour > 23 ||
        minute > 59 || second > 60) {
        return "input is out of range";
    }
    bool leap_year = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month == 2 && day == 29 && !leap_year) return "input is out of range";
    if (second == 60) {
        second = 59;
        nanos += 1000000000u;
    }
    int64_t local = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    out->present = true;
    out->seconds = local - offset;
    out->nanos = nanos;
    out->offset_seconds = offset;
    return NULL;
}

static void two_digits(ev_buf *buf, int value) {
    ev_buf_char(buf, (char)('0' + value / 10));
    ev_buf_char(buf, (char)('0' + value % 10));
}

void ev_time_format(ev_buf *buf, ev_time time) {
    int64_t local = time.seconds + time.offset_seconds;
    int64_t days = floor_div(local, 86400);
    int64_t second_of_day = local - days * 86400;
    int64_t year;
    int month, day;
    civil_from_days(days, &year, &month, &day);
    if (year >= 0 && year <= 9999) {
        two_digits(buf, (int)(year / 100));
        two_digits(buf, (int)(year % 100));
    } else {
        /* chrono writes other years with a sign and at least four digits. */
        ev_buf_char(buf, year < 0 ? '-' : '+');
        uint64_t magnitude = year < 0 ? (uint64_t)-year : (uint64_t)year;
        for (uint64_t scale = 1000; scale > 1 && magnitude < scale; scale /= 10) ev_buf_char(buf, '0');
        ev_buf_u64(buf, magnitude);
    }
    ev_buf_char(buf, '-');
    two_digits(buf, month);
    ev_buf_char(buf, '-');
    two_digits(buf, day);
    ev_buf_char(buf, 'T');
    uint32_t nanos = time.nanos;
    int second = (int)(second_of_day % 60);
    if (nanos >= 1000000000u) { /* a leap second */
        nanos -= 1000000000u;
        second += 1;
    }
    two_digits(buf, (int)(second_of_day / 3600));
    ev_buf_char(buf, ':');
    two_digits(buf, (int)(second_of_day / 60 % 60));
    ev_buf_char(buf, ':');
    two_digits(buf, second);
    /* chrono's SecondsFormat::AutoSi: 0, 3, 6 or 9 digits, as few as show the value. */
    if (nanos) {
        int shown = nanos % 1000000 == 0 ? 3 : nanos % 1000 == 0 ? 6 : 9;
        char fraction[10];
        uint32_t rest = nanos;
        for (int i = 8; i >= 0; i--) fraction[i] = (char)('0' + rest % 10), rest /= 10;
        ev_buf_char(buf, '.');
        ev_buf_append(buf, fraction, (size_t)shown);
    }
    if (time.offset_seconds == 0) {
        ev_buf_char(buf, 'Z');
    } else {
        int offset = time.offset_seconds;
        ev_buf_char(buf, offset < 0 ? '-' : '+');
        if (offset < 0) offset = -offset;
        two_digits(buf, offset / 3600);
        ev_buf_char(buf, ':');
        two_digits(buf, offset / 60 % 60);
    }
}

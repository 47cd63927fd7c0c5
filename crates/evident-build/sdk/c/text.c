/* Strings, buffers, formatting, errors, logging, parameters and scratch memory. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "evident_internal.h"

/* ---- Allocation ---- */

void *ev__alloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) __builtin_trap();
    return p;
}

void *ev__zalloc(size_t size) {
    void *p = calloc(1, size ? size : 1);
    if (!p) __builtin_trap();
    return p;
}

void *ev__realloc(void *old, size_t size) {
    void *p = realloc(old, size ? size : 1);
    if (!p) __builtin_trap();
    return p;
}

char *ev__dup(const void *bytes, size_t len) {
    char *copy = ev__alloc(len + 1);
    if (len) memcpy(copy, bytes, len);
    copy[len] = 0;
    return copy;
}

/* ---- Scratch memory: chunks freed together ---- */

typedef struct ev__chunk {
    struct ev__chunk *next;
    size_t size;
    size_t used;
    _Alignas(16) uint8_t data[];
} ev__chunk;

#define EV__CHUNK_SIZE (64 * 1024)

static ev__chunk *scratch;

void *ev_scratch_alloc(size_t size) {
    size = (size + 15) & ~(size_t)15;
    if (!scratch || scratch->size - scratch->used < size) {
        size_t capacity = size > EV__CHUNK_SIZE ? size : EV__CHUNK_SIZE;
        ev__chunk *chunk = ev__alloc(sizeof(ev__chunk) + capacity);
        chunk->size = capacity;
        chunk->used = 0;
        chunk->next = scratch;
        scratch = chunk;
    }
    void *p = scratch->data + scratch->used;
    scratch->used += size;
    return p;
}

void ev__scratch_reset(void) {
    /* Keep one chunk of the usual size, so a fold does not allocate one per event. */
    ev__chunk *keep = NULL;
    while (scratch) {
        ev__chunk *next = scratch->next;
        if (!keep && scratch->size == EV__CHUNK_SIZE) {
            keep = scratch;
            keep->used = 0;
            keep->next = NULL;
        } else {
            free(scratch);
        }
        scratch = next;
    }
    scratch = keep;
}

/* ---- Slices ---- */

ev_str ev_cstr(const char *text) {
    ev_str s = {text, text ? strlen(text) : 0};
    return s;
}

bool ev_str_eq(ev_str a, ev_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool ev_str_eq_c(ev_str a, const char *b) { return ev_str_eq(a, ev_cstr(b)); }

bool ev_str_starts_with(ev_str s, ev_str prefix) {
    return s.len >= prefix.len && (prefix.len == 0 || memcmp(s.ptr, prefix.ptr, prefix.len) == 0);
}

int ev_str_cmp(ev_str a, ev_str b) {
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.ptr, b.ptr, n) : 0;
    if (c) return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

char *ev_str_dup(ev_str s) { return ev__dup(s.ptr, s.len); }

bool ev_utf8_valid(const void *bytes, size_t len) {
    const uint8_t *s = bytes;
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t min, cp;
        if ((c & 0xe0) == 0xc0) {
            n = 1, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i <= n) return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += n + 1;
    }
    return true;
}

/* ---- Buffers ---- */

void ev_buf_append(ev_buf *buf, const void *bytes, size_t len) {
    if (buf->cap - buf->len < len + 1) {
        size_t cap = buf->cap ? buf->cap * 2 : 64;
        while (cap - buf->len < len + 1) cap *= 2;
        buf->data = ev__realloc(buf->data, cap);
        buf->cap = cap;
    }
    if (len) memcpy(buf->data + buf->len, bytes, len);
    buf->len += len;
}

void ev_buf_str(ev_buf *buf, ev_str s) { ev_buf_append(buf, s.ptr, s.len); }
void ev_buf_cstr(ev_buf *buf, const char *text) { ev_buf_append(buf, text, strlen(text)); }
void ev_buf_char(ev_buf *buf, char c) { ev_buf_append(buf, &c, 1); }

void ev_buf_u64(ev_buf *buf, uint64_t value) {
    char digits[20];
    size_t n = 0;
    do {
        digits[sizeof digits - ++n] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    ev_buf_append(buf, digits + sizeof digits - n, n);
}

void ev_buf_i64(ev_buf *buf, int64_t value) {
    if (value < 0) {
        ev_buf_char(buf, '-');
        ev_buf_u64(buf, (uint64_t)0 - (uint64_t)value);
    } else {
        ev_buf_u64(buf, (uint64_t)value);
    }
}

static void buf_hex(ev_buf *buf, uint64_t value) {
    char digits[16];
    size_t n = 0;
    do {
        digits[sizeof digits - ++n] = "0123456789abcdef"[value & 15];
        value >>= 4;
    } while (value);
    ev_buf_append(buf, digits + sizeof digits - n, n);
}

/* Decodes the UTF-8 sequence at s[*i] (advancing *i); invalid bytes come back as themselves
 * with *bad set. */
static uint32_t next_code_point(const uint8_t *s, size_t len, size_t *i, bool *bad) {
    uint8_t c = s[*i];
    *bad = false;
    size_t n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : 3;
    if (n == 0 || len - *i <= n || !ev_utf8_valid(s + *i, n + 1)) {
        *bad = c >= 0x80;
        (*i)++;
        return c;
    }
    uint32_t cp = c & (0x7f >> (n + 1));
    for (size_t k = 1; k <= n; k++) cp = (cp << 6) | (s[*i + k] & 0x3f);
    *i += n + 1;
    return cp;
}

void ev_buf_quoted(ev_buf *buf, ev_str s) {
    const uint8_t *bytes = (const uint8_t *)s.ptr;
    ev_buf_char(buf, '"');
    size_t i = 0;
    while (i < s.len) {
        size_t start = i;
        bool bad;
        uint32_t cp = next_code_point(bytes, s.len, &i, &bad);
        if (bad) {
            ev_buf_append(buf, bytes + start, 1);
            continue;
        }
        switch (cp) {
        case 0: ev_buf_cstr(buf, "\\0"); continue;
        case '\t': ev_buf_cstr(buf, "\\t"); continue;
        case '\r': ev_buf_cstr(buf, "\\r"); continue;
        case '\n': ev_buf_cstr(buf, "\\n"); continue;
        case '\\': ev_buf_cstr(buf, "\\\\"); continue;
        case '"': ev_buf_cstr(buf, "\\\""); continue;
        }
        /* Control characters (C0, DEL, C1) are not printable: Rust writes \u{..}. */
        if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
            ev_buf_cstr(buf, "\\u{");
            buf_hex(buf, cp);
            ev_buf_char(buf, '}');
        } else {
            ev_buf_append(buf, bytes + start, i - start);
        }
    }
    ev_buf_char(buf, '"');
}

static void buf_vprintf(ev_buf *buf, const char *format, va_list args) {
    for (const char *p = format; *p; p++) {
        if (*p != '%') {
            const char *run = p;
            while (p[1] && p[1] != '%') p++;
            ev_buf_append(buf, run, (size_t)(p - run + 1));
            continue;
        }
        p++;
        int precision = -1;
        if (p[0] == '.' && p[1] == '*') {
            precision = va_arg(args, int);
            p += 2;
        }
        int longs = 0;
        bool size = false;
        while (*p == 'l') longs++, p++;
        if (*p == 'z') size = true, p++;
        switch (*p) {
        case '%': ev_buf_char(buf, '%'); break;
        case 'c': ev_buf_char(buf, (char)va_arg(args, int)); break;
        case 's': {
            const char *text = va_arg(args, const char *);
            if (!text) text = "(null)";
            size_t len = precision >= 0 ? strnlen(text, (size_t)precision) : strlen(text);
            ev_buf_append(buf, text, len);
            break;
        }
        case 'd':
        case 'i': {
            int64_t v = size ? (int64_t)va_arg(args, ptrdiff_t)
                        : longs >= 2 ? (int64_t)va_arg(args, long long)
                        : longs == 1 ? (int64_t)va_arg(args, long)
                                     : (int64_t)va_arg(args, int);
            ev_buf_i64(buf, v);
            break;
        }
        case 'u':
        case 'x': {
            uint64_t v = size ? (uint64_t)va_arg(args, size_t)
                         : longs >= 2 ? (uint64_t)va_arg(args, unsigned long long)
                         : longs == 1 ? (uint64_t)va_arg(args, unsigned long)
                                      : (uint64_t)va_arg(args, unsigned);
            if (*p == 'x') buf_hex(buf, v);
            else ev_buf_u64(buf, v);
            break;
        }
        case 0: return;
        default: ev_buf_char(buf, '%'), ev_buf_char(buf, *p); break;
        }
    }
}

void ev_buf_printf(ev_buf *buf, const char *format, ...) {
    va_list args;
    va_start(args, format);
    buf_vprintf(buf, format, args);
    va_end(args);
}

ev_str ev_buf_view(const ev_buf *buf) {
    ev_str s = {buf->data ? buf->data : "", buf->len};
    return s;
}

const char *ev_buf_cstring(ev_buf *buf) {
    ev_buf_append(buf, "", 0); /* makes room for the NUL */
    buf->data[buf->len] = 0;
    return buf->data;
}

void ev_buf_free(ev_buf *buf) {
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

/* ---- Errors ---- */

ev_error *ev_error_new(const char *code, const char *message) {
    ev_error *error = ev__zalloc(sizeof *error);
    error->code = code ? ev__dup(code, strlen(code)) : NULL;
    error->message = ev__dup(message ? message : "", message ? strlen(message) : 0);
    return error;
}

ev_error *ev_error_from_buf(const char *code, ev_buf *message) {
    ev_error *error = ev__zalloc(sizeof *error);
    error->code = code ? ev__dup(code, strlen(code)) : NULL;
    error->message = ev__dup(message->data ? message->data : "", message->len);
    ev_buf_free(message);
    return error;
}

ev_error *ev_errorf(const char *code, const char *format, ...) {
    ev_buf message = {0};
    va_list args;
    va_start(args, format);
    buf_vprintf(&message, format, args);
    va_end(args);
    return ev_error_from_buf(code, &message);
}

ev_error *ev_error_with_details(ev_error *error, const void *details, size_t len) {
    free(error->details);
    error->details = (uint8_t *)ev__dup(details, len);
    error->details_len = len;
    error->has_details = true;
    return error;
}

void ev_error_free(ev_error *error) {
    if (!error) return;
    free(error->code);
    free(error->message);
    free(error->details);
    free(error);
}

ev_error *ev__wrap_error(const char *code, const char *prefix, ev_error *inner) {
    ev_buf message = {0};
    ev_buf_cstr(&message, prefix);
    ev_buf_cstr(&message, inner->message);
    ev_error_free(inner);
    return ev_error_from_buf(code, &message);
}

/* ---- Logging ---- */

__attribute__((import_module("evident:db/logging@" EVIDENT_WIT_VERSION), import_name("log")))
extern void ev__import_log(uint32_t level, const char *message, size_t len);

void ev_log(ev_log_level level, ev_str message) {
    ev__import_log((uint32_t)level, message.ptr ? message.ptr : "", message.len);
}

void ev_logf(ev_log_level level, const char *format, ...) {
    ev_buf line = {0};
    va_list args;
    va_start(args, format);
    buf_vprintf(&line, format, args);
    va_end(args);
    ev_log(level, ev_buf_view(&line));
    ev_buf_free(&line);
}

/* ---- Parameters ---- */

ev_str ev_param(const ev_params *params, const char *name) {
    ev_str wanted = ev_cstr(name);
    for (size_t i = params->count; i-- > 0;) {
        if (ev_str_eq(params->pairs[i].name, wanted)) return params->pairs[i].value;
    }
    ev_str absent = {NULL, 0};
    return absent;
}

/* `parameter `name` is "raw": reason`, with code invalid-parameter, as Rust's Parameters::parse. */
static ev_error *bad_parameter(const char *name, ev_str raw, const char *reason) {
    ev_buf message = {0};
    ev_buf_printf(&message, "parameter `%s` is ", name);
    ev_buf_quoted(&message, raw);
    ev_buf_printf(&message, ": %s", reason);
    return ev_error_from_buf(EV_INVALID_PARAMETER, &message);
}

ev_error *ev_param_bool(const ev_params *params, const char *name, bool fallback, bool *out) {
    ev_str raw = ev_param(params, name);
    if (!raw.ptr) {
        *out = fallback;
    } else if (ev_str_eq_c(raw, "true")) {
        *out = true;
    } else if (ev_str_eq_c(raw, "false")) {
        *out = false;
    } else {
        return bad_parameter(name, raw, "provided string was not `true` or `false`");
    }
    return EV_OK;
}

/* Parses decimal digits as Rust's integer FromStr does: an optional sign, then digits. */
static const char *parse_integer(ev_str raw, bool is_signed, uint64_t limit_positive,
                                 uint64_t limit_negative, bool *negative, uint64_t *magnitude) {
    size_t i = 0;
    *negative = false;
    if (raw.len == 0) return "cannot parse integer from empty string";
    if (raw.ptr[0] == '+' || raw.ptr[0] == '-') {
        *negative = raw.ptr[0] == '-';
        i = 1;
        if (raw.len == 1 || (*negative && !is_signed)) return "invalid digit found in string";
    }
    uint64_t value = 0;
    uint64_t limit = *negative ? limit_negative : limit_positive;
    for (; i < raw.len; i++) {
        char c = raw.ptr[i];
        if (c < '0' || c > '9') return "invalid digit found in string";
        uint64_t digit = (uint64_t)(c - '0');
        if (value > limit / 10 || value * 10 > limit - digit) {
            return *negative ? "number too small to fit in target type"
                             : "number too large to fit in target type";
        }
        value = value * 10 + digit;
    }
    *magnitude = value;
    return NULL;
}

ev_error *ev_param_i64(const ev_params *params, const char *name, int64_t fallback, int64_t *out) {
    ev_str raw = ev_param(params, name);
    if (!raw.ptr) {
        *out = fallback;
        return EV_OK;
    }
    bool negative;
    uint64_t magnitude;
    const char *reason =
        parse_integer(raw, true, (uint64_t)INT64_MAX, (uint64_t)INT64_MAX + 1, &negative, &magnitude);
    if (reason) return bad_parameter(name, raw, reason);
    *out = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
    return EV_OK;
}

ev_error *ev_param_u64(const ev_params *params, const char *name, uint64_t fallback,
                       uint64_t *out) {
    ev_str raw = ev_param(params, name);
    if (!raw.ptr) {
        *out = fallback;
        return EV_OK;
    }
    bool negative;
    uint64_t magnitude;
    const char *reason = parse_integer(raw, false, UINT64_MAX, 0, &negative, &magnitude);
    if (reason) return bad_parameter(name, raw, reason);
    *out = magnitude;
    return EV_OK;
}

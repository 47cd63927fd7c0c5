/* JSON: a strict reader into lent values (the errors serde_json gives) and a compact writer
 * (the bytes serde_json writes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evident_internal.h"

/* ---- Reading ---- */

typedef struct parser {
    const uint8_t *text;
    size_t len;
    size_t at;
    int depth;
    ev_error *error;
} parser;

/* serde_json's recursion limit: the 128th nested array or object is refused. */
#define EV__MAX_DEPTH 128

/* Records `message` at `line L column C`: for an unexpected byte at `index`, its column; at
 * the end of the input, the column of the last byte (as serde_json counts them). */
static void fail_at(parser *p, const char *message, size_t index, bool at_byte) {
    if (p->error) return;
    if (at_byte) index++; /* serde_json counts the offending byte as read */
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < index && i < p->len; i++) {
        if (p->text[i] == '\n') line++, line_start = i + 1;
    }
    size_t column = index - line_start;
    p->error = ev_errorf(NULL, "%s at line %zu column %zu", message, line, column);
}

static void fail_here(parser *p, const char *message) {
    if (p->at >= p->len) fail_at(p, message, p->len, false);
    else fail_at(p, message, p->at, true);
}

static void skip_whitespace(parser *p) {
    while (p->at < p->len) {
        uint8_t c = p->text[p->at];
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r') break;
        p->at++;
    }
}

static ev_json *node(ev_json_kind kind) {
    ev_json *value = ev_scratch_alloc(sizeof *value);
    memset(value, 0, sizeof *value);
    value->kind = kind;
    return value;
}

static const ev_json *parse_value(parser *p);

static bool parse_ident(parser *p, const char *rest) {
    for (const char *c = rest; *c; c++) {
        if (p->at >= p->len) {
            fail_here(p, "EOF while parsing a value");
            return false;
        }
        if (p->text[p->at] != (uint8_t)*c) {
            fail_here(p, "expected ident");
            return false;
        }
        p->at++;
    }
    return true;
}

static int hex_digit(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Four hex digits after `\u`; as serde_json, fewer than four bytes left is the end of input,
 * and a bad digit is reported after all four. */
static bool hex_escape(parser *p, uint32_t *out) {
    if (p->len - p->at < 4) {
        p->at = p->len;
        fail_here(p, "EOF while parsing a string");
        return false;
    }
    uint32_t value = 0;
    bool valid = true;
    for (int i = 0; i < 4; i++) {
        int digit = hex_digit(p->text[p->at++]);
        if (digit < 0) valid = false;
        value = value * 16 + (uint32_t)(digit < 0 ? 0 : digit);
    }
    if (!valid) {
        fail_at(p, "invalid escape", p->at, false);
        return false;
    }
    *out = value;
    return true;
}

/* The length of the longest valid UTF-8 prefix (Rust's Utf8Error::valid_up_to). */
static size_t utf8_valid_up_to(const uint8_t *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = (s[i] & 0xe0) == 0xc0 ? 2 : (s[i] & 0xf0) == 0xe0 ? 3 : 4;
        if (len - i < n || !ev_utf8_valid(s + i, n)) return i;
        i += n;
    }
    return len;
}

static void put_utf8(ev_buf *out, uint32_t cp) {
    char bytes[4];
    size_t n;
    if (cp < 0x80) {
        bytes[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        bytes[0] = (char)(0xc0 | (cp >> 6)), bytes[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        bytes[0] = (char)(0xe0 | (cp >> 12)), bytes[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        bytes[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        bytes[0] = (char)(0xf0 | (cp >> 18)), bytes[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        bytes[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), bytes[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    ev_buf_append(out, bytes, n);
}

/* Parses a string after its opening quote into scratch memory (NUL-terminated). */
static bool parse_string(parser *p, ev_str *out) {
    size_t start = p->at;
    /* The common case, no escapes: the bytes are copied as they are (with a NUL after them). */
    while (p->at < p->len) {
        uint8_t c = p->text[p->at];
        if (c == '"' || c == '\\' || c < 0x20) break;
        p->at++;
    }
    if (p->at < p->len && p->text[p->at] == '"') {
        size_t len = p->at - start;
        size_t valid = utf8_valid_up_to(p->text + start, len);
        p->at++;
        if (valid != len) {
            fail_at(p, "invalid unicode code point", p->at - (len - valid), false);
            return false;
        }
        char *copy = ev_scratch_alloc(len + 1);
        memcpy(copy, p->text + start, len);
        copy[len] = 0;
        out->ptr = copy;
        out->len = len;
        return true;
    }
    ev_buf text = {0};
    ev_buf_append(&text, p->text + start, p->at - start);
    for (;;) {
        if (p->at >= p->len) {
            fail_here(p, "EOF while parsing a string");
            goto failed;
        }
        uint8_t c = p->text[p->at];
        if (c == '"') {
            p->at++;
            break;
        }
        if (c < 0x20) {
            fail_here(p, "control character (\\u0000-\\u001F) found while parsing a string");
            goto failed;
        }
        if (c != '\\') {
            ev_buf_append(&text, &c, 1);
            p->at++;
            continue;
        }
        p->at++;
        if (p->at >= p->len) {
            fail_here(p, "EOF while parsing a string");
            goto failed;
        }
        uint8_t e = p->text[p->at++];
        switch (e) {
        case '"': ev_buf_char(&text, '"'); break;
        case '\\': ev_buf_char(&text, '\\'); break;
        case '/': ev_buf_char(&text, '/'); break;
        case 'b': ev_buf_char(&text, '\b'); break;
        case 'f': ev_buf_char(&text, '\f'); break;
        case 'n': ev_buf_char(&text, '\n'); break;
        case 'r': ev_buf_char(&text, '\r'); break;
        case 't': ev_buf_char(&text, '\t'); break;
        case 'u': {
            uint32_t cp;
            if (!hex_escape(p, &cp)) goto failed;
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                fail_at(p, "lone leading surrogate in hex escape", p->at, false);
                goto failed;
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                for (const char *expected = "\\u"; *expected; expected++) {
                    if (p->at >= p->len) {
                        fail_here(p, "EOF while parsing a string");
                        goto failed;
                    }
                    if (p->text[p->at++] != (uint8_t)*expected) {
                        fail_at(p, "unexpected end of hex escape", p->at, false);
                        goto failed;
                    }
                }
                uint32_t low;
                if (!hex_escape(p, &low)) goto failed;
                if (low < 0xdc00 || low > 0xdfff) {
                    fail_at(p, "lone leading surrogate in hex escape", p->at, false);
                    goto failed;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
            }
            put_utf8(&text, cp);
            break;
        }
        default:
            fail_at(p, "invalid escape", p->at - 1, true);
            goto failed;
        }
    }
    size_t valid = utf8_valid_up_to((const uint8_t *)text.data, text.len);
    if (valid != text.len) {
        /* serde_json points back from the closing quote by the invalid part's length. */
        size_t back = text.len - valid;
        fail_at(p, "invalid unicode code point", p->at > back ? p->at - back : 0, false);
        goto failed;
    }
    char *copy = ev_scratch_alloc(text.len + 1);
    if (text.len) memcpy(copy, text.data, text.len);
    copy[text.len] = 0;
    out->ptr = copy;
    out->len = text.len;
    ev_buf_free(&text);
    return true;
failed:
    ev_buf_free(&text);
    return false;
}

static bool is_digit(parser *p) {
    return p->at < p->len && p->text[p->at] >= '0' && p->text[p->at] <= '9';
}

static const ev_json *parse_number(parser *p) {
    size_t start = p->at;
    bool negative = false;
    if (p->text[p->at] == '-') {
        negative = true;
        p->at++;
    }
    if (p->at >= p->len) {
        fail_here(p, "EOF while parsing a value");
        return NULL;
    }
    if (!is_digit(p)) {
        fail_here(p, "invalid number");
        return NULL;
    }
    bool overflow = false;
    uint64_t significand = 0;
    if (p->text[p->at] == '0') {
        p->at++;
        if (is_digit(p)) {
            fail_here(p, "invalid number");
            return NULL;
        }
    } else {
        while (is_digit(p)) {
            uint64_t digit = (uint64_t)(p->text[p->at] - '0');
            if (significand > (UINT64_MAX - digit) / 10) overflow = true;
            else significand = significand * 10 + digit;
            p->at++;
        }
    }
    bool is_float = false;
    if (p->at < p->len && p->text[p->at] == '.') {
        is_float = true;
        p->at++;
        if (p->at >= p->len) {
            fail_here(p, "EOF while parsing a value");
            return NULL;
        }
        if (!is_digit(p)) {
            fail_here(p, "invalid number");
            return NULL;
        }
        while (is_digit(p)) p->at++;
    }
    if (p->at < p->len && (p->text[p->at] == 'e' || p->text[p->at] == 'E')) {
        is_float = true;
        p->at++;
        bool positive_exponent = true;
        if (p->at < p->len && (p->text[p->at] == '+' || p->text[p->at] == '-')) {
            positive_exponent = p->text[p->at++] == '+';
        }
        if (p->at >= p->len) {
            fail_here(p, "EOF while parsing a value");
            return NULL;
        }
        if (!is_digit(p)) {
            fail_here(p, "invalid number");
            return NULL;
        }
        bool nonzero = false;
        for (size_t i = start; i < p->at; i++) {
            if (p->text[i] >= '1' && p->text[i] <= '9') nonzero = true;
            if (p->text[i] == 'e' || p->text[i] == 'E') break;
        }
        int64_t exponent = 0;
        while (is_digit(p)) {
            exponent = exponent * 10 + (p->text[p->at++] - '0');
            /* serde_json stops at the digit that overflows an i32 exponent. */
            if (exponent > INT32_MAX) {
                if (nonzero && positive_exponent) {
                    fail_at(p, "number out of range", p->at, false);
                    return NULL;
                }
                while (is_digit(p)) p->at++;
                break;
            }
        }
    }
    ev_json *value = node(EV_JSON_NUMBER);
    if (!is_float && !overflow) {
        if (!negative) {
            value->number = EV__NUM_U64;
            value->as.u64 = significand;
            return value;
        }
        /* serde_json: a negative integer is an i64 unless it underflows, or is -0 (a float). */
        int64_t negated = (int64_t)(0 - significand);
        if (significand != 0 && negated < 0) {
            value->number = EV__NUM_I64;
            value->as.i64 = negated;
            return value;
        }
    }
    char *token = ev_scratch_alloc(p->at - start + 1);
    memcpy(token, p->text + start, p->at - start);
    token[p->at - start] = 0;
    double parsed = strtod(token, NULL);
    if (parsed == __builtin_inf() || parsed == -__builtin_inf()) {
        fail_at(p, "number out of range", p->at, false);
        return NULL;
    }
    value->number = EV__NUM_F64;
    value->as.f64 = parsed;
    return value;
}

/* A growable array of pointers in malloc'd memory, moved to scratch memory when complete. */
typedef struct list {
    const void **items;
    size_t count, cap;
} list;

static void list_push(list *l, const void *item) {
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = ev__realloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->count++] = item;
}

static const void **list_finish(list *l) {
    const void **items = ev_scratch_alloc((l->count ? l->count : 1) * sizeof *items);
    if (l->count) memcpy(items, l->items, l->count * sizeof *items);
    free(l->items);
    return items;
}

static const ev_json *parse_array(parser *p) {
    list items = {0};
    ev_json *value = node(EV_JSON_ARRAY);
    skip_whitespace(p);
    if (p->at >= p->len) {
        fail_here(p, "EOF while parsing a list");
        return NULL;
    }
    if (p->text[p->at] == ']') {
        p->at++;
        value->as.array.items = (const ev_json **)list_finish(&items);
        return value;
    }
    for (;;) {
        const ev_json *item = parse_value(p);
        if (!item) goto failed;
        list_push(&items, item);
        skip_whitespace(p);
        if (p->at >= p->len) {
            fail_here(p, "EOF while parsing a list");
            goto failed;
        }
        uint8_t c = p->text[p->at];
        if (c == ']') {
            p->at++;
            break;
        }
        if (c != ',') {
            fail_here(p, "expected `,` or `]`");
            goto failed;
        }
        p->at++;
        skip_whitespace(p);
        if (p->at < p->len && p->text[p->at] == ']') {
            fail_here(p, "trailing comma");
            goto failed;
        }
    }
    value->as.array.count = items.count;
    value->as.array.items = (const ev_json **)list_finish(&items);
    return value;
failed:
    free(items.items);
    return NULL;
}

static const ev_json *parse_object(parser *p) {
    list keys = {0}, values = {0};
    ev_json *value = node(EV_JSON_OBJECT);
    skip_whitespace(p);
    if (p->at < p->len && p->text[p->at] == '}') {
        p->at++;
        goto done;
    }
    for (;;) {
        if (p->at >= p->len) {
            fail_here(p, keys.count ? "EOF while parsing a value" : "EOF while parsing an object");
            goto failed;
        }
        if (p->text[p->at] != '"') {
            fail_here(p, p->text[p->at] == '}' ? "trailing comma" : "key must be a string");
            goto failed;
        }
        p->at++;
        ev_str *key = ev_scratch_alloc(sizeof *key);
        if (!parse_string(p, key)) goto failed;
        skip_whitespace(p);
        if (p->at >= p->len) {
            fail_here(p, "EOF while parsing an object");
            goto failed;
        }
        if (p->text[p->at] != ':') {
            fail_here(p, "expected `:`");
            goto failed;
        }
        p->at++;
        const ev_json *member = parse_value(p);
        if (!member) goto failed;
        list_push(&keys, key);
        list_push(&values, member);
        skip_whitespace(p);
        if (p->at >= p->len) {
            fail_here(p, "EOF while parsing an object");
            goto failed;
        }
        uint8_t c = p->text[p->at];
        if (c == '}') {
            p->at++;
            break;
        }
        if (c != ',') {
            fail_here(p, "expected `,` or `}`");
            goto failed;
        }
        p->at++;
        skip_whitespace(p);
    }
done:
    value->as.object.count = keys.count;
    {
        const void **key_pointers = list_finish(&keys);
        ev_str *flat = ev_scratch_alloc((value->as.object.count ? value->as.object.count : 1) *
                                        sizeof *flat);
        for (size_t i = 0; i < value->as.object.count; i++) flat[i] = *(const ev_str *)key_pointers[i];
        value->as.object.keys = flat;
    }
    value->as.object.values = (const ev_json **)list_finish(&values);
    return value;
failed:
    free(keys.items);
    free(values.items);
    return NULL;
}

static const ev_json *parse_value(parser *p) {
    skip_whitespace(p);
    if (p->at >= p->len) {
        fail_here(p, "EOF while parsing a value");
        return NULL;
    }
    uint8_t c = p->text[p->at];
    switch (c) {
    case 'n':
        p->at++;
        return parse_ident(p, "ull") ? node(EV_JSON_NULL) : NULL;
    case 't':
    case 'f': {
        p->at++;
        if (!parse_ident(p, c == 't' ? "rue" : "alse")) return NULL;
        ev_json *value = node(EV_JSON_BOOL);
        value->as.boolean = c == 't';
        return value;
    }
    case '"': {
        p->at++;
        ev_json *value = node(EV_JSON_STRING);
        return parse_string(p, &value->as.string) ? value : NULL;
    }
    case '[':
    case '{': {
        p->at++;
        if (++p->depth >= EV__MAX_DEPTH) {
            fail_at(p, "recursion limit exceeded", p->at, false);
            return NULL;
        }
        const ev_json *value = c == '[' ? parse_array(p) : parse_object(p);
        p->depth--;
        return value;
    }
    default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number(p);
        fail_here(p, "expected value");
        return NULL;
    }
}

const ev_json *ev__json_parse(const uint8_t *text, size_t len, ev_error **error) {
    parser p = {text ? text : (const uint8_t *)"", len, 0, 0, NULL};
    const ev_json *value = parse_value(&p);
    if (value) {
        skip_whitespace(&p);
        if (p.at < p.len) {
            fail_here(&p, "trailing characters");
            value = NULL;
        }
    }
    if (!value) {
        *error = p.error;
        return NULL;
    }
    *error = EV_OK;
    return value;
}

const ev_json *ev_json_parse(ev_bytes text, ev_error **error) {
    return ev__json_parse(text.ptr, text.len, error);
}

/* ---- Lent values ---- */

ev_json_kind ev_json_kind_of(const ev_json *value) { return value ? value->kind : EV_JSON_NULL; }

const ev_json *ev_json_get(const ev_json *object, const char *key) {
    return ev_json_get_str(object, ev_cstr(key));
}

const ev_json *ev_json_get_str(const ev_json *object, ev_str wanted) {
    if (!object || object->kind != EV_JSON_OBJECT) return NULL;
    for (size_t i = object->as.object.count; i-- > 0;) {
        if (ev_str_eq(object->as.object.keys[i], wanted)) return object->as.object.values[i];
    }
    return NULL;
}

size_t ev_json_count(const ev_json *value) {
    if (!value) return 0;
    if (value->kind == EV_JSON_ARRAY) return value->as.array.count;
    if (value->kind == EV_JSON_OBJECT) return value->as.object.count;
    return 0;
}

const ev_json *ev_json_item(const ev_json *array, size_t index) {
    if (!array || array->kind != EV_JSON_ARRAY || index >= array->as.array.count) return NULL;
    return array->as.array.items[index];
}

ev_str ev_json_member_key(const ev_json *object, size_t index) {
    ev_str absent = {NULL, 0};
    if (!object || object->kind != EV_JSON_OBJECT || index >= object->as.object.count) return absent;
    return object->as.object.keys[index];
}

const ev_json *ev_json_member_value(const ev_json *object, size_t index) {
    if (!object || object->kind != EV_JSON_OBJECT || index >= object->as.object.count) return NULL;
    return object->as.object.values[index];
}

bool ev_json_as_bool(const ev_json *value, bool *out) {
    if (!value || value->kind != EV_JSON_BOOL) return false;
    *out = value->as.boolean;
    return true;
}

bool ev_json_as_i64(const ev_json *value, int64_t *out) {
    if (!value || value->kind != EV_JSON_NUMBER) return false;
    if (value->number == EV__NUM_I64) {
        *out = value->as.i64;
        return true;
    }
    if (value->number == EV__NUM_U64 && value->as.u64 <= (uint64_t)INT64_MAX) {
        *out = (int64_t)value->as.u64;
        return true;
    }
    return false;
}

bool ev_json_as_u64(const ev_json *value, uint64_t *out) {
    if (!value || value->kind != EV_JSON_NUMBER) return false;
    if (value->number == EV__NUM_U64) {
        *out = value->as.u64;
        return true;
    }
    if (value->number == EV__NUM_I64 && value->as.i64 >= 0) {
        *out = (uint64_t)value->as.i64;
        return true;
    }
    return false;
}

bool ev_json_as_f64(const ev_json *value, double *out) {
    if (!value || value->kind != EV_JSON_NUMBER) return false;
    *out = value->number == EV__NUM_U64   ? (double)value->as.u64
           : value->number == EV__NUM_I64 ? (double)value->as.i64
                                          : value->as.f64;
    return true;
}

bool ev_json_as_str(const ev_json *value, ev_str *out) {
    if (!value || value->kind != EV_JSON_STRING) return false;
    *out = value->as.string;
    return true;
}

/* ---- Writing ---- */

static void before_value(ev_json_writer *w) {
    if (w->comma) ev_buf_char(&w->out, ',');
    w->comma = false;
}

void ev_json_object_begin(ev_json_writer *w) {
    before_value(w);
    ev_buf_char(&w->out, '{');
}

void ev_json_object_end(ev_json_writer *w) {
    ev_buf_char(&w->out, '}');
    w->comma = true;
}

void ev_json_array_begin(ev_json_writer *w) {
    before_value(w);
    ev_buf_char(&w->out, '[');
}

void ev_json_array_end(ev_json_writer *w) {
    ev_buf_char(&w->out, ']');
    w->comma = true;
}

static void write_string(ev_json_writer *w, ev_str s) {
    static const char hex[] = "0123456789abcdef";
    if (!ev_utf8_valid(s.ptr, s.len)) w->invalid = true;
    ev_buf *out = &w->out;
    ev_buf_char(out, '"');
    size_t run = 0;
    for (size_t i = 0; i < s.len; i++) {
        uint8_t c = (uint8_t)s.ptr[i];
        const char *escape = NULL;
        char unicode[6];
        switch (c) {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\b': escape = "\\b"; break;
        case '\f': escape = "\\f"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        default:
            if (c < 0x20) {
                memcpy(unicode, "\\u00", 4);
                unicode[4] = hex[c >> 4];
                unicode[5] = hex[c & 15];
            } else {
                continue;
            }
        }
        ev_buf_append(out, s.ptr + run, i - run);
        if (escape) ev_buf_cstr(out, escape);
        else ev_buf_append(out, unicode, 6);
        run = i + 1;
    }
    ev_buf_append(out, s.ptr + run, s.len - run);
    ev_buf_char(out, '"');
}

void ev_json_key(ev_json_writer *w, ev_str key) {
    before_value(w);
    write_string(w, key);
    ev_buf_char(&w->out, ':');
}

void ev_json_key_c(ev_json_writer *w, const char *key) { ev_json_key(w, ev_cstr(key)); }

void ev_json_string(ev_json_writer *w, ev_str value) {
    before_value(w);
    write_string(w, value);
    w->comma = true;
}

void ev_json_string_c(ev_json_writer *w, const char *value) { ev_json_string(w, ev_cstr(value)); }

void ev_json_i64(ev_json_writer *w, int64_t value) {
    before_value(w);
    ev_buf_i64(&w->out, value);
    w->comma = true;
}

void ev_json_u64(ev_json_writer *w, uint64_t value) {
    before_value(w);
    ev_buf_u64(&w->out, value);
    w->comma = true;
}

void ev_json_bool(ev_json_writer *w, bool value) {
    before_value(w);
    ev_buf_cstr(&w->out, value ? "true" : "false");
    w->comma = true;
}

void ev_json_null(ev_json_writer *w) {
    before_value(w);
    ev_buf_cstr(&w->out, "null");
    w->comma = true;
}

/* Whether `digits` (n of them) times 10^exponent reads back as `value`. */
static bool reads_back(const char *digits, size_t n, int exponent, double value) {
    char text[48];
    memcpy(text, digits, n);
    snprintf(text + n, sizeof text - n, "e%d", exponent);
    return strtod(text, NULL) == value;
}

/* Adds `delta` (+1 or -1) to the n-digit decimal `digits`; false if its length would change. */
static bool step(char *digits, size_t n, int delta) {
    for (size_t i = n; i-- > 0;) {
        if (delta > 0 && digits[i] < '9') return digits[i]++, true;
        if (delta < 0 && digits[i] > '0') return digits[i]--, i > 0 || digits[0] != '0';
        digits[i] = delta > 0 ? '0' : '9';
    }
    return false;
}

/* The shortest decimal digits that read back as `value` (> 0, finite), the closest of those to
 * it (what ryu and zmij find), and the power of ten of the last: value = digits * 10^exponent. */
static size_t shortest_digits(double value, char digits[18], int *exponent) {
    char text[40];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*e", precision - 1, value);
        size_t n = 0;
        const char *c = text;
        for (; *c && *c != 'e'; c++) {
            if (*c >= '0' && *c <= '9') digits[n++] = *c;
        }
        int e = atoi(c + 1) - (int)(n - 1);
        bool found = reads_back(digits, n, e, value);
        /* Next to a power of two the values that read back are not centred on `value`, so the
         * nearest n-digit decimal may miss while its neighbour hits. */
        for (int delta = 1; !found && delta >= -1; delta -= 2) {
            char neighbour[18];
            memcpy(neighbour, digits, n);
            if (step(neighbour, n, delta) && reads_back(neighbour, n, e, value)) {
                memcpy(digits, neighbour, n);
                found = true;
            }
        }
        if (!found && precision < 17) continue;
        while (n > 1 && digits[n - 1] == '0') n--, e++;
        *exponent = e;
        return n;
    }
    return 0;
}

void ev_json_f64(ev_json_writer *w, double value) {
    before_value(w);
    w->comma = true;
    ev_buf *out = &w->out;
    if (value != value || value == __builtin_inf() || value == -__builtin_inf()) {
        ev_buf_cstr(out, "null");
        return;
    }
    if (__builtin_signbit(value)) {
        ev_buf_char(out, '-');
        value = -value;
    }
    if (value == 0) {
        ev_buf_cstr(out, "0.0");
        return;
    }
    /* The layout serde_json 1.0.154 writes (its float formatter, zmij, lays digits out as ryu). */
    char digits[18];
    int k;
    int n = (int)shortest_digits(value, digits, &k);
    int kk = n + k;
    if (k >= 0 && kk <= 16) {
        ev_buf_append(out, digits, (size_t)n);
        for (int i = 0; i < k; i++) ev_buf_char(out, '0');
        ev_buf_cstr(out, ".0");
    } else if (kk > 0 && kk <= 16) {
        ev_buf_append(out, digits, (size_t)kk);
        ev_buf_char(out, '.');
        ev_buf_append(out, digits + kk, (size_t)(n - kk));
    } else if (kk > -5 && kk <= 0) {
        ev_buf_cstr(out, "0.");
        for (int i = 0; i < -kk; i++) ev_buf_char(out, '0');
        ev_buf_append(out, digits, (size_t)n);
    } else {
        ev_buf_char(out, digits[0]);
        if (n > 1) {
            ev_buf_char(out, '.');
            ev_buf_append(out, digits + 1, (size_t)(n - 1));
        }
        /* serde_json (through zmij) writes a positive exponent with its sign: 1e+16. */
        ev_buf_cstr(out, kk - 1 < 0 ? "e" : "e+");
        ev_buf_i64(out, kk - 1);
    }
}

ev_error *ev__encode_state(ev_error *(*encode)(const void *, ev_json_writer *), const void *state,
                           ev_buf *out) {
    ev_json_writer w = {{0}, false, false};
    ev_error *error = encode(state, &w);
    if (!error && w.invalid) error = ev_error_new(NULL, "a string is not UTF-8");
    if (error) {
        ev_buf_free(&w.out);
        return ev__wrap_error(EV_UNENCODABLE_STATE, "cannot encode the state: application/json: ",
                              error);
    }
    *out = w.out;
    return EV_OK;
}

/* CBOR (RFC 8949) decoded into a JSON value, as a serde_json::Value deserialises from CBOR with
 * ciborium: text-keyed maps, arrays, integers (bignums too, within 64 bits), floats, text,
 * booleans and null; byte strings, other tags and simple values are refused. */
#include <string.h>

#include "evident_internal.h"

typedef struct reader {
    const uint8_t *bytes;
    size_t len;
    size_t at;
    int depth;
    const char *error;
    size_t error_at;
} reader;

/* ciborium's default recursion limit. */
#define EV__CBOR_MAX_DEPTH 256

/* ciborium's scratch buffer: a map's first key must be definite-length text no longer than this. */
#define EV__CBOR_KEY_MAX 4096

/* A break code (0xff) where an item was expected: ends an indefinite-length item. */
#define BREAK 0xff

static bool fail(reader *r, const char *message) {
    if (!r->error) {
        r->error = message;
        r->error_at = r->at;
    }
    return false;
}

static bool take(reader *r, size_t n, const uint8_t **out) {
    if (r->len - r->at < n) return fail(r, "unexpected end of input");
    *out = r->bytes + r->at;
    r->at += n;
    return true;
}

/* Reads an initial byte's argument: the major type's count, length or value. */
static bool argument(reader *r, uint8_t info, uint64_t *out, bool *indefinite) {
    *indefinite = false;
    if (info < 24) {
        *out = info;
        return true;
    }
    if (info == 31) {
        *indefinite = true;
        return true;
    }
    if (info > 27) return fail(r, "invalid header");
    size_t n = (size_t)1 << (info - 24);
    const uint8_t *bytes;
    if (!take(r, n, &bytes)) return false;
    uint64_t value = 0;
    for (size_t i = 0; i < n; i++) value = (value << 8) | bytes[i];
    *out = value;
    return true;
}

static double half_to_double(uint16_t half) {
    int exponent = (half >> 10) & 0x1f;
    int mantissa = half & 0x3ff;
    double value;
    if (exponent == 0) value = __builtin_ldexp((double)mantissa, -24);
    else if (exponent == 31) value = mantissa ? __builtin_nan("") : __builtin_inf();
    else value = __builtin_ldexp((double)(mantissa | 0x400), exponent - 25);
    return (half & 0x8000) ? -value : value;
}

static const ev_json *item(reader *r);

/* Text (major type 3), definite or as indefinite-length chunks, into scratch memory. */
static bool text(reader *r, uint64_t length, bool indefinite, ev_str *out) {
    ev_buf collected = {0};
    if (!indefinite) {
        const uint8_t *bytes;
        if (length > r->len - r->at || !take(r, (size_t)length, &bytes)) {
            return fail(r, "unexpected end of input");
        }
        ev_buf_append(&collected, bytes, (size_t)length);
    } else {
        for (;;) {
            const uint8_t *head;
            if (!take(r, 1, &head)) goto failed;
            if (*head == BREAK) break;
            if ((*head >> 5) != 3) {
                fail(r, "invalid chunk in indefinite-length text");
                goto failed;
            }
            uint64_t n;
            bool nested;
            if (!argument(r, *head & 0x1f, &n, &nested)) goto failed;
            const uint8_t *bytes;
            if (nested || n > r->len - r->at || !take(r, (size_t)n, &bytes)) {
                fail(r, nested ? "invalid chunk in indefinite-length text"
                               : "unexpected end of input");
                goto failed;
            }
            ev_buf_append(&collected, bytes, (size_t)n);
        }
    }
    if (!ev_utf8_valid(collected.data, collected.len)) {
        fail(r, "text is not UTF-8");
        goto failed;
    }
    char *copy = ev_scratch_alloc(collected.len + 1);
    if (collected.len) memcpy(copy, collected.data, collected.len);
    copy[collected.len] = 0;
    out->ptr = copy;
    out->len = collected.len;
    ev_buf_free(&collected);
    return true;
failed:
    ev_buf_free(&collected);
    return false;
}

/* Whether the next byte is a break code, consuming it if so. */
static bool at_break(reader *r) {
    if (r->at < r->len && r->bytes[r->at] == BREAK) {
        r->at++;
        return true;
    }
    return false;
}

static ev_json *new_node(ev_json_kind kind) {
    ev_json *value = ev_scratch_alloc(sizeof *value);
    memset(value, 0, sizeof *value);
    value->kind = kind;
    return value;
}

static const ev_json *container(reader *r, uint8_t major, uint64_t count, bool indefinite) {
    if (++r->depth > EV__CBOR_MAX_DEPTH) {
        fail(r, "recursion limit exceeded");
        return NULL;
    }
    ev_buf keys = {0}, values = {0};
    size_t n = 0;
    for (;; n++) {
        if (indefinite ? at_break(r) : n == count) break;
        if (r->at >= r->len) {
            fail(r, "unexpected end of input");
            goto failed;
        }
        if (major == 5) {
            const uint8_t *head;
            if (!take(r, 1, &head)) goto failed;
            uint64_t length;
            bool chunked;
            ev_str key;
            /* serde_json reads the first key as a borrowed str (ciborium: definite-length, at
             * most its scratch size), the others as Strings (any text). */
            if ((*head >> 5) != 3 || !argument(r, *head & 0x1f, &length, &chunked) ||
                (n == 0 && (chunked || length > EV__CBOR_KEY_MAX))) {
                fail(r, "invalid type: a map key that is not text, expected a string");
                goto failed;
            }
            if (!text(r, length, chunked, &key)) goto failed;
            ev_buf_append(&keys, &key, sizeof key);
        }
        const ev_json *member = item(r);
        if (!member) goto failed;
        ev_buf_append(&values, &member, sizeof member);
    }
    r->depth--;
    ev_json *value = new_node(major == 4 ? EV_JSON_ARRAY : EV_JSON_OBJECT);
    const ev_json **items = ev_scratch_alloc(values.len ? values.len : 1);
    if (values.len) memcpy(items, values.data, values.len);
    if (major == 4) {
        value->as.array.items = items;
        value->as.array.count = n;
    } else {
        ev_str *key_list = ev_scratch_alloc(keys.len ? keys.len : 1);
        if (keys.len) memcpy(key_list, keys.data, keys.len);
        value->as.object.keys = key_list;
        value->as.object.values = items;
        value->as.object.count = n;
    }
    ev_buf_free(&keys);
    ev_buf_free(&values);
    return value;
failed:
    ev_buf_free(&keys);
    ev_buf_free(&values);
    return NULL;
}

/* A tagged item: ciborium reads bignums (tags 2 and 3 over at most 16 bytes) as integers, and
 * serde_json keeps those that fit 64 bits; any other tag is refused (a Value is no enum). */
static const ev_json *tagged(reader *r, uint64_t tag) {
    const uint8_t *head;
    if (r->at < r->len && (tag == 2 || tag == 3) && (r->bytes[r->at] >> 5) == 2 &&
        (r->bytes[r->at] & 0x1f) != 31) {
        if (!take(r, 1, &head)) return NULL;
        uint64_t length;
        bool indefinite;
        if (!argument(r, *head & 0x1f, &length, &indefinite)) return NULL;
        const uint8_t *bytes;
        if (length > 16) {
            fail(r, "bigint too large");
            return NULL;
        }
        if (!take(r, (size_t)length, &bytes)) return NULL;
        uint64_t value = 0;
        for (size_t i = 0; i < length; i++) {
            if (value >> 56) {
                fail(r, "integer out of range");
                return NULL;
            }
            value = (value << 8) | bytes[i];
        }
        ev_json *number = new_node(EV_JSON_NUMBER);
        if (tag == 2) {
            number->number = EV__NUM_U64;
            number->as.u64 = value;
        } else {
            if (value > (uint64_t)INT64_MAX) {
                fail(r, "integer out of range");
                return NULL;
            }
            number->number = EV__NUM_I64;
            number->as.i64 = -1 - (int64_t)value;
        }
        return number;
    }
    fail(r, "invalid type: a tagged value, expected any valid JSON value");
    return NULL;
}

static const ev_json *item(reader *r) {
    for (;;) {
        const uint8_t *head;
        if (!take(r, 1, &head)) return NULL;
        uint8_t major = *head >> 5, info = *head & 0x1f;
        if (major == 7) {
            ev_json *value;
            switch (info) {
            case 20:
            case 21:
                value = new_node(EV_JSON_BOOL);
                value->as.boolean = info == 21;
                return value;
            case 22:
            case 23:
                return new_node(EV_JSON_NULL);
            case 25:
            case 26:
            case 27: {
                const uint8_t *bytes;
                size_t n = (size_t)1 << (info - 24);
                if (!take(r, n, &bytes)) return NULL;
                uint64_t bits = 0;
                for (size_t i = 0; i < n; i++) bits = (bits << 8) | bytes[i];
                double f;
                if (info == 25) {
                    f = half_to_double((uint16_t)bits);
                } else if (info == 26) {
                    uint32_t b32 = (uint32_t)bits;
                    float f32;
                    memcpy(&f32, &b32, 4);
                    f = f32;
                } else {
                    memcpy(&f, &bits, 8);
                }
                /* serde_json makes a non-finite float null. */
                if (f != f || f == __builtin_inf() || f == -__builtin_inf()) {
                    return new_node(EV_JSON_NULL);
                }
                value = new_node(EV_JSON_NUMBER);
                value->number = EV__NUM_F64;
                value->as.f64 = f;
                return value;
            }
            case 31:
                r->at--;
                fail(r, "unexpected break");
                return NULL;
            default:
                r->at--;
                fail(r, "invalid type: a simple value, expected any valid JSON value");
                return NULL;
            }
        }
        uint64_t arg;
        bool indefinite;
        if (!argument(r, info, &arg, &indefinite)) return NULL;
        if (indefinite && major < 2) {
            fail(r, "invalid header");
            return NULL;
        }
        switch (major) {
        case 0: {
            ev_json *value = new_node(EV_JSON_NUMBER);
            value->number = EV__NUM_U64;
            value->as.u64 = arg;
            return value;
        }
        case 1: {
            if (arg > (uint64_t)INT64_MAX) {
                fail(r, "integer out of range");
                return NULL;
            }
            ev_json *value = new_node(EV_JSON_NUMBER);
            value->number = EV__NUM_I64;
            value->as.i64 = -1 - (int64_t)arg;
            return value;
        }
        case 2:
            fail(r, "invalid type: byte array, expected any valid JSON value");
            return NULL;
        case 3: {
            ev_json *value = new_node(EV_JSON_STRING);
            return text(r, arg, indefinite, &value->as.string) ? value : NULL;
        }
        case 4:
        case 5:
            return container(r, major, arg, indefinite);
        case 6:
            return tagged(r, arg);
        }
        return NULL;
    }
}

const ev_json *ev__cbor_parse(const uint8_t *bytes, size_t len, ev_error **error) {
    reader r = {bytes ? bytes : (const uint8_t *)"", len, 0, 0, NULL, 0};
    /* Bytes after the item are ignored, as ciborium::from_reader ignores them. */
    const ev_json *value = item(&r);
    if (!value) {
        *error = ev_errorf(NULL, "%s at byte %zu", r.error ? r.error : "invalid CBOR", r.error_at);
        return NULL;
    }
    *error = EV_OK;
    return value;
}

/* The golden vectors of ../../testdata (written by crates/evident-types/tests/sdk_golden.rs),
 * read by the C SDK (and so by the C++ SDK, which is header-only over it): frames and times,
 * JSON and CBOR states, CBOR items, parameters and emitted events, as the host and the Rust SDK
 * make and read them.
 *
 * A WASI command, built by crates/evident-build/src/sdk_tests.rs with Zig's clang for
 * wasm32-wasi (the guests' target) with the SDK's other files, and run by run.mjs under node's
 * WASI, with the test data preopened at /testdata. It includes view.c to reach its frame reader,
 * and golden_change.c gives it change.c's event checks. Prints each failure; exits 1 if any. */

#include "../view.c"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static int checks;

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        failures++;                                                                                \
        printf("FAIL: ");                                                                          \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
    } while (0)

/* From golden_change.c. */
ev_events *golden_events_new(void);
void golden_events_free(ev_events *events);
void golden_set_specversion(ev_new_event *event, ev_str specversion);
void golden_set_data(ev_new_event *event, ev_str content_type, ev_bytes data);
bool golden_breaks_a_rule(const ev_new_event *event, ev_buf *why);

static const ev_json *load(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("cannot open %s\n", path);
        exit(2);
    }
    ev_buf text = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) ev_buf_append(&text, chunk, n);
    fclose(f);
    ev_error *error = NULL;
    const ev_json *json = ev_json_parse((ev_bytes){(const uint8_t *)text.data, text.len}, &error);
    if (!json) {
        printf("%s: %s\n", path, error->message);
        exit(2);
    }
    return json; /* the text stays allocated: the values point into it */
}

static ev_str member_str(const ev_json *object, const char *key) {
    ev_str s = {NULL, 0};
    ev_json_as_str(ev_json_get(object, key), &s);
    return s;
}

static bool member_bool(const ev_json *object, const char *key) {
    bool b = false;
    ev_json_as_bool(ev_json_get(object, key), &b);
    return b;
}

static bool is_null(const ev_json *object, const char *key) {
    return ev_json_kind_of(ev_json_get(object, key)) == EV_JSON_NULL;
}

static int nibble(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

/* The bytes of a hex string (malloc'd; `*len` set). */
static uint8_t *unhex(ev_str hex, size_t *len) {
    *len = hex.len / 2;
    uint8_t *bytes = malloc(*len + 1);
    for (size_t i = 0; i < *len; i++) {
        bytes[i] = (uint8_t)(nibble(hex.ptr[2 * i]) << 4 | nibble(hex.ptr[2 * i + 1]));
    }
    return bytes;
}

static bool str_is(ev_str a, ev_str b) { return a.len == b.len && (a.len == 0 || !memcmp(a.ptr, b.ptr, a.len)); }

/* Whether write_value sorts object members by key (else: in the order read). */
static bool sorting;

/* Writes a parsed value back as JSON with the SDK's writer. */
static void write_value(ev_json_writer *w, const ev_json *v) {
    switch (v->kind) {
    case EV_JSON_NULL: ev_json_null(w); break;
    case EV_JSON_BOOL: ev_json_bool(w, v->as.boolean); break;
    case EV_JSON_NUMBER:
        if (v->number == EV__NUM_U64) ev_json_u64(w, v->as.u64);
        else if (v->number == EV__NUM_I64) ev_json_i64(w, v->as.i64);
        else ev_json_f64(w, v->as.f64);
        break;
    case EV_JSON_STRING: ev_json_string(w, v->as.string); break;
    case EV_JSON_ARRAY:
        ev_json_array_begin(w);
        for (size_t i = 0; i < v->as.array.count; i++) write_value(w, v->as.array.items[i]);
        ev_json_array_end(w);
        break;
    case EV_JSON_OBJECT:
        ev_json_object_begin(w);
        size_t count = v->as.object.count, *order = malloc((count + 1) * sizeof *order);
        for (size_t i = 0; i < count; i++) order[i] = i;
        for (size_t i = 1; sorting && i < count; i++) {
            for (size_t j = i; j > 0 && ev_str_cmp(v->as.object.keys[order[j - 1]], v->as.object.keys[order[j]]) > 0; j--) {
                size_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        }
        for (size_t i = 0; i < count; i++) {
            ev_json_key(w, v->as.object.keys[order[i]]);
            write_value(w, v->as.object.values[order[i]]);
        }
        free(order);
        ev_json_object_end(w);
        break;
    }
}

static ev_str written(const ev_json *v) {
    ev_json_writer *w = calloc(1, sizeof *w);
    write_value(w, v);
    return ev_buf_view(&w->out);
}

/* ---- States ---- */

static void states(const ev_json *cases) {
    for (size_t i = 0; i < ev_json_count(cases); i++) {
        const ev_json *c = ev_json_item(cases, i);
        ev_str value = member_str(c, "value");
        size_t json_len, cbor_len;
        uint8_t *json = unhex(member_str(c, "json"), &json_len);
        uint8_t *cbor = unhex(member_str(c, "cbor"), &cbor_len);
        ev_str want = {(const char *)json, json_len};
        ev_error *error = NULL;
        checks++;
        const ev_json *from_json = ev__json_parse(json, json_len, &error);
        if (!from_json) {
            FAIL("state %.*s: its JSON does not parse: %s", EV_FMT(value), error->message);
            continue;
        }
        ev_str again = written(from_json);
        if (!str_is(again, want)) {
            FAIL("state %.*s: JSON written as %.*s, want %.*s", EV_FMT(value), EV_FMT(again),
                 EV_FMT(want));
        }
        const ev_json *from_cbor = ev__cbor_parse(cbor, cbor_len, &error);
        if (!from_cbor) {
            FAIL("state %.*s: its CBOR does not parse: %s", EV_FMT(value), error->message);
            continue;
        }
        ev_str shown = written(from_cbor);
        if (!str_is(shown, want)) {
            FAIL("state %.*s: CBOR read as %.*s, want %.*s", EV_FMT(value), EV_FMT(shown),
                 EV_FMT(want));
        }
    }
}

/* ---- CBOR items ---- */

static void cbor_reads(const ev_json *cases) {
    for (size_t i = 0; i < ev_json_count(cases); i++) {
        const ev_json *c = ev_json_item(cases, i);
        ev_str name = member_str(c, "name");
        size_t len;
        uint8_t *bytes = unhex(member_str(c, "cbor"), &len);
        ev_error *error = NULL;
        checks++;
        const ev_json *read = ev__cbor_parse(bytes, len, &error);
        if (member_bool(c, "refused")) {
            if (read) FAIL("cbor %.*s: read as %.*s; the host refuses it", EV_FMT(name), EV_FMT(written(read)));
            continue;
        }
        /* The C SDK decodes CBOR as the Rust SDK's codec decodes it into a serde_json::Value:
         * refused where that is (byte strings, tags, integers beyond 64 bits). */
        ev_str rust = member_str(c, "rust_sdk_json");
        if (!rust.ptr) {
            if (read) FAIL("cbor %.*s: read as %.*s; the Rust SDK refuses it", EV_FMT(name), EV_FMT(written(read)));
            continue;
        }
        if (!read) {
            FAIL("cbor %.*s: %s", EV_FMT(name), error->message);
            continue;
        }
        /* Keys in the order read, which serde_json's map sorts: compared sorted. */
        const ev_json *want = ev__json_parse((const uint8_t *)rust.ptr, rust.len, &error);
        sorting = true;
        ev_str got = written(read), expected = written(want);
        sorting = false;
        if (!str_is(got, expected)) {
            FAIL("cbor %.*s: read as %.*s, want %.*s", EV_FMT(name), EV_FMT(got), EV_FMT(expected));
        }
    }
}

/* ---- Parameters ---- */

static void parameter(ev_str text, const char *kind, ev_error *error, bool accepted_matches,
                      const ev_json *c) {
    char key[16];
    snprintf(key, sizeof key, "%s_error", kind);
    ev_str want = member_str(c, key);
    checks++;
    if (!want.ptr) {
        if (error) FAIL("parameter %s %.*s: refused: %s", kind, EV_FMT(text), error->message);
        else if (!accepted_matches) FAIL("parameter %s %.*s: another value", kind, EV_FMT(text));
        return;
    }
    if (!error) {
        FAIL("parameter %s %.*s: accepted; want %.*s", kind, EV_FMT(text), EV_FMT(want));
    } else if (!ev_str_eq(ev_cstr(error->message), want) || strcmp(error->code, "invalid-parameter")) {
        FAIL("parameter %s %.*s: %s %s, want %.*s", kind, EV_FMT(text), error->code, error->message,
             EV_FMT(want));
    }
}

static void parameters(const ev_json *cases) {
    for (size_t i = 0; i < ev_json_count(cases); i++) {
        const ev_json *c = ev_json_item(cases, i);
        ev_str text = member_str(c, "text");
        ev_pair pair = {ev_cstr("p"), text};
        ev_params params = {&pair, 1};
        bool b = false, want_b = false;
        ev_json_as_bool(ev_json_get(c, "bool"), &want_b);
        ev_error *error = ev_param_bool(&params, "p", false, &b);
        parameter(text, "bool", error, b == want_b, c);
        int64_t i64 = 0, want_i64 = 0;
        ev_json_as_i64(ev_json_get(c, "i64"), &want_i64);
        error = ev_param_i64(&params, "p", 0, &i64);
        parameter(text, "i64", error, i64 == want_i64, c);
        uint64_t u64 = 0, want_u64 = 0;
        ev_json_as_u64(ev_json_get(c, "u64"), &want_u64);
        error = ev_param_u64(&params, "p", 0, &u64);
        parameter(text, "u64", error, u64 == want_u64, c);
    }
}

/* ---- Emitted events ---- */

static ev_str optional(const ev_json *object, const char *key) { return member_str(object, key); }

static void events(const ev_json *cases) {
    for (size_t i = 0; i < ev_json_count(cases); i++) {
        const ev_json *c = ev_json_item(cases, i);
        ev_str name = member_str(c, "name");
        const ev_json *r = ev_json_get(c, "event");
        const ev_json *extensions = ev_json_get(r, "extensions");
        /* ev_add_extension replaces a name given again (as the Rust Event's map does): the C SDK
         * cannot send a repeated extension. */
        bool repeated = false;
        for (size_t k = 0; k < ev_json_count(extensions); k++) {
            for (size_t j = 0; j < k; j++) {
                ev_str a, b;
                ev_json_as_str(ev_json_item(ev_json_item(extensions, k), 0), &a);
                ev_json_as_str(ev_json_item(ev_json_item(extensions, j), 0), &b);
                if (str_is(a, b)) repeated = true;
            }
        }
        if (repeated) continue;
        ev_events *out = golden_events_new();
        ev_new_event *e = ev_emit(out, member_str(r, "id"), member_str(r, "source"), member_str(r, "type"));
        golden_set_specversion(e, member_str(r, "specversion"));
        ev_str subject = optional(r, "subject"), schema = optional(r, "dataschema");
        if (subject.ptr) ev_set_subject(e, subject);
        if (schema.ptr) ev_set_dataschema(e, schema);
        ev_str content_type = optional(r, "datacontenttype"), data_hex = optional(r, "data");
        if (data_hex.ptr || content_type.ptr) {
            ev_bytes data = {NULL, 0};
            if (data_hex.ptr) data.ptr = unhex(data_hex, &data.len);
            golden_set_data(e, content_type, data);
        }
        for (size_t k = 0; k < ev_json_count(extensions); k++) {
            ev_str n, v;
            ev_json_as_str(ev_json_item(ev_json_item(extensions, k), 0), &n);
            ev_json_as_str(ev_json_item(ev_json_item(extensions, k), 1), &v);
            ev_add_extension(e, n, v);
        }
        ev_buf why = {0};
        ev_str time = optional(r, "time");
        bool refused = false;
        if (time.ptr) {
            ev_time t;
            const char *bad = ev__parse_time(time, &t);
            if (bad) {
                refused = true;
                ev_buf_cstr(&why, "attribute `time` is ");
                ev_buf_quoted(&why, time);
                ev_buf_cstr(&why, ", not an RFC 3339 timestamp");
            } else {
                ev_set_time(e, t);
            }
        }
        if (!refused) refused = golden_breaks_a_rule(e, &why);
        ev_str want = member_str(c, "error");
        ev_str got = ev_buf_view(&why);
        checks++;
        if (!want.ptr && refused) {
            FAIL("event %.*s: refused (%.*s); the host accepts it", EV_FMT(name), EV_FMT(got));
        } else if (want.ptr && !refused) {
            FAIL("event %.*s: accepted; the host refuses it: %.*s", EV_FMT(name), EV_FMT(want));
        } else if (want.ptr && !ev_str_starts_with(want, got)) {
            FAIL("event %.*s: %.*s; the host says %.*s", EV_FMT(name), EV_FMT(got), EV_FMT(want));
        }
        golden_events_free(out);
    }
}

/* ---- Times and frames ---- */

static void check_time(ev_str what, ev_time got, const ev_json *want) {
    int64_t seconds = 0, nanos = 0, offset = 0;
    ev_json_as_i64(ev_json_get(want, "seconds"), &seconds);
    ev_json_as_i64(ev_json_get(want, "nanos"), &nanos);
    ev_json_as_i64(ev_json_get(want, "offset"), &offset);
    checks++;
    if (!got.present || got.seconds != seconds || got.nanos != (uint32_t)nanos ||
        got.offset_seconds != (int32_t)offset) {
        FAIL("%.*s: %lld s %u ns offset %d, want %lld s %lld ns offset %lld", EV_FMT(what),
             (long long)got.seconds, got.nanos, got.offset_seconds, (long long)seconds,
             (long long)nanos, (long long)offset);
        return;
    }
    /* chrono writes years beyond 0..9999 and offsets with seconds in forms nothing reads back. */
    ev_str text = member_str(want, "text");
    if (offset % 60 == 0 && text.len >= 20 && text.ptr[0] >= '0' && text.ptr[0] <= '9' && text.ptr[4] == '-') {
        ev_buf buf = {0};
        ev_time_format(&buf, got);
        if (!str_is(ev_buf_view(&buf), text)) {
            FAIL("%.*s: written %.*s, want %.*s", EV_FMT(what), EV_FMT(ev_buf_view(&buf)), EV_FMT(text));
        }
        ev_buf_free(&buf);
    }
}

static void times(const ev_json *cases) {
    for (size_t i = 0; i < ev_json_count(cases); i++) {
        const ev_json *c = ev_json_item(cases, i);
        ev_str text = member_str(c, "text");
        ev_time t = {0};
        const char *bad = ev__parse_time(text, &t);
        if (is_null(c, "time")) {
            checks++;
            if (!bad) FAIL("time %.*s: accepted; the Rust SDK refuses it", EV_FMT(text));
        } else if (bad) {
            checks++;
            FAIL("time %.*s: %s", EV_FMT(text), bad);
        } else {
            check_time(text, t, ev_json_get(c, "time"));
        }
    }
}

static bool optional_is(ev_str got, const ev_json *want, const char *key) {
    ev_str w = member_str(want, key);
    return w.ptr ? got.ptr && str_is(got, w) : !got.ptr;
}

static void check_event(ev_str what, const ev_event *got, const ev_json *want) {
    checks++;
    if (!str_is(got->id, member_str(want, "id")) || !str_is(got->source, member_str(want, "source")) ||
        !str_is(got->specversion, member_str(want, "specversion")) ||
        !str_is(got->type, member_str(want, "type")) ||
        !optional_is(got->datacontenttype, want, "datacontenttype") ||
        !optional_is(got->dataschema, want, "dataschema") || !optional_is(got->subject, want, "subject")) {
        FAIL("%.*s: the attributes differ", EV_FMT(what));
    }
    ev_str data = member_str(want, "data");
    if (data.ptr) {
        size_t len;
        uint8_t *bytes = unhex(data, &len);
        if (!got->data.ptr || got->data.len != len || memcmp(got->data.ptr, bytes, len)) {
            FAIL("%.*s: the data differ", EV_FMT(what));
        }
        free(bytes);
    } else if (got->data.ptr) {
        FAIL("%.*s: data, want none", EV_FMT(what));
    }
    const ev_json *extensions = ev_json_get(want, "extensions");
    if (ev_json_count(extensions) != got->extension_count) {
        FAIL("%.*s: %zu extensions, want %zu", EV_FMT(what), got->extension_count, ev_json_count(extensions));
    } else {
        for (size_t k = 0; k < got->extension_count; k++) {
            ev_str n, v;
            ev_json_as_str(ev_json_item(ev_json_item(extensions, k), 0), &n);
            ev_json_as_str(ev_json_item(ev_json_item(extensions, k), 1), &v);
            if (!str_is(n, got->extensions[k].name) || !str_is(v, got->extensions[k].value)) {
                FAIL("%.*s: extension %zu differs", EV_FMT(what), k);
            }
        }
    }
    if (is_null(want, "time")) {
        if (got->time.present) FAIL("%.*s: a time, want none", EV_FMT(what));
    } else {
        check_time(what, got->time, ev_json_get(want, "time"));
    }
}

static void frames(const ev_json *cases) {
    for (size_t i = 0; i < ev_json_count(cases); i++) {
        const ev_json *c = ev_json_item(cases, i);
        ev_str name = member_str(c, "name");
        size_t len;
        uint8_t *frame = unhex(member_str(c, "frame"), &len);
        const ev_json *want = ev_json_get(c, "events");
        ev_str want_error = member_str(c, "error");
        frame_reader r = {frame, len, 0, 0, NULL, NULL};
        uint32_t remaining;
        ev_error *error = NULL;
        size_t read = 0;
        if (!frame_u32(&r, "event count", &remaining)) error = frame_error(&r);
        for (; !error; r.index++, remaining--) {
            if (remaining == 0) {
                if (r.len != r.at) {
                    error = ev_errorf(EV_INVALID_FRAME, "the event frame has %zu bytes after its last event",
                                      r.len - r.at);
                }
                break;
            }
            ev_event event;
            if (!frame_event(&r, &event)) {
                error = frame_error(&r);
                break;
            }
            if (read < ev_json_count(want)) {
                check_event(name, &event, ev_json_item(want, read));
            }
            read++;
        }
        checks++;
        if (error && !want_error.ptr) {
            FAIL("frame %.*s: %s", EV_FMT(name), error->message);
        } else if (!error && want_error.ptr) {
            FAIL("frame %.*s: read; want the error %.*s", EV_FMT(name), EV_FMT(want_error));
        } else if (error && !ev_str_eq(ev_cstr(error->message), want_error)) {
            FAIL("frame %.*s: %s, want %.*s", EV_FMT(name), error->message, EV_FMT(want_error));
        } else if (!error && read != ev_json_count(want)) {
            FAIL("frame %.*s: %zu events, want %zu", EV_FMT(name), read, ev_json_count(want));
        }
        free(frame);
    }
}

int main(void) {
    const ev_json *wire = load("/testdata/wire.json");
    const ev_json *golden = load("/testdata/frames.json");
    states(ev_json_get(wire, "states"));
    cbor_reads(ev_json_get(wire, "cbor_reads"));
    parameters(ev_json_get(wire, "parameters"));
    events(ev_json_get(wire, "events"));
    times(ev_json_get(golden, "times"));
    frames(ev_json_get(golden, "frames"));
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}

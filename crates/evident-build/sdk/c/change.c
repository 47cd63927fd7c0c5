/* State changes: the `state-change` exports, the events `process` emits, and the checks the
 * Rust SDK's change.rs makes around it. */
#include <stdlib.h>
#include <string.h>

#include "evident_internal.h"

static const char JSON_TYPE[] = "application/json";
static const char CBOR_TYPE[] = "application/cbor";

/* ---- Emitted events ---- */

struct ev_new_event {
    ev_str id, source, specversion, type;
    ev_str datacontenttype, dataschema, subject; /* malloc'd; ptr NULL: absent */
    ev_time time;
    bool has_data;
    ev_json_writer data;
    ev_pair *extensions; /* malloc'd names and values */
    size_t extension_count, extension_cap;
};

struct ev_events {
    ev_new_event **items;
    size_t count, cap;
};

static ev_str owned(ev_str s) {
    ev_str copy = {ev__dup(s.ptr ? s.ptr : "", s.len), s.len};
    return copy;
}

static void replace(ev_str *field, ev_str value) {
    free((void *)field->ptr);
    *field = owned(value);
}

ev_new_event *ev_emit(ev_events *out, ev_str id, ev_str source, ev_str type) {
    ev_new_event *event = ev__zalloc(sizeof *event);
    event->id = owned(id);
    event->source = owned(source);
    event->specversion = owned(ev_cstr("1.0"));
    event->type = owned(type);
    if (out->count == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 4;
        out->items = ev__realloc(out->items, out->cap * sizeof *out->items);
    }
    out->items[out->count++] = event;
    return event;
}

void ev_set_subject(ev_new_event *event, ev_str subject) { replace(&event->subject, subject); }

void ev_set_dataschema(ev_new_event *event, ev_str dataschema) {
    replace(&event->dataschema, dataschema);
}

void ev_set_time(ev_new_event *event, ev_time time) { event->time = time; }

void ev_set_data(ev_new_event *event, ev_str content_type, const void *data, size_t len) {
    replace(&event->datacontenttype, content_type);
    ev_buf_free(&event->data.out);
    event->data.invalid = false;
    event->data.comma = false;
    ev_buf_append(&event->data.out, data, len);
    event->has_data = true;
}

ev_json_writer *ev_set_json_data(ev_new_event *event) {
    ev_set_data(event, ev_cstr(JSON_TYPE), "", 0);
    return &event->data;
}

void ev_add_extension(ev_new_event *event, ev_str name, ev_str value) {
    /* A name given again replaces its value, as the Rust Event's map does. */
    for (size_t i = 0; i < event->extension_count; i++) {
        if (ev_str_eq(event->extensions[i].name, name)) {
            replace(&event->extensions[i].value, value);
            return;
        }
    }
    if (event->extension_count == event->extension_cap) {
        event->extension_cap = event->extension_cap ? event->extension_cap * 2 : 4;
        event->extensions =
            ev__realloc(event->extensions, event->extension_cap * sizeof *event->extensions);
    }
    ev_pair pair = {owned(name), owned(value)};
    event->extensions[event->extension_count++] = pair;
}

static void free_events(ev_events *events) {
    for (size_t i = 0; i < events->count; i++) {
        ev_new_event *e = events->items[i];
        free((void *)e->id.ptr);
        free((void *)e->source.ptr);
        free((void *)e->specversion.ptr);
        free((void *)e->type.ptr);
        free((void *)e->datacontenttype.ptr);
        free((void *)e->dataschema.ptr);
        free((void *)e->subject.ptr);
        ev_buf_free(&e->data.out);
        for (size_t k = 0; k < e->extension_count; k++) {
            free((void *)e->extensions[k].name.ptr);
            free((void *)e->extensions[k].value.ptr);
        }
        free(e->extensions);
        free(e);
    }
    free(events->items);
    events->items = NULL;
    events->count = events->cap = 0;
}

/* Sorts extensions by name (few of them: insertion sort), as the Rust Event's map lists them. */
static void sort_by_name(ev_pair *pairs, size_t count) {
    for (size_t i = 1; i < count; i++) {
        ev_pair pair = pairs[i];
        size_t j = i;
        for (; j > 0 && ev_str_cmp(pairs[j - 1].name, pair.name) > 0; j--) pairs[j] = pairs[j - 1];
        pairs[j] = pair;
    }
}

/* ---- The CloudEvents rules (evident_types::Event::validate) ---- */

static bool is_space_or_control(uint32_t cp) {
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == ' ') return true;
    return cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

static bool has_space_or_control(ev_str s) {
    const uint8_t *b = (const uint8_t *)s.ptr;
    for (size_t i = 0; i < s.len;) {
        uint32_t cp = b[i];
        size_t n = cp < 0x80 ? 1 : cp < 0xe0 ? 2 : cp < 0xf0 ? 3 : 4;
        if (n > 1) {
            cp &= 0x7f >> n;
            for (size_t k = 1; k < n && i + k < s.len; k++) cp = (cp << 6) | (b[i + k] & 0x3f);
        }
        if (is_space_or_control(cp)) return true;
        i += n;
    }
    return false;
}

static bool has_uri_scheme(ev_str uri) {
    const char *colon = memchr(uri.ptr, ':', uri.len);
    if (!colon || colon == uri.ptr) return false;
    char first = uri.ptr[0];
    if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) return false;
    for (const char *c = uri.ptr + 1; c < colon; c++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                  *c == '+' || *c == '-' || *c == '.';
        if (!ok) return false;
    }
    return true;
}

static const char *const RESERVED[] = {"id",      "source",     "specversion", "type",
                                       "datacontenttype", "dataschema", "subject",
                                       "time",    "data",       "data_base64"};

static bool is_space(char c);

/* An RFC 2045 token: one or more characters, none a control, a space or a tspecial. */
static bool is_token(const char *p, size_t len) {
    if (len == 0) return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= ' ' || c >= 0x7f || strchr("()<>@,;:\\\"/[]?=", c)) return false;
    }
    return true;
}

/* Whether `text` has the shape type/subtype[;parameters] (the parameters are not checked), as
 * the other SDKs check it before the host's full parser. */
static bool is_media_type(ev_str text) {
    size_t end = 0;
    while (end < text.len && text.ptr[end] != ';') end++;
    size_t start = 0;
    while (start < end && is_space(text.ptr[start])) start++;
    while (end > start && is_space(text.ptr[end - 1])) end--;
    size_t slash = start;
    while (slash < end && text.ptr[slash] != '/') slash++;
    return slash < end && is_token(text.ptr + start, slash - start) &&
           is_token(text.ptr + slash + 1, end - slash - 1);
}

/* Appends what breaks a rule ("attribute `id` must not be empty") and returns true, or false. */
static bool breaks_a_rule(const ev_new_event *e, ev_buf *why) {
    if (!ev_str_eq_c(e->specversion, "1.0")) {
        ev_buf_cstr(why, "attribute `specversion` is ");
        ev_buf_quoted(why, e->specversion);
        ev_buf_cstr(why, "; only \"1.0\" is supported");
        return true;
    }
    if (e->id.len == 0) return ev_buf_cstr(why, "attribute `id` must not be empty"), true;
    if (e->source.len == 0) return ev_buf_cstr(why, "attribute `source` must not be empty"), true;
    if (has_space_or_control(e->source)) {
        ev_buf_cstr(why, "attribute `source` is not a URI reference (it contains whitespace)");
        return true;
    }
    if (e->type.len == 0) return ev_buf_cstr(why, "attribute `type` must not be empty"), true;
    if (e->datacontenttype.ptr && e->datacontenttype.len == 0) {
        return ev_buf_cstr(why, "attribute `datacontenttype` must not be empty"), true;
    }
    if (e->datacontenttype.ptr && !is_media_type(e->datacontenttype)) {
        ev_buf_cstr(why, "attribute `datacontenttype` is ");
        ev_buf_quoted(why, e->datacontenttype);
        ev_buf_cstr(why, ", not an RFC 2046 media type");
        return true;
    }
    if (e->dataschema.ptr) {
        if (e->dataschema.len == 0) {
            return ev_buf_cstr(why, "attribute `dataschema` must not be empty"), true;
        }
        if (!has_uri_scheme(e->dataschema)) {
            ev_buf_cstr(why, "attribute `dataschema` is ");
            ev_buf_quoted(why, e->dataschema);
            ev_buf_cstr(why, ", not an absolute URI");
            return true;
        }
    }
    if (e->subject.ptr && e->subject.len == 0) {
        return ev_buf_cstr(why, "attribute `subject` must not be empty"), true;
    }
    if (e->time.present && !ev__time_in_range(e->time.seconds, e->time.nanos, e->time.offset_seconds)) {
        return ev_buf_cstr(why, "attribute `time` is out of range"), true;
    }
    if (e->has_data && e->data.invalid) {
        return ev_buf_cstr(why, "attribute `data` has a string that is not UTF-8"), true;
    }
    for (size_t i = 0; i < e->extension_count; i++) {
        ev_str name = e->extensions[i].name;
        bool reserved = false;
        for (size_t k = 0; k < sizeof RESERVED / sizeof *RESERVED; k++) {
            if (ev_str_eq_c(name, RESERVED[k])) reserved = true;
        }
        if (reserved) {
            ev_buf_printf(why, "attribute `%.*s` is a reserved attribute name and cannot be an "
                               "extension", EV_FMT(name));
            return true;
        }
        bool valid = name.len > 0;
        for (size_t k = 0; k < name.len; k++) {
            char c = name.ptr[k];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) valid = false;
        }
        if (!valid) {
            ev_buf_printf(why, "attribute `%.*s` is not a valid extension name (only a-z and 0-9 "
                               "are allowed)", EV_FMT(name));
            return true;
        }
    }
    return false;
}

/* ---- Lowering the result ---- */

enum { EVENT_RECORD = 100 };

static size_t padded(size_t n) { return (n + 3) & ~(size_t)3; }

/* Lays out the events as a list<event> in one block (records, then strings), freed after the
 * host read it. */
static uint8_t *ok_events(ev_events *events) {
    size_t size = events->count * EVENT_RECORD;
    ev_buf times[events->count ? events->count : 1];
    for (size_t i = 0; i < events->count; i++) {
        ev_new_event *e = events->items[i];
        sort_by_name(e->extensions, e->extension_count);
        memset(&times[i], 0, sizeof times[i]);
        if (e->time.present) ev_time_format(&times[i], e->time);
        size += padded(e->id.len) + padded(e->source.len) + padded(e->specversion.len) +
                padded(e->type.len) + padded(e->datacontenttype.len) + padded(e->dataschema.len) +
                padded(e->subject.len) + padded(times[i].len) + padded(e->data.out.len) +
                e->extension_count * sizeof(ev_pair);
        for (size_t k = 0; k < e->extension_count; k++) {
            size += padded(e->extensions[k].name.len) + padded(e->extensions[k].value.len);
        }
    }
    uint8_t *block = ev__alloc(size);
    uint8_t *next = block + events->count * EVENT_RECORD;
#define PUT(at, bytes, len)                                                                     \
    do {                                                                                        \
        size_t n_ = (len);                                                                      \
        if (n_) memcpy(next, (bytes), n_);                                                      \
        ev__store_ptr((at), next);                                                              \
        ev__store_u32((at) + 4, (uint32_t)n_);                                                  \
        next += padded(n_);                                                                     \
    } while (0)
#define PUT_OPTION(at, present, bytes, len)                                                     \
    do {                                                                                        \
        memset((at), 0, 12);                                                                    \
        if (present) {                                                                          \
            (at)[0] = 1;                                                                        \
            PUT((at) + 4, (bytes), (len));                                                      \
        }                                                                                       \
    } while (0)
    for (size_t i = 0; i < events->count; i++) {
        ev_new_event *e = events->items[i];
        uint8_t *record = block + i * EVENT_RECORD;
        PUT(record + 0, e->id.ptr, e->id.len);
        PUT(record + 8, e->source.ptr, e->source.len);
        PUT(record + 16, e->specversion.ptr, e->specversion.len);
        PUT(record + 24, e->type.ptr, e->type.len);
        PUT_OPTION(record + 32, e->datacontenttype.ptr, e->datacontenttype.ptr, e->datacontenttype.len);
        PUT_OPTION(record + 44, e->dataschema.ptr, e->dataschema.ptr, e->dataschema.len);
        PUT_OPTION(record + 56, e->subject.ptr, e->subject.ptr, e->subject.len);
        PUT_OPTION(record + 68, e->time.present, times[i].data, times[i].len);
        PUT_OPTION(record + 80, e->has_data, e->data.out.data, e->data.out.len);
        uint8_t *pairs = next;
        next += e->extension_count * sizeof(ev_pair);
        for (size_t k = 0; k < e->extension_count; k++) {
            PUT(pairs + k * 16, e->extensions[k].name.ptr, e->extensions[k].name.len);
            PUT(pairs + k * 16 + 8, e->extensions[k].value.ptr, e->extensions[k].value.len);
        }
        ev__store_ptr(record + 92, pairs);
        ev__store_u32(record + 96, (uint32_t)e->extension_count);
        ev_buf_free(&times[i]);
    }
#undef PUT
#undef PUT_OPTION
    ev__own(block);
    uint8_t *ret = ev__ret_area;
    memset(ret, 0, 32);
    ev__store_ptr(ret + 4, block);
    ev__store_u32(ret + 8, (uint32_t)events->count);
    return ret;
}

/* `err(error{code, message, details})`; a refusal without a code gets the empty code. */
static uint8_t *err_record(ev_error *error) {
    uint8_t *ret = ev__ret_area;
    memset(ret, 0, 32);
    ret[0] = 1;
    char *code = error->code ? error->code : ev__dup("", 0);
    ev__store_ptr(ret + 4, code);
    ev__store_u32(ret + 8, (uint32_t)strlen(code));
    ev__store_ptr(ret + 12, error->message);
    ev__store_u32(ret + 16, (uint32_t)strlen(error->message));
    if (error->has_details) {
        ret[20] = 1;
        ev__store_ptr(ret + 24, error->details ? error->details : (uint8_t *)1);
        ev__store_u32(ret + 28, (uint32_t)error->details_len);
    }
    ev__own(code);
    ev__own(error->message);
    ev__own(error->details);
    free(error);
    return ret;
}

/* ---- Decoding state and command ---- */

static void drop_state(const ev_change_def *def, void *state) {
    if (!state) return;
    def->drop(state);
    free(state);
}

static ev_error *decode_state(const ev_change_def *def, ev_str content_type, ev_bytes bytes,
                              void **out) {
    *out = NULL;
    void *state = ev__zalloc(def->state_size);
    ev_error *error = EV_OK;
    if (content_type.len == 0) {
        if (bytes.len) {
            error = ev_errorf(EV_INVALID_STATE,
                              "the state has %zu bytes but no content type (\"no state yet\" has "
                              "no bytes)",
                              bytes.len);
        } else if (def->make_default) {
            def->make_default(state);
        }
    } else if (!ev_str_eq_c(content_type, JSON_TYPE)) {
        ev_buf message = {0};
        ev_buf_cstr(&message, "the state is ");
        ev_buf_quoted(&message, content_type);
        ev_buf_cstr(&message, " but this change stores \"application/json\"");
        error = ev_error_from_buf(EV_INVALID_STATE, &message);
    } else {
        const ev_json *json = ev__json_parse(bytes.ptr, bytes.len, &error);
        if (!error) error = def->decode(state, json);
        if (error) {
            error = ev__wrap_error(EV_INVALID_STATE, "cannot decode the state: application/json: ",
                                   error);
        }
    }
    if (error) {
        drop_state(def, state);
        return error;
    }
    *out = state;
    return EV_OK;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* The media type without parameters, trimmed, compared case-insensitively with `expected`. */
static bool essence_is(ev_str content_type, const char *expected) {
    const char *end = memchr(content_type.ptr, ';', content_type.len);
    size_t len = end ? (size_t)(end - content_type.ptr) : content_type.len;
    const char *start = content_type.ptr;
    while (len && is_space(*start)) start++, len--;
    while (len && is_space(start[len - 1])) len--;
    if (len != strlen(expected)) return false;
    for (size_t i = 0; i < len; i++) {
        char c = start[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != expected[i]) return false;
    }
    return true;
}

/* Decodes a command by its content type (JSON or CBOR), as codec::decode_by_content_type. */
static ev_error *decode_command(ev_str content_type, ev_bytes bytes, const ev_json **out) {
    ev_error *error = EV_OK;
    if (content_type.len && essence_is(content_type, JSON_TYPE)) {
        *out = ev__json_parse(bytes.ptr, bytes.len, &error);
        if (error) {
            error = ev__wrap_error(EV_INVALID_COMMAND,
                                   "cannot decode the command: application/json: ", error);
        }
    } else if (content_type.len && essence_is(content_type, CBOR_TYPE)) {
        *out = ev__cbor_parse(bytes.ptr, bytes.len, &error);
        if (error) {
            error = ev__wrap_error(EV_INVALID_COMMAND,
                                   "cannot decode the command: application/cbor: ", error);
        }
    } else {
        ev_buf message = {0};
        ev_buf_cstr(&message, "cannot decode the command: content type ");
        ev_buf_quoted(&message, content_type);
        ev_buf_cstr(&message, " is not supported (use application/json or application/cbor)");
        error = ev_error_from_buf(EV_UNSUPPORTED_CONTENT_TYPE, &message);
    }
    return error;
}

/* ---- state-change ---- */

uint8_t *ev__change_process(const ev_change_def *def, char *state_type, size_t state_type_len,
                            uint32_t state_schema_present, char *state_schema,
                            size_t state_schema_len, uint8_t *state_bytes, size_t state_len,
                            char *command_type, size_t command_type_len,
                            uint32_t command_schema_present, char *command_schema,
                            size_t command_schema_len, uint8_t *command_bytes,
                            size_t command_len, ev_pair *pairs, size_t count) {
    ev__scratch_reset();
    ev_str type = {state_type, state_type_len};
    ev_bytes encoded = {state_bytes, state_len};
    ev_str command_content_type = {command_type, command_type_len};
    ev_bytes command_encoded = {command_bytes, command_len};
    ev_params params = {pairs, count};
    ev_events events = {0};
    void *state = NULL;
    const ev_json *command = NULL;
    ev_error *error = decode_state(def, type, encoded, &state);
    if (!error) error = decode_command(command_content_type, command_encoded, &command);
    if (!error) error = def->process(state, command, &params, &events);
    for (size_t i = 0; !error && i < events.count; i++) {
        ev_buf why = {0};
        if (breaks_a_rule(events.items[i], &why)) {
            ev_buf message = {0};
            ev_buf_printf(&message, "event %zu (id ", i);
            ev_buf_quoted(&message, events.items[i]->id);
            ev_buf_printf(&message, ") is not a valid CloudEvent: %.*s", EV_FMT(ev_buf_view(&why)));
            error = ev_error_from_buf(EV_INVALID_EVENT, &message);
        }
        ev_buf_free(&why);
    }
    uint8_t *ret = error ? err_record(error) : ok_events(&events);
    free_events(&events);
    drop_state(def, state);
    ev__free_lowered(state_type, state_type_len);
    if (state_schema_present) ev__free_lowered(state_schema, state_schema_len);
    ev__free_lowered(state_bytes, state_len);
    ev__free_lowered(command_type, command_type_len);
    if (command_schema_present) ev__free_lowered(command_schema, command_schema_len);
    ev__free_lowered(command_bytes, command_len);
    ev__free_pairs(pairs, count);
    return ret;
}

/* The change whose `validate` is running, for ev_validate_by_process. */
static const ev_change_def *validating;

bool ev_validate_by_process(const void *state, const ev_json *command) {
    ev_events events = {0};
    ev_params none = {NULL, 0};
    ev_error *error = validating->process(state, command, &none, &events);
    bool accepted = error == EV_OK;
    free_events(&events);
    ev_error_free(error);
    return accepted;
}

uint8_t *ev__change_validate(const ev_change_def *def, char *state_type, size_t state_type_len,
                             uint32_t state_schema_present, char *state_schema,
                             size_t state_schema_len, uint8_t *state_bytes, size_t state_len,
                             char *command_type, size_t command_type_len,
                             uint32_t command_schema_present, char *command_schema,
                             size_t command_schema_len, uint8_t *command_bytes,
                             size_t command_len) {
    ev__scratch_reset();
    ev_str type = {state_type, state_type_len};
    ev_bytes encoded = {state_bytes, state_len};
    ev_str command_content_type = {command_type, command_type_len};
    ev_bytes command_encoded = {command_bytes, command_len};
    void *state = NULL;
    uint8_t *ret = ev__ret_area;
    memset(ret, 0, 32);
    ev_error *error = decode_state(def, type, encoded, &state);
    if (error) {
        /* Nothing can be said about any command against a state that does not decode. */
        ev__refuse(error);
        ret[0] = 1;
        ev__store_ptr(ret + 4, error->message);
        ev__store_u32(ret + 8, (uint32_t)strlen(error->message));
        ev__own(error->message);
        error->message = NULL;
        ev_error_free(error);
    } else {
        /* A command that does not decode is simply invalid. */
        const ev_json *command = NULL;
        ev_error *undecodable = decode_command(command_content_type, command_encoded, &command);
        bool valid = false;
        if (undecodable) {
            ev_error_free(undecodable);
        } else {
            validating = def;
            valid = def->validate(state, command);
            validating = NULL;
        }
        ret[4] = valid ? 1 : 0;
    }
    drop_state(def, state);
    ev__free_lowered(state_type, state_type_len);
    if (state_schema_present) ev__free_lowered(state_schema, state_schema_len);
    ev__free_lowered(state_bytes, state_len);
    ev__free_lowered(command_type, command_type_len);
    if (command_schema_present) ev__free_lowered(command_schema, command_schema_len);
    ev__free_lowered(command_bytes, command_len);
    return ret;
}

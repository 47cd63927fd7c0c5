/* State views: the `state-view` exports (one event per call) and the `state-view-batch` ones
 * (the state kept in the instance while frames of events are applied), as the Rust SDK's
 * view.rs and wire.rs do them. */
#include <stdlib.h>
#include <string.h>

#include "evident_internal.h"

static const char JSON_TYPE[] = "application/json";

/* ---- Results ---- */

/* `ok(state)` of a result<state, string>: the bytes are freed after the host read them. */
static uint8_t *ok_state(ev_buf *bytes) {
    uint8_t *ret = ev__ret_area;
    memset(ret, 0, 32);
    ev__store_ptr(ret + 4, JSON_TYPE);
    ev__store_u32(ret + 8, sizeof JSON_TYPE - 1);
    ret[12] = 0; /* no schema-id */
    ev__store_ptr(ret + 24, bytes->data);
    ev__store_u32(ret + 28, (uint32_t)bytes->len);
    ev__own(bytes->data);
    return ret;
}

/* Hands the error's message to the result (freed after the host read it), the rest freed. */
static void take_message(ev_error *error, uint8_t *at) {
    ev__store_ptr(at, error->message);
    ev__store_u32(at + 4, (uint32_t)strlen(error->message));
    ev__own(error->message);
    error->message = NULL;
    ev_error_free(error);
}

/* `err(message)` of a result<_, string>: its code (if any) goes to the host first. */
static uint8_t *err_string(ev_error *error) {
    uint8_t *ret = ev__ret_area;
    memset(ret, 0, 32);
    ev__refuse(error);
    ret[0] = 1;
    take_message(error, ret + 4);
    return ret;
}

static uint8_t *ok_unit(void) {
    memset(ev__ret_area, 0, 32);
    return ev__ret_area;
}

/* ---- Decoding and encoding the state ---- */

static void drop_state(const ev_view_def *def, void *state) {
    if (!state) return;
    def->drop(state);
    free(state);
}

/* Decodes a state this view stored, refusing one in another format; "no state yet" starts
 * from `initialize`. On failure the state is dropped and NULL returned. */
static ev_error *decode_state(const ev_view_def *def, ev_str content_type, ev_bytes bytes,
                              const ev_params *params, void **out) {
    *out = NULL;
    void *state = ev__zalloc(def->state_size);
    ev_error *error = EV_OK;
    if (content_type.len == 0) {
        if (bytes.len) {
            error = ev_errorf(EV_INVALID_STATE,
                              "the state has %zu bytes but no content type (\"no state yet\" has "
                              "no bytes)",
                              bytes.len);
        } else {
            error = def->initialize(state, params);
        }
    } else if (!ev_str_eq_c(content_type, JSON_TYPE)) {
        ev_buf message = {0};
        ev_buf_cstr(&message, "the state is ");
        ev_buf_quoted(&message, content_type);
        ev_buf_cstr(&message, " but this view stores \"application/json\"");
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

/* ---- Events ---- */

ev_str ev_event_extension(const ev_event *event, const char *name) {
    ev_str wanted = ev_cstr(name);
    for (size_t i = 0; i < event->extension_count; i++) {
        if (ev_str_eq(event->extensions[i].name, wanted)) return event->extensions[i].value;
    }
    ev_str absent = {NULL, 0};
    return absent;
}

const ev_json *ev_event_data_json(const ev_event *event, ev_error **error) {
    if (!event->data.ptr) {
        *error = ev_error_new(NULL, "missing required attribute `data`");
        return NULL;
    }
    const ev_json *json = ev__json_parse(event->data.ptr, event->data.len, error);
    if (!json) *error = ev__wrap_error(NULL, "attribute `data` is not the JSON expected: ", *error);
    return json;
}

/* A lowered string or option<string> at `at` in the argument block. */
static ev_str arg_str(const uint8_t *at) {
    ev_str s = {ev__load_ptr(at), ev__load_u32(at + 4)};
    return s;
}

static ev_str arg_option(const uint8_t *at) {
    ev_str absent = {NULL, 0};
    return at[0] ? arg_str(at + 4) : absent;
}

static void free_arg_str(const uint8_t *at) { ev__free_lowered(ev__load_ptr(at), ev__load_u32(at + 4)); }

static void free_arg_option(const uint8_t *at) {
    if (at[0]) free_arg_str(at + 4);
}

/* The name given twice in `pairs`, if any. */
static const ev_str *repeated_name(const ev_pair *pairs, size_t count) {
    for (size_t i = 1; i < count; i++) {
        for (size_t j = 0; j < i; j++) {
            if (ev_str_eq(pairs[i].name, pairs[j].name)) return &pairs[i].name;
        }
    }
    return NULL;
}

/* ---- state-view ---- */

uint8_t *ev__view_initialize(const ev_view_def *def, ev_pair *pairs, size_t count) {
    ev__scratch_reset();
    ev_params params = {pairs, count};
    void *state = ev__zalloc(def->state_size);
    ev_buf bytes = {0};
    ev_error *error = def->initialize(state, &params);
    if (!error) error = ev__encode_state(def->encode, state, &bytes);
    drop_state(def, state);
    ev__free_pairs(pairs, count);
    return error ? err_string(error) : ok_state(&bytes);
}

/* Offsets in reduce's argument block: state (28 bytes), event (100), parameters (8). */
enum {
    STATE_TYPE = 0, STATE_SCHEMA = 8, STATE_BYTES = 20,
    EVENT = 28,
    EVENT_ID = EVENT + 0, EVENT_SOURCE = EVENT + 8, EVENT_SPEC = EVENT + 16,
    EVENT_TYPE = EVENT + 24, EVENT_DCT = EVENT + 32, EVENT_SCHEMA = EVENT + 44,
    EVENT_SUBJECT = EVENT + 56, EVENT_TIME = EVENT + 68, EVENT_DATA = EVENT + 80,
    EVENT_EXTENSIONS = EVENT + 92,
    PARAMS = 128,
    REDUCE_ARGS = 136,
};

static ev_error *invalid_event(ev_str id, const char *what) {
    ev_buf message = {0};
    ev_buf_cstr(&message, "event ");
    ev_buf_quoted(&message, id);
    ev_buf_cstr(&message, what);
    return ev_error_from_buf(EV_INVALID_EVENT, &message);
}

uint8_t *ev__view_reduce(const ev_view_def *def, uint8_t *args) {
    ev__scratch_reset();
    ev_params params = {ev__load_ptr(args + PARAMS), ev__load_u32(args + PARAMS + 4)};
    ev_event event;
    memset(&event, 0, sizeof event);
    event.id = arg_str(args + EVENT_ID);
    event.source = arg_str(args + EVENT_SOURCE);
    event.specversion = arg_str(args + EVENT_SPEC);
    event.type = arg_str(args + EVENT_TYPE);
    event.datacontenttype = arg_option(args + EVENT_DCT);
    event.dataschema = arg_option(args + EVENT_SCHEMA);
    event.subject = arg_option(args + EVENT_SUBJECT);
    ev_str data = arg_option(args + EVENT_DATA);
    event.data.ptr = (const uint8_t *)data.ptr;
    event.data.len = data.len;
    event.extensions = ev__load_ptr(args + EVENT_EXTENSIONS);
    event.extension_count = ev__load_u32(args + EVENT_EXTENSIONS + 4);

    ev_error *error = EV_OK;
    ev_str time = arg_option(args + EVENT_TIME);
    if (time.ptr) {
        const char *reason = ev__parse_time(time, &event.time);
        if (reason) {
            ev_buf what = {0};
            ev_buf_cstr(&what, " is not a valid CloudEvent: attribute `time` is ");
            ev_buf_quoted(&what, time);
            ev_buf_printf(&what, ", not an RFC 3339 timestamp (%s)", reason);
            error = invalid_event(event.id, ev_buf_cstring(&what));
            ev_buf_free(&what);
        }
    }
    const ev_str *twice = error ? NULL : repeated_name(event.extensions, event.extension_count);
    if (twice) {
        ev_buf what = {0};
        ev_buf_printf(&what, " names extension `%.*s` twice", EV_FMT(*twice));
        error = invalid_event(event.id, ev_buf_cstring(&what));
        ev_buf_free(&what);
    }
    void *state = NULL;
    ev_buf bytes = {0};
    if (!error) {
        ev_str content_type = arg_str(args + STATE_TYPE);
        ev_str state_bytes = arg_str(args + STATE_BYTES);
        ev_bytes encoded = {(const uint8_t *)state_bytes.ptr, state_bytes.len};
        error = decode_state(def, content_type, encoded, &params, &state);
    }
    if (!error) error = def->reduce(state, &event, &params);
    if (!error) error = ev__encode_state(def->encode, state, &bytes);
    drop_state(def, state);

    free_arg_str(args + STATE_TYPE);
    free_arg_option(args + STATE_SCHEMA);
    free_arg_str(args + STATE_BYTES);
    free_arg_str(args + EVENT_ID);
    free_arg_str(args + EVENT_SOURCE);
    free_arg_str(args + EVENT_SPEC);
    free_arg_str(args + EVENT_TYPE);
    free_arg_option(args + EVENT_DCT);
    free_arg_option(args + EVENT_SCHEMA);
    free_arg_option(args + EVENT_SUBJECT);
    free_arg_option(args + EVENT_TIME);
    free_arg_option(args + EVENT_DATA);
    ev__free_pairs((ev_pair *)event.extensions, event.extension_count);
    ev__free_pairs((ev_pair *)params.pairs, params.count);
    ev__free_lowered(args, REDUCE_ARGS);
    return error ? err_string(error) : ok_state(&bytes);
}

/* ---- state-view-batch ---- */

/* The view kept between batch calls. */
static struct {
    bool loaded;
    bool failed; /* an event failed: `reduce` may have changed the state halfway */
    void *state;
    ev_pair *params; /* lowered by the host, kept until the next load-state */
    size_t param_count;
    ev_pair *extensions; /* reused for each event's extensions */
    size_t extension_cap;
} resident;

static const char NOT_LOADED[] = "no state is loaded: call load-state first";

static void unload(const ev_view_def *def) {
    drop_state(def, resident.state);
    ev__free_pairs(resident.params, resident.param_count);
    resident.state = NULL;
    resident.params = NULL;
    resident.param_count = 0;
    resident.loaded = false;
    resident.failed = false;
}

uint8_t *ev__view_load_state(const ev_view_def *def, char *content_type, size_t content_type_len,
                             uint32_t schema_present, char *schema, size_t schema_len,
                             uint8_t *bytes, size_t bytes_len, ev_pair *pairs, size_t count) {
    ev__scratch_reset();
    unload(def);
    ev_str type = {content_type, content_type_len};
    ev_bytes encoded = {bytes, bytes_len};
    ev_params params = {pairs, count};
    void *state;
    ev_error *error = decode_state(def, type, encoded, &params, &state);
    ev__free_lowered(content_type, content_type_len);
    if (schema_present) ev__free_lowered(schema, schema_len);
    ev__free_lowered(bytes, bytes_len);
    if (error) {
        ev__free_pairs(pairs, count);
        return err_string(error);
    }
    resident.state = state;
    resident.params = pairs;
    resident.param_count = count;
    resident.loaded = true;
    return ok_unit();
}

/* Reads one event of a frame, checking its structure as evident_types::frame does. */
typedef struct frame_reader {
    const uint8_t *bytes;
    size_t len;
    size_t at;
    uint32_t index;
    const char *what;  /* the attribute at fault */
    const char *error; /* "truncated", "utf8" or "invalid" */
} frame_reader;

static bool frame_fail(frame_reader *r, const char *error, const char *what) {
    r->error = error;
    r->what = what;
    return false;
}

static bool frame_take(frame_reader *r, const char *what, size_t n, const uint8_t **out) {
    if (r->len - r->at < n) return frame_fail(r, "truncated", what);
    *out = r->bytes + r->at;
    r->at += n;
    return true;
}

static bool frame_u32(frame_reader *r, const char *what, uint32_t *out) {
    const uint8_t *b;
    if (!frame_take(r, what, 4, &b)) return false;
    *out = ev__load_u32(b);
    return true;
}

static bool frame_bytes(frame_reader *r, const char *what, bool optional, bool text, ev_str *out) {
    uint32_t len;
    if (!frame_u32(r, what, &len)) return false;
    if (optional && len == 0xffffffffu) {
        out->ptr = NULL;
        out->len = 0;
        return true;
    }
    const uint8_t *b;
    if (!frame_take(r, what, len, &b)) return false;
    if (text && !ev_utf8_valid(b, len)) return frame_fail(r, "utf8", what);
    out->ptr = (const char *)b;
    out->len = len;
    return true;
}

static bool frame_event(frame_reader *r, ev_event *e) {
    memset(e, 0, sizeof *e);
    if (!frame_bytes(r, "id", false, true, &e->id) ||
        !frame_bytes(r, "source", false, true, &e->source) ||
        !frame_bytes(r, "specversion", false, true, &e->specversion) ||
        !frame_bytes(r, "type", false, true, &e->type) ||
        !frame_bytes(r, "datacontenttype", true, true, &e->datacontenttype) ||
        !frame_bytes(r, "dataschema", true, true, &e->dataschema) ||
        !frame_bytes(r, "subject", true, true, &e->subject)) {
        return false;
    }
    const uint8_t *flag;
    if (!frame_take(r, "time", 1, &flag)) return false;
    if (*flag == 1) {
        const uint8_t *b;
        if (!frame_take(r, "time", 16, &b)) return false;
        int64_t seconds;
        int32_t offset;
        memcpy(&seconds, b, 8);
        uint32_t nanos = ev__load_u32(b + 8);
        memcpy(&offset, b + 12, 4);
        if (!ev__time_in_range(seconds, nanos, offset)) return frame_fail(r, "invalid", "time");
        e->time.present = true;
        e->time.seconds = seconds;
        e->time.nanos = nanos;
        e->time.offset_seconds = offset;
    } else if (*flag != 0) {
        return frame_fail(r, "invalid", "time");
    }
    ev_str data;
    if (!frame_bytes(r, "data", true, false, &data)) return false;
    e->data.ptr = (const uint8_t *)data.ptr;
    e->data.len = data.len;
    uint32_t count;
    if (!frame_u32(r, "extensions", &count)) return false;
    for (uint32_t i = 0; i < count; i++) {
        ev_pair pair;
        if (!frame_bytes(r, "extension name", false, true, &pair.name) ||
            !frame_bytes(r, "extension value", false, true, &pair.value)) {
            return false;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (ev_str_eq(resident.extensions[j].name, pair.name)) {
                return frame_fail(r, "invalid", "extensions");
            }
        }
        if (i == resident.extension_cap) {
            resident.extension_cap = resident.extension_cap ? resident.extension_cap * 2 : 8;
            resident.extensions = ev__realloc(resident.extensions,
                                              resident.extension_cap * sizeof *resident.extensions);
        }
        resident.extensions[i] = pair;
    }
    e->extensions = resident.extensions;
    e->extension_count = count;
    return true;
}

/* The FrameError message, with code invalid-frame. */
static ev_error *frame_error(const frame_reader *r) {
    if (!strcmp(r->error, "truncated")) {
        return ev_errorf(EV_INVALID_FRAME, "the event frame is truncated in event %u (%s)",
                         r->index, r->what);
    }
    if (!strcmp(r->error, "utf8")) {
        return ev_errorf(EV_INVALID_FRAME,
                         "the event frame's event %u has a `%s` that is not UTF-8", r->index,
                         r->what);
    }
    return ev_errorf(EV_INVALID_FRAME, "the event frame's event %u has an invalid `%s`", r->index,
                     r->what);
}

/* `err(batch-error{index, message})`, the code (if any) given to the host first. */
static uint8_t *batch_error(uint32_t index, ev_error *error) {
    uint8_t *ret = ev__ret_area;
    memset(ret, 0, 32);
    ev__refuse(error);
    ret[0] = 1;
    ev__store_u32(ret + 4, index);
    take_message(error, ret + 8);
    return ret;
}

uint8_t *ev__view_apply_events(const ev_view_def *def, uint8_t *frame, size_t len) {
    ev__scratch_reset();
    uint8_t *ret;
    if (!resident.loaded) {
        ret = batch_error(0, ev_error_new(NULL, NOT_LOADED));
        goto done;
    }
    if (resident.failed) {
        ret = batch_error(0, ev_error_new(NULL, "an earlier event failed; load the state again"));
        goto done;
    }
    frame_reader r = {frame, len, 0, 0, NULL, NULL};
    uint32_t remaining;
    if (!frame_u32(&r, "event count", &remaining)) {
        ret = batch_error(0, frame_error(&r));
        goto done;
    }
    ev_params params = {resident.params, resident.param_count};
    for (;; r.index++, remaining--) {
        if (remaining == 0) {
            size_t trailing = r.len - r.at;
            if (trailing == 0) {
                ret = ok_unit();
                goto done;
            }
            resident.failed = true;
            ret = batch_error(r.index, ev_errorf(EV_INVALID_FRAME,
                                                 "the event frame has %zu bytes after its last event",
                                                 trailing));
            goto done;
        }
        ev__begin_event();
        ev_event event;
        ev_error *error;
        if (frame_event(&r, &event)) {
            ev__scratch_reset();
            error = def->reduce(resident.state, &event, &params);
        } else {
            error = frame_error(&r);
        }
        if (error) {
            resident.failed = true;
            ret = batch_error(r.index, error);
            goto done;
        }
    }
done:
    ev__free_lowered(frame, len);
    return ret;
}

uint8_t *ev__view_save_state(const ev_view_def *def) {
    ev__scratch_reset();
    if (!resident.loaded) return err_string(ev_error_new(NULL, NOT_LOADED));
    if (resident.failed) {
        return err_string(ev_error_new(NULL, "an event failed; the state is not saved"));
    }
    ev_buf bytes = {0};
    ev_error *error = ev__encode_state(def->encode, resident.state, &bytes);
    return error ? err_string(error) : ok_state(&bytes);
}

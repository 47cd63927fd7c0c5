/*
 * evident.h — write Evident state views and state changes in plain C.
 *
 * A state view is a struct type and four functions: `initialize` (the state before any event),
 * `reduce` (apply one event), `encode` (write the state as JSON) and `decode` (read it back).
 * A state change is `decode` and `process` (turn a command into events), optionally `validate`.
 * One macro line (EVIDENT_STATE_VIEW / EVIDENT_STATE_CHANGE) exports them as an Evident
 * component; the SDK implements the component's canonical ABI, frames, JSON, refusal codes and
 * parameters, and behaves like the Rust SDK (evident-guest-sdk).
 *
 * Conventions:
 * - Strings are UTF-8 slices (`ev_str`), not NUL-terminated. An absent optional attribute has
 *   `ptr == NULL`; a present empty one a non-NULL `ptr` and `len == 0`.
 * - A function that can fail returns `ev_error *`: NULL (EV_OK) on success, else an error the
 *   SDK reports and frees. An error may carry a code callers match on.
 * - Memory the SDK lends (events, parameters, parsed JSON, `ev_scratch_alloc`) is valid until
 *   the SDK's call into your code returns. Your state owns what it allocates (malloc is fine);
 *   free it in your `drop` function.
 * - No stdio: the component may import nothing but `evident:db`, and printf pulls in WASI.
 *   Use ev_log/ev_logf and ev_buf instead.
 */
#ifndef EVIDENT_H
#define EVIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The release of the evident:db WIT package the imports and exports belong to, the one place
 * the C and C++ SDKs name it: the build passes it (-DEVIDENT_WIT_VERSION="..."); this fallback
 * is the release the SDK is embedded with (sdk_tests.rs checks it). */
#ifndef EVIDENT_WIT_VERSION
#define EVIDENT_WIT_VERSION "0.5.0"
#endif

/* ---------------------------------------------------------------------------------------- */
/* Text and bytes                                                                             */

/* A UTF-8 string slice; `ptr == NULL` means absent. */
typedef struct ev_str {
    const char *ptr;
    size_t len;
} ev_str;

/* A byte slice; `ptr == NULL` means absent. */
typedef struct ev_bytes {
    const uint8_t *ptr;
    size_t len;
} ev_bytes;

#ifndef __cplusplus
/* An ev_str of a string literal. */
#define EV_STR(literal) ((ev_str){"" literal, sizeof(literal) - 1})
#endif

/* For printf-style formats: `ev_logf(EV_LOG_INFO, "id %.*s", EV_FMT(event->id))`. */
#define EV_FMT(s) (int)(s).len, (s).ptr

/* A NUL-terminated string as a slice (NULL gives an absent one). */
ev_str ev_cstr(const char *text);
/* Whether a slice is present (not an absent optional attribute). */
static inline bool ev_is_present(ev_str s) { return s.ptr != NULL; }
/* Byte equality. */
bool ev_str_eq(ev_str a, ev_str b);
/* Byte equality with a NUL-terminated string. */
bool ev_str_eq_c(ev_str a, const char *b);
/* Whether `s` starts with `prefix`. */
bool ev_str_starts_with(ev_str s, ev_str prefix);
/* Byte-wise order (UTF-8 byte order, which is code point order): <0, 0 or >0. */
int ev_str_cmp(ev_str a, ev_str b);
/* Whether the bytes are valid UTF-8. */
bool ev_utf8_valid(const void *bytes, size_t len);
/* A malloc'd, NUL-terminated copy. */
char *ev_str_dup(ev_str s);

/* A growable byte buffer, for building messages and event ids: zero-initialise it. */
typedef struct ev_buf {
    char *data;
    size_t len;
    size_t cap;
} ev_buf;

void ev_buf_append(ev_buf *buf, const void *bytes, size_t len);
void ev_buf_str(ev_buf *buf, ev_str s);
void ev_buf_cstr(ev_buf *buf, const char *text);
void ev_buf_char(ev_buf *buf, char c);
void ev_buf_i64(ev_buf *buf, int64_t value);
void ev_buf_u64(ev_buf *buf, uint64_t value);
/* Appends `s` quoted and escaped as Rust's `{:?}` prints a string ("a\"b\n"). */
void ev_buf_quoted(ev_buf *buf, ev_str s);
/* A printf subset, without flags or widths: %s %.*s %c %d %i %u %x, l/ll/z lengths, %%. */
void ev_buf_printf(ev_buf *buf, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a slice (valid until the buffer changes). */
ev_str ev_buf_view(const ev_buf *buf);
/* The contents as a NUL-terminated string (valid until the buffer changes). */
const char *ev_buf_cstring(ev_buf *buf);
void ev_buf_free(ev_buf *buf);

/* Memory that lives until the SDK's call into your code returns: no need to free it. */
void *ev_scratch_alloc(size_t size);

/* ---------------------------------------------------------------------------------------- */
/* Errors                                                                                     */

/* Why a call failed: an optional code callers match on, a message for people, and optional
 * machine-readable details. Build it with the functions below; the SDK frees it. */
typedef struct ev_error {
    char *code;    /* NULL: no code */
    char *message;
    uint8_t *details;
    size_t details_len;
    bool has_details;
} ev_error;

#define EV_OK ((ev_error *)0)

/* An error; `code` may be NULL (no code). The strings are copied. */
ev_error *ev_error_new(const char *code, const char *message);
/* An error whose message is formatted as with ev_buf_printf. */
ev_error *ev_errorf(const char *code, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* An error whose message is the buffer's contents; the buffer is freed. */
ev_error *ev_error_from_buf(const char *code, ev_buf *message);
/* Attaches machine-readable details (copied) and returns the error. */
ev_error *ev_error_with_details(ev_error *error, const void *details, size_t len);
void ev_error_free(ev_error *error);

/* Codes of the refusals the SDK itself makes (the same as the Rust SDK's). */
#define EV_INVALID_STATE "invalid-state"
#define EV_UNENCODABLE_STATE "unencodable-state"
#define EV_INVALID_FRAME "invalid-frame"
#define EV_INVALID_EVENT "invalid-event"
#define EV_INVALID_COMMAND "invalid-command"
#define EV_UNSUPPORTED_CONTENT_TYPE "unsupported-content-type"
#define EV_INVALID_PARAMETER "invalid-parameter"

/* ---------------------------------------------------------------------------------------- */
/* Logging                                                                                    */

/* How much a log line matters (the order of the WIT enum). */
typedef enum ev_log_level {
    EV_LOG_ERROR = 0,
    EV_LOG_WARN = 1,
    EV_LOG_INFO = 2,
    EV_LOG_DEBUG = 3,
    EV_LOG_TRACE = 4,
} ev_log_level;

/* Writes one line to the host's log. */
void ev_log(ev_log_level level, ev_str message);
/* Writes one formatted line (ev_buf_printf's formats) to the host's log. */
void ev_logf(ev_log_level level, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------------------------------------- */
/* Parameters                                                                                 */

/* A name/value pair (parameters, event extensions). */
typedef struct ev_pair {
    ev_str name;
    ev_str value;
} ev_pair;

/* The name=value parameters a view or change runs under, in the order given. */
typedef struct ev_params {
    const ev_pair *pairs;
    size_t count;
} ev_params;

/* The value of `name` (the last one if given twice); absent (`ptr == NULL`) if not given. */
ev_str ev_param(const ev_params *params, const char *name);
/* `name` as "true"/"false", or `fallback` if absent; else an `invalid-parameter` error. */
ev_error *ev_param_bool(const ev_params *params, const char *name, bool fallback, bool *out);
/* `name` as a decimal i64, or `fallback` if absent; else an `invalid-parameter` error. */
ev_error *ev_param_i64(const ev_params *params, const char *name, int64_t fallback, int64_t *out);
/* `name` as a decimal u64, or `fallback` if absent; else an `invalid-parameter` error. */
ev_error *ev_param_u64(const ev_params *params, const char *name, uint64_t fallback, uint64_t *out);

/* ---------------------------------------------------------------------------------------- */
/* JSON                                                                                       */

/* What a JSON value is. */
typedef enum ev_json_kind {
    EV_JSON_NULL,
    EV_JSON_BOOL,
    EV_JSON_NUMBER,
    EV_JSON_STRING,
    EV_JSON_ARRAY,
    EV_JSON_OBJECT,
} ev_json_kind;

/* A parsed JSON value (read-only, lent: valid until the SDK's call into your code returns). */
typedef struct ev_json ev_json;

/* Parses JSON text (strictly, as serde_json does); NULL and `*error` set if it is not JSON. */
const ev_json *ev_json_parse(ev_bytes text, ev_error **error);
/* The kind of a value; a NULL value (a missing member) is EV_JSON_NULL. */
ev_json_kind ev_json_kind_of(const ev_json *value);
/* The member `key` of an object (the last one if repeated); NULL if absent or not an object. */
const ev_json *ev_json_get(const ev_json *object, const char *key);
/* ev_json_get with the key as a slice. */
const ev_json *ev_json_get_str(const ev_json *object, ev_str key);
/* The number of items of an array or members of an object; 0 for anything else. */
size_t ev_json_count(const ev_json *value);
/* Item `index` of an array; NULL if out of range. */
const ev_json *ev_json_item(const ev_json *array, size_t index);
/* The key and value of member `index` of an object, in the order written. */
ev_str ev_json_member_key(const ev_json *object, size_t index);
const ev_json *ev_json_member_value(const ev_json *object, size_t index);
/* Typed reads: true and `*out` set if the value is of that type (and, for numbers, written as
 * an integer in range: 5 is an i64 and a u64, 5.0 and 1e2 are only f64s, as in serde_json). */
bool ev_json_as_bool(const ev_json *value, bool *out);
bool ev_json_as_i64(const ev_json *value, int64_t *out);
bool ev_json_as_u64(const ev_json *value, uint64_t *out);
bool ev_json_as_f64(const ev_json *value, double *out);
bool ev_json_as_str(const ev_json *value, ev_str *out);

/* Writes compact JSON as serde_json does: commas and colons are placed for you, strings are
 * escaped like serde_json (non-ASCII raw), floats are printed shortest-round-trip. */
typedef struct ev_json_writer ev_json_writer;

void ev_json_object_begin(ev_json_writer *w);
void ev_json_object_end(ev_json_writer *w);
void ev_json_array_begin(ev_json_writer *w);
void ev_json_array_end(ev_json_writer *w);
/* The key of the next object member. */
void ev_json_key(ev_json_writer *w, ev_str key);
void ev_json_key_c(ev_json_writer *w, const char *key);
void ev_json_string(ev_json_writer *w, ev_str value);
void ev_json_string_c(ev_json_writer *w, const char *value);
void ev_json_i64(ev_json_writer *w, int64_t value);
void ev_json_u64(ev_json_writer *w, uint64_t value);
/* NaN and infinities are written as null, as serde_json does. */
void ev_json_f64(ev_json_writer *w, double value);
void ev_json_bool(ev_json_writer *w, bool value);
void ev_json_null(ev_json_writer *w);

/* ---------------------------------------------------------------------------------------- */
/* Events                                                                                     */

/* An event's `time`: Unix seconds, nanoseconds, and the UTC offset it was written in. */
typedef struct ev_time {
    bool present;
    int64_t seconds;
    uint32_t nanos;
    int32_t offset_seconds;
} ev_time;

/* A CloudEvent lent to `reduce`: every attribute points into the bytes it arrived in. */
typedef struct ev_event {
    ev_str id;
    ev_str source;
    ev_str specversion;
    ev_str type;
    ev_str datacontenttype; /* absent: ptr NULL */
    ev_str dataschema;      /* absent: ptr NULL */
    ev_str subject;         /* absent: ptr NULL */
    ev_time time;
    ev_bytes data;          /* absent: ptr NULL */
    const ev_pair *extensions;
    size_t extension_count;
} ev_event;

/* The value of extension `name`; absent if the event has none by that name. */
ev_str ev_event_extension(const ev_event *event, const char *name);
/* The event's data parsed as JSON; NULL and `*error` set if it has none or it is not JSON
 * (the error message is as the Rust SDK's `data_json`). */
const ev_json *ev_event_data_json(const ev_event *event, ev_error **error);
/* Appends `time` in RFC 3339, as the host writes it ("2026-01-01T00:00:10Z"). */
void ev_time_format(ev_buf *buf, ev_time time);

/* ---------------------------------------------------------------------------------------- */
/* A map from strings to 8-byte values, for states keyed by name (counts by type, balances by
 * account). Zero-initialise it; free it with ev_map_clear. */

typedef struct ev_map_entry {
    ev_str key; /* owned by the map, NUL-terminated */
    union {
        int64_t i64;
        uint64_t u64;
        double f64;
        void *ptr;
    } value;
} ev_map_entry;

typedef struct ev_map {
    ev_map_entry *entries; /* in insertion order */
    size_t count;
    size_t capacity;
    uint32_t *slots; /* hash table of entry index + 1; 0 is empty */
    size_t slot_count;
} ev_map;

/* The entry for `key`, or NULL. Entry pointers stay valid until the next insertion. */
ev_map_entry *ev_map_find(const ev_map *map, ev_str key);
/* The entry for `key`, inserted with a zero value if it was not there. */
ev_map_entry *ev_map_upsert(ev_map *map, ev_str key);
/* The entries sorted by key in byte order (scratch memory: no need to free). */
const ev_map_entry **ev_map_sorted(const ev_map *map);
/* Frees the keys and the tables (not what `ptr` values point to) and empties the map. */
void ev_map_clear(ev_map *map);

/* ---------------------------------------------------------------------------------------- */
/* State changes: the events a command emits                                                  */

/* The events `process` emits. */
typedef struct ev_events ev_events;
/* An event being emitted; set its optional attributes with the functions below. */
typedef struct ev_new_event ev_new_event;

/* Emits an event with spec version 1.0 (strings are copied). */
ev_new_event *ev_emit(ev_events *out, ev_str id, ev_str source, ev_str type);
void ev_set_subject(ev_new_event *event, ev_str subject);
void ev_set_dataschema(ev_new_event *event, ev_str dataschema);
void ev_set_time(ev_new_event *event, ev_time time);
/* Sets `data` to raw bytes of a media type. */
void ev_set_data(ev_new_event *event, ev_str content_type, const void *data, size_t len);
/* Sets `datacontenttype` to application/json and returns a writer for `data`. */
ev_json_writer *ev_set_json_data(ev_new_event *event);
/* Adds an extension attribute (names are lower-case letters and digits). */
void ev_add_extension(ev_new_event *event, ev_str name, ev_str value);

/* ---------------------------------------------------------------------------------------- */
/* Defining the component                                                                     */

/* A state view, as the SDK calls it (EVIDENT_STATE_VIEW fills it in). */
typedef struct ev_view_def {
    size_t state_size;
    ev_error *(*initialize)(void *state, const ev_params *params);
    ev_error *(*reduce)(void *state, const ev_event *event, const ev_params *params);
    ev_error *(*encode)(const void *state, ev_json_writer *out);
    ev_error *(*decode)(void *state, const ev_json *json);
    void (*drop)(void *state);
} ev_view_def;

/* A state change, as the SDK calls it (EVIDENT_STATE_CHANGE fills it in). */
typedef struct ev_change_def {
    size_t state_size;
    /* Makes the default state ("no state yet") in zeroed memory; NULL: zeroed is the default. */
    void (*make_default)(void *state);
    ev_error *(*decode)(void *state, const ev_json *json);
    ev_error *(*process)(const void *state, const ev_json *command, const ev_params *params,
                         ev_events *out);
    /* ev_validate_by_process: run `process` with no parameters, tell whether it succeeded. */
    bool (*validate)(const void *state, const ev_json *command);
    void (*drop)(void *state);
} ev_change_def;

/* Pass as `drop` when the state owns no memory. */
static inline void ev_no_drop(void *state) { (void)state; }

/* The SDK's implementation of each export (the macros below export them by name). */
uint8_t *ev__view_initialize(const ev_view_def *def, ev_pair *params, size_t count);
uint8_t *ev__view_reduce(const ev_view_def *def, uint8_t *args);
uint8_t *ev__view_load_state(const ev_view_def *def, char *content_type, size_t content_type_len,
                             uint32_t schema_present, char *schema, size_t schema_len,
                             uint8_t *bytes, size_t bytes_len, ev_pair *params, size_t count);
uint8_t *ev__view_apply_events(const ev_view_def *def, uint8_t *frame, size_t len);
uint8_t *ev__view_save_state(const ev_view_def *def);
uint8_t *ev__change_process(const ev_change_def *def, char *state_type, size_t state_type_len,
                            uint32_t state_schema_present, char *state_schema,
                            size_t state_schema_len, uint8_t *state, size_t state_len,
                            char *command_type, size_t command_type_len,
                            uint32_t command_schema_present, char *command_schema,
                            size_t command_schema_len, uint8_t *command, size_t command_len,
                            ev_pair *params, size_t count);
uint8_t *ev__change_validate(const ev_change_def *def, char *state_type, size_t state_type_len,
                             uint32_t state_schema_present, char *state_schema,
                             size_t state_schema_len, uint8_t *state, size_t state_len,
                             char *command_type, size_t command_type_len,
                             uint32_t command_schema_present, char *command_schema,
                             size_t command_schema_len, uint8_t *command, size_t command_len);
/* Frees what the last export returned (every cabi_post_* function). */
void ev__post_return(uint8_t *ret);

#define EV__EXPORT(name) __attribute__((export_name(name), visibility("default")))
#define EV__VIEW(fn) "evident:db/state-view@" EVIDENT_WIT_VERSION "#" fn
#define EV__BATCH(fn) "evident:db/state-view-batch@" EVIDENT_WIT_VERSION "#" fn
#define EV__CHANGE(fn) "evident:db/state-change@" EVIDENT_WIT_VERSION "#" fn

/* Exports the `state-view` and (unless EVIDENT_NO_BATCH is defined, as the build does for the
 * world `state-view-basic`) `state-view-batch` interfaces over the view `def`. */
#define EVIDENT_EXPORT_VIEW(def) EV__VIEW_EXPORTS(def) EV__BATCH_EXPORTS(def)

#define EV__VIEW_EXPORTS(def)                                                                  \
    EV__EXPORT(EV__VIEW("initialize")) uint8_t *ev__export_initialize(ev_pair *p, size_t n) {  \
        return ev__view_initialize(&(def), p, n);                                              \
    }                                                                                          \
    EV__EXPORT("cabi_post_" EV__VIEW("initialize")) void ev__post_initialize(uint8_t *r) {     \
        ev__post_return(r);                                                                    \
    }                                                                                          \
    EV__EXPORT(EV__VIEW("reduce")) uint8_t *ev__export_reduce(uint8_t *args) {                 \
        return ev__view_reduce(&(def), args);                                                  \
    }                                                                                          \
    EV__EXPORT("cabi_post_" EV__VIEW("reduce")) void ev__post_reduce(uint8_t *r) {             \
        ev__post_return(r);                                                                    \
    }

#ifdef EVIDENT_NO_BATCH
#define EV__BATCH_EXPORTS(def)
#else
#define EV__BATCH_EXPORTS(def)                                                                 \
    EV__EXPORT(EV__BATCH("load-state"))                                                        \
    uint8_t *ev__export_load_state(char *a, size_t b, uint32_t c, char *d, size_t e,           \
                                   uint8_t *f, size_t g, ev_pair *h, size_t i) {               \
        return ev__view_load_state(&(def), a, b, c, d, e, f, g, h, i);                         \
    }                                                                                          \
    EV__EXPORT("cabi_post_" EV__BATCH("load-state")) void ev__post_load_state(uint8_t *r) {    \
        ev__post_return(r);                                                                    \
    }                                                                                          \
    EV__EXPORT(EV__BATCH("apply-events")) uint8_t *ev__export_apply(uint8_t *f, size_t n) {    \
        return ev__view_apply_events(&(def), f, n);                                            \
    }                                                                                          \
    EV__EXPORT("cabi_post_" EV__BATCH("apply-events")) void ev__post_apply(uint8_t *r) {       \
        ev__post_return(r);                                                                    \
    }                                                                                          \
    EV__EXPORT(EV__BATCH("save-state")) uint8_t *ev__export_save_state(void) {                 \
        return ev__view_save_state(&(def));                                                    \
    }                                                                                          \
    EV__EXPORT("cabi_post_" EV__BATCH("save-state")) void ev__post_save_state(uint8_t *r) {    \
        ev__post_return(r);                                                                    \
    }
#endif

/* Exports the `state-change` interface over the change `def`. */
#define EVIDENT_EXPORT_CHANGE(def)                                                             \
    EV__EXPORT(EV__CHANGE("process"))                                                          \
    uint8_t *ev__export_process(char *a, size_t b, uint32_t c, char *d, size_t e, uint8_t *f,  \
                                size_t g, char *h, size_t i, uint32_t j, char *k, size_t l,    \
                                uint8_t *m, size_t n, ev_pair *o, size_t p) {                  \
        return ev__change_process(&(def), a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p);     \
    }                                                                                          \
    EV__EXPORT("cabi_post_" EV__CHANGE("process")) void ev__post_process(uint8_t *r) {         \
        ev__post_return(r);                                                                    \
    }                                                                                          \
    EV__EXPORT(EV__CHANGE("validate"))                                                         \
    uint8_t *ev__export_validate(char *a, size_t b, uint32_t c, char *d, size_t e, uint8_t *f, \
                                 size_t g, char *h, size_t i, uint32_t j, char *k, size_t l,   \
                                 uint8_t *m, size_t n) {                                       \
        return ev__change_validate(&(def), a, b, c, d, e, f, g, h, i, j, k, l, m, n);          \
    }                                                                                          \
    EV__EXPORT("cabi_post_" EV__CHANGE("validate")) void ev__post_validate(uint8_t *r) {       \
        ev__post_return(r);                                                                    \
    }

/*
 * Makes the component a state view over the state type T (world `state-view-component`):
 *   ev_error *initialize(T *state, const ev_params *params);   state: zeroed memory
 *   ev_error *reduce(T *state, const ev_event *event, const ev_params *params);
 *   ev_error *encode(const T *state, ev_json_writer *out);
 *   ev_error *decode(T *state, const ev_json *json);           state: zeroed memory
 *   void drop(T *state);                                       or ev_no_drop
 * `drop` is called for every state the SDK made, also after a failed initialize or decode, so
 * it must cope with a partly filled one. If `reduce` fails the host keeps the previous state.
 */
#define EVIDENT_STATE_VIEW(T, initialize_fn, reduce_fn, encode_fn, decode_fn, drop_fn)        \
    static ev_error *ev__v_initialize(void *s, const ev_params *p) {                           \
        return initialize_fn((T *)s, p);                                                       \
    }                                                                                          \
    static ev_error *ev__v_reduce(void *s, const ev_event *e, const ev_params *p) {            \
        return reduce_fn((T *)s, e, p);                                                        \
    }                                                                                          \
    static ev_error *ev__v_encode(const void *s, ev_json_writer *w) {                          \
        return encode_fn((const T *)s, w);                                                     \
    }                                                                                          \
    static ev_error *ev__v_decode(void *s, const ev_json *j) { return decode_fn((T *)s, j); }  \
    static void ev__v_drop(void *s) { drop_fn((T *)s); }                                       \
    static const ev_view_def ev__view_def = {sizeof(T),    ev__v_initialize, ev__v_reduce,     \
                                             ev__v_encode, ev__v_decode,     ev__v_drop};      \
    EVIDENT_EXPORT_VIEW(ev__view_def)

/* Pass as `validate` to accept exactly the commands `process` accepts (with no parameters). */
bool ev_validate_by_process(const void *state, const ev_json *command);
#define EV_VALIDATE_BY_PROCESS ev_validate_by_process

/*
 * Makes the component a state change over the state type T (world `state-change-component`):
 *   ev_error *decode(T *state, const ev_json *json);   state: zeroed memory
 *   ev_error *process(const T *state, const ev_json *command, const ev_params *params,
 *                     ev_events *out);                 a refusal should have a code
 *   bool validate(const T *state, const ev_json *command);   or EV_VALIDATE_BY_PROCESS
 *   void drop(T *state);                               or ev_no_drop
 * "No state yet" is a zeroed T; `drop` is called also after a failed decode. Commands arrive as JSON or CBOR, decoded to `ev_json`.
 * Using both macros over one T makes a decider (world `decider-component`).
 */
#define EVIDENT_STATE_CHANGE(T, decode_fn, process_fn, validate_fn, drop_fn)                   \
    static ev_error *ev__c_decode(void *s, const ev_json *j) { return decode_fn((T *)s, j); }  \
    static ev_error *ev__c_process(const void *s, const ev_json *c, const ev_params *p,        \
                                   ev_events *o) {                                             \
        return process_fn((const T *)s, c, p, o);                                              \
    }                                                                                          \
    static bool ev__c_validate(const void *s, const ev_json *c) {                              \
        return validate_fn((const T *)s, c);                                                   \
    }                                                                                          \
    static void ev__c_drop(void *s) { drop_fn((T *)s); }                                       \
    static const ev_change_def ev__change_def = {sizeof(T),      NULL,          ev__c_decode,  \
                                                 ev__c_process,  ev__c_validate, ev__c_drop};  \
    EVIDENT_EXPORT_CHANGE(ev__change_def)

#ifdef __cplusplus
}
#endif

#endif /* EVIDENT_H */

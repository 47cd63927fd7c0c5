/* What the SDK's own files share and guests do not see. */
#ifndef EVIDENT_INTERNAL_H
#define EVIDENT_INTERNAL_H

#include "evident.h"

/* malloc/realloc that trap instead of returning NULL (the host's memory limit traps first). */
void *ev__alloc(size_t size);
void *ev__zalloc(size_t size);
void *ev__realloc(void *old, size_t size);

/* Frees everything ev_scratch_alloc handed out: at the start of each export, before each event
 * of a frame, and in post-return. */
void ev__scratch_reset(void);

/* Gives the host the code and details of the error the export is about to return, if it has a
 * code (the `refusal.refuse` import). */
void ev__refuse(const ev_error *error);

/* Tells the host the next event of the frame starts (the `frame-progress.begin-event` import). */
void ev__begin_event(void);

/* An error with a code whose message is `prefix` followed by `inner`'s message; frees `inner`. */
ev_error *ev__wrap_error(const char *code, const char *prefix, ev_error *inner);

/* A malloc'd copy of `len` bytes with a NUL after them. */
char *ev__dup(const void *bytes, size_t len);

/* Registers a malloc'd block the current export's result points into: the post-return
 * function frees it. */
void ev__own(void *block);

/* The return area every export writes its result into (the largest result is 32 bytes). */
extern uint8_t ev__ret_area[32];

/* Little-endian stores and loads at a byte address of linear memory. */
static inline void ev__store_u32(uint8_t *at, uint32_t value) { __builtin_memcpy(at, &value, 4); }
static inline void ev__store_ptr(uint8_t *at, const void *p) {
    uint32_t value = (uint32_t)(uintptr_t)p;
    __builtin_memcpy(at, &value, 4);
}
static inline uint32_t ev__load_u32(const uint8_t *at) {
    uint32_t value;
    __builtin_memcpy(&value, at, 4);
    return value;
}
static inline void *ev__load_ptr(const uint8_t *at) { return (void *)(uintptr_t)ev__load_u32(at); }

/* Frees a string or list the host lowered into this instance (nothing for an empty one, which
 * cabi_realloc did not allocate). */
void ev__free_lowered(void *ptr, size_t len);
/* Frees a lowered list of string pairs (parameters, extensions) with its strings. */
void ev__free_pairs(ev_pair *pairs, size_t count);

/* A JSON writer over a buffer. */
struct ev_json_writer {
    ev_buf out;
    bool comma;       /* a value was written at this level: the next needs a comma */
    bool invalid;     /* a string was not UTF-8 */
};

/* Serialises a state with the view's `encode` (or an `unencodable-state` error). */
ev_error *ev__encode_state(ev_error *(*encode)(const void *, ev_json_writer *), const void *state,
                           ev_buf *out);

/* Parses JSON text; the errors are serde_json's (message, line and column). */
const ev_json *ev__json_parse(const uint8_t *text, size_t len, ev_error **error);
/* Decodes CBOR into a JSON value, as serde_json::Value deserialises from ciborium. */
const ev_json *ev__cbor_parse(const uint8_t *bytes, size_t len, ev_error **error);

/* A JSON value node (arena-allocated in scratch memory). */
struct ev_json {
    ev_json_kind kind;
    /* Numbers: which of the three forms it has, as serde_json::Number keeps it. */
    enum { EV__NUM_U64, EV__NUM_I64, EV__NUM_F64 } number;
    union {
        bool boolean;
        uint64_t u64;
        int64_t i64;
        double f64;
        ev_str string;
        struct {
            const ev_json **items;
            size_t count;
        } array;
        struct {
            ev_str *keys;
            const ev_json **values;
            size_t count;
        } object;
    } as;
};

/* Parses RFC 3339 text as chrono's DateTime::parse_from_rfc3339 does; NULL on success, else a
 * static description of what is wrong. */
const char *ev__parse_time(ev_str text, ev_time *out);
/* Whether seconds/nanos/offset name an instant chrono can represent. */
bool ev__time_in_range(int64_t seconds, uint32_t nanos, int32_t offset_seconds);

#endif

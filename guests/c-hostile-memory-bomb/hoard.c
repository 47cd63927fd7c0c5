/*
 * Hostile guest, in C: `reduce` allocates 1 MiB blocks and touches every page of each, forever,
 * until the host's memory limit stops it (growing memory past the limit traps). The
 * counterpart of the Rust guests/hostile-memory-bomb.
 */
#include <stdlib.h>
#include <string.h>

#include <evident.h>

/* Blocks held so far. */
typedef struct hoard {
    uint64_t blocks;
} hoard;

static ev_error *initialize(hoard *state, const ev_params *params) {
    (void)state, (void)params;
    return EV_OK;
}

static ev_error *reduce(hoard *state, const ev_event *event, const ev_params *params) {
    (void)event, (void)params;
    void *volatile last = NULL;
    for (;;) {
        void **block = malloc(1 << 20);
        if (!block) __builtin_trap(); /* not reached: the limit traps inside memory.grow */
        memset(block, 0xab, 1 << 20);
        block[0] = last; /* keep the chain reachable */
        last = block;
        state->blocks += 1;
    }
}

static ev_error *encode(const hoard *state, ev_json_writer *out) {
    ev_json_object_begin(out);
    ev_json_key_c(out, "blocks");
    ev_json_u64(out, state->blocks);
    ev_json_object_end(out);
    return EV_OK;
}

static ev_error *decode(hoard *state, const ev_json *json) {
    if (!ev_json_as_u64(ev_json_get(json, "blocks"), &state->blocks)) {
        return ev_error_new(NULL, "missing field `blocks`");
    }
    return EV_OK;
}

EVIDENT_STATE_VIEW(hoard, initialize, reduce, encode, decode, ev_no_drop)

/*
 * Hostile guest, in C: `reduce` spins forever. Fuel stops it; with unlimited fuel the epoch
 * deadline does. The counterpart of the Rust guests/hostile-loop.
 */
#include <evident.h>

/* The spin count, never returned. */
typedef struct spinner {
    uint64_t spins;
} spinner;

static ev_error *initialize(spinner *state, const ev_params *params) {
    (void)state, (void)params;
    return EV_OK;
}

static ev_error *reduce(spinner *state, const ev_event *event, const ev_params *params) {
    (void)event, (void)params;
    for (;;) {
        /* A volatile store keeps the compiler from removing the loop. */
        *(volatile uint64_t *)&state->spins = state->spins + 1;
    }
}

static ev_error *encode(const spinner *state, ev_json_writer *out) {
    ev_json_object_begin(out);
    ev_json_key_c(out, "spins");
    ev_json_u64(out, state->spins);
    ev_json_object_end(out);
    return EV_OK;
}

static ev_error *decode(spinner *state, const ev_json *json) {
    if (!ev_json_as_u64(ev_json_get(json, "spins"), &state->spins)) {
        return ev_error_new(NULL, "missing field `spins`");
    }
    return EV_OK;
}

EVIDENT_STATE_VIEW(spinner, initialize, reduce, encode, decode, ev_no_drop)

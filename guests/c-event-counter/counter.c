/*
 * A state view that counts events by type, in C: the same states, byte for byte, as the Rust
 * guests/event-counter.
 *
 * Parameters:
 * - `prefix`: count only events whose type starts with it;
 * - `require-data` (`true`/`false`): refuse events that carry no data.
 */
#include <evident.h>

/* How many events of each type the view has seen. */
typedef struct counts {
    ev_map by_type; /* type -> count (value.u64) */
    uint64_t total;
} counts;

static ev_error *initialize(counts *state, const ev_params *params) {
    (void)state;
    ev_str prefix = ev_param(params, "prefix");
    if (ev_is_present(prefix)) {
        ev_buf line = {0};
        ev_buf_cstr(&line, "counting events whose type starts with ");
        ev_buf_quoted(&line, prefix);
        ev_log(EV_LOG_INFO, ev_buf_view(&line));
        ev_buf_free(&line);
    }
    return EV_OK;
}

static ev_error *reduce(counts *state, const ev_event *event, const ev_params *params) {
    bool require_data;
    ev_error *error = ev_param_bool(params, "require-data", false, &require_data);
    if (error) return error;
    if (require_data && event->data.ptr == NULL) {
        return ev_errorf(NULL, "event %.*s has no data", EV_FMT(event->id));
    }
    ev_str prefix = ev_param(params, "prefix");
    if (ev_is_present(prefix) && !ev_str_starts_with(event->type, prefix)) return EV_OK;
    state->total += 1;
    ev_map_upsert(&state->by_type, event->type)->value.u64 += 1;
    return EV_OK;
}

/* {"by_type":{...},"total":n}, the types in byte order as Rust's BTreeMap keeps them. */
static ev_error *encode(const counts *state, ev_json_writer *out) {
    const ev_map_entry **sorted = ev_map_sorted(&state->by_type);
    ev_json_object_begin(out);
    ev_json_key_c(out, "by_type");
    ev_json_object_begin(out);
    for (size_t i = 0; i < state->by_type.count; i++) {
        ev_json_key(out, sorted[i]->key);
        ev_json_u64(out, sorted[i]->value.u64);
    }
    ev_json_object_end(out);
    ev_json_key_c(out, "total");
    ev_json_u64(out, state->total);
    ev_json_object_end(out);
    return EV_OK;
}

static ev_error *decode(counts *state, const ev_json *json) {
    if (ev_json_kind_of(json) != EV_JSON_OBJECT) {
        return ev_error_new(NULL, "invalid type: expected struct EventCounts");
    }
    const ev_json *by_type = ev_json_get(json, "by_type");
    if (!by_type) return ev_error_new(NULL, "missing field `by_type`");
    if (ev_json_kind_of(by_type) != EV_JSON_OBJECT) {
        return ev_error_new(NULL, "invalid type: expected a map for `by_type`");
    }
    for (size_t i = 0; i < ev_json_count(by_type); i++) {
        uint64_t count;
        if (!ev_json_as_u64(ev_json_member_value(by_type, i), &count)) {
            return ev_error_new(NULL, "invalid type: expected u64 in `by_type`");
        }
        ev_map_upsert(&state->by_type, ev_json_member_key(by_type, i))->value.u64 = count;
    }
    const ev_json *total = ev_json_get(json, "total");
    if (!total) return ev_error_new(NULL, "missing field `total`");
    if (!ev_json_as_u64(total, &state->total)) {
        return ev_error_new(NULL, "invalid type: expected u64 for `total`");
    }
    return EV_OK;
}

static void drop(counts *state) { ev_map_clear(&state->by_type); }

EVIDENT_STATE_VIEW(counts, initialize, reduce, encode, decode, drop)

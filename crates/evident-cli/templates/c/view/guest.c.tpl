/* {{name}}: a state view. It sums the `amount` in each event's JSON data, by event type. */
#include <evident.h>

/* The state: totals by event type. It is stored as JSON between calls. */
typedef struct totals {
    ev_map by_type; /* event type -> sum of `amount` (value.i64) */
} totals;

static ev_error *initialize(totals *state, const ev_params *params) {
    (void)state, (void)params;
    return EV_OK;
}

static ev_error *reduce(totals *state, const ev_event *event, const ev_params *params) {
    (void)params;
    /* Events without data count for nothing; data without an amount is refused, and the host
     * keeps the previous state. */
    if (!event->data.ptr) return EV_OK;
    ev_error *error;
    const ev_json *data = ev_event_data_json(event, &error);
    if (!data) return error;
    int64_t amount;
    if (!ev_json_as_i64(ev_json_get(data, "amount"), &amount)) {
        return ev_errorf(NULL, "event %.*s: the data has no integer `amount`", EV_FMT(event->id));
    }
    ev_map_upsert(&state->by_type, event->type)->value.i64 += amount;
    ev_logf(EV_LOG_DEBUG, "%.*s +%lld", EV_FMT(event->id), (long long)amount);
    return EV_OK;
}

/* {"by_type":{"<type>":<sum>,...}}, the types in byte order. */
static ev_error *encode(const totals *state, ev_json_writer *out) {
    const ev_map_entry **sorted = ev_map_sorted(&state->by_type);
    ev_json_object_begin(out);
    ev_json_key_c(out, "by_type");
    ev_json_object_begin(out);
    for (size_t i = 0; i < state->by_type.count; i++) {
        ev_json_key(out, sorted[i]->key);
        ev_json_i64(out, sorted[i]->value.i64);
    }
    ev_json_object_end(out);
    ev_json_object_end(out);
    return EV_OK;
}

static ev_error *decode(totals *state, const ev_json *json) {
    const ev_json *by_type = ev_json_get(json, "by_type");
    if (ev_json_kind_of(by_type) != EV_JSON_OBJECT) {
        return ev_error_new(NULL, "`by_type` is missing or not an object");
    }
    for (size_t i = 0; i < ev_json_count(by_type); i++) {
        int64_t sum;
        if (!ev_json_as_i64(ev_json_member_value(by_type, i), &sum)) {
            return ev_error_new(NULL, "a sum in `by_type` is not an integer");
        }
        ev_map_upsert(&state->by_type, ev_json_member_key(by_type, i))->value.i64 = sum;
    }
    return EV_OK;
}

/* Called for every state the SDK made, also after a failed initialize or decode. */
static void drop(totals *state) { ev_map_clear(&state->by_type); }

EVIDENT_STATE_VIEW(totals, initialize, reduce, encode, decode, drop)

/*
 * A state change that adds to a tally, in C: `{"type": "add", "amount": n}` emits
 * `tally.added` with the amount and the new total, the same events byte for byte and the same
 * refusal codes as the Rust guests/tally.
 *
 * The state is `{"total": n}` as JSON; the event's source is the `source` parameter, or `/tally`.
 */
#include <evident.h>

/* What has been added so far. */
typedef struct tally {
    int64_t total;
} tally;

static ev_error *decode(tally *state, const ev_json *json) {
    if (ev_json_kind_of(json) != EV_JSON_OBJECT) {
        return ev_error_new(NULL, "invalid type: expected struct Tally");
    }
    const ev_json *total = ev_json_get(json, "total");
    if (!total) return ev_error_new(NULL, "missing field `total`");
    if (!ev_json_as_i64(total, &state->total)) {
        return ev_error_new(NULL, "invalid type: expected i64 for `total`");
    }
    return EV_OK;
}

/* The amount an `add` command adds, or the refusal. */
static ev_error *amount_of(const ev_json *command, int64_t *amount) {
    ev_str type;
    if (!ev_json_as_str(ev_json_get(command, "type"), &type)) {
        return ev_error_new("unknown-command", "the command has no type");
    }
    if (!ev_str_eq_c(type, "add")) {
        return ev_errorf("unknown-command", "unknown command '%.*s'", EV_FMT(type));
    }
    if (!ev_json_as_i64(ev_json_get(command, "amount"), amount) || *amount <= 0) {
        return ev_error_new("invalid-amount", "amount must be a positive integer");
    }
    return EV_OK;
}

static ev_error *process(const tally *state, const ev_json *command, const ev_params *params,
                         ev_events *out) {
    int64_t amount, total;
    ev_error *error = amount_of(command, &amount);
    if (error) return error;
    if (__builtin_add_overflow(state->total, amount, &total)) {
        return ev_error_new("invalid-amount", "the total would overflow");
    }
    ev_str source = ev_param(params, "source");
    if (!ev_is_present(source)) source = EV_STR("/tally");
    ev_buf id = {0};
    ev_buf_printf(&id, "tally-%lld", (long long)total);
    ev_new_event *event = ev_emit(out, ev_buf_view(&id), source, EV_STR("tally.added"));
    ev_buf_free(&id);
    ev_json_writer *data = ev_set_json_data(event);
    ev_json_object_begin(data);
    ev_json_key_c(data, "amount");
    ev_json_i64(data, amount);
    ev_json_key_c(data, "total");
    ev_json_i64(data, total);
    ev_json_object_end(data);
    return EV_OK;
}

EVIDENT_STATE_CHANGE(tally, decode, process, EV_VALIDATE_BY_PROCESS, ev_no_drop)

/* {{name}}: a state change. A counter that can be incremented up to a limit. */
#include <evident.h>

/* The state: the counter's value. It is stored as JSON between calls; "no state yet" is zero. */
typedef struct counter {
    uint64_t value;
} counter;

static ev_error *decode(counter *state, const ev_json *json) {
    if (!ev_json_as_u64(ev_json_get(json, "value"), &state->value)) {
        return ev_error_new(NULL, "`value` is missing or not a non-negative integer");
    }
    return EV_OK;
}

/* Commands, as JSON or CBOR: {"type": "increment", "by": 2}. */
static ev_error *process(const counter *state, const ev_json *command, const ev_params *params,
                         ev_events *out) {
    uint64_t limit, by;
    ev_error *error = ev_param_u64(params, "limit", 100, &limit);
    if (error) return error;
    ev_str type;
    if (!ev_json_as_str(ev_json_get(command, "type"), &type)) {
        return ev_error_new("unknown-command", "the command has no type");
    }
    if (!ev_str_eq_c(type, "increment")) {
        ev_buf message = {0};
        ev_buf_cstr(&message, "unknown command ");
        ev_buf_quoted(&message, type);
        return ev_error_from_buf("unknown-command", &message);
    }
    if (!ev_json_as_u64(ev_json_get(command, "by"), &by)) {
        return ev_error_new(EV_INVALID_COMMAND, "`by` must be a non-negative integer");
    }
    uint64_t value = state->value + by < state->value ? UINT64_MAX : state->value + by;
    if (value > limit) {
        return ev_errorf("over-limit", "%llu is over the limit of %llu", (unsigned long long)value,
                         (unsigned long long)limit);
    }
    ev_buf id = {0};
    ev_buf_printf(&id, "counter-%llu", (unsigned long long)value);
    ev_new_event *event =
        ev_emit(out, ev_buf_view(&id), EV_STR("/counter"), EV_STR("counter.incremented"));
    ev_buf_free(&id);
    ev_json_writer *data = ev_set_json_data(event);
    ev_json_object_begin(data);
    ev_json_key_c(data, "by");
    ev_json_u64(data, by);
    ev_json_key_c(data, "value");
    ev_json_u64(data, value);
    ev_json_object_end(data);
    return EV_OK;
}

EVIDENT_STATE_CHANGE(counter, decode, process, EV_VALIDATE_BY_PROCESS, ev_no_drop)

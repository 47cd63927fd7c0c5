/* What golden_test.c needs of change.c's internals (its static event checks), in a file of its
 * own: change.c and view.c cannot share one translation unit. */

#include "../change.c"

ev_events *golden_events_new(void) { return ev__zalloc(sizeof(ev_events)); }

void golden_events_free(ev_events *events) {
    free_events(events);
    free(events);
}

void golden_set_specversion(ev_new_event *event, ev_str specversion) {
    replace(&event->specversion, specversion);
}

/* Sets `datacontenttype` and `data`, either of which may be absent (`ptr` NULL). */
void golden_set_data(ev_new_event *event, ev_str content_type, ev_bytes data) {
    ev_set_data(event, content_type.ptr ? content_type : ev_cstr(""), data.ptr ? data.ptr : (const uint8_t *)"",
                data.len);
    event->has_data = data.ptr != NULL;
    if (!content_type.ptr) {
        free((void *)event->datacontenttype.ptr);
        event->datacontenttype = (ev_str){NULL, 0};
    }
}

bool golden_breaks_a_rule(const ev_new_event *event, ev_buf *why) { return breaks_a_rule(event, why); }

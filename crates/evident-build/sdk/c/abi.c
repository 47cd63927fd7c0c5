/* The canonical ABI's shared machinery: cabi_realloc, the return area, what post-return frees,
 * and the `refusal` and `frame-progress` imports. */
#include <stdlib.h>
#include <string.h>

#include "evident_internal.h"

/* The host allocates the arguments it passes (strings, lists, the parameter block) with this;
 * a zero-sized allocation is a dangling aligned pointer that is never freed. */
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size,
                                                               size_t align, size_t new_size) {
    if (new_size == 0) return (void *)align;
    if (old_size == 0) return ev__alloc(new_size);
    return ev__realloc(old, new_size);
}

void ev__free_lowered(void *ptr, size_t len) {
    if (len) free(ptr);
}

void ev__free_pairs(ev_pair *pairs, size_t count) {
    for (size_t i = 0; i < count; i++) {
        ev__free_lowered((void *)pairs[i].name.ptr, pairs[i].name.len);
        ev__free_lowered((void *)pairs[i].value.ptr, pairs[i].value.len);
    }
    ev__free_lowered(pairs, count * sizeof *pairs);
}

_Alignas(8) uint8_t ev__ret_area[32];

/* Blocks the last result points into; the post-return function frees them. */
static void **owned;
static size_t owned_count, owned_cap;

void ev__own(void *block) {
    if (owned_count == owned_cap) {
        owned_cap = owned_cap ? owned_cap * 2 : 8;
        owned = ev__realloc(owned, owned_cap * sizeof *owned);
    }
    owned[owned_count++] = block;
}

void ev__post_return(uint8_t *ret) {
    (void)ret;
    for (size_t i = 0; i < owned_count; i++) free(owned[i]);
    owned_count = 0;
    ev__scratch_reset();
}

__attribute__((import_module("evident:db/refusal@" EVIDENT_WIT_VERSION), import_name("refuse")))
extern void ev__import_refuse(const char *code, size_t code_len, const char *message,
                              size_t message_len, uint32_t has_details, const uint8_t *details,
                              size_t details_len);

void ev__refuse(const ev_error *error) {
    if (!error || !error->code) return;
    ev__import_refuse(error->code, strlen(error->code), error->message, strlen(error->message),
                      error->has_details ? 1 : 0, error->details ? error->details : (uint8_t *)1,
                      error->details_len);
}

__attribute__((import_module("evident:db/frame-progress@" EVIDENT_WIT_VERSION),
               import_name("begin-event"))) extern void ev__import_begin_event(void);

void ev__begin_event(void) { ev__import_begin_event(); }

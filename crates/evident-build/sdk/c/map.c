/* ev_map: a hash table from strings to 8-byte values, listed in key order on demand. */
#include <stdlib.h>
#include <string.h>

#include "evident_internal.h"

/* FNV-1a. */
static uint32_t hash(ev_str key) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < key.len; i++) h = (h ^ (uint8_t)key.ptr[i]) * 16777619u;
    return h;
}

/* The slot holding `key`, or the empty slot where it would go. */
static size_t probe(const ev_map *map, ev_str key) {
    size_t mask = map->slot_count - 1;
    size_t i = hash(key) & mask;
    for (;;) {
        uint32_t slot = map->slots[i];
        if (slot == 0 || ev_str_eq(map->entries[slot - 1].key, key)) return i;
        i = (i + 1) & mask;
    }
}

static void rehash(ev_map *map, size_t slot_count) {
    free(map->slots);
    map->slots = ev__zalloc(slot_count * sizeof *map->slots);
    map->slot_count = slot_count;
    for (size_t i = 0; i < map->count; i++) {
        map->slots[probe(map, map->entries[i].key)] = (uint32_t)(i + 1);
    }
}

ev_map_entry *ev_map_find(const ev_map *map, ev_str key) {
    if (map->count == 0) return NULL;
    uint32_t slot = map->slots[probe(map, key)];
    return slot ? &map->entries[slot - 1] : NULL;
}

ev_map_entry *ev_map_upsert(ev_map *map, ev_str key) {
    if (map->slot_count == 0 || (map->count + 1) * 4 > map->slot_count * 3) {
        rehash(map, map->slot_count ? map->slot_count * 2 : 16);
    }
    size_t at = probe(map, key);
    if (map->slots[at]) return &map->entries[map->slots[at] - 1];
    if (map->count == map->capacity) {
        map->capacity = map->capacity ? map->capacity * 2 : 8;
        map->entries = ev__realloc(map->entries, map->capacity * sizeof *map->entries);
    }
    ev_map_entry *entry = &map->entries[map->count];
    memset(entry, 0, sizeof *entry);
    entry->key.ptr = ev__dup(key.ptr, key.len);
    entry->key.len = key.len;
    map->slots[at] = (uint32_t)++map->count;
    return entry;
}

/* A stable merge sort of entry pointers by key (libc's qsort is far larger in wasm). */
static void merge_sort(const ev_map_entry **items, const ev_map_entry **spare, size_t n) {
    if (n < 2) return;
    size_t half = n / 2;
    merge_sort(items, spare, half);
    merge_sort(items + half, spare, n - half);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n) {
        spare[k++] = ev_str_cmp(items[j]->key, items[i]->key) < 0 ? items[j++] : items[i++];
    }
    while (i < half) spare[k++] = items[i++];
    while (j < n) spare[k++] = items[j++];
    memcpy(items, spare, n * sizeof *items);
}

const ev_map_entry **ev_map_sorted(const ev_map *map) {
    size_t n = map->count ? map->count : 1;
    const ev_map_entry **sorted = ev_scratch_alloc(n * sizeof *sorted);
    const ev_map_entry **spare = ev_scratch_alloc(n * sizeof *spare);
    for (size_t i = 0; i < map->count; i++) sorted[i] = &map->entries[i];
    merge_sort(sorted, spare, map->count);
    return sorted;
}

void ev_map_clear(ev_map *map) {
    for (size_t i = 0; i < map->count; i++) free((void *)map->entries[i].key.ptr);
    free(map->entries);
    free(map->slots);
    memset(map, 0, sizeof *map);
}

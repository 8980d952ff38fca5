/* cor_map.h - a small open-addressing hash map from (tag, string) to an
 * int64 value, for the correlator's lookups (incident keys, alert
 * fingerprints, services, event ids).
 *
 * Keys are borrowed: the strings must outlive the map (they point into the
 * events of a correlation run).  The tag lets one map hold several key
 * spaces without building prefixed strings.  Not thread-safe. */
#ifndef COR_MAP_H
#define COR_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cor_map_slot {
    const char *key;     /* borrowed; NULL = empty slot */
    uint64_t hash;
    int64_t value;
    uint8_t tag;
};

struct cor_map {
    struct cor_map_slot *slots;
    size_t n, cap;       /* cap is 0 or a power of two */
};

/* Set tag/key to value (insert or replace).  0 or -ENOMEM. */
int cor_map_put(struct cor_map *m, uint8_t tag, const char *key, int64_t value);

/* Look up tag/key: true and *ret_value set when present. */
bool cor_map_get(const struct cor_map *m, uint8_t tag, const char *key, int64_t *ret_value);

/* Free the slots; the map is empty and reusable afterwards.  NULL-safe. */
void cor_map_clear(struct cor_map *m);

/* FNV-1a 64 of s, continued from h (start with COR_FNV_INIT). */
#define COR_FNV_INIT 0xcbf29ce484222325ULL
uint64_t cor_fnv(uint64_t h, const char *s);

#endif

/* cor_map.c - open-addressing hash map keyed by (tag, borrowed string).
 *
 * Linear probing over a power-of-two table kept at most half full; no
 * deletion is needed by the correlator (a run builds its maps once and
 * drops them whole), which keeps probing trivial.  FNV-1a is the hash: the
 * keys are short ids and names, and the same function derives the stable
 * incident ids (cor_group.c). */
#include "cor_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint64_t cor_fnv(uint64_t h, const char *s)
{
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t key_hash(uint8_t tag, const char *key)
{
    uint64_t h = COR_FNV_INIT ^ tag;

    h *= 0x100000001b3ULL;
    return cor_fnv(h, key);
}

static struct cor_map_slot *find_slot(struct cor_map_slot *slots, size_t cap, uint8_t tag,
                                      const char *key, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);

    for (;;) {
        struct cor_map_slot *s = &slots[i];

        if (!s->key || (s->hash == h && s->tag == tag &&
                        (s->key == key || strcmp(s->key, key) == 0)))
            return s;
        i = (i + 1) & (cap - 1);
    }
}

static int grow(struct cor_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    struct cor_map_slot *ns = calloc(ncap, sizeof(*ns));

    if (!ns)
        return -ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        struct cor_map_slot *o = &m->slots[i];

        if (o->key)
            *find_slot(ns, ncap, o->tag, o->key, o->hash) = *o;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int cor_map_put(struct cor_map *m, uint8_t tag, const char *key, int64_t value)
{
    uint64_t h = key_hash(tag, key);
    struct cor_map_slot *s;

    if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
        return -ENOMEM;
    s = find_slot(m->slots, m->cap, tag, key, h);
    if (!s->key) {
        s->key = key;
        s->hash = h;
        s->tag = tag;
        m->n++;
    }
    s->value = value;
    return 0;
}

bool cor_map_get(const struct cor_map *m, uint8_t tag, const char *key, int64_t *ret_value)
{
    struct cor_map_slot *s;

    if (!m->cap)
        return false;
    s = find_slot(m->slots, m->cap, tag, key, key_hash(tag, key));
    if (!s->key)
        return false;
    *ret_value = s->value;
    return true;
}

void cor_map_clear(struct cor_map *m)
{
    if (!m)
        return;
    free(m->slots);
    m->slots = NULL;
    m->n = m->cap = 0;
}

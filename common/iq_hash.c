/* iq_hash.c - 64-bit FNV-1a (see iq_hash.h).
 *
 * Fowler, Noll and Vo's hash: one xor and one multiply per byte, good
 * spread for short keys, no table, no state but the running value, so a
 * caller can hash several pieces in a row. */
#include "iq_hash.h"

uint64_t iq_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;

    for (size_t i = 0; i < n; i++) {
        h ^= c[i];
        h *= 1099511628211ULL;
    }
    return h;
}

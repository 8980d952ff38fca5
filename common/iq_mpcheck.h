/* iq_mpcheck.h - a bounded structural check of untrusted msgpack bytes,
 * run before msgpack_unpack* sees them.
 *
 * libmsgpackc's unpacker allocates count * sizeof(msgpack_object) for an
 * array or map header before it looks at a single element, so a 5-byte
 * frame announcing 0xdddddddd elements asks for 128 GiB.  iq_mp_check
 * walks the bytes without allocating and refuses, in words, any value
 * whose counts or lengths exceed the bytes that follow, that nests deeper
 * than a limit or that holds more objects than a limit, so what reaches
 * the unpacker can only cost memory in proportion to its size. */
#ifndef IQ_MPCHECK_H
#define IQ_MPCHECK_H

#include <stddef.h>
#include <stdint.h>

#define IQ_MP_DEPTH_MAX 32            /* libmsgpackc's own parse stack */

struct iq_mp_limits {
    unsigned depth;                   /* containers inside containers, 1..IQ_MP_DEPTH_MAX */
    uint64_t objects;                 /* values in all, containers included; 0 = len */
};

/* Check that buf[0..len) holds exactly one msgpack value within lim:
 * every array, map, string, binary and extension length fits in the bytes
 * left (an element takes at least one byte, a map entry two), nesting is
 * at most lim->depth, the value count at most lim->objects, no byte is
 * the reserved 0xc1 and nothing follows the value.  Returns 0, or -EPROTO
 * with err (may be NULL) naming the offset and the problem, e.g.
 * "offset 1: array of 3722304989 elements, only 12 bytes follow". */
int iq_mp_check(const char *buf, size_t len, const struct iq_mp_limits *lim,
                char *err, size_t errsz);

#endif

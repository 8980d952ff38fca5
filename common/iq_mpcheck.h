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

/* Reading msgpack in place, one value header at a time, for hot paths
 * that would otherwise unpack into a tree first (the correlator's decoder
 * of stored events).  Lengths are still checked against the bytes left,
 * so damaged bytes are refused, never read past. */
enum iq_mp_type {
    IQ_MP_OTHER = 0,        /* nil, bool, float, fixext: no payload read */
    IQ_MP_INT,              /* neg ? i : u */
    IQ_MP_STR,              /* ptr, len bytes (not NUL-terminated) */
    IQ_MP_BIN,              /* ptr, len bytes */
    IQ_MP_EXT,              /* ptr, len bytes after the ext type byte */
    IQ_MP_ARRAY,            /* len elements follow */
    IQ_MP_MAP,              /* len key-value pairs follow */
};

struct iq_mp_value {
    enum iq_mp_type type;
    const char *ptr;
    uint64_t len;
    uint64_t u;
    int64_t i;
    int neg;
};

/* The value at buf[*pos] into *v; *pos moves past it, but into a
 * container (its elements are read next).  0, or -EPROTO when truncated,
 * a length exceeds the bytes left, or the byte is reserved. */
int iq_mp_read(const char *buf, size_t len, size_t *pos, struct iq_mp_value *v);

/* Move *pos past the whole value there, containers and all.  0 or -EPROTO. */
int iq_mp_skip(const char *buf, size_t len, size_t *pos);

#endif

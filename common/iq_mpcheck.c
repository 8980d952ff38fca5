/* iq_mpcheck.c - structural pre-scan of untrusted msgpack (iq_mpcheck.h).
 *
 * One pass over the bytes with an explicit stack of "elements still
 * expected" per open container, so neither depth nor size costs C stack
 * or heap.  Each value's header is decoded by its first byte (the msgpack
 * spec's format table): a scalar is skipped, a string, binary or extension
 * body is skipped after checking its length against the bytes left, and a
 * container's element count is checked against the bytes left before it
 * is pushed.  Since every value takes at least one byte, a buffer that
 * passes holds at most len values, and libmsgpackc's zone for it stays
 * within a small multiple of len.
 *
 * iq_mp_check interprets nothing; the protocol and event decoders do that
 * on the unpacked objects, checking every type.  iq_mp_read and iq_mp_skip
 * use the same header table to read trusted bytes in place (integers and
 * string bodies), for readers that cannot afford an unpacked tree. */
#include "iq_mpcheck.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define FAIL(...) do { if (err) snprintf(err, errsz, __VA_ARGS__); return -EPROTO; } while (0)

enum what { W_SCALAR, W_STR, W_BIN, W_EXT, W_ARRAY, W_MAP };

/* A decoded value header: its own bytes, the body bytes that follow it,
 * and for a container the number of elements (keys and values for a map). */
struct mp_head {
    enum what what;
    size_t hlen;
    uint64_t len;        /* body bytes (str, bin, ext) or elements (array, map entries) */
};

static uint64_t be(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Header whose length field is n bytes after the type byte (plus `extra`
 * bytes, the type of an ext).  Returns 0, or -1 when fewer than its bytes
 * are left. */
static int sized(const unsigned char *p, size_t left, enum what w, unsigned n, unsigned extra,
                 struct mp_head *h)
{
    h->what = w;
    h->hlen = 1 + n + extra;
    if (left < h->hlen)
        return -1;
    h->len = be(p + 1, n);
    return 0;
}

/* Fixed-size values by type byte 0xc0..0xdf: total bytes, 0 for others. */
static unsigned fixed_size(unsigned char b)
{
    switch (b) {
    case 0xc0: case 0xc2: case 0xc3: return 1;          /* nil, false, true */
    case 0xcc: case 0xd0: return 2;                     /* uint8, int8 */
    case 0xcd: case 0xd1: return 3;                     /* 16-bit */
    case 0xca: case 0xce: case 0xd2: return 5;          /* float32, 32-bit */
    case 0xcb: case 0xcf: case 0xd3: return 9;          /* float64, 64-bit */
    case 0xd4: return 3;                                /* fixext 1 */
    case 0xd5: return 4;
    case 0xd6: return 6;
    case 0xd7: return 10;
    case 0xd8: return 18;                               /* fixext 16 */
    default: return 0;
    }
}

/* Decode the header at p (left >= 1 bytes).  0, -1 truncated, -2 the
 * reserved byte 0xc1. */
static int head(const unsigned char *p, size_t left, struct mp_head *h)
{
    unsigned char b = p[0];
    unsigned fs;

    h->hlen = 1;
    h->len = 0;
    h->what = W_SCALAR;
    if (b <= 0x7f || b >= 0xe0)
        return 0;
    if (b <= 0x8f || (b >= 0x90 && b <= 0x9f)) {
        h->what = b <= 0x8f ? W_MAP : W_ARRAY;
        h->len = b & 0x0f;
        return 0;
    }
    if (b <= 0xbf) {
        h->what = W_STR;
        h->len = b & 0x1f;
        return 0;
    }
    if (b == 0xc1)
        return -2;
    fs = fixed_size(b);
    if (fs) {
        h->hlen = fs;
        return left < fs ? -1 : 0;
    }
    switch (b) {
    case 0xc4: case 0xc5: case 0xc6: return sized(p, left, W_BIN, 1u << (b - 0xc4), 0, h);
    case 0xc7: case 0xc8: case 0xc9: return sized(p, left, W_EXT, 1u << (b - 0xc7), 1, h);
    case 0xd9: case 0xda: case 0xdb: return sized(p, left, W_STR, 1u << (b - 0xd9), 0, h);
    case 0xdc: case 0xdd: return sized(p, left, W_ARRAY, 2u << (b - 0xdc), 0, h);
    default: return sized(p, left, W_MAP, 2u << (b - 0xde), 0, h);   /* 0xde, 0xdf */
    }
}

static const char *const names[] = {
    [W_SCALAR] = "value", [W_STR] = "string", [W_BIN] = "binary", [W_EXT] = "extension",
    [W_ARRAY] = "array", [W_MAP] = "map",
};

int iq_mp_check(const char *buf, size_t len, const struct iq_mp_limits *lim,
                char *err, size_t errsz)
{
    const unsigned char *p = (const unsigned char *)buf;
    uint64_t expect[IQ_MP_DEPTH_MAX + 1], objects = 1;
    uint64_t max_obj = lim->objects ? lim->objects : len;
    unsigned depth = 0, max_depth = lim->depth > IQ_MP_DEPTH_MAX ? IQ_MP_DEPTH_MAX : lim->depth;
    size_t pos = 0, left;
    struct mp_head h;
    int r;

    expect[0] = 1;
    while (expect[0] > 0 || depth > 0) {
        while (depth > 0 && expect[depth] == 0)
            depth--;
        if (depth == 0 && expect[0] == 0)
            break;
        expect[depth]--;
        if (pos >= len)
            FAIL("offset %zu: truncated (%s)", pos,
                 depth ? "a container expects more elements" : "no value");
        left = len - pos;
        r = head(p + pos, left, &h);
        if (r == -2)
            FAIL("offset %zu: reserved byte 0xc1", pos);
        if (r < 0)
            FAIL("offset %zu: truncated %s header", pos, names[h.what]);
        left -= h.hlen;
        if (h.what == W_ARRAY || h.what == W_MAP) {
            uint64_t elems = h.what == W_MAP ? 2 * h.len : h.len;

            if (elems > left)
                FAIL("offset %zu: %s of %llu %s, only %zu bytes follow", pos, names[h.what],
                     (unsigned long long)h.len, h.what == W_MAP ? "entries" : "elements", left);
            objects += elems;
            if (objects > max_obj)
                FAIL("offset %zu: more than %llu msgpack values", pos,
                     (unsigned long long)max_obj);
            pos += h.hlen;
            if (elems == 0)
                continue;
            if (depth + 1 > max_depth)
                FAIL("offset %zu: nested deeper than %u levels", pos - h.hlen, max_depth);
            expect[++depth] = elems;
            continue;
        }
        if (h.len > left)
            FAIL("offset %zu: %s of %llu bytes, only %zu bytes follow", pos, names[h.what],
                 (unsigned long long)h.len, left);
        pos += h.hlen + (size_t)h.len;
    }
    if (pos != len)
        FAIL("offset %zu: %zu bytes after the value", pos, len - pos);
    return 0;
}

/* The integer at p (a scalar header of hlen bytes) into v; other scalars
 * are IQ_MP_OTHER. */
static void scalar(const unsigned char *p, struct iq_mp_value *v)
{
    unsigned char b = p[0];
    int64_t s;

    v->type = IQ_MP_INT;
    if (b <= 0x7f) {
        v->u = b;
    } else if (b >= 0xe0) {
        v->neg = 1;
        v->i = (int8_t)b;
    } else if (b >= 0xcc && b <= 0xcf) {
        v->u = be(p + 1, 1u << (b - 0xcc));
    } else if (b >= 0xd0 && b <= 0xd3) {
        unsigned n = 1u << (b - 0xd0);
        uint64_t raw = be(p + 1, n);

        /* sign-extend the n-byte two's complement value */
        s = n == 8 ? (int64_t)raw : (int64_t)(raw ^ (1ULL << (8 * n - 1))) - (int64_t)(1ULL << (8 * n - 1));
        if (s < 0) {
            v->neg = 1;
            v->i = s;
        } else {
            v->u = (uint64_t)s;
        }
    } else {
        v->type = IQ_MP_OTHER;
    }
}

int iq_mp_read(const char *buf, size_t len, size_t *pos, struct iq_mp_value *v)
{
    const unsigned char *p = (const unsigned char *)buf + *pos;
    struct mp_head h;
    size_t left;

    if (*pos >= len)
        return -EPROTO;
    left = len - *pos;
    if (head(p, left, &h) < 0)
        return -EPROTO;
    memset(v, 0, sizeof(*v));
    left -= h.hlen;
    v->len = h.len;
    switch (h.what) {
    case W_SCALAR:
        scalar(p, v);
        break;
    case W_STR:
    case W_BIN:
    case W_EXT:
        if (h.len > left)
            return -EPROTO;
        v->type = h.what == W_STR ? IQ_MP_STR : h.what == W_BIN ? IQ_MP_BIN : IQ_MP_EXT;
        v->ptr = buf + *pos + h.hlen;
        *pos += (size_t)h.len;
        break;
    case W_ARRAY:
    case W_MAP:
        if ((h.what == W_MAP ? 2 * h.len : h.len) > left)
            return -EPROTO;
        v->type = h.what == W_MAP ? IQ_MP_MAP : IQ_MP_ARRAY;
        break;
    }
    *pos += h.hlen;
    return 0;
}

int iq_mp_skip(const char *buf, size_t len, size_t *pos)
{
    struct iq_mp_value v;
    uint64_t pending = 1;

    while (pending > 0) {
        if (iq_mp_read(buf, len, pos, &v) < 0)
            return -EPROTO;
        pending--;
        /* each element takes a byte, so a count past the bytes left was refused */
        if (v.type == IQ_MP_ARRAY)
            pending += v.len;
        else if (v.type == IQ_MP_MAP)
            pending += 2 * v.len;
    }
    return 0;
}

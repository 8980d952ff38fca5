/* iq_buf.c - the growable byte buffer with a hard cap (see iq_buf.h).
 *
 * Used for every rendered document, for the values ingest builds from
 * webhook payloads, and for the small strings the render view model
 * formats.  Growth starts at 256 bytes and doubles up to the cap; an
 * append that would pass the cap fails with -ENOBUFS and leaves the buffer
 * as it was, so a caller can report "too large" without holding a
 * truncated value (curl's dynbuf: curlx_dyn_init(&b, toobig)).
 *
 * Design notes: the content stays NUL-terminated after every append so a
 * buffer can be handed to C string functions at any time; the cap counts
 * content bytes, the terminating NUL comes on top. */
#include "iq_buf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void iq_buf_init(struct iq_buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->alloc = 0;
    b->max = max;
}

/* Make room for need content bytes plus the NUL.  0, -ENOBUFS, -ENOMEM. */
static int grow(struct iq_buf *b, size_t need)
{
    size_t ncap;
    char *p;

    if (need > b->max || need + 1 < need)
        return -ENOBUFS;
    if (need + 1 <= b->alloc)
        return 0;
    ncap = b->alloc ? b->alloc : 256;
    while (ncap < need + 1)
        ncap *= 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    p = realloc(b->p, ncap);
    if (!p)
        return -ENOMEM;
    b->p = p;
    b->alloc = ncap;
    return 0;
}

int iq_buf_reserve(struct iq_buf *b, size_t more)
{
    if (more > SIZE_MAX - b->len)
        return -ENOBUFS;
    return grow(b, b->len + more);
}

int iq_buf_add(struct iq_buf *b, const char *s, size_t n)
{
    int r = grow(b, b->len + n);

    if (r < 0)
        return r;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int iq_buf_adds(struct iq_buf *b, const char *s)
{
    return iq_buf_add(b, s, strlen(s));
}

int iq_buf_addc(struct iq_buf *b, char c)
{
    return iq_buf_add(b, &c, 1);
}

int iq_buf_vprintf(struct iq_buf *b, const char *fmt, va_list ap)
{
    va_list aq;
    int n, r;

    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0)
        return -EINVAL;
    if ((r = grow(b, b->len + (size_t)n)) < 0)
        return r;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int iq_buf_printf(struct iq_buf *b, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = iq_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

char iq_buf_last(const struct iq_buf *b)
{
    return b->len ? b->p[b->len - 1] : '\0';
}

void iq_buf_reset(struct iq_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

char *iq_buf_take(struct iq_buf *b, size_t *ret_len)
{
    char *p = b->p;

    if (!p) {
        p = calloc(1, 1);
        if (!p)
            return NULL;
    }
    if (ret_len)
        *ret_len = b->len;
    b->p = NULL;
    b->len = 0;
    b->alloc = 0;
    return p;
}

void iq_buf_free(struct iq_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->alloc = 0;
}

void *iq_array_grow(void *arr, size_t n, size_t *cap, size_t size, size_t first)
{
    size_t want = *cap ? *cap * 2 : first;
    void *p;

    if (n < *cap)
        return arr;
    if (want < *cap || want > SIZE_MAX / size)
        return NULL;
    if ((p = realloc(arr, want * size)))
        *cap = want;
    return p;
}

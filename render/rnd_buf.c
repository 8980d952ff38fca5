/* rnd_buf.c - growable byte buffer with a hard cap.
 *
 * Used for every rendered document and for the small strings the view
 * model formats.  Growth doubles up to the cap; an append that would pass
 * the cap fails with -E2BIG and leaves the buffer as it was, so a caller
 * can report "output too large" without holding a truncated document.
 *
 * Design notes: the content stays NUL-terminated after every append so a
 * buffer can be handed to C string functions at any time. */
#include "rnd_buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rnd_buf_init(struct rnd_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

static int grow(struct rnd_buf *b, size_t need)
{
    size_t ncap;
    char *p;

    if (need > b->max || need + 1 < need)
        return -E2BIG;
    if (need + 1 <= b->cap)
        return 0;
    ncap = b->cap ? b->cap : 256;
    while (ncap < need + 1)
        ncap *= 2;
    if (ncap > b->max + 1)
        ncap = b->max + 1;
    p = realloc(b->data, ncap);
    if (!p)
        return -ENOMEM;
    b->data = p;
    b->cap = ncap;
    return 0;
}

int rnd_buf_add(struct rnd_buf *b, const char *s, size_t n)
{
    int r = grow(b, b->len + n);

    if (r < 0)
        return r;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int rnd_buf_adds(struct rnd_buf *b, const char *s)
{
    return rnd_buf_add(b, s, strlen(s));
}

int rnd_buf_addc(struct rnd_buf *b, char c)
{
    return rnd_buf_add(b, &c, 1);
}

int rnd_buf_printf(struct rnd_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, r;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -EINVAL;
    if ((r = grow(b, b->len + (size_t)n)) < 0)
        return r;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char rnd_buf_last(const struct rnd_buf *b)
{
    return b->len ? b->data[b->len - 1] : '\0';
}

char *rnd_buf_steal(struct rnd_buf *b, size_t *ret_len)
{
    char *p = b->data;

    if (!p) {
        p = calloc(1, 1);
        if (!p)
            return NULL;
    }
    if (ret_len)
        *ret_len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

void rnd_buf_free(struct rnd_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

/* iq_buf.h - the one growable byte buffer, with a hard cap (curl's dynbuf).
 *
 * Every buffer sized by input carries a cap: rendered documents (render/),
 * values built from webhook payloads (ingest/), and the small strings in
 * between.  An append past the cap fails with -ENOBUFS and leaves the
 * buffer as it was.  The content is always NUL-terminated once anything
 * has been appended. */
#ifndef IQ_BUF_H
#define IQ_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct iq_buf {
    char *p;         /* owned; NULL until the first append */
    size_t len;
    size_t alloc;    /* allocated bytes */
    size_t max;      /* hard cap on len (the NUL is not counted) */
};

/* Start an empty buffer that refuses to hold more than max bytes. */
void iq_buf_init(struct iq_buf *b, size_t max);

/* Append n bytes.  0, -ENOBUFS past the cap, -ENOMEM; nothing appended
 * on failure. */
int iq_buf_add(struct iq_buf *b, const char *s, size_t n);
int iq_buf_adds(struct iq_buf *b, const char *s);
int iq_buf_addc(struct iq_buf *b, char c);
int iq_buf_printf(struct iq_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int iq_buf_vprintf(struct iq_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Make room for more bytes past len, plus the NUL, without appending: a
 * writer then fills b->p + b->len, adds to len and puts the NUL back.
 * 0, -ENOBUFS past the cap, -ENOMEM. */
int iq_buf_reserve(struct iq_buf *b, size_t more);

/* Last byte written, or '\0' when empty. */
char iq_buf_last(const struct iq_buf *b);

/* Empty the content and keep the allocation for reuse. */
void iq_buf_reset(struct iq_buf *b);

/* Hand the content to the caller (caller owns, never NULL on success: an
 * empty buffer yields ""); the buffer is left empty.  NULL on OOM. */
char *iq_buf_take(struct iq_buf *b, size_t *ret_len);

/* Free the content; the buffer keeps its cap and can be reused. */
void iq_buf_free(struct iq_buf *b);

/* Arrays that grow as elements are appended: arr holds *cap elements of
 * size bytes; returns arr when element n fits, else arr reallocated to
 * twice the capacity (first when empty) with *cap updated; NULL on OOM or
 * overflow, arr and *cap then unchanged (the caller still owns arr). */
void *iq_array_grow(void *arr, size_t n, size_t *cap, size_t size, size_t first);

#endif

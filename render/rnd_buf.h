/* rnd_buf.h - a growable byte buffer with a hard cap, for rendered output.
 *
 * Every document render/ produces is built in one of these: the cap bounds
 * memory whatever the incident or the template holds (curl's dynbuf idea).
 * The content is always NUL-terminated. */
#ifndef RND_BUF_H
#define RND_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct rnd_buf {
    char *data;      /* owned; NULL until the first append */
    size_t len;
    size_t cap;      /* allocated bytes */
    size_t max;      /* hard cap on len */
};

/* Start an empty buffer that refuses to grow past max bytes. */
void rnd_buf_init(struct rnd_buf *b, size_t max);

/* Append n bytes.  -E2BIG past the cap, -ENOMEM; nothing appended then. */
int rnd_buf_add(struct rnd_buf *b, const char *s, size_t n);
int rnd_buf_adds(struct rnd_buf *b, const char *s);
int rnd_buf_addc(struct rnd_buf *b, char c);
int rnd_buf_printf(struct rnd_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Last byte written, or '\0' when empty. */
char rnd_buf_last(const struct rnd_buf *b);

/* Hand the content to the caller (caller owns, never NULL on success: an
 * empty buffer yields ""); the buffer is reset.  NULL on OOM. */
char *rnd_buf_steal(struct rnd_buf *b, size_t *ret_len);

/* Free the content; the buffer can be reused. */
void rnd_buf_free(struct rnd_buf *b);

#endif

/* cor_text.c - compact JSON text written straight into a buffer, byte for
 * byte as jansson's json_dumps(JSON_COMPACT | JSON_SORT_KEYS) writes it.
 *
 * Strings are escaped by iq_json_quote, as jansson escapes them (without
 * JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH).  Reals and whole jansson values are
 * rare in an incident, so they are dumped by jansson itself into the
 * buffer, which keeps their formatting exactly jansson's.
 * tests/unit/cor_text_test.c compares the two on awkward strings. */
#include "cor_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_json.h"
#include "iq_time.h"

/* Room for more bytes (plus the NUL) in t, or the sticky error. */
static int reserve(struct cor_text *t, size_t more)
{
    int r;

    if (t->err)
        return t->err;
    if (!t->b.max)
        t->b.max = COR_TEXT_MAX;
    if ((r = iq_buf_reserve(&t->b, more)) < 0)
        return t->err = r == -ENOBUFS ? -ENOMEM : r;
    return 0;
}

void cor_text_raw(struct cor_text *t, const char *s, size_t len)
{
    if (reserve(t, len) < 0)
        return;
    memcpy(t->b.p + t->b.len, s, len);
    t->b.len += len;
    t->b.p[t->b.len] = '\0';
}

void cor_text_lit(struct cor_text *t, const char *s)
{
    cor_text_raw(t, s, strlen(s));
}

void cor_text_str(struct cor_text *t, const char *s)
{
    size_t n;

    if (!s) {
        cor_text_raw(t, "null", 4);
        return;
    }
    n = strlen(s);
    if (reserve(t, IQ_JSON_QUOTED_MAX(n)) < 0)
        return;
    t->b.len += iq_json_quote(t->b.p + t->b.len, s, n);
    t->b.p[t->b.len] = '\0';
}

void cor_text_str_checked(struct cor_text *t, const char *s)
{
    if (s && !iq_utf8_valid(s, strlen(s))) {
        if (!t->err)
            t->err = -EINVAL;
        return;
    }
    cor_text_str(t, s);
}

void cor_text_int(struct cor_text *t, int64_t v)
{
    char buf[IQ_JSON_INT_MAX];

    cor_text_raw(t, buf, iq_json_int(buf, v));
}

void cor_text_time(struct cor_text *t, int64_t ms)
{
    char buf[IQ_TIME_STRLEN + 2];

    if (ms == IQ_TIME_NONE) {
        cor_text_raw(t, "null", 4);
        return;
    }
    buf[0] = '"';
    iq_time_format(ms, buf + 1, IQ_TIME_STRLEN);
    cor_text_raw(t, buf, strlen(buf));
    cor_text_raw(t, "\"", 1);
}

void cor_text_json(struct cor_text *t, const json_t *v)
{
    size_t flags = JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY;
    size_t n = json_dumpb(v, NULL, 0, flags);

    if (n == 0) {
        if (!t->err)
            t->err = -ENOMEM;
        return;
    }
    if (reserve(t, n) < 0)
        return;
    json_dumpb(v, t->b.p + t->b.len, n, flags);
    t->b.len += n;
    t->b.p[t->b.len] = '\0';
}

void cor_text_real(struct cor_text *t, double v)
{
    json_t *r = json_real(v);

    if (!r) {
        if (!t->err)
            t->err = -ENOMEM;
        return;
    }
    cor_text_json(t, r);
    json_decref(r);
}

int cor_text_take(struct cor_text *t, char **ret)
{
    int r = t->err;
    char *p;

    if (r == 0) {
        if ((p = iq_buf_take(&t->b, NULL)))
            *ret = p;
        else
            r = -ENOMEM;
    }
    cor_text_release(t);
    return r;
}

void cor_text_release(struct cor_text *t)
{
    if (!t)
        return;
    iq_buf_free(&t->b);
    t->b.max = 0;
    t->err = 0;
}

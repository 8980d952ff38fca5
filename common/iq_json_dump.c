/* iq_json_dump.c - jansson values to compact JSON text, byte for byte as
 * json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) writes them, and the
 * string quoting it shares with the correlator's incident writer.
 *
 * The writer reproduces jansson 2.14's reals (%.17g, ".0" added to
 * integral values, no '+' or leading zeros in the exponent), its
 * upper-case \u00XX escapes, and its handling of a key that is not UTF-8
 * (cut where jansson stops; the dump goes on).  tests/unit/iq_json_test.c
 * compares it with json_dumps on every input it parses. */
#include "iq_json.h"
#include "iq_json_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_DEPTH_MAX 2048

size_t iq_json_quote(char *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    char *o = out;
    const char *hit;

    *o++ = '"';
    while (p < end) {
        size_t k = plain_run(p, (size_t)(end - p));

        memcpy(o, p, k);
        o += k;
        p += k;
        if (p == end)
            break;
        if (*p >= 0x80) {              /* UTF-8 is written as is */
            *o++ = (char)*p++;
            continue;
        }
        *o++ = '\\';
        hit = memchr(iq_json_esc_chars, *p, IQ_JSON_ESC_N);
        if (hit) {
            *o++ = iq_json_esc_letters[hit - iq_json_esc_chars];
        } else {
            memcpy(o, "u00", 3);
            o[3] = hex[*p >> 4];
            o[4] = hex[*p & 0xF];
            o += 5;
        }
        p++;
    }
    *o++ = '"';
    return (size_t)(o - out);
}

/* Offset of the first byte of s[0..n) that is not valid UTF-8, or n. */
static size_t utf8_bad(const unsigned char *s, size_t n)
{
    const unsigned char *p = s, *end = s + n;

    while ((p += plain_run(p, (size_t)(end - p))) < end) {
        size_t k = *p >= 0x80 ? utf8_len(p, end) : 1;

        if (k == 0)
            return (size_t)(p - s);
        p += k;
    }
    return n;
}

/* Append s[0..n) as a JSON string literal.  -EILSEQ when s is not valid
 * UTF-8, leaving in b what jansson's dump_string has written by then: the
 * opening quote and the text up to the last escape before the bad byte
 * (jansson flushes a plain run only when an escape or the end follows). */
static int dump_string(struct buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t bad = utf8_bad(s, n), upto = 0;

    if (buf_reserve(b, IQ_JSON_QUOTED_MAX(n)) < 0)
        return -ENOMEM;
    if (bad == n) {
        b->len += iq_json_quote(b->p + b->len, str, n);
        return 0;
    }
    for (size_t i = 0; i < bad; i++)
        if (s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
            upto = i + 1;
    b->len += iq_json_quote(b->p + b->len, str, upto) - 1;   /* no closing quote */
    return -EILSEQ;
}

size_t iq_json_int(char *out, int64_t v)
{
    char t[IQ_JSON_INT_MAX], *q = t + sizeof(t);
    uint64_t u = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;

    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--q = '-';
    memcpy(out, q, (size_t)(t + sizeof(t) - q));
    return (size_t)(t + sizeof(t) - q);
}

/* Append the decimal form of integer v ("%lld"). */
static int dump_int(struct buf *b, json_int_t v)
{
    char t[IQ_JSON_INT_MAX];

    return buf_add(b, t, iq_json_int(t, (int64_t)v));
}

/* Append real d as jansson 2.14 writes it: "%.17g", then ".0" when the
 * text has neither '.' nor 'e', then the exponent without '+' and without
 * leading zeros ("1e+20" -> "1e20", "1e-05" -> "1e-5"). */
static int dump_real(struct buf *b, double d)
{
    char t[48];
    int n = snprintf(t, sizeof(t) - 3, "%.17g", d);
    char *e, *digits, *nz;

    if (n < 0 || (size_t)n >= sizeof(t) - 3)
        return -EINVAL;
    e = strchr(t, 'e');
    if (!e && !strchr(t, '.')) {
        memcpy(t + n, ".0", 3);
        n += 2;
    }
    if (e) {
        digits = e + 1 + (e[1] == '-');
        nz = e + 2;
        while (*nz == '0')
            nz++;
        memmove(digits, nz, (size_t)(t + n - nz) + 1);
        n -= (int)(nz - digits);
    }
    return buf_add(b, t, (size_t)n);
}

static int dump_value(struct buf *b, const json_t *j, int depth);

/* Members in insertion order.  A key that is not valid UTF-8 is written as
 * jansson writes it (cut, unquoted) and the dump goes on, as jansson's
 * does: it ignores that error for keys. */
static int dump_object(struct buf *b, const json_t *j, int depth)
{
    void *it = json_object_iter((json_t *)j);
    int r;

    if (buf_add(b, "{", 1) < 0)
        return -ENOMEM;
    for (bool first = true; it; it = json_object_iter_next((json_t *)j, it), first = false) {
        if (!first && buf_add(b, ",", 1) < 0)
            return -ENOMEM;
        r = dump_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
        if (r == -ENOMEM || buf_add(b, ":", 1) < 0)
            return -ENOMEM;
        if ((r = dump_value(b, json_object_iter_value(it), depth + 1)) < 0)
            return r;
    }
    return buf_add(b, "}", 1);
}

static int dump_array(struct buf *b, const json_t *j, int depth)
{
    size_t n = json_array_size(j);
    int r;

    if (buf_add(b, "[", 1) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (i && buf_add(b, ",", 1) < 0)
            return -ENOMEM;
        if ((r = dump_value(b, json_array_get(j, i), depth + 1)) < 0)
            return r;
    }
    return buf_add(b, "]", 1);
}

static int dump_value(struct buf *b, const json_t *j, int depth)
{
    if (depth > DUMP_DEPTH_MAX)
        return -ELOOP;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return dump_object(b, j, depth);
    case JSON_ARRAY:
        return dump_array(b, j, depth);
    case JSON_STRING:
        return dump_string(b, json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return dump_int(b, json_integer_value(j));
    case JSON_REAL:
        return dump_real(b, json_real_value(j));
    case JSON_TRUE:
        return buf_add(b, "true", 4);
    case JSON_FALSE:
        return buf_add(b, "false", 5);
    case JSON_NULL:
        return buf_add(b, "null", 4);
    }
    return -EINVAL;
}

char *iq_json_dump_compact(const json_t *j, size_t *ret_len)
{
    struct buf b = { 0 };

    if (!j || iq_json_buf_grow(&b, 255) < 0 || dump_value(&b, j, 0) < 0) {
        free(b.p);
        return NULL;
    }
    b.p[b.len] = '\0';
    if (b.cap - b.len > 256) {          /* strings reserve their worst case */
        char *q = realloc(b.p, b.len + 1);

        if (q)
            b.p = q;
    }
    if (ret_len)
        *ret_len = b.len;
    return b.p;
}

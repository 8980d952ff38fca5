/* iq_json.c - strict JSON text to jansson values, fast enough for the
 * webhook path (issue #3): iq_json_parse replaces json_loadb, as
 * iq_json_dump_compact (iq_json_dump.c) replaces json_dumps.
 *
 * Design notes.  jansson's reader pulls the input byte by byte through a
 * stream, a UTF-8 decoder and a token buffer; its writer calls a callback
 * per fragment and copies the result once more.  Here the parser walks the
 * caller's buffer in place: strings are scanned eight bytes at a time for
 * the bytes that need attention ('"', '\\', controls, non-ASCII), a string
 * without escapes goes to json_stringn_nocheck straight from the input, and
 * numbers are checked against the RFC 8259 grammar where they stand.
 *
 * Nesting is an explicit stack of containers, so depth costs no C stack.
 * A container is attached to its parent when it opens, a scalar when it is
 * read; a duplicate key shows as an object whose size did not grow, which
 * saves a lookup per member.  jansson reports a duplicate key before what
 * follows it, so an error raised while a key is pending becomes the
 * duplicate-key error when that key is already present.
 *
 * Semantics follow jansson 2.14 (tests/unit/iq_json_test.c checks them
 * differentially): \u0000 and lone surrogates are rejected, integers
 * outside json_int_t are "too big", reals that overflow are rejected while
 * underflow to zero is accepted, "-0" is the integer 0.  The writer is in
 * iq_json_dump.c.  One deliberate difference: jansson drops a NUL byte it
 * read ahead past a number or literal ("[1\0]" loads as [1]); iq_json
 * refuses it. */
#include "iq_json.h"
#include "iq_json_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(json_int_t) == 8, "json_int_t is expected to be 64 bits");

/* 1 for the bytes that end a plain run inside a string: '"', '\\',
 * control characters and every byte of a multi-byte UTF-8 sequence. */
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
const unsigned char iq_json_str_stop[256] = {
    R16(1), R16(1),
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* 0x20: '"' */
    R16(0), R16(0),
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,     /* 0x50: '\\' */
    R16(0), R16(0),
    R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1),
};

/* The two-character escapes: the letter after '\\' and the byte it means
 * ('/' is read, never written, as in jansson). */
const char iq_json_esc_letters[] = "\"\\/bfnrt";
const char iq_json_esc_chars[] = "\"\\/\b\f\n\r\t";

int iq_json_buf_grow(struct buf *b, size_t n)
{
    size_t cap = b->cap ? b->cap : 256;
    char *p;

    if (n > SIZE_MAX / 2 - b->len)
        return -ENOMEM;
    while (cap - b->len <= n)
        cap *= 2;
    p = realloc(b->p, cap);
    if (!p)
        return -ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* ------------------------------------------------------------------ parse */

struct parser {
    const unsigned char *start, *p, *end;
    struct iq_json_error *err;
    struct buf key;              /* decoded escaped keys */
    struct buf str;              /* decoded escaped string values */
    const unsigned char *key_at; /* the pending key (read, not yet stored), or NULL */
    const char *kp;
    size_t kn;
    json_t *key_obj;             /* the object the pending key goes into */
};

/* Fill the error (line, column, position, text) for the byte at `at`;
 * returns code. */
static int fail(struct parser *ps, const unsigned char *at, int code, const char *fmt, ...)
{
    struct iq_json_error *e = ps->err;
    const unsigned char *ls = ps->start;
    va_list ap;

    if (!e)
        return code;
    e->line = 1;
    for (const unsigned char *q = ps->start; q < at; q++)
        if (*q == '\n') {
            e->line++;
            ls = q + 1;
        }
    e->column = 1;
    for (const unsigned char *q = ls; q < at; q++)
        e->column += (*q & 0xC0) != 0x80;
    e->position = (size_t)(at - ps->start);
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof(e->text), fmt, ap);
    va_end(ap);
    return code;
}

static int fail_dup(struct parser *ps, const unsigned char *at)
{
    return fail(ps, at, -EINVAL, "duplicate object key \"%.*s\"",
                (int)(ps->kn < 60 ? ps->kn : 60), ps->kp);
}

static int fail_eof(struct parser *ps, const char *what)
{
    return fail(ps, ps->end, -EINVAL, "unexpected end of input%s", what);
}

/* An unexpected byte: quoted when printable, in hex otherwise. */
static int fail_byte(struct parser *ps, const char *expected)
{
    unsigned c = *ps->p;

    if (c > 0x20 && c < 0x7F)
        return fail(ps, ps->p, -EINVAL, "unexpected '%c', expected %s", (int)c, expected);
    return fail(ps, ps->p, -EINVAL, "unexpected byte 0x%02x, expected %s", c, expected);
}

static inline void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

/* Value of the four hex digits at p, or -1. */
static long hex4(const unsigned char *p, const unsigned char *end)
{
    long v = 0;

    if (end - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Append code point cp (valid, not a surrogate) as UTF-8. */
static int add_utf8(struct buf *b, unsigned long cp)
{
    static const unsigned char lead[5] = { 0, 0, 0xC0, 0xE0, 0xF0 };
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    unsigned char u[4];

    for (size_t i = n - 1; i > 0; i--, cp >>= 6)
        u[i] = (unsigned char)(0x80 | (cp & 0x3F));
    u[0] = (unsigned char)(lead[n] | cp);
    return buf_add(b, u, n);
}

/* Decode the \u escape at q (one, or a surrogate pair) into b; *ret_adv
 * is the number of input bytes it took. */
static int unescape_u(struct parser *ps, const unsigned char *q, struct buf *b, size_t *ret_adv)
{
    long cp = hex4(q + 2, ps->end), lo;

    if (cp < 0)
        return fail(ps, q, -EINVAL, "invalid \\u escape in string (expected four hex digits)");
    *ret_adv = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        lo = ps->end - q >= 12 && q[6] == '\\' && q[7] == 'u' ? hex4(q + 8, ps->end) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(ps, q, -EINVAL, "invalid Unicode escape \\u%04lX (lone surrogate)", cp);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *ret_adv = 12;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return fail(ps, q, -EINVAL, "invalid Unicode escape \\u%04lX (lone surrogate)", cp);
    } else if (cp == 0) {
        return fail(ps, q, -EINVAL, "\\u0000 is not allowed in strings");
    }
    return add_utf8(b, (unsigned long)cp);
}

/* Decode the escape at *pp (a backslash) into b and step past it. */
static int unescape(struct parser *ps, const unsigned char **pp, struct buf *b)
{
    const unsigned char *q = *pp;
    const char *hit;
    size_t adv = 6;
    int r;

    if (ps->end - q < 2)
        return fail_eof(ps, " in string");
    if (q[1] == 'u') {
        if ((r = unescape_u(ps, q, b, &adv)) == 0)
            *pp = q + adv;
        return r;
    }
    hit = memchr(iq_json_esc_letters, q[1], IQ_JSON_ESC_N);
    if (!hit)
        return fail(ps, q, -EINVAL, "invalid escape in string");
    *pp = q + 2;
    return buf_add(b, &iq_json_esc_chars[hit - iq_json_esc_letters], 1);
}

/* Read the string at ps->p (its opening quote).  *ret points into the
 * input when the string has no escapes, else into b (valid until b is
 * next used); *ret_len is its length in bytes. */
static int parse_string(struct parser *ps, struct buf *b, const char **ret, size_t *ret_len)
{
    const unsigned char *p = ps->p + 1, *run = p, *end = ps->end;
    bool copied = false;
    int r;

    for (;;) {
        p += plain_run(p, (size_t)(end - p));
        if (p == end)
            return fail_eof(ps, " in string");
        if (*p == '"')
            break;
        if (*p >= 0x80) {
            size_t n = utf8_len(p, end);

            if (n == 0)
                return fail(ps, p, -EINVAL, "invalid UTF-8 in string (byte 0x%02x)", *p);
            p += n;
            continue;
        }
        if (*p < 0x20)
            return fail(ps, p, -EINVAL, "control character 0x%02x in string", *p);
        if (!copied)
            b->len = 0;
        copied = true;
        if (buf_add(b, run, (size_t)(p - run)) < 0 || (r = unescape(ps, &p, b)) == -ENOMEM)
            return -ENOMEM;
        if (r < 0)
            return r;
        run = p;
    }
    if (copied && buf_add(b, run, (size_t)(p - run)) < 0)
        return -ENOMEM;
    *ret = copied ? b->p : (const char *)run;
    *ret_len = copied ? b->len : (size_t)(p - run);
    ps->p = p + 1;
    return 0;
}

/* The integer in [s, e) (digits after an optional '-'). */
static int make_int(struct parser *ps, const unsigned char *s, const unsigned char *e,
                    json_t **ret)
{
    bool neg = *s == '-';
    uint64_t u = 0, limit = neg ? (uint64_t)LLONG_MAX + 1 : (uint64_t)LLONG_MAX;

    for (const unsigned char *d = s + neg; d < e; d++) {
        unsigned dig = *d - '0';

        if (u > (limit - dig) / 10)
            return fail(ps, s, -EINVAL, neg ? "too big negative integer" : "too big integer");
        u = u * 10 + dig;
    }
    *ret = json_integer(neg ? -(json_int_t)(u - 1) - 1 : (json_int_t)u);
    return *ret ? 0 : -ENOMEM;
}

/* The real number in [s, e), already checked against the grammar. */
static int make_real(struct parser *ps, const unsigned char *s, const unsigned char *e,
                     json_t **ret)
{
    size_t n = (size_t)(e - s);
    char tmp[64], *t = n < sizeof(tmp) ? tmp : malloc(n + 1);
    double d;
    int saved;

    if (!t)
        return -ENOMEM;
    memcpy(t, s, n);
    t[n] = '\0';
    errno = 0;
    d = strtod(t, NULL);
    saved = errno;
    if (t != tmp)
        free(t);
    if ((d == HUGE_VAL || d == -HUGE_VAL) && saved == ERANGE)
        return fail(ps, s, -EINVAL, "real number overflow");
    *ret = json_real(d);
    return *ret ? 0 : -ENOMEM;
}

static inline bool is_digit(const unsigned char *p, const unsigned char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* Read the number at ps->p: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(struct parser *ps, json_t **ret)
{
    const unsigned char *s = ps->p, *q = s, *end = ps->end;
    bool real = false;

    q += *q == '-';
    if (q == end)
        return fail_eof(ps, " in number");
    if (*q == '0') {
        if (is_digit(++q, end))
            return fail(ps, s, -EINVAL, "invalid number (leading zero)");
    } else if (is_digit(q, end)) {
        while (is_digit(q, end))
            q++;
    } else {
        return fail(ps, s, -EINVAL, "invalid number");
    }
    if (q < end && *q == '.') {
        if (!is_digit(++q, end))
            return fail(ps, s, -EINVAL, "invalid number (digit expected after '.')");
        while (is_digit(q, end))
            q++;
        real = true;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        q += q < end && (*q == '+' || *q == '-');
        if (!is_digit(q, end))
            return fail(ps, s, -EINVAL, "invalid number (digit expected in exponent)");
        while (is_digit(q, end))
            q++;
        real = true;
    }
    ps->p = q;
    return real ? make_real(ps, s, q, ret) : make_int(ps, s, q, ret);
}

/* true, false or null at ps->p (which holds 't', 'f' or 'n'). */
static int parse_literal(struct parser *ps, json_t **ret)
{
    const char *word = *ps->p == 't' ? "true" : *ps->p == 'f' ? "false" : "null";
    size_t n = strlen(word);

    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, ps->p, -EINVAL, "invalid literal (expected true, false or null)");
    ps->p += n;
    *ret = *word == 't' ? json_true() : *word == 'f' ? json_false() : json_null();
    return 0;
}

/* A string, number or literal at ps->p (not end of input). */
static int parse_scalar(struct parser *ps, json_t **ret)
{
    const char *s;
    size_t n;
    int r;

    switch (*ps->p) {
    case '"':
        if ((r = parse_string(ps, &ps->str, &s, &n)) < 0)
            return r;
        *ret = json_stringn_nocheck(s, n);
        return *ret ? 0 : -ENOMEM;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return parse_number(ps, ret);
    case 't': case 'f': case 'n':
        return parse_literal(ps, ret);
    default:
        return fail_byte(ps, "a value");
    }
}

/* Store v (consumed) in parent under the pending key, append it, or make
 * it the root when parent is NULL. */
static int attach(struct parser *ps, json_t *parent, json_t *v, json_t **root)
{
    const unsigned char *at = ps->key_at;
    size_t before;

    if (!parent) {
        *root = v;
        return 0;
    }
    if (json_is_array(parent))
        return json_array_append_new(parent, v) ? -ENOMEM : 0;
    before = json_object_size(parent);
    ps->key_at = NULL;
    if (json_object_setn_new_nocheck(parent, ps->kp, ps->kn, v))
        return -ENOMEM;
    return json_object_size(parent) == before ? fail_dup(ps, at) : 0;
}

/* Read an object key and its ':' at ps->p; it becomes the pending key. */
static int parse_key(struct parser *ps, json_t *obj)
{
    const unsigned char *at = ps->p;
    int r;

    if (ps->p == ps->end)
        return fail_eof(ps, " (expected an object key)");
    if (*ps->p != '"')
        return fail_byte(ps, "a string as object key");
    if ((r = parse_string(ps, &ps->key, &ps->kp, &ps->kn)) < 0)
        return r;
    ps->key_at = at;
    ps->key_obj = obj;
    skip_ws(ps);
    if (ps->p == ps->end)
        return fail_eof(ps, " (expected ':' after object key)");
    if (*ps->p != ':')
        return fail_byte(ps, "':' after object key");
    ps->p++;
    skip_ws(ps);
    return 0;
}

/* Open the array or object at ps->p: attach it and push it on stack. */
static int open_container(struct parser *ps, json_t **stack, unsigned *n, unsigned depth,
                          json_t **root)
{
    json_t *v;
    int r;

    if (*n == depth)
        return fail(ps, ps->p, -E2BIG, "nesting deeper than %u levels", depth);
    v = *ps->p == '{' ? json_object() : json_array();
    if (!v)
        return -ENOMEM;
    if ((r = attach(ps, *n ? stack[*n - 1] : NULL, v, root)) < 0)
        return r;
    stack[(*n)++] = v;
    ps->p++;
    skip_ws(ps);
    return 0;
}

enum step { STEP_VALUE, STEP_NEXT, STEP_KEY };

/* After a value inside container c: a ',' (then the next member or
 * element), or the closing bracket.  Sets *step; pops on close. */
static int after_value(struct parser *ps, json_t *c, unsigned *n, enum step *step)
{
    bool obj = json_is_object(c);

    skip_ws(ps);
    if (ps->p == ps->end)
        return fail_eof(ps, obj ? " (expected ',' or '}')" : " (expected ',' or ']')");
    if (*ps->p == ',') {
        ps->p++;
        skip_ws(ps);
        *step = obj ? STEP_KEY : STEP_VALUE;
        return 0;
    }
    if (*ps->p != (obj ? '}' : ']'))
        return fail_byte(ps, obj ? "',' or '}' after object member"
                                 : "',' or ']' after array element");
    ps->p++;
    (*n)--;
    *step = STEP_NEXT;
    return 0;
}

/* One value where ps->p stands (not end of input): a scalar is attached,
 * a container opened (an empty one closed again at once). */
static int parse_value(struct parser *ps, json_t **stack, unsigned *n, unsigned depth,
                       json_t **root, enum step *step)
{
    json_t *v = NULL;
    char close;
    int r;

    if (*ps->p != '{' && *ps->p != '[') {
        if ((r = parse_scalar(ps, &v)) < 0)
            return r;
        *step = STEP_NEXT;
        return attach(ps, *n ? stack[*n - 1] : NULL, v, root);
    }
    close = *ps->p == '{' ? '}' : ']';
    if ((r = open_container(ps, stack, n, depth, root)) < 0)
        return r;
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        (*n)--;
        *step = STEP_NEXT;
    } else {
        *step = close == '}' ? STEP_KEY : STEP_VALUE;
    }
    return 0;
}

/* The whole text: one value, then only whitespace. */
static int parse_text(struct parser *ps, unsigned flags, json_t **stack, unsigned depth,
                      json_t **root)
{
    enum step step = STEP_VALUE;
    unsigned n = 0;
    int r = 0;

    skip_ws(ps);
    if (ps->p < ps->end && !(flags & IQ_JSON_ANY) && *ps->p != '{' && *ps->p != '[')
        return fail_byte(ps, "'{' or '[' at top level");
    do {
        if (step == STEP_VALUE)
            r = ps->p == ps->end ? fail_eof(ps, " (expected a value)")
                                 : parse_value(ps, stack, &n, depth, root, &step);
        else if (step == STEP_KEY)
            step = (r = parse_key(ps, stack[n - 1])) < 0 ? step : STEP_VALUE;
        else if (n > 0)
            r = after_value(ps, stack[n - 1], &n, &step);
    } while (r >= 0 && (step != STEP_NEXT || n > 0));
    if (r < 0)
        return r;
    skip_ws(ps);
    if (ps->p != ps->end)
        return fail_byte(ps, "end of input after the JSON value");
    return 0;
}

int iq_json_parse(const char *buf, size_t len, unsigned flags, json_t **ret,
                  struct iq_json_error *err)
{
    unsigned depth = flags >> 16 ? flags >> 16 : IQ_JSON_DEPTH_MAX;
    struct parser ps = {
        .start = (const unsigned char *)buf, .p = (const unsigned char *)buf,
        .end = (const unsigned char *)buf + len, .err = err,
    };
    json_t *local[IQ_JSON_DEPTH_MAX], **stack = local, *root = NULL;
    int r;

    if (!buf && len) {
        ps.start = ps.p = ps.end = (const unsigned char *)"";
        return fail(&ps, ps.p, -EINVAL, "no input buffer");
    }
    if (depth > IQ_JSON_DEPTH_MAX && !(stack = malloc(depth * sizeof(*stack))))
        return fail(&ps, ps.p, -ENOMEM, "out of memory");
    r = parse_text(&ps, flags, stack, depth, &root);
    /* jansson names a duplicate key before any error in what follows it */
    if (r < 0 && r != -ENOMEM && ps.key_at && json_object_getn(ps.key_obj, ps.kp, ps.kn))
        r = fail_dup(&ps, ps.key_at);
    if (r == -ENOMEM)
        fail(&ps, ps.p, -ENOMEM, "out of memory");
    if (r < 0)
        goto out;
    *ret = root;
    root = NULL;
out:
    json_decref(root);
    if (stack != local)
        free(stack);
    free(ps.key.p);
    free(ps.str.p);
    return r;
}

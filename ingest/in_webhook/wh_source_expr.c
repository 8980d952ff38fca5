/* wh_source_expr.c - the expression half of the source mapping language:
 * references into the payload, string templates and conditions (value
 * specs, with maps, defaults and time formats, are in wh_source_value.c).
 *
 * Design notes.  Everything is compiled once at start-up from the mapping
 * files, so a typo in a template is reported with its file and key before
 * the daemon accepts a request, and evaluation per delivery does no
 * parsing of the mapping language.  A reference is one of
 *   $.a.b[0].c     a path from the body's root
 *   @.labels.x     a path from the current `each` item
 *   header.NAME    a request header (lower-case name)
 *   received_at    the arrival time, RFC 3339 UTC ms
 *   source         the source's name
 *   'text'         a literal (useful as the last alternative)
 * and a template is text with {ref|ref|...} holes, the first alternative
 * with a value winning; {{ and }} are literal braces.  A hole none of whose
 * alternatives has a value makes the whole template "missing", which the
 * caller turns into an absent optional field or a 400 naming the path.
 * Rendering is bounded (WH_RENDER_MAX) so a hostile payload cannot make a
 * field grow without limit. */
#include "wh_source_expr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wh_source.h"
#include "iq_event.h"
#include "iq_time.h"

#define REF_SEGS_MAX 32
#define TMPL_PARTS_MAX 64
#define ALTS_MAX 8
#define CONDS_MAX 16

enum ref_kind { REF_ROOT, REF_ITEM, REF_HEADER, REF_RECEIVED, REF_SOURCE, REF_LITERAL };

struct seg {
    char *key;                   /* NULL: array index */
    size_t index;
};

struct wh_ref {
    enum ref_kind kind;
    char *text;                  /* header name, literal, or the path suffix after $ / @ */
    struct seg segs[REF_SEGS_MAX];
    size_t n_segs;
};

struct part {
    char *lit;                   /* literal text, or NULL for a hole */
    struct wh_ref *alts[ALTS_MAX];
    size_t n_alts;
};

struct wh_tmpl {
    struct part parts[TMPL_PARTS_MAX];
    size_t n_parts;
};

struct cond {
    struct wh_ref *ref;
    int mode;                    /* 1 present, -1 absent, 0 equal to one of vals */
    char **vals;
    size_t n_vals;
};

struct wh_conds {
    struct cond c[CONDS_MAX];
    size_t n;
};

#define FAIL(code, ...) do { snprintf(err, errsz, __VA_ARGS__); r = (code); goto out; } while (0)

/* ---- references -------------------------------------------------------- */

static int parse_segs(struct wh_ref *r, const char *p, char *err, size_t errsz)
{
    int ret = 0;

    while (*p) {
        struct seg *s;

        if (r->n_segs == REF_SEGS_MAX) {
            snprintf(err, errsz, "more than %d path segments", REF_SEGS_MAX);
            return -EINVAL;
        }
        s = &r->segs[r->n_segs];
        if (*p == '.') {
            size_t n = strcspn(p + 1, ".[");

            if (n == 0) {
                snprintf(err, errsz, "empty key in path");
                return -EINVAL;
            }
            s->key = strndup(p + 1, n);
            if (!s->key)
                return -ENOMEM;
            p += 1 + n;
        } else if (*p == '[') {
            char *end;
            unsigned long long v;

            errno = 0;
            v = strtoull(p + 1, &end, 10);
            if (end == p + 1 || *end != ']' || errno || v > 1000000) {
                snprintf(err, errsz, "bad array index in path");
                return -EINVAL;
            }
            s->index = (size_t)v;
            p = end + 1;
        } else {
            snprintf(err, errsz, "expected '.' or '[' in path at \"%.20s\"", p);
            return -EINVAL;
        }
        r->n_segs++;
    }
    return ret;
}

int wh_ref_compile(const char *text, struct wh_ref **ret, char *err, size_t errsz)
{
    struct wh_ref *r = calloc(1, sizeof(*r));
    size_t n = strlen(text);
    int rc = 0;

    if (!r)
        return -ENOMEM;
    if (text[0] == '$' || text[0] == '@') {
        r->kind = text[0] == '$' ? REF_ROOT : REF_ITEM;
        r->text = strdup(text + 1);
        if (!r->text)
            rc = -ENOMEM;
        else
            rc = parse_segs(r, text + 1, err, errsz);
    } else if (strncmp(text, "header.", 7) == 0 && n > 7) {
        r->kind = REF_HEADER;
        r->text = strdup(text + 7);
        rc = r->text ? 0 : -ENOMEM;
        for (char *q = r->text; q && *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q - 'A' + 'a');
    } else if (strcmp(text, "received_at") == 0) {
        r->kind = REF_RECEIVED;
    } else if (strcmp(text, "source") == 0) {
        r->kind = REF_SOURCE;
    } else if (n >= 2 && text[0] == '\'' && text[n - 1] == '\'') {
        r->kind = REF_LITERAL;
        r->text = strndup(text + 1, n - 2);
        rc = r->text ? 0 : -ENOMEM;
    } else {
        snprintf(err, errsz, "unknown reference \"%.40s\" (expected $.path, @.path, header.NAME, "
                 "received_at, source or 'literal')", text);
        rc = -EINVAL;
    }
    if (rc < 0) {
        wh_ref_destroy(&r);
        return rc;
    }
    *ret = r;
    return 0;
}

void wh_ref_destroy(struct wh_ref **pr)
{
    struct wh_ref *r = *pr;

    if (!r)
        return;
    for (size_t i = 0; i < r->n_segs; i++)
        free(r->segs[i].key);
    free(r->text);
    free(r);
    *pr = NULL;
}

const json_t *wh_ref_node(const struct wh_ref *r, const struct wh_ctx *c)
{
    const json_t *j;

    if (r->kind == REF_ROOT)
        j = c->root;
    else if (r->kind == REF_ITEM)
        j = c->item;
    else
        return NULL;
    for (size_t i = 0; j && i < r->n_segs; i++) {
        if (r->segs[i].key)
            j = json_is_object(j) ? json_object_get(j, r->segs[i].key) : NULL;
        else
            j = json_is_array(j) ? json_array_get(j, r->segs[i].index) : NULL;
    }
    return j;
}

void wh_ref_path(const struct wh_ref *r, const struct wh_ctx *c, char *buf, size_t size)
{
    switch (r->kind) {
    case REF_ROOT:
        snprintf(buf, size, "$%s", r->text);
        break;
    case REF_ITEM:
        snprintf(buf, size, "%s%s", c->item_path ? c->item_path : "@", r->text);
        break;
    case REF_HEADER:
        snprintf(buf, size, "header %s", r->text);
        break;
    default:
        snprintf(buf, size, "(%s)", r->kind == REF_RECEIVED ? "received_at" : "literal");
        break;
    }
}

int wh_json_text(const json_t *j, struct iq_buf *out)
{
    char num[64];
    char *s;
    int r;

    switch (json_typeof(j)) {
    case JSON_STRING:
        return iq_buf_add(out, json_string_value(j), json_string_length(j)) < 0 ? -E2BIG : 1;
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        break;
    case JSON_REAL:
        snprintf(num, sizeof(num), "%.17g", json_real_value(j));
        break;
    case JSON_TRUE:
        snprintf(num, sizeof(num), "true");
        break;
    case JSON_FALSE:
        snprintf(num, sizeof(num), "false");
        break;
    case JSON_NULL:
        return 0;
    default:
        s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        if (!s)
            return -ENOMEM;
        r = iq_buf_add(out, s, strlen(s));
        free(s);
        return r < 0 ? (r == -ENOBUFS ? -E2BIG : r) : 1;
    }
    return iq_buf_add(out, num, strlen(num)) < 0 ? -E2BIG : 1;
}

static const char *header_get(const struct wh_delivery *d, const char *name)
{
    for (size_t i = 0; i < d->n_headers; i++)
        if (strcmp(d->headers[i].name, name) == 0)
            return d->headers[i].value;
    return NULL;
}

/* Append the value of r to out: 1, 0 missing, <0 error. */
static int ref_render(const struct wh_ref *r, const struct wh_ctx *c, struct iq_buf *out)
{
    char ts[IQ_TIME_STRLEN];
    const char *s;

    switch (r->kind) {
    case REF_ROOT:
    case REF_ITEM: {
        const json_t *j = wh_ref_node(r, c);

        if (!j || (json_is_string(j) && json_string_length(j) == 0))
            return 0;     /* "" counts as missing, so alternatives apply */
        return wh_json_text(j, out);
    }
    case REF_HEADER:
        s = header_get(c->d, r->text);
        if (!s || !*s)
            return 0;
        return iq_buf_add(out, s, strlen(s)) < 0 ? -E2BIG : 1;
    case REF_RECEIVED:
        iq_time_format(c->d->received_at, ts, sizeof(ts));
        return iq_buf_add(out, ts, strlen(ts)) < 0 ? -E2BIG : 1;
    case REF_SOURCE:
        return iq_buf_add(out, c->source, strlen(c->source)) < 0 ? -E2BIG : 1;
    case REF_LITERAL:
        return iq_buf_add(out, r->text, strlen(r->text)) < 0 ? -E2BIG : 1;
    }
    return 0;
}

/* ---- templates --------------------------------------------------------- */

static int add_lit(struct wh_tmpl *t, const char *s, size_t n)
{
    struct part *p;

    if (n == 0)
        return 0;
    if (t->n_parts == TMPL_PARTS_MAX)
        return -E2BIG;
    p = &t->parts[t->n_parts++];
    p->lit = strndup(s, n);
    return p->lit ? 0 : -ENOMEM;
}

/* Compile the alternatives of one hole "a|b|'c'" (len bytes at s). */
static int add_hole(struct wh_tmpl *t, const char *s, size_t len, char *err, size_t errsz)
{
    struct part *p;
    size_t i = 0;
    int r = 0;

    if (t->n_parts == TMPL_PARTS_MAX)
        return -E2BIG;
    p = &t->parts[t->n_parts++];
    while (i <= len) {
        size_t j = i;
        char *one;

        if (j < len && s[j] == '\'') {
            const char *q = memchr(s + j + 1, '\'', len - j - 1);

            j = q ? (size_t)(q - s) + 1 : len;
        } else {
            while (j < len && s[j] != '|')
                j++;
        }
        if (p->n_alts == ALTS_MAX) {
            snprintf(err, errsz, "more than %d alternatives", ALTS_MAX);
            return -EINVAL;
        }
        one = strndup(s + i, j - i);
        if (!one)
            return -ENOMEM;
        r = wh_ref_compile(one, &p->alts[p->n_alts], err, errsz);
        free(one);
        if (r < 0)
            return r;
        p->n_alts++;
        if (j < len && s[j] != '|') {
            snprintf(err, errsz, "expected '|' or '}' after a literal");
            return -EINVAL;
        }
        i = j + 1;
    }
    return 0;
}

int wh_tmpl_compile(const char *text, struct wh_tmpl **ret, char *err, size_t errsz)
{
    struct wh_tmpl *t = calloc(1, sizeof(*t));
    const char *p = text, *lit = text;
    int r = 0;

    if (!t)
        return -ENOMEM;
    while (*p && r == 0) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            r = add_lit(t, lit, (size_t)(p - lit) + 1);
            p += 2;
            lit = p;
        } else if (*p == '{') {
            const char *end = strchr(p, '}');

            if (!end)
                FAIL(-EINVAL, "unclosed '{' in template");
            if ((r = add_lit(t, lit, (size_t)(p - lit))) < 0)
                break;
            r = add_hole(t, p + 1, (size_t)(end - p - 1), err, errsz);
            p = end + 1;
            lit = p;
        } else if (*p == '}') {
            FAIL(-EINVAL, "unmatched '}' in template (write }} for a brace)");
        } else {
            p++;
        }
    }
    if (r == 0)
        r = add_lit(t, lit, (size_t)(p - lit));
    if (r == -E2BIG)
        snprintf(err, errsz, "template has more than %d parts", TMPL_PARTS_MAX);
out:
    if (r < 0) {
        wh_tmpl_destroy(&t);
        return r == -E2BIG ? -EINVAL : r;
    }
    *ret = t;
    return 0;
}

void wh_tmpl_destroy(struct wh_tmpl **pt)
{
    struct wh_tmpl *t = *pt;

    if (!t)
        return;
    for (size_t i = 0; i < t->n_parts; i++) {
        free(t->parts[i].lit);
        for (size_t k = 0; k < t->parts[i].n_alts; k++)
            wh_ref_destroy(&t->parts[i].alts[k]);
    }
    free(t);
    *pt = NULL;
}

int wh_tmpl_render(const struct wh_tmpl *t, const struct wh_ctx *c, struct iq_buf *out,
                   char *missing, size_t msize)
{
    for (size_t i = 0; i < t->n_parts; i++) {
        const struct part *p = &t->parts[i];
        int r = 0;

        if (p->lit) {
            if (iq_buf_add(out, p->lit, strlen(p->lit)) < 0)
                return -E2BIG;
            continue;
        }
        for (size_t k = 0; k < p->n_alts && r == 0; k++)
            r = ref_render(p->alts[k], c, out);
        if (r < 0)
            return r;
        if (r == 0) {
            if (missing)
                wh_ref_path(p->alts[0], c, missing, msize);
            return 0;
        }
    }
    return 1;
}

/* ---- conditions -------------------------------------------------------- */

int wh_conds_compile(const json_t *obj, struct wh_conds **ret, char *err, size_t errsz)
{
    struct wh_conds *cs;
    const char *key;
    json_t *v;
    int r = 0;

    if (!json_is_object(obj)) {
        snprintf(err, errsz, "'when' must be an object of reference: value");
        return -EINVAL;
    }
    cs = calloc(1, sizeof(*cs));
    if (!cs)
        return -ENOMEM;
    json_object_foreach((json_t *)obj, key, v) {
        struct cond *c;

        if (cs->n == CONDS_MAX)
            FAIL(-EINVAL, "'when' has more than %d conditions", CONDS_MAX);
        c = &cs->c[cs->n++];
        if ((r = wh_ref_compile(key, &c->ref, err, errsz)) < 0)
            goto out;
        if (json_is_true(v) || json_is_false(v)) {
            c->mode = json_is_true(v) ? 1 : -1;
            continue;
        }
        if (json_is_string(v)) {
            c->vals = calloc(1, sizeof(char *));
            if (!c->vals || !(c->vals[0] = strdup(json_string_value(v))))
                FAIL(-ENOMEM, "out of memory");
            c->n_vals = 1;
            continue;
        }
        if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 64)
            FAIL(-EINVAL, "'when' '%s': expected a string, a list of 1 to 64 strings, or "
                 "true/false", key);
        c->vals = calloc(json_array_size(v), sizeof(char *));
        if (!c->vals)
            FAIL(-ENOMEM, "out of memory");
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *s = json_array_get(v, i);

            if (!json_is_string(s))
                FAIL(-EINVAL, "'when' '%s'[%zu]: expected a string", key, i);
            if (!(c->vals[c->n_vals++] = strdup(json_string_value(s))))
                FAIL(-ENOMEM, "out of memory");
        }
    }
out:
    if (r < 0) {
        wh_conds_destroy(&cs);
        return r;
    }
    *ret = cs;
    return 0;
}

void wh_conds_destroy(struct wh_conds **pc)
{
    struct wh_conds *cs = *pc;

    if (!cs)
        return;
    for (size_t i = 0; i < cs->n; i++) {
        wh_ref_destroy(&cs->c[i].ref);
        for (size_t k = 0; k < cs->c[i].n_vals; k++)
            free(cs->c[i].vals[k]);
        free(cs->c[i].vals);
    }
    free(cs);
    *pc = NULL;
}

bool wh_conds_hold(const struct wh_conds *cs, const struct wh_ctx *c)
{
    struct iq_buf b = { .max = WH_RENDER_MAX - 1 };   /* the NUL on top */
    bool ok = true;

    for (size_t i = 0; cs && i < cs->n && ok; i++) {
        const struct cond *cd = &cs->c[i];
        int r;

        iq_buf_reset(&b);
        r = ref_render(cd->ref, c, &b);
        if (cd->mode)
            ok = cd->mode > 0 ? r > 0 : r == 0;
        else {
            ok = false;
            for (size_t k = 0; r > 0 && k < cd->n_vals && !ok; k++)
                ok = strcmp(b.p, cd->vals[k]) == 0;
        }
    }
    iq_buf_free(&b);
    return ok;
}

void wh_tmpl_first_path(const struct wh_tmpl *t, const struct wh_ctx *c, char *buf,
                        size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < t->n_parts; i++)
        if (!t->parts[i].lit) {
            wh_ref_path(t->parts[i].alts[0], c, buf, size);
            return;
        }
}

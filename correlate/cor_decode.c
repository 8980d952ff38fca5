/* cor_decode.c - fast read of stored events for a rebuild.
 *
 * A rebuild reads every stored event, so decoding is most of its cost.
 * iq_event_decode is the general, defensive reader (new zone per value,
 * full validation, the raw payload copied); here the bytes are read in
 * place, in one pass (iq_mp_read: no unpacked tree in between), raw is
 * skipped, the record, its strings and its labels (one array, in their
 * stored sorted order) are bump-allocated in the run's arena
 * (cor_arena.h) rather than malloc'ed one by one, and text is not
 * validated again: values in the store were validated before they were
 * written.  Types and lengths are still checked, so a damaged value is
 * refused with -EINVAL, never misread. */
#include "cor_decode.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cor_arena.h"
#include "iq_event.h"
#include "iq_mpcheck.h"
#include "iq_time.h"


/* A reading position in one stored value. */
struct rd {
    const char *buf;
    size_t len, pos;
};

static int next(struct rd *r, struct iq_mp_value *v)
{
    return iq_mp_read(r->buf, r->len, &r->pos, v) < 0 ? -EINVAL : 0;
}

/* The next value, which must be a string: copied, NUL-terminated, into a. */
static int next_str(struct rd *r, struct cor_arena *a, char **ret)
{
    struct iq_mp_value v;

    if (next(r, &v) < 0 || v.type != IQ_MP_STR)
        return -EINVAL;
    *ret = cor_arena_strndup(a, v.ptr, (size_t)v.len);
    return *ret ? 0 : -ENOMEM;
}

static int get_time(const struct iq_mp_value *v, int64_t *ret)
{
    if (v->type == IQ_MP_INT && !v->neg && v->u <= (uint64_t)INT64_MAX / 2)
        *ret = (int64_t)v->u;
    else if (v->type == IQ_MP_INT && v->neg && v->i >= INT64_MIN / 2)
        *ret = v->i;
    else
        return -EINVAL;
    return 0;
}

static int next_time(struct rd *r, int64_t *ret)
{
    struct iq_mp_value v;

    return next(r, &v) < 0 ? -EINVAL : get_time(&v, ret);
}

static int get_labels(struct rd *r, struct cor_arena *a, struct iq_event *ev)
{
    struct iq_mp_value v;
    int rc;

    if (next(r, &v) < 0 || v.type != IQ_MP_MAP || v.len > IQ_LABELS_MAX)
        return -EINVAL;
    if (v.len == 0)
        return 0;
    ev->labels = cor_arena_alloc(a, (size_t)v.len * sizeof(*ev->labels));
    if (!ev->labels)
        return -ENOMEM;
    for (uint32_t i = 0; i < (uint32_t)v.len; i++) {
        if ((rc = next_str(r, a, &ev->labels[i].key)) < 0 ||
            (rc = next_str(r, a, &ev->labels[i].value)) < 0)
            return rc;
        ev->n_labels = i + 1;
    }
    return 0;
}

enum { K_UNKNOWN = -1, K_AT = -2, K_ENDS_AT = -3, K_LABELS = -4, K_RAW = -5, K_BAD = -6 };

#define KEY_IS(lit, p, n) ((n) == sizeof(lit) - 1 && memcmp(p, lit, sizeof(lit) - 1) == 0)

/* What key p[0..n) names: a field of iq_fields, or one of K_*. */
static int key_of(const char *p, size_t n)
{
    int f = iq_field_lookup_n(p, n);

    if (f >= 0)
        return f;
    if (KEY_IS("at", p, n))
        return K_AT;
    if (KEY_IS("ends_at", p, n))
        return K_ENDS_AT;
    if (KEY_IS("labels", p, n))
        return K_LABELS;
    return KEY_IS("raw", p, n) ? K_RAW : K_UNKNOWN;
}

/* The next value as a key: what key_of says of it, K_BAD when it is no
 * string. */
static int next_key(struct rd *r)
{
    struct iq_mp_value k;

    if (next(r, &k) < 0 || k.type != IQ_MP_STR)
        return K_BAD;
    return key_of(k.ptr, (size_t)k.len);
}

static int member(struct rd *r, struct cor_arena *a, struct iq_event *ev)
{
    int f;

    switch ((f = next_key(r))) {
    case K_BAD:
    case K_UNKNOWN:
        return -EINVAL;
    case K_RAW:
        return iq_mp_skip(r->buf, r->len, &r->pos) < 0 ? -EINVAL : 0;
    case K_AT:
        return next_time(r, &ev->at);
    case K_ENDS_AT:
        return next_time(r, &ev->ends_at);
    case K_LABELS:
        return get_labels(r, a, ev);
    default:
        return next_str(r, a, &ev->str[f]);
    }
}

int cor_decode(struct cor_arena *a, const char *buf, size_t len, struct iq_event **ret)
{
    struct rd r = { buf, len, 0 };
    struct iq_mp_value map;
    struct iq_event *ev;
    int rc;

    if (next(&r, &map) < 0 || map.type != IQ_MP_MAP)
        return -EINVAL;
    if (!(ev = cor_arena_alloc(a, sizeof(*ev))))
        return -ENOMEM;
    memset(ev, 0, sizeof(*ev));
    ev->at = ev->ends_at = IQ_TIME_NONE;
    for (uint64_t i = 0; i < map.len; i++)
        if ((rc = member(&r, a, ev)) < 0)
            return rc;
    if (r.pos != len || !iq_ev_id(ev) || !iq_ev_kind(ev) || ev->at == IQ_TIME_NONE)
        return -EINVAL;
    *ret = ev;
    return 0;
}

/* Is the string v one of the NULL-terminated list? */
static bool str_in(const struct iq_mp_value *v, const char *const *list)
{
    for (; v->type == IQ_MP_STR && *list; list++)
        if (strlen(*list) == v->len && memcmp(*list, v->ptr, (size_t)v->len) == 0)
            return true;
    return false;
}

/* Is value buf wanted by cor_decode_unless: its kind in keep, or a time
 * from `from` on (or an unreadable one: cor_decode refuses it)? */
static bool wanted(const char *buf, size_t len, const char *const *keep, int64_t from)
{
    struct rd r = { buf, len, 0 };
    struct iq_mp_value map, v;
    int64_t t;
    int k;

    if (next(&r, &map) < 0 || map.type != IQ_MP_MAP)
        return true;
    for (uint64_t i = 0; i < map.len; i++) {
        if ((k = next_key(&r)) == K_BAD)
            return true;
        if (k == IQ_F_KIND || k == K_AT || k == K_ENDS_AT) {
            if (next(&r, &v) < 0)
                return true;
            if (k == IQ_F_KIND ? str_in(&v, keep) : get_time(&v, &t) < 0 || t >= from)
                return true;
        } else if (iq_mp_skip(buf, len, &r.pos) < 0) {
            return true;
        }
    }
    return false;
}

int cor_decode_unless(struct cor_arena *a, const char *buf, size_t len,
                      const char *const *keep, int64_t from, struct iq_event **ret)
{
    return wanted(buf, len, keep, from) ? cor_decode(a, buf, len, ret) : 1;
}

static char *copy_str(struct cor_arena *a, const char *s, bool *oom)
{
    char *d;

    if (!s)
        return NULL;
    if (!(d = cor_arena_strndup(a, s, strlen(s))))
        *oom = true;
    return d;
}

struct iq_event *cor_event_copy(struct cor_arena *a, const struct iq_event *ev)
{
    struct iq_event *c = cor_arena_alloc(a, sizeof(*c));
    bool oom = false;

    if (!c)
        return NULL;
    memset(c, 0, sizeof(*c));
    c->at = ev->at;
    c->ends_at = ev->ends_at;
    for (int f = 0; f < IQ_F_NSTR; f++)
        c->str[f] = copy_str(a, ev->str[f], &oom);
    if (ev->n_labels && !(c->labels = cor_arena_alloc(a, ev->n_labels * sizeof(*c->labels))))
        return NULL;
    for (uint32_t i = 0; i < ev->n_labels; i++) {
        c->labels[i].key = copy_str(a, ev->labels[i].key, &oom);
        c->labels[i].value = copy_str(a, ev->labels[i].value, &oom);
    }
    c->n_labels = ev->n_labels;
    return oom ? NULL : c;
}

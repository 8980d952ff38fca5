/* cor_decode.c - fast read of stored events for a rebuild.
 *
 * A rebuild reads every stored event, so decoding is most of its cost.
 * iq_event_decode is the general, defensive reader (new zone per value,
 * full validation, the raw payload copied); here the zone is cleared and
 * reused, raw is skipped, the record, its strings and its labels (one
 * array, in their stored sorted order) are bump-allocated in the run's
 * arena (cor_arena.h) rather than malloc'ed one by one, and text is not
 * validated again: values in the store were validated before they were
 * written.  Types are still checked, so a
 * damaged value is refused with -EINVAL, never misread. */
#include "cor_decode.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_arena.h"
#include "iq_event.h"
#include "iq_time.h"

#define ZONE_CHUNK 8192

int cor_decoder_init(struct cor_decoder *d)
{
    d->ready = msgpack_zone_init(&d->zone, ZONE_CHUNK);
    return d->ready ? 0 : -ENOMEM;
}

void cor_decoder_release(struct cor_decoder *d)
{
    if (d && d->ready) {
        msgpack_zone_destroy(&d->zone);
        d->ready = false;
    }
}

static char *dup_str(struct cor_arena *a, const msgpack_object *o)
{
    return cor_arena_strndup(a, o->via.str.ptr, o->via.str.size);
}

static int get_time(const msgpack_object *v, int64_t *ret)
{
    if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= (uint64_t)INT64_MAX / 2)
        *ret = (int64_t)v->via.u64;
    else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && v->via.i64 >= INT64_MIN / 2)
        *ret = v->via.i64;
    else
        return -EINVAL;
    return 0;
}

static int get_labels(struct cor_arena *a, struct iq_event *ev, const msgpack_object *v)
{
    uint32_t n = v->via.map.size;

    if (v->type != MSGPACK_OBJECT_MAP || n > IQ_LABELS_MAX)
        return -EINVAL;
    if (n == 0)
        return 0;
    ev->labels = cor_arena_alloc(a, n * sizeof(*ev->labels));
    if (!ev->labels)
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *k = &v->via.map.ptr[i].key, *val = &v->via.map.ptr[i].val;

        if (k->type != MSGPACK_OBJECT_STR || val->type != MSGPACK_OBJECT_STR)
            return -EINVAL;
        ev->labels[i].key = dup_str(a, k);
        ev->labels[i].value = dup_str(a, val);
        ev->n_labels = i + 1;
        if (!ev->labels[i].key || !ev->labels[i].value)
            return -ENOMEM;
    }
    return 0;
}

static int member(struct cor_arena *a, struct iq_event *ev, const msgpack_object *k,
                  const msgpack_object *v)
{
    char key[16];
    int f;

    if (k->type != MSGPACK_OBJECT_STR || k->via.str.size >= sizeof(key))
        return -EINVAL;
    memcpy(key, k->via.str.ptr, k->via.str.size);
    key[k->via.str.size] = '\0';
    if (strcmp(key, "raw") == 0)
        return 0;
    if (strcmp(key, "at") == 0)
        return get_time(v, &ev->at);
    if (strcmp(key, "ends_at") == 0)
        return get_time(v, &ev->ends_at);
    if (strcmp(key, "labels") == 0)
        return get_labels(a, ev, v);
    f = iq_field_lookup(key);
    if (f < 0 || v->type != MSGPACK_OBJECT_STR)
        return -EINVAL;
    ev->str[f] = dup_str(a, v);
    return ev->str[f] ? 0 : -ENOMEM;
}

/* The event of obj (a map) into a. */
static int fill(struct cor_arena *a, const msgpack_object *obj, struct iq_event **ret)
{
    struct iq_event *ev;
    int r;

    if (!(ev = cor_arena_alloc(a, sizeof(*ev))))
        return -ENOMEM;
    memset(ev, 0, sizeof(*ev));
    ev->at = ev->ends_at = IQ_TIME_NONE;
    for (uint32_t i = 0; i < obj->via.map.size; i++)
        if ((r = member(a, ev, &obj->via.map.ptr[i].key, &obj->via.map.ptr[i].val)) < 0)
            return r;
    if (!iq_ev_id(ev) || !iq_ev_kind(ev) || ev->at == IQ_TIME_NONE)
        return -EINVAL;
    *ret = ev;
    return 0;
}

static int unpack(struct cor_decoder *d, const char *buf, size_t len, msgpack_object *obj)
{
    size_t off = 0;

    msgpack_zone_clear(&d->zone);
    if (msgpack_unpack(buf, len, &off, &d->zone, obj) != MSGPACK_UNPACK_SUCCESS || off != len ||
        obj->type != MSGPACK_OBJECT_MAP)
        return -EINVAL;
    return 0;
}

int cor_decode(struct cor_decoder *d, struct cor_arena *a, const char *buf, size_t len,
               struct iq_event **ret)
{
    msgpack_object obj;
    int r = unpack(d, buf, len, &obj);

    return r < 0 ? r : fill(a, &obj, ret);
}

/* Is string object o one of the NULL-terminated list? */
static bool str_in(const msgpack_object *o, const char *const *list)
{
    for (; o->type == MSGPACK_OBJECT_STR && *list; list++)
        if (strlen(*list) == o->via.str.size && memcmp(*list, o->via.str.ptr, o->via.str.size) == 0)
            return true;
    return false;
}

int cor_decode_unless(struct cor_decoder *d, struct cor_arena *a, const char *buf, size_t len,
                      const char *const *keep, int64_t from, struct iq_event **ret)
{
    static const char *const kind[] = { "kind", NULL }, *const times[] = { "at", "ends_at", NULL };
    msgpack_object obj;
    bool wanted = false;
    int r = unpack(d, buf, len, &obj);

    if (r < 0)
        return r;
    for (uint32_t i = 0; i < obj.via.map.size && !wanted; i++) {
        const msgpack_object *k = &obj.via.map.ptr[i].key, *v = &obj.via.map.ptr[i].val;
        int64_t t;

        if (str_in(k, kind))
            wanted = str_in(v, keep);
        else if (str_in(k, times))
            wanted = get_time(v, &t) < 0 || t >= from;   /* a bad one: let fill refuse it */
    }
    return wanted ? fill(a, &obj, ret) : 1;
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

/* cor_store.c - incidents in the store: write, list, load, member events.
 *
 * Writes replace a whole range of incidents in one kv batch, so a reader
 * (the CLI beside the daemon, the HTTP API) sees either the old or the new
 * incidents, never a mix.  Values are compact JSON with sorted keys: the
 * same incidents give the same bytes, which is what rebuild determinism
 * is checked against.
 *
 * Also implements cor_incident.h, the read side used by the renderer. */
#include "cor_store.h"
#include "cor_incident.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_unattached.h"
#include "store_keys.h"
#include "store.h"
#include "iq_event.h"
#include "iq_time.h"
#include "iq_buf.h"

#define COR_IDX_MAX (1 + 8 + 64)

char *cor_store_text(const json_t *inc)
{
    return json_dumps(inc, JSON_COMPACT | JSON_SORT_KEYS);
}

static int parse_time(const json_t *v, int64_t *ret)
{
    const char *s = json_string_value(v);

    if (json_is_null(v)) {
        *ret = IQ_TIME_NONE;
        return 0;
    }
    if (!s || iq_time_parse_rfc3339(s, strlen(s), ret) < 0)
        return -EINVAL;
    return 0;
}

static size_t idx_key(char *buf, int64_t opened, const char *id, size_t idlen)
{
    buf[0] = 't';
    store_be64_put(buf + 1, opened);
    memcpy(buf + 9, id, idlen);
    return 9 + idlen;
}

static int visit_span(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct { struct cor_span *s; size_t n, cap; } *a = ud;
    struct cor_span *sp;

    if (kl < 10 || kl - 9 >= sizeof(sp->id))
        return 0;
    struct cor_span *ns = iq_array_grow(a->s, a->n, &a->cap, sizeof(*ns), 64);

    if (!ns)
        return -ENOMEM;
    a->s = ns;
    sp = &a->s[a->n++];
    sp->opened_at = store_be64_get(k + 1);
    memcpy(sp->id, k + 9, kl - 9);
    sp->id[kl - 9] = '\0';
    sp->closed_at = vl == 8 ? store_be64_get(v) : IQ_TIME_NONE;
    return 0;
}

int cor_store_spans(struct store *st, struct cor_span **ret, size_t *n)
{
    struct { struct cor_span *s; size_t n, cap; } a = { 0 };
    int r = store_kv_scan(st, STORE_CF_INCIDENTS, "t", 1, visit_span, &a);

    if (r < 0) {
        free(a.s);
        return r;
    }
    *ret = a.s;
    *n = a.n;
    return 0;
}

int cor_store_names_of(const json_t *inc, char **ret, size_t *ret_len)
{
    static const char *const lists[2] = { "services", "incident_keys" };
    size_t len = 2, off = 0, i;
    json_t *v;
    char *b;

    for (int l = 0; l < 2; l++)
        json_array_foreach(json_object_get(inc, lists[l]), i, v)
            len += json_is_string(v) ? strlen(json_string_value(v)) + 1 : 0;
    if (!(b = malloc(len)))
        return -ENOMEM;
    for (int l = 0; l < 2; l++) {
        json_array_foreach(json_object_get(inc, lists[l]), i, v) {
            size_t sl;

            if (!json_is_string(v))
                continue;
            sl = strlen(json_string_value(v)) + 1;
            memcpy(b + off, json_string_value(v), sl);
            off += sl;
        }
        b[off++] = '\0';
    }
    *ret = b;
    *ret_len = off;
    return 0;
}

int cor_store_names(struct store *st, const char *id, char **ret, size_t *ret_len)
{
    char key[COR_IDX_MAX];
    size_t idlen = strlen(id);

    if (idlen == 0 || idlen > 63)
        return -ENOENT;
    key[0] = 'r';
    memcpy(key + 1, id, idlen);
    return store_kv_get(st, STORE_CF_INCIDENTS, key, 1 + idlen, ret, ret_len);
}

/* Queue the text of one incident, its "t" (and "l") index entries and its
 * names ("r"). */
int cor_store_queue_text(struct store_batch *b, const char *id, int64_t opened, int64_t closed,
                         const char *text, const char *names, size_t names_len)
{
    char key[COR_IDX_MAX], val[8], *made = NULL;
    size_t idlen = id ? strlen(id) : 0;

    if (idlen == 0 || idlen > 63 || opened == IQ_TIME_NONE)
        return -EINVAL;
    if (!names) {
        json_t *inc = json_loads(text, 0, NULL);
        int r = json_is_object(inc) ? cor_store_names_of(inc, &made, &names_len) : -EINVAL;

        json_decref(inc);
        if (r < 0)
            return r;
        names = made;
    }
    key[0] = 'r';
    memcpy(key + 1, id, idlen);
    store_batch_put(b, STORE_CF_INCIDENTS, key, 1 + idlen, names, names_len);
    free(made);
    key[0] = 'i';
    store_batch_put(b, STORE_CF_INCIDENTS, key, 1 + idlen, text, strlen(text));
    if (closed != IQ_TIME_NONE)
        store_be64_put(val, closed);
    store_batch_put(b, STORE_CF_INCIDENTS, key, idx_key(key, opened, id, idlen), val,
                    closed != IQ_TIME_NONE ? 8 : 0);
    if (cor_span_long(&(struct cor_span){ .opened_at = opened, .closed_at = closed })) {
        key[0] = 'l';
        store_batch_put(b, STORE_CF_INCIDENTS, key, 9 + idlen, val, closed != IQ_TIME_NONE ? 8 : 0);
    }
    return 0;
}

/* Queue one JSON incident (id, opened_at and closed_at read from it). */
static int put_json(struct store_batch *b, const json_t *inc)
{
    const char *id = json_string_value(json_object_get(inc, "id"));
    int64_t opened, closed;
    char *text;
    int r;

    if (parse_time(json_object_get(inc, "opened_at"), &opened) < 0 ||
        parse_time(json_object_get(inc, "closed_at"), &closed) < 0)
        return -EINVAL;
    if (!(text = cor_store_text(inc)))
        return -ENOMEM;
    r = cor_store_queue_text(b, id, opened, closed, text, NULL, 0);
    free(text);
    return r;
}

/* Queue the deletion of every stored incident opened in [from, to), or
 * of them all when both are open.  stored: the stored spans, or NULL to
 * read them. */
static int delete_range(struct store *st, struct store_batch *b, const struct cor_span *stored,
                        size_t ns, int64_t from, int64_t to)
{
    struct cor_span *read = NULL;
    const struct cor_span *spans = stored;
    char key[COR_IDX_MAX];
    int r;

    if (from == IQ_TIME_NONE && to == IQ_TIME_NONE) {
        store_batch_clear_cf(b, STORE_CF_INCIDENTS);
        store_batch_put(b, STORE_CF_INCIDENTS, COR_LONG_MARKER, 1, "1", 1);
        return 0;
    }
    if (!spans && (r = cor_store_spans(st, &read, &ns)) < 0)
        return r;
    if (!spans)
        spans = read;
    for (size_t i = 0; i < ns; i++) {
        size_t idlen = strlen(spans[i].id);

        if ((from != IQ_TIME_NONE && spans[i].opened_at < from) ||
            (to != IQ_TIME_NONE && spans[i].opened_at >= to))
            continue;
        key[0] = 'r';
        memcpy(key + 1, spans[i].id, idlen);
        store_batch_delete(b, STORE_CF_INCIDENTS, key, 1 + idlen);
        key[0] = 'i';
        store_batch_delete(b, STORE_CF_INCIDENTS, key, 1 + idlen);
        store_batch_delete(b, STORE_CF_INCIDENTS, key,
                           idx_key(key, spans[i].opened_at, spans[i].id, idlen));
        if (cor_span_long(&spans[i])) {
            key[0] = 'l';
            store_batch_delete(b, STORE_CF_INCIDENTS, key, 9 + idlen);
        }
    }
    free(read);
    return 0;
}

int cor_store_replace_range(struct store *st, json_t *const *incs, size_t n, int64_t from,
                            int64_t to)
{
    struct store_batch *b = store_batch_new(st);
    int r = -ENOMEM;

    if (!b || (r = delete_range(st, b, NULL, 0, from, to)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if ((r = put_json(b, incs[i])) < 0)
            goto out;
    r = store_batch_commit(b);
out:
    store_batch_destroy(&b);
    return r;
}

int cor_store_replace_texts(struct store *st, const struct cor_span *stored, size_t ns,
                            const struct cor_span *spans, char *const *texts, size_t n,
                            char *const *names, const size_t *names_len, int64_t from,
                            int64_t to, const struct cor_unatt *u, size_t nu)
{
    struct store_batch *b = store_batch_new(st);
    int r = -ENOMEM;

    if (!b || (r = delete_range(st, b, stored, ns, from, to)) < 0 ||
        (r = cor_unattached_queue(st, b, u, nu, from, to)) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if ((r = cor_store_queue_text(b, spans[i].id, spans[i].opened_at, spans[i].closed_at,
                                      texts[i], names ? names[i] : NULL,
                                      names ? names_len[i] : 0)) < 0)
            goto out;
    r = store_batch_commit(b);
out:
    store_batch_destroy(&b);
    return r;
}

int cor_store_replace(struct store *st, json_t *const *incs, size_t n, int64_t from)
{
    return cor_store_replace_range(st, incs, n, from, IQ_TIME_NONE);
}

int cor_incident_load(struct store *st, const char *id, json_t **ret)
{
    char key[COR_IDX_MAX], *val = NULL;
    size_t idlen = strlen(id), len;
    json_error_t je;
    json_t *j;
    int r;

    if (idlen == 0 || idlen > 63)
        return -ENOENT;
    key[0] = 'i';
    memcpy(key + 1, id, idlen);
    r = store_kv_get(st, STORE_CF_INCIDENTS, key, 1 + idlen, &val, &len);
    if (r < 0)
        return r;
    j = json_loadb(val, len, JSON_REJECT_DUPLICATES, &je);
    free(val);
    if (!json_is_object(j)) {
        json_decref(j);
        return -EINVAL;
    }
    *ret = j;
    return 0;
}

int cor_incident_each(struct store *st, int64_t since,
                      int (*fn)(void *ud, const json_t *inc), void *ud)
{
    struct cor_span *spans = NULL;
    json_t *inc;
    size_t n = 0;
    int r = cor_store_spans(st, &spans, &n);

    for (size_t i = 0; r == 0 && i < n; i++) {
        if (since != IQ_TIME_NONE && spans[i].opened_at < since)
            continue;
        r = cor_incident_load(st, spans[i].id, &inc);
        if (r == -ENOENT) {
            r = 0;
            continue;
        }
        if (r == 0) {
            r = fn(ud, inc);
            json_decref(inc);
        }
    }
    free(spans);
    return r;
}

static int append(void *ud, const json_t *inc)
{
    return json_array_append((json_t *)ud, (json_t *)inc) < 0 ? -ENOMEM : 0;
}

int cor_incident_list(struct store *st, int64_t since, json_t **ret)
{
    json_t *arr = json_array();
    int r;

    if (!arr)
        return -ENOMEM;
    if ((r = cor_incident_each(st, since, append, arr)) < 0) {
        json_decref(arr);
        return r;
    }
    *ret = arr;
    return 0;
}

void cor_events_free(struct iq_event ***pevs, size_t n)
{
    if (!pevs || !*pevs)
        return;
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&(*pevs)[i]);
    free(*pevs);
    *pevs = NULL;
}

static int cmp_at_id(const void *a, const void *b)
{
    const struct iq_event *x = *(struct iq_event *const *)a, *y = *(struct iq_event *const *)b;

    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return strcmp(iq_ev_id(x), iq_ev_id(y));
}

int cor_incident_events(struct store *st, const char *id, struct iq_event ***ret, size_t *n)
{
    json_t *inc = NULL, *ids, *v;
    struct iq_event **evs = NULL;
    const char **names = NULL;
    size_t i, k = 0, m = 0;
    int r = cor_incident_load(st, id, &inc);

    if (r < 0)
        return r;
    ids = json_object_get(inc, "event_ids");
    evs = calloc(json_array_size(ids) + 1, sizeof(*evs));
    names = calloc(json_array_size(ids) + 1, sizeof(*names));
    if (!evs || !names) {
        r = -ENOMEM;
        goto out;
    }
    json_array_foreach(ids, i, v)
        if (json_is_string(v))
            names[m++] = json_string_value(v);
    if ((r = store_get_events(st, names, m, evs)) < 0)
        goto out;
    for (i = 0; i < m; i++)     /* the ones stored, in place */
        if (evs[i])
            evs[k++] = evs[i];
    qsort(evs, k, sizeof(*evs), cmp_at_id);
    *ret = evs;
    *n = k;
    evs = NULL;
out:
    cor_events_free(&evs, k);
    free(names);
    json_decref(inc);
    return r;
}

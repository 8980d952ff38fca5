/* cor_unattached.c - evidence that joined no incident because it could
 * belong to several: collected after a run, stored beside the incidents,
 * listed by `inquest incidents --unattached` and GET /api/v1/unattached.
 *
 * Grouping never guesses (cor_group.c): linked chat, or a status-page
 * update or component change that names neither a key nor a service,
 * joins the one open incident, and none when several are open; linked
 * chat in a channel whose key no incident holds joins none either.  Such
 * an event is marked ambiguous with the incidents it could belong to.
 * Here each one still unattached after the absorption pass becomes a
 * record
 *   {"at", "candidates": [incident ids], "channel", "event", "kind",
 *    "reason": "ambiguous" | "unknown_key", "service", "source", "title"}
 * stored under "u" | be64(at) | event id in the incidents family and
 * replaced with the incidents of the same time range, so a partial
 * rebuild keeps the list exactly as a full one would make it.  The list
 * is for a person to decide: `inquest incident attach INCIDENT EVENT`
 * (an audit note, cor_notes.c) puts one into an incident, which takes it
 * off the list; nothing attaches a listed event by itself.
 *
 * Design notes: records are written as the compact, key-sorted text the
 * incidents use (cor_text.h); the list is read in time order by a prefix
 * scan, with no index to keep. */
#include "cor_unattached.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_incident.h"
#include "cor_run.h"
#include "cor_text.h"
#include "store_keys.h"
#include "store.h"
#include "iq_event.h"
#include "iq_time.h"

#define UN_KEY_MAX (1 + 8 + IQ_ID_MAX + 64)

static void record_text(const struct cor_run *run, const struct cor_ev *e, struct cor_text *t)
{
    size_t out = 0;

    cor_text_lit(t, "{\"at\":");
    cor_text_time(t, e->t);
    cor_text_lit(t, ",\"candidates\":[");
    for (size_t k = 0; k < e->n_cands; k++) {
        const struct cor_inc *inc = &run->incs[e->cands[k]];

        if (inc->dropped || (inc->n == 0 && !inc->done))
            continue;
        cor_text_lit(t, out++ ? "," : "");
        cor_text_str(t, inc->id);
    }
    cor_text_lit(t, "],\"channel\":");
    cor_text_str(t, e->channel);
    cor_text_lit(t, ",\"event\":");
    cor_text_str(t, e->id);
    cor_text_lit(t, ",\"kind\":");
    cor_text_str(t, iq_ev_kind(e->ev));
    cor_text_lit(t, e->key ? ",\"reason\":\"unknown_key\"" : ",\"reason\":\"ambiguous\"");
    cor_text_lit(t, ",\"service\":");
    cor_text_str(t, e->service);
    cor_text_lit(t, ",\"source\":");
    cor_text_str(t, iq_ev_source(e->ev));
    cor_text_lit(t, ",\"title\":");
    cor_text_str_checked(t, e->ev->str[IQ_F_TITLE] ? e->ev->str[IQ_F_TITLE] : "");
    cor_text_lit(t, "}");
}

int cor_unattached_one(const struct cor_run *run, const struct cor_ev *e, struct cor_unatt *ret)
{
    struct cor_text t = { 0 };
    char *text = NULL, *id;
    int r;

    record_text(run, e, &t);
    r = cor_text_take(&t, &text);
    cor_text_release(&t);
    if (r < 0)
        return r;
    if (!(id = strdup(e->id))) {
        free(text);
        return -ENOMEM;
    }
    ret->at = e->t;
    ret->id = id;
    ret->text = text;
    return 0;
}

int cor_unattached_collect(const struct cor_run *run, struct cor_unatt **ret, size_t *ret_n)
{
    struct cor_unatt *u = NULL;
    size_t n = 0, cap = 0;
    int r = 0;

    for (size_t i = 0; i < run->n && r == 0; i++) {
        const struct cor_ev *e = &run->evs[i];

        if (!e->ambiguous || e->inc != COR_NONE || e->context || e->claimed)
            continue;
        if (n == cap) {
            struct cor_unatt *nu = realloc(u, (cap = cap ? cap * 2 : 16) * sizeof(*nu));

            if (!nu) {
                r = -ENOMEM;
                break;
            }
            u = nu;
        }
        if ((r = cor_unattached_one(run, e, &u[n])) == 0)
            n++;
    }
    if (r < 0) {
        cor_unatt_free(&u, n);
        return r;
    }
    *ret = u;
    *ret_n = n;
    return 0;
}

void cor_unatt_free(struct cor_unatt **pu, size_t n)
{
    if (!pu || !*pu)
        return;
    for (size_t i = 0; i < n; i++) {
        free((*pu)[i].text);
        free((*pu)[i].id);
    }
    free(*pu);
    *pu = NULL;
}

static size_t un_key(char *buf, int64_t at, const char *id)
{
    size_t idlen = strlen(id);

    if (idlen > IQ_ID_MAX)
        idlen = IQ_ID_MAX;
    buf[0] = 'u';
    store_be64_put(buf + 1, at);
    memcpy(buf + 9, id, idlen);
    return 9 + idlen;
}

struct del_ctx {
    struct store_batch *b;
    int64_t from, to;
};

static int del_one(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct del_ctx *d = ud;
    int64_t at;

    (void)v;
    (void)vl;
    if (kl < 9)
        return 0;
    at = store_be64_get(k + 1);
    if (d->to != IQ_TIME_NONE && at >= d->to)
        return 1;
    if (d->from == IQ_TIME_NONE || at >= d->from)
        store_batch_delete(d->b, STORE_CF_INCIDENTS, k, kl);
    return 0;
}

void cor_unattached_put(struct store_batch *b, const struct cor_unatt *u)
{
    char key[UN_KEY_MAX];

    store_batch_put(b, STORE_CF_INCIDENTS, key, un_key(key, u->at, u->id), u->text, strlen(u->text));
}

int cor_unattached_queue(struct store *st, struct store_batch *b, const struct cor_unatt *u,
                         size_t n, int64_t from, int64_t to)
{
    struct del_ctx d = { b, from, to };
    char start[9];
    int r;

    if (from != IQ_TIME_NONE || to != IQ_TIME_NONE) {
        /* the records of [from, to) only: keys are in time order */
        start[0] = 'u';
        store_be64_put(start + 1, from == IQ_TIME_NONE ? INT64_MIN : from);
        if ((r = store_kv_scan_from(st, STORE_CF_INCIDENTS, start, 9, "u", 1, del_one, &d)) < 0)
            return r;
    }
    for (size_t i = 0; i < n; i++)
        cor_unattached_put(b, &u[i]);
    return 0;
}

struct list_ctx {
    json_t *arr;
    int64_t since;
    int err;
};

static int list_one(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct list_ctx *l = ud;
    json_t *j;

    if (kl < 9 || (l->since != IQ_TIME_NONE && store_be64_get(k + 1) < l->since))
        return 0;
    j = json_loadb(v, vl, 0, NULL);
    if (json_is_object(j) && json_array_append_new(l->arr, j) < 0) {
        l->err = -ENOMEM;
        return 1;
    }
    if (!json_is_object(j))
        json_decref(j);      /* damaged record: skipped, as unreadable events are */
    return 0;
}

int cor_unattached_list(struct store *st, int64_t since, json_t **ret)
{
    struct list_ctx l = { json_array(), since, 0 };
    int r;

    if (!l.arr)
        return -ENOMEM;
    r = store_kv_scan(st, STORE_CF_INCIDENTS, "u", 1, list_one, &l);
    if (r >= 0 && l.err)
        r = l.err;
    if (r < 0) {
        json_decref(l.arr);
        return r;
    }
    *ret = l.arr;
    return 0;
}

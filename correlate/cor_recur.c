/* cor_recur.c - the recurrence index of cor_recur.h.
 *
 * One list per name, sorted by (closed_at, seq): a batch run adds its
 * incidents in any order and asks with the opening time as the bound; a
 * streaming rebuild adds them roughly in closing order (appends) and asks
 * only for incidents whose candidates are all in.  A question is one
 * binary search per name.
 *
 * Design notes:
 * - The lists own their name (one copy per name) and their entries' ids
 *   are fixed-size (COR_ID_LEN, as incident ids are), so an entry is one
 *   small record and no string outlives the index.
 * - cor_map has no delete, so pruning rebuilds the map over the lists that
 *   still hold entries; a stream prunes at its compactions, not per event. */
#include "cor_recur.h"
#include "iq_buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_run.h"
#include "iq_time.h"

struct cor_recur_ent {
    int64_t closed_at;
    int64_t seq;
    char id[COR_ID_LEN];
};

struct cor_recur_list {
    char *name;                  /* owned */
    struct cor_recur_ent *e;
    size_t n, cap;
};

static int ent_cmp(const struct cor_recur_ent *a, int64_t closed_at, int64_t seq)
{
    if (a->closed_at != closed_at)
        return a->closed_at < closed_at ? -1 : 1;
    return a->seq < seq ? -1 : a->seq > seq;
}

/* The list of name, created when absent; NULL on OOM. */
static struct cor_recur_list *list_of(struct cor_recur *r, const char *name)
{
    struct cor_recur_list *l;
    int64_t v;

    if (cor_map_get(&r->names, 0, name, &v))
        return &r->lists[v];
    if (!(l = iq_array_grow(r->lists, r->n_lists, &r->cap_lists, sizeof(*l), 64)))
        return NULL;
    r->lists = l;
    l = &r->lists[r->n_lists];
    memset(l, 0, sizeof(*l));
    if (!(l->name = strdup(name)))
        return NULL;
    if (cor_map_put(&r->names, 0, l->name, (int64_t)r->n_lists) < 0) {
        free(l->name);
        return NULL;
    }
    r->n_lists++;
    return l;
}

static int list_insert(struct cor_recur_list *l, int64_t closed_at, int64_t seq, const char *id)
{
    size_t at = l->n;

    while (at > 0 && ent_cmp(&l->e[at - 1], closed_at, seq) > 0)
        at--;
    if (at > 0 && ent_cmp(&l->e[at - 1], closed_at, seq) == 0)
        return 0;       /* the same incident under a repeated name */
    struct cor_recur_ent *ne = iq_array_grow(l->e, l->n, &l->cap, sizeof(*ne), 4);

    if (!ne)
        return -ENOMEM;
    l->e = ne;
    memmove(&l->e[at + 1], &l->e[at], (l->n - at) * sizeof(*l->e));
    l->e[at].closed_at = closed_at;
    l->e[at].seq = seq;
    snprintf(l->e[at].id, sizeof(l->e[at].id), "%s", id);
    l->n++;
    return 1;
}

int cor_recur_add(struct cor_recur *r, const char *const *names, size_t n, int64_t closed_at,
                  int64_t seq, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        struct cor_recur_list *l;
        int k;

        if (!names[i])
            continue;
        if (!(l = list_of(r, names[i])) || (k = list_insert(l, closed_at, seq, id)) < 0)
            return -ENOMEM;
        r->n_ents += (size_t)k;
    }
    return 0;
}

/* The latest entry of l closed at or before t, or NULL. */
static const struct cor_recur_ent *latest_by(const struct cor_recur_list *l, int64_t t)
{
    size_t lo = 0, hi = l->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (l->e[mid].closed_at <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &l->e[lo - 1] : NULL;
}

const char *cor_recur_pick(const struct cor_recur *r, const char *const *names, size_t n,
                           int64_t opened_at, int64_t window)
{
    const struct cor_recur_ent *best = NULL;

    for (size_t i = 0; i < n; i++) {
        const struct cor_recur_ent *e;
        int64_t v;

        if (!names[i] || !cor_map_get(&r->names, 0, names[i], &v))
            continue;
        e = latest_by(&r->lists[v], opened_at);
        if (!e || e->closed_at < opened_at - window)
            continue;
        if (!best || e->closed_at > best->closed_at ||
            (e->closed_at == best->closed_at && strcmp(e->id, best->id) < 0))
            best = e;
    }
    return best ? best->id : NULL;
}

int cor_recur_prune(struct cor_recur *r, int64_t t)
{
    struct cor_map m = { 0 };
    size_t k = 0;

    for (size_t i = 0; i < r->n_lists; i++) {
        struct cor_recur_list *l = &r->lists[i];
        size_t drop = 0;

        while (drop < l->n && l->e[drop].closed_at < t)
            drop++;
        memmove(l->e, l->e + drop, (l->n - drop) * sizeof(*l->e));
        l->n -= drop;
        r->n_ents -= drop;
        if (l->n == 0) {
            free(l->name);
            free(l->e);
            continue;
        }
        r->lists[k++] = *l;
    }
    r->n_lists = k;
    for (size_t i = 0; i < k; i++) {
        if (cor_map_put(&m, 0, r->lists[i].name, (int64_t)i) < 0) {
            cor_map_clear(&m);
            return -ENOMEM;
        }
    }
    cor_map_clear(&r->names);
    r->names = m;
    return 0;
}

void cor_recur_clear(struct cor_recur *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_lists; i++) {
        free(r->lists[i].name);
        free(r->lists[i].e);
    }
    free(r->lists);
    cor_map_clear(&r->names);
    memset(r, 0, sizeof(*r));
}

size_t cor_inc_names(const struct cor_run *run, const struct cor_inc *inc, const char **ret)
{
    size_t n = 0;

    for (size_t k = 0; k < inc->n; k++) {
        const struct cor_ev *e = &run->evs[inc->mem[k]];

        ret[n++] = e->service;
        ret[n++] = e->key;
    }
    return n;
}

/* Every closed incident and prior into one index, then each incident
 * asks it (cor_run.h). */
int cor_group_recurrences(struct cor_run *run)
{
    struct cor_recur idx = { 0 };
    const char **names = NULL;
    size_t cap = 0, n;
    int r = 0;

    for (size_t i = 0; i < run->n_incs && r == 0; i++)
        if (!run->incs[i].dropped && run->incs[i].n > cap)
            cap = run->incs[i].n;
    if (!(names = malloc((2 * cap + 1) * sizeof(*names))))
        return -ENOMEM;
    for (size_t i = 0; i < run->n_prior && r == 0; i++) {
        const struct cor_prior *p = &run->prior[i];

        for (size_t k = 0; k < json_array_size(p->names) && r == 0; k++) {
            const char *name = json_string_value(json_array_get(p->names, k));

            r = cor_recur_add(&idx, &name, 1, p->closed_at, -(int64_t)i - 1, p->id);
        }
    }
    for (size_t i = 0; i < run->n_incs && r == 0; i++) {
        const struct cor_inc *inc = &run->incs[i];

        if (inc->dropped || inc->closed_at == IQ_TIME_NONE)
            continue;
        n = cor_inc_names(run, inc, names);
        r = cor_recur_add(&idx, names, n, inc->closed_at, inc->seq, inc->id);
    }
    for (size_t i = 0; i < run->n_incs && r == 0; i++) {
        struct cor_inc *inc = &run->incs[i];
        const char *id;

        if (inc->dropped)
            continue;
        n = cor_inc_names(run, inc, names);
        id = cor_recur_pick(&idx, names, n, inc->opened_at, run->cfg->recurrence_ms);
        snprintf(inc->recurrence_of, sizeof(inc->recurrence_of), "%s", id ? id : "");
    }
    cor_recur_clear(&idx);
    free(names);
    return r;
}

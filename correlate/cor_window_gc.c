/* cor_window_gc.c - compaction of a streaming rebuild's window: keep what
 * the rest of the walk can still look at, copy it into a fresh arena and
 * free everything else (cor_window.h).
 *
 * An event stays when:
 * - it is recent: within max(lead_window, open_window) before G (evidence
 *   an incident opening later absorbs);
 * - it is a deploy or change from `horizon` on: min(G, the earliest
 *   opening among incidents not yet written) - lead_window - lookback,
 *   the earliest an incident's trigger candidates normally reach, but no
 *   more than stale_after before that (an incident whose candidates reach
 *   further, open for longer or with an early impact start, is rendered
 *   from the store, cor_held.c);
 * - it belongs to an incident not yet written, or lies in the absorption
 *   window of one not yet absorbed;
 * - the grouping or the rollback state names it (pending alerts, each
 *   deploy target's current deploy, versions deployed within lookback);
 * - an audit note is it or names it, or it is watched or waiting for its
 *   unattached record.
 * An incident stays while not written, and after that (id and span only)
 * while a kept event names it as a candidate or it opened recently enough
 * to count for an absorption's "only incident opening" test.
 *
 * Kept events are copied (cor_event_copy) and classified again, which
 * rebuilds every derived pointer into the new arena; the state a pass set
 * (signal after the rollback pass, incident, ambiguity and candidates) is
 * carried over.  Indices move, so every array and map holding event or
 * incident indices is rewritten; map keys are copied too.  A grouping key
 * whose incident is gone becomes a prior (tag 'q': closed_at), exactly the
 * "closed recently" fact grouping still asks about it.
 *
 * The next compaction comes once the budget was added to what this one
 * kept: when much must be kept (many long open incidents) compaction does
 * not run away, and memory follows what the open incidents need. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_decode.h"
#include "cor_window.h"
#include "iq_event.h"
#include "iq_time.h"

/* How far back deploys and changes are kept at most: an incident open
 * longer than stale_after is rendered from the store instead. */
#define HORIZON_MAX(cfg) ((cfg)->stale_ms + (cfg)->lead_ms + (cfg)->lookback_ms)

#define TAG_KEY 'k'
#define TAG_GROUP 'g'
#define TAG_ALERT 'a'
#define TAG_PAGE 'p'
#define TAG_STATUS 's'
#define TAG_SERVICE 'v'
#define TAG_PRIOR 'q'

struct gc {
    struct cor_window *w;
    uint8_t *keep_ev;          /* per old event */
    uint8_t *keep_inc;         /* per old incident */
    uint32_t *evmap, *incmap;  /* old -> new index, UINT32_MAX when dropped */
    struct cor_arena a;        /* the new generation */
    int64_t low;               /* min(G, earliest opening not absorbed) */
    int64_t low_written;       /* min(G, earliest opening not written, held aside) */
};

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static bool is_trigger_kind(const struct cor_ev *e)
{
    return e->sig == COR_SIG_DEPLOY || e->sig == COR_SIG_ROLLBACK || e->sig == COR_SIG_CHANGE;
}

static void bounds(struct gc *c)
{
    const struct cor_run *run = &c->w->run;

    c->low = c->low_written = c->w->G == IQ_TIME_NONE ? INT64_MAX : c->w->G;
    for (size_t i = 0; i < run->n_incs; i++) {
        const struct cor_inc *x = &run->incs[i];

        if (x->done)
            continue;
        if (!x->absorbed)
            c->low = min64(c->low, x->opened_at);
        if (!x->held)
            c->low_written = min64(c->low_written, x->opened_at);
    }
}

static void mark_incidents_events(struct gc *c)
{
    const struct cor_run *run = &c->w->run;

    for (size_t i = 0; i < run->n_incs; i++) {
        const struct cor_inc *x = &run->incs[i];
        size_t lo;

        if (x->done)
            continue;
        for (size_t k = 0; k < x->n; k++)
            c->keep_ev[x->mem[k]] = 1;
        if (x->absorbed)
            continue;
        lo = cor_run_lower_bound(run, x->opener, x->opened_at - run->cfg->lead_ms);
        for (size_t j = lo; j < x->opener; j++)
            c->keep_ev[j] = 1;
    }
}

static void mark_state_events(struct gc *c)
{
    struct cor_window *w = c->w;
    const struct cor_map *rb = &w->rb;

    for (size_t k = 0; k < w->g.n_pending; k++)
        c->keep_ev[w->g.pending[k]] = 1;
    for (size_t k = w->watch_head; k < w->n_watch; k++)
        c->keep_ev[w->watch[k]] = 1;
    for (size_t k = 0; k < w->n_amb; k++)
        c->keep_ev[w->amb[k]] = 1;
    for (size_t k = 0; k < rb->cap; k++) {
        const struct cor_map_slot *s = &rb->slots[k];

        if (s->key && (s->tag == 'c' ||
                       w->run.evs[s->value].t >= w->G - w->run.cfg->lookback_ms))
            c->keep_ev[s->value] = 1;
    }
}

static void mark_events(struct gc *c, int64_t horizon)
{
    struct cor_window *w = c->w;
    const struct cor_config *cfg = w->run.cfg;
    int64_t recent = w->G - (cfg->lead_ms > cfg->open_window_ms ? cfg->lead_ms : cfg->open_window_ms);

    for (size_t j = 0; j < w->run.n; j++) {
        const struct cor_ev *e = &w->run.evs[j];

        c->keep_ev[j] = e->t >= recent || (is_trigger_kind(e) && e->t >= horizon) ||
                        e->sig == COR_SIG_CONTROL || cor_window_attach_named(w, e->id);
    }
    mark_incidents_events(c);
    mark_state_events(c);
}

static void mark_incidents(struct gc *c)
{
    const struct cor_run *run = &c->w->run;

    for (size_t i = 0; i < run->n_incs; i++)
        c->keep_inc[i] = !run->incs[i].done ||
                         run->incs[i].opened_at >= c->low - run->cfg->lead_ms - 1;
    for (size_t j = 0; j < run->n; j++)
        for (size_t k = 0; c->keep_ev[j] && k < run->evs[j].n_cands; k++)
            c->keep_inc[run->evs[j].cands[k]] = 1;
}

/* Copy event e into the new arena as a fresh record, classified again,
 * with the state of the passes carried over (incident and candidates are
 * remapped by the caller). */
static int copy_event(struct gc *c, const struct cor_ev *e, struct cor_ev *ret)
{
    struct cor_run *run = &c->w->run;
    struct cor_arena saved = run->arena;
    struct iq_event *ev = cor_event_copy(&c->a, e->ev);
    int r;

    if (!ev)
        return -ENOMEM;
    memset(ret, 0, sizeof(*ret));
    ret->ev = ev;
    run->arena = c->a;
    r = cor_classify(run, ret);
    c->a = run->arena;
    run->arena = saved;
    if (r < 0)
        return r;
    ret->sig = e->sig;
    ret->inc = e->inc;
    ret->ambiguous = e->ambiguous;
    ret->context = e->context;
    ret->claimed = e->claimed;
    ret->n_cands = e->n_cands;
    ret->cands = e->cands;
    return 0;
}

static uint32_t map_inc(const struct gc *c, uint32_t i)
{
    if (i == COR_NONE || i == COR_GONE)
        return i;
    return c->incmap[i] != UINT32_MAX ? c->incmap[i] : COR_GONE;
}

static int copy_events(struct gc *c, struct cor_ev *nevs, size_t *ret_n)
{
    const struct cor_run *run = &c->w->run;
    size_t n = 0;
    int r;

    for (size_t j = 0; j < run->n; j++) {
        struct cor_ev *ne = &nevs[n];
        uint32_t *cands;

        c->evmap[j] = UINT32_MAX;
        if (!c->keep_ev[j])
            continue;
        if ((r = copy_event(c, &run->evs[j], ne)) < 0)
            return r;
        ne->inc = map_inc(c, ne->inc);
        if (ne->n_cands) {
            if (!(cands = cor_arena_alloc(&c->a, ne->n_cands * sizeof(*cands))))
                return -ENOMEM;
            for (size_t k = 0; k < ne->n_cands; k++)
                cands[k] = c->incmap[ne->cands[k]];
            ne->cands = cands;
        }
        c->evmap[j] = (uint32_t)n++;
    }
    *ret_n = n;
    return 0;
}

/* The heap's events (not yet in order) into the new arena. */
static int copy_heap(struct gc *c)
{
    struct cor_window *w = c->w;
    int r;

    for (size_t k = 0; k < w->n_heap; k++) {
        struct cor_ev ne;

        if ((r = copy_event(c, &w->heap[k], &ne)) < 0)
            return r;
        w->heap[k] = ne;
    }
    return 0;
}

static void compact_incidents(struct gc *c)
{
    struct cor_run *run = &c->w->run;
    size_t n = 0;

    for (size_t i = 0; i < run->n_incs; i++) {
        struct cor_inc *x = &run->incs[i];

        c->incmap[i] = UINT32_MAX;
        if (!c->keep_inc[i]) {
            free(x->mem);
            json_decref(x->merged_from);
            json_decref(x->overrides);
            continue;
        }
        c->incmap[i] = (uint32_t)n;
        run->incs[n++] = *x;
    }
    run->n_incs = n;
}

static void remap_incidents(struct gc *c)
{
    struct cor_run *run = &c->w->run;

    for (size_t i = 0; i < run->n_incs; i++) {
        struct cor_inc *x = &run->incs[i];

        for (size_t k = 0; k < x->n && x->mem; k++)
            x->mem[k] = c->evmap[x->mem[k]];
        if (!x->done)
            x->opener = c->evmap[x->opener];
    }
}

/* Put tag/key -> value in m with the key copied into the new arena. */
static int put_copy(struct gc *c, struct cor_map *m, uint8_t tag, const char *key, int64_t v)
{
    const char *k = cor_arena_strndup(&c->a, key, strlen(key));

    return k ? cor_map_put(m, tag, k, v) : -ENOMEM;
}

/* One slot of the grouping map into nm, translated (see the top). */
static int regroup_slot(struct gc *c, struct cor_map *nm, const struct cor_map_slot *s,
                        const struct cor_inc *old_incs)
{
    const struct cor_window *w = c->w;
    int64_t recent = w->G - w->run.cfg->recurrence_ms, v;
    uint32_t inc;

    switch (s->tag) {
    case TAG_ALERT:
    case TAG_PAGE:
    case TAG_STATUS:
        inc = c->incmap[s->value >> 1];
        return inc == UINT32_MAX ? 0 : put_copy(c, nm, s->tag, s->key,
                                                ((int64_t)inc << 1) | (s->value & 1));
    case TAG_KEY:
    case TAG_GROUP:
    case TAG_SERVICE:
        inc = c->incmap[s->value];
        if (inc != UINT32_MAX)
            return put_copy(c, nm, s->tag, s->key, inc);
        if (s->tag != TAG_KEY || old_incs[s->value].closed_at == IQ_TIME_NONE)
            return 0;
        v = old_incs[s->value].closed_at;
        break;
    case TAG_PRIOR:
        v = s->value;
        break;
    default:
        return put_copy(c, nm, s->tag, s->key, s->value);
    }
    if (v < recent)
        return 0;
    {
        int64_t had;

        if (cor_map_get(nm, TAG_PRIOR, s->key, &had) && had >= v)
            return 0;
    }
    return put_copy(c, nm, TAG_PRIOR, s->key, v);
}

static int remap_maps(struct gc *c, const struct cor_inc *old_incs)
{
    struct cor_window *w = c->w;
    struct cor_map ng = { 0 }, nr = { 0 };
    int r = 0;

    for (size_t k = 0; k < w->g.map.cap && r == 0; k++)
        if (w->g.map.slots[k].key)
            r = regroup_slot(c, &ng, &w->g.map.slots[k], old_incs);
    for (size_t k = 0; k < w->rb.cap && r == 0; k++) {
        const struct cor_map_slot *s = &w->rb.slots[k];

        if (s->key && c->evmap[s->value] != UINT32_MAX &&
            (s->tag == 'c' || w->run.evs[s->value].t >= w->G - w->run.cfg->lookback_ms))
            r = put_copy(c, &nr, s->tag, s->key, c->evmap[s->value]);
    }
    if (r < 0) {
        cor_map_clear(&ng);
        cor_map_clear(&nr);
        return r;
    }
    cor_map_clear(&w->g.map);
    cor_map_clear(&w->rb);
    w->g.map = ng;
    w->rb = nr;
    return 0;
}

static void remap_lists(struct gc *c)
{
    struct cor_window *w = c->w;
    size_t n = 0;

    for (size_t k = 0; k < w->g.n_open; k++)
        w->g.open[k] = c->incmap[w->g.open[k]];
    for (size_t k = 0; k < w->g.n_pending; k++)
        w->g.pending[k] = c->evmap[w->g.pending[k]];
    for (size_t k = w->watch_head; k < w->n_watch; k++)
        w->watch[n++] = c->evmap[w->watch[k]];
    w->n_watch = n;
    w->watch_head = 0;
    for (size_t k = 0; k < w->n_amb; k++)
        w->amb[k] = c->evmap[w->amb[k]];
    for (size_t k = 0; k < w->n_live; k++)
        w->live[k] = c->incmap[w->live[k]];
}

/* The arrays of the step, with the new generation in place. */
static int rebuild(struct gc *c, struct cor_inc *old_incs)
{
    struct cor_window *w = c->w;
    struct cor_run *run = &w->run;
    /* the same capacity as before: the window fills up to it again before
     * the next compaction, and growing it back by doubling cost a chain of
     * reallocs (and their page faults) after every compaction */
    size_t cap = run->cap > run->n ? run->cap : run->n + 1;
    struct cor_ev *nevs;
    size_t n = 0;
    int r;

    /* the two arrays take turns: a fresh one of this size is mapped
     * pages, and faulting them in at every compaction cost more than the
     * copy (10-15 us a page on a virtual machine) */
    if (w->spare_cap < cap) {
        free(w->spare_evs);
        w->spare_evs = NULL;
        w->spare_cap = 0;
        if (!(w->spare_evs = malloc(cap * sizeof(*nevs))))
            return -ENOMEM;
        w->spare_cap = cap;
    }
    nevs = w->spare_evs;
    cap = w->spare_cap;
    compact_incidents(c);
    if ((r = copy_events(c, nevs, &n)) < 0 || (r = copy_heap(c)) < 0 ||
        (r = remap_maps(c, old_incs)) < 0)
        return r;
    remap_incidents(c);
    remap_lists(c);
    w->spare_evs = run->evs;
    w->spare_cap = run->cap;
    run->evs = nevs;
    run->n = n;
    run->cap = cap;
    return 0;
}

int cor_window_compact(struct cor_window *w)
{
    struct cor_run *run = &w->run;
    struct gc c = { .w = w, .a = { .huge = true } };
    struct cor_inc *old_incs = NULL;
    int64_t horizon;
    size_t kept;
    int r = -ENOMEM;

    bounds(&c);
    horizon = c.low_written - run->cfg->lead_ms - run->cfg->lookback_ms;
    if (w->G != IQ_TIME_NONE && horizon < w->G - HORIZON_MAX(run->cfg))
        horizon = w->G - HORIZON_MAX(run->cfg);
    c.keep_ev = calloc(run->n + 1, 1);
    c.keep_inc = calloc(run->n_incs + 1, 1);
    c.evmap = calloc(run->n + 1, sizeof(*c.evmap));
    c.incmap = calloc(run->n_incs + 1, sizeof(*c.incmap));
    old_incs = malloc((run->n_incs + 1) * sizeof(*old_incs));
    if (!c.keep_ev || !c.keep_inc || !c.evmap || !c.incmap || !old_incs)
        goto out;
    if (run->n_incs)
        memcpy(old_incs, run->incs, run->n_incs * sizeof(*old_incs));
    mark_events(&c, horizon);
    mark_incidents(&c);
    if ((r = rebuild(&c, old_incs)) < 0)
        goto out;
    cor_arena_release(&run->arena);
    for (size_t i = 0; i < w->n_gens; i++) {
        if (w->recycle)
            w->recycle(w->recycle_ud, &w->gens[i]);
        cor_arena_release(&w->gens[i]);
    }
    w->n_gens = 0;
    run->arena = c.a;
    memset(&c.a, 0, sizeof(c.a));
    if (horizon > w->horizon)
        w->horizon = horizon;
    r = cor_recur_prune(&w->recur, c.low_written - run->cfg->recurrence_ms - 1);
    kept = run->arena.used + (run->n + w->n_heap) * sizeof(*run->evs);
    w->limit = kept + run->cfg->rebuild_memory;
    w->stats.compactions++;
out:
    cor_arena_release(&c.a);
    free(c.keep_ev);
    free(c.keep_inc);
    free(c.evmap);
    free(c.incmap);
    free(old_incs);
    return r;
}

/* cor_window.c - a streaming rebuild, one event at a time: the in-memory
 * run's passes (cor_run.c) applied as soon as their inputs are complete.
 *
 * Events arrive in (effective time, id) order (cor_stream.c reorders what
 * the store gives in time order).  Each is appended to the window run and
 * goes through the rollback step and the grouping step at once: both only
 * look back, so doing them event by event is the batch pass.  Then, as
 * the walk moves on (G is the time of the last event taken):
 * - absorption of an incident X (cor_group_absorb_one) runs once X is
 *   closed, G is past opened_at + max(lead_window, open_window) (every
 *   incident that could share its evidence, or attach a pending alert in
 *   its window, is known) and every earlier incident opened within
 *   lead_window before X is absorbed (the batch absorbs in opening order;
 *   only incidents that near can compete for the same events);
 * - X is finalised once absorbed and no closed incident is still waiting
 *   for absorption with closed_at <= X's opened_at (its names, which the
 *   recurrence looks at, are then final; an incident still open closes
 *   after G, so it cannot be X's recurrence): its recurrence is picked in
 *   the index (cor_recur.c), its text made (cor_json.c) and queued for the
 *   store (cor_out.c), and its members freed; id and span stay while
 *   other records may name it;
 * - an incident that an audit note names, or that holds an event an
 *   attach note names, is held to the end instead (cor_held.c);
 * - an event that may end up unattached (chat, status-page updates) is
 *   watched until every absorption that could take it is done; if it is
 *   still ambiguous its record is written then (candidates' ids are final
 *   from their opening; only a note can make one disappear), or at the end
 *   when a note names it or one of its candidates.
 * The text of an incident reads the deploys and changes of its look-back:
 * the window keeps them from `horizon` on (cor_window_gc.c); one that
 * reaches earlier is rendered from a re-read of the store.
 *
 * Equivalence with the in-memory run is what tests/unit/cor_stream_test.c
 * checks, on the corpora and on random histories with a tiny budget. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_engine.h"
#include "cor_unattached.h"
#include "cor_window.h"
#include "iq_event.h"
#include "iq_time.h"
#include "iq_buf.h"

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

int cor_window_init(struct cor_window *w, struct store *st, const struct cor_config *cfg,
                    const struct cor_named *named)
{
    int r;

    memset(w, 0, sizeof(*w));
    cor_run_init(&w->run, cfg);
    w->run.arena.huge = true;
    w->st = st;
    w->named = named;
    w->limit = cfg->rebuild_memory;
    w->G = w->t_close = IQ_TIME_NONE;
    w->horizon = INT64_MIN;
    if ((r = cor_group_begin(&w->g, &w->run)) < 0)
        return r;
    return cor_out_new(st, named->notes > 0, cfg->rebuild_memory, &w->out);
}

void cor_window_release(struct cor_window *w)
{
    if (!w)
        return;
    cor_group_release(&w->g);
    cor_map_clear(&w->rb);
    cor_map_clear(&w->scratch);
    cor_recur_clear(&w->recur);
    cor_out_destroy(&w->out);
    cor_run_free(&w->run);
    for (size_t i = 0; i < w->n_gens; i++)
        cor_arena_release(&w->gens[i]);
    free(w->gens);
    free(w->spare_evs);
    free(w->heap);
    free(w->watch);
    free(w->amb);
    free(w->live);
    free(w->nbuf);
    free(w->recs);
    free(w->rec_names);
    cor_arena_release(&w->rec_arena);
    memset(w, 0, sizeof(*w));
}

int cor_window_take(struct cor_window *w, struct cor_arena *a)
{
    struct cor_arena *ng = iq_array_grow(w->gens, w->n_gens, &w->cap_gens, sizeof(*ng), 16);

    if (!ng)
        return -ENOMEM;
    w->gens = ng;
    w->gens[w->n_gens++] = *a;
    memset(a, 0, sizeof(*a));
    return 0;
}

/* Decoded-event bytes held: the arenas and the records of the events. */
static size_t held_bytes(const struct cor_window *w)
{
    size_t n = w->run.arena.used + (w->run.n + w->n_heap) * sizeof(*w->run.evs);

    if (w->reading)
        n += w->reading->used;
    for (size_t i = 0; i < w->n_gens; i++)
        n += w->gens[i].used;
    return n;
}

/* ---- the reorder heap: a min-heap on (t, id) ---- */

static void heap_swap(struct cor_ev *a, struct cor_ev *b)
{
    struct cor_ev t = *a;

    *a = *b;
    *b = t;
}

static int take(struct cor_window *w, const struct cor_ev *e);

int cor_window_push(struct cor_window *w, const struct cor_ev *e)
{
    size_t i;

    /* in order already (nothing queued before it, and no later value can
     * be earlier: its time is its `at`): no need to queue it */
    if (e->t == e->ev->at && (w->n_heap == 0 || cor_ev_cmp(e, &w->heap[0]) < 0))
        return take(w, e);
    struct cor_ev *nh = iq_array_grow(w->heap, w->n_heap, &w->cap_heap, sizeof(*nh), 1024);

    if (!nh)
        return -ENOMEM;
    w->heap = nh;
    i = w->n_heap++;
    w->heap[i] = *e;
    while (i > 0 && cor_ev_cmp(&w->heap[(i - 1) / 2], &w->heap[i]) > 0) {
        heap_swap(&w->heap[(i - 1) / 2], &w->heap[i]);
        i = (i - 1) / 2;
    }
    return 0;
}

static void heap_pop(struct cor_window *w, struct cor_ev *ret)
{
    size_t i = 0;

    *ret = w->heap[0];
    w->heap[0] = w->heap[--w->n_heap];
    for (;;) {
        size_t l = 2 * i + 1, m = i;

        if (l < w->n_heap && cor_ev_cmp(&w->heap[l], &w->heap[m]) < 0)
            m = l;
        if (l + 1 < w->n_heap && cor_ev_cmp(&w->heap[l + 1], &w->heap[m]) < 0)
            m = l + 1;
        if (m == i)
            break;
        heap_swap(&w->heap[i], &w->heap[m]);
        i = m;
    }
}

/* ---- finalising ---- */

/* Does an audit note name inc, or an event in it? */
static bool named_inc(const struct cor_window *w, const struct cor_inc *inc)
{
    int64_t v;

    if (!w->named->notes)
        return false;
    if (cor_map_get(&w->named->ids, 'i', inc->id, &v))
        return true;
    for (size_t k = 0; k < inc->n; k++)
        if (cor_window_attach_named(w, w->run.evs[inc->mem[k]].id))
            return true;
    return false;
}


static int absorb(struct cor_window *w, uint32_t i)
{
    struct cor_inc *inc;
    ptrdiff_t n;
    int r = cor_group_absorb_one(&w->run, i, &w->scratch);

    cor_map_clear(&w->scratch);
    if (r < 0)
        return r;
    inc = &w->run.incs[i];
    inc->absorbed = true;
    if (inc->closed_at == IQ_TIME_NONE)
        return 0;
    if ((n = cor_held_names(w, inc)) < 0)
        return -ENOMEM;
    return cor_recur_add(&w->recur, w->nbuf, (size_t)n, inc->closed_at, inc->seq, inc->id);
}

static int finalise(struct cor_window *w, uint32_t i)
{
    struct cor_inc *inc = &w->run.incs[i];
    int r;

    if (named_inc(w, inc)) {
        inc->held = true;
        w->stats.held++;
        return 0;
    }
    r = cor_held_write(w, inc, &w->recur, false);
    if (r == 0 && w->named->notes)
        r = cor_held_record(w, inc);
    if (r < 0)
        return r;
    inc->done = true;
    free(inc->mem);
    inc->mem = NULL;
    inc->cap = 0;
    return 0;
}

/* Must incident i wait for an earlier one still waiting for absorption?
 * Only one opened within lead_window before it can compete for the same
 * evidence, and only when i would take an event that one might take
 * first (the batch absorbs in opening order).  1, 0 or -ENOMEM. */
static int blocked(struct cor_window *w, size_t k)
{
    const struct cor_inc *x = &w->run.incs[w->live[k]];
    int r = 0;

    for (size_t q = 0; q < k && r == 0; q++) {
        const struct cor_inc *y = &w->run.incs[w->live[q]];

        if (y->done || y->absorbed || y->opened_at < x->opened_at - w->run.cfg->lead_ms)
            continue;
        r = cor_group_contested(&w->run, w->live[k], w->live[q], &w->scratch);
        cor_map_clear(&w->scratch);
    }
    return r;
}

static int absorb_ready(struct cor_window *w)
{
    const struct cor_config *cfg = w->run.cfg;
    int64_t reach = max64(cfg->lead_ms, cfg->open_window_ms);
    int r;

    for (size_t k = 0; k < w->n_live; k++) {
        const struct cor_inc *x = &w->run.incs[w->live[k]];

        if (x->done || x->absorbed || x->open)
            continue;
        if (!w->ended && w->G <= x->opened_at + reach)
            continue;
        if ((r = blocked(w, k)) < 0)
            return r;
        if (r == 0 && (r = absorb(w, w->live[k])) < 0)
            return r;
    }
    return 0;
}

static int finalise_ready(struct cor_window *w)
{
    int64_t minc = INT64_MAX;
    int r;

    size_t n = 0;

    for (size_t k = 0; k < w->n_live; k++) {
        const struct cor_inc *x = &w->run.incs[w->live[k]];

        if (!x->absorbed && !x->open && x->closed_at < minc)
            minc = x->closed_at;
    }
    for (size_t k = 0; k < w->n_live; k++) {
        const struct cor_inc *x = &w->run.incs[w->live[k]];

        if (x->absorbed && !x->held && (w->ended || minc > x->opened_at) &&
            (r = finalise(w, w->live[k])) < 0)
            return r;
        if (!x->done)
            w->live[n++] = w->live[k];
    }
    w->n_live = n;
    return 0;
}

/* Is every absorption that could take event e done? */
static bool settled(const struct cor_window *w, const struct cor_ev *e)
{
    if (w->ended)
        return true;
    if (w->G <= e->t + w->run.cfg->lead_ms)
        return false;
    for (size_t k = 0; k < w->n_live; k++) {
        const struct cor_inc *x = &w->run.incs[w->live[k]];

        if (!x->absorbed && x->opened_at >= e->t && x->opened_at <= e->t + w->run.cfg->lead_ms)
            return false;
    }
    return true;
}

/* Write the record of unattached event i once its candidates are written;
 * 1 when written (or no longer unattached), 0 to wait, or an error. */
static int try_record(struct cor_window *w, uint32_t i)
{
    const struct cor_ev *e = &w->run.evs[i];
    struct cor_unatt u;
    int r;

    if (e->inc != COR_NONE)
        return 1;
    if (!w->notes_done && cor_window_attach_named(w, e->id))
        return 0;
    for (size_t k = 0; k < e->n_cands && !w->notes_done; k++) {
        const struct cor_inc *c = &w->run.incs[e->cands[k]];
        int64_t v;

        if (w->named->notes && cor_map_get(&w->named->ids, 'i', c->id, &v))
            return 0;     /* a note may merge it away */
    }
    if ((r = cor_unattached_one(&w->run, e, &u)) < 0)
        return r;
    r = cor_out_unatt(w->out, &u);
    free(u.id);
    free(u.text);
    return r < 0 ? r : 1;
}

int cor_window_records(struct cor_window *w)
{
    size_t k = 0;
    int r;

    while (w->watch_head < w->n_watch) {
        uint32_t i = w->watch[w->watch_head];
        const struct cor_ev *e = &w->run.evs[i];

        if (!settled(w, e))
            break;
        w->watch_head++;
        if (e->ambiguous && e->inc == COR_NONE &&
            cor_push_u32(&w->amb, &w->n_amb, &w->cap_amb, i) < 0)
            return -ENOMEM;
    }
    for (size_t j = 0; j < w->n_amb; j++) {
        if ((r = try_record(w, w->amb[j])) < 0)
            return r;
        if (r == 0)
            w->amb[k++] = w->amb[j];
    }
    w->n_amb = k;
    return 0;
}

/* Everything that the walk reaching G (or its end) makes ready. */
static int advance(struct cor_window *w)
{
    int r;

    if ((r = absorb_ready(w)) < 0 || (r = finalise_ready(w)) < 0)
        return r;
    return cor_window_records(w);
}

static bool may_unattach(const struct cor_ev *e)
{
    return e->sig == COR_SIG_CHAT || e->sig == COR_SIG_COMPONENT ||
           (e->sig >= COR_SIG_STATUS_INVESTIGATING && e->sig <= COR_SIG_STATUS_OTHER);
}

/* Take event e, the next in order, into the window. */
static int take(struct cor_window *w, const struct cor_ev *e)
{
    struct cor_run *run = &w->run;
    uint32_t i;
    int r;

    if (cor_run_reserve_ev(run) < 0)
        return -ENOMEM;
    i = (uint32_t)run->n++;
    run->evs[i] = *e;
    w->G = e->t;
    if (e->sig != COR_SIG_CONTROL) {
        size_t n0 = run->n_incs;

        w->t_close = max64(w->t_close, e->t);
        if ((r = cor_rollback_step(run, &w->rb, i)) < 0 || (r = cor_group_step(&w->g, i)) < 0)
            return r;
        for (size_t k = n0; k < run->n_incs; k++) {
            cor_group_name(run, &run->incs[k]);     /* its id is final from its opening */
            if (cor_push_u32(&w->live, &w->n_live, &w->cap_live, (uint32_t)k) < 0)
                return -ENOMEM;
        }
        if (may_unattach(e) && cor_push_u32(&w->watch, &w->n_watch, &w->cap_watch, i) < 0)
            return -ENOMEM;
    }
    if ((r = advance(w)) < 0)
        return r;
    if (held_bytes(w) > w->stats.peak_bytes)
        w->stats.peak_bytes = held_bytes(w);
    if (held_bytes(w) > w->limit)
        return cor_window_compact(w);
    return 0;
}

int cor_window_flow(struct cor_window *w, int64_t frontier)
{
    struct cor_ev e;
    int r;

    while (w->n_heap && w->heap[0].t < frontier) {
        heap_pop(w, &e);
        if ((r = take(w, &e)) < 0)
            return r;
    }
    return 0;
}

int cor_window_end(struct cor_window *w, struct cor_result *res)
{
    struct cor_ev e;
    int r;

    while (w->n_heap) {
        heap_pop(w, &e);
        if ((r = take(w, &e)) < 0)
            return r;
    }
    w->ended = true;
    if (w->t_close != IQ_TIME_NONE)
        cor_group_close_due(&w->g, w->t_close);
    cor_group_finish(&w->g);
    if ((r = advance(w)) < 0 || (r = cor_held_finish(w)) < 0)
        return r;
    w->notes_done = true;
    if ((r = cor_window_records(w)) < 0)
        return r;
    if ((r = cor_out_finish(w->out, &res->n, &res->n_unatt)) < 0)
        return r;
    w->stats.out_batches = cor_out_batches(w->out);
    res->notes_unapplied = w->run.notes_unapplied;
    res->notes_half = w->run.notes_half;
    return 0;
}

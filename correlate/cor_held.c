/* cor_held.c - what a streaming rebuild (cor_stream.h) leaves to its end:
 * the audit notes, and incidents whose text reaches outside the window.
 *
 * Notes are applied after grouping, in time order, to any incident of
 * history (cor_notes.c).  The walk knows from the start which incident
 * ids and event ids the notes name (cor_stream.c reads them first), so an
 * incident named by a note, or holding an event an attach note names, is
 * held instead of written: it keeps its members until the end.  There
 * the notes are applied to the held incidents exactly as an in-memory run
 * applies them (every incident a note can change is among them; the
 * others were written and only their ids remain, which no note names).
 *
 * Notes change spans and members, and with them the recurrence of later
 * incidents, which were written with the recurrence the notes did not yet
 * change.  So while notes exist, every written incident leaves a small
 * record (ids, span, names: about 100 bytes); at the end the recurrences
 * are recomputed over the records and the held incidents as they are
 * after the notes, and a written incident whose recurrence_of differs is
 * rewritten (cor_out_patch_recurrence).  Without notes nothing is held
 * and no record is kept.
 *
 * An incident's trigger candidates are the deploys and changes within
 * lookback before its impact start.  The window keeps those of the
 * incidents not yet written, but an impact start can lie far before the
 * opening (a status-page incident created long before its first update)
 * and a held incident's milestones can be set by a note: such an incident
 * is rendered in a side run holding its members and the deploys and
 * changes read again from the store, from 2 x lookback before its impact
 * start (so their rollbacks are classified as in the full run) to its end.
 * Only deploys and changes are kept from that read, so its memory is
 * bounded by their number, not by the events in the range. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_decode.h"
#include "cor_window.h"
#include "store.h"
#include "iq_event.h"
#include "iq_time.h"
#include "iq_buf.h"

/* ---- recurrence records ---- */

static int grow(void **a, size_t *cap, size_t need, size_t size)
{
    void *na;
    size_t ncap;

    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 256;
    while (ncap < need)
        ncap *= 2;
    if (!(na = realloc(*a, ncap * size)))
        return -ENOMEM;
    *a = na;
    *cap = ncap;
    return 0;
}

int cor_held_record(struct cor_window *w, const struct cor_inc *inc)
{
    struct cor_rec *rc;
    size_t first = w->n_rec_names;

    if (grow((void **)&w->recs, &w->cap_recs, w->n_recs + 1, sizeof(*w->recs)) < 0 ||
        grow((void **)&w->rec_names, &w->cap_rec_names, w->n_rec_names + 2 * inc->n,
             sizeof(*w->rec_names)) < 0)
        return -ENOMEM;
    for (size_t k = 0; k < inc->n; k++) {
        const struct cor_ev *e = &w->run.evs[inc->mem[k]];
        const char *names[2] = { e->service, e->key };

        for (int j = 0; j < 2; j++) {
            bool dup = !names[j];
            const char *c;

            for (size_t q = first; q < w->n_rec_names && !dup; q++)
                dup = strcmp(w->rec_names[q], names[j]) == 0;
            if (dup)
                continue;
            if (!(c = cor_arena_strndup(&w->rec_arena, names[j], strlen(names[j]))))
                return -ENOMEM;
            w->rec_names[w->n_rec_names++] = c;
        }
    }
    rc = &w->recs[w->n_recs++];
    rc->opened_at = inc->opened_at;
    rc->closed_at = inc->closed_at;
    rc->seq = inc->seq;
    snprintf(rc->id, sizeof(rc->id), "%s", inc->id);
    snprintf(rc->rec, sizeof(rc->rec), "%s", inc->recurrence_of);
    rc->names = first;
    rc->n_names = (uint32_t)(w->n_rec_names - first);
    return 0;
}

ptrdiff_t cor_held_names(struct cor_window *w, const struct cor_inc *inc)
{
    if (grow((void **)&w->nbuf, &w->nbuf_cap, 2 * inc->n + 1, sizeof(*w->nbuf)) < 0)
        return -ENOMEM;
    return (ptrdiff_t)cor_inc_names(&w->run, inc, w->nbuf);
}

/* inc's text and names: in the window unless its look-back reaches before
 * the deploys the window keeps. */
static int render(struct cor_window *w, struct cor_inc *inc, char **ret, char **ret_names,
                  size_t *ret_names_len)
{
    struct cor_milestones m;
    int64_t anchor;

    cor_milestones_compute(&w->run, inc, &m);
    anchor = m.at[COR_MS_IMPACT] != IQ_TIME_NONE ? m.at[COR_MS_IMPACT] : inc->opened_at;
    if (anchor - w->run.cfg->lookback_ms >= w->horizon)
        return cor_inc_text_names(&w->run, inc, ret, ret_names, ret_names_len);
    w->stats.side_runs++;
    return cor_held_side_text(w, inc, ret, ret_names, ret_names_len);
}

int cor_held_write(struct cor_window *w, struct cor_inc *inc, const struct cor_recur *idx,
                   bool side)
{
    char *text = NULL, *names = NULL;
    size_t names_len = 0;
    ptrdiff_t n = cor_held_names(w, inc);
    const char *rec;
    int r;

    if (n < 0)
        return -ENOMEM;
    rec = cor_recur_pick(idx, w->nbuf, (size_t)n, inc->opened_at, w->run.cfg->recurrence_ms);
    snprintf(inc->recurrence_of, sizeof(inc->recurrence_of), "%s", rec ? rec : "");
    r = side ? cor_held_side_text(w, inc, &text, &names, &names_len)
             : render(w, inc, &text, &names, &names_len);
    if (r < 0)
        return r;
    r = cor_out_incident(w->out, inc->id, inc->opened_at, inc->closed_at, text, names, names_len);
    free(text);
    free(names);
    return r;
}

/* Is incident x of the window one the notes may have changed (held, or
 * made by a split at the end)? */
static bool after_notes(const struct cor_inc *x)
{
    return !x->done && !x->dropped && x->n > 0;
}

/* Every written incident and every held one as the notes left it, in one
 * index.  0 or -ENOMEM. */
static int index_all(struct cor_window *w, struct cor_recur *idx)
{
    int r = 0;

    for (size_t i = 0; i < w->n_recs && r == 0; i++) {
        const struct cor_rec *rc = &w->recs[i];

        if (rc->closed_at != IQ_TIME_NONE)
            r = cor_recur_add(idx, &w->rec_names[rc->names], rc->n_names, rc->closed_at,
                              rc->seq, rc->id);
    }
    for (size_t i = 0; i < w->run.n_incs && r == 0; i++) {
        const struct cor_inc *x = &w->run.incs[i];

        ptrdiff_t n;

        if (!after_notes(x) || x->closed_at == IQ_TIME_NONE)
            continue;
        if ((n = cor_held_names(w, x)) < 0)
            return -ENOMEM;
        r = cor_recur_add(idx, w->nbuf, (size_t)n, x->closed_at, x->seq, x->id);
    }
    return r;
}

/* Rewrite the written incidents whose recurrence the notes changed. */
static int patch_written(struct cor_window *w, const struct cor_recur *idx)
{
    int r;

    for (size_t i = 0; i < w->n_recs; i++) {
        const struct cor_rec *rc = &w->recs[i];
        const char *now = cor_recur_pick(idx, &w->rec_names[rc->names], rc->n_names,
                                         rc->opened_at, w->run.cfg->recurrence_ms);

        if (strcmp(now ? now : "", rc->rec) == 0)
            continue;
        if ((r = cor_out_patch_recurrence(w->out, rc->id, now ? now : "")) < 0)
            return r;
        w->stats.patched++;
    }
    return 0;
}

/* Write the held incidents (and those their splits made). */
static int write_held(struct cor_window *w, const struct cor_recur *idx)
{
    int r;

    for (size_t i = 0; i < w->run.n_incs; i++)
        if (after_notes(&w->run.incs[i]) &&
            (r = cor_held_write(w, &w->run.incs[i], idx, true)) < 0)
            return r;
    return 0;
}

int cor_held_finish(struct cor_window *w)
{
    struct cor_recur idx = { 0 };
    int r = 0;

    if (w->named->notes && (r = cor_notes_apply(&w->run)) == 0 &&
        (r = index_all(w, &idx)) == 0 && (r = patch_written(w, &idx)) == 0)
        r = write_held(w, &idx);
    cor_recur_clear(&idx);
    return r;
}

/* ---- side runs ---- */

struct side {
    struct cor_run *run;       /* deploys and changes read */
    const struct cor_map *members;   /* ids of the incident's members */
    int err;
};

static int side_one(void *ud, const char *val, size_t len)
{
    struct side *sd = ud;
    struct cor_arena_mark m;
    struct iq_event *ev = NULL;
    int64_t v;
    uint8_t sig;

    cor_arena_mark(&sd->run->arena, &m);
    if (cor_decode(&sd->run->arena, val, len, &ev) < 0 ||
        cor_map_get(sd->members, 0, iq_ev_id(ev), &v)) {
        cor_arena_rewind(&sd->run->arena, &m);
        return 0;       /* unreadable, or a member: the window's record is used */
    }
    if (cor_run_add(sd->run, ev) < 0) {
        sd->err = -ENOMEM;
        return 1;
    }
    sig = sd->run->evs[sd->run->n - 1].sig;
    if (sig != COR_SIG_DEPLOY && sig != COR_SIG_ROLLBACK && sig != COR_SIG_CHANGE) {
        sd->run->n--;
        cor_arena_rewind(&sd->run->arena, &m);
    }
    return 0;
}

static int cmp_ev(const void *a, const void *b)
{
    return cor_ev_cmp(a, b);
}

/* Read into s the deploys and changes of [from, to] that are not members,
 * with their rollbacks classified. */
static int side_read(struct cor_window *w, struct cor_run *s, const struct cor_map *members,
                     int64_t from, int64_t to)
{
    struct store_filter scan = { .since = from, .until = to + 1 };
    struct side sd = { .run = s, .members = members };
    int r;

    r = store_scan(w->st, &scan, side_one, &sd);
    if (sd.err)
        return sd.err;
    if (r < 0)
        return r;
    if (s->n > 1)
        qsort(s->evs, s->n, sizeof(*s->evs), cmp_ev);
    return cor_classify_rollbacks(s);
}

/* Add inc's members (their records as the window has them) to s, sort,
 * and make *copy inc over s's indices.  0 or -ENOMEM. */
static int side_members(struct cor_window *w, struct cor_run *s, const struct cor_inc *inc,
                        struct cor_inc *copy)
{
    const char *opener = w->run.evs[inc->opener].id;

    for (size_t k = 0; k < inc->n; k++) {
        struct cor_ev *ne = iq_array_grow(s->evs, s->n, &s->cap, sizeof(*ne), 64);

        if (!ne)
            return -ENOMEM;
        s->evs = ne;
        s->evs[s->n] = w->run.evs[inc->mem[k]];
        s->evs[s->n++].inc = 0;
    }
    qsort(s->evs, s->n, sizeof(*s->evs), cmp_ev);
    *copy = *inc;
    copy->n = copy->cap = 0;
    if (!(copy->mem = malloc((inc->n + 1) * sizeof(*copy->mem))))
        return -ENOMEM;
    for (size_t j = 0; j < s->n; j++) {
        if (s->evs[j].inc != 0)
            continue;
        copy->mem[copy->n++] = (uint32_t)j;
        if (strcmp(s->evs[j].id, opener) == 0)
            copy->opener = (uint32_t)j;
    }
    return 0;
}

int cor_held_side_text(struct cor_window *w, const struct cor_inc *inc, char **ret,
                       char **ret_names, size_t *ret_names_len)
{
    const struct cor_config *cfg = w->run.cfg;
    struct cor_milestones m;
    struct cor_map members = { 0 };
    struct cor_run s;
    struct cor_inc copy = { 0 };
    int64_t anchor, end;
    int r = 0;

    cor_milestones_compute(&w->run, inc, &m);
    anchor = m.at[COR_MS_IMPACT] != IQ_TIME_NONE ? m.at[COR_MS_IMPACT] : inc->opened_at;
    end = m.at[COR_MS_RESOLVED] != IQ_TIME_NONE ? m.at[COR_MS_RESOLVED]
                                                : w->run.evs[inc->mem[inc->n - 1]].t;
    cor_run_init(&s, cfg);
    for (size_t k = 0; k < inc->n && r == 0; k++)
        r = cor_map_put(&members, 0, w->run.evs[inc->mem[k]].id, 1);
    if (r == 0)
        r = side_read(w, &s, &members, anchor - 2 * cfg->lookback_ms, end > anchor ? end : anchor);
    if (r == 0 && (r = side_members(w, &s, inc, &copy)) == 0) {
        s.incs = &copy;
        s.n_incs = 1;
        r = cor_inc_text_names(&s, &copy, ret, ret_names, ret_names_len);
        s.incs = NULL;
        s.n_incs = 0;
    }
    free(copy.mem);
    cor_map_clear(&members);
    cor_run_free(&s);
    return r;
}

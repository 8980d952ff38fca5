/* cor_run.c - lifecycle of a correlation run and its pipeline.
 *
 * A run collects events (taking ownership), then cor_run_correlate sorts
 * them by (effective time, id) and runs the passes in a fixed order:
 * grouping (a left-to-right state machine over time), absorption of the
 * evidence that came shortly before an incident opened, the audit notes
 * (merge, split, set), naming and recurrences.  Everything a pass needs is
 * in the run; nothing depends on the order the events were added in, so
 * the same set of events always gives the same incidents.
 *
 * The events (decoded by cor_decode) and the strings the run builds (alert
 * identities without a fingerprint, claimed ids) live in one arena
 * (cor_arena.h) freed with the run: no malloc or free per event. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_run.h"
#include "iq_event.h"
#include "iq_time.h"

void cor_run_init(struct cor_run *run, const struct cor_config *cfg)
{
    memset(run, 0, sizeof(*run));
    run->cfg = cfg;
    run->group_from = IQ_TIME_NONE;
}

void cor_run_free(struct cor_run *run)
{
    if (!run)
        return;
    free(run->evs);
    for (size_t i = 0; i < run->n_incs; i++) {
        free(run->incs[i].mem);
        json_decref(run->incs[i].merged_from);
        json_decref(run->incs[i].overrides);
    }
    free(run->incs);
    for (size_t i = 0; i < run->n_prior; i++)
        json_decref(run->prior[i].names);
    free(run->prior);
    cor_arena_release(&run->arena);
    cor_map_clear(&run->claimed);
    cor_run_init(run, run->cfg);
}

const char *cor_run_strdup(struct cor_run *run, const char *s)
{
    return cor_arena_strndup(&run->arena, s, strlen(s));
}

int cor_run_reserve_ev(struct cor_run *run)
{
    size_t ncap;
    struct cor_ev *ne;

    if (run->n < run->cap)
        return 0;
    ncap = run->cap ? run->cap * 2 : 1024;
    if (!(ne = realloc(run->evs, ncap * sizeof(*ne))))
        return -ENOMEM;
    run->evs = ne;
    run->cap = ncap;
    return 0;
}

int cor_run_add(struct cor_run *run, struct iq_event *ev)
{
    struct cor_ev *e;
    int r;

    if (cor_run_reserve_ev(run) < 0)
        return -ENOMEM;
    e = &run->evs[run->n];
    memset(e, 0, sizeof(*e));
    e->ev = ev;
    r = cor_classify(run, e);
    if (r < 0)
        return r;
    run->n++;
    return 0;
}

int cor_run_claim(struct cor_run *run, const char *id)
{
    const char *d = cor_run_strdup(run, id);

    if (!d)
        return -ENOMEM;
    return cor_map_put(&run->claimed, 0, d, 1);
}

int cor_run_add_prior(struct cor_run *run, const char *id, int64_t closed_at, json_t *names)
{
    struct cor_prior *np = realloc(run->prior, (run->n_prior + 1) * sizeof(*np));

    if (!np) {
        json_decref(names);
        return -ENOMEM;
    }
    run->prior = np;
    snprintf(np[run->n_prior].id, COR_ID_LEN, "%s", id);
    np[run->n_prior].closed_at = closed_at;
    np[run->n_prior].names = names;
    run->n_prior++;
    return 0;
}

int cor_ev_cmp(const struct cor_ev *x, const struct cor_ev *y)
{
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int cmp_ev(const void *a, const void *b)
{
    return cor_ev_cmp(a, b);
}

int cor_run_correlate(struct cor_run *run)
{
    int r;

    for (size_t i = 1; i < run->n; i++) {
        if (cmp_ev(&run->evs[i - 1], &run->evs[i]) > 0) {
            qsort(run->evs, run->n, sizeof(*run->evs), cmp_ev);
            break;
        }
    }
    for (size_t i = 0; i < run->n; i++) {
        struct cor_ev *e = &run->evs[i];
        int64_t v;

        e->context = run->group_from != IQ_TIME_NONE && e->t < run->group_from;
        e->claimed = cor_map_get(&run->claimed, 0, e->id, &v);
    }
    if ((r = cor_classify_rollbacks(run)) < 0 || (r = cor_group_events(run)) < 0 || (r = cor_group_absorb(run)) < 0)
        return r;
    for (size_t i = 0; i < run->n_incs; i++)
        cor_group_name(run, &run->incs[i]);
    if ((r = cor_notes_apply(run)) < 0)
        return r;
    if ((r = cor_group_recurrences(run)) < 0)
        return r;
    run->grouped = true;
    return 0;
}

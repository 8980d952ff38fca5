/* cor_notes.c - apply the audit notes of `inquest incident merge|split|set|attach`.
 *
 * The CLI never edits incidents: it stores a note event (kind note, source
 * inquest, action merge/split/set/attach, the details in labels) and the
 * correlator applies every such note, in (time, id) order, after grouping.
 * A rebuild therefore reproduces every manual decision, and the notes are
 * the audit trail.  Labels:
 *   merge  incident=A other=B          B's events move into A; B disappears
 *   split  incident=A at=T             A's events from T on form a new incident
 *   split  incident=A split_service=S  A's events of service S form a new incident
 *   set    incident=A field=F value=V  manual milestone (F a milestone name,
 *                                      V an RFC 3339 time or "null") or title
 * A note naming an incident that does not exist (any more) is skipped and
 * counted in run->notes_unapplied; the CLI checks before it sends one.  A
 * merge of which only one side exists is also counted in notes_half: a
 * partial run (cor_engine.c) then knows its window is too narrow.
 * An attach counts there too when only one of A and E is in the run, or E
 * is only context or claimed by a stored incident outside it.  An attach
 * is skipped (unapplied) when E is an audit note or opened the incident
 * that holds it (that incident is named after it: merge instead).  It
 * widens A's span to cover E, as a merge does, so a later partial window
 * that reads E also reads A, or claims E through it.
 *
 * The new incident of a split is named from its parent and the split point,
 * so later notes can name it and rebuilds give it the same id. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_run.h"
#include "iq_event.h"
#include "iq_time.h"

static int64_t find_inc(const struct cor_run *run, const char *id)
{
    if (!id)
        return -1;
    for (size_t i = 0; i < run->n_incs; i++)
        if (!run->incs[i].dropped && !run->incs[i].done && strcmp(run->incs[i].id, id) == 0)
            return (int64_t)i;
    return -1;
}

static int note_on(struct cor_inc *inc, const char *note_id)
{
    if (!inc->overrides && !(inc->overrides = json_array()))
        return -ENOMEM;
    return json_array_append_new(inc->overrides, json_string(note_id)) < 0 ? -ENOMEM : 0;
}

static int apply_merge(struct cor_run *run, const struct cor_ev *note, int64_t a, int64_t b)
{
    struct cor_inc *A = &run->incs[a], *B = &run->incs[b];

    if (a == b)
        return 1;
    for (size_t k = 0; k < B->n; k++) {
        run->evs[B->mem[k]].inc = (uint32_t)a;
        if (cor_inc_add(A, B->mem[k]) < 0)
            return -ENOMEM;
    }
    cor_inc_sort(run, A);
    if (B->opened_at < A->opened_at)
        A->opened_at = B->opened_at;
    if (A->closed_at == IQ_TIME_NONE || B->closed_at == IQ_TIME_NONE)
        A->closed_at = IQ_TIME_NONE;
    else if (B->closed_at > A->closed_at)
        A->closed_at = B->closed_at;
    if (!A->merged_from && !(A->merged_from = json_array()))
        return -ENOMEM;
    if (json_array_append_new(A->merged_from, json_string(B->id)) < 0 ||
        (B->merged_from && json_array_extend(A->merged_from, B->merged_from) < 0))
        return -ENOMEM;
    for (int m = 0; m < COR_MS_N; m++)
        if (!A->manual[m].set)
            A->manual[m] = B->manual[m];
    B->dropped = true;
    return note_on(A, note->id);
}

/* Move the members of A selected by at_from / service into a new incident. */
static int apply_split(struct cor_run *run, const struct cor_ev *note, int64_t a,
                       int64_t at_from, const char *service)
{
    struct cor_inc *A, *C;
    size_t keep = 0, moved = 0;
    char seed[256];
    uint64_t h;
    int y, mo, d, hh, mi, s, ms;

    if (cor_run_reserve_inc(run) < 0)
        return -ENOMEM;
    A = &run->incs[a];
    C = &run->incs[run->n_incs];
    memset(C, 0, sizeof(*C));
    for (size_t k = 0; k < A->n; k++) {
        struct cor_ev *e = &run->evs[A->mem[k]];
        bool move = service ? (e->service && strcmp(e->service, service) == 0) : e->t >= at_from;

        if (!move) {
            A->mem[keep++] = A->mem[k];
            continue;
        }
        if (cor_inc_add(C, A->mem[k]) < 0) {
            free(C->mem);
            return -ENOMEM;
        }
        e->inc = (uint32_t)run->n_incs;
        moved++;
    }
    if (moved == 0 || keep == 0) {
        for (size_t k = 0; k < C->n; k++)
            run->evs[C->mem[k]].inc = (uint32_t)a;
        free(C->mem);
        return 1;
    }
    A->n = keep;
    C->seq = run->next_seq++;
    C->opener = C->mem[0];
    C->opened_at = run->evs[C->opener].t;
    C->closed_at = A->closed_at;
    if (!service)
        A->closed_at = at_from;
    if (run->evs[A->opener].inc != (uint32_t)a) {
        A->opener = A->mem[0];
        A->opened_at = run->evs[A->opener].t;
    }
    snprintf(seed, sizeof(seed), "%s%c%.200s", A->id, service ? '#' : '@',
             service ? service : iq_event_label(note->ev, "at"));
    h = cor_fnv(COR_FNV_INIT, seed);
    iq_time_civil(C->opened_at, &y, &mo, &d, &hh, &mi, &s, &ms);
    snprintf(C->id, sizeof(C->id), "inc-%04d%02d%02d-%08x", y, mo, d, (unsigned)((h >> 32) ^ h));
    run->n_incs++;
    if (note_on(A, note->id) < 0 || note_on(C, note->id) < 0)
        return -ENOMEM;
    return 0;
}

static int apply_set(struct cor_run *run, const struct cor_ev *note, int64_t a)
{
    struct cor_inc *A = &run->incs[a];
    const char *field = iq_event_label(note->ev, "field");
    const char *value = iq_event_label(note->ev, "value");
    int64_t at = IQ_TIME_NONE;

    if (!field || !value)
        return 1;
    if (strcmp(field, "title") == 0) {
        A->manual_title = value;
        return note_on(A, note->id);
    }
    for (int m = 0; m < COR_MS_N; m++) {
        if (strcmp(field, cor_ms_names[m]) != 0)
            continue;
        if (strcmp(value, "null") != 0 && iq_time_parse_rfc3339(value, strlen(value), &at) < 0)
            return 1;
        A->manual[m] = (struct cor_manual){ .set = true, .at = at, .note = note->id };
        return note_on(A, note->id);
    }
    return 1;
}

/* Take member ev_i out of incident s_i; an incident left empty is dropped. */
static void take_out(struct cor_run *run, uint32_t s_i, uint32_t ev_i)
{
    struct cor_inc *S = &run->incs[s_i];
    size_t keep = 0;

    for (size_t k = 0; k < S->n; k++)
        if (S->mem[k] != ev_i)
            S->mem[keep++] = S->mem[k];
    S->n = keep;
    if (keep == 0)
        S->dropped = true;
}

static int apply_attach(struct cor_run *run, const struct cor_ev *note, int64_t a, int64_t ev_i)
{
    struct cor_inc *A;
    struct cor_ev *e;
    uint32_t from;

    if (ev_i < 0 || run->evs[ev_i].context || run->evs[ev_i].claimed) {
        if (a >= 0 || (ev_i >= 0 && !run->evs[ev_i].context && !run->evs[ev_i].claimed))
            run->notes_half++;
        return 1;
    }
    if (a < 0) {
        run->notes_half++;
        return 1;
    }
    e = &run->evs[ev_i];
    from = e->inc;
    if (e->sig == COR_SIG_CONTROL || from == (uint32_t)a ||
        (from != COR_NONE && run->incs[from].opener == (uint32_t)ev_i))
        return 1;
    if (from != COR_NONE) {
        take_out(run, from, (uint32_t)ev_i);
        if (note_on(&run->incs[from], note->id) < 0)
            return -ENOMEM;
    }
    A = &run->incs[a];
    e->inc = (uint32_t)a;
    if (cor_inc_add(A, (uint32_t)ev_i) < 0)
        return -ENOMEM;
    cor_inc_sort(run, A);
    if (e->t < A->opened_at)
        A->opened_at = e->t;
    if (A->closed_at != IQ_TIME_NONE && e->t > A->closed_at)
        A->closed_at = e->t;
    return note_on(A, note->id);
}

static int apply_one(struct cor_run *run, const struct cor_ev *note, const struct cor_map *at_ev)
{
    const char *action = iq_ev_action(note->ev);
    int64_t a = find_inc(run, iq_event_label(note->ev, "incident")), b, at;
    const char *v;

    if (strcmp(action, "merge") == 0) {
        b = find_inc(run, iq_event_label(note->ev, "other"));
        if ((a < 0) != (b < 0))
            run->notes_half++;
        return a < 0 || b < 0 ? 1 : apply_merge(run, note, a, b);
    }
    if (strcmp(action, "attach") == 0) {
        v = iq_event_label(note->ev, "event");
        if (!v || !cor_map_get(at_ev, 0, v, &at))
            at = -1;
        return apply_attach(run, note, a, at);
    }
    if (a < 0)
        return 1;
    if (strcmp(action, "split") == 0) {
        if ((v = iq_event_label(note->ev, "split_service")))
            return apply_split(run, note, a, 0, v);
        v = iq_event_label(note->ev, "at");
        if (!v || iq_time_parse_rfc3339(v, strlen(v), &at) < 0)
            return 1;
        return apply_split(run, note, a, at, NULL);
    }
    return apply_set(run, note, a);
}

/* Map the event ids that attach notes name to their index in run->evs
 * (-1 while not found): one pass over the events, whatever the number of
 * notes. */
static int index_attached(struct cor_run *run, struct cor_map *m)
{
    int64_t v;

    for (size_t i = 0; i < run->n; i++) {
        const struct iq_event *ev = run->evs[i].ev;
        const char *id = iq_event_label(ev, "event");

        if (run->evs[i].sig == COR_SIG_CONTROL && id && strcmp(iq_ev_action(ev), "attach") == 0 &&
            cor_map_put(m, 0, id, -1) < 0)
            return -ENOMEM;
    }
    for (size_t i = 0; m->n && i < run->n; i++)
        if (cor_map_get(m, 0, run->evs[i].id, &v) && cor_map_put(m, 0, run->evs[i].id,
                                                                   (int64_t)i) < 0)
            return -ENOMEM;
    return 0;
}

int cor_notes_apply(struct cor_run *run)
{
    struct cor_map at_ev = { 0 };
    int r = index_attached(run, &at_ev);

    for (size_t i = 0; r == 0 && i < run->n; i++) {
        if (run->evs[i].sig != COR_SIG_CONTROL)
            continue;
        r = apply_one(run, &run->evs[i], &at_ev);
        if (r > 0)
            run->notes_unapplied++;
        if (r > 0)
            r = 0;
    }
    cor_map_clear(&at_ev);
    return r;
}

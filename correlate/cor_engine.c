/* cor_engine.c - run the correlator over the stored events.
 *
 * A full rebuild reads every event (cor_load.c), correlates them in one
 * cor_run, turns the incidents into JSON and stored text on two threads and
 * replaces the incidents family in one batch.
 *
 * A partial rebuild serves the daemon's incremental updates (new events
 * between times A and B) and `correlate --rebuild --since T`:
 * - the start moves back from A to a quiet point T, where no stored
 *   incident opened before T is still open, so grouping starts empty;
 * - the end moves forward from B + max(lookback, lead_window, open_window)
 *   + clock_skew to a gap point U: no stored incident spans U and none
 *   opens within lead_window (or open_window) after it.  After computing,
 *   U must also lie beyond closing + recurrence_window of every incident
 *   that changed, or a later incident's recurrence_of could be stale; if
 *   not, U moves on and the window is computed again (at most 8 times,
 *   then up to the end of history);
 * - events from T - context (context = lookback + max(lookback,
 *   lead_window, open_window) + clock_skew: trigger candidates, their
 *   rollbacks, lead-window evidence, pending alerts) to U are read; those
 *   before T are evidence only.  Members of stored incidents from before T
 *   are claimed, so they are not absorbed twice; stored incidents that
 *   closed within recurrence_window before T are priors for recurrence;
 * - audit notes (`inquest incident ...`) are indexed under the service
 *   "inquest", so all of them are read whatever the window; a merge or
 *   attach with one side outside the window makes the run a full one;
 * - the incidents opened in [T, U) are replaced in one batch.
 * tests/unit/cor_engine_test.c checks that random histories delivered in
 * random order give exactly the incidents of one full rebuild. */
#include "cor_engine.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cor_decode.h"
#include "cor_incident.h"
#include "cor_load.h"
#include "cor_run.h"
#include "cor_store.h"
#include "cor_stream.h"
#include "cor_unattached.h"
#include "store.h"
#include "iq_event.h"
#include "iq_time.h"

struct load_state {
    struct cor_run *run;
    bool notes;                /* notes pass: only notes outside [from, before) */
    int64_t from, before;
    int64_t whole;             /* before this, only deploys, changes and notes matter */
    size_t n;
    int err;
};

/* What the context of a window needs from before its last stretch: the
 * trigger candidates and the deploys their rollbacks are judged by, and
 * the notes (read here, not by the notes scan). */
static const char *const context_kinds[] = { "deploy", "change", "note", NULL };

static int on_event(void *ud, const char *val, size_t len)
{
    struct load_state *ls = ud;
    struct iq_event *ev = NULL;
    int r = ls->whole == IQ_TIME_NONE
                ? cor_decode(&ls->run->arena, val, len, &ev)
                : cor_decode_unless(&ls->run->arena, val, len, context_kinds, ls->whole,
                                    &ev);

    if (r == 1)
        ls->n++;      /* read, and of no use to the window */
    if (r != 0)
        return 0;     /* unreadable values are skipped, as `inquest events` does */
    if (ls->notes && (strcmp(iq_ev_kind(ev), "note") != 0 ||
                      ((ls->from == IQ_TIME_NONE || ev->at >= ls->from) &&
                       (ls->before == IQ_TIME_NONE || ev->at < ls->before))))
        return 0;     /* not a note, or already read by the window scan */
    ls->n++;
    if (cor_run_add(ls->run, ev) < 0) {
        ls->err = -ENOMEM;
        return 1;
    }
    return 0;
}

/* Before a window's start, how far every event still matters: evidence an
 * incident of the window absorbs (lead_window), alerts pending for one
 * (open_window), with the clock skew. */
static int64_t window_lead(const struct cor_config *cfg)
{
    return (cfg->lead_ms > cfg->open_window_ms ? cfg->lead_ms : cfg->open_window_ms) + cfg->skew_ms;
}

/* How far before a window its events still matter: trigger candidates
 * (lookback), whose rollback status needs lookback more; lead-window
 * evidence; pending alerts (open_window). */
static int64_t context_ms(const struct cor_config *cfg)
{
    int64_t c = cfg->lookback_ms;

    if (cfg->lead_ms > c)
        c = cfg->lead_ms;
    if (cfg->open_window_ms > c)
        c = cfg->open_window_ms;
    return c + cfg->lookback_ms + cfg->skew_ms;
}

/* Move *t back until no stored incident opened before it is open at it. */
static int quiet_point(struct cor_spanset *ss, int64_t *t)
{
    bool moved = true;
    int r;

    while (moved) {
        moved = false;
        if ((r = cor_spanset_cover(ss, *t - COR_LONG_MS, *t + 1)) < 0)
            return r;
        for (size_t i = 0; i < ss->n; i++) {
            const struct cor_span *s = &ss->s[i];

            if (s->opened_at < *t && (s->closed_at == IQ_TIME_NONE || s->closed_at > *t)) {
                *t = s->opened_at;
                moved = true;
            }
        }
    }
    return 0;
}

static json_t *prior_names(const json_t *inc)
{
    json_t *names = json_array();

    json_array_extend(names, json_object_get(inc, "services"));
    json_array_extend(names, json_object_get(inc, "incident_keys"));
    return names;
}

/* A prior's names as a JSON array (what cor_run_add_prior takes): from the
 * "r" entry, else from the incident's JSON (inc, may be NULL). */
static int prior_of(struct store *st, const struct cor_span *s, const json_t *inc,
                    json_t **ret)
{
    char *names = NULL;
    size_t len = 0;
    int r = cor_store_names(st, s->id, &names, &len);

    if (r == -ENOENT && inc) {
        *ret = prior_names(inc);
        return *ret ? 0 : -ENOMEM;
    }
    if (r < 0)
        return r;
    *ret = json_array();
    for (size_t off = 0; *ret && off < len; off += strlen(names + off) + 1)
        if (names[off] && json_array_append_new(*ret, json_string(names + off)) < 0)
            break;
    free(names);
    return *ret ? 0 : -ENOMEM;
}

/* One stored incident before T: its members claimed when it closed within
 * ctx of T (the window's context holds them), a prior when within the
 * recurrence window.  The JSON is read only for the claims. */
static int seed_one(struct store *st, struct cor_run *run, const struct cor_span *s,
                    int64_t t, int64_t ctx)
{
    bool claim = s->closed_at >= t - ctx, prior = s->closed_at >= t - run->cfg->recurrence_ms;
    json_t *inc = NULL, *names = NULL, *v;
    size_t k;
    int r = 0;

    if (claim) {
        r = cor_incident_load(st, s->id, &inc);
        if (r == -ENOENT || r == -EINVAL)
            return 0;
        if (r < 0)
            return r;
        json_array_foreach(json_object_get(inc, "event_ids"), k, v)
            if (json_is_string(v) && (r = cor_run_claim(run, json_string_value(v))) < 0)
                break;
    }
    if (r == 0 && prior) {
        r = prior_of(st, s, inc, &names);
        if (r == -ENOENT && !inc && (r = cor_incident_load(st, s->id, &inc)) == 0)
            r = prior_of(st, s, inc, &names);
        if (r == -ENOENT || r == -EINVAL)
            r = 0;
        else if (r == 0)
            r = cor_run_add_prior(run, s->id, s->closed_at, names);
    }
    json_decref(inc);
    return r;
}

/* Claims and priors from the stored incidents before T: those closed
 * within ctx (claims) or recurrence_window (priors) before it. */
static int seed_partial(struct store *st, struct cor_run *run, struct cor_spanset *ss,
                        int64_t t, int64_t ctx)
{
    int64_t reach = ctx > run->cfg->recurrence_ms ? ctx : run->cfg->recurrence_ms;
    int r;

    if ((r = cor_spanset_cover(ss, t - reach - COR_LONG_MS, t)) < 0)
        return r;
    for (size_t i = 0; i < ss->n; i++) {
        const struct cor_span *s = &ss->s[i];

        if (s->opened_at >= t || s->closed_at == IQ_TIME_NONE)
            continue;
        if (s->closed_at < t - ctx && s->closed_at < t - run->cfg->recurrence_ms)
            continue;
        if ((r = seed_one(st, run, s, t, ctx)) < 0)
            return r;
    }
    return 0;
}

/* The events of [from, to) into run; before whole (IQ_TIME_NONE: none)
 * only those context_kinds names.  Then the notes from outside. */
static int load_events(struct store *st, struct cor_run *run, int64_t from, int64_t to,
                       int64_t whole, size_t *count)
{
    struct store_filter scan;
    struct load_state ls = { .run = run, .from = IQ_TIME_NONE, .before = IQ_TIME_NONE,
                             .whole = whole };
    int r;

    if (from == IQ_TIME_NONE && to == IQ_TIME_NONE) {
        r = cor_load_range(st, run, from, to, &ls.n);    /* all of history: two threads */
    } else {
        scan = (struct store_filter){ .since = from, .until = to };
        r = store_scan(st, &scan, on_event, &ls);     /* a window: a thread would cost more */
    }
    if (r >= 0 && (from != IQ_TIME_NONE || to != IQ_TIME_NONE)) {
        /* the audit notes from before the window, through their index */
        scan = (struct store_filter){ .since = IQ_TIME_NONE, .until = IQ_TIME_NONE,
                                      .service = "inquest" };
        ls.notes = true;
        ls.whole = IQ_TIME_NONE;
        ls.from = from;
        ls.before = to;
        r = store_scan(st, &scan, on_event, &ls);
    }
    *count = ls.n;
    if (ls.err)
        return ls.err;
    return r < 0 ? r : 0;
}

/* Half of the incidents (every other one from `first`) made into stored
 * text; two halves run on two threads. */
struct half {
    struct cor_run *run;
    char **texts, **names;
    size_t *names_len;
    size_t first;
    int r;
};

static void *make_half(void *arg)
{
    struct half *h = arg;

    for (size_t i = h->first; i < h->run->n_incs && h->r == 0; i += 2) {
        if (h->run->incs[i].dropped || h->run->incs[i].n == 0)
            continue;
        h->r = cor_inc_text_names(h->run, &h->run->incs[i], &h->texts[i], &h->names[i],
                                  &h->names_len[i]);
    }
    return NULL;
}

struct pair {
    struct cor_span span;
    char *text, *names;
    size_t names_len;
};

/* opened_at, then id: the order of the formatted times (fixed width). */
static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;

    if (x->span.opened_at != y->span.opened_at)
        return x->span.opened_at < y->span.opened_at ? -1 : 1;
    return strcmp(x->span.id, y->span.id);
}

static int collect(struct cor_run *run, struct cor_result *res)
{
    size_t n = run->n_incs;
    struct half h[2] = { { .run = run, .first = 0 }, { .run = run, .first = 1 } };
    struct pair *p = NULL;
    pthread_t th;
    bool threaded;
    int r = -ENOMEM;

    res->spans = calloc(n + 1, sizeof(*res->spans));
    res->texts = calloc(n + 1, sizeof(*res->texts));
    res->names = calloc(n + 1, sizeof(*res->names));
    res->names_len = calloc(n + 1, sizeof(*res->names_len));
    p = calloc(n + 1, sizeof(*p));
    if (!res->spans || !res->texts || !res->names || !res->names_len || !p)
        goto out;
    h[0].texts = h[1].texts = res->texts;
    h[0].names = h[1].names = res->names;
    h[0].names_len = h[1].names_len = res->names_len;
    threaded = n >= 64 && pthread_create(&th, NULL, make_half, &h[1]) == 0;
    make_half(&h[0]);
    if (threaded)
        pthread_join(th, NULL);
    else
        make_half(&h[1]);
    for (size_t i = 0; i < n; i++) {
        const struct cor_inc *inc = &run->incs[i];
        struct pair *q = &p[res->n];

        if (!res->texts[i])
            continue;
        snprintf(q->span.id, sizeof(q->span.id), "%s", inc->id);
        q->span.opened_at = inc->opened_at;
        q->span.closed_at = inc->closed_at;
        q->text = res->texts[i];
        q->names = res->names[i];
        q->names_len = res->names_len[i];
        res->n++;
    }
    qsort(p, res->n, sizeof(*p), cmp_pair);
    for (size_t i = 0; i < res->n; i++) {
        res->spans[i] = p[i].span;
        res->texts[i] = p[i].text;
        res->names[i] = p[i].names;
        res->names_len[i] = p[i].names_len;
    }
    res->notes_unapplied = run->notes_unapplied;
    res->notes_half = run->notes_half;
    r = h[0].r < 0 ? h[0].r : h[1].r;
    if (r == 0)
        r = cor_unattached_collect(run, &res->unatt, &res->n_unatt);
out:
    free(p);
    return r;
}

/* Move *u forward until no stored incident spans it and none opens within
 * gap after it.  IQ_TIME_NONE when history ends first (an open incident). */
static int gap_point(struct cor_spanset *ss, int64_t *u, int64_t gap)
{
    bool moved = true;
    int r;

    while (moved) {
        moved = false;
        if ((r = cor_spanset_cover(ss, *u - COR_LONG_MS, *u + gap)) < 0)
            return r;
        for (size_t i = 0; i < ss->n; i++) {
            const struct cor_span *s = &ss->s[i];
            bool across = s->opened_at < *u && (s->closed_at == IQ_TIME_NONE || s->closed_at > *u);
            bool near = s->opened_at >= *u && s->opened_at < *u + gap;

            if (!across && !near)
                continue;
            if (s->closed_at == IQ_TIME_NONE) {
                *u = IQ_TIME_NONE;
                return 0;
            }
            *u = (s->closed_at > *u ? s->closed_at : *u) + (near ? 1 : 0);
            moved = true;
        }
    }
    return 0;
}

/* Does the recurrence of a later incident depend on a difference between
 * x and y (either may be NULL)? Only id, closing time and names count. */
static bool same_for_recurrence(const json_t *x, const json_t *y)
{
    static const char *const keys[] = { "id", "closed_at", "services", "incident_keys", NULL };

    if (!x || !y)
        return false;
    for (int i = 0; keys[i]; i++)
        if (!json_equal(json_object_get(x, keys[i]), json_object_get(y, keys[i])))
            return false;
    return true;
}

/* Raise *need to closed + the recurrence window (IQ_TIME_NONE: open). */
static void need_of(int64_t closed, int64_t recur, int64_t *need)
{
    if (*need == IQ_TIME_NONE)
        return;
    if (closed == IQ_TIME_NONE)
        *need = IQ_TIME_NONE;
    else if (closed + recur + 1 > *need)
        *need = closed + recur + 1;
}

/* Is the new incident i of res the same as stored span o for the
 * recurrence of later ones?  Through the stored names ("r"), else the
 * JSON of both. */
static bool same_as_stored(struct store *st, const struct cor_span *o,
                           const struct cor_result *res, size_t i)
{
    char *names = NULL;
    size_t len = 0;
    json_t *old = NULL, *neu;
    bool same;

    if (o->closed_at != res->spans[i].closed_at)
        return false;
    if (res->names && cor_store_names(st, o->id, &names, &len) == 0) {
        same = len == res->names_len[i] && memcmp(names, res->names[i], len) == 0;
        free(names);
        return same;
    }
    if (cor_incident_load(st, o->id, &old) < 0)
        return false;
    neu = json_loads(res->texts[i], 0, NULL);
    same = neu && same_for_recurrence(old, neu);
    json_decref(old);
    json_decref(neu);
    return same;
}

/* The end the window [from, to) of res needs so that no incident after it
 * can point (recurrence) to one that changed inside: the latest closing of
 * the changed incidents, old or new, plus the recurrence window.
 * IQ_TIME_NONE when a changed incident is still open. */
static int64_t window_need(struct store *st, struct cor_spanset *ss,
                           const struct cor_result *res, int64_t recur)
{
    int64_t need = INT64_MIN + 1;   /* INT64_MIN is IQ_TIME_NONE */
    struct cor_map seen = { 0 };
    int64_t v;

    if (cor_spanset_cover(ss, res->from, res->to) < 0)
        return IQ_TIME_NONE;       /* assume the worst, a longer run */
    for (size_t i = 0; i < res->n; i++)
        if (cor_map_put(&seen, 0, res->spans[i].id, (int64_t)i) < 0)
            need = IQ_TIME_NONE;
    for (size_t k = 0; k < ss->n && need != IQ_TIME_NONE; k++) {
        const struct cor_span *o = &ss->s[k];

        if ((res->from != IQ_TIME_NONE && o->opened_at < res->from) || o->opened_at >= res->to)
            continue;
        if (!cor_map_get(&seen, 0, o->id, &v)) {
            need_of(o->closed_at, recur, &need);       /* gone */
            continue;
        }
        if (cor_map_put(&seen, 1, o->id, 1) < 0)
            need = IQ_TIME_NONE;
        if (!same_as_stored(st, o, res, (size_t)v)) {
            need_of(res->spans[v].closed_at, recur, &need);
            need_of(o->closed_at, recur, &need);
        }
    }
    for (size_t i = 0; i < res->n && need != IQ_TIME_NONE; i++)
        if (!cor_map_get(&seen, 1, res->spans[i].id, &v))
            need_of(res->spans[i].closed_at, recur, &need);   /* new */
    cor_map_clear(&seen);
    return need;
}

static int run_window(struct store *st, const struct cor_config *cfg,
                      struct cor_spanset *ss, int64_t from, int64_t to, struct cor_result *res)
{
    int64_t ctx = context_ms(cfg);
    struct cor_run run;
    int r;

    memset(res, 0, sizeof(*res));
    res->from = from;
    res->to = to;
    cor_run_init(&run, cfg);
    run.group_from = from;
    if (from != IQ_TIME_NONE && (r = seed_partial(st, &run, ss, from, ctx)) < 0)
        goto out;
    r = load_events(st, &run, from == IQ_TIME_NONE ? IQ_TIME_NONE : from - ctx, to,
                    from == IQ_TIME_NONE ? IQ_TIME_NONE : from - window_lead(cfg), &res->events);
    if (r < 0)
        goto out;
    if ((r = cor_run_correlate(&run)) < 0 || (r = collect(&run, res)) < 0)
        goto out;
out:
    if (r < 0)
        cor_result_free(res);
    cor_run_free(&run);
    return r;
}

/* Pick [from, to) for new events in [since, until] and compute it. */
/* New events in [since, until], the deploys and changes among them up to
 * trig (IQ_TIME_NONE: none): a new event reaches the incidents opening
 * within lead_window (its absorption) or open_window (a pending alert)
 * after it, besides those it joins; a deploy or change reaches those
 * whose look-back holds it, and through the rollbacks it makes or unmakes
 * (deploys within lookback after it), a look-back further. */
static int run_partial(struct store *st, const struct cor_config *cfg,
                       struct cor_spanset *ss, int64_t since, int64_t until, int64_t trig,
                       struct cor_result *res)
{
    int64_t from = since, gap = cfg->lead_ms, umin, to, need;
    int r;

    if (since != IQ_TIME_NONE && (r = quiet_point(ss, &from)) < 0)
        return r;
    if (cfg->open_window_ms > gap)
        gap = cfg->open_window_ms;
    umin = until + window_lead(cfg);
    if (trig != IQ_TIME_NONE && trig + 2 * cfg->lookback_ms + cfg->skew_ms > umin)
        umin = trig + 2 * cfg->lookback_ms + cfg->skew_ms;
    for (int tries = 0; until != IQ_TIME_NONE && tries < 8; tries++) {
        to = umin;
        if ((r = gap_point(ss, &to, gap + cfg->skew_ms)) < 0)
            return r;
        if (to == IQ_TIME_NONE)
            break;
        if ((r = run_window(st, cfg, ss, from, to, res)) < 0)
            return r;
        need = window_need(st, ss, res, cfg->recurrence_ms);
        if (need != IQ_TIME_NONE && need <= to)
            return 0;
        cor_result_free(res);
        if (need == IQ_TIME_NONE)
            break;
        umin = need;
    }
    return run_window(st, cfg, ss, from, IQ_TIME_NONE, res);
}

/* cor_engine_compute, also handing over the stored spans it read, which
 * cover the range it replaces (*ss: caller frees; empty for a full run,
 * which reads none).  With stream set, a full run is not computed here:
 * 1 is returned and the caller streams it (cor_stream.h). */
static int compute(struct store *st, const struct cor_config *cfg, int64_t since,
                   int64_t until, int64_t trig, bool stream, struct cor_result *ret,
                   struct cor_spanset *ss)
{
    struct cor_result res = { .from = IQ_TIME_NONE, .to = IQ_TIME_NONE };
    int r;

    memset(ss, 0, sizeof(*ss));
    if (since == IQ_TIME_NONE && until == IQ_TIME_NONE)
        r = stream ? 1 : run_window(st, cfg, ss, IQ_TIME_NONE, IQ_TIME_NONE, &res);
    else if ((r = cor_spanset_open(ss, st)) == 0)
        r = run_partial(st, cfg, ss, since, until, trig, &res);
    if (r == 0 && res.notes_half && (res.from != IQ_TIME_NONE || res.to != IQ_TIME_NONE)) {
        /* a merge or attach reaches outside the range: only a full run is right */
        cor_result_free(&res);
        r = stream ? 1 : run_window(st, cfg, ss, IQ_TIME_NONE, IQ_TIME_NONE, &res);
    }
    if (r == 0 && (res.from != IQ_TIME_NONE || res.to != IQ_TIME_NONE))
        r = cor_spanset_cover(ss, res.from, res.to);
    if (r != 0) {
        cor_result_free(&res);
        cor_spanset_free(ss);
        return r;
    }
    *ret = res;
    return 0;
}

int cor_engine_compute(struct store *st, const struct cor_config *cfg, int64_t since,
                       int64_t until, struct cor_result *ret)
{
    struct cor_spanset ss;
    int r = compute(st, cfg, since, until, until, false, ret, &ss);

    cor_spanset_free(&ss);
    return r;
}

int cor_engine_rebuild(struct store *st, const struct cor_config *cfg, int64_t since,
                       int64_t until, struct cor_result *ret)
{
    return cor_engine_update(st, cfg, since, until, until, ret);
}

int cor_engine_update(struct store *st, const struct cor_config *cfg, int64_t since,
                      int64_t until, int64_t trig_until, struct cor_result *ret)
{
    struct cor_result res;
    struct cor_spanset ss;
    int r = compute(st, cfg, since, until, trig_until, true, &res, &ss);

    if (r == 1)
        return cor_stream_rebuild(st, cfg, ret, NULL);
    if (r < 0)
        return r;
    r = cor_store_replace_texts(st, ss.s, ss.n, res.spans, res.texts, res.n, res.names,
                                res.names_len, res.from, res.to, res.unatt, res.n_unatt);
    cor_spanset_free(&ss);
    if (r < 0) {
        cor_result_free(&res);
        return r;
    }
    *ret = res;
    return 0;
}

void cor_result_free(struct cor_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->texts && i < r->n; i++)
        free(r->texts[i]);
    for (size_t i = 0; r->names && i < r->n; i++)
        free(r->names[i]);
    free(r->spans);
    free(r->texts);
    free(r->names);
    free(r->names_len);
    r->names = NULL;
    r->names_len = NULL;
    cor_unatt_free(&r->unatt, r->n_unatt);
    r->spans = NULL;
    r->texts = NULL;
    r->n = 0;
    r->n_unatt = 0;
}

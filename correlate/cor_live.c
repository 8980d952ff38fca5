/* cor_live.c - the correlator's thread in inquestd.
 *
 * Design notes:
 * - The store calls the listener from its writer thread while holding its
 *   write lock, so the listener only takes a mutex, folds the batch into
 *   "earliest time, note seen, count" and signals; it copies no event.
 *   The thread reads what it needs back from the store.  Events that can
 *   change no incident (cor_event_relevant: plain log lines) wake nothing,
 *   so a flood of them costs the correlator no rebuilds.
 * - The thread waits for work, sleeps `debounce` ms (or three times the
 *   last update's run time, if longer: see pace_ms) so a burst becomes one
 *   update, takes the pending state and runs one partial rebuild over the
 *   new events' times (cor_engine_update, told how far the new deploys and
 *   changes reach).  An audit note (merge/split/set/attach) changes the
 *   incidents it names, wherever they are in history: its update covers
 *   their stored spans and the time of an event it attaches, not the
 *   note's own time; a note naming something not stored, or too many notes
 *   at once, make it a full rebuild.  A failed rebuild is logged and
 *   retried as a full rebuild with the next event.
 * - The first update is the start-up catch-up: a full rebuild, so the
 *   incidents always match the rules in the current config.
 * - Shutdown: the daemon stops its ingest first, then destroys this stage,
 *   which wakes the thread and joins it.
 * - Metrics (cor_live_set_metrics): rebuilds by kind with their duration,
 *   failures, and the lag behind ingest: how long the oldest stored event
 *   the incidents do not reflect yet has waited (0 when up to date). */
#include "cor_live.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cor_engine.h"
#include "cor_incident.h"
#include "cor_run.h"
#include "store.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_metrics.h"
#include "iq_time.h"

#define NOTE_TARGETS 64     /* ids named by pending notes; more: a full rebuild */

/* The correlator's series (NULL without a registry: updates do nothing). */
struct live_metrics {
    struct iq_metrics *reg;
    int hook;
    struct iq_metric *rebuilds[2], *seconds[2];   /* partial, full */
    struct iq_metric *failures, *lag, *incidents, *events;
};

struct cor_live {
    struct store *st;
    const struct cor_config *cfg;
    int64_t debounce_ms;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop, busy, pending, full;
    bool updating;             /* an update runs (reads cfg outside the lock) */
    int64_t min_at, max_at;    /* times of the pending events */
    int64_t trig_at;           /* latest time of a pending deploy or change */
    char *targets[NOTE_TARGETS];   /* "i" + incident id or "e" + event id; owned */
    size_t n_targets;
    int64_t pending_since;     /* mono ms: the first pending event was stored; 0: none */
    int64_t running_since;     /* mono ms: the same for the update running; 0: idle */
    struct cor_live_stats stats;
    struct live_metrics m;
};

/* Remember what a note names (label incident, other, event). */
static void note_targets(struct cor_live *l, const struct iq_event *ev)
{
    static const char *const labels[] = { "incident", "other", "event" };

    for (int i = 0; i < 3; i++) {
        const char *v = iq_event_label(ev, labels[i]);
        size_t n;

        if (!v)
            continue;
        n = strlen(v) + 2;
        if (l->n_targets == NOTE_TARGETS || !(l->targets[l->n_targets] = malloc(n))) {
            l->full = true;
            return;
        }
        snprintf(l->targets[l->n_targets++], n, "%c%s", i < 2 ? 'i' : 'e', v);
    }
}

static void on_stored(void *ud, struct iq_event *const *evs, const uint8_t *outcomes, size_t n)
{
    struct cor_live *l = ud;

    pthread_mutex_lock(&l->lock);
    for (size_t i = 0; i < n; i++) {
        const struct iq_event *ev = evs[i];

        if (outcomes[i] != STORE_STORED)
            continue;
        l->stats.events++;
        if (!cor_event_relevant(ev))
            continue;
        l->pending = true;
        if (!l->pending_since)
            l->pending_since = iq_time_mono_ms();
        if (strcmp(iq_ev_kind(ev), "note") == 0 && iq_ev_source(ev) &&
            strcmp(iq_ev_source(ev), "inquest") == 0) {
            note_targets(l, ev);       /* its own time changes nothing */
            continue;
        }
        if (l->min_at == IQ_TIME_NONE || ev->at < l->min_at)
            l->min_at = ev->at;
        if (l->max_at == IQ_TIME_NONE || ev->at > l->max_at)
            l->max_at = ev->at;
        if (ev->ends_at != IQ_TIME_NONE && ev->ends_at > l->max_at)
            l->max_at = ev->ends_at;
        if ((strcmp(iq_ev_kind(ev), "deploy") == 0 || strcmp(iq_ev_kind(ev), "change") == 0) &&
            (l->trig_at == IQ_TIME_NONE || ev->at > l->trig_at))
            l->trig_at = ev->at;
    }
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* What one update does, taken from the pending state. */
struct work {
    bool full, have;           /* have: since and until hold a range */
    int64_t since, until, trig;
    char *targets[NOTE_TARGETS];
    size_t n_targets;
};

/* Widen w's range over [from, to] (to IQ_TIME_NONE: the end). */
static void widen(struct work *w, int64_t from, int64_t to)
{
    if (!w->have) {
        w->since = from;
        w->until = to;
        w->have = true;
        return;
    }
    if (from < w->since)
        w->since = from;
    if (w->until != IQ_TIME_NONE && (to == IQ_TIME_NONE || to > w->until))
        w->until = to;
}

/* Widen w over what a note names: an incident's stored span (to the end
 * while it is open), an event's time.  A name not stored changes nothing
 * (the note is skipped by any rebuild alike).  0, or an error: then a
 * full rebuild. */
static int note_range(struct cor_live *l, struct work *w, const char *target)
{
    json_t *inc = NULL;
    struct iq_event *ev = NULL;
    const char *o, *c;
    int64_t opened, closed = IQ_TIME_NONE;
    int r;

    if (target[0] == 'e') {
        if ((r = store_get_event(l->st, target + 1, &ev)) < 0)
            return r == -ENOENT || r == -EINVAL ? 0 : r;
        widen(w, ev->at, ev->ends_at > ev->at ? ev->ends_at : ev->at);
        iq_event_destroy(&ev);
        return 0;
    }
    if ((r = cor_incident_load(l->st, target + 1, &inc)) < 0)
        return r == -ENOENT || r == -EINVAL ? 0 : r;
    o = json_string_value(json_object_get(inc, "opened_at"));
    c = json_string_value(json_object_get(inc, "closed_at"));
    r = !o || iq_time_parse_rfc3339(o, strlen(o), &opened) < 0 ||
        (c && iq_time_parse_rfc3339(c, strlen(c), &closed) < 0) ? -EINVAL : 0;
    if (r == 0)
        widen(w, opened, closed);
    json_decref(inc);
    return r;
}

/* One update outside the lock; returns 0 or a negative errno. */
static int update(struct cor_live *l, struct work *w)
{
    struct cor_result res = { 0 };
    int64_t t0 = iq_time_mono_us(), us;
    int r = 0;

    for (size_t i = 0; i < w->n_targets && !w->full; i++)
        if (note_range(l, w, w->targets[i]) < 0)
            w->full = true;
    if (!w->full && !w->have)
        return 0;                      /* only notes naming nothing stored */
    r = w->full ? cor_engine_rebuild(l->st, l->cfg, IQ_TIME_NONE, IQ_TIME_NONE, &res)
                : cor_engine_update(l->st, l->cfg, w->since, w->until, w->trig, &res);
    us = iq_time_mono_us() - t0;
    pthread_mutex_lock(&l->lock);
    l->stats.last_ms = us / 1000;
    if (r < 0) {
        l->stats.failures++;
        iq_metric_inc(l->m.failures);
    } else {
        *(w->full ? &l->stats.full : &l->stats.partial) += 1;
        l->stats.incidents = res.n;
        iq_metric_inc(l->m.rebuilds[w->full]);
        iq_metric_observe(l->m.seconds[w->full], (double)us / 1e6);
    }
    pthread_mutex_unlock(&l->lock);
    if (r < 0)
        iq_warn("correlate", "rebuild failed: %s; retrying with the next event", strerror(-r));
    else
        iq_debug("correlate", "%s rebuild: %zu incidents from %zu events",
                 w->full ? "full" : "partial", res.n, res.events);
    cor_result_free(&res);
    return r;
}

/* Take the pending state into w (the lock held). */
static void take_work(struct cor_live *l, struct work *w)
{
    w->full = l->full;
    w->have = l->min_at != IQ_TIME_NONE;
    w->since = l->min_at;
    w->until = l->max_at;
    w->trig = l->trig_at;
    w->n_targets = l->n_targets;
    memcpy(w->targets, l->targets, l->n_targets * sizeof(*w->targets));
    l->n_targets = 0;
    l->pending = l->full = false;
    l->min_at = l->max_at = l->trig_at = IQ_TIME_NONE;
    l->running_since = l->pending_since ? l->pending_since : iq_time_mono_ms();
    l->pending_since = 0;
}

static void work_release(struct work *w)
{
    for (size_t i = 0; i < w->n_targets; i++)
        free(w->targets[i]);
    w->n_targets = 0;
}

/* Wait before an update: the debounce, or three times the last update's
 * run time when that is longer, so that under sustained load (an alert
 * storm growing one incident, a bulk import) the correlator takes at most
 * about a quarter of a core and ingest keeps the rest. */
static int64_t pace_ms(const struct cor_live *l, int64_t last_ms)
{
    return 3 * last_ms > l->debounce_ms ? 3 * last_ms : l->debounce_ms;
}

static void *run(void *arg)
{
    struct cor_live *l = arg;
    struct work w;
    int64_t last_ms = 0, t0;
    int r;

    pthread_mutex_lock(&l->lock);
    while (!l->stop) {
        if (!l->pending) {
            pthread_cond_wait(&l->cond, &l->lock);
            continue;
        }
        l->busy = true;
        pthread_mutex_unlock(&l->lock);
        sleep_ms(pace_ms(l, last_ms));
        pthread_mutex_lock(&l->lock);
        take_work(l, &w);
        l->updating = true;
        pthread_mutex_unlock(&l->lock);
        t0 = iq_time_mono_ms();
        r = update(l, &w);
        work_release(&w);
        last_ms = iq_time_mono_ms() - t0;
        pthread_mutex_lock(&l->lock);
        if (r < 0)
            l->full = true;
        l->busy = l->updating = false;
        l->running_since = 0;
        pthread_cond_broadcast(&l->cond);
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

int cor_live_new(struct store *st, const struct cor_config *cfg, int64_t debounce_ms,
                 struct cor_live **ret)
{
    struct cor_live *l = calloc(1, sizeof(*l));

    if (!l)
        return -ENOMEM;
    l->st = st;
    l->cfg = cfg;
    l->debounce_ms = debounce_ms;
    l->min_at = l->max_at = l->trig_at = IQ_TIME_NONE;
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->cond, NULL);
    *ret = l;
    return 0;
}

int cor_live_start(struct cor_live *l)
{
    int r;

    pthread_mutex_lock(&l->lock);
    l->pending = l->full = true;       /* the start-up catch-up */
    l->pending_since = iq_time_mono_ms();
    pthread_mutex_unlock(&l->lock);
    store_set_listener(l->st, on_stored, l);
    r = pthread_create(&l->thread, NULL, run, l);
    if (r != 0) {
        store_set_listener(l->st, NULL, NULL);
        return -r;
    }
    l->started = true;
    return 0;
}

int cor_live_wait_idle(struct cor_live *l, int64_t timeout_ms)
{
    int64_t deadline = iq_time_now_ms() + timeout_ms;
    int r = 0;

    pthread_mutex_lock(&l->lock);
    while ((l->pending || l->busy) && r == 0) {
        int64_t left = deadline - iq_time_now_ms();
        struct timespec ts;

        if (left <= 0) {
            r = -ETIMEDOUT;
            break;
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)(left / 1000);
        ts.tv_nsec += (long)(left % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&l->cond, &l->lock, &ts);
    }
    pthread_mutex_unlock(&l->lock);
    return r;
}

void cor_live_use_config(struct cor_live *l, const struct cor_config *cfg)
{
    pthread_mutex_lock(&l->lock);
    while (l->updating)                /* an update reads l->cfg outside the lock */
        pthread_cond_wait(&l->cond, &l->lock);
    l->cfg = cfg;
    l->full = l->pending = true;       /* the new rules apply to every incident */
    if (!l->pending_since)
        l->pending_since = iq_time_mono_ms();
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
}

void cor_live_request_full(struct cor_live *l)
{
    pthread_mutex_lock(&l->lock);
    l->pending = l->full = true;
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
}

void cor_live_stats(struct cor_live *l, struct cor_live_stats *ret)
{
    pthread_mutex_lock(&l->lock);
    *ret = l->stats;
    pthread_mutex_unlock(&l->lock);
}

void cor_live_destroy(struct cor_live **pl)
{
    struct cor_live *l;

    if (!pl || !*pl)
        return;
    l = *pl;
    iq_metrics_hook_remove(l->m.reg, l->m.hook);
    store_set_listener(l->st, NULL, NULL);
    if (l->started) {
        pthread_mutex_lock(&l->lock);
        l->stop = true;
        pthread_cond_broadcast(&l->cond);
        pthread_mutex_unlock(&l->lock);
        pthread_join(l->thread, NULL);
    }
    for (size_t i = 0; i < l->n_targets; i++)
        free(l->targets[i]);
    pthread_cond_destroy(&l->cond);
    pthread_mutex_destroy(&l->lock);
    free(l);
    *pl = NULL;
}

/* The lag and the gauges mirrored from the stats, at each scrape. */
static void collect(void *ud)
{
    struct cor_live *l = ud;
    int64_t oldest;

    pthread_mutex_lock(&l->lock);
    oldest = l->running_since ? l->running_since : l->pending_since;
    iq_metric_set(l->m.lag, oldest ? (double)(iq_time_mono_ms() - oldest) / 1000.0 : 0);
    iq_metric_set(l->m.incidents, (double)l->stats.incidents);
    iq_metric_set(l->m.events, (double)l->stats.events);
    pthread_mutex_unlock(&l->lock);
}

static const double rebuild_buckets[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                          2.5, 5, 10, 30, 60 };
static const char *const rebuild_kinds[2] = { "partial", "full" };

/* The correlator's families, in exposition order. */
static const struct iq_metric_def families[] = {
    { IQ_METRIC_COUNTER, "inquest_correlator_rebuilds_total",
      "Incident rebuilds: partial (after new events) or full (start-up, audit notes, "
      "retention).", .label = "kind", .values = rebuild_kinds, .n = 2,
      .off = offsetof(struct live_metrics, rebuilds) },
    { IQ_METRIC_HISTOGRAM, "inquest_correlator_rebuild_seconds", "Duration of incident rebuilds.",
      .label = "kind", .values = rebuild_kinds, .n = 2, .buckets = rebuild_buckets,
      .nb = sizeof(rebuild_buckets) / sizeof(rebuild_buckets[0]),
      .off = offsetof(struct live_metrics, seconds) },
    { IQ_METRIC_COUNTER, "inquest_correlator_rebuild_failures_total",
      "Rebuilds that failed (retried as a full rebuild).",
      .off = offsetof(struct live_metrics, failures) },
    { IQ_METRIC_GAUGE, "inquest_correlator_lag_seconds",
      "How long the oldest stored event not yet reflected in the incidents has waited; 0 when "
      "up to date.", .off = offsetof(struct live_metrics, lag) },
    { IQ_METRIC_GAUGE, "inquest_correlator_incidents", "Incidents written by the last rebuild.",
      .off = offsetof(struct live_metrics, incidents) },
    { IQ_METRIC_COUNTER, "inquest_correlator_events_total",
      "Stored events the correlator was told about.",
      .off = offsetof(struct live_metrics, events) },
};

int cor_live_set_metrics(struct cor_live *l, struct iq_metrics *reg)
{
    struct live_metrics *m = &l->m;
    int r;

    if (!reg)
        return 0;
    m->reg = reg;
    if ((r = iq_metrics_register_table(reg, families, IQ_METRICS_TABLE_N(families), m)) < 0)
        return r;
    m->hook = iq_metrics_hook_add(reg, collect, l);
    return m->hook < 0 ? m->hook : 0;
}

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
 *   last update's run time, if longer: see pace_ms) so a burst becomes one update, takes the pending state and runs one rebuild: partial from the
 *   earliest new time, or full when an audit note (merge/split/set/attach)
 *   arrived, since a note may touch any incident.  A failed rebuild is
 *   logged and retried as a full rebuild with the next event.
 * - The first update is the start-up catch-up: a full rebuild, so the
 *   incidents always match the rules in the current config.
 * - Shutdown: the daemon stops its ingest first, then destroys this stage,
 *   which wakes the thread and joins it. */
#include "cor_live.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cor_engine.h"
#include "cor_run.h"
#include "store.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

struct cor_live {
    struct store *st;
    const struct cor_config *cfg;
    int64_t debounce_ms;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop, busy, pending, full;
    int64_t min_at, max_at;    /* times of the pending events */
    struct cor_live_stats stats;
};

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
        if (l->min_at == IQ_TIME_NONE || ev->at < l->min_at)
            l->min_at = ev->at;
        if (l->max_at == IQ_TIME_NONE || ev->at > l->max_at)
            l->max_at = ev->at;
        if (ev->ends_at != IQ_TIME_NONE && ev->ends_at > l->max_at)
            l->max_at = ev->ends_at;
        if (strcmp(iq_ev_kind(ev), "note") == 0 && iq_ev_source(ev) &&
            strcmp(iq_ev_source(ev), "inquest") == 0)
            l->full = true;
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

/* One update outside the lock; returns 0 or a negative errno. */
static int update(struct cor_live *l, bool full, int64_t since, int64_t until)
{
    struct cor_result res = { 0 };
    int64_t t0 = iq_time_mono_ms();
    int r = cor_engine_rebuild(l->st, l->cfg, full ? IQ_TIME_NONE : since,
                               full ? IQ_TIME_NONE : until, &res);

    pthread_mutex_lock(&l->lock);
    l->stats.last_ms = iq_time_mono_ms() - t0;
    if (r < 0) {
        l->stats.failures++;
    } else {
        *(full ? &l->stats.full : &l->stats.partial) += 1;
        l->stats.incidents = res.n;
    }
    pthread_mutex_unlock(&l->lock);
    if (r < 0)
        iq_warn("correlate", "rebuild failed: %s; retrying with the next event", strerror(-r));
    else
        iq_debug("correlate", "%s rebuild: %zu incidents from %zu events", full ? "full" : "partial",
                 res.n, res.events);
    cor_result_free(&res);
    return r;
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
    bool full;
    int64_t since, until, last_ms = 0, t0;
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
        full = l->full;
        since = l->min_at;
        until = l->max_at;
        l->pending = l->full = false;
        l->min_at = l->max_at = IQ_TIME_NONE;
        pthread_mutex_unlock(&l->lock);
        t0 = iq_time_mono_ms();
        r = update(l, full || since == IQ_TIME_NONE, since, until);
        last_ms = iq_time_mono_ms() - t0;
        pthread_mutex_lock(&l->lock);
        if (r < 0)
            l->full = true;
        l->busy = false;
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
    l->min_at = l->max_at = IQ_TIME_NONE;
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
    store_set_listener(l->st, NULL, NULL);
    if (l->started) {
        pthread_mutex_lock(&l->lock);
        l->stop = true;
        pthread_cond_broadcast(&l->cond);
        pthread_mutex_unlock(&l->lock);
        pthread_join(l->thread, NULL);
    }
    pthread_cond_destroy(&l->cond);
    pthread_mutex_destroy(&l->lock);
    free(l);
    *pl = NULL;
}

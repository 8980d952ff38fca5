/* iq_worker.c - a periodic job on its own thread, stopped promptly (see
 * iq_worker.h).
 *
 * Design notes:
 * - The wait is pthread_cond_timedwait on CLOCK_REALTIME (the default
 *   clock of a condition variable); a clock step only makes one period
 *   shorter or longer, and stop never waits for it.
 * - The stop flag is read under the mutex by the loop and atomically by
 *   iq_worker_stopping, so a job may poll it without taking the lock. */
#include "iq_worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct iq_worker {
    iq_worker_fn fn;
    void *ud;
    int64_t period_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

static void deadline(struct timespec *ts, int64_t ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += ms % 1000 * 1000000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

static void *run(void *arg)
{
    struct iq_worker *w = arg;
    struct timespec ts;

    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        pthread_mutex_unlock(&w->mu);
        w->fn(w->ud, w);
        pthread_mutex_lock(&w->mu);
        deadline(&ts, w->period_ms);
        if (!w->stop)
            pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

int iq_worker_start(int64_t period_ms, iq_worker_fn fn, void *ud, struct iq_worker **ret)
{
    struct iq_worker *w = calloc(1, sizeof(*w));
    int r;

    if (!w)
        return -ENOMEM;
    w->fn = fn;
    w->ud = ud;
    w->period_ms = period_ms > 0 ? period_ms : 1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if ((r = pthread_create(&w->thread, NULL, run, w)) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return -r;
    }
    *ret = w;
    return 0;
}

bool iq_worker_stopping(const struct iq_worker *w)
{
    return w && __atomic_load_n(&w->stop, __ATOMIC_RELAXED);
}

void iq_worker_stop(struct iq_worker **pw)
{
    struct iq_worker *w;

    if (!pw || !*pw)
        return;
    w = *pw;
    pthread_mutex_lock(&w->mu);
    __atomic_store_n(&w->stop, true, __ATOMIC_RELAXED);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
    *pw = NULL;
}

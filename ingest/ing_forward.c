/* ing_forward.c - forwarding sink: events from the HTTP collectors to a
 * central inquestd over the acknowledged ZeroMQ protocol.
 *
 * Design notes.  A ZeroMQ socket must not be shared between threads, and
 * MHD calls submit from its pool threads, so each thread lazily creates
 * its own ing_sender, kept in thread-specific data and destroyed by the
 * key's destructor when MHD stops its threads.  submit pushes the events
 * with their index as tag and flushes: it returns once the central ingest
 * acknowledged the batch (stored or already stored) or refused events,
 * whose outcomes come back through the ack callback.  If no answer comes
 * within give_up_ms the thread's sender is dropped (a fresh one is built
 * for the next request) and submit fails, so the HTTP answer is 503 and
 * the webhook sender retries.  When the central ingest refuses the
 * collector's CurveZMQ key, submit fails at once, and the reason is
 * logged at most once a minute (every webhook delivery would repeat it). */
#include "ing_forward.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "ing_sender.h"
#include "store.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

#define REFUSAL_LOG_MS 60000

struct fwd {
    void *zctx;
    char *endpoint;
    int64_t give_up_ms;
    pthread_key_t key;
    struct ing_curve_client curve;
    bool use_curve;
    pthread_mutex_t lock;     /* last_refusal_log */
    int64_t last_refusal_log;
};

struct fwd_thread {
    struct ing_sender *snd;
    uint8_t *outcomes;        /* of the submit in progress */
    size_t n;
};

static void thread_free(void *p)
{
    struct fwd_thread *t = p;

    if (!t)
        return;
    ing_sender_destroy(&t->snd);
    free(t);
}

static void on_ack(void *ud, const uint64_t *tags, uint32_t n, const struct ing_msg *m)
{
    struct fwd_thread *t = ud;
    uint8_t ok = m->type == ING_MSG_ACK && m->stored == 0 ? STORE_DUPLICATE : STORE_STORED;

    for (uint32_t i = 0; i < n; i++)
        if (tags[i] < t->n)
            t->outcomes[tags[i]] = m->type == ING_MSG_ERROR ? STORE_REJECTED : ok;
    if (m->type != ING_MSG_ACK)
        return;
    for (uint32_t i = 0; i < m->n_rejections; i++) {
        uint32_t ix = m->rejections[i].index;

        if (ix < n && tags[ix] < t->n)
            t->outcomes[tags[ix]] = STORE_REJECTED;
    }
}

static struct fwd_thread *thread_state(struct fwd *f)
{
    struct fwd_thread *t = pthread_getspecific(f->key);
    struct ing_sender_opts o = { .endpoint = f->endpoint, .give_up_ms = f->give_up_ms,
                                 .retry_ms = 1000, .retry_max_ms = 5000,
                                 .curve = f->use_curve ? &f->curve : NULL };

    if (!t) {
        t = calloc(1, sizeof(*t));
        if (!t || pthread_setspecific(f->key, t) != 0) {
            free(t);
            return NULL;
        }
    }
    if (!t->snd && ing_sender_new(f->zctx, &o, on_ack, t, &t->snd) < 0)
        return NULL;
    return t;
}

/* The central ingest refused this collector: say why, once a minute. */
static void log_refusal(struct fwd *f, const char *why)
{
    int64_t now = iq_time_mono_ms();
    bool say;

    pthread_mutex_lock(&f->lock);
    say = now - f->last_refusal_log >= REFUSAL_LOG_MS;
    if (say)
        f->last_refusal_log = now;
    pthread_mutex_unlock(&f->lock);
    if (say)
        iq_error("forward", "%s: %s; answering 503", f->endpoint, why ? why : "refused");
}

static int forward_submit(void *ctx, struct iq_event *const *evs, size_t n, uint8_t *outcomes)
{
    struct fwd *f = ctx;
    struct fwd_thread *t = thread_state(f);
    int r = 0, stored = 0;

    if (!t)
        return -ENOMEM;
    t->outcomes = outcomes;
    t->n = n;
    for (size_t i = 0; i < n; i++)
        outcomes[i] = STORE_REJECTED;
    for (size_t i = 0; i < n && r >= 0; i++) {
        r = ing_sender_push(t->snd, evs[i], i);
        if (r == -E2BIG)
            r = 0;          /* stays STORE_REJECTED */
    }
    if (r >= 0)
        r = ing_sender_flush(t->snd);
    if (r == -EACCES)
        log_refusal(f, ing_sender_handshake_error(t->snd));
    if (r < 0) {
        ing_sender_destroy(&t->snd);   /* unanswered: start afresh next time */
        t->n = 0;
        return r;
    }
    for (size_t i = 0; i < n; i++)
        stored += outcomes[i] == STORE_STORED;
    t->n = 0;
    return stored;
}

static void forward_destroy(void *ctx)
{
    struct fwd *f = ctx;

    if (!f)
        return;
    thread_free(pthread_getspecific(f->key));
    pthread_setspecific(f->key, NULL);
    pthread_key_delete(f->key);
    if (f->zctx)
        zmq_ctx_term(f->zctx);
    pthread_mutex_destroy(&f->lock);
    memset(&f->curve, 0, sizeof(f->curve));
    free(f->endpoint);
    free(f);
}

const struct ing_sink_ops ing_sink_forward_ops = {
    .name = "forward",            /* a central inquestd over ZeroMQ */
    .submit = forward_submit,     /* returns once the central ingest acknowledged */
    .destroy = forward_destroy,   /* after the calling threads exited */
};

int ing_sink_forward_new(const struct ing_forward_opts *o, struct ing_sink *ret)
{
    struct fwd *f;

    if (!o->endpoint || strncmp(o->endpoint, "tcp://", 6) != 0)
        return -EINVAL;
    f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    f->give_up_ms = o->give_up_ms ? o->give_up_ms : 10000;
    f->last_refusal_log = iq_time_mono_ms() - REFUSAL_LOG_MS;
    pthread_mutex_init(&f->lock, NULL);
    if (o->curve) {
        f->curve = *o->curve;
        f->use_curve = true;
    }
    f->endpoint = strdup(o->endpoint);
    f->zctx = zmq_ctx_new();
    if (!f->endpoint || !f->zctx || pthread_key_create(&f->key, thread_free) != 0) {
        if (f->zctx)
            zmq_ctx_term(f->zctx);
        pthread_mutex_destroy(&f->lock);
        free(f->endpoint);
        free(f);
        return -ENOMEM;
    }
    ret->ops = &ing_sink_forward_ops;
    ret->ctx = f;
    return 0;
}

void ing_sink_forward_destroy(struct ing_sink *s)
{
    if (!s || !s->ctx)
        return;
    forward_destroy(s->ctx);
    s->ctx = NULL;
}

/* ing_forward.c - the collector's sink: spool first, then forward to the
 * central ingest (contract in ing_forward.h).
 *
 * Design notes.
 * - submit encodes the events and appends them to the spool: the answer
 *   to the webhook waits for the collector's own disk only.
 * - One forwarder thread owns one ing_sender (one DEALER socket).  It
 *   reads spooled entries from a cursor and hands their bytes to the
 *   sender as they are (ing_sender_push_packed: no decode), the entry's
 *   sequence as tag.  Up to FWD_WINDOW batches of FWD_BATCH events are in
 *   flight; a partial batch is sealed as soon as the spool has nothing
 *   more, so a trickle of webhooks is forwarded at once.
 * - Acknowledged entries are marked in a ring indexed by sequence; the
 *   acknowledged prefix (from the spool's head) is released from the
 *   spool.  Acks may come out of order (re-sends): only the prefix moves.
 * - The sender never gives up (give_up_ms 0): while the central ingest is
 *   down its batches wait for their re-send (ZMQ_IMMEDIATE: nothing is
 *   queued into a dead connection) and the rest stays in the spool.
 * - A batch refused whole (an "error" answer: protocol trouble) is not
 *   released: the forwarder logs why, drops its sender, waits
 *   REFUSED_PAUSE_MS and sends again from the head.  So is a CurveZMQ
 *   refusal of this collector's key (logged once a minute).  Events
 *   rejected one by one in an ack are final there; they are counted
 *   (inquest_forward_events_total{outcome="rejected"}) and logged.
 * - /metrics: inquest_spool_events, _bytes, _max_bytes,
 *   _oldest_age_seconds, inquest_forward_events_total{outcome},
 *   inquest_forward_batches_refused_total. */
#include "ing_forward.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include <msgpack.h>

#include "ing_sender.h"
#include "ing_spool.h"
#include "store.h"
#include "http_metrics.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

#define FWD_BATCH 1000            /* events per batch */
#define FWD_BATCH_BYTES (1u << 20)
#define FWD_WINDOW 10             /* batches in flight */
#define RING 16384                /* > FWD_WINDOW * FWD_BATCH + FWD_BATCH */
#define LOG_EVERY_MS 60000
#define REFUSED_PAUSE_MS 30000

struct fwd {
    struct ing_spool *spool;
    void *zctx;
    char *endpoint;
    struct ing_curve_client curve;
    bool use_curve;
    pthread_t thread;
    bool started;
    atomic_bool stop;
    /* the forwarder thread's own */
    struct ing_sender *snd;
    uint64_t head;               /* first sequence not acknowledged */
    uint64_t cursor;             /* next sequence to read */
    uint8_t done[RING];          /* acknowledged, by sequence % RING */
    bool refused;                /* the central ingest refused a batch whole */
    char refusal[IQ_ERR_MAX];
    int64_t last_log[3];         /* refusal, rejection, failure: rate limits */
    /* for /metrics */
    _Atomic uint64_t stored, duplicates, rejected, refused_batches;
};

enum { LOG_REFUSED, LOG_REJECTED, LOG_FAILED };

/* Rate-limited logging: true when kind may log now. */
static bool may_log(struct fwd *f, int kind)
{
    int64_t now = iq_time_mono_ms();

    if (now - f->last_log[kind] < LOG_EVERY_MS)
        return false;
    f->last_log[kind] = now;
    return true;
}

static void on_ack(void *ud, const uint64_t *tags, uint32_t n, const struct ing_msg *m)
{
    struct fwd *f = ud;

    if (m->type == ING_MSG_ERROR) {
        f->refused = true;
        snprintf(f->refusal, sizeof(f->refusal), "%s", m->reason);
        atomic_fetch_add(&f->refused_batches, 1);
        return;
    }
    if (m->type != ING_MSG_ACK)
        return;
    for (uint32_t i = 0; i < n; i++)
        if (tags[i] >= f->head && tags[i] < f->cursor)
            f->done[tags[i] % RING] = 1;
    atomic_fetch_add(&f->stored, m->stored);
    atomic_fetch_add(&f->duplicates, m->duplicates);
    atomic_fetch_add(&f->rejected, m->n_rejections);
    if (m->n_rejections && may_log(f, LOG_REJECTED))
        iq_warn("forward", "%s rejected %u spooled events (not stored there), e.g. #%u: %s",
                f->endpoint, m->n_rejections, m->rejections[0].index, m->rejections[0].reason);
}

static int make_sender(struct fwd *f)
{
    struct ing_sender_opts o = {
        .endpoint = f->endpoint, .batch_events = FWD_BATCH, .batch_bytes = FWD_BATCH_BYTES,
        .window = FWD_WINDOW, .retry_ms = 1000, .retry_max_ms = 5000, .give_up_ms = 0,
        .curve = f->use_curve ? &f->curve : NULL,
    };

    return ing_sender_new(f->zctx, &o, on_ack, f, &f->snd);
}

/* Forget what is in flight: everything from the head is read again. */
static void reset(struct fwd *f)
{
    ing_sender_destroy(&f->snd);
    memset(f->done, 0, sizeof(f->done));
    f->cursor = f->head;
    f->refused = false;
}

static int push_entry(void *ud, uint64_t seq, int64_t at, const char *val, size_t len)
{
    struct fwd *f = ud;
    int r = ing_sender_push_packed(f->snd, val, len, seq);

    (void)at;
    if (r == -E2BIG) {
        /* cannot happen for what the collector spooled (IQ_EVENT_WIRE_MAX
         * is far below a frame); say so rather than stall on it */
        iq_error("forward", "spooled event #%llu of %zu bytes exceeds a frame: kept in the "
                 "spool", (unsigned long long)seq, len);
        return r;
    }
    if (r == 0)
        f->cursor = seq + 1;
    return r;
}

/* Read and push spooled entries while the window and the ring have room;
 * seal the partial batch when the spool has nothing more.  0 or -errno of
 * the sender (-EACCES). */
static int fill(struct fwd *f)
{
    int n = 0;

    while (!atomic_load(&f->stop) && f->cursor - f->head + FWD_BATCH <= RING &&
           ing_sender_pending(f->snd) + 2 <= FWD_WINDOW) {
        n = ing_spool_read(f->spool, f->cursor, FWD_BATCH, FWD_BATCH_BYTES, push_entry, f);
        if (n <= 0)
            break;
    }
    if (n < 0)
        return n;
    if (n == 0) {
        n = ing_sender_seal(f->snd);
        return n == -EAGAIN ? 0 : n;
    }
    return 0;
}

/* Release the acknowledged prefix from the spool. */
static void settle(struct fwd *f)
{
    uint64_t h = f->head;

    while (h < f->cursor && f->done[h % RING]) {
        f->done[h % RING] = 0;
        h++;
    }
    if (h == f->head)
        return;
    f->head = h;
    if (ing_spool_release(f->spool, h - 1) < 0)
        iq_warn("forward", "could not release acknowledged events from the spool; they will "
                "be sent again after a restart (the central ingest keeps them once)");
}

/* One turn of the forwarder: fill, then wait for answers or new entries. */
static void turn(struct fwd *f)
{
    const char *why;
    int r;

    if (!f->snd && make_sender(f) < 0) {
        ing_spool_wait(f->spool, UINT64_MAX, 1000);     /* a pause, stop-aware */
        return;
    }
    r = fill(f);
    if (r == 0 && ing_sender_pending(f->snd) == 0) {
        ing_spool_wait(f->spool, f->cursor, 1000);
        return;
    }
    if (r == 0)
        r = ing_sender_poll(f->snd, 100);
    settle(f);
    if (f->refused) {
        iq_error("forward", "%s refused a batch: %s; keeping its events in the spool, sending "
                 "again in %d s", f->endpoint, f->refusal, REFUSED_PAUSE_MS / 1000);
        reset(f);
        ing_spool_wait(f->spool, UINT64_MAX, REFUSED_PAUSE_MS);
    } else if (r < 0) {
        why = r == -EACCES ? ing_sender_handshake_error(f->snd) : strerror(-r);
        if (may_log(f, LOG_FAILED))
            iq_error("forward", "%s: %s; events stay in the spool, trying again", f->endpoint,
                     why ? why : "refused");
        reset(f);
        ing_spool_wait(f->spool, UINT64_MAX, 1000);
    }
}

static void *forward_main(void *arg)
{
    struct fwd *f = arg;
    struct ing_spool_stats s;

    ing_spool_stats(f->spool, &s);
    f->head = f->cursor = s.head;
    if (s.events)
        iq_info("forward", "%llu events in the spool from before: forwarding them to %s",
                (unsigned long long)s.events, f->endpoint);
    while (!atomic_load(&f->stop))
        turn(f);
    ing_sender_destroy(&f->snd);
    return NULL;
}

static int forward_submit_encoded(void *ctx, struct iq_event *const *evs, const char *const *vals,
                                  const size_t *lens, size_t n, uint8_t *outcomes)
{
    struct fwd *f = ctx;
    int r = ing_spool_append(f->spool, vals, lens, n);

    (void)evs;
    for (size_t i = 0; i < n; i++)
        outcomes[i] = r >= 0 ? STORE_STORED : STORE_REJECTED;
    return r;
}

static int forward_submit(void *ctx, struct iq_event *const *evs, size_t n, uint8_t *outcomes)
{
    msgpack_sbuffer sb;
    const char *stack_v[16], **vals = n <= 16 ? stack_v : malloc(n * sizeof(*vals));
    size_t stack_l[16], *lens = n <= 16 ? stack_l : malloc(n * sizeof(*lens));
    int r = -ENOMEM;

    msgpack_sbuffer_init(&sb);
    if (vals && lens) {
        iq_events_pack(evs, n, &sb, vals, lens);
        r = forward_submit_encoded(ctx, evs, vals, lens, n, outcomes);
    }
    msgpack_sbuffer_destroy(&sb);
    if (vals != stack_v)
        free(vals);
    if (lens != stack_l)
        free(lens);
    return r;
}

static void forward_status(void *ctx, struct store_status *ret)
{
    struct fwd *f = ctx;
    struct ing_spool_stats s;

    ing_spool_stats(f->spool, &s);
    if (!s.full && !s.disk_low)
        return;
    ret->busy = s.full ? STORE_BUSY_SPOOL_FULL : STORE_BUSY_DISK_FULL;
    ing_spool_reason(f->spool, ret->reason, sizeof(ret->reason));
}

static void forward_metrics(void *ctx, struct http_metrics_out *o)
{
    static const char *const outcome[3] = { "stored", "duplicate", "rejected" };
    struct fwd *f = ctx;
    struct ing_spool_stats s;
    int64_t now = iq_time_now_ms();
    double age;
    uint64_t v[3] = { atomic_load(&f->stored), atomic_load(&f->duplicates),
                      atomic_load(&f->rejected) };

    ing_spool_stats(f->spool, &s);
    age = s.oldest_at == IQ_TIME_NONE || now < s.oldest_at ? 0 : (now - s.oldest_at) / 1000.0;
    http_metrics_put(o,
        "# HELP inquest_spool_events Events in the collector's spool, not yet acknowledged by "
        "the central ingest.\n# TYPE inquest_spool_events gauge\ninquest_spool_events %llu\n"
        "# HELP inquest_spool_bytes Encoded bytes of the spooled events (spool_max bounds them).\n"
        "# TYPE inquest_spool_bytes gauge\ninquest_spool_bytes %llu\n"
        "# HELP inquest_spool_max_bytes spool_max: past it deliveries are answered 503.\n"
        "# TYPE inquest_spool_max_bytes gauge\ninquest_spool_max_bytes %llu\n"
        "# HELP inquest_spool_oldest_age_seconds Age of the oldest spooled event (0 when empty).\n"
        "# TYPE inquest_spool_oldest_age_seconds gauge\ninquest_spool_oldest_age_seconds %.3f\n"
        "# HELP inquest_forward_batches_refused_total Batches the central ingest refused whole "
        "(kept in the spool, sent again).\n# TYPE inquest_forward_batches_refused_total counter\n"
        "inquest_forward_batches_refused_total %llu\n"
        "# HELP inquest_forward_events_total Spooled events answered by the central ingest, by "
        "outcome.\n# TYPE inquest_forward_events_total counter\n",
        (unsigned long long)s.events, (unsigned long long)s.bytes,
        (unsigned long long)s.max_bytes, age,
        (unsigned long long)atomic_load(&f->refused_batches));
    for (int i = 0; i < 3; i++)
        http_metrics_put(o, "inquest_forward_events_total{outcome=\"%s\"} %llu\n", outcome[i],
                         (unsigned long long)v[i]);
}

static void forward_destroy(void *ctx)
{
    struct fwd *f = ctx;

    if (!f)
        return;
    if (f->started) {
        atomic_store(&f->stop, true);
        ing_spool_wake(f->spool);
        pthread_join(f->thread, NULL);
    }
    ing_spool_close(&f->spool);
    if (f->zctx)
        zmq_ctx_term(f->zctx);
    memset(&f->curve, 0, sizeof(f->curve));
    free(f->endpoint);
    free(f);
}

const struct ing_sink_ops ing_sink_forward_ops = {
    .name = "forward",                  /* the spool, then a central inquestd */
    .submit = forward_submit,           /* durable in the spool on return */
    .submit_encoded = forward_submit_encoded,  /* values encoded by the caller */
    .status = forward_status,           /* busy: spool full, or its disk low */
    .metrics = forward_metrics,         /* spool depth and age, forwarding outcomes */
    .destroy = forward_destroy,         /* stops the forwarder, closes the spool */
};

int ing_sink_forward_new(const struct ing_forward_opts *o, struct ing_sink *ret)
{
    struct ing_spool_opts so = { .max_bytes = o->spool_max, .fsync = o->fsync, .disk = o->disk };
    struct fwd *f;
    int r;

    if (!o->endpoint || strncmp(o->endpoint, "tcp://", 6) != 0 || !o->spool_dir)
        return -EINVAL;
    f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    for (int i = 0; i < 3; i++)
        f->last_log[i] = iq_time_mono_ms() - LOG_EVERY_MS;
    if (o->curve) {
        f->curve = *o->curve;
        f->use_curve = true;
    }
    f->endpoint = strdup(o->endpoint);
    f->zctx = zmq_ctx_new();
    if (!f->endpoint || !f->zctx) {
        r = -ENOMEM;
        goto fail;
    }
    if ((r = ing_spool_open(o->spool_dir, &so, &f->spool)) < 0)
        goto fail;
    if (pthread_create(&f->thread, NULL, forward_main, f) != 0) {
        r = -EAGAIN;
        goto fail;
    }
    f->started = true;
    ret->ops = &ing_sink_forward_ops;
    ret->ctx = f;
    return 0;
fail:
    forward_destroy(f);
    return r;
}

void ing_sink_forward_destroy(struct ing_sink *s)
{
    if (!s || !s->ctx)
        return;
    forward_destroy(s->ctx);
    s->ctx = NULL;
}

/* ing_server.c - the ZeroMQ ingest endpoint: batches in, acknowledgements out.
 *
 * Two threads, CZMQ-actor style, so that decoding and storing overlap:
 *  - the socket thread owns the ROUTER.  For each frame it checks the size
 *    against max_frame (libzmq itself drops peers whose frames exceed
 *    ING_FRAME_HARD_FACTOR times that, so memory stays bounded), parses the
 *    envelope, decodes and validates each event on its own, and queues the
 *    batch in a free job slot.  Envelope errors are answered at once.
 *    It also encodes each event's stored value, and frees the events once
 *    their ack went out, so the writer does nothing but store.
 *  - the writer thread takes jobs in order, submits the valid events to the
 *    sink in one call (one RocksDB WriteBatch), and only then builds the ack
 *    and hands it back over an inproc PAIR; the socket thread forwards it to
 *    the peer.  A sink failure answers "busy" with the sink's reason
 *    ("disk full on /data: ...") and the sender retries: nothing is
 *    acknowledged that is not durable.
 * With no free slot the socket thread stops reading the ROUTER, so senders
 * see back-pressure through ZeroMQ's queues, never unbounded memory.
 *
 * Shutdown: when *stop is set the endpoint is unbound, frames already
 * queued are still answered (drained until quiet for 100 ms), the writer
 * finishes every job, and the loop returns.
 *
 * Metrics (inquest_zmq_*): batches and events by outcome, bytes received,
 * and the time from a batch's arrival to its acknowledgement, observed by
 * the socket thread when it forwards the ack; CurveZMQ handshakes are read
 * from the ZAP handler at each scrape.
 *
 * CurveZMQ: the ROUTER is a CURVE server in ZAP domain "inquest", and the
 * ZAP handler (ing_zap.c) admits only keys of the keyring.  Each message
 * then carries the key name as its "User-Id" property, trusted only when
 * CURVE is on (without it a peer could claim a User-Id in its handshake
 * metadata) and only when the keyring knows the name.  The socket thread
 * stamps that name on every event as received_from and rejects audit
 * notes unless the key has the admin role. */
#include "ing_server.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include <msgpack.h>

#include "ing_keyring.h"
#include "ing_proto.h"
#include "store.h"
#include "ing_zap.h"
#include "iq_buf.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_metrics.h"
#include "iq_time.h"

#define JOBS 4          /* batches decoded ahead of the writer */

struct job {
    zmq_msg_t identity;
    uint64_t batch_id;
    struct iq_event **evs;          /* ING_BATCH_EVENTS_MAX slots */
    uint32_t nvalid;
    uint8_t *outcomes;
    struct ing_rejection *rej;      /* grown on demand */
    uint32_t nrej;
    size_t rej_cap;
    uint32_t nevents;
    msgpack_sbuffer vals;           /* encoded values of the valid events */
    const char **valp;              /* ING_BATCH_EVENTS_MAX pointers into vals */
    size_t *lens;
    int64_t received_us;            /* monotonic, when the batch was read */
};

/* The ingest's series (NULL without a registry: updates do nothing). */
struct zmq_metrics {
    struct iq_metric *batches[3];   /* acked, busy, refused */
    struct iq_metric *events[3];    /* stored, duplicate, rejected */
    struct iq_metric *bytes, *ack;
    struct iq_metric *curve[2];     /* allowed, refused */
    struct iq_metrics *reg;
    int hook;
};

struct ing_server {
    void *zctx;
    void *sock;                     /* ROUTER, socket thread only */
    void *pipe_in;                  /* PAIR, socket thread: acks from writer */
    void *pipe_out;                 /* PAIR, writer thread */
    char *endpoint;
    char pipe_name[64];
    char local_endpoint[64];        /* inproc, for senders in this process */
    size_t max_frame;
    const struct ing_keyring *keys; /* CurveZMQ clients, or NULL: plain */
    struct ing_zap *zap;
    struct ing_sink sink;
    struct ing_server_stats stats;  /* socket thread's counters */
    struct ing_server_stats wstats; /* writer's counters, under lock */
    msgpack_sbuffer reply;          /* socket thread */
    msgpack_sbuffer wreply;         /* writer thread */
    struct job jobs[JOBS];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned head, tail;            /* jobs queued: tail - head; slots used: tail - done */
    unsigned done;
    int64_t last_busy_log;          /* writer: last deferral warning (mono ms) */
    uint64_t deferred;              /* writer: deferrals since then */
    bool writer_stop;
    bool writer_started;
    pthread_t writer;
    struct zmq_metrics m;
};

static void *writer_main(void *arg);

/* CurveZMQ handshakes so far, at each scrape. */
static void zmq_collect(void *ud)
{
    struct ing_server *srv = ud;
    uint64_t allowed = 0, refused = 0;

    ing_zap_stats(srv->zap, &allowed, &refused);
    iq_metric_set(srv->m.curve[0], (double)allowed);
    iq_metric_set(srv->m.curve[1], (double)refused);
}

static const char *const batch_outcomes[3] = { "acked", "busy", "refused" };
static const char *const event_outcomes[3] = { "stored", "duplicate", "rejected" };
static const char *const handshake_results[2] = { "allowed", "refused" };

/* The ingest's families, in exposition order; with CurveZMQ, then curve_families. */
static const struct iq_metric_def families[] = {
    { IQ_METRIC_COUNTER, "inquest_zmq_batches_total",
      "ZeroMQ ingest batches: acked, deferred busy (the sender retries), refused (malformed or "
      "too large).", .label = "outcome", .values = batch_outcomes, .n = 3,
      .off = offsetof(struct zmq_metrics, batches) },
    { IQ_METRIC_COUNTER, "inquest_zmq_events_total",
      "Events of acknowledged ZeroMQ batches by outcome.", .label = "outcome",
      .values = event_outcomes, .n = 3, .off = offsetof(struct zmq_metrics, events) },
    { IQ_METRIC_COUNTER, "inquest_zmq_received_bytes_total",
      "Bytes of ZeroMQ batch frames received.", .off = offsetof(struct zmq_metrics, bytes) },
    { IQ_METRIC_HISTOGRAM, "inquest_zmq_ack_seconds",
      "Time from a batch's arrival to its acknowledgement.",
      .buckets = iq_metric_latency_buckets, .nb = IQ_METRIC_LATENCY_BUCKETS,
      .off = offsetof(struct zmq_metrics, ack) },
};
static const struct iq_metric_def curve_families[] = {
    { IQ_METRIC_COUNTER, "inquest_zmq_curve_handshakes_total", "CurveZMQ handshakes by result.",
      .label = "result", .values = handshake_results, .n = 2,
      .off = offsetof(struct zmq_metrics, curve) },
};

/* Register inquest_zmq_* into reg (NULL: none).  0, -ENOMEM or -EINVAL. */
static int metrics_register(struct ing_server *srv, struct iq_metrics *reg)
{
    struct zmq_metrics *m = &srv->m;
    int r;

    if (!reg)
        return 0;
    m->reg = reg;
    if ((r = iq_metrics_register_table(reg, families, IQ_METRICS_TABLE_N(families), m)) < 0)
        return r;
    if (!srv->zap)
        return 0;
    if ((r = iq_metrics_register_table(reg, curve_families, IQ_METRICS_TABLE_N(curve_families),
                                       m)) < 0)
        return r;
    m->hook = iq_metrics_hook_add(reg, zmq_collect, srv);
    return m->hook < 0 ? m->hook : 0;
}

static int jobs_alloc(struct ing_server *srv)
{
    for (int i = 0; i < JOBS; i++) {
        srv->jobs[i].evs = calloc(ING_BATCH_EVENTS_MAX, sizeof(*srv->jobs[i].evs));
        srv->jobs[i].outcomes = calloc(ING_BATCH_EVENTS_MAX, 1);
        srv->jobs[i].valp = calloc(ING_BATCH_EVENTS_MAX, sizeof(*srv->jobs[i].valp));
        srv->jobs[i].lens = calloc(ING_BATCH_EVENTS_MAX, sizeof(*srv->jobs[i].lens));
        msgpack_sbuffer_init(&srv->jobs[i].vals);
        if (!srv->jobs[i].evs || !srv->jobs[i].outcomes || !srv->jobs[i].valp || !srv->jobs[i].lens)
            return -ENOMEM;
        zmq_msg_init(&srv->jobs[i].identity);
    }
    return 0;
}

/* Make the ROUTER a CURVE server whose clients the ZAP handler vets. */
static int curve_server(struct ing_server *srv, const char *secret)
{
    int one = 1, r;

    if (!zmq_has("curve")) {
        iq_error("zmq", "CurveZMQ: this libzmq was built without CURVE support");
        return -ENOTSUP;
    }
    r = ing_zap_start(srv->zctx, srv->keys, &srv->zap);
    if (r < 0) {
        iq_error("zmq", "CurveZMQ: cannot start the ZAP handler: %s", strerror(-r));
        return r;
    }
    if (zmq_setsockopt(srv->sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) < 0 ||
        zmq_setsockopt(srv->sock, ZMQ_CURVE_SECRETKEY, secret, strlen(secret) + 1) < 0 ||
        zmq_setsockopt(srv->sock, ZMQ_ZAP_DOMAIN, ING_ZAP_DOMAIN, strlen(ING_ZAP_DOMAIN)) < 0) {
        iq_error("zmq", "CurveZMQ: %s", zmq_strerror(errno));
        return -errno;
    }
    return 0;
}

/* Replace srv->endpoint by the endpoint the ROUTER was just bound to
 * (ZMQ_LAST_ENDPOINT): "tcp://127.0.0.1:0" or ":*" becomes the port the
 * kernel chose, which is what the logs, the ports file and zmq_unbind
 * need.  0 or -ENOMEM. */
static int bound_endpoint(struct ing_server *srv)
{
    char buf[256];
    size_t len = sizeof(buf);
    char *copy;

    if (zmq_getsockopt(srv->sock, ZMQ_LAST_ENDPOINT, buf, &len) < 0 || len == 0 ||
        len > sizeof(buf) || buf[len - 1] != '\0')
        return 0;   /* keep the configured one */
    if (!(copy = strdup(buf)))
        return -ENOMEM;
    free(srv->endpoint);
    srv->endpoint = copy;
    return 0;
}

/* The ROUTER (CURVE server when configured, bound to the endpoint and to
 * a local inproc one) and the writer pipe. */
static int open_sockets(struct ing_server *srv, const char *endpoint, const char *secret)
{
    int64_t hard = (int64_t)srv->max_frame * ING_FRAME_HARD_FACTOR;
    int linger = 0, r;

    srv->sock = zmq_socket(srv->zctx, ZMQ_ROUTER);
    srv->pipe_in = zmq_socket(srv->zctx, ZMQ_PAIR);
    srv->pipe_out = zmq_socket(srv->zctx, ZMQ_PAIR);
    if (!srv->sock || !srv->pipe_in || !srv->pipe_out)
        return -ENOMEM;
    zmq_setsockopt(srv->sock, ZMQ_MAXMSGSIZE, &hard, sizeof(hard));
    zmq_setsockopt(srv->sock, ZMQ_LINGER, &linger, sizeof(linger));
    if (secret && (r = curve_server(srv, secret)) < 0)
        return r;
    snprintf(srv->pipe_name, sizeof(srv->pipe_name), "inproc://ing-server-%p", (void *)srv);
    snprintf(srv->local_endpoint, sizeof(srv->local_endpoint), "inproc://ing-local-%p",
             (void *)srv);
    if (zmq_bind(srv->pipe_in, srv->pipe_name) < 0 || zmq_connect(srv->pipe_out, srv->pipe_name) < 0 ||
        zmq_bind(srv->sock, srv->local_endpoint) < 0)
        return -errno;
    if (zmq_bind(srv->sock, endpoint) < 0) {
        iq_error("zmq", "cannot listen on %s: %s", endpoint, zmq_strerror(errno));
        return -errno;
    }
    return bound_endpoint(srv);
}

const char *ing_server_local_endpoint(const struct ing_server *srv)
{
    return srv->local_endpoint;
}

const char *ing_server_endpoint(const struct ing_server *srv)
{
    return srv->endpoint;
}

static void log_listening(const struct ing_server *srv)
{
    size_t n, admins;

    if (!srv->keys) {
        iq_info_kv("zmq", IQ_KVS(IQ_KV_S("endpoint", srv->endpoint),
                                 IQ_KV_U("max_frame", srv->max_frame), IQ_KV_S("curve", "off")),
                   "ingest listening on %s (max_frame %zu bytes, no CurveZMQ: every sender "
                   "is unauthenticated and audit notes are refused)", srv->endpoint,
                   srv->max_frame);
        return;
    }
    n = ing_keyring_count(srv->keys, &admins);
    iq_info_kv("zmq", IQ_KVS(IQ_KV_S("endpoint", srv->endpoint), IQ_KV_U("max_frame", srv->max_frame),
                             IQ_KV_S("curve", "on"), IQ_KV_U("keys", n), IQ_KV_U("admin_keys", admins)),
               "ingest listening on %s (max_frame %zu bytes, CurveZMQ: %zu keys, %zu admin)",
               srv->endpoint, srv->max_frame, n, admins);
    if (n == 0)
        iq_warn("zmq", "zmq_authorized_keys holds no key: every client will be refused");
}

int ing_server_new(void *zctx, const struct ing_server_opts *opts, struct ing_sink sink,
                   struct ing_server **ret)
{
    struct ing_server *srv = calloc(1, sizeof(*srv));
    int r;

    if (!srv)
        return -ENOMEM;
    srv->zctx = zctx;
    srv->sink = sink;
    srv->max_frame = opts->max_frame ? opts->max_frame : ING_FRAME_MAX_DEFAULT;
    srv->keys = opts->curve_secret ? opts->keys : NULL;
    pthread_mutex_init(&srv->lock, NULL);
    pthread_cond_init(&srv->cond, NULL);
    msgpack_sbuffer_init(&srv->reply);
    msgpack_sbuffer_init(&srv->wreply);
    srv->endpoint = strdup(opts->endpoint);
    r = srv->endpoint ? jobs_alloc(srv) : -ENOMEM;
    if (r == 0 && opts->curve_secret && !opts->keys)
        r = -EINVAL;
    if (r == 0)
        r = open_sockets(srv, opts->endpoint, opts->curve_secret);
    if (r == 0)
        r = metrics_register(srv, opts->metrics);
    if (r == 0 && pthread_create(&srv->writer, NULL, writer_main, srv) != 0)
        r = -EAGAIN;
    if (r < 0)
        goto fail;
    srv->writer_started = true;
    log_listening(srv);
    *ret = srv;
    return 0;
fail:
    ing_server_destroy(&srv);
    return r;
}

static void writer_join(struct ing_server *srv)
{
    if (!srv->writer_started)
        return;
    pthread_mutex_lock(&srv->lock);
    srv->writer_stop = true;
    pthread_cond_broadcast(&srv->cond);
    pthread_mutex_unlock(&srv->lock);
    pthread_join(srv->writer, NULL);
    srv->writer_started = false;
}

void ing_server_destroy(struct ing_server **psrv)
{
    struct ing_server *srv;

    if (!psrv || !*psrv)
        return;
    srv = *psrv;
    iq_metrics_hook_remove(srv->m.reg, srv->m.hook);
    writer_join(srv);
    for (int i = 0; i < JOBS; i++) {
        free(srv->jobs[i].evs);
        free(srv->jobs[i].outcomes);
        free(srv->jobs[i].rej);
        free(srv->jobs[i].valp);
        free(srv->jobs[i].lens);
        msgpack_sbuffer_destroy(&srv->jobs[i].vals);
        for (uint32_t k = 0; srv->jobs[i].evs && k < srv->jobs[i].nvalid; k++)
            iq_event_destroy(&srv->jobs[i].evs[k]);
        zmq_msg_close(&srv->jobs[i].identity);
    }
    if (srv->sock)
        zmq_close(srv->sock);
    if (srv->pipe_in)
        zmq_close(srv->pipe_in);
    if (srv->pipe_out)
        zmq_close(srv->pipe_out);
    ing_zap_stop(&srv->zap);
    msgpack_sbuffer_destroy(&srv->reply);
    msgpack_sbuffer_destroy(&srv->wreply);
    pthread_cond_destroy(&srv->cond);
    pthread_mutex_destroy(&srv->lock);
    free(srv->endpoint);
    free(srv);
    *psrv = NULL;
}

void ing_server_stats(const struct ing_server *srv, struct ing_server_stats *ret)
{
    pthread_mutex_lock((pthread_mutex_t *)&srv->lock);
    *ret = srv->wstats;
    pthread_mutex_unlock((pthread_mutex_t *)&srv->lock);
    ret->refused_frames = srv->stats.refused_frames;
    ret->refused_notes = srv->stats.refused_notes;
    if (srv->zap)
        ing_zap_stats(srv->zap, &ret->curve_allowed, &ret->curve_refused);
}

/* ---- writer thread ---------------------------------------------------- */

/* One warning per BUSY_LOG_MS at most while batches are deferred (a full
 * disk defers every batch of every sender until space returns). */
#define BUSY_LOG_MS 10000

static void log_deferral(struct ing_server *srv, uint64_t id, const char *reason)
{
    int64_t now = iq_time_mono_ms();

    srv->deferred++;
    if (srv->last_busy_log && now - srv->last_busy_log < BUSY_LOG_MS) {
        iq_debug("zmq", "deferring batch %llu: %s", (unsigned long long)id, reason);
        return;
    }
    iq_warn_kv("zmq", IQ_KVS(IQ_KV_U("batch", id), IQ_KV_U("deferred", srv->deferred),
                             IQ_KV_S("reason", reason)),
               "deferring batch %llu (%llu deferred since the last warning): %s",
               (unsigned long long)id, (unsigned long long)srv->deferred, reason);
    srv->deferred = 0;
    srv->last_busy_log = now;
}

/* Store one job's events and send [identity, reply] to the socket thread. */
static void write_job(struct ing_server *srv, struct job *j)
{
    struct store_status ss;
    uint32_t dups = 0;
    int stored;

    if (j->nvalid == 0)
        stored = 0;
    else if (srv->sink.ops->submit_encoded)
        stored = srv->sink.ops->submit_encoded(srv->sink.ctx, j->evs, j->valp, j->lens, j->nvalid,
                                               j->outcomes);
    else
        stored = ing_sink_submit(&srv->sink, j->evs, j->nvalid, j->outcomes);
    for (uint32_t i = 0; i < j->nvalid; i++)
        dups += stored >= 0 && j->outcomes[i] == STORE_DUPLICATE;
    srv->wreply.size = 0;
    if (stored < 0) {
        ing_sink_status(&srv->sink, &ss);
        if (!ss.busy)
            snprintf(ss.reason, sizeof(ss.reason), "store unavailable (%s); retry later",
                     strerror(-stored));
        log_deferral(srv, j->batch_id, ss.reason);
        ing_proto_pack_error(&srv->wreply, ING_MSG_BUSY, j->batch_id, ss.reason);
    } else {
        ing_proto_pack_ack(&srv->wreply, j->batch_id, (uint32_t)stored, dups, j->rej, j->nrej);
    }
    iq_metric_inc(srv->m.batches[stored < 0 ? 1 : 0]);
    if (stored >= 0) {
        iq_metric_add(srv->m.events[STORE_STORED], (uint64_t)stored);
        iq_metric_add(srv->m.events[STORE_DUPLICATE], dups);
        iq_metric_add(srv->m.events[STORE_REJECTED], j->nrej);
    }
    pthread_mutex_lock(&srv->lock);
    if (stored < 0) {
        srv->wstats.busy++;
    } else {
        srv->wstats.batches++;
        srv->wstats.stored += (uint64_t)stored;
        srv->wstats.duplicates += dups;
        srv->wstats.rejected += j->nrej;
    }
    pthread_mutex_unlock(&srv->lock);
    zmq_msg_send(&j->identity, srv->pipe_out, ZMQ_SNDMORE);
    zmq_send(srv->pipe_out, srv->wreply.data, srv->wreply.size, 0);
}

static void *writer_main(void *arg)
{
    struct ing_server *srv = arg;
    struct job *j;

    for (;;) {
        pthread_mutex_lock(&srv->lock);
        while (srv->head == srv->tail && !srv->writer_stop)
            pthread_cond_wait(&srv->cond, &srv->lock);
        if (srv->head == srv->tail) {
            pthread_mutex_unlock(&srv->lock);
            return NULL;
        }
        j = &srv->jobs[srv->head % JOBS];
        pthread_mutex_unlock(&srv->lock);
        write_job(srv, j);
        pthread_mutex_lock(&srv->lock);
        srv->head++;
        pthread_mutex_unlock(&srv->lock);
    }
}

/* ---- socket thread ---------------------------------------------------- */

static void refuse(struct ing_server *srv, zmq_msg_t *identity, uint64_t id, const char *reason)
{
    srv->stats.refused_frames++;
    iq_metric_inc(srv->m.batches[2]);
    iq_warn_kv("zmq", IQ_KVS(IQ_KV_U("batch", id), IQ_KV_S("reason", reason)),
               "refusing batch %llu: %s", (unsigned long long)id, reason);
    srv->reply.size = 0;
    ing_proto_pack_error(&srv->reply, ING_MSG_ERROR, id, reason);
    if (zmq_msg_send(identity, srv->sock, ZMQ_SNDMORE) < 0 ||
        zmq_send(srv->sock, srv->reply.data, srv->reply.size, 0) < 0)
        iq_debug("zmq", "reply not sent (peer gone?): %s", zmq_strerror(errno));
}

static struct ing_rejection *next_rejection(struct job *j)
{
    struct ing_rejection *r = iq_array_grow(j->rej, j->nrej, &j->rej_cap, sizeof(*r), 16);

    if (!r)
        return NULL;
    j->rej = r;
    return &j->rej[j->nrej];
}

/* Encode the stored value of each valid event, so the writer only writes. */
static void encode_values(struct job *j)
{
    iq_events_pack(j->evs, j->nvalid, &j->vals, j->valp, j->lens);
}

/* Admit a decoded event from sender (NULL: unauthenticated): stamp its
 * key name as received_from, refuse an audit note unless the key is an
 * admin's.  0, or -EPERM / -ENOMEM with reason written. */
static int admit(struct ing_server *srv, struct iq_event *ev, const struct ing_key *sender,
                 char *reason)
{
    if (iq_event_is_audit_note(ev) && (!sender || sender->role != ING_KEY_ADMIN)) {
        srv->stats.refused_notes++;
        if (sender)
            snprintf(reason, IQ_ERR_MAX, "audit note refused: key \"%s\" has the sender role; "
                     "notes need an admin key (zmq_authorized_keys/admin/)", sender->name);
        else
            snprintf(reason, IQ_ERR_MAX, "audit note refused: unauthenticated sender; notes "
                     "need an admin CurveZMQ key (docs/security.md)");
        return -EPERM;
    }
    if (sender && iq_event_set_str(ev, IQ_F_RECEIVED_FROM, sender->name) < 0) {
        snprintf(reason, IQ_ERR_MAX, "out of memory");
        return -ENOMEM;
    }
    return 0;
}

/* Decode and validate a batch from sender into the job at the queue's
 * tail, then queue it. */
static void queue_batch(struct ing_server *srv, zmq_msg_t *identity, const struct ing_msg *m,
                        const struct ing_key *sender)
{
    struct job *j = &srv->jobs[srv->tail % JOBS];
    char scratch[IQ_ERR_MAX];

    j->batch_id = m->batch_id;
    j->received_us = iq_time_mono_us();
    j->nvalid = 0;
    j->nrej = 0;
    j->nevents = m->n_events;
    for (uint32_t i = 0; i < m->n_events; i++) {
        struct ing_rejection *rj = next_rejection(j);
        char *reason = rj ? rj->reason : scratch;
        struct iq_event *ev = NULL;

        if (iq_event_unpack(&m->events[i], &ev, reason, IQ_ERR_MAX) == 0 &&
            admit(srv, ev, sender, reason) == 0) {
            j->evs[j->nvalid++] = ev;
            continue;
        }
        iq_event_destroy(&ev);
        if (rj)
            j->rej[j->nrej++].index = i;
    }
    encode_values(j);
    zmq_msg_move(&j->identity, identity);
    pthread_mutex_lock(&srv->lock);
    srv->tail++;
    pthread_cond_signal(&srv->cond);
    pthread_mutex_unlock(&srv->lock);
}

static void handle_frame(struct ing_server *srv, zmq_msg_t *identity, zmq_msg_t *body,
                         const struct ing_key *sender)
{
    char err[IQ_ERR_MAX];
    struct ing_msg m;
    msgpack_unpacked u;
    size_t len = zmq_msg_size(body);

    iq_metric_add(srv->m.bytes, len);
    if (len > srv->max_frame) {
        snprintf(err, sizeof(err), "frame of %zu bytes, over the limit of %zu (max_frame)", len,
                 srv->max_frame);
        refuse(srv, identity, 0, err);
        return;
    }
    msgpack_unpacked_init(&u);
    if (ing_msg_parse(zmq_msg_data(body), len, &u, &m, err, sizeof(err)) < 0)
        refuse(srv, identity, m.batch_id, err);
    else if (m.type != ING_MSG_BATCH)
        refuse(srv, identity, m.batch_id, "expected a batch");
    else
        queue_batch(srv, identity, &m, sender);
    ing_msg_clear(&m);
    msgpack_unpacked_destroy(&u);
}

/* The CurveZMQ key a message came with: the user id the ZAP handler gave
 * its connection, looked up in the keyring.  NULL without CURVE (a peer's
 * own "User-Id" handshake property would show then) and for inproc. */
static const struct ing_key *sender_of(const struct ing_server *srv, zmq_msg_t *body)
{
    const char *uid;

    if (!srv->keys)
        return NULL;
    uid = zmq_msg_gets(body, "User-Id");
    return uid && *uid ? ing_keyring_by_name(srv->keys, uid) : NULL;
}

/* Read one message from the ROUTER (identity + exactly one frame). */
static void read_peer(struct ing_server *srv)
{
    zmq_msg_t identity, body;
    int more = 0, extra = 0;
    size_t ml = sizeof(more);

    zmq_msg_init(&identity);
    zmq_msg_init(&body);
    if (zmq_msg_recv(&identity, srv->sock, ZMQ_DONTWAIT) < 0 ||
        zmq_msg_recv(&body, srv->sock, ZMQ_DONTWAIT) < 0)
        goto out;
    zmq_getsockopt(srv->sock, ZMQ_RCVMORE, &more, &ml);
    while (more) {
        zmq_msg_t junk;

        zmq_msg_init(&junk);
        zmq_msg_recv(&junk, srv->sock, 0);
        zmq_msg_close(&junk);
        extra++;
        zmq_getsockopt(srv->sock, ZMQ_RCVMORE, &more, &ml);
    }
    if (extra)
        refuse(srv, &identity, 0, "expected exactly one frame per message");
    else
        handle_frame(srv, &identity, &body, sender_of(srv, &body));
out:
    zmq_msg_close(&identity);
    zmq_msg_close(&body);
}

/* Forward one [identity, reply] from the writer to the peer, then free the
 * job's events here, off the writer's thread, and release the slot. */
static void forward_ack(struct ing_server *srv)
{
    struct job *j;
    zmq_msg_t part;
    int more = 1;
    size_t ml = sizeof(more);

    while (more) {
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, srv->pipe_in, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&part);
            return;
        }
        zmq_getsockopt(srv->pipe_in, ZMQ_RCVMORE, &more, &ml);
        if (zmq_msg_send(&part, srv->sock, more ? ZMQ_SNDMORE : 0) < 0) {
            iq_debug("zmq", "ack not sent (peer gone?): %s", zmq_strerror(errno));
            zmq_msg_close(&part);
        }
    }
    j = &srv->jobs[srv->done % JOBS];
    iq_metric_observe(srv->m.ack, (double)(iq_time_mono_us() - j->received_us) / 1e6);
    for (uint32_t i = 0; i < j->nvalid; i++)
        iq_event_destroy(&j->evs[i]);
    j->nvalid = 0;
    srv->done++;
}

/* Wait up to timeout_ms; read the ROUTER only while a job slot is free.
 * Returns 1 if anything was handled, 0 on timeout, negative errno. */
static int poll_once(struct ing_server *srv, long timeout_ms, bool accept)
{
    zmq_pollitem_t items[2] = {
        { srv->pipe_in, 0, ZMQ_POLLIN, 0 },
        { srv->sock, 0, ZMQ_POLLIN, 0 },
    };
    bool room = srv->tail - srv->done < JOBS;
    int n = zmq_poll(items, accept && room ? 2 : 1, timeout_ms);

    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    if (items[0].revents & ZMQ_POLLIN)
        forward_ack(srv);
    if (accept && room && (items[1].revents & ZMQ_POLLIN))
        read_peer(srv);
    return n > 0;
}

int ing_server_run(struct ing_server *srv, volatile sig_atomic_t *stop)
{
    int r;

    while (!*stop) {
        r = poll_once(srv, 100, true);
        if (r < 0) {
            iq_error("zmq", "poll: %s", zmq_strerror(-r));
            return r;
        }
    }
    iq_info("zmq", "stopping: no new connections on %s, answering queued batches",
            srv->endpoint);
    zmq_unbind(srv->sock, srv->endpoint);
    while ((r = poll_once(srv, 100, true)) > 0 || srv->done != srv->tail)
        if (r < 0)
            return r;
    return 0;
}

/* ing_server.c - the ZeroMQ ingest endpoint: batches in, acknowledgements out.
 *
 * One ROUTER socket served by one thread.  For each frame: check its size
 * against max_frame (libzmq itself drops peers whose frames exceed
 * ING_FRAME_HARD_FACTOR times that, so memory stays bounded), parse the
 * envelope, decode and validate each event on its own, submit the valid
 * ones to the sink in one call (one RocksDB WriteBatch) and only then send
 * the ack.  A sink failure answers "busy" and the sender retries: nothing
 * is acknowledged that is not durable.
 *
 * Shutdown: when *stop is set the endpoint is unbound, frames already
 * queued are still answered (drained until the socket is quiet for 100 ms),
 * then the loop returns. */
#include "ing_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include <msgpack.h>

#include "ing_proto.h"
#include "ing_store.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_log.h"

struct ing_server {
    void *sock;
    char *endpoint;
    size_t max_frame;
    struct ing_sink sink;
    struct ing_server_stats stats;
    msgpack_sbuffer reply;
    struct iq_event **evs;          /* ING_BATCH_EVENTS_MAX slots */
    uint32_t *ev_index;             /* batch position of evs[i] */
    uint8_t *outcomes;
    struct ing_rejection *rej;
};

int ing_server_new(void *zctx, const struct ing_server_opts *opts, struct ing_sink sink,
                   struct ing_server **ret)
{
    struct ing_server *srv = calloc(1, sizeof(*srv));
    int64_t hard;
    int linger = 0, r;

    if (!srv)
        return -ENOMEM;
    srv->sink = sink;
    srv->max_frame = opts->max_frame ? opts->max_frame : ING_FRAME_MAX_DEFAULT;
    msgpack_sbuffer_init(&srv->reply);
    srv->endpoint = strdup(opts->endpoint);
    srv->evs = calloc(ING_BATCH_EVENTS_MAX, sizeof(*srv->evs));
    srv->ev_index = calloc(ING_BATCH_EVENTS_MAX, sizeof(*srv->ev_index));
    srv->outcomes = calloc(ING_BATCH_EVENTS_MAX, 1);
    srv->rej = calloc(ING_BATCH_EVENTS_MAX, sizeof(*srv->rej));
    srv->sock = zmq_socket(zctx, ZMQ_ROUTER);
    if (!srv->endpoint || !srv->evs || !srv->ev_index || !srv->outcomes || !srv->rej || !srv->sock) {
        r = -ENOMEM;
        goto fail;
    }
    hard = (int64_t)srv->max_frame * ING_FRAME_HARD_FACTOR;
    zmq_setsockopt(srv->sock, ZMQ_MAXMSGSIZE, &hard, sizeof(hard));
    zmq_setsockopt(srv->sock, ZMQ_LINGER, &linger, sizeof(linger));
    if (zmq_bind(srv->sock, opts->endpoint) < 0) {
        r = -errno;
        iq_error("zmq", "cannot listen on %s: %s", opts->endpoint, zmq_strerror(errno));
        goto fail;
    }
    iq_info("zmq", "ingest listening on %s (max_frame %zu bytes)", opts->endpoint, srv->max_frame);
    *ret = srv;
    return 0;
fail:
    ing_server_destroy(&srv);
    return r;
}

void ing_server_destroy(struct ing_server **psrv)
{
    struct ing_server *srv;

    if (!psrv || !*psrv)
        return;
    srv = *psrv;
    if (srv->sock)
        zmq_close(srv->sock);
    msgpack_sbuffer_destroy(&srv->reply);
    free(srv->endpoint);
    free(srv->evs);
    free(srv->ev_index);
    free(srv->outcomes);
    free(srv->rej);
    free(srv);
    *psrv = NULL;
}

void ing_server_stats(const struct ing_server *srv, struct ing_server_stats *ret)
{
    *ret = srv->stats;
}

static void send_reply(struct ing_server *srv, zmq_msg_t *identity)
{
    if (zmq_msg_send(identity, srv->sock, ZMQ_SNDMORE) < 0 ||
        zmq_send(srv->sock, srv->reply.data, srv->reply.size, 0) < 0)
        iq_debug("zmq", "reply not sent (peer gone?): %s", zmq_strerror(errno));
}

static void refuse(struct ing_server *srv, zmq_msg_t *identity, enum ing_msg_type type,
                   uint64_t id, const char *reason)
{
    if (type == ING_MSG_ERROR)
        srv->stats.refused_frames++;
    else
        srv->stats.busy++;
    iq_warn("zmq", "%s batch %llu: %s", type == ING_MSG_BUSY ? "deferring" : "refusing",
            (unsigned long long)id, reason);
    srv->reply.size = 0;
    ing_proto_pack_error(&srv->reply, type, id, reason);
    send_reply(srv, identity);
}

/* Decode, validate, store and acknowledge one batch. */
static void handle_batch(struct ing_server *srv, zmq_msg_t *identity, const struct ing_msg *m)
{
    uint32_t nvalid = 0, nrej = 0, dups = 0;
    int stored;

    for (uint32_t i = 0; i < m->n_events; i++) {
        int r = iq_event_unpack(&m->events[i], &srv->evs[nvalid], srv->rej[nrej].reason,
                                sizeof(srv->rej[nrej].reason));

        if (r < 0) {
            srv->rej[nrej++].index = i;
            continue;
        }
        srv->ev_index[nvalid++] = i;
    }
    stored = nvalid ? ing_sink_submit(&srv->sink, srv->evs, nvalid, srv->outcomes) : 0;
    for (uint32_t i = 0; i < nvalid; i++)
        iq_event_destroy(&srv->evs[i]);
    if (stored < 0) {
        refuse(srv, identity, ING_MSG_BUSY, m->batch_id, "store unavailable; retry later");
        return;
    }
    for (uint32_t i = 0; i < nvalid; i++)
        dups += srv->outcomes[i] == ING_DUPLICATE;
    srv->stats.batches++;
    srv->stats.stored += (uint64_t)stored;
    srv->stats.duplicates += dups;
    srv->stats.rejected += nrej;
    srv->reply.size = 0;
    ing_proto_pack_ack(&srv->reply, m->batch_id, (uint32_t)stored, dups, srv->rej, nrej);
    send_reply(srv, identity);
}

static void handle_frame(struct ing_server *srv, zmq_msg_t *identity, zmq_msg_t *body)
{
    char err[IQ_ERR_MAX];
    struct ing_msg m;
    msgpack_unpacked u;
    size_t len = zmq_msg_size(body);

    if (len > srv->max_frame) {
        snprintf(err, sizeof(err), "frame of %zu bytes, over the limit of %zu (max_frame)", len,
                 srv->max_frame);
        refuse(srv, identity, ING_MSG_ERROR, 0, err);
        return;
    }
    msgpack_unpacked_init(&u);
    if (ing_msg_parse(zmq_msg_data(body), len, &u, &m, err, sizeof(err)) < 0)
        refuse(srv, identity, ING_MSG_ERROR, m.batch_id, err);
    else if (m.type != ING_MSG_BATCH)
        refuse(srv, identity, ING_MSG_ERROR, m.batch_id, "expected a batch");
    else
        handle_batch(srv, identity, &m);
    ing_msg_clear(&m);
    msgpack_unpacked_destroy(&u);
}

int ing_server_poll(struct ing_server *srv, long timeout_ms)
{
    zmq_pollitem_t item = { srv->sock, 0, ZMQ_POLLIN, 0 };
    zmq_msg_t identity, body;
    int more = 0, extra = 0;
    size_t ml = sizeof(more);

    if (zmq_poll(&item, 1, timeout_ms) < 0)
        return errno == EINTR ? 0 : -errno;
    if (!(item.revents & ZMQ_POLLIN))
        return 0;
    zmq_msg_init(&identity);
    zmq_msg_init(&body);
    if (zmq_msg_recv(&identity, srv->sock, ZMQ_DONTWAIT) < 0)
        goto out;
    if (zmq_msg_recv(&body, srv->sock, ZMQ_DONTWAIT) < 0)
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
        refuse(srv, &identity, ING_MSG_ERROR, 0, "expected exactly one frame per message");
    else
        handle_frame(srv, &identity, &body);
out:
    zmq_msg_close(&identity);
    zmq_msg_close(&body);
    return 1;
}

int ing_server_run(struct ing_server *srv, volatile sig_atomic_t *stop)
{
    int r;

    while (!*stop) {
        r = ing_server_poll(srv, 100);
        if (r < 0 && r != -EINTR) {
            iq_error("zmq", "poll: %s", zmq_strerror(-r));
            return r;
        }
    }
    iq_info("zmq", "stopping: no new connections on %s, answering queued batches",
            srv->endpoint);
    zmq_unbind(srv->sock, srv->endpoint);
    while ((r = ing_server_poll(srv, 100)) > 0)
        ;
    return 0;
}

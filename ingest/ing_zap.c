/* ing_zap.c - ZAP handler thread for the CurveZMQ ingest (ing_zap.h).
 *
 * Actor discipline (CZMQ zactor, in plain libzmq): ing_zap_start binds a
 * PAIR pipe, starts the thread and waits for one status message; the
 * thread creates its REP socket, binds inproc://zeromq.zap.01 and reports
 * 0 or the bind's errno before serving, so a failed start is reported to
 * the caller rather than leaving CURVE handshakes unanswered.  A "$TERM"
 * on the pipe ends the loop.
 *
 * A request is the RFC 27 frames: version "1.0", request id, domain,
 * address, routing id, mechanism, then the mechanism's credentials (for
 * CURVE one 32-byte public key).  Anything malformed gets "500"; a domain
 * other than "inquest", a mechanism other than CURVE, or a key not in the
 * keyring gets "400".
 * The reply echoes the request id and, on "200", carries the key name
 * as user id and no metadata.  Refusals are logged with the client's
 * address and public key (so an operator can add it), at most one line a
 * second; the rest are counted. */
#include "ing_zap.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "iq_log.h"
#include "iq_time.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define REQ_FRAMES 8           /* kept; further frames are read and dropped */

struct ing_zap {
    void *zctx;
    const struct ing_keyring *kr;
    void *pipe;                 /* parent's end */
    char pipe_name[64];
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    uint64_t allowed, refused;
    /* thread only */
    int64_t last_log;
    uint64_t unlogged;
};

/* One request's frames. */
struct zap_req {
    zmq_msg_t f[REQ_FRAMES];
    int n;
};

static bool frame_is(zmq_msg_t *m, const char *s)
{
    size_t n = strlen(s);

    return zmq_msg_size(m) == n && memcmp(zmq_msg_data(m), s, n) == 0;
}

static void send_reply(void *rep, zmq_msg_t *reqid, const char *code, const char *text,
                       const char *user)
{
    zmq_msg_t id;

    zmq_send(rep, "1.0", 3, ZMQ_SNDMORE);
    zmq_msg_init(&id);
    if (reqid)
        zmq_msg_copy(&id, reqid);
    zmq_msg_send(&id, rep, ZMQ_SNDMORE);
    zmq_msg_close(&id);
    zmq_send(rep, code, strlen(code), ZMQ_SNDMORE);
    zmq_send(rep, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(rep, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(rep, "", 0, 0);
}

/* Log a refusal, at most one line a second. */
static void log_refusal(struct ing_zap *z, zmq_msg_t *addr, const char *why, const uint8_t *key)
{
    char z85[41] = "-", peer[64];
    int64_t now = iq_time_mono_ms();
    size_t n = zmq_msg_size(addr) < sizeof(peer) - 1 ? zmq_msg_size(addr) : sizeof(peer) - 1;

    if (now - z->last_log < 1000) {
        z->unlogged++;
        return;
    }
    memcpy(peer, zmq_msg_data(addr), n);
    peer[n] = '\0';
    if (key)
        zmq_z85_encode(z85, key, 32);
    iq_warn("zmq", "refusing CurveZMQ client at \"%s\": %s (public key %s)%s", peer, why, z85,
            z->unlogged ? "; more refusals not logged" : "");
    z->last_log = now;
    z->unlogged = 0;
}

/* Decide one request (at least 6 frames, version checked) and reply. */
static void decide(struct ing_zap *z, void *rep, struct zap_req *q)
{
    const struct ing_key *k = NULL;
    const uint8_t *key = NULL;
    bool ok;

    if (frame_is(&q->f[2], ING_ZAP_DOMAIN) && frame_is(&q->f[5], "CURVE") && q->n >= 7 &&
        zmq_msg_size(&q->f[6]) == 32) {
        key = zmq_msg_data(&q->f[6]);
        k = ing_keyring_find(z->kr, key);
    }
    ok = k != NULL;
    pthread_mutex_lock(&z->lock);
    if (ok)
        z->allowed++;
    else
        z->refused++;
    pthread_mutex_unlock(&z->lock);
    if (ok) {
        iq_debug("zmq", "CurveZMQ client \"%s\" (%s) admitted", k->name, ing_key_role_name(k->role));
        send_reply(rep, &q->f[1], "200", "OK", k->name);
        return;
    }
    log_refusal(z, &q->f[3], key ? "key not in zmq_authorized_keys" : "not a CURVE handshake",
                key);
    send_reply(rep, &q->f[1], "400", key ? "unknown key" : "CURVE required", "");
}

/* Read one request from rep and answer it. */
static void serve_one(struct ing_zap *z, void *rep)
{
    struct zap_req q = { .n = 0 };
    int more = 1;
    size_t ml = sizeof(more);

    while (more) {
        zmq_msg_t junk, *m = q.n < REQ_FRAMES ? &q.f[q.n] : &junk;

        zmq_msg_init(m);
        if (zmq_msg_recv(m, rep, 0) < 0) {
            zmq_msg_close(m);
            break;
        }
        zmq_getsockopt(rep, ZMQ_RCVMORE, &more, &ml);
        if (m == &junk)
            zmq_msg_close(&junk);
        else
            q.n++;
    }
    if (q.n >= 6 && frame_is(&q.f[0], "1.0"))
        decide(z, rep, &q);
    else
        send_reply(rep, q.n >= 2 ? &q.f[1] : NULL, "500", "malformed ZAP request", "");
    for (int i = 0; i < q.n; i++)
        zmq_msg_close(&q.f[i]);
}

static void *zap_main(void *arg)
{
    struct ing_zap *z = arg;
    void *pipe = zmq_socket(z->zctx, ZMQ_PAIR), *rep = zmq_socket(z->zctx, ZMQ_REP);
    int linger = 0, status = 0;

    if (!pipe || zmq_connect(pipe, z->pipe_name) < 0)
        goto out;                              /* the parent sees no status: start fails */
    if (!rep || zmq_setsockopt(rep, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
        zmq_bind(rep, ZAP_ENDPOINT) < 0)
        status = errno ? errno : ENOMEM;
    zmq_send(pipe, &status, sizeof(status), 0);
    while (status == 0) {
        zmq_pollitem_t it[2] = { { pipe, 0, ZMQ_POLLIN, 0 }, { rep, 0, ZMQ_POLLIN, 0 } };

        if (zmq_poll(it, 2, -1) < 0 && errno != EINTR)
            break;
        if (it[0].revents & ZMQ_POLLIN)
            break;                             /* $TERM */
        if (it[1].revents & ZMQ_POLLIN)
            serve_one(z, rep);
    }
out:
    if (rep)
        zmq_close(rep);
    if (pipe)
        zmq_close(pipe);
    return NULL;
}

int ing_zap_start(void *zctx, const struct ing_keyring *kr, struct ing_zap **ret)
{
    struct ing_zap *z = calloc(1, sizeof(*z));
    int status = ENOMEM, linger = 0, timeout = 10000;

    if (!z)
        return -ENOMEM;
    z->zctx = zctx;
    z->kr = kr;
    z->last_log = -1000000;
    pthread_mutex_init(&z->lock, NULL);
    snprintf(z->pipe_name, sizeof(z->pipe_name), "inproc://ing-zap-%p", (void *)z);
    z->pipe = zmq_socket(zctx, ZMQ_PAIR);
    if (!z->pipe || zmq_setsockopt(z->pipe, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
        zmq_setsockopt(z->pipe, ZMQ_RCVTIMEO, &timeout, sizeof(timeout)) < 0 ||
        zmq_bind(z->pipe, z->pipe_name) < 0)
        goto fail;
    if (pthread_create(&z->thread, NULL, zap_main, z) != 0)
        goto fail;
    z->started = true;
    if (zmq_recv(z->pipe, &status, sizeof(status), 0) != sizeof(status))
        status = EIO;
    if (status != 0)
        goto fail;
    *ret = z;
    return 0;
fail:
    ing_zap_stop(&z);
    return -status;
}

void ing_zap_stats(struct ing_zap *z, uint64_t *ret_allowed, uint64_t *ret_refused)
{
    pthread_mutex_lock(&z->lock);
    *ret_allowed = z->allowed;
    *ret_refused = z->refused;
    pthread_mutex_unlock(&z->lock);
}

void ing_zap_stop(struct ing_zap **pz)
{
    struct ing_zap *z;

    if (!pz || !*pz)
        return;
    z = *pz;
    if (z->started) {
        zmq_send(z->pipe, "$TERM", 5, ZMQ_DONTWAIT);
        pthread_join(z->thread, NULL);
    }
    if (z->pipe)
        zmq_close(z->pipe);
    pthread_mutex_destroy(&z->lock);
    free(z);
    *pz = NULL;
}

/* ing_sender.c - batching, windowed, retrying sender of events.
 *
 * State: one open batch (an sbuffer of packed events plus their tags) and
 * a fixed window of sealed batches awaiting answers.  A sealed batch keeps
 * its whole frame so a re-send is one zmq_send of the same bytes with the
 * same batch id; whichever answer arrives first settles it and later
 * answers for that id are ignored.
 *
 * The socket has ZMQ_IMMEDIATE set, so while ingest is unreachable a send
 * fails with EAGAIN instead of queueing into a dead connection; the batch
 * then simply waits for its next re-send time.  Backoff doubles from
 * retry_ms to retry_max_ms per batch.
 *
 * A ZMTP handshake that fails never shows on the socket itself: libzmq
 * just reconnects.  So a monitor socket (zmq_socket_monitor) reports
 * handshake events, polled with the socket.  A refusal by the ingest's
 * ZAP handler (status 400: unknown CurveZMQ key) or a mechanism mismatch
 * (one side CURVE, the other not) cannot heal by retrying: poll then
 * fails with -EACCES at once, instead of waiting out give_up_ms.  Other
 * failures (a wrong server key shows as a connection the server drops)
 * are counted and named when the sender gives up.
 *
 * A "busy" answer (ingest cannot make events durable now: a full disk)
 * leaves the batch to its next re-send and is no progress: the give-up
 * deadline runs on from the last ack or refusal, so a sender facing a
 * daemon that stays busy fails after give_up_ms and can say why
 * (ing_sender_busy_reason).  The first busy answer of a spell is logged
 * as a warning, the return to normal as info. */
#include "ing_sender.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include <msgpack.h>

#include "ing_curve.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

#define SEND_RETRY_MS 20   /* next try of a batch that could not leave the socket */

struct slot {
    bool used;
    uint64_t id;
    char *frame;
    size_t len;
    uint64_t *tags;
    uint32_t n;
    int64_t due;        /* monotonic ms of the next (re)send */
    int64_t backoff;
    bool sent;          /* the last attempt left the socket */
};

struct ing_sender {
    void *sock;
    void *mon;                 /* PAIR: handshake events of sock */
    struct ing_sender_opts o;
    ing_sender_ack_fn cb;
    void *ud;
    uint64_t next_id;
    msgpack_sbuffer body;      /* open batch */
    msgpack_packer pk;
    uint64_t *tags;
    uint32_t n;
    struct slot *win;
    uint32_t inflight;
    int64_t last_answer;       /* last ack or refusal: busy answers do not count */
    bool busy;                 /* the last answer was busy */
    char busy_reason[IQ_ERR_MAX];
    struct ing_sender_stats stats;
    bool curve;                /* this side speaks CurveZMQ */
    bool refused;              /* the ingest refused us for good */
    uint32_t hs_failed;        /* handshakes failed since the last success */
    char hs_error[IQ_ERR_MAX];
};

static void defaults(struct ing_sender_opts *o)
{
    if (!o->batch_events || o->batch_events > ING_BATCH_EVENTS_MAX)
        o->batch_events = 1000;
    if (!o->batch_bytes)
        o->batch_bytes = 1u << 20;
    if (!o->window)
        o->window = 8;
    if (!o->retry_ms)
        o->retry_ms = 3000;
    if (!o->retry_max_ms)
        o->retry_max_ms = 30000;
    if (!o->max_frame)
        o->max_frame = ING_FRAME_MAX_DEFAULT;
    if (o->batch_bytes + IQ_EVENT_WIRE_MAX > o->max_frame)
        o->batch_bytes = o->max_frame > 2 * IQ_EVENT_WIRE_MAX ? o->max_frame - IQ_EVENT_WIRE_MAX
                                                              : o->max_frame / 2;
}

/* Watch sock's handshakes through a PAIR socket connected to its monitor. */
static int monitor_open(struct ing_sender *s, void *zctx)
{
    static const int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                              ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                              ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
    static atomic_ulong seq;
    char name[64];
    int linger = 0;

    /* a fresh name each time: a closed monitor may still hold the last one */
    snprintf(name, sizeof(name), "inproc://ing-sender-mon-%lu-%p", atomic_fetch_add(&seq, 1),
             (void *)s);
    if (zmq_socket_monitor(s->sock, name, events) < 0)
        return -errno;
    s->mon = zmq_socket(zctx, ZMQ_PAIR);
    if (!s->mon)
        return -ENOMEM;
    zmq_setsockopt(s->mon, ZMQ_LINGER, &linger, sizeof(linger));
    return zmq_connect(s->mon, name) < 0 ? -errno : 0;
}

int ing_sender_new(void *zctx, const struct ing_sender_opts *opts, ing_sender_ack_fn cb,
                   void *ud, struct ing_sender **ret)
{
    struct ing_sender *s = calloc(1, sizeof(*s));
    int one = 1, linger = 0, ivl = 100, ivl_max = 1000, r;

    if (!s)
        return -ENOMEM;
    s->o = *opts;
    defaults(&s->o);
    s->cb = cb;
    s->ud = ud;
    s->next_id = ((uint64_t)iq_time_now_ms() << 16) | ((uint64_t)rand() & 0xffff);
    msgpack_sbuffer_init(&s->body);
    msgpack_packer_init(&s->pk, &s->body, msgpack_sbuffer_write);
    s->tags = calloc(s->o.batch_events, sizeof(*s->tags));
    s->win = calloc(s->o.window, sizeof(*s->win));
    s->sock = zmq_socket(zctx, ZMQ_DEALER);
    if (!s->tags || !s->win || !s->sock) {
        r = -ENOMEM;
        goto fail;
    }
    zmq_setsockopt(s->sock, ZMQ_IMMEDIATE, &one, sizeof(one));
    zmq_setsockopt(s->sock, ZMQ_LINGER, &linger, sizeof(linger));
    zmq_setsockopt(s->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof(ivl));
    zmq_setsockopt(s->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof(ivl_max));
    s->curve = opts->curve != NULL;
    s->o.curve = NULL;                      /* read here only; secrets not kept twice */
    if ((s->curve && (r = ing_curve_client_apply(s->sock, opts->curve)) < 0) ||
        (r = monitor_open(s, zctx)) < 0)
        goto fail;
    if (zmq_connect(s->sock, s->o.endpoint) < 0) {
        r = -errno;
        iq_error("zmq", "cannot connect to %s: %s", s->o.endpoint, zmq_strerror(errno));
        goto fail;
    }
    s->last_answer = iq_time_mono_ms();
    *ret = s;
    return 0;
fail:
    ing_sender_destroy(&s);
    return r;
}

void ing_sender_destroy(struct ing_sender **ps)
{
    struct ing_sender *s;

    if (!ps || !*ps)
        return;
    s = *ps;
    if (s->sock)
        zmq_close(s->sock);
    if (s->mon)
        zmq_close(s->mon);
    for (uint32_t i = 0; s->win && i < s->o.window; i++) {
        free(s->win[i].frame);
        free(s->win[i].tags);
    }
    free(s->win);
    free(s->tags);
    msgpack_sbuffer_destroy(&s->body);
    free(s);
    *ps = NULL;
}

const char *ing_sender_busy_reason(const struct ing_sender *s)
{
    return s->busy ? s->busy_reason : NULL;
}

void ing_sender_stats(const struct ing_sender *s, struct ing_sender_stats *ret)
{
    *ret = s->stats;
}

uint32_t ing_sender_pending(const struct ing_sender *s)
{
    return s->inflight + (s->n > 0);
}

/* Send a sealed batch.  If it cannot leave now (no connection yet: the
 * socket has ZMQ_IMMEDIATE), try again shortly without backing off; once
 * sent, wait `backoff` for an answer before re-sending. */
static void transmit(struct ing_sender *s, struct slot *sl, int64_t now)
{
    sl->sent = zmq_send(s->sock, sl->frame, sl->len, ZMQ_DONTWAIT) >= 0;
    if (!sl->sent)
        iq_debug("zmq", "batch %llu not sent now (%s); will retry",
                 (unsigned long long)sl->id, zmq_strerror(errno));
    sl->due = now + (sl->sent ? sl->backoff : SEND_RETRY_MS);
}

/* Seal the open batch into a free slot and send it. Caller ensures room. */
static int seal(struct ing_sender *s)
{
    struct slot *sl = NULL;
    msgpack_sbuffer head;

    for (uint32_t i = 0; i < s->o.window && !sl; i++)
        if (!s->win[i].used)
            sl = &s->win[i];
    msgpack_sbuffer_init(&head);
    ing_proto_pack_batch_head(&head, s->next_id, s->n);
    sl->frame = malloc(head.size + s->body.size);
    sl->tags = malloc(s->n * sizeof(*sl->tags));
    if (!sl->frame || !sl->tags) {
        free(sl->frame);
        free(sl->tags);
        sl->frame = NULL;
        sl->tags = NULL;
        msgpack_sbuffer_destroy(&head);
        return -ENOMEM;
    }
    memcpy(sl->frame, head.data, head.size);
    memcpy(sl->frame + head.size, s->body.data, s->body.size);
    sl->len = head.size + s->body.size;
    msgpack_sbuffer_destroy(&head);
    memcpy(sl->tags, s->tags, s->n * sizeof(*sl->tags));
    sl->n = s->n;
    sl->id = s->next_id++;
    sl->used = true;
    sl->backoff = s->o.retry_ms;
    if (s->inflight == 0)
        s->last_answer = iq_time_mono_ms();
    s->inflight++;
    s->stats.batches++;
    s->n = 0;
    s->body.size = 0;
    transmit(s, sl, iq_time_mono_ms());
    return 0;
}

static void settle(struct ing_sender *s, const struct ing_msg *m)
{
    for (uint32_t i = 0; i < s->o.window; i++) {
        struct slot *sl = &s->win[i];

        if (!sl->used || sl->id != m->batch_id)
            continue;
        if (m->type == ING_MSG_BUSY) {
            if (!s->busy || strcmp(s->busy_reason, m->reason) != 0)
                iq_warn("zmq", "ingest busy: %s; retrying", m->reason);
            else
                iq_debug("zmq", "batch %llu deferred by ingest: %s", (unsigned long long)sl->id,
                         m->reason);
            s->busy = true;
            snprintf(s->busy_reason, sizeof(s->busy_reason), "%s", m->reason);
            return;
        }
        if (s->busy)
            iq_info("zmq", "ingest answering again after being busy");
        s->busy = false;
        s->last_answer = iq_time_mono_ms();
        if (m->type == ING_MSG_ACK) {
            s->stats.stored += m->stored;
            s->stats.duplicates += m->duplicates;
            s->stats.rejected += m->n_rejections;
        } else {
            s->stats.rejected += sl->n;
        }
        if (s->cb)
            s->cb(s->ud, sl->tags, sl->n, m);
        free(sl->frame);
        free(sl->tags);
        memset(sl, 0, sizeof(*sl));
        s->inflight--;
        return;
    }
}

static void receive(struct ing_sender *s)
{
    char err[IQ_ERR_MAX];
    zmq_msg_t msg;
    struct ing_msg m;
    msgpack_unpacked u;

    zmq_msg_init(&msg);
    while (zmq_msg_recv(&msg, s->sock, ZMQ_DONTWAIT) >= 0) {
        msgpack_unpacked_init(&u);
        if (ing_msg_parse(zmq_msg_data(&msg), zmq_msg_size(&msg), &u, &m, err, sizeof(err)) < 0)
            iq_warn("zmq", "ignoring unreadable answer from ingest: %s", err);
        else
            settle(s, &m);
        ing_msg_clear(&m);
        msgpack_unpacked_destroy(&u);
    }
    zmq_msg_close(&msg);
}

static void resend_due(struct ing_sender *s, int64_t now)
{
    for (uint32_t i = 0; i < s->o.window; i++) {
        struct slot *sl = &s->win[i];

        if (!sl->used || sl->due > now)
            continue;
        if (sl->sent) {
            s->stats.resends++;
            sl->backoff = sl->backoff * 2 > s->o.retry_max_ms ? s->o.retry_max_ms
                                                                : sl->backoff * 2;
        }
        transmit(s, sl, now);
    }
}

/* Record one handshake event of the monitor (value: a ZAP status code, a
 * ZMQ_PROTOCOL_ERROR_* or an errno, by event). */
static void handshake_event(struct ing_sender *s, uint16_t event, uint32_t value)
{
    if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
        s->hs_failed = 0;
        s->refused = false;
        s->hs_error[0] = '\0';
        return;
    }
    s->hs_failed++;
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
        s->refused = value == 400;
        snprintf(s->hs_error, sizeof(s->hs_error), "the ingest refused this CurveZMQ key "
                 "(ZAP status %u): is its .pub file in the ingest's zmq_authorized_keys?", value);
    } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
               value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
        s->refused = true;
        snprintf(s->hs_error, sizeof(s->hs_error), "%s", s->curve
                 ? "the ingest does not use CurveZMQ, but --zmq-key was given"
                 : "the ingest requires CurveZMQ: give --zmq-key FILE.key and "
                   "--zmq-server-key FILE.pub");
    } else {
        snprintf(s->hs_error, sizeof(s->hs_error), "%u handshakes with the ingest failed (%s)%s",
                 s->hs_failed, event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ? "protocol error"
                 : zmq_strerror((int)value), s->curve ? "; is --zmq-server-key the ingest's "
                 "public key?" : "");
    }
}

/* Drain the monitor: each event is [u16 event, u32 value][endpoint]. */
static void read_monitor(struct ing_sender *s)
{
    zmq_msg_t ev, addr;
    uint16_t event;
    uint32_t value;

    for (;;) {
        zmq_msg_init(&ev);
        zmq_msg_init(&addr);
        if (zmq_msg_recv(&ev, s->mon, ZMQ_DONTWAIT) < 0 || zmq_msg_recv(&addr, s->mon, 0) < 0) {
            zmq_msg_close(&ev);
            zmq_msg_close(&addr);
            return;
        }
        if (zmq_msg_size(&ev) >= 6) {
            memcpy(&event, zmq_msg_data(&ev), sizeof(event));
            memcpy(&value, (char *)zmq_msg_data(&ev) + 2, sizeof(value));
            handshake_event(s, event, value);
        }
        zmq_msg_close(&ev);
        zmq_msg_close(&addr);
    }
}

const char *ing_sender_handshake_error(const struct ing_sender *s)
{
    return s->hs_failed && s->hs_error[0] ? s->hs_error : NULL;
}

int ing_sender_poll(struct ing_sender *s, long timeout_ms)
{
    zmq_pollitem_t items[2] = { { s->sock, 0, ZMQ_POLLIN, 0 }, { s->mon, 0, ZMQ_POLLIN, 0 } };
    int64_t now = iq_time_mono_ms(), next = now + timeout_ms;

    for (uint32_t i = 0; i < s->o.window; i++)
        if (s->win[i].used && s->win[i].due < next)
            next = s->win[i].due;
    if (zmq_poll(items, 2, next > now ? next - now : 0) < 0 && errno != EINTR)
        return -errno;
    if (items[0].revents & ZMQ_POLLIN)
        receive(s);
    if (items[1].revents & ZMQ_POLLIN)
        read_monitor(s);
    if (s->refused && s->inflight)
        return -EACCES;
    now = iq_time_mono_ms();
    resend_due(s, now);
    if (s->inflight && s->o.give_up_ms && now - s->last_answer > s->o.give_up_ms)
        return -ETIMEDOUT;
    return 0;
}

/* The event just appended to the open batch (from before): take it under
 * tag, and seal the batch once full (waiting while the window is full). */
static int took(struct ing_sender *s, size_t before, uint64_t tag)
{
    int r;

    if (s->body.size - before > s->o.max_frame - 64) {
        s->body.size = before;
        return -E2BIG;
    }
    s->tags[s->n++] = tag;
    s->stats.events++;
    if (s->n < s->o.batch_events && s->body.size < s->o.batch_bytes)
        return 0;
    while (s->inflight >= s->o.window) {
        r = ing_sender_poll(s, 1000);
        if (r < 0)
            return r;
    }
    return seal(s);
}

int ing_sender_push(struct ing_sender *s, const struct iq_event *ev, uint64_t tag)
{
    size_t before = s->body.size;

    iq_event_pack(&s->pk, ev);
    return took(s, before, tag);
}

int ing_sender_push_packed(struct ing_sender *s, const char *val, size_t len, uint64_t tag)
{
    size_t before = s->body.size;

    if (msgpack_sbuffer_write(&s->body, val, len) < 0)
        return -ENOMEM;
    return took(s, before, tag);
}

int ing_sender_seal(struct ing_sender *s)
{
    if (s->n == 0)
        return 0;
    return s->inflight < s->o.window ? seal(s) : -EAGAIN;
}

int ing_sender_flush(struct ing_sender *s)
{
    int r;

    if (s->n > 0) {
        while (s->inflight >= s->o.window) {
            r = ing_sender_poll(s, 1000);
            if (r < 0)
                return r;
        }
        r = seal(s);
        if (r < 0)
            return r;
    }
    while (s->inflight > 0) {
        r = ing_sender_poll(s, 1000);
        if (r < 0)
            return r;
    }
    return 0;
}

/* ing_sender.h - the client side of the ingest protocol (DEALER socket).
 *
 * Events pushed are encoded at once into the current batch; a batch is
 * sealed at batch_events events or batch_bytes bytes and sent; up to
 * `window` batches wait for their ack at once.  A batch without an answer
 * is re-sent after retry_ms, doubling up to retry_max_ms: delivery is
 * at-least-once and ingest's dedup by id makes it exactly-once in storage.
 * Not thread-safe: one sender per thread. */
#ifndef ING_SENDER_H
#define ING_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include "ing_proto.h"

struct ing_sender;
struct ing_curve_client;
struct iq_event;

struct ing_sender_opts {
    const char *endpoint;     /* borrowed, e.g. "tcp://127.0.0.1:7701" */
    uint32_t batch_events;    /* default 1000 */
    size_t batch_bytes;       /* default 1 MiB of msgpack */
    uint32_t window;          /* batches in flight, default 8 */
    int64_t retry_ms;         /* first re-send, default 3000 */
    int64_t retry_max_ms;     /* backoff cap, default 30000 */
    int64_t give_up_ms;       /* fail after this long without an ack or refusal
                                 (busy answers do not count); 0 never */
    size_t max_frame;         /* the ingest's limit; default ING_FRAME_MAX_DEFAULT */
    const struct ing_curve_client *curve;  /* CurveZMQ keys, read by ing_sender_new;
                                              NULL: plain ZMTP */
};

/* Called once per answered batch with the tags of its events in order.
 * m->type is ING_MSG_ACK (m->rejections index into tags) or ING_MSG_ERROR
 * (the whole batch refused, m->reason says why).  Borrowed for the call. */
typedef void (*ing_sender_ack_fn)(void *ud, const uint64_t *tags, uint32_t n,
                                  const struct ing_msg *m);

struct ing_sender_stats {
    uint64_t events, batches, resends, stored, duplicates, rejected;
};

/* zctx is borrowed.  Caller owns *ret.  -ENOMEM, -EINVAL (bad endpoint),
 * -ENOTSUP (CurveZMQ keys given, libzmq without CURVE). */
int ing_sender_new(void *zctx, const struct ing_sender_opts *opts, ing_sender_ack_fn cb,
                   void *ud, struct ing_sender **ret);

/* Encode ev (borrowed) into the current batch under tag.  May wait for acks
 * while the window is full.  -E2BIG if the event alone exceeds a frame,
 * -ETIMEDOUT if give_up_ms passed without an ack (ingest silent, or busy:
 * see ing_sender_busy_reason), -EACCES when the ingest refused the
 * handshake for good (ing_sender_handshake_error). */
int ing_sender_push(struct ing_sender *s, const struct iq_event *ev, uint64_t tag);

/* The same with the event already encoded (len bytes of msgpack as
 * iq_event_pack writes them, borrowed for the call): appended as they
 * are, without a decode.  The caller vouches for the bytes; the ingest
 * validates them as it does any event. */
int ing_sender_push_packed(struct ing_sender *s, const char *val, size_t len, uint64_t tag);

/* Send the partial batch now if the window has room, without waiting for
 * answers (ing_sender_poll collects them).  0 (sent, or nothing to send),
 * -EAGAIN (window full: the batch stays open), -ENOMEM. */
int ing_sender_seal(struct ing_sender *s);

/* Send the partial batch and wait until every batch is answered.
 * 0, -ETIMEDOUT or -EACCES. */
int ing_sender_flush(struct ing_sender *s);

/* Number of batches sent and not yet answered (plus the open one if any). */
uint32_t ing_sender_pending(const struct ing_sender *s);

/* Wait up to timeout_ms for answers and run due re-sends.  0, -ETIMEDOUT
 * or -EACCES. */
int ing_sender_poll(struct ing_sender *s, long timeout_ms);

/* Why handshakes with the ingest fail, in words, or NULL when none failed
 * since the last one that succeeded.  After -EACCES: the ingest refused
 * this CurveZMQ key (ZAP status 400), or one side speaks CurveZMQ and the
 * other does not; retrying cannot help.  Borrowed; valid until the next
 * call on s. */
const char *ing_sender_handshake_error(const struct ing_sender *s);

void ing_sender_stats(const struct ing_sender *s, struct ing_sender_stats *ret);

/* Why ingest deferred the last answered batch ("disk full on /data: ..."),
 * or NULL when the last answer was not "busy".  Borrowed; valid until the
 * next call on s. */
const char *ing_sender_busy_reason(const struct ing_sender *s);

/* Close; unacknowledged batches are dropped. NULLs *ps; NULL-safe. */
void ing_sender_destroy(struct ing_sender **ps);

#endif

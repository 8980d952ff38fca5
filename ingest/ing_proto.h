/* ing_proto.h - the ZeroMQ ingest protocol, version 1 (docs/protocol.md).
 *
 * Each message is ONE frame holding a msgpack array whose first two
 * elements are the magic "iq" and the protocol version:
 *   batch  ["iq", 1, "batch", id, [event, ...]]            sender -> ingest
 *   ack    ["iq", 1, "ack", id, stored, duplicates,
 *           [[index, reason], ...]]                         ingest -> sender
 *   error  ["iq", 1, "error", id, reason]   refused whole, do not retry
 *   busy   ["iq", 1, "busy", id, reason]    not stored now, retry later
 * The sender's socket is a DEALER, the ingest's a ROUTER. */
#ifndef ING_PROTO_H
#define ING_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#include "iq_event.h"

#define ING_PROTO_MAGIC        "iq"
#define ING_BATCH_EVENTS_MAX   10000            /* events in one batch */
#define ING_FRAME_MAX_DEFAULT  (16u << 20)      /* bytes, ingest refuses above */
#define ING_FRAME_HARD_FACTOR  4                /* ZMQ_MAXMSGSIZE = factor * max_frame */

enum ing_msg_type { ING_MSG_BATCH, ING_MSG_ACK, ING_MSG_ERROR, ING_MSG_BUSY };

struct ing_rejection {
    uint32_t index;                 /* position of the event in its batch */
    char reason[IQ_ERR_MAX];
};

/* A parsed message.  For a batch, events points into the msgpack_unpacked
 * given to ing_msg_parse (borrowed, valid until that is destroyed).  For an
 * ack, rejections is malloc'ed: release with ing_msg_clear. */
struct ing_msg {
    enum ing_msg_type type;
    uint64_t batch_id;
    const msgpack_object *events;
    uint32_t n_events;
    uint32_t stored;
    uint32_t duplicates;
    struct ing_rejection *rejections;
    uint32_t n_rejections;
    char reason[IQ_ERR_MAX];        /* error, busy */
};

/* Parse one frame.  Returns 0, or -EPROTO with err naming the problem (a
 * batch_id found before the problem is still set in m->batch_id). */
int ing_msg_parse(const char *buf, size_t len, msgpack_unpacked *u, struct ing_msg *m,
                  char *err, size_t errsz);
void ing_msg_clear(struct ing_msg *m);

/* Writers. The sbuffer is appended to. */
void ing_proto_pack_batch_head(msgpack_sbuffer *sb, uint64_t id, uint32_t n_events);
void ing_proto_pack_ack(msgpack_sbuffer *sb, uint64_t id, uint32_t stored, uint32_t dups,
                        const struct ing_rejection *rej, uint32_t n_rej);
void ing_proto_pack_error(msgpack_sbuffer *sb, enum ing_msg_type type, uint64_t id,
                          const char *reason);

#endif

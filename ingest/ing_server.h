/* ing_server.h - the ZeroMQ ingest endpoint of inquestd (ROUTER socket).
 *
 * Receives batches (ing_proto.h), validates every event, hands the valid
 * ones to a sink and acknowledges each batch once the sink returned, with
 * a reason for every rejected event.  Audit notes (iq_event_is_audit_note)
 * are accepted only from a CurveZMQ key with the admin role; from any
 * other sender each is rejected with a reason and stored nowhere. */
#ifndef ING_SERVER_H
#define ING_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "ing_sink.h"

struct ing_server;

struct ing_keyring;
struct iq_metrics;

struct ing_server_opts {
    const char *endpoint;   /* e.g. "tcp://127.0.0.1:7701"; borrowed */
    size_t max_frame;       /* bytes; 0 = ING_FRAME_MAX_DEFAULT */
    /* CurveZMQ (docs/security.md): with curve_secret set (the server's
     * Z85 secret key, borrowed), only clients whose key is in keys
     * (borrowed, must outlive the server) complete a handshake, and each
     * event records its key name as received_from.  NULL: plain ZMTP. */
    const char *curve_secret;
    const struct ing_keyring *keys;
    struct iq_metrics *metrics;   /* registry for inquest_zmq_* (borrowed, must outlive
                                     the server); NULL: none */
};

struct ing_server_stats {
    uint64_t batches, stored, duplicates, rejected, refused_frames, busy;
    uint64_t refused_notes;       /* audit notes from a sender without the admin role */
    uint64_t curve_allowed, curve_refused;   /* CurveZMQ handshakes */
};

/* Bind the endpoint (and a local inproc one, ing_server_local_endpoint),
 * start the ZAP handler when CurveZMQ is on, and start the writer thread.
 * zctx (a zmq context) and sink are borrowed; the sink's submit is called
 * from the writer thread.  Caller owns *ret.  -EADDRINUSE and friends as
 * negative errno, logged. */
int ing_server_new(void *zctx, const struct ing_server_opts *opts, struct ing_sink sink,
                   struct ing_server **ret);

/* An inproc endpoint of the same ingest, for senders inside the process
 * that share zctx (the daemon's log collector): no handshake, no key, so
 * its events are unauthenticated (no received_from, no audit notes).
 * Borrowed; valid until the server is destroyed. */
const char *ing_server_local_endpoint(const struct ing_server *srv);

/* The endpoint the ingest listens on, as bound: a wildcard port in the
 * configured one ("tcp://127.0.0.1:0", "tcp://127.0.0.1:*") is resolved
 * to the port the kernel chose.  Borrowed; valid until the server is
 * destroyed. */
const char *ing_server_endpoint(const struct ing_server *srv);

/* Serve until *stop becomes non-zero, then stop accepting (unbind), answer
 * what is already queued, and return 0.  Negative errno on a fatal error. */
int ing_server_run(struct ing_server *srv, volatile sig_atomic_t *stop);

void ing_server_stats(const struct ing_server *srv, struct ing_server_stats *ret);

/* Close the socket; NULLs the caller's pointer; NULL-safe. */
void ing_server_destroy(struct ing_server **psrv);

#endif

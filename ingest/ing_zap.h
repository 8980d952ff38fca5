/* ing_zap.h - the ZAP handler (ZeroMQ RFC 27) that decides which CurveZMQ
 * clients may complete a handshake with the ingest.
 *
 * libzmq asks the handler bound to inproc://zeromq.zap.01 in the socket's
 * context about every new connection to a CURVE server socket.  The
 * handler answers "200" with the key's name as user id when the client's
 * public key is in the keyring, "400" otherwise; libzmq then closes the
 * connection before any message is read.  The ingest reads the user id
 * back from each message (zmq_msg_gets "User-Id").
 *
 * One handler per ZeroMQ context.  It runs as an actor: its own thread,
 * started ready (bound) when ing_zap_start returns, stopped by
 * ing_zap_stop. */
#ifndef ING_ZAP_H
#define ING_ZAP_H

#include <stdint.h>

#include "ing_keyring.h"

#define ING_ZAP_DOMAIN "inquest"

struct ing_zap;

/* Start the handler in zctx (borrowed) with keyring kr (borrowed; must
 * outlive the handler).  Caller owns *ret.  -EADDRINUSE when the context
 * already has a ZAP handler, -ENOMEM, or another negative errno. */
int ing_zap_start(void *zctx, const struct ing_keyring *kr, struct ing_zap **ret);

/* Handshakes allowed and refused so far. */
void ing_zap_stats(struct ing_zap *z, uint64_t *ret_allowed, uint64_t *ret_refused);

/* Stop the thread and free; NULLs the caller's pointer; NULL-safe. */
void ing_zap_stop(struct ing_zap **pz);

#endif

/* ing_forward.h - the forwarding sink of collector mode
 * (inquestd --collector --forward tcp://HOST:7701).
 *
 * Events submitted are sent over the acknowledged ZeroMQ protocol to a
 * central ingest; submit returns only when that ingest acknowledged them,
 * so the HTTP answer still means "durable".  Each calling thread gets its
 * own ing_sender (its own DEALER socket): MHD's threads never share one. */
#ifndef ING_FORWARD_H
#define ING_FORWARD_H

#include <stdint.h>

#include "ing_curve.h"
#include "ing_sink.h"

struct ing_forward_opts {
    const char *endpoint;     /* borrowed, e.g. "tcp://10.0.0.5:7701" */
    int64_t give_up_ms;       /* answer 503 after this long without an ack; default 10000 */
    const struct ing_curve_client *curve;  /* CurveZMQ keys (copied), NULL: plain */
};

extern const struct ing_sink_ops ing_sink_forward_ops;

/* Create the sink.  On success ret->ops is &ing_sink_forward_ops and
 * ret->ctx is owned by the caller: release with ing_sink_forward_destroy
 * after every thread that used it has exited.  -ENOMEM, -EINVAL. */
int ing_sink_forward_new(const struct ing_forward_opts *o, struct ing_sink *ret);

/* Free the context and NULL ctx.  NULL-safe. */
void ing_sink_forward_destroy(struct ing_sink *s);

#endif

/* ing_forward.h - the sink of collector mode
 * (inquestd --collector --forward tcp://HOST:7701).
 *
 * submit makes the events durable in the collector's spool (ing_spool.h)
 * and returns: the webhook is acknowledged by the collector alone, and a
 * central ingest that is down loses nothing.  A forwarder thread sends
 * the spooled events, in order, over the acknowledged ZeroMQ protocol to
 * the central ingest, several batches in flight at once, and releases
 * them from the spool only once acknowledged there.  Delivery is
 * at-least-once (after a crash or a reconnect some events are sent again);
 * the central ingest's dedup by id stores each once.
 *
 * Past spool_max, or below min_free_disk on the spool's filesystem,
 * submit fails: the sink's status is busy (spool_full, disk_full) and
 * webhooks are answered 503 with Retry-After.  Nothing is dropped: an
 * event the central ingest rejects for good (invalid there) is counted
 * and logged; a batch it refuses whole stays spooled and is retried. */
#ifndef ING_FORWARD_H
#define ING_FORWARD_H

#include <stdbool.h>
#include <stdint.h>

#include "ing_curve.h"
#include "ing_sink.h"

struct store_disk_opts;

struct ing_forward_opts {
    const char *endpoint;     /* borrowed, e.g. "tcp://10.0.0.5:7701" */
    const char *spool_dir;    /* the spool's RocksDB directory (created) */
    uint64_t spool_max;       /* bytes of spooled events; 0: 1 GiB */
    bool fsync;               /* fsync the spool's WAL before each answer */
    const struct store_disk_opts *disk;      /* free-space guard of the spool's
                                              filesystem (borrowed); NULL: none */
    const struct ing_curve_client *curve;  /* CurveZMQ keys (copied), NULL: plain */
};

extern const struct ing_sink_ops ing_sink_forward_ops;

/* Open the spool and start the forwarder thread.  On success ret->ops is
 * &ing_sink_forward_ops and ret->ctx is owned by the caller: release with
 * ing_sink_forward_destroy after every thread that submits has exited.
 * -ENOMEM, -EINVAL (endpoint), -EIO (the spool, logged). */
int ing_sink_forward_new(const struct ing_forward_opts *o, struct ing_sink *ret);

/* Stop the forwarder (batches in flight are sent again after a restart),
 * close the spool, free the context and NULL ctx.  NULL-safe. */
void ing_sink_forward_destroy(struct ing_sink *s);

#endif

/* ing_sink.h - where validated events go: an ops table.
 *
 * The ZeroMQ ingest server and the HTTP collectors hand events to a sink
 * and acknowledge their senders only after submit returns: the local store
 * (ing_sink_store.c, durable in RocksDB) or, in collector mode, a forwarder
 * to a central ingest over the acknowledged protocol.  Adding a sink is a
 * new ops table, nothing else. */
#ifndef ING_SINK_H
#define ING_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"   /* struct store_status: a sink reports the store's */

struct iq_event;
struct http_metrics_out;

struct ing_sink_ops {
    const char *name;                         /* "store", "forward" */
    /* Make the events durable. outcomes[i] gets an enum store_outcome.
     * Returns the number stored or a negative errno (nothing acknowledged).
     * May be called from several threads at once. */
    int (*submit)(void *ctx, struct iq_event *const *evs, size_t n, uint8_t *outcomes);
    /* Optional: the same, with each event's msgpack value already encoded
     * by the caller (vals[i], lens[i], borrowed).  NULL when not offered. */
    int (*submit_encoded)(void *ctx, struct iq_event *const *evs, const char *const *vals,
                          const size_t *lens, size_t n, uint8_t *outcomes);
    /* Optional: the sink's state now (cheap, no I/O); NULL when the sink
     * has none to report (always ready). */
    void (*status)(void *ctx, struct store_status *ret);
    /* Optional: append the sink's own families (HELP, TYPE and samples) to
     * the /metrics page.  Called from HTTP threads: must be thread-safe. */
    void (*metrics)(void *ctx, struct http_metrics_out *o);
    void (*destroy)(void *ctx);               /* NULL-safe; may be NULL */
};

struct ing_sink {
    const struct ing_sink_ops *ops;
    void *ctx;
};

static inline int ing_sink_submit(const struct ing_sink *s, struct iq_event *const *evs,
                                  size_t n, uint8_t *outcomes)
{
    return s->ops->submit(s->ctx, evs, n, outcomes);
}

/* The sink's state; ready with unknown disk figures when it has no
 * status op. */
void ing_sink_status(const struct ing_sink *s, struct store_status *ret);

/* The sink's own metrics, when it has a metrics op. */
void ing_sink_metrics(const struct ing_sink *s, struct http_metrics_out *o);

/* The local store as a sink; st is borrowed and must outlive the sink. */
extern const struct ing_sink_ops ing_sink_store_ops;
struct ing_sink ing_sink_store(struct store *st);

#endif

/* ing_sink_store.c - the local RocksDB store as an ingest sink.
 *
 * The "easiest example" of a sink: submit is a direct call into
 * store_put_events, which returns once the WriteBatch is in the WAL.
 * Also home of ing_sink_status and ing_sink_metrics (ing_sink.h). */
#include "ing_sink.h"

#include <string.h>

#include "http_metrics.h"
#include "store.h"

static int sink_submit(void *ctx, struct iq_event *const *evs, size_t n, uint8_t *outcomes)
{
    return store_put_events(ctx, evs, n, outcomes);
}

static int sink_submit_encoded(void *ctx, struct iq_event *const *evs, const char *const *vals,
                               const size_t *lens, size_t n, uint8_t *outcomes)
{
    return store_put_encoded(ctx, evs, vals, lens, n, outcomes);
}

static void sink_status(void *ctx, struct store_status *ret)
{
    store_status(ctx, ret);
}

/* RocksDB's memory by part (status gives the busy and disk gauges). */
static void sink_metrics(void *ctx, struct http_metrics_out *o)
{
    struct store_memory m;

    store_memory(ctx, &m);
    http_metrics_put(o, "# HELP inquest_store_memory_bytes RocksDB memory by part: memtables, "
                        "block cache (data, index and filter blocks), table readers outside it.\n"
                        "# TYPE inquest_store_memory_bytes gauge\n"
                        "inquest_store_memory_bytes{part=\"memtables\"} %lld\n"
                        "inquest_store_memory_bytes{part=\"block_cache\"} %lld\n"
                        "inquest_store_memory_bytes{part=\"table_readers\"} %lld\n",
                     (long long)m.memtables, (long long)m.block_cache, (long long)m.table_readers);
}

void ing_sink_metrics(const struct ing_sink *s, struct http_metrics_out *o)
{
    if (s->ops && s->ops->metrics)
        s->ops->metrics(s->ctx, o);
}

void ing_sink_status(const struct ing_sink *s, struct store_status *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->disk_free = ret->disk_min_free = ret->disk_reserve = -1;
    if (s->ops && s->ops->status)
        s->ops->status(s->ctx, ret);
}

const struct ing_sink_ops ing_sink_store_ops = {
    .name = "store",          /* events end in this process's RocksDB */
    .submit = sink_submit,    /* durable (WAL written) on return */
    .submit_encoded = sink_submit_encoded, /* values encoded by the caller */
    .status = sink_status,    /* busy below min_free_disk or after a RocksDB failure */
    .metrics = sink_metrics,  /* RocksDB memory by part */
    .destroy = NULL,          /* the store is owned by the daemon */
};

struct ing_sink ing_sink_store(struct store *st)
{
    struct ing_sink s = { &ing_sink_store_ops, st };

    return s;
}

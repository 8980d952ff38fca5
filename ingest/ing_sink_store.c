/* ing_sink_store.c - the local RocksDB store as an ingest sink.
 *
 * The "easiest example" of a sink: submit is a direct call into
 * ing_store_put_events, which returns once the WriteBatch is in the WAL. */
#include "ing_sink.h"
#include "ing_store.h"

static int store_submit(void *ctx, struct iq_event *const *evs, size_t n, uint8_t *outcomes)
{
    return ing_store_put_events(ctx, evs, n, outcomes);
}

static int store_submit_encoded(void *ctx, struct iq_event *const *evs, const char *const *vals,
                                const size_t *lens, size_t n, uint8_t *outcomes)
{
    return ing_store_put_encoded(ctx, evs, vals, lens, n, outcomes);
}

const struct ing_sink_ops ing_sink_store_ops = {
    .name = "store",          /* events end in this process's RocksDB */
    .submit = store_submit,   /* durable (WAL written) on return */
    .submit_encoded = store_submit_encoded, /* values encoded by the caller */
    .destroy = NULL,          /* the store is owned by the daemon */
};

struct ing_sink ing_sink_store(struct ing_store *st)
{
    struct ing_sink s = { &ing_sink_store_ops, st };

    return s;
}

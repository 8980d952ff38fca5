/* ing_sink_store.c - the local RocksDB store as an ingest sink.
 *
 * The "easiest example" of a sink: submit is a direct call into
 * ing_store_put_events, which returns once the WriteBatch is in the WAL.
 * Also home of the sink status helpers (ing_sink.h), the store being the
 * sink that has a state to report. */
#include "ing_sink.h"

#include <string.h>

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

static void store_status(void *ctx, struct ing_sink_status *ret)
{
    ing_store_status(ctx, ret);
}

static const char *const busy_names[ING_BUSY_N] = {
    [ING_READY] = "none", [ING_BUSY_DISK_FULL] = "disk_full",
    [ING_BUSY_STORE_ERROR] = "store_error",
};

const char *ing_busy_name(enum ing_busy b)
{
    return (unsigned)b < ING_BUSY_N ? busy_names[b] : "unknown";
}

void ing_sink_status(const struct ing_sink *s, struct ing_sink_status *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->disk_free = ret->disk_min_free = ret->disk_reserve = -1;
    if (s->ops && s->ops->status)
        s->ops->status(s->ctx, ret);
}

const struct ing_sink_ops ing_sink_store_ops = {
    .name = "store",          /* events end in this process's RocksDB */
    .submit = store_submit,   /* durable (WAL written) on return */
    .submit_encoded = store_submit_encoded, /* values encoded by the caller */
    .status = store_status,   /* busy below min_free_disk or after a RocksDB failure */
    .destroy = NULL,          /* the store is owned by the daemon */
};

struct ing_sink ing_sink_store(struct ing_store *st)
{
    struct ing_sink s = { &ing_sink_store_ops, st };

    return s;
}

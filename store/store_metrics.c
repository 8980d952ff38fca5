/* store_metrics.c - the store's series in the daemon's metrics
 * registry (common/iq_metrics.h):
 *   inquest_store_write_seconds             histogram: one group commit of
 *                                           events (dedup lookup, WriteBatch, WAL)
 *   inquest_store_wal_writes_total          writes to the WAL (event groups, state)
 *   inquest_store_wal_syncs_total           those synced to disk (fsync on)
 *   inquest_store_pending_compaction_bytes  RocksDB's estimate of the bytes compaction
 *                                           still has to rewrite
 *   inquest_store_sst_bytes                 bytes of the table files (disk usage)
 *   inquest_store_memtable_bytes            bytes in memtables, not yet flushed
 *   inquest_store_events                    stored events (RocksDB's key estimate)
 * The gauges are read from RocksDB properties (summed over the column
 * families) by a collect hook at each scrape, under the store's read lock
 * so a reopen after a failure never runs beneath them; while the database
 * is closed they keep their last value.  Only a writable store registers:
 * readers are CLI commands. */
#include "store_int.h"

#include <stddef.h>

#include "iq_metrics.h"

/* The store's families, in exposition order. */
static const struct iq_metric_def families[] = {
    { IQ_METRIC_HISTOGRAM, "inquest_store_write_seconds",
      "Time to write one group commit of events (dedup lookup, WriteBatch, WAL).",
      .buckets = iq_metric_latency_buckets, .nb = IQ_METRIC_LATENCY_BUCKETS,
      .off = offsetof(struct store_metrics, write_seconds) },
    { IQ_METRIC_COUNTER, "inquest_store_wal_writes_total",
      "Writes to RocksDB's write-ahead log (event groups and state).",
      .off = offsetof(struct store_metrics, wal_writes) },
    { IQ_METRIC_COUNTER, "inquest_store_wal_syncs_total",
      "WAL writes synced to disk before they were acknowledged (fsync on).",
      .off = offsetof(struct store_metrics, wal_syncs) },
    { IQ_METRIC_GAUGE, "inquest_store_pending_compaction_bytes",
      "Bytes RocksDB estimates compaction still has to rewrite.",
      .off = offsetof(struct store_metrics, pending_compaction) },
    { IQ_METRIC_GAUGE, "inquest_store_sst_bytes", "Bytes of the store's table files on disk.",
      .off = offsetof(struct store_metrics, sst_bytes) },
    { IQ_METRIC_GAUGE, "inquest_store_memtable_bytes", "Bytes held in memtables, not yet flushed.",
      .off = offsetof(struct store_metrics, memtable_bytes) },
    { IQ_METRIC_GAUGE, "inquest_store_events", "Stored events (RocksDB's estimate of the keys).",
      .off = offsetof(struct store_metrics, events) },
};

/* The sum of an integer property over the column families; false when
 * RocksDB does not know it. */
static bool prop_sum(struct store *st, const char *name, uint64_t *ret)
{
    uint64_t v, sum = 0;
    bool any = false;

    for (int i = 0; i < STORE_CF_N; i++) {
        if (st->cf[i] && rocksdb_property_int_cf(st->db, st->cf[i], name, &v) == 0) {
            sum += v;
            any = true;
        }
    }
    *ret = sum;
    return any;
}

static void collect(void *ud)
{
    struct store *st = ud;
    struct store_metrics *m = &st->m;
    uint64_t v;

    pthread_rwlock_rdlock(&st->dblock);
    if (st->db) {
        if (prop_sum(st, "rocksdb.estimate-pending-compaction-bytes", &v))
            iq_metric_set(m->pending_compaction, (double)v);
        if (prop_sum(st, "rocksdb.total-sst-files-size", &v))
            iq_metric_set(m->sst_bytes, (double)v);
        if (prop_sum(st, "rocksdb.cur-size-all-mem-tables", &v))
            iq_metric_set(m->memtable_bytes, (double)v);
        if (rocksdb_property_int_cf(st->db, st->cf[STORE_CF_BY_TIME], "rocksdb.estimate-num-keys",
                                    &v) == 0)
            iq_metric_set(m->events, (double)v);
    }
    pthread_rwlock_unlock(&st->dblock);
}

int store_metrics_register(struct store *st, struct iq_metrics *reg)
{
    struct store_metrics *m = &st->m;
    int r;

    if (!reg || st->read_only)
        return 0;
    m->reg = reg;
    if ((r = iq_metrics_register_table(reg, families, IQ_METRICS_TABLE_N(families), m)) < 0)
        return r;
    m->hook = iq_metrics_hook_add(reg, collect, st);
    return m->hook < 0 ? m->hook : 0;
}

void store_metrics_unregister(struct store *st)
{
    iq_metrics_hook_remove(st->m.reg, st->m.hook);
    st->m.hook = 0;
}

void store_metrics_write(struct store *st)
{
    iq_metric_inc(st->m.wal_writes);
    if (st->fsync)
        iq_metric_inc(st->m.wal_syncs);
}

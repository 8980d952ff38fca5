/* store_tune.c - the store's RocksDB options, family by family, and its
 * memory budget; full compaction.
 *
 * What each column family holds decides its options (layouts in
 * store_keys.h):
 * - by_time holds the events themselves, nearly all the bytes.  It is read
 *   by time ranges, never by point lookups: 16 KiB blocks (a block holds
 *   some fifty events, so compression finds their common structure), no
 *   filter.
 * - ids is the dedup set: every stored batch looks its ids up (MultiGet),
 *   and most are absent.  A whole-key bloom filter (10 bits a key, 1%
 *   false positives) answers "absent" without reading a data block, and a
 *   memtable bloom does the same before the flush.  4 KiB blocks.
 * - by_service and by_key are keys only (empty values), scanned by prefix:
 *   16 KiB blocks, no filter.
 * - the small families (meta, incidents, state) take the defaults above
 *   with 4 KiB blocks.
 * Compression by level: none on L0 (flushes stay cheap, and L0 files are
 * rewritten soon), LZ4 on the middle levels (fast to rewrite), ZSTD on the
 * bottommost level, where the bulk of a store that has been compacted
 * lives (and where `inquest`'s full compaction puts everything).  The
 * incidents family is the exception, LZ4 on its bottommost level too: a
 * full rebuild rewrites all of it, and each of its flushes spans the whole
 * key range (ids, time index, names), so every L0 compaction rewrites the
 * family's last level; with ZSTD that recompression was a third of a
 * 10 M-event rebuild's CPU (bench/correlate), for a family that holds a
 * few bytes per event.  A different compression between two levels also
 * stops RocksDB from moving an uncompressed file down without rewriting
 * it.  Debian's librocksdb links LZ4 and ZSTD, but a build without them
 * would refuse to open: the open is then retried with LZ4 only, then with
 * no compression (tier argument), with a warning naming the fallback.
 *
 * Memory: one LRU block cache shared by every family holds data blocks and
 * also the index and filter blocks (partitioned: a two-level index; only
 * its top level and the partitions of L0 files are pinned), so table
 * readers do not grow with the store; the
 * memtables of all families together are capped by db_write_buffer_size
 * (RocksDB flushes the largest one past it).  Peak memory is therefore
 * about block_cache_size + db_write_buffer_size + what the process itself
 * holds, whatever the size of the history (docs/scaling.md). */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iq_log.h"

#define MIB (1u << 20)
#define DEFAULT_WRITE_BUFFER (16 * MIB)
#define DEFAULT_WRITE_BUFFER_TOTAL (32 * MIB)
#define DEFAULT_MAX_WRITE_BUFFERS 2
#define DEFAULT_BLOCK_CACHE (32 * MIB)
#define DEFAULT_MAX_OPEN_FILES 512
#define LEVELS 7
#define ZSTD_LEVEL 3            /* RocksDB's default level for ZSTD */
#define CHURN_LEVEL_BASE (16 * MIB)
#define CHURN_FILE_SIZE (4 * MIB)

/* The compression ladder: what to try, best first. */
enum tier { TIER_ZSTD = 0, TIER_LZ4, TIER_NONE, TIER_N };
static const char *const tier_names[TIER_N] = {
    "none on L0, LZ4 above the bottommost level, ZSTD on it", "LZ4 only (no ZSTD)",
    "no compression",
};

/* Per family: block size, whether point lookups need a bloom filter, and
 * whether the family is rewritten as a whole often (no ZSTD then). */
static const struct { size_t block; bool bloom, churn; } family[STORE_CF_N] = {
    [STORE_CF_META] = { 4096, false, false },      [STORE_CF_BY_TIME] = { 16384, false, false },
    [STORE_CF_IDS] = { 4096, true, false },        [STORE_CF_BY_SERVICE] = { 16384, false, false },
    [STORE_CF_BY_KEY] = { 16384, false, false },   [STORE_CF_INCIDENTS] = { 4096, false, true },
    [STORE_CF_STATE] = { 4096, false, false },
};

const char *store_tier_name(int tier)
{
    return tier >= 0 && tier < TIER_N ? tier_names[tier] : "?";
}

int store_tiers(void)
{
    return TIER_N;
}

bool store_compression_refused(const char *err)
{
    return strstr(err, "not linked with the binary") || strstr(err, "Compression type") ||
           strstr(err, "compression type");
}

static void set_compression(rocksdb_options_t *o, int tier)
{
    int mid = tier == TIER_NONE ? rocksdb_no_compression : rocksdb_lz4_compression;
    int levels[LEVELS];

    levels[0] = rocksdb_no_compression;
    for (int i = 1; i < LEVELS; i++)
        levels[i] = mid;
    rocksdb_options_set_num_levels(o, LEVELS);
    rocksdb_options_set_compression(o, mid);
    rocksdb_options_set_compression_per_level(o, levels, LEVELS);
    if (tier == TIER_ZSTD) {
        rocksdb_options_set_bottommost_compression(o, rocksdb_zstd_compression);
        /* window bits, level, strategy, dictionary bytes, enabled */
        rocksdb_options_set_bottommost_compression_options(o, -14, ZSTD_LEVEL, 0, 0, 1);
    } else {
        rocksdb_options_set_bottommost_compression(o, mid);
    }
}

/* The table options of family c, sharing the one block cache. */
static rocksdb_block_based_table_options_t *table_options(struct store *st, int c)
{
    rocksdb_block_based_table_options_t *t = rocksdb_block_based_options_create();

    rocksdb_block_based_options_set_block_cache(t, st->cache);
    rocksdb_block_based_options_set_block_size(t, family[c].block);
    rocksdb_block_based_options_set_format_version(t, 5);
    rocksdb_block_based_options_set_cache_index_and_filter_blocks(t, 1);
    rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(t, 1);
    rocksdb_block_based_options_set_pin_top_level_index_and_filter(t, 1);
    /* L0 files (a few, bounded by the compaction trigger) are read by every
     * lookup: their index and filter partitions stay in the cache */
    rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(t, 1);
    rocksdb_block_based_options_set_index_type(
        t, rocksdb_block_based_table_index_type_two_level_index_search);
    if (family[c].bloom) {
        rocksdb_block_based_options_set_filter_policy(t, rocksdb_filterpolicy_create_bloom_full(10));
        rocksdb_block_based_options_set_partition_filters(t, 1);
        rocksdb_block_based_options_set_whole_key_filtering(t, 1);
    }
    return t;
}

int store_tune(struct store *st, const struct store_opts *o, int tier)
{
    size_t wb = o->write_buffer ? o->write_buffer : DEFAULT_WRITE_BUFFER;
    size_t total = o->write_buffer_total ? o->write_buffer_total : DEFAULT_WRITE_BUFFER_TOTAL;
    int nbuf = o->max_write_buffers ? o->max_write_buffers : DEFAULT_MAX_WRITE_BUFFERS;
    int files = o->max_open_files ? o->max_open_files : DEFAULT_MAX_OPEN_FILES;

    store_untune(st);
    st->cache = rocksdb_cache_create_lru(o->block_cache ? o->block_cache : DEFAULT_BLOCK_CACHE);
    st->opts = rocksdb_options_create();
    if (!st->cache || !st->opts)
        return -ENOMEM;
    rocksdb_options_set_create_if_missing(st->opts, 1);
    rocksdb_options_set_create_missing_column_families(st->opts, 1);
    rocksdb_options_increase_parallelism(st->opts, 2);
    rocksdb_options_set_max_background_jobs(st->opts, 2);
    rocksdb_options_set_write_buffer_size(st->opts, wb);
    rocksdb_options_set_max_write_buffer_number(st->opts, nbuf);
    rocksdb_options_set_db_write_buffer_size(st->opts, total);
    /* a secondary instance must hold every table file open (RocksDB's
     * rule): files its primary compacts away stay readable */
    rocksdb_options_set_max_open_files(st->opts, st->read_only ? -1 : files);
    /* writes are serialised by our own mutex: skip the concurrent memtable
     * machinery, and let WAL and memtable writes of consecutive batches overlap */
    rocksdb_options_set_allow_concurrent_memtable_write(st->opts, 0);
    rocksdb_options_set_enable_pipelined_write(st->opts, 1);
    set_compression(st->opts, tier);
    for (int c = 0; c < STORE_CF_N; c++) {
        rocksdb_block_based_table_options_t *t = table_options(st, c);

        st->cf_opts[c] = rocksdb_options_create_copy(st->opts);
        if (!t || !st->cf_opts[c]) {
            if (t)
                rocksdb_block_based_options_destroy(t);
            return -ENOMEM;
        }
        rocksdb_options_set_block_based_table_factory(st->cf_opts[c], t);
        rocksdb_block_based_options_destroy(t);   /* the factory holds a copy */
        if (family[c].churn) {
            if (tier == TIER_ZSTD)
                set_compression(st->cf_opts[c], TIER_LZ4);
            /* small levels and files: a flush spans every key prefix, so
             * with RocksDB's 256 MiB first level each L0 compaction
             * rewrote the whole family; past a small L1 the keys of each
             * prefix arrive in time order and move down a file at a time */
            rocksdb_options_set_max_bytes_for_level_base(st->cf_opts[c], CHURN_LEVEL_BASE);
            rocksdb_options_set_target_file_size_base(st->cf_opts[c], CHURN_FILE_SIZE);
        }
        if (family[c].bloom) {
            /* most ids checked are new: a memtable bloom answers "absent"
             * without a skiplist search */
            rocksdb_options_set_memtable_prefix_bloom_size_ratio(st->cf_opts[c], 0.1);
            rocksdb_options_set_memtable_whole_key_filtering(st->cf_opts[c], 1);
        }
    }
    /* the database-wide options carry the default family's table settings */
    rocksdb_options_destroy(st->opts);
    st->opts = rocksdb_options_create_copy(st->cf_opts[STORE_CF_META]);
    return st->opts ? 0 : -ENOMEM;
}

void store_untune(struct store *st)
{
    for (int c = 0; c < STORE_CF_N; c++)
        if (st->cf_opts[c]) {
            rocksdb_options_destroy(st->cf_opts[c]);
            st->cf_opts[c] = NULL;
        }
    if (st->opts)
        rocksdb_options_destroy(st->opts);
    st->opts = NULL;
    if (st->cache)
        rocksdb_cache_destroy(st->cache);
    st->cache = NULL;
}

int store_compact(struct store *st)
{
    rocksdb_compactoptions_t *co;
    rocksdb_flushoptions_t *fo;
    char *err = NULL;
    int r = 0;

    if (st->read_only)
        return -EROFS;
    co = rocksdb_compactoptions_create();
    fo = rocksdb_flushoptions_create();
    if (!co || !fo) {
        r = -ENOMEM;
        goto out;
    }
    rocksdb_flushoptions_set_wait(fo, 1);
    /* rewrite the bottommost level too, so everything ends in its final
     * compression; exclusive, so no background compaction runs beside it
     * (a non-exclusive one was seen to leave part of the store as it was) */
    rocksdb_compactoptions_set_bottommost_level_compaction(co, 2 /* kForce */);
    rocksdb_compactoptions_set_exclusive_manual_compaction(co, 1);
    pthread_rwlock_rdlock(&st->dblock);
    if (!st->db)
        r = -EIO;
    for (int c = 0; c < STORE_CF_N && r == 0; c++) {
        rocksdb_flush_cf(st->db, fo, st->cf[c], &err);
        if (!err)
            rocksdb_compact_range_cf_opt(st->db, st->cf[c], co, NULL, 0, NULL, 0);
        if (err)
            r = store_rocks_err(err, "compaction");
    }
    pthread_rwlock_unlock(&st->dblock);
out:
    if (fo)
        rocksdb_flushoptions_destroy(fo);
    if (co)
        rocksdb_compactoptions_destroy(co);
    return r;
}

int64_t store_memory(struct store *st, struct store_memory *ret)
{
    uint64_t v;

    memset(ret, 0, sizeof(*ret));
    pthread_rwlock_rdlock(&st->dblock);
    if (st->db) {
        for (int c = 0; c < STORE_CF_N; c++) {
            if (!st->cf[c])
                continue;
            if (rocksdb_property_int_cf(st->db, st->cf[c], "rocksdb.size-all-mem-tables", &v) == 0)
                ret->memtables += (int64_t)v;
            if (rocksdb_property_int_cf(st->db, st->cf[c], "rocksdb.estimate-table-readers-mem",
                                        &v) == 0)
                ret->table_readers += (int64_t)v;
        }
    }
    pthread_rwlock_unlock(&st->dblock);
    ret->block_cache = st->cache ? (int64_t)rocksdb_cache_get_usage(st->cache) : 0;
    ret->block_cache_pinned = st->cache ? (int64_t)rocksdb_cache_get_pinned_usage(st->cache) : 0;
    return ret->memtables + ret->table_readers + ret->block_cache;
}

/* ing_store.c - the RocksDB store behind inquestd.
 *
 * Design notes:
 * - An event is written once as the value of its by_time key; the ids
 *   column family is the dedup set and the way from an id to the event.
 *   Indexes by service and incident_key hold empty values.  All keys of one
 *   event go into one WriteBatch with the other events of its batch, so an
 *   acknowledged batch is on disk whole or not at all.
 * - Dedup and group commit of events live in ing_store_commit.c; the ids
 *   family has a bloom filter (and a memtable bloom), so the check of a
 *   new id rarely touches a data block.
 * - RocksDB errors arrive as malloc'ed strings; they are logged once here
 *   and turned into -EIO. */
#include "ing_store_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <rocksdb/c.h>
#include <msgpack.h>

#include "ing_keys.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

#define STORE_SCHEMA "1"

static const char *const cf_names[ING_CF_N] = {
    [ING_CF_META] = "default",       [ING_CF_BY_TIME] = "by_time",
    [ING_CF_IDS] = "ids",            [ING_CF_BY_SERVICE] = "by_service",
    [ING_CF_BY_KEY] = "by_key",      [ING_CF_INCIDENTS] = "incidents",
    [ING_CF_STATE] = "state",
};

int ing_store_rocks_err(char *err, const char *what)
{
    iq_error("store", "%s: %s", what, err);
    rocksdb_free(err);
    return -EIO;
}

static void configure(struct ing_store *st)
{
    st->opts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(st->opts, 1);
    rocksdb_options_set_create_missing_column_families(st->opts, 1);
    rocksdb_options_increase_parallelism(st->opts, 2);
    rocksdb_options_set_max_background_jobs(st->opts, 2);
    rocksdb_options_set_write_buffer_size(st->opts, 64 << 20);
    rocksdb_options_set_compression(st->opts, rocksdb_lz4_compression);
    {
        /* L0 and L1 are rewritten soon by compaction: compressing them on
         * flush spends CPU that ingest needs; deeper levels use LZ4 */
        int levels[7] = { rocksdb_no_compression, rocksdb_no_compression,
                          rocksdb_lz4_compression, rocksdb_lz4_compression,
                          rocksdb_lz4_compression, rocksdb_lz4_compression,
                          rocksdb_lz4_compression };

        rocksdb_options_set_num_levels(st->opts, 7);
        rocksdb_options_set_compression_per_level(st->opts, levels, 7);
    }
    rocksdb_options_set_max_open_files(st->opts, 512);
    /* writes are serialised by our own mutex: skip the concurrent memtable
     * machinery, and let WAL and memtable writes of consecutive batches overlap */
    rocksdb_options_set_allow_concurrent_memtable_write(st->opts, 0);
    rocksdb_options_set_enable_pipelined_write(st->opts, 1);

    st->bbo = rocksdb_block_based_options_create();
    rocksdb_block_based_options_set_filter_policy(st->bbo, rocksdb_filterpolicy_create_bloom(10));
    st->ids_opts = rocksdb_options_create_copy(st->opts);
    rocksdb_options_set_block_based_table_factory(st->ids_opts, st->bbo);
    /* most ids checked are new: a memtable bloom answers "absent" without a
     * skiplist search */
    rocksdb_options_set_memtable_prefix_bloom_size_ratio(st->ids_opts, 0.1);
    rocksdb_options_set_memtable_whole_key_filtering(st->ids_opts, 1);
    st->wopts = rocksdb_writeoptions_create();
    st->ropts = rocksdb_readoptions_create();
}

/* Which of our families exist on disk (read-only opens need exactly those). */
static int existing_families(struct ing_store *st, const char *dir, bool present[ING_CF_N])
{
    char *err = NULL, **names;
    size_t n = 0;

    names = rocksdb_list_column_families(st->opts, dir, &n, &err);
    if (err) {
        rocksdb_free(err);
        if (names)
            rocksdb_list_column_families_destroy(names, n);
        return -ENOENT;
    }
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < ING_CF_N; c++)
            if (strcmp(names[i], cf_names[c]) == 0)
                present[c] = true;
    rocksdb_list_column_families_destroy(names, n);
    return 0;
}

static int check_schema(struct ing_store *st)
{
    char *val = NULL;
    size_t len;
    int r = ing_store_kv_get(st, ING_CF_META, "schema", 6, &val, &len);

    if (r == -ENOENT)
        return st->read_only ? 0 : ing_store_kv_put(st, ING_CF_META, "schema", 6, STORE_SCHEMA, 1);
    if (r < 0)
        return r;
    if (strcmp(val, STORE_SCHEMA) != 0) {
        iq_error("store", "data directory has store schema %.16s, this build reads %s", val,
                 STORE_SCHEMA);
        r = -EPROTO;
    }
    free(val);
    return r;
}

int ing_store_open(const char *dir, const struct ing_store_opts *o, struct ing_store **ret)
{
    struct ing_store *st = calloc(1, sizeof(*st));
    const char *names[ING_CF_N];
    const rocksdb_options_t *copts[ING_CF_N];
    rocksdb_column_family_handle_t *handles[ING_CF_N];
    bool present[ING_CF_N] = { false };
    int map[ING_CF_N], n = 0, r;
    char *err = NULL;

    if (!st)
        return -ENOMEM;
    pthread_mutex_init(&st->lock, NULL);
    st->read_only = o && o->read_only;
    configure(st);
    rocksdb_writeoptions_set_sync(st->wopts, o && o->fsync);
    if (st->read_only) {
        r = existing_families(st, dir, present);
        if (r < 0) {
            iq_error("store", "%s: no inquest data directory here", dir);
            goto fail;
        }
    }
    for (int c = 0; c < ING_CF_N; c++) {
        if (st->read_only && !present[c])
            continue;
        names[n] = cf_names[c];
        copts[n] = c == ING_CF_IDS ? st->ids_opts : st->opts;
        map[n++] = c;
    }
    if (st->read_only)
        st->db = rocksdb_open_for_read_only_column_families(st->opts, dir, n, names, copts,
                                                            handles, 0, &err);
    else
        st->db = rocksdb_open_column_families(st->opts, dir, n, names, copts, handles, &err);
    if (err) {
        r = ing_store_rocks_err(err, dir);
        goto fail;
    }
    for (int i = 0; i < n; i++)
        st->cf[map[i]] = handles[i];
    r = check_schema(st);
    if (r < 0)
        goto fail;
    *ret = st;
    return 0;
fail:
    ing_store_close(&st);
    return r;
}

void ing_store_close(struct ing_store **pst)
{
    struct ing_store *st;
    char *err = NULL;

    if (!pst || !*pst)
        return;
    st = *pst;
    if (st->db && !st->read_only) {
        rocksdb_flush_wal(st->db, 1, &err);
        if (err)
            ing_store_rocks_err(err, "flush WAL on close");
    }
    for (int c = 0; c < ING_CF_N; c++)
        if (st->cf[c])
            rocksdb_column_family_handle_destroy(st->cf[c]);
    if (st->db)
        rocksdb_close(st->db);
    if (st->wopts)
        rocksdb_writeoptions_destroy(st->wopts);
    if (st->ropts)
        rocksdb_readoptions_destroy(st->ropts);
    if (st->ids_opts)
        rocksdb_options_destroy(st->ids_opts);
    if (st->opts)
        rocksdb_options_destroy(st->opts);
    if (st->bbo)
        rocksdb_block_based_options_destroy(st->bbo);
    ing_store_probe_free(&st->probe);
    pthread_mutex_destroy(&st->lock);
    free(st);
    *pst = NULL;
}

void ing_store_set_listener(struct ing_store *st, ing_store_listener_fn fn, void *ud)
{
    pthread_mutex_lock(&st->lock);
    st->listener = fn;
    st->listener_ud = ud;
    pthread_mutex_unlock(&st->lock);
}

int ing_store_get_event(struct ing_store *st, const char *id, struct iq_event **ret)
{
    char key[ING_KEY_MAX], *at = NULL, *val = NULL, emsg[IQ_ERR_MAX];
    size_t len, idlen = strlen(id), kl;
    int r;

    if (idlen == 0 || idlen > IQ_ID_MAX)
        return -ENOENT;
    r = ing_store_kv_get(st, ING_CF_IDS, id, idlen, &at, &len);
    if (r < 0)
        return r;
    if (len != 8) {
        r = -EINVAL;
        goto out;
    }
    kl = ing_key_time(key, ing_be64_get(at), id, idlen);
    r = ing_store_kv_get(st, ING_CF_BY_TIME, key, kl, &val, &len);
    if (r < 0)
        goto out;
    r = iq_event_decode(val, len, ret, emsg, sizeof(emsg));
    if (r < 0)
        iq_error("store", "event %.200s: stored value unreadable: %s", id, emsg);
out:
    free(at);
    free(val);
    return r;
}

uint64_t ing_store_count_estimate(struct ing_store *st)
{
    uint64_t n = 0;

    if (st->cf[ING_CF_IDS])
        rocksdb_property_int_cf(st->db, st->cf[ING_CF_IDS], "rocksdb.estimate-num-keys", &n);
    return n;
}

/* Iterate one family from start (inclusive) while keys start with prefix.
 * visit returns non-zero to stop. */
static int iterate(struct ing_store *st, enum ing_cf cf, const char *start, size_t sl,
                   const char *prefix, size_t pl, ing_kv_fn visit, void *ud)
{
    rocksdb_iterator_t *it;
    char *err = NULL;
    int r = 0;

    if (!st->cf[cf])
        return 0;
    it = rocksdb_create_iterator_cf(st->db, st->ropts, st->cf[cf]);
    if (!it)
        return -ENOMEM;
    for (rocksdb_iter_seek(it, start, sl); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t kl, vl;
        const char *k = rocksdb_iter_key(it, &kl), *v = rocksdb_iter_value(it, &vl);

        if (kl < pl || memcmp(k, prefix, pl) != 0)
            break;
        r = visit(ud, k, kl, v, vl);
        if (r)
            break;
    }
    rocksdb_iter_get_error(it, &err);
    if (err && r == 0)
        r = ing_store_rocks_err(err, "iterate");
    else if (err)
        rocksdb_free(err);
    rocksdb_iter_destroy(it);
    return r;
}

struct scan_state {
    struct ing_store *st;
    const struct ing_scan *scan;
    size_t prefix_len;
    ing_scan_fn cb;
    void *ud;
};

static int visit_time(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct scan_state *s = ud;

    if (s->scan->until != IQ_TIME_NONE && kl >= 8 && ing_be64_get(k) >= s->scan->until)
        return 1;
    return s->cb(s->ud, v, vl);
}

static int visit_index(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct scan_state *s = ud;
    char key[ING_KEY_MAX], *val = NULL;
    const char *id;
    size_t idlen, len, tkl;
    int64_t at;
    int r;

    (void)v;
    (void)vl;
    if (ing_key_index_split(k, kl, &at, &id, &idlen) < 0)
        return 0;
    if (s->scan->until != IQ_TIME_NONE && at >= s->scan->until)
        return 1;
    tkl = ing_key_time(key, at, id, idlen);
    r = ing_store_kv_get(s->st, ING_CF_BY_TIME, key, tkl, &val, &len);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return r;
    r = s->cb(s->ud, val, len);
    free(val);
    return r;
}

int ing_store_scan(struct ing_store *st, const struct ing_scan *scan, ing_scan_fn cb, void *ud)
{
    struct scan_state s = { st, scan, 0, cb, ud };
    char start[ING_KEY_MAX], prefix[ING_KEY_MAX];
    const char *name = scan->service ? scan->service : scan->incident_key;
    int64_t since = scan->since == IQ_TIME_NONE ? INT64_MIN : scan->since;
    size_t pl, sl;
    int r;

    if (!name) {
        ing_be64_put(start, since);
        r = iterate(st, ING_CF_BY_TIME, start, 8, "", 0, visit_time, &s);
    } else {
        pl = ing_key_index_prefix(prefix, name, strlen(name));
        memcpy(start, prefix, pl);
        ing_be64_put(start + pl, since);
        sl = pl + 8;
        r = iterate(st, scan->service ? ING_CF_BY_SERVICE : ING_CF_BY_KEY, start, sl, prefix,
                    pl, visit_index, &s);
    }
    return r < 0 ? r : r > 0 && r != 1 ? r : 0;
}

int ing_store_kv_put(struct ing_store *st, enum ing_cf cf, const char *k, size_t kl,
                     const char *v, size_t vl)
{
    char *err = NULL;

    if (st->read_only || !st->cf[cf])
        return -EROFS;
    rocksdb_put_cf(st->db, st->wopts, st->cf[cf], k, kl, v, vl, &err);
    return err ? ing_store_rocks_err(err, "put") : 0;
}

int ing_store_kv_delete(struct ing_store *st, enum ing_cf cf, const char *k, size_t kl)
{
    char *err = NULL;

    if (st->read_only || !st->cf[cf])
        return -EROFS;
    rocksdb_delete_cf(st->db, st->wopts, st->cf[cf], k, kl, &err);
    return err ? ing_store_rocks_err(err, "delete") : 0;
}

int ing_store_kv_get(struct ing_store *st, enum ing_cf cf, const char *k, size_t kl,
                     char **ret_val, size_t *ret_len)
{
    rocksdb_pinnableslice_t *ps;
    const char *v;
    char *err = NULL, *copy;
    size_t vl;

    if (!st->cf[cf])
        return -ENOENT;
    ps = rocksdb_get_pinned_cf(st->db, st->ropts, st->cf[cf], k, kl, &err);
    if (err)
        return ing_store_rocks_err(err, "get");
    if (!ps)
        return -ENOENT;
    v = rocksdb_pinnableslice_value(ps, &vl);
    copy = malloc(vl + 1);
    if (!copy) {
        rocksdb_pinnableslice_destroy(ps);
        return -ENOMEM;
    }
    memcpy(copy, v, vl);
    copy[vl] = '\0';
    rocksdb_pinnableslice_destroy(ps);
    *ret_val = copy;
    *ret_len = vl;
    return 0;
}

int ing_store_kv_scan(struct ing_store *st, enum ing_cf cf, const char *prefix, size_t plen,
                      ing_kv_fn cb, void *ud)
{
    int r = iterate(st, cf, prefix, plen, prefix, plen, cb, ud);

    return r < 0 ? r : 0;
}

struct ing_kvbatch {
    struct ing_store *st;
    rocksdb_writebatch_t *wb;
};

struct ing_kvbatch *ing_kvbatch_new(struct ing_store *st)
{
    struct ing_kvbatch *b = calloc(1, sizeof(*b));

    if (!b)
        return NULL;
    b->st = st;
    b->wb = rocksdb_writebatch_create();
    if (!b->wb) {
        free(b);
        return NULL;
    }
    return b;
}

void ing_kvbatch_put(struct ing_kvbatch *b, enum ing_cf cf, const char *k, size_t kl,
                     const char *v, size_t vl)
{
    if (b->st->cf[cf])
        rocksdb_writebatch_put_cf(b->wb, b->st->cf[cf], k, kl, v, vl);
}

void ing_kvbatch_delete(struct ing_kvbatch *b, enum ing_cf cf, const char *k, size_t kl)
{
    if (b->st->cf[cf])
        rocksdb_writebatch_delete_cf(b->wb, b->st->cf[cf], k, kl);
}

void ing_kvbatch_clear_cf(struct ing_kvbatch *b, enum ing_cf cf)
{
    char end[ING_KEY_MAX + 8];

    memset(end, 0xff, sizeof(end));
    if (b->st->cf[cf])
        rocksdb_writebatch_delete_range_cf(b->wb, b->st->cf[cf], "", 0, end, sizeof(end));
}

int ing_kvbatch_commit(struct ing_kvbatch *b)
{
    char *err = NULL;

    if (b->st->read_only)
        return -EROFS;
    rocksdb_write(b->st->db, b->st->wopts, b->wb, &err);
    return err ? ing_store_rocks_err(err, "write kv batch") : 0;
}

void ing_kvbatch_destroy(struct ing_kvbatch **pb)
{
    if (!pb || !*pb)
        return;
    rocksdb_writebatch_destroy((*pb)->wb);
    free(*pb);
    *pb = NULL;
}

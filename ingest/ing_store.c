/* ing_store.c - the RocksDB store behind inquestd.
 *
 * Design notes:
 * - An event is written once as the value of its by_time key; the ids
 *   column family is the dedup set and the way from an id to the event.
 *   Indexes by service and incident_key hold empty values.  All keys of one
 *   event go into one WriteBatch with the other events of its batch, so an
 *   acknowledged batch is on disk whole or not at all.
 * - Dedup and write are done by one committer at a time (group commit,
 *   see ing_store_put_encoded): two writers (the ZeroMQ ingest thread and
 *   HTTP threads) can never both decide that the same id is new, and a
 *   duplicate is never acknowledged before the first copy is written.
 *   The ids family has a bloom filter, so the check of a new id rarely
 *   touches a data block.
 * - RocksDB errors arrive as malloc'ed strings; they are logged once here
 *   and turned into -EIO. */
#include "ing_store.h"

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

struct put_req;

struct ing_store {
    rocksdb_t *db;
    rocksdb_options_t *opts;
    rocksdb_options_t *ids_opts;
    rocksdb_block_based_table_options_t *bbo;
    rocksdb_column_family_handle_t *cf[ING_CF_N];   /* NULL if absent (read-only) */
    rocksdb_writeoptions_t *wopts;
    rocksdb_readoptions_t *ropts;
    pthread_mutex_t lock;        /* guards the commit queue and the listener */
    struct put_req *head, *tail; /* commit queue; head is the leader */
    ing_store_listener_fn listener;
    void *listener_ud;
    bool read_only;
};

static int rocks_err(char *err, const char *what)
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
        r = rocks_err(err, dir);
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
            rocks_err(err, "flush WAL on close");
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

/* Is id already stored? 1 yes, 0 no, -EIO. */
static int id_exists(struct ing_store *st, const char *id, size_t len)
{
    char *err = NULL;
    rocksdb_pinnableslice_t *ps;

    ps = rocksdb_get_pinned_cf(st->db, st->ropts, st->cf[ING_CF_IDS], id, len, &err);
    if (err)
        return rocks_err(err, "read ids");
    if (!ps)
        return 0;
    rocksdb_pinnableslice_destroy(ps);
    return 1;
}

/* Open-addressing set of the ids already taken in the current batch, so a
 * batch that repeats an id stores it once.  Sized to twice the batch. */
struct idset {
    const char **slot;
    size_t mask;
};

static int idset_init(struct idset *set, size_t n)
{
    size_t cap = 16;

    while (cap < 2 * n)
        cap <<= 1;
    set->slot = calloc(cap, sizeof(*set->slot));
    set->mask = cap - 1;
    return set->slot ? 0 : -ENOMEM;
}

/* Insert id (borrowed); false if it was already there. */
static bool idset_add(struct idset *set, const char *id)
{
    uint64_t h = 1469598103934665603ULL;

    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    for (size_t i = h & set->mask;; i = (i + 1) & set->mask) {
        if (!set->slot[i]) {
            set->slot[i] = id;
            return true;
        }
        if (strcmp(set->slot[i], id) == 0)
            return false;
    }
}

/* Add the keys of one event to wb; val is its encoded value. */
static void batch_event(struct ing_store *st, rocksdb_writebatch_t *wb, const struct iq_event *ev,
                        size_t idlen, const char *val, size_t vlen)
{
    char key[ING_KEY_MAX], at[8];
    const char *id = iq_ev_id(ev), *svc = iq_ev_service(ev), *ikey = ev->str[IQ_F_INCIDENT_KEY];
    size_t kl;

    kl = ing_key_time(key, ev->at, id, idlen);
    rocksdb_writebatch_put_cf(wb, st->cf[ING_CF_BY_TIME], key, kl, val, vlen);
    ing_be64_put(at, ev->at);
    rocksdb_writebatch_put_cf(wb, st->cf[ING_CF_IDS], id, idlen, at, 8);
    if (svc) {
        kl = ing_key_index(key, svc, strlen(svc), ev->at, id, idlen);
        rocksdb_writebatch_put_cf(wb, st->cf[ING_CF_BY_SERVICE], key, kl, "", 0);
    }
    if (ikey) {
        kl = ing_key_index(key, ikey, strlen(ikey), ev->at, id, idlen);
        rocksdb_writebatch_put_cf(wb, st->cf[ING_CF_BY_KEY], key, kl, "", 0);
    }
}

/* One caller of ing_store_put_encoded waiting in the commit queue. */
struct put_req {
    struct iq_event *const *evs;
    const char *const *vals;
    const size_t *lens;
    size_t n;
    uint8_t *outcomes;
    int rc;                      /* events stored, or a negative errno */
    bool done;
    pthread_cond_t cv;
    struct put_req *next;
};

/* Dedup the events of one request against the store and the group so far
 * (seen), adding the new ones to wb.  Sets r->rc to the number added. */
static int group_add(struct ing_store *st, struct put_req *r, struct idset *seen,
                     rocksdb_writebatch_t *wb)
{
    int stored = 0, e;

    for (size_t i = 0; i < r->n; i++) {
        const char *id = iq_ev_id(r->evs[i]);
        size_t idlen = strlen(id);

        if (!idset_add(seen, id)) {
            r->outcomes[i] = ING_DUPLICATE;
            continue;
        }
        e = id_exists(st, id, idlen);
        if (e < 0)
            return e;
        r->outcomes[i] = e ? ING_DUPLICATE : ING_STORED;
        if (e)
            continue;
        batch_event(st, wb, r->evs[i], idlen, r->vals[i], r->lens[i]);
        stored++;
    }
    r->rc = stored;
    return stored;
}

/* The leader's work: dedup every request of the group [first, last] and
 * write them in one WriteBatch, then tell the listener.  Runs without the
 * queue lock; only one leader exists at a time, so dedup stays atomic. */
static int group_write(struct ing_store *st, struct put_req *first, const struct put_req *last,
                       size_t total, ing_store_listener_fn listener, void *lud)
{
    rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
    struct idset seen = { 0 };
    char *err = NULL;
    int stored = 0, r = 0;

    if (!wb || idset_init(&seen, total) < 0) {
        r = -ENOMEM;
        goto out;
    }
    for (struct put_req *q = first;; q = q->next) {
        r = group_add(st, q, &seen, wb);
        if (r < 0)
            goto out;
        stored += r;
        if (q == last)
            break;
    }
    r = 0;
    if (stored == 0)
        goto out;
    rocksdb_write(st->db, st->wopts, wb, &err);
    if (err) {
        r = rocks_err(err, "write batch");
        goto out;
    }
    for (struct put_req *q = first; listener; q = q->next) {
        if (q->rc > 0)
            listener(lud, q->evs, q->outcomes, q->n);
        if (q == last)
            break;
    }
out:
    if (wb)
        rocksdb_writebatch_destroy(wb);
    free(seen.slot);
    return r;
}

/* Group commit, as LevelDB's writer queue: each caller queues its request;
 * the one at the head leads, taking the requests queued behind it (up to
 * GROUP_EVENTS events) into one WriteBatch and one WAL write, then wakes
 * them with their outcomes and hands the lead to the next in line.
 * Concurrent HTTP threads and the ZeroMQ writer thus share WAL writes (and
 * fsyncs with --fsync) instead of queueing for them one by one. */
#define GROUP_EVENTS 8192

int ing_store_put_encoded(struct ing_store *st, struct iq_event *const *evs,
                          const char *const *vals, const size_t *lens, size_t n,
                          uint8_t *outcomes)
{
    struct put_req req = { .evs = evs, .vals = vals, .lens = lens, .n = n,
                           .outcomes = outcomes }, *last, *q;
    ing_store_listener_fn listener;
    size_t total;
    void *lud;
    int r;

    if (st->read_only)
        return -EROFS;
    pthread_cond_init(&req.cv, NULL);
    pthread_mutex_lock(&st->lock);
    if (st->tail)
        st->tail->next = &req;
    else
        st->head = &req;
    st->tail = &req;
    while (!req.done && st->head != &req)
        pthread_cond_wait(&req.cv, &st->lock);
    if (req.done)
        goto out;
    total = n;
    for (last = &req; last->next && total + last->next->n <= GROUP_EVENTS; last = last->next)
        total += last->next->n;
    listener = st->listener;
    lud = st->listener_ud;
    pthread_mutex_unlock(&st->lock);

    r = group_write(st, &req, last, total, listener, lud);

    pthread_mutex_lock(&st->lock);
    for (q = &req;; q = q->next) {
        if (r < 0)
            q->rc = r;
        q->done = true;
        if (q != &req)
            pthread_cond_signal(&q->cv);
        if (q == last)
            break;
    }
    st->head = last->next;
    if (st->head)
        pthread_cond_signal(&st->head->cv);
    else
        st->tail = NULL;
out:
    pthread_mutex_unlock(&st->lock);
    pthread_cond_destroy(&req.cv);
    return req.rc;
}

/* Encode in the caller's thread, so that group leaders only dedup and write. */
int ing_store_put_events(struct ing_store *st, struct iq_event *const *evs, size_t n,
                         uint8_t *outcomes)
{
    size_t stack_lens[64], *lens = n <= 64 ? stack_lens : malloc(n * sizeof(*lens));
    const char *stack_vals[64], **vals = n <= 64 ? stack_vals : malloc(n * sizeof(*vals));
    msgpack_sbuffer sb;
    msgpack_packer pk;
    size_t off = 0;
    int r = -ENOMEM;

    msgpack_sbuffer_init(&sb);
    if (!lens || !vals)
        goto out;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    for (size_t i = 0; i < n; i++) {
        iq_event_pack(&pk, evs[i]);
        lens[i] = sb.size - off;
        off = sb.size;
    }
    off = 0;
    for (size_t i = 0; i < n; i++) {
        vals[i] = sb.data + off;
        off += lens[i];
    }
    r = ing_store_put_encoded(st, evs, vals, lens, n, outcomes);
out:
    msgpack_sbuffer_destroy(&sb);
    if (lens != stack_lens)
        free(lens);
    if (vals != stack_vals)
        free(vals);
    return r;
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
        r = rocks_err(err, "iterate");
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
    return err ? rocks_err(err, "put") : 0;
}

int ing_store_kv_delete(struct ing_store *st, enum ing_cf cf, const char *k, size_t kl)
{
    char *err = NULL;

    if (st->read_only || !st->cf[cf])
        return -EROFS;
    rocksdb_delete_cf(st->db, st->wopts, st->cf[cf], k, kl, &err);
    return err ? rocks_err(err, "delete") : 0;
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
        return rocks_err(err, "get");
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
    return err ? rocks_err(err, "write kv batch") : 0;
}

void ing_kvbatch_destroy(struct ing_kvbatch **pb)
{
    if (!pb || !*pb)
        return;
    rocksdb_writebatch_destroy((*pb)->wb);
    free(*pb);
    *pb = NULL;
}

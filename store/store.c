/* store.c - the RocksDB store behind inquestd: reads and kv access
 * (scans are in store_scan.c; opening, closing and recovery in
 * store_open.c).
 *
 * Design notes:
 * - An event is written once as the value of its by_time key; the ids
 *   column family is the dedup set and the way from an id to the event.
 *   Indexes by service and incident_key hold empty values.  All keys of one
 *   event go into one WriteBatch with the other events of its batch, so an
 *   acknowledged batch is on disk whole or not at all.
 * - Dedup and group commit of events live in store_commit.c; the ids
 *   family has a bloom filter (and a memtable bloom), so the check of a
 *   new id rarely touches a data block.
 * - RocksDB errors arrive as malloc'ed strings; they are logged once here
 *   (store_rocks_err, for the whole store) and turned into -EIO.  The
 *   store's files form a chain: store_open.c uses this file,
 *   store_scan.c and store_commit.c, which use this file (make
 *   check-layers).  A failed write marks the store failed (see
 *   store_write_failed) and later writes stop before RocksDB.
 * - Every use of the database holds dblock for reading: the monitor may
 *   close and reopen it after a failure; meanwhile db is NULL and calls
 *   answer -EIO. */
#include "store_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rocksdb/c.h>
#include <msgpack.h>

#include "store_disk.h"
#include "store_keys.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_log.h"

/* The store's error boundary (contracts in store_int.h): every RocksDB
 * error string ends here, in the lowest file of the store, so that opening
 * (store_open.c) and committing (store_commit.c) use it without
 * depending on each other. */
int store_rocks_err(char *err, const char *what)
{
    iq_error("store", "%s: %s", what, err);
    rocksdb_free(err);
    return -EIO;
}

void store_rocks_err_first(int *r, char *err, const char *what)
{
    if (*r == 0)
        *r = store_rocks_err(err, what);
    else
        rocksdb_free(err);
}

bool store_no_space(const char *msg)
{
    return strstr(msg, "No space left") || strstr(msg, "Space limit");
}

int store_write_failed(struct store *st, char *err, const char *what)
{
    int r = store_no_space(err) ? -ENOSPC : -EIO, expected = 0;

    iq_error("store", "%s: %s; new events are answered busy until the store is reopened", what,
             err);
    pthread_mutex_lock(&st->mon_lock);
    snprintf(st->fail_msg, sizeof(st->fail_msg), "%s", err);
    atomic_compare_exchange_strong(&st->failed, &expected, r);
    pthread_cond_signal(&st->mon_cv);
    pthread_mutex_unlock(&st->mon_lock);
    rocksdb_free(err);
    if (st->disk)
        store_disk_write_failed(st->disk);
    return r;
}

void store_set_listener(struct store *st, store_listener_fn fn, void *ud)
{
    pthread_mutex_lock(&st->lock);
    st->listener = fn;
    st->listener_ud = ud;
    pthread_mutex_unlock(&st->lock);
}

int store_get_event(struct store *st, const char *id, struct iq_event **ret)
{
    char key[STORE_KEY_MAX], *at = NULL, *val = NULL, emsg[IQ_ERR_MAX];
    size_t len, idlen = strlen(id), kl;
    int r;

    if (idlen == 0 || idlen > IQ_ID_MAX)
        return -ENOENT;
    r = store_kv_get(st, STORE_CF_IDS, id, idlen, &at, &len);
    if (r < 0)
        return r;
    if (len != 8) {
        r = -EINVAL;
        goto out;
    }
    kl = store_key_time(key, store_be64_get(at), id, idlen);
    r = store_kv_get(st, STORE_CF_BY_TIME, key, kl, &val, &len);
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

/* One chunk of store_get_events: ids[0..n), n <= GET_CHUNK, looked up
 * in two batched MultiGets (ids, then by_time), under dblock. */
#define GET_CHUNK 1024

struct get_chunk {
    const char *keys[GET_CHUNK];
    size_t lens[GET_CHUNK];
    size_t at[GET_CHUNK];            /* index into ret of each by_time key */
    rocksdb_pinnableslice_t *vals[GET_CHUNK];
    char *errs[GET_CHUNK];
    char tkeys[GET_CHUNK][STORE_KEY_MAX];
};

/* The events' by_time keys from the ids family; returns how many exist. */
static int chunk_times(struct store *st, struct get_chunk *c, const char *const *ids, size_t n,
                       size_t *ret_m)
{
    size_t m = 0;
    int r = 0;

    for (size_t i = 0; i < n; i++) {
        c->keys[i] = ids[i];
        c->lens[i] = strlen(ids[i]);
    }
    rocksdb_batched_multi_get_cf(st->db, st->ropts, st->cf[STORE_CF_IDS], n, c->keys, c->lens,
                                 c->vals, c->errs, false);
    for (size_t i = 0; i < n; i++) {
        const char *v;
        size_t vl = 0;

        if (c->errs[i]) {
            store_rocks_err_first(&r, c->errs[i], "read ids");
            continue;
        }
        v = c->vals[i] ? rocksdb_pinnableslice_value(c->vals[i], &vl) : NULL;
        if (v && vl == 8 && c->lens[i] > 0 && c->lens[i] <= IQ_ID_MAX) {
            c->lens[m] = store_key_time(c->tkeys[m], store_be64_get(v), ids[i], c->lens[i]);
            c->at[m++] = i;
        }
        rocksdb_pinnableslice_destroy(c->vals[i]);
    }
    *ret_m = m;
    return r;
}

static int get_chunk(struct store *st, struct get_chunk *c, const char *const *ids, size_t n,
                     struct iq_event **ret)
{
    char emsg[IQ_ERR_MAX];
    size_t m = 0;
    int r = chunk_times(st, c, ids, n, &m), d;

    for (size_t k = 0; k < m; k++)
        c->keys[k] = c->tkeys[k];
    if (m)
        rocksdb_batched_multi_get_cf(st->db, st->ropts, st->cf[STORE_CF_BY_TIME], m, c->keys,
                                     c->lens, c->vals, c->errs, false);
    for (size_t k = 0; k < m; k++) {
        const char *v;
        size_t vl = 0;

        if (c->errs[k]) {
            store_rocks_err_first(&r, c->errs[k], "read events");
            continue;
        }
        if (!c->vals[k])
            continue;
        v = rocksdb_pinnableslice_value(c->vals[k], &vl);
        d = r == 0 ? iq_event_decode(v, vl, &ret[c->at[k]], emsg, sizeof(emsg)) : 0;
        if (d == -EINVAL)
            iq_error("store", "event %.200s: stored value unreadable: %s", ids[c->at[k]], emsg);
        else if (d < 0)
            r = d;
        rocksdb_pinnableslice_destroy(c->vals[k]);
    }
    return r;
}

int store_get_events(struct store *st, const char *const *ids, size_t n, struct iq_event **ret)
{
    struct get_chunk *c = malloc(sizeof(*c));
    int r = 0;

    memset(ret, 0, n * sizeof(*ret));
    if (!c)
        return -ENOMEM;
    pthread_rwlock_rdlock(&st->dblock);
    if (!st->db)
        r = -EIO;
    for (size_t i = 0; r == 0 && i < n; i += GET_CHUNK)
        r = get_chunk(st, c, ids + i, n - i < GET_CHUNK ? n - i : GET_CHUNK, ret + i);
    pthread_rwlock_unlock(&st->dblock);
    free(c);
    if (r < 0)
        for (size_t i = 0; i < n; i++)
            iq_event_destroy(&ret[i]);
    return r;
}

uint64_t store_count_estimate(struct store *st)
{
    uint64_t n = 0;

    pthread_rwlock_rdlock(&st->dblock);
    if (st->db && st->cf[STORE_CF_IDS])
        rocksdb_property_int_cf(st->db, st->cf[STORE_CF_IDS], "rocksdb.estimate-num-keys", &n);
    pthread_rwlock_unlock(&st->dblock);
    return n;
}

/* One put (v non-NULL) or delete of k in cf, through the free-space guard
 * and the reopen lock; a RocksDB error goes to store_write_failed. */
static int kv_write(struct store *st, enum store_cf cf, const char *k, size_t kl,
                    const char *v, size_t vl)
{
    char *err = NULL;
    int r = store_writable(st);

    if (r < 0)
        return r;
    pthread_rwlock_rdlock(&st->dblock);
    if (!st->db || !st->cf[cf])
        r = st->db ? -EROFS : -EIO;
    else if (v)
        rocksdb_put_cf(st->db, st->wopts, st->cf[cf], k, kl, v, vl, &err);
    else
        rocksdb_delete_cf(st->db, st->wopts, st->cf[cf], k, kl, &err);
    pthread_rwlock_unlock(&st->dblock);
    if (r == 0 && !err)
        store_metrics_write(st);
    return err ? store_write_failed(st, err, v ? "put" : "delete") : r;
}

int store_kv_put(struct store *st, enum store_cf cf, const char *k, size_t kl,
                 const char *v, size_t vl)
{
    return kv_write(st, cf, k, kl, v ? v : "", vl);
}

int store_kv_delete(struct store *st, enum store_cf cf, const char *k, size_t kl)
{
    return kv_write(st, cf, k, kl, NULL, 0);
}

int store_kv_get(struct store *st, enum store_cf cf, const char *k, size_t kl,
                 char **ret_val, size_t *ret_len)
{
    rocksdb_pinnableslice_t *ps;
    const char *v;
    char *err = NULL, *copy;
    size_t vl;

    pthread_rwlock_rdlock(&st->dblock);
    if (!st->db || !st->cf[cf]) {
        pthread_rwlock_unlock(&st->dblock);
        return st->db ? -ENOENT : -EIO;
    }
    ps = rocksdb_get_pinned_cf(st->db, st->ropts, st->cf[cf], k, kl, &err);
    pthread_rwlock_unlock(&st->dblock);
    if (err)
        return store_rocks_err(err, "get");
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

struct store_batch {
    struct store *st;
    rocksdb_writebatch_t *wb;
    bool broken;                 /* an op was dropped: the commit fails */
};

struct store_batch *store_batch_new(struct store *st)
{
    struct store_batch *b = calloc(1, sizeof(*b));

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

/* The batch records the family's id, not the handle: it stays valid
 * across a reopen.  A family missing (db closed by a failure) marks the
 * batch broken, and its commit fails. */
void store_batch_put(struct store_batch *b, enum store_cf cf, const char *k, size_t kl,
                     const char *v, size_t vl)
{
    pthread_rwlock_rdlock(&b->st->dblock);
    if (b->st->cf[cf])
        rocksdb_writebatch_put_cf(b->wb, b->st->cf[cf], k, kl, v, vl);
    else
        b->broken = true;
    pthread_rwlock_unlock(&b->st->dblock);
}

void store_batch_delete(struct store_batch *b, enum store_cf cf, const char *k, size_t kl)
{
    pthread_rwlock_rdlock(&b->st->dblock);
    if (b->st->cf[cf])
        rocksdb_writebatch_delete_cf(b->wb, b->st->cf[cf], k, kl);
    else
        b->broken = true;
    pthread_rwlock_unlock(&b->st->dblock);
}

void store_batch_clear_cf(struct store_batch *b, enum store_cf cf)
{
    char end[STORE_KEY_MAX + 8];

    memset(end, 0xff, sizeof(end));
    pthread_rwlock_rdlock(&b->st->dblock);
    if (b->st->cf[cf])
        rocksdb_writebatch_delete_range_cf(b->wb, b->st->cf[cf], "", 0, end, sizeof(end));
    else
        b->broken = true;
    pthread_rwlock_unlock(&b->st->dblock);
}

static int batch_commit(struct store_batch *b, bool logged)
{
    rocksdb_writeoptions_t *wo = logged ? b->st->wopts : b->st->wopts_unlogged;
    char *err = NULL;
    int r = store_writable(b->st);

    if (r < 0)
        return r;
    if (!wo)
        return -ENOMEM;
    pthread_rwlock_rdlock(&b->st->dblock);
    if (!b->st->db || b->broken)
        r = -EIO;
    else
        rocksdb_write(b->st->db, wo, b->wb, &err);
    pthread_rwlock_unlock(&b->st->dblock);
    if (r == 0 && !err)
        store_metrics_write(b->st);
    return err ? store_write_failed(b->st, err, "write kv batch") : r;
}

int store_batch_commit(struct store_batch *b)
{
    return batch_commit(b, true);
}

int store_batch_commit_unlogged(struct store_batch *b)
{
    return batch_commit(b, false);
}

int store_flush(struct store *st, enum store_cf cf, bool wait)
{
    rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
    char *err = NULL;
    int r = 0;

    if (!fo)
        return -ENOMEM;
    rocksdb_flushoptions_set_wait(fo, wait);
    pthread_rwlock_rdlock(&st->dblock);
    if (!st->db || !st->cf[cf])
        r = -EIO;
    else
        rocksdb_flush_cf(st->db, fo, st->cf[cf], &err);
    pthread_rwlock_unlock(&st->dblock);
    rocksdb_flushoptions_destroy(fo);
    return err ? store_write_failed(st, err, "flush") : r;
}

void store_batch_clear(struct store_batch *b)
{
    rocksdb_writebatch_clear(b->wb);
    b->broken = false;
}

void store_batch_destroy(struct store_batch **pb)
{
    if (!pb || !*pb)
        return;
    rocksdb_writebatch_destroy((*pb)->wb);
    free(*pb);
    *pb = NULL;
}

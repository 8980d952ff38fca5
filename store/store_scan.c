/* store_scan.c - the store's scans (store_scan, store_kv_scan,
 * store_kv_scan_from), which step aside for a writer of the reopen lock,
 * and the writer's side of that protocol (store_writer_*, used by the
 * monitor's reopen in store_open.c and by retention's chunks).
 *
 * Design notes.
 * - A scan holds dblock for reading while it iterates; reopening the
 *   database after a failed write, and each chunk of a retention pass,
 *   take it for writing.  A full rebuild scans every event (minutes on a
 *   large store): a writer that waited for it would keep the store busy
 *   that long after space came back.  So a writer first announces itself
 *   (st->writers) and every scan, after the key it is visiting, yields: it
 *   copies that key, destroys its iterator, releases the lock, waits for a
 *   writer to finish, takes the lock again, makes a new iterator with the
 *   same read options and seeks past the copy.  The hot path costs one
 *   relaxed atomic load per key: no system call, no lock.
 * - glibc's rwlock prefers readers: a scan that took the lock straight
 *   back while another scan still held it would keep the lock read-held
 *   between the two of them, and the writer would never get in.  So a
 *   yielding scan waits (a condition variable) until a writer finished
 *   since it yielded, at most YIELD_WAIT_MS: a reader that cannot yield
 *   (a compaction, a checkpoint, a caller's lock held around a scan whose
 *   callback another scan waits on) must not turn that wait into a
 *   deadlock.  After a wait that timed out the scan goes on and tries
 *   again YIELD_RETRY keys later; after one that did not, YIELD_GRACE keys
 *   later, so that a writer coming back at once (retention's next chunk)
 *   cannot starve the scan either.
 * - The lock stays reader-preferring (not glibc's
 *   PREFER_WRITER_NONRECURSIVE): scan callbacks read and write the store
 *   (nested read locks), and a correlator rebuild's reading thread waits
 *   for its walking thread, which uses the store; with writers preferred,
 *   those readers would queue behind a writer that waits for their own
 *   thread or its partner.  Short reads never wait for a writer.
 * - Only a thread's outermost scan yields (a thread-local depth): the
 *   outer scan of a nested one still holds the lock.
 * - After a yield a scan reads a newer snapshot of the store (the
 *   contract is in store.h). */
#include "store_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rocksdb/c.h>

#include "store_keys.h"
#include "iq_time.h"

#define YIELD_WAIT_MS 1000     /* the longest a yielding scan waits for a writer */
#define YIELD_GRACE 1024       /* keys visited after a yield before the next one */
#define YIELD_RETRY 65536      /* the same after a wait that timed out */

/* Scans this thread is inside (a callback may scan again). */
static _Thread_local unsigned scan_depth;

void store_writer_enter(struct store *st)
{
    atomic_fetch_add(&st->writers, 1);
}

void store_writer_lock(struct store *st)
{
    pthread_rwlock_wrlock(&st->dblock);
}

void store_writer_unlock(struct store *st)
{
    pthread_rwlock_unlock(&st->dblock);
    pthread_mutex_lock(&st->yield_lock);
    atomic_fetch_add(&st->writes_done, 1);
    atomic_fetch_sub(&st->writers, 1);
    pthread_cond_broadcast(&st->yield_cv);
    pthread_mutex_unlock(&st->yield_lock);
}

/* One iteration of a family, with what a yield needs to start again. */
struct scan {
    struct store *st;
    enum store_cf cf;
    const rocksdb_readoptions_t *ro;
    rocksdb_iterator_t *it;
    unsigned grace;          /* keys to visit before honouring a writer */
    char *key;               /* the last key visited, copied at a yield */
    size_t cap;
};

/* Should the scan yield after the key it just visited? */
static inline bool yield_due(struct scan *sc)
{
    if (!atomic_load_explicit(&sc->st->writers, memory_order_relaxed))
        return false;
    if (sc->grace) {
        sc->grace--;
        return false;
    }
    return scan_depth == 1;
}

/* Until a writer finished after generation g, at most YIELD_WAIT_MS.
 * true when one did. */
static bool wait_writer(struct store *st, uint64_t g)
{
    struct timespec until;
    bool done;

    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += YIELD_WAIT_MS * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&st->yield_lock);
    while (atomic_load(&st->writes_done) == g &&
           pthread_cond_timedwait(&st->yield_cv, &st->yield_lock, &until) == 0)
        ;
    done = atomic_load(&st->writes_done) != g;
    pthread_mutex_unlock(&st->yield_lock);
    return done;
}

/* Let the waiting writer through after visiting k (in sc->it, under the
 * read lock), then go on at the key after k.  The read lock is held again
 * on every return.  0; -EIO when the database is gone (a failed reopen:
 * sc->it is NULL); -ENOMEM (sc->it unchanged, the lock never released). */
static int yield(struct scan *sc, const char *k, size_t kl)
{
    struct store *st = sc->st;
    uint64_t g = atomic_load(&st->writes_done);   /* before the writer can run */
    const char *at;
    size_t al;

    if (kl > sc->cap || !sc->key) {
        char *n = realloc(sc->key, kl ? kl : 1);

        if (!n)
            return -ENOMEM;
        sc->key = n;
        sc->cap = kl;
    }
    memcpy(sc->key, k, kl);
    rocksdb_iter_destroy(sc->it);
    sc->it = NULL;
    pthread_rwlock_unlock(&st->dblock);
    sc->grace = wait_writer(st, g) ? YIELD_GRACE : YIELD_RETRY;
    pthread_rwlock_rdlock(&st->dblock);
    if (!st->db || !st->cf[sc->cf])
        return -EIO;
    if (!(sc->it = rocksdb_create_iterator_cf(st->db, sc->ro, st->cf[sc->cf])))
        return -ENOMEM;
    rocksdb_iter_seek(sc->it, sc->key, kl);
    if (rocksdb_iter_valid(sc->it)) {
        at = rocksdb_iter_key(sc->it, &al);
        if (al == kl && memcmp(at, sc->key, kl) == 0)
            rocksdb_iter_next(sc->it);      /* visited before the yield */
    }
    return 0;
}

/* The loop of iterate, under the read lock, sc->it made. */
static int walk(struct scan *sc, const char *start, size_t sl, const char *prefix, size_t pl,
                store_kv_fn visit, void *ud)
{
    char *err = NULL;
    int r = 0;

    rocksdb_iter_seek(sc->it, start, sl);
    while (rocksdb_iter_valid(sc->it)) {
        size_t kl, vl;
        const char *k = rocksdb_iter_key(sc->it, &kl), *v = rocksdb_iter_value(sc->it, &vl);

        if (kl < pl || memcmp(k, prefix, pl) != 0)
            break;
        if ((r = visit(ud, k, kl, v, vl)))
            return r;
        if (yield_due(sc)) {
            if ((r = yield(sc, k, kl)) < 0)
                return r;
            continue;
        }
        rocksdb_iter_next(sc->it);
    }
    rocksdb_iter_get_error(sc->it, &err);
    return err ? store_rocks_err(err, "iterate") : 0;
}

/* Iterate one family from start (inclusive) while keys start with prefix.
 * visit returns non-zero to stop.  A bulk scan (a whole history) reads
 * ahead and does not fill the block cache, which it would only churn. */
static int iterate(struct store *st, enum store_cf cf, const char *start, size_t sl,
                   const char *prefix, size_t pl, bool bulk, store_kv_fn visit, void *ud)
{
    struct scan sc = { .st = st, .cf = cf };
    rocksdb_readoptions_t *ro = NULL;
    int r = 0;

    if (bulk && (ro = rocksdb_readoptions_create())) {
        rocksdb_readoptions_set_fill_cache(ro, 0);
        rocksdb_readoptions_set_readahead_size(ro, 2u << 20);
    }
    sc.ro = ro ? ro : st->ropts;
    scan_depth++;
    pthread_rwlock_rdlock(&st->dblock);
    if (!st->db)
        r = -EIO;
    else if (st->cf[cf] && !(sc.it = rocksdb_create_iterator_cf(st->db, sc.ro, st->cf[cf])))
        r = -ENOMEM;
    else if (sc.it)
        r = walk(&sc, start, sl, prefix, pl, visit, ud);
    if (sc.it)
        rocksdb_iter_destroy(sc.it);
    pthread_rwlock_unlock(&st->dblock);
    scan_depth--;
    if (ro)
        rocksdb_readoptions_destroy(ro);
    free(sc.key);
    return r;
}

struct scan_state {
    struct store *st;
    const struct store_filter *scan;
    store_scan_fn cb;
    void *ud;
};

static int visit_time(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct scan_state *s = ud;

    if (s->scan->until != IQ_TIME_NONE && kl >= 8 && store_be64_get(k) >= s->scan->until)
        return 1;
    return s->cb(s->ud, v, vl);
}

static int visit_index(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct scan_state *s = ud;
    char key[STORE_KEY_MAX], *val = NULL;
    const char *id;
    size_t idlen, len, tkl;
    int64_t at;
    int r;

    (void)v;
    (void)vl;
    if (store_key_index_split(k, kl, &at, &id, &idlen) < 0)
        return 0;
    if (s->scan->until != IQ_TIME_NONE && at >= s->scan->until)
        return 1;
    tkl = store_key_time(key, at, id, idlen);
    r = store_kv_get(s->st, STORE_CF_BY_TIME, key, tkl, &val, &len);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return r;
    r = s->cb(s->ud, val, len);
    free(val);
    return r;
}

int store_scan(struct store *st, const struct store_filter *scan, store_scan_fn cb, void *ud)
{
    struct scan_state s = { st, scan, cb, ud };
    char start[STORE_KEY_MAX], prefix[STORE_KEY_MAX];
    const char *name = scan->service ? scan->service : scan->incident_key;
    int64_t since = scan->since == IQ_TIME_NONE ? INT64_MIN : scan->since;
    size_t pl, sl;
    int r;

    if (!name) {
        store_be64_put(start, since);
        r = iterate(st, STORE_CF_BY_TIME, start, 8, "", 0, scan->bulk, visit_time, &s);
    } else {
        pl = store_key_index_prefix(prefix, name, strlen(name));
        memcpy(start, prefix, pl);
        store_be64_put(start + pl, since);
        sl = pl + 8;
        r = iterate(st, scan->service ? STORE_CF_BY_SERVICE : STORE_CF_BY_KEY, start, sl, prefix,
                    pl, false, visit_index, &s);
    }
    return r < 0 ? r : r > 0 && r != 1 ? r : 0;
}

int store_kv_scan_from(struct store *st, enum store_cf cf, const char *start, size_t sl,
                       const char *prefix, size_t plen, store_kv_fn cb, void *ud)
{
    int r = iterate(st, cf, start, sl, prefix, plen, false, cb, ud);

    return r < 0 ? r : 0;
}

int store_kv_scan(struct store *st, enum store_cf cf, const char *prefix, size_t plen,
                  store_kv_fn cb, void *ud)
{
    int r = iterate(st, cf, prefix, plen, prefix, plen, false, cb, ud);

    return r < 0 ? r : 0;
}

int store_kv_scan_bulk(struct store *st, enum store_cf cf, const char *prefix, size_t plen,
                       store_kv_fn cb, void *ud)
{
    int r = iterate(st, cf, prefix, plen, prefix, plen, true, cb, ud);

    return r < 0 ? r : 0;
}

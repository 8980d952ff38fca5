/* store_commit.c - how events become durable: dedup and group commit.
 *
 * Every writer of events (the ZeroMQ writer thread, HTTP threads, imports)
 * ends in store_put_encoded.  Callers queue there as in LevelDB's
 * writer queue: the one at the head leads, takes the requests queued
 * behind it into one WriteBatch and one WAL write (one fsync with
 * --fsync), then wakes them with their outcomes and hands the lead on.
 * Only the leader deduplicates, so the check of an id and its write are
 * one atomic step: two writers can never both store an id, and a
 * duplicate is never acknowledged before its first copy is durable.
 * The new ids of a group are looked up in one batched MultiGet.
 *
 * Before queueing, a caller asks the disk guard (store_disk.h): below
 * min_free_disk, or while a failed store waits for its reopen, events are
 * refused at once (-ENOSPC, -EIO) without touching RocksDB. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <rocksdb/c.h>
#include <msgpack.h>

#include "store_disk.h"
#include "store_keys.h"
#include "store_int.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_metrics.h"
#include "iq_time.h"

#define WB_KEEP_MAX (8u << 20)   /* a reused batch keeps at most this capacity */

static size_t batch_bytes(rocksdb_writebatch_t *wb)
{
    size_t n = 0;

    rocksdb_writebatch_data(wb, &n);
    return n;
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
static void batch_event(struct store *st, rocksdb_writebatch_t *wb, const struct iq_event *ev,
                        size_t idlen, const char *val, size_t vlen)
{
    char key[STORE_KEY_MAX], at[8];
    const char *id = iq_ev_id(ev), *svc = iq_ev_service(ev), *ikey = ev->str[IQ_F_INCIDENT_KEY];
    size_t kl;

    kl = store_key_time(key, ev->at, id, idlen);
    rocksdb_writebatch_put_cf(wb, st->cf[STORE_CF_BY_TIME], key, kl, val, vlen);
    store_be64_put(at, ev->at);
    rocksdb_writebatch_put_cf(wb, st->cf[STORE_CF_IDS], id, idlen, at, 8);
    if (svc) {
        kl = store_key_index(key, svc, strlen(svc), ev->at, id, idlen);
        rocksdb_writebatch_put_cf(wb, st->cf[STORE_CF_BY_SERVICE], key, kl, "", 0);
    }
    if (ikey) {
        kl = store_key_index(key, ikey, strlen(ikey), ev->at, id, idlen);
        rocksdb_writebatch_put_cf(wb, st->cf[STORE_CF_BY_KEY], key, kl, "", 0);
    }
}

/* One caller of store_put_encoded waiting in the commit queue. */
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

static void probe_arrays_free(struct probe *p)
{
    free(p->keys);
    free(p->lens);
    free(p->vals);
    free(p->errs);
    free(p->req);
    free(p->ix);
    p->keys = NULL;
    p->lens = NULL;
    p->vals = NULL;
    p->errs = NULL;
    p->req = NULL;
    p->ix = NULL;
    p->cap = 0;
}

void store_probe_free(struct probe *p)
{
    probe_arrays_free(p);
    if (p->wb)
        rocksdb_writebatch_destroy(p->wb);
    p->wb = NULL;
}

static int probe_reserve(struct probe *p, size_t n)
{
    size_t cap = p->cap ? p->cap : 1024;

    if (n <= p->cap)
        return 0;
    while (cap < n)
        cap *= 2;
    probe_arrays_free(p);
    p->keys = malloc(cap * sizeof(*p->keys));
    p->lens = malloc(cap * sizeof(*p->lens));
    p->vals = malloc(cap * sizeof(*p->vals));
    p->errs = malloc(cap * sizeof(*p->errs));
    p->req = malloc(cap * sizeof(*p->req));
    p->ix = malloc(cap * sizeof(*p->ix));
    if (!p->keys || !p->lens || !p->vals || !p->errs || !p->req || !p->ix) {
        probe_arrays_free(p);
        return -ENOMEM;
    }
    p->cap = cap;
    return 0;
}

/* Mark the repeats inside the group [first, last] as duplicates and list
 * the first copy of every id in st->probe.  Returns how many. */
static size_t probe_collect(struct store *st, struct put_req *first,
                            const struct put_req *last, struct idset *seen)
{
    struct probe *p = &st->probe;
    size_t n = 0;

    for (struct put_req *q = first;; q = q->next) {
        q->rc = 0;
        for (size_t i = 0; i < q->n; i++) {
            const char *id = iq_ev_id(q->evs[i]);

            if (!idset_add(seen, id)) {
                q->outcomes[i] = STORE_DUPLICATE;
                continue;
            }
            p->keys[n] = id;
            p->lens[n] = strlen(id);
            p->req[n] = q;
            p->ix[n++] = (uint32_t)i;
        }
        if (q == last)
            return n;
    }
}

/* Look the n listed ids up in one batched MultiGet; the ones not stored go
 * into wb.  Returns the number added or -EIO (every slot is released). */
static int probe_resolve(struct store *st, size_t n, rocksdb_writebatch_t *wb)
{
    struct probe *p = &st->probe;
    int stored = 0, r = 0;

    rocksdb_batched_multi_get_cf(st->db, st->ropts, st->cf[STORE_CF_IDS], n, p->keys, p->lens,
                                 p->vals, p->errs, false);
    for (size_t k = 0; k < n; k++) {
        struct put_req *q = p->req[k];
        uint32_t i = p->ix[k];

        if (p->errs[k]) {
            store_rocks_err_first(&r, p->errs[k], "read ids");
            continue;
        }
        if (p->vals[k]) {
            rocksdb_pinnableslice_destroy(p->vals[k]);
            q->outcomes[i] = STORE_DUPLICATE;
            continue;
        }
        q->outcomes[i] = STORE_STORED;
        q->rc++;
        stored++;
        if (r == 0)
            batch_event(st, wb, q->evs[i], p->lens[k], q->vals[i], q->lens[i]);
    }
    return r < 0 ? r : stored;
}

/* The leader's work: dedup every request of the group [first, last] and
 * write them in one WriteBatch, then tell the listener.  Runs without the
 * queue lock; only one leader exists at a time, so dedup stays atomic. */
static int group_write(struct store *st, struct put_req *first, const struct put_req *last,
                       size_t total, store_listener_fn listener, void *lud)
{
    rocksdb_writebatch_t *wb;
    struct idset seen = { 0 };
    char *err = NULL;
    int64_t t0 = iq_time_mono_us();
    size_t n;
    int r;

    /* RocksDB's per-thread perf counters are unused here and cost a TLS
     * lookup per counter in the write path: off for this thread */
    rocksdb_set_perf_level(rocksdb_disable);
    if (!st->probe.wb)       /* kept and cleared after each group: no regrowth */
        st->probe.wb = rocksdb_writebatch_create();
    wb = st->probe.wb;
    if (!wb || idset_init(&seen, total) < 0 || probe_reserve(&st->probe, total) < 0) {
        r = -ENOMEM;
        goto out;
    }
    pthread_rwlock_rdlock(&st->dblock);
    if (!st->db) {
        pthread_rwlock_unlock(&st->dblock);
        r = -EIO;
        goto out;
    }
    n = probe_collect(st, first, last, &seen);
    r = n ? probe_resolve(st, n, wb) : 0;
    if (r > 0) {
        r = 0;
        rocksdb_write(st->db, st->wopts, wb, &err);
        if (!err)
            store_metrics_write(st);
    }
    pthread_rwlock_unlock(&st->dblock);
    if (err)
        r = store_write_failed(st, err, "write batch");
    if (r < 0)
        goto out;
    iq_metric_observe(st->m.write_seconds, (double)(iq_time_mono_us() - t0) / 1e6);
    for (struct put_req *q = first;; q = q->next) {
        atomic_fetch_add(&st->n_stored, (uint64_t)q->rc);
        atomic_fetch_add(&st->n_duplicates, (uint64_t)(q->n - (size_t)q->rc));
        if (q == last)
            break;
    }
    for (struct put_req *q = first; listener; q = q->next) {
        if (q->rc > 0)
            listener(lud, q->evs, q->outcomes, q->n);
        if (q == last)
            break;
    }
out:
    if (wb && batch_bytes(wb) > WB_KEEP_MAX) {
        rocksdb_writebatch_destroy(wb);    /* after an unusually large group */
        st->probe.wb = NULL;
    } else if (wb) {
        rocksdb_writebatch_clear(wb);
    }
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

int store_put_encoded(struct store *st, struct iq_event *const *evs,
                      const char *const *vals, const size_t *lens, size_t n,
                      uint8_t *outcomes)
{
    struct put_req req = { .evs = evs, .vals = vals, .lens = lens, .n = n,
                           .outcomes = outcomes }, *last, *q;
    store_listener_fn listener;
    size_t total, bytes = 0;
    void *lud;
    int r = store_writable(st);

    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++)
        bytes += lens[i];
    if (st->disk && store_disk_admit(st->disk, bytes) < 0)
        return -ENOSPC;
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
int store_put_events(struct store *st, struct iq_event *const *evs, size_t n,
                     uint8_t *outcomes)
{
    size_t stack_lens[64], *lens = n <= 64 ? stack_lens : malloc(n * sizeof(*lens));
    const char *stack_vals[64], **vals = n <= 64 ? stack_vals : malloc(n * sizeof(*vals));
    msgpack_sbuffer sb;
    int r = -ENOMEM;

    msgpack_sbuffer_init(&sb);
    if (!lens || !vals)
        goto out;
    iq_events_pack(evs, n, &sb, vals, lens);
    r = store_put_encoded(st, evs, vals, lens, n, outcomes);
out:
    msgpack_sbuffer_destroy(&sb);
    if (lens != stack_lens)
        free(lens);
    if (vals != stack_vals)
        free(vals);
    return r;
}

void store_counts(struct store *st, struct store_counts *ret)
{
    ret->stored = atomic_load(&st->n_stored);
    ret->duplicates = atomic_load(&st->n_duplicates);
}

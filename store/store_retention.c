/* store_retention.c - retention: remove whole events, or only their raw
 * payloads, once they are older than a cutoff, except those the caller
 * keeps (the correlator keeps the events of incidents still open).
 *
 * Design notes.
 * - Ages are event times (at): by_time keys are ordered by them, so the
 *   candidates are exactly the keys before be64(cutoff), read in order from
 *   the first.  Each pass reads that prefix once; what an earlier pass
 *   removed is gone and what it stripped is cheap to skip.
 * - A removed event goes from every family in one WriteBatch: its by_time
 *   entry, its ids entry (so a sender may store the id again) and its
 *   by_service and by_key index entries, which are rebuilt from the
 *   decoded value.  by_time entries go as range deletes over each run of
 *   consecutive removed keys (one tombstone per run, not one per event);
 *   the small index entries as point deletes.  A raw payload is dropped by
 *   rewriting the value without it.
 * - Exactness: a range delete removes every key in its range, including
 *   one a writer might add between our read and our write.  So each chunk
 *   of CHUNK_EVENTS keys is read and written under the store's lock held
 *   for writing, which no event write and no read holds at the same time:
 *   ingest pauses for one chunk (milliseconds), never for the whole pass,
 *   and a long scan steps aside for each chunk (store_scan.c) rather than
 *   making it wait for the scan's end.
 * - Afterwards the by_time range that changed is compacted
 *   (rocksdb_compact_range_cf), so the space comes back now rather than
 *   whenever RocksDB's own compactions reach those files.
 * - A value that does not decode is left alone and counted. */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <msgpack.h>

#include "store_keys.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

#define CHUNK_EVENTS 2048

/* A run of consecutive by_time keys to remove, and the range touched. */
struct sweep {
    const struct store_retention *rt;
    struct store_retention_stats *stats;
    rocksdb_writebatch_t *wb;
    char first[STORE_KEY_MAX + 1], last[STORE_KEY_MAX + 1];   /* the run */
    size_t first_len, last_len, run;
    char lo[STORE_KEY_MAX + 1], hi[STORE_KEY_MAX + 1];        /* touched range */
    size_t lo_len, hi_len;
    bool touched;
};

static void note_touched(struct sweep *s, const char *k, size_t kl)
{
    if (!s->touched) {
        memcpy(s->lo, k, kl);
        s->lo_len = kl;
        s->touched = true;
    }
    memcpy(s->hi, k, kl);
    s->hi_len = kl;
}

/* Delete the pending run of by_time keys: a range delete [first, last + 1
 * byte), or a point delete for a run of one. */
static void run_flush(struct store *st, struct sweep *s)
{
    if (s->run == 1) {
        rocksdb_writebatch_delete_cf(s->wb, st->cf[STORE_CF_BY_TIME], s->first, s->first_len);
    } else if (s->run > 1) {
        s->last[s->last_len] = '\0';
        rocksdb_writebatch_delete_range_cf(s->wb, st->cf[STORE_CF_BY_TIME], s->first, s->first_len,
                                           s->last, s->last_len + 1);
    }
    s->run = 0;
}

/* Remove one event: its by_time key joins the run, its other entries go. */
static void remove_event(struct store *st, struct sweep *s, const char *k, size_t kl,
                         const struct iq_event *ev)
{
    const char *id = iq_ev_id(ev), *svc = iq_ev_service(ev), *ikey = ev->str[IQ_F_INCIDENT_KEY];
    char key[STORE_KEY_MAX];
    size_t n, idlen = strlen(id);

    if (s->run == 0) {
        memcpy(s->first, k, kl);
        s->first_len = kl;
    }
    memcpy(s->last, k, kl);
    s->last_len = kl;
    s->run++;
    rocksdb_writebatch_delete_cf(s->wb, st->cf[STORE_CF_IDS], id, idlen);
    if (svc && strlen(svc) <= 255) {
        n = store_key_index(key, svc, strlen(svc), ev->at, id, idlen);
        rocksdb_writebatch_delete_cf(s->wb, st->cf[STORE_CF_BY_SERVICE], key, n);
    }
    if (ikey && strlen(ikey) <= 255) {
        n = store_key_index(key, ikey, strlen(ikey), ev->at, id, idlen);
        rocksdb_writebatch_delete_cf(s->wb, st->cf[STORE_CF_BY_KEY], key, n);
    }
    s->stats->events_removed++;
    note_touched(s, k, kl);
}

/* Rewrite one event's value without its raw payload. */
static int strip_raw(struct store *st, struct sweep *s, const char *k, size_t kl,
                     struct iq_event *ev)
{
    msgpack_sbuffer sb;
    int r;

    s->stats->raw_bytes += ev->raw_len;
    iq_event_clear_raw(ev);
    if ((r = iq_event_encode(ev, &sb)) < 0)
        return r;
    rocksdb_writebatch_put_cf(s->wb, st->cf[STORE_CF_BY_TIME], k, kl, sb.data, sb.size);
    msgpack_sbuffer_destroy(&sb);
    s->stats->raws_dropped++;
    note_touched(s, k, kl);
    return 0;
}

/* Decide for one by_time entry older than the larger cutoff. */
static int sweep_one(struct store *st, struct sweep *s, const char *k, size_t kl,
                     const char *v, size_t vl)
{
    const struct store_retention *rt = s->rt;
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX];
    unsigned keep;
    int r = 0;

    s->stats->scanned++;
    if (iq_event_decode(v, vl, &ev, err, sizeof(err)) < 0) {
        s->stats->unreadable++;
        run_flush(st, s);
        return 0;
    }
    keep = rt->keep ? rt->keep(rt->keep_ud, ev) : 0;
    if (rt->events_before != IQ_TIME_NONE && ev->at < rt->events_before &&
        !(keep & STORE_KEEP_EVENT)) {
        remove_event(st, s, k, kl, ev);
        iq_event_destroy(&ev);
        return 0;
    }
    run_flush(st, s);
    if (rt->events_before != IQ_TIME_NONE && ev->at < rt->events_before)
        s->stats->kept_events++;
    if (ev->raw && rt->raw_before != IQ_TIME_NONE && ev->at < rt->raw_before) {
        if (keep & STORE_KEEP_RAW)
            s->stats->kept_raws++;
        else
            r = strip_raw(st, s, k, kl, ev);
    }
    iq_event_destroy(&ev);
    return r;
}

/* One chunk from *resume (empty: the first key) up to end, under the
 * store's write lock.  Sets *done at the end.  0 or a negative errno. */
static int sweep_chunk(struct store *st, struct sweep *s, char *resume, size_t *resume_len,
                       const char *end, size_t end_len, bool *done)
{
    rocksdb_iterator_t *it;
    char *err = NULL;
    size_t kl, vl;
    const char *k, *v;
    int r = 0, n = 0;

    store_writer_enter(st);
    store_writer_lock(st);
    if (!st->db) {
        store_writer_unlock(st);
        return -EIO;
    }
    it = rocksdb_create_iterator_cf(st->db, st->ropts, st->cf[STORE_CF_BY_TIME]);
    rocksdb_iter_seek(it, resume, *resume_len);
    *done = true;
    for (; rocksdb_iter_valid(it) && r == 0; rocksdb_iter_next(it)) {
        k = rocksdb_iter_key(it, &kl);
        if (kl > STORE_KEY_MAX || memcmp(k, end, kl < end_len ? kl : end_len) >= 0)
            break;
        if (n++ == CHUNK_EVENTS) {
            memcpy(resume, k, kl);
            *resume_len = kl;
            *done = false;
            break;
        }
        v = rocksdb_iter_value(it, &vl);
        r = sweep_one(st, s, k, kl, v, vl);
    }
    run_flush(st, s);
    rocksdb_iter_destroy(it);
    if (r == 0 && rocksdb_writebatch_count(s->wb) > 0)
        rocksdb_write(st->db, st->wopts, s->wb, &err);
    rocksdb_writebatch_clear(s->wb);
    store_writer_unlock(st);
    if (err)
        r = store_write_failed(st, err, "retention");
    return r;
}

/* Give the space of the touched by_time range back. */
static void compact_touched(struct store *st, struct sweep *s)
{
    pthread_rwlock_rdlock(&st->dblock);
    s->hi[s->hi_len] = '\0';
    if (st->db)
        rocksdb_compact_range_cf(st->db, st->cf[STORE_CF_BY_TIME], s->lo, s->lo_len, s->hi,
                                 s->hi_len + 1);
    pthread_rwlock_unlock(&st->dblock);
}

int store_retain(struct store *st, const struct store_retention *rt,
                     struct store_retention_stats *ret)
{
    struct sweep s = { .rt = rt, .stats = ret };
    char resume[STORE_KEY_MAX], end[STORE_KEY_MAX];
    size_t resume_len = 0, end_len;
    int64_t limit = rt->events_before, t0 = iq_time_mono_ms();
    bool done = false;
    int r = store_writable(st);

    memset(ret, 0, sizeof(*ret));
    if (r < 0)
        return r;
    if (limit == IQ_TIME_NONE || (rt->raw_before != IQ_TIME_NONE && rt->raw_before > limit))
        limit = rt->raw_before;
    if (limit == IQ_TIME_NONE)
        return 0;
    end_len = store_key_time(end, limit, "", 0);
    if (!(s.wb = rocksdb_writebatch_create()))
        return -ENOMEM;
    while (!done && r == 0)
        r = sweep_chunk(st, &s, resume, &resume_len, end, end_len, &done);
    rocksdb_writebatch_destroy(s.wb);
    if (r == 0 && s.touched && rt->compact)
        compact_touched(st, &s);
    ret->took_ms = iq_time_mono_ms() - t0;
    return r;
}

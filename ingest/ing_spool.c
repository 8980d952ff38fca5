/* ing_spool.c - the collector's spool: a durable FIFO of encoded events in
 * a RocksDB of its own (contract in ing_spool.h).
 *
 * Layout: one column family; key = be64 sequence (store_keys.h), value =
 * be64 time spooled | be64 offset | the event's msgpack.  The offset is
 * the number of event bytes appended before the entry, Kafka-style, so the
 * spool's size is the offset of the next append minus the offset of the
 * first entry held: two seeks at open, one point read per release, and no
 * counter that a crash could leave out of step with the data.
 *
 * Appends hold the lock through their write, so sequences are contiguous
 * and become visible in order: a reader never sees entry n + 1 before
 * entry n, and `next` (read under the lock) bounds what it may read.
 * Releases delete the acknowledged prefix key by key (point tombstones
 * below the head are never visited again: reads seek past them) and read
 * the new head's offset and time.  Once the spool drains after
 * SPOOL_COMPACT_AFTER bytes were released, it asks RocksDB to compact the
 * deleted range in the background, so the disk space of a long outage
 * comes back.
 *
 * RocksDB options are those of a small transient queue: no compression
 * (entries live minutes to hours; disk use stays predictable, about the
 * spooled bytes), 8 MiB memtables, the LOG off as in the store (Debian's
 * RocksDB aborts when its LOG meets a full disk). */
#include "ing_spool.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rocksdb/c.h>

#include "store_disk.h"
#include "store_keys.h"
#include "iq_conf.h"
#include "iq_log.h"
#include "iq_time.h"

#define HDR 16                            /* be64 time | be64 offset */
#define VALUE_MAX (1u << 20)              /* one encoded event; far above IQ_EVENT_WIRE_MAX */
#define SPOOL_WRITE_BUFFER (8u << 20)
#define SPOOL_COMPACT_AFTER (64u << 20)   /* drained after this much: compact */
#define MAX_BYTES_DEFAULT (1ULL << 30)

struct ing_spool {
    rocksdb_t *db;
    rocksdb_options_t *opts;
    rocksdb_writeoptions_t *wopts;       /* appends: synced with fsync */
    rocksdb_writeoptions_t *wopts_rel;   /* releases: never synced */
    struct store_disk *disk;               /* free-space guard, or NULL */
    char *dir;
    uint64_t max_bytes;
    pthread_mutex_t lock;                /* everything below; held by appends */
    pthread_cond_t cv;                   /* an append, or a wake */
    uint64_t head, next;                 /* first held, next to assign */
    uint64_t head_off, next_off;         /* their offsets (bytes appended before) */
    uint64_t since_compact;              /* bytes released since the last compaction */
    int64_t head_at;                     /* IQ_TIME_NONE when empty */
    bool full, woken;
};

static int rocks_err(char *err, const char *dir, const char *what)
{
    iq_error("spool", "%s: %s: %s", dir, what, err);
    rocksdb_free(err);
    return -EIO;
}

static void key_of(char key[8], uint64_t seq)
{
    store_be64_put(key, (int64_t)seq);
}

static uint64_t seq_of(const char *key)
{
    return (uint64_t)store_be64_get(key);
}

/* Offset and time of entry val (at least HDR bytes). */
static void header(const char *val, uint64_t *off, int64_t *at)
{
    *at = store_be64_get(val);
    *off = (uint64_t)store_be64_get(val + 8);
}

/* head, next and their offsets from the first and last entries. */
static int load_bounds(struct ing_spool *sp)
{
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    rocksdb_iterator_t *it = rocksdb_create_iterator(sp->db, ro);
    const char *k, *v;
    size_t kl, vl;
    char *err = NULL;
    int r = 0;

    sp->head_at = IQ_TIME_NONE;
    rocksdb_iter_seek_to_last(it);
    if (rocksdb_iter_valid(it)) {
        k = rocksdb_iter_key(it, &kl);
        v = rocksdb_iter_value(it, &vl);
        if (kl != 8 || vl < HDR) {
            r = -EINVAL;
            goto out;
        }
        header(v, &sp->next_off, &sp->head_at);
        sp->next = seq_of(k) + 1;
        sp->next_off += vl - HDR;
        rocksdb_iter_seek_to_first(it);
        k = rocksdb_iter_key(it, &kl);
        v = rocksdb_iter_value(it, &vl);
        if (!rocksdb_iter_valid(it) || kl != 8 || vl < HDR) {
            r = -EINVAL;
            goto out;
        }
        sp->head = seq_of(k);
        header(v, &sp->head_off, &sp->head_at);
    }
    rocksdb_iter_get_error(it, &err);
    if (err)
        r = rocks_err(err, sp->dir, "reading the spool");
out:
    if (r == -EINVAL)
        iq_error("spool", "%s holds entries that are not a spool's", sp->dir);
    rocksdb_iter_destroy(it);
    rocksdb_readoptions_destroy(ro);
    return r;
}

static int open_db(struct ing_spool *sp, bool fsync)
{
    char *err = NULL;

    sp->opts = rocksdb_options_create();
    sp->wopts = rocksdb_writeoptions_create();
    sp->wopts_rel = rocksdb_writeoptions_create();
    if (!sp->opts || !sp->wopts || !sp->wopts_rel)
        return -ENOMEM;
    rocksdb_options_set_create_if_missing(sp->opts, 1);
    rocksdb_options_set_compression(sp->opts, rocksdb_no_compression);
    rocksdb_options_set_write_buffer_size(sp->opts, SPOOL_WRITE_BUFFER);
    rocksdb_options_set_max_write_buffer_number(sp->opts, 2);
    rocksdb_options_set_max_background_jobs(sp->opts, 2);
    rocksdb_options_set_max_open_files(sp->opts, 64);
    rocksdb_options_set_max_total_wal_size(sp->opts, 4 * SPOOL_WRITE_BUFFER);
    rocksdb_options_set_info_log_level(sp->opts, 5 /* HEADER: nothing after open */);
    rocksdb_options_set_keep_log_file_num(sp->opts, 2);
    rocksdb_writeoptions_set_sync(sp->wopts, fsync);
    sp->db = rocksdb_open(sp->opts, sp->dir, &err);
    if (err) {
        sp->db = NULL;
        return rocks_err(err, sp->dir, "cannot open the spool");
    }
    return 0;
}

int ing_spool_open(const char *dir, const struct ing_spool_opts *o, struct ing_spool **ret)
{
    struct ing_spool *sp = calloc(1, sizeof(*sp));
    pthread_condattr_t ca;
    int r;

    if (!sp)
        return -ENOMEM;
    pthread_mutex_init(&sp->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sp->cv, &ca);
    pthread_condattr_destroy(&ca);
    sp->max_bytes = o->max_bytes ? o->max_bytes : MAX_BYTES_DEFAULT;
    sp->dir = strdup(dir);
    if (!sp->dir) {
        r = -ENOMEM;
        goto fail;
    }
    if (o->disk && (r = store_disk_new(dir, o->disk, &sp->disk)) < 0) {
        iq_error("spool", "%s: cannot watch free space: %s", dir, strerror(-r));
        goto fail;
    }
    if ((r = open_db(sp, o->fsync)) < 0 || (r = load_bounds(sp)) < 0)
        goto fail;
    *ret = sp;
    return 0;
fail:
    ing_spool_close(&sp);
    return r;
}

void ing_spool_close(struct ing_spool **psp)
{
    struct ing_spool *sp = psp ? *psp : NULL;
    char *err = NULL;

    if (!sp)
        return;
    if (sp->db) {
        rocksdb_flush_wal(sp->db, 1, &err);
        if (err)
            rocks_err(err, sp->dir, "flush WAL on close");
        rocksdb_close(sp->db);
    }
    if (sp->wopts)
        rocksdb_writeoptions_destroy(sp->wopts);
    if (sp->wopts_rel)
        rocksdb_writeoptions_destroy(sp->wopts_rel);
    if (sp->opts)
        rocksdb_options_destroy(sp->opts);
    store_disk_destroy(&sp->disk);
    pthread_cond_destroy(&sp->cv);
    pthread_mutex_destroy(&sp->lock);
    free(sp->dir);
    free(sp);
    *psp = NULL;
}

/* May total more bytes be spooled now?  0, -ENOBUFS, -ENOSPC.  Locked. */
static int admit(struct ing_spool *sp, uint64_t total)
{
    if (sp->next_off - sp->head_off + total > sp->max_bytes) {
        if (!sp->full)
            iq_warn("spool", "%s: spool full (%llu events, spool_max reached): answering 503 "
                    "until the central ingest takes them", sp->dir,
                    (unsigned long long)(sp->next - sp->head));
        sp->full = true;
        return -ENOBUFS;
    }
    return sp->disk ? store_disk_admit(sp->disk, total) : 0;
}

int ing_spool_append(struct ing_spool *sp, const char *const *vals, const size_t *lens, size_t n)
{
    rocksdb_writebatch_t *wb;
    uint64_t total = 0, off;
    int64_t now = iq_time_now_ms();
    char key[8], *err = NULL, *buf = NULL;
    size_t cap = 0;
    int r;

    for (size_t i = 0; i < n; i++) {
        if (lens[i] > VALUE_MAX)
            return -E2BIG;
        total += lens[i];
        cap = lens[i] > cap ? lens[i] : cap;
    }
    if (n == 0)
        return 0;
    wb = rocksdb_writebatch_create();
    buf = malloc(HDR + cap);
    if (!wb || !buf) {
        r = -ENOMEM;
        goto out;
    }
    pthread_mutex_lock(&sp->lock);
    if ((r = admit(sp, total)) < 0)
        goto unlock;
    off = sp->next_off;
    for (size_t i = 0; i < n; i++) {
        key_of(key, sp->next + i);
        store_be64_put(buf, now);
        store_be64_put(buf + 8, (int64_t)off);
        memcpy(buf + HDR, vals[i], lens[i]);
        rocksdb_writebatch_put(wb, key, 8, buf, HDR + lens[i]);
        off += lens[i];
    }
    rocksdb_write(sp->db, sp->wopts, wb, &err);
    if (err) {
        r = rocks_err(err, sp->dir, "append");
        if (sp->disk)
            store_disk_write_failed(sp->disk);
        goto unlock;
    }
    if (sp->head == sp->next)
        sp->head_at = now;
    sp->full = false;
    sp->next += n;
    sp->next_off = off;
    r = (int)n;
    pthread_cond_broadcast(&sp->cv);
unlock:
    pthread_mutex_unlock(&sp->lock);
out:
    free(buf);
    if (wb)
        rocksdb_writebatch_destroy(wb);
    return r;
}

/* Iterate from `from` below `end`, calling fn; see ing_spool_read. */
static int visit(struct ing_spool *sp, uint64_t from, uint64_t end, size_t max, size_t max_bytes,
                 ing_spool_fn fn, void *ud)
{
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    rocksdb_iterator_t *it;
    char key[8], upper[8], *err = NULL;
    size_t bytes = 0;
    int r = 0, count = 0;

    key_of(key, from);
    key_of(upper, end);
    rocksdb_readoptions_set_iterate_upper_bound(ro, upper, 8);
    it = rocksdb_create_iterator(sp->db, ro);
    for (rocksdb_iter_seek(it, key, 8); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t kl, vl;
        const char *k = rocksdb_iter_key(it, &kl), *v = rocksdb_iter_value(it, &vl);
        uint64_t off;
        int64_t at;

        if (kl != 8 || vl < HDR)
            continue;     /* not ours: load_bounds refuses such a directory */
        header(v, &off, &at);
        if ((r = fn(ud, seq_of(k), at, v + HDR, vl - HDR)) != 0)
            break;
        bytes += vl - HDR;
        if ((size_t)++count >= max || bytes >= max_bytes)
            break;
    }
    rocksdb_iter_get_error(it, &err);
    if (err)
        r = rocks_err(err, sp->dir, "read");
    rocksdb_iter_destroy(it);
    rocksdb_readoptions_destroy(ro);
    return r ? r : count;
}

int ing_spool_read(struct ing_spool *sp, uint64_t from, size_t max, size_t max_bytes,
                   ing_spool_fn fn, void *ud)
{
    uint64_t head, end;

    pthread_mutex_lock(&sp->lock);
    head = sp->head;
    end = sp->next;
    pthread_mutex_unlock(&sp->lock);
    if (from < head)
        from = head;
    if (from >= end || max == 0)
        return 0;
    return visit(sp, from, end, max, max_bytes, fn, ud);
}

/* The new head's offset and time after a release up to next.  Locked. */
static int read_head(struct ing_spool *sp)
{
    rocksdb_readoptions_t *ro;
    char key[8], *val, *err = NULL;
    size_t vl = 0;

    if (sp->head == sp->next) {
        sp->head_off = sp->next_off;
        sp->head_at = IQ_TIME_NONE;
        return 0;
    }
    ro = rocksdb_readoptions_create();
    key_of(key, sp->head);
    val = rocksdb_get(sp->db, ro, key, 8, &vl, &err);
    rocksdb_readoptions_destroy(ro);
    if (err)
        return rocks_err(err, sp->dir, "read");
    if (!val || vl < HDR) {
        free(val);
        iq_error("spool", "%s: entry %llu is missing", sp->dir, (unsigned long long)sp->head);
        return -EIO;
    }
    header(val, &sp->head_off, &sp->head_at);
    free(val);
    return 0;
}

/* The drained spool's tombstones and values, compacted in the background. */
static void compact_drained(struct ing_spool *sp, uint64_t upto)
{
    char from[8], to[8], *err = NULL;

    key_of(from, 0);
    key_of(to, upto);
    rocksdb_suggest_compact_range(sp->db, from, 8, to, 8, &err);
    if (err)
        rocks_err(err, sp->dir, "compaction of the drained spool");
    sp->since_compact = 0;
}

int ing_spool_release(struct ing_spool *sp, uint64_t seq)
{
    rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
    char key[8], *err = NULL;
    uint64_t old_off;
    int r = 0;

    if (!wb)
        return -ENOMEM;
    pthread_mutex_lock(&sp->lock);
    old_off = sp->head_off;
    if (seq >= sp->next)
        seq = sp->next - 1;
    if (sp->head == sp->next || seq < sp->head)
        goto out;
    for (uint64_t s = sp->head; s <= seq; s++) {
        key_of(key, s);
        rocksdb_writebatch_delete(wb, key, 8);
    }
    rocksdb_write(sp->db, sp->wopts_rel, wb, &err);
    if (err) {
        r = rocks_err(err, sp->dir, "release");
        goto out;
    }
    sp->head = seq + 1;
    if (sp->full)
        iq_info("spool", "%s: room again in the spool, taking deliveries", sp->dir);
    sp->full = false;
    r = read_head(sp);
    sp->since_compact += sp->head_off - old_off;
    if (r == 0 && sp->head == sp->next && sp->since_compact > SPOOL_COMPACT_AFTER)
        compact_drained(sp, sp->next);
out:
    pthread_mutex_unlock(&sp->lock);
    rocksdb_writebatch_destroy(wb);
    return r;
}

bool ing_spool_wait(struct ing_spool *sp, uint64_t seq, int64_t timeout_ms)
{
    struct timespec until;
    bool have;

    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&sp->lock);
    while (sp->next <= seq && !sp->woken)
        if (pthread_cond_timedwait(&sp->cv, &sp->lock, &until) != 0)
            break;
    sp->woken = false;
    have = sp->next > seq;
    pthread_mutex_unlock(&sp->lock);
    return have;
}

void ing_spool_wake(struct ing_spool *sp)
{
    pthread_mutex_lock(&sp->lock);
    sp->woken = true;
    pthread_cond_broadcast(&sp->cv);
    pthread_mutex_unlock(&sp->lock);
}

void ing_spool_stats(struct ing_spool *sp, struct ing_spool_stats *ret)
{
    struct store_disk_state ds = { 0 };

    if (sp->disk)
        store_disk_state(sp->disk, &ds);
    pthread_mutex_lock(&sp->lock);
    ret->events = sp->next - sp->head;
    ret->bytes = sp->next_off - sp->head_off;
    ret->max_bytes = sp->max_bytes;
    ret->head = sp->head;
    ret->next = sp->next;
    ret->oldest_at = sp->head_at;
    ret->full = sp->full;
    pthread_mutex_unlock(&sp->lock);
    ret->disk_low = ds.busy;
}

void ing_spool_reason(struct ing_spool *sp, char *buf, size_t size)
{
    struct ing_spool_stats s;
    char b[32], m[32];

    ing_spool_stats(sp, &s);
    if (s.full) {
        iq_size_format(b, sizeof(b), (int64_t)s.bytes);
        iq_size_format(m, sizeof(m), (int64_t)s.max_bytes);
        snprintf(buf, size, "spool full on %.100s: %llu events (%s) wait for the central "
                 "ingest, spool_max %s", sp->dir, (unsigned long long)s.events, b, m);
    } else if (s.disk_low && sp->disk) {
        store_disk_reason(sp->disk, buf, size);
    } else if (size) {
        buf[0] = '\0';
    }
}

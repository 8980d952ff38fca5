/* store.h - durable event storage in RocksDB.
 *
 * One RocksDB database per data directory with column families:
 *   default     meta (schema version)
 *   by_time     events by time, the event itself as the value
 *   ids         the dedup set: id -> time
 *   by_service  index by service and time
 *   by_key      index by incident_key and time
 *   incidents   derived state of the correlator (correlate/)
 *   state       small state of other stages (log checkpoints, ...)
 *   postmortems finished postmortems read back (postmortem/pm_store.h)
 * Layouts are in store_keys.h.
 *
 * Thread safety: every call may be made from any thread.  Writes of events
 * are group-committed: concurrent callers of store_put_events share one
 * WriteBatch and one WAL write (one fsync), and dedup is atomic with the
 * write, so an id is stored once and a duplicate is reported only once its
 * first copy is durable.
 *
 * A writable store guards its filesystem (store_disk.h): below min_free_disk
 * new events are refused with -ENOSPC (a busy answer, never a crash), and a
 * store whose RocksDB write failed is reopened by a monitor thread once
 * space returns (RocksDB 7.8's C API has no Resume()), so it resumes by
 * itself.  A read-only store is a RocksDB secondary instance: it opens
 * beside a running daemon and its compactions without racing them. */
#ifndef STORE_H
#define STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct iq_event;
struct store_disk_opts;
struct iq_metrics;

enum store_cf {
    STORE_CF_META = 0,
    STORE_CF_BY_TIME,
    STORE_CF_IDS,
    STORE_CF_BY_SERVICE,
    STORE_CF_BY_KEY,
    STORE_CF_INCIDENTS,
    STORE_CF_STATE,
    STORE_CF_DOCS,
    STORE_CF_N
};

/* Why the store (or a sink standing for one, ingest/ing_sink.h) takes no
 * events now. */
enum store_busy { STORE_READY = 0, STORE_BUSY_DISK_FULL, STORE_BUSY_ERROR, STORE_BUSY_SPOOL_FULL,
                  STORE_BUSY_N };

#define STORE_REASON_MAX 320

/* The store's state, for busy answers, GET /readyz and /metrics. */
struct store_status {
    enum store_busy busy;
    char reason[STORE_REASON_MAX];  /* in words when busy: "disk full on /data: ..." */
    int64_t disk_free;            /* bytes available to the store; -1 unknown */
    int64_t disk_min_free;        /* min_free_disk in bytes; -1 unknown */
    int64_t disk_reserve;         /* reserve bytes held now; -1 unknown */
};

/* Label of a busy state in metrics: "none", "disk_full", "store_error",
 * "spool_full" (a collector's spool, ingest/ing_spool.h). */
const char *store_busy_name(enum store_busy b);

/* Per-event outcome of a write. */
enum store_outcome { STORE_STORED = 0, STORE_DUPLICATE = 1, STORE_REJECTED = 2 };

struct store_opts {
    bool read_only;     /* open an existing store read-only, as a RocksDB
                           secondary instance (works beside a running daemon:
                           sees what was written at open) */
    bool fsync;         /* fsync the WAL on every write (power-loss safe) */
    const struct store_disk_opts *disk; /* writable: free-space guard and reserve
                                         (borrowed for the call); NULL: none */
    const char *log_dir; /* RocksDB's own LOG files; NULL: the data directory */
    int log_level;      /* STORE_LOG_*; 0 (the default) is off */
    /* memory (store_tune.c, docs/scaling.md); 0 takes the default */
    size_t write_buffer; /* memtable bytes per column family; 0: 16 MiB */
    int max_write_buffers; /* memtables per family, the one written and those
                              waiting for their flush; 0: 2 */
    size_t write_buffer_total; /* memtables of all families together (RocksDB's
                                  db_write_buffer_size); 0: 32 MiB */
    size_t block_cache;  /* LRU cache of data, index and filter blocks shared by
                            every family; 0: 32 MiB */
    int max_open_files;  /* table files kept open by a writable store; 0: 512 */
    struct iq_metrics *metrics; /* writable: registry for inquest_store_* (borrowed, must
                                   outlive the store); NULL: none */
};

/* RocksDB's LOG levels.  Off writes nothing after open: Debian's RocksDB
 * asserts (aborts) when its LOG hits a full disk twice. */
enum { STORE_LOG_OFF = 0, STORE_LOG_FATAL, STORE_LOG_ERROR, STORE_LOG_WARN,
       STORE_LOG_INFO, STORE_LOG_DEBUG };

/* "off", "fatal", "error", "warn", "info", "debug" -> STORE_LOG_*;
 * -EINVAL for anything else. */
int store_log_level_parse(const char *name);

/* The data format this build reads and writes (store_version.c):
 * stored in the meta family, checked at every open. */
#define STORE_FORMAT 1

/* The data format version recorded in an open store (1 for a store from
 * before versions were recorded).  -EPROTO when the value is not a
 * version, -EIO. */
int store_format(struct store *st);

/* Open (creating when writable) the store in dir.  On success *ret is set;
 * caller owns it (store_close).  -EIO with a logged RocksDB message,
 * -ENOSPC when a writable open failed for want of space, -ENOENT for a
 * read-only open of a missing store, -EPROTO for a store of a newer data
 * format (logged, naming both versions).  A read-only open retries for a
 * moment when the daemon's compaction removed a file it was opening. */
int store_open(const char *dir, const struct store_opts *opts, struct store **ret);

/* A consistent copy of a writable store, taken while it runs
 * (store_backup.c): every event whose write returned before the call
 * is in it, and inquestd opens it as a data directory (a restore).  dir is
 * an absolute path that does not exist or is an empty directory, in an
 * existing parent; it is created with mode 0700.  *ret (files, bytes,
 * time, format) on success.  0, -EINVAL (relative), -EEXIST (exists, not
 * empty), -ENOENT (no parent), -ENOTDIR, -EROFS (read-only store), -EIO
 * (RocksDB, logged), or another -errno. */
struct store_backup_info {
    uint64_t files, bytes;
    int64_t took_ms;
    int format;          /* STORE_FORMAT */
};
int store_backup(struct store *st, const char *dir, struct store_backup_info *ret);

/* Words for a negative return of store_backup, about its dir. */
const char *store_backup_strerror(int r);

/* Who has the store in dir open: the pid of the process holding its
 * RocksDB LOCK (inquestd), 0 when no one does, -ENOENT when dir holds no
 * store, or another -errno. */
int store_lock_owner(const char *dir);

/* Retention (store_retention.c): remove the events whose time is
 * before events_before, from every family (by_time, ids, by_service,
 * by_key), and drop the raw payload of those before raw_before, except
 * what keep says to keep.  keep (may be NULL: keep nothing) sees each
 * candidate (borrowed) and returns ING_KEEP_* bits; it is called with the
 * store locked against writers, so it must not use the store.  With
 * compact, the changed range is compacted before the call returns, so
 * the space is freed.  Writers pause for one chunk of events at a time. */
enum { STORE_KEEP_EVENT = 1, STORE_KEEP_RAW = 2 };
struct store_retention {
    int64_t events_before;     /* UTC ms; IQ_TIME_NONE: remove no event */
    int64_t raw_before;        /* UTC ms; IQ_TIME_NONE: drop no raw payload */
    unsigned (*keep)(void *ud, const struct iq_event *ev);
    void *keep_ud;
    bool compact;
};
struct store_retention_stats {
    uint64_t scanned;          /* events older than the later cutoff, read */
    uint64_t events_removed;
    uint64_t raws_dropped, raw_bytes;
    uint64_t kept_events;      /* past events_before, kept by keep */
    uint64_t kept_raws;        /* raw payloads past raw_before, kept by keep */
    uint64_t unreadable;       /* values that did not decode, left alone */
    int64_t took_ms;
};
/* 0 (*ret filled), -EROFS, -EIO (RocksDB, logged), -ENOMEM; what was
 * written before a failure stays (each chunk is one atomic batch). */
int store_retain(struct store *st, const struct store_retention *rt,
                     struct store_retention_stats *ret);

/* Flush the memtables and compact every family fully, the bottommost level
 * included, so every table file is in its final compression.  For
 * benchmarks and maintenance: it rewrites the whole store.  0, -EROFS on a
 * read-only store, -EIO (logged). */
int store_compact(struct store *st);

/* RocksDB's memory now: memtables of every family, block cache use (data,
 * index and filter blocks) and its pinned part, table readers outside the
 * cache.  Returns their sum (bytes).  Cheap: no system call. */
struct store_memory {
    int64_t memtables, block_cache, block_cache_pinned, table_readers;
};
int64_t store_memory(struct store *st, struct store_memory *ret);

/* Flush and close; NULLs the caller's pointer.  NULL-safe. */
void store_close(struct store **pst);

/* Store n validated events in one WriteBatch, skipping ids already stored
 * (or repeated earlier in evs).  outcomes[i] receives STORE_STORED or
 * STORE_DUPLICATE.  Returns the number stored, or (nothing stored) -ENOSPC
 * while free space is below min_free_disk, -EIO when RocksDB failed (the
 * store is then reopened in the background).  The WAL is written when
 * this returns (and synced with opts.fsync). */
int store_put_events(struct store *st, struct iq_event *const *evs, size_t n,
                     uint8_t *outcomes);

/* Same, with each event's stored value (its msgpack encoding, as
 * iq_event_pack writes it) encoded by the caller: vals[i] and lens[i] are
 * borrowed for the call.  Lets a caller encode outside the store's lock. */
int store_put_encoded(struct store *st, struct iq_event *const *evs,
                      const char *const *vals, const size_t *lens, size_t n,
                      uint8_t *outcomes);

/* Called after each successful store_put_events with the events just
 * stored (borrowed for the duration of the call), from the writer's thread. */
typedef void (*store_listener_fn)(void *ud, struct iq_event *const *evs,
                                  const uint8_t *outcomes, size_t n);
void store_set_listener(struct store *st, store_listener_fn fn, void *ud);

/* Events stored and duplicates answered since open, by every writer
 * (ZeroMQ, HTTP, notes, imports). */
struct store_counts {
    uint64_t stored, duplicates;
};
void store_counts(struct store *st, struct store_counts *ret);

/* Whether the store takes events now, why not, and its disk figures
 * (members left as they were when the store has no free-space guard).
 * Cheap: no system call. */
void store_status(struct store *st, struct store_status *ret);

/* Fetch one event by id.  Caller owns *ret.  -ENOENT, -EIO, -EINVAL (corrupt). */
int store_get_event(struct store *st, const char *id, struct iq_event **ret);

/* Fetch n events by id in batched MultiGets (much cheaper than n calls of
 * store_get_event for an incident's members).  ret[i] gets the event of
 * ids[i] (caller owns), or NULL when it is not stored or its stored value
 * is unreadable (logged).  0, -EIO or -ENOMEM; on failure every ret[i] is
 * NULL. */
int store_get_events(struct store *st, const char *const *ids, size_t n, struct iq_event **ret);

/* Number of events (an estimate from RocksDB, exact after a flush). */
uint64_t store_count_estimate(struct store *st);

/* Scans (store_scan, store_kv_scan, store_kv_scan_from) read one RocksDB
 * snapshot, taken when they start, except across a pause: the store's
 * writers (the reopen after a failed write, each chunk of a retention
 * pass) do not wait for a long scan to end.  A scan steps aside after the
 * key it is visiting, and goes on from the key after it in a new snapshot:
 * no key is visited twice and none that stayed is missed, keys before the
 * position are not looked at again, and what was written or removed after
 * it meanwhile is seen as it is now (an event stored during a pause, a
 * value retention stripped or removed).  No caller needs one snapshot: an
 * event stored during a pause also reaches the correlator through the
 * store's listener, which rebuilds that event's window afterwards whether
 * a scan saw it or not; a retention pass that removed events is followed
 * by a full rebuild; the incidents family is rewritten only by the
 * correlator thread whose scans read it for that (as postmortem marks are
 * by their prune); and listings for the API and the CLI were never of one
 * instant (an index scan fetches each event afresh).  A scan that finds
 * the database gone after a failed reopen ends with -EIO, as one that
 * starts then does.  Callbacks may read and write the store; they run
 * with its read lock held, so one that blocks for long delays a reopen by
 * as much. */

/* Scan stored events in time order within [since, until) (IQ_TIME_NONE for
 * open ends), through the service or incident_key index when given.  cb
 * gets the msgpack value (borrowed, valid during the call); a non-zero
 * return stops the scan and is returned. */
struct store_filter {
    int64_t since;
    int64_t until;
    const char *service;       /* NULL: all */
    const char *incident_key;  /* NULL: all */
    bool bulk;                 /* a long scan by time: read ahead, leave the block cache alone */
};
typedef int (*store_scan_fn)(void *ud, const char *val, size_t len);
int store_scan(struct store *st, const struct store_filter *scan, store_scan_fn cb, void *ud);

/* Generic key-value access to a column family, for the other stages. */
int store_kv_put(struct store *st, enum store_cf cf, const char *k, size_t kl,
                 const char *v, size_t vl);
int store_kv_delete(struct store *st, enum store_cf cf, const char *k, size_t kl);
/* *ret_val is malloc'ed (caller frees) and NUL-terminated. -ENOENT if absent. */
int store_kv_get(struct store *st, enum store_cf cf, const char *k, size_t kl,
                 char **ret_val, size_t *ret_len);
typedef int (*store_kv_fn)(void *ud, const char *k, size_t kl, const char *v, size_t vl);
/* Visit keys starting with prefix (plen may be 0) in order; a non-zero
 * return of cb stops the scan (and is not an error). */
int store_kv_scan(struct store *st, enum store_cf cf, const char *prefix, size_t plen,
                  store_kv_fn cb, void *ud);
/* The same for a scan of a whole family: read ahead, and the blocks read
 * are not put in the block cache (they would only evict what is hot). */
int store_kv_scan_bulk(struct store *st, enum store_cf cf, const char *prefix, size_t plen,
                       store_kv_fn cb, void *ud);
/* The same from key start (which should begin with prefix) on. */
int store_kv_scan_from(struct store *st, enum store_cf cf, const char *start, size_t sl,
                       const char *prefix, size_t plen, store_kv_fn cb, void *ud);

/* A batch of kv writes applied atomically by store_batch_commit.  Caller
 * owns the batch (store_batch_destroy); st is borrowed and must outlive it. */
struct store_batch;
struct store_batch *store_batch_new(struct store *st);
void store_batch_put(struct store_batch *b, enum store_cf cf, const char *k, size_t kl,
                     const char *v, size_t vl);
void store_batch_delete(struct store_batch *b, enum store_cf cf, const char *k, size_t kl);
/* Remove every key of cf (range delete; keys are at most STORE_KEY_MAX bytes). */
void store_batch_clear_cf(struct store_batch *b, enum store_cf cf);
int store_batch_commit(struct store_batch *b);
/* The same without the write-ahead log: cheaper for bulk writes that can
 * be made again (a full rebuild's incidents), lost in a crash until the
 * family is flushed (store_flush). */
int store_batch_commit_unlogged(struct store_batch *b);
/* Write family cf's memtables to table files; with wait, return once they
 * are written (a flush started before without wait included): what was
 * committed unlogged before is then durable.  0 or a negative errno. */
int store_flush(struct store *st, enum store_cf cf, bool wait);
/* Empty b for reuse; it keeps the memory it grew to. */
void store_batch_clear(struct store_batch *b);
void store_batch_destroy(struct store_batch **pb);

#endif

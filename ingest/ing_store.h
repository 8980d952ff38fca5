/* ing_store.h - durable event storage in RocksDB.
 *
 * One RocksDB database per data directory with column families:
 *   default     meta (schema version)
 *   by_time     events by time, the event itself as the value
 *   ids         the dedup set: id -> time
 *   by_service  index by service and time
 *   by_key      index by incident_key and time
 *   incidents   derived state of the correlator (correlate/)
 *   state       small state of other stages (log checkpoints, ...)
 * Layouts are in ing_keys.h.
 *
 * Thread safety: every call may be made from any thread.  Writes of events
 * are group-committed: concurrent callers of ing_store_put_events share one
 * WriteBatch and one WAL write (one fsync), and dedup is atomic with the
 * write, so an id is stored once and a duplicate is reported only once its
 * first copy is durable.
 *
 * A writable store guards its filesystem (ing_disk.h): below min_free_disk
 * new events are refused with -ENOSPC (a busy answer, never a crash), and a
 * store whose RocksDB write failed is reopened by a monitor thread once
 * space returns (RocksDB 7.8's C API has no Resume()), so it resumes by
 * itself.  A read-only store is a RocksDB secondary instance: it opens
 * beside a running daemon and its compactions without racing them. */
#ifndef ING_STORE_H
#define ING_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ing_store;
struct iq_event;
struct ing_disk_opts;
struct ing_sink_status;

enum ing_cf {
    ING_CF_META = 0,
    ING_CF_BY_TIME,
    ING_CF_IDS,
    ING_CF_BY_SERVICE,
    ING_CF_BY_KEY,
    ING_CF_INCIDENTS,
    ING_CF_STATE,
    ING_CF_N
};

/* Per-event outcome of a write. */
enum ing_outcome { ING_STORED = 0, ING_DUPLICATE = 1, ING_REJECTED = 2 };

struct ing_store_opts {
    bool read_only;     /* open an existing store read-only, as a RocksDB
                           secondary instance (works beside a running daemon:
                           sees what was written at open) */
    bool fsync;         /* fsync the WAL on every write (power-loss safe) */
    const struct ing_disk_opts *disk; /* writable: free-space guard and reserve
                                         (borrowed for the call); NULL: none */
    const char *log_dir; /* RocksDB's own LOG files; NULL: the data directory */
    int log_level;      /* ING_STORE_LOG_*; 0 (the default) is off */
    size_t write_buffer; /* memtable bytes per column family; 0: 64 MiB */
};

/* RocksDB's LOG levels.  Off writes nothing after open: Debian's RocksDB
 * asserts (aborts) when its LOG hits a full disk twice. */
enum { ING_STORE_LOG_OFF = 0, ING_STORE_LOG_FATAL, ING_STORE_LOG_ERROR, ING_STORE_LOG_WARN,
       ING_STORE_LOG_INFO, ING_STORE_LOG_DEBUG };

/* "off", "fatal", "error", "warn", "info", "debug" -> ING_STORE_LOG_*;
 * -EINVAL for anything else. */
int ing_store_log_level_parse(const char *name);

/* Open (creating when writable) the store in dir.  On success *ret is set;
 * caller owns it (ing_store_close).  -EIO with a logged RocksDB message,
 * -ENOSPC when a writable open failed for want of space, -ENOENT for a
 * read-only open of a missing store.  A read-only open retries for a
 * moment when the daemon's compaction removed a file it was opening. */
int ing_store_open(const char *dir, const struct ing_store_opts *opts, struct ing_store **ret);

/* Flush and close; NULLs the caller's pointer.  NULL-safe. */
void ing_store_close(struct ing_store **pst);

/* Store n validated events in one WriteBatch, skipping ids already stored
 * (or repeated earlier in evs).  outcomes[i] receives ING_STORED or
 * ING_DUPLICATE.  Returns the number stored, or (nothing stored) -ENOSPC
 * while free space is below min_free_disk, -EIO when RocksDB failed (the
 * store is then reopened in the background).  The WAL is written when
 * this returns (and synced with opts.fsync). */
int ing_store_put_events(struct ing_store *st, struct iq_event *const *evs, size_t n,
                         uint8_t *outcomes);

/* Same, with each event's stored value (its msgpack encoding, as
 * iq_event_pack writes it) encoded by the caller: vals[i] and lens[i] are
 * borrowed for the call.  Lets a caller encode outside the store's lock. */
int ing_store_put_encoded(struct ing_store *st, struct iq_event *const *evs,
                          const char *const *vals, const size_t *lens, size_t n,
                          uint8_t *outcomes);

/* Called after each successful ing_store_put_events with the events just
 * stored (borrowed for the duration of the call), from the writer's thread. */
typedef void (*ing_store_listener_fn)(void *ud, struct iq_event *const *evs,
                                      const uint8_t *outcomes, size_t n);
void ing_store_set_listener(struct ing_store *st, ing_store_listener_fn fn, void *ud);

/* Whether the store takes events now, why not, and its disk figures
 * (ing_sink.h).  Cheap: no system call. */
void ing_store_status(struct ing_store *st, struct ing_sink_status *ret);

/* Fetch one event by id.  Caller owns *ret.  -ENOENT, -EIO, -EINVAL (corrupt). */
int ing_store_get_event(struct ing_store *st, const char *id, struct iq_event **ret);

/* Number of events (an estimate from RocksDB, exact after a flush). */
uint64_t ing_store_count_estimate(struct ing_store *st);

/* Scan stored events in time order within [since, until) (IQ_TIME_NONE for
 * open ends), through the service or incident_key index when given.  cb
 * gets the msgpack value (borrowed, valid during the call); a non-zero
 * return stops the scan and is returned. */
struct ing_scan {
    int64_t since;
    int64_t until;
    const char *service;       /* NULL: all */
    const char *incident_key;  /* NULL: all */
    bool bulk;                 /* a long scan by time: read ahead, leave the block cache alone */
};
typedef int (*ing_scan_fn)(void *ud, const char *val, size_t len);
int ing_store_scan(struct ing_store *st, const struct ing_scan *scan, ing_scan_fn cb, void *ud);

/* Generic key-value access to a column family, for the other stages. */
int ing_store_kv_put(struct ing_store *st, enum ing_cf cf, const char *k, size_t kl,
                     const char *v, size_t vl);
int ing_store_kv_delete(struct ing_store *st, enum ing_cf cf, const char *k, size_t kl);
/* *ret_val is malloc'ed (caller frees) and NUL-terminated. -ENOENT if absent. */
int ing_store_kv_get(struct ing_store *st, enum ing_cf cf, const char *k, size_t kl,
                     char **ret_val, size_t *ret_len);
typedef int (*ing_kv_fn)(void *ud, const char *k, size_t kl, const char *v, size_t vl);
/* Visit keys starting with prefix (plen may be 0) in order; a non-zero
 * return of cb stops the scan (and is not an error). */
int ing_store_kv_scan(struct ing_store *st, enum ing_cf cf, const char *prefix, size_t plen,
                      ing_kv_fn cb, void *ud);
/* The same from key start (which should begin with prefix) on. */
int ing_store_kv_scan_from(struct ing_store *st, enum ing_cf cf, const char *start, size_t sl,
                           const char *prefix, size_t plen, ing_kv_fn cb, void *ud);

/* A batch of kv writes applied atomically by ing_kvbatch_commit.  Caller
 * owns the batch (ing_kvbatch_destroy); st is borrowed and must outlive it. */
struct ing_kvbatch;
struct ing_kvbatch *ing_kvbatch_new(struct ing_store *st);
void ing_kvbatch_put(struct ing_kvbatch *b, enum ing_cf cf, const char *k, size_t kl,
                     const char *v, size_t vl);
void ing_kvbatch_delete(struct ing_kvbatch *b, enum ing_cf cf, const char *k, size_t kl);
/* Remove every key of cf (range delete; keys are at most ING_KEY_MAX bytes). */
void ing_kvbatch_clear_cf(struct ing_kvbatch *b, enum ing_cf cf);
int ing_kvbatch_commit(struct ing_kvbatch *b);
void ing_kvbatch_destroy(struct ing_kvbatch **pb);

#endif

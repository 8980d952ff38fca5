/* store_int.h - the store's private state, shared by store_open.c
 * (open, close, reopen, the monitor thread), store.c (reads, kv),
 * store_scan.c (scans), store_commit.c (dedup and group commit of
 * events) and store_tune.c (options, compaction).  Not for use outside
 * those files.
 *
 * Locking: dblock is taken for reading around every use of db and cf
 * (glibc's default rwlock prefers readers, so a scan callback may nest a
 * read), and for writing only to reopen the database after a failure and
 * for one chunk of retention, always through store_writer_*: scans yield
 * to a writer announced there (store_scan.c). */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <rocksdb/c.h>

#include "store.h"

struct put_req;

/* The group leader's scratch for one batched lookup of new ids; grown as
 * needed and used by one leader at a time. */
struct probe {
    const char **keys;
    size_t *lens;
    rocksdb_pinnableslice_t **vals;
    char **errs;
    struct put_req **req;
    uint32_t *ix;
    size_t cap;
    rocksdb_writebatch_t *wb;    /* the group's batch, cleared and reused */
};

struct store_disk;
struct iq_metrics;
struct iq_metric;

/* The store's series (store_metrics.c); NULL without a registry. */
struct store_metrics {
    struct iq_metrics *reg;
    int hook;
    struct iq_metric *write_seconds, *wal_writes, *wal_syncs;
    struct iq_metric *pending_compaction, *sst_bytes, *memtable_bytes, *events;
};

struct store {
    pthread_rwlock_t dblock;     /* read: any use of db and cf; write: reopen */
    rocksdb_t *db;               /* NULL while a reopen failed */
    rocksdb_options_t *opts;     /* database-wide (store_tune.c) */
    rocksdb_options_t *cf_opts[STORE_CF_N];   /* per family (store_tune.c) */
    rocksdb_cache_t *cache;      /* the block cache every family shares */
    int tier;                    /* compression fallback in use (store_tune.c) */
    rocksdb_column_family_handle_t *cf[STORE_CF_N];   /* NULL if absent (read-only) */
    rocksdb_writeoptions_t *wopts;
    rocksdb_writeoptions_t *wopts_unlogged;   /* WAL off: store_batch_commit_unlogged */
    rocksdb_readoptions_t *ropts;
    pthread_mutex_t lock;        /* guards the commit queue and the listener */
    struct put_req *head, *tail; /* commit queue; head is the leader */
    struct probe probe;          /* the leader's */
    store_listener_fn listener;
    void *listener_ud;
    _Atomic uint64_t n_stored, n_duplicates;   /* store_counts */
    bool read_only;
    bool fsync;                  /* every write synced (opts.fsync) */
    struct store_metrics m;
    char *dir;
    char *secondary;             /* read-only: the secondary instance's own
                                    directory, removed at close */
    struct store_disk *disk;       /* writable: the free-space guard, or NULL */
    _Atomic int failed;          /* 0, or the -errno of a failed write: the
                                    monitor reopens the database */
    char fail_msg[256];          /* RocksDB's words for it, under mon_lock */
    _Atomic int writers;         /* announced writers of dblock: scans yield */
    _Atomic uint64_t writes_done; /* writers finished, under yield_lock */
    pthread_mutex_t yield_lock;  /* scans waiting for a writer (yield_cv) */
    pthread_cond_t yield_cv;
    pthread_mutex_t mon_lock;    /* the monitor thread's wakeups */
    pthread_cond_t mon_cv;
    bool mon_stop, mon_started;
    pthread_t monitor;
};

/* Take dblock for writing (store_scan.c).  store_writer_enter announces
 * the writer: from then on every scan in another thread releases its read
 * lock after the key it is visiting; store_writer_lock then takes the lock
 * (the caller may do something between the two, such as log that it
 * waits), and store_writer_unlock releases it and wakes the scans that
 * yielded.  Each enter is followed by one lock and one unlock. */
void store_writer_enter(struct store *st);
void store_writer_lock(struct store *st);
void store_writer_unlock(struct store *st);

/* Log a RocksDB error string once, free it, return -EIO (store.c). */
int store_rocks_err(char *err, const char *what);

/* The same for the errors of a batch (a MultiGet): the first one is logged
 * and kept in *r as -EIO, the later ones are only freed. */
void store_rocks_err_first(int *r, char *err, const char *what);

/* Does a RocksDB error message say the disk is full (store.c)? */
bool store_no_space(const char *msg);

/* A write failed with RocksDB's err (freed here): log it, mark the store
 * failed so writes stop and the monitor reopens it, release the disk
 * reserve.  Returns -ENOSPC when the disk is full, else -EIO (store.c). */
int store_write_failed(struct store *st, char *err, const char *what);

/* 0 when writes may go on, else the failure's -errno (no RocksDB call). */
static inline int store_writable(struct store *st)
{
    return st->read_only ? -EROFS : atomic_load(&st->failed);
}

/* Check the data format version of a just opened store, stamping or
 * refusing it (store_version.c).  0, -EPROTO (logged), -EIO. */
int store_version_check(struct store *st);

/* Register the store's series into reg (NULL, or a read-only store:
 * nothing), remove their collect hook, count one WAL write
 * (store_metrics.c). */
int store_metrics_register(struct store *st, struct iq_metrics *reg);
void store_metrics_unregister(struct store *st);
void store_metrics_write(struct store *st);
/* Options of the database and of each family (store_tune.c) for
 * compression tier (0 the best; store_tiers() of them): fills opts,
 * cf_opts and cache, replacing earlier ones.  0 or -ENOMEM. */
int store_tune(struct store *st, const struct store_opts *o, int tier);

/* Free what store_tune made.  Safe to call twice. */
void store_untune(struct store *st);

/* Number of compression tiers, and one in words for the log. */
int store_tiers(void);
const char *store_tier_name(int tier);

/* Does RocksDB's open error say a compression type is not built in? */
bool store_compression_refused(const char *err);

/* Free the leader's scratch (store_commit.c); for store_close. */
void store_probe_free(struct probe *p);

#endif

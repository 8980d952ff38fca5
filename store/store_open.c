/* store_open.c - opening, closing and reopening the RocksDB store, and
 * the monitor thread that keeps a writable store alive on a full disk.
 *
 * Design notes.
 * - RocksDB options: per column family in store_tune.c (compression,
 *   blocks, filters, the memory budget).  WAL is bounded
 *   (max_total_wal_size 64 MiB flushes the oldest memtables beyond it), so
 *   a restart or a reader replays little.  RocksDB's own LOG is off by default (level "off"
 *   writes nothing after open) and bounded (4 files of 16 MiB) when on:
 *   Debian's librocksdb is built with assertions, and a LOG that fails on
 *   a full disk aborts the process on its next line; a writable store
 *   whose LOG is on and on the data filesystem says so at open.
 * - A writable store opens the free-space guard (store_disk.h) first and
 *   releases the reserve when the disk is already low, so the WAL replay
 *   at open can flush.  A write that fails in RocksDB marks the store
 *   failed: writes stop (busy), the reserve is released, and the monitor
 *   thread closes and reopens the database (the C API of RocksDB 7.8 has
 *   no Resume(); a reopen replays the WAL and flushes it, which the
 *   reserve leaves room for), retrying with backoff until it opens.
 * - A read-only store is a RocksDB secondary instance with its own
 *   directory under $TMPDIR (removed at close) and every table file opened
 *   at open (max_open_files -1), so files that the daemon's compaction
 *   deletes later stay readable.  The open itself can still meet a file
 *   deleted between reading the MANIFEST and opening it: it is retried
 *   for a moment before the error is reported. */
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store_disk.h"
#include "iq_log.h"
#include "iq_time.h"

#define WAL_TOTAL_MAX (64u << 20)
#define LOG_FILE_MAX (16u << 20)
#define LOG_FILES_KEPT 4
#define READER_TRIES 20           /* secondary opens racing a compaction */
#define REOPEN_BACKOFF_MAX 30000  /* ms */

static const char *const cf_names[STORE_CF_N] = {
    [STORE_CF_META] = "default",       [STORE_CF_BY_TIME] = "by_time",
    [STORE_CF_IDS] = "ids",            [STORE_CF_BY_SERVICE] = "by_service",
    [STORE_CF_BY_KEY] = "by_key",      [STORE_CF_INCIDENTS] = "incidents",
    [STORE_CF_STATE] = "state",        [STORE_CF_DOCS] = "postmortems",
};

static const char *const log_levels[] = { "off", "fatal", "error", "warn", "info", "debug" };

int store_log_level_parse(const char *name)
{
    for (int i = 0; i < (int)(sizeof(log_levels) / sizeof(log_levels[0])); i++)
        if (strcmp(name, log_levels[i]) == 0)
            return i;
    return -EINVAL;
}

/* Options of a store (store_tune.c for the families, here what only
 * opening needs: logging, WAL) at compression tier st->tier. */
static int configure(struct store *st, const struct store_opts *o)
{
    static const int rocks_level[] = { 5 /* HEADER: nothing after open */, 4, 3, 2, 1, 0 };
    int lvl = o && o->log_level > 0 && o->log_level <= STORE_LOG_DEBUG ? o->log_level : 0;
    int r = store_tune(st, o, st->tier);

    if (r < 0)
        return r;
    rocksdb_options_set_max_total_wal_size(st->opts, WAL_TOTAL_MAX);
    rocksdb_options_set_info_log_level(st->opts, rocks_level[lvl]);
    rocksdb_options_set_max_log_file_size(st->opts, LOG_FILE_MAX);
    rocksdb_options_set_keep_log_file_num(st->opts, LOG_FILES_KEPT);
    if (o->log_dir && *o->log_dir)
        rocksdb_options_set_db_log_dir(st->opts, o->log_dir);
    if (!st->wopts)
        st->wopts = rocksdb_writeoptions_create();
    if (!st->wopts_unlogged && (st->wopts_unlogged = rocksdb_writeoptions_create()))
        rocksdb_writeoptions_disable_WAL(st->wopts_unlogged, 1);
    if (!st->ropts)
        st->ropts = rocksdb_readoptions_create();
    rocksdb_writeoptions_set_sync(st->wopts, o->fsync);
    return 0;
}

/* A RocksDB built without a compression we ask for refuses to open: fall
 * back to the next tier (store_tune.c) and say so.  true to retry.
 * o is NULL on a reopen, which keeps the tier of the first open. */
static bool fallback(struct store *st, const struct store_opts *o, char **err)
{
    if (!o || !*err || !store_compression_refused(*err) || st->tier + 1 >= store_tiers())
        return false;
    iq_warn("store", "%s: %s; this librocksdb cannot compress so: falling back to %s", st->dir,
            *err, store_tier_name(st->tier + 1));
    rocksdb_free(*err);
    *err = NULL;
    st->tier++;
    return configure(st, o) == 0;
}

/* Which of our families exist on disk (read-only opens need exactly those). */
static int existing_families(struct store *st, bool present[STORE_CF_N], char **reterr)
{
    char *err = NULL, **names;
    size_t n = 0;

    names = rocksdb_list_column_families(st->opts, st->dir, &n, &err);
    if (err) {
        *reterr = err;
        if (names)
            rocksdb_list_column_families_destroy(names, n);
        return -ENOENT;
    }
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < STORE_CF_N; c++)
            if (strcmp(names[i], cf_names[c]) == 0)
                present[c] = true;
    rocksdb_list_column_families_destroy(names, n);
    return 0;
}

/* Close the database and its handles (the options stay, for a reopen). */
static void db_close(struct store *st)
{
    for (int c = 0; c < STORE_CF_N; c++)
        if (st->cf[c]) {
            rocksdb_column_family_handle_destroy(st->cf[c]);
            st->cf[c] = NULL;
        }
    if (st->db)
        rocksdb_close(st->db);
    st->db = NULL;
}

/* One open attempt of the families in present (all when writable).  On
 * failure *reterr holds RocksDB's message. */
static void db_open_once(struct store *st, const bool present[STORE_CF_N], char **reterr)
{
    const char *names[STORE_CF_N];
    const rocksdb_options_t *copts[STORE_CF_N];
    rocksdb_column_family_handle_t *handles[STORE_CF_N];
    int map[STORE_CF_N], n = 0;

    for (int c = 0; c < STORE_CF_N; c++) {
        if (st->read_only && !present[c])
            continue;
        names[n] = cf_names[c];
        copts[n] = st->cf_opts[c];
        map[n++] = c;
    }
    if (st->read_only)
        st->db = rocksdb_open_as_secondary_column_families(st->opts, st->dir, st->secondary, n,
                                                           names, copts, handles, reterr);
    else
        st->db = rocksdb_open_column_families(st->opts, st->dir, n, names, copts, handles, reterr);
    if (*reterr) {
        st->db = NULL;
        return;
    }
    for (int i = 0; i < n; i++)
        st->cf[map[i]] = handles[i];
}

static void pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static bool has_current(const char *dir)
{
    char path[4096];

    return (size_t)snprintf(path, sizeof(path), "%s/CURRENT", dir) < sizeof(path) &&
           access(path, F_OK) == 0;
}

/* Open as a secondary, retrying while the daemon's compaction swaps files
 * under the open. */
static int open_reader(struct store *st, const struct store_opts *o)
{
    bool present[STORE_CF_N] = { false };
    char *err = NULL;
    int r = 0;

    for (int t = 1; t <= READER_TRIES; t++) {
        if (err) {
            rocksdb_free(err);
            err = NULL;
            pause_ms(t * 20 < 200 ? t * 20 : 200);
        }
        r = existing_families(st, present, &err);
        if (r == 0)
            db_open_once(st, present, &err);
        if (r == 0 && fallback(st, o, &err))
            db_open_once(st, present, &err);
        if (!err)
            return 0;
        if (!has_current(st->dir))     /* no store here: nothing to wait for */
            break;
    }
    if (r == -ENOENT) {
        iq_error("store", "%s: no inquest data directory here (%s)", st->dir, err);
        rocksdb_free(err);
        return -ENOENT;
    }
    return store_rocks_err(err, st->dir);
}

static int open_writer(struct store *st, const struct store_opts *o)
{
    char *err = NULL;

    db_open_once(st, NULL, &err);
    while (fallback(st, o, &err))
        db_open_once(st, NULL, &err);
    if (!err)
        return 0;
    if (store_no_space(err)) {
        iq_error("store", "%s: %s (disk full)", st->dir, err);
        rocksdb_free(err);
        return -ENOSPC;
    }
    return store_rocks_err(err, st->dir);
}

/* The secondary instance's own directory, under $TMPDIR. */
static int make_secondary_dir(struct store *st)
{
    const char *tmp = getenv("TMPDIR");
    size_t n;

    tmp = tmp && *tmp ? tmp : "/tmp";
    n = strlen(tmp) + sizeof("/inquest-reader.XXXXXX");
    st->secondary = malloc(n);
    if (!st->secondary)
        return -ENOMEM;
    snprintf(st->secondary, n, "%s/inquest-reader.XXXXXX", tmp);
    if (!mkdtemp(st->secondary)) {
        int r = -errno;

        iq_error("store", "cannot create a reader directory in %s: %s", tmp, strerror(errno));
        free(st->secondary);
        st->secondary = NULL;
        return r;
    }
    return 0;
}

/* Remove the secondary's directory and the files RocksDB left in it. */
static void remove_secondary_dir(struct store *st)
{
    DIR *d = st->secondary ? opendir(st->secondary) : NULL;
    struct dirent *e;
    char path[4096];

    if (!d)
        return;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            (size_t)snprintf(path, sizeof(path), "%s/%s", st->secondary, e->d_name) < sizeof(path))
            unlink(path);
    closedir(d);
    rmdir(st->secondary);
}

/* Close and reopen a failed writable database under the write lock.
 * Scans yield to it (store_scan.c) from before the first log line; the
 * second says how long the lock took: reads and scans finishing a key. */
static int reopen(struct store *st)
{
    int64_t t0 = iq_time_mono_ms(), waited;
    int r;

    store_writer_enter(st);
    iq_info("store", "reopening %s after a failed write", st->dir);
    store_writer_lock(st);
    waited = iq_time_mono_ms() - t0;
    db_close(st);
    r = open_writer(st, NULL);
    store_writer_unlock(st);
    if (r < 0)
        return r;
    atomic_store(&st->failed, 0);
    iq_info("store", "reopened %s (the lock took %lld ms): taking events again", st->dir,
            (long long)waited);
    return 0;
}

/* Free space now (as of the last look), or -1 without a disk guard. */
static int64_t disk_free(struct store *st)
{
    struct store_disk_state ds;

    if (!st->disk)
        return -1;
    store_disk_state(st->disk, &ds);
    return ds.free_bytes;
}

/* Every second (or at once when a write failed): look at the disk, and
 * reopen a failed database, backing off from 1 s to 30 s between tries,
 * but trying at once when free space grew by 1 MiB since the last try (a
 * reopen replays and flushes the WAL: it fails until there is room). */
static void *monitor_main(void *arg)
{
    struct store *st = arg;
    int64_t backoff = 1000, next_try = 0, now, tried_free = 0;
    struct timespec until;

    pthread_mutex_lock(&st->mon_lock);
    while (!st->mon_stop) {
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1;
        if (!atomic_load(&st->failed))
            pthread_cond_timedwait(&st->mon_cv, &st->mon_lock, &until);
        if (st->mon_stop)
            break;
        pthread_mutex_unlock(&st->mon_lock);
        if (st->disk)
            store_disk_refresh(st->disk);
        now = iq_time_mono_ms();
        if (atomic_load(&st->failed) && (now >= next_try || disk_free(st) > tried_free + (1 << 20))) {
            tried_free = disk_free(st);
            if (reopen(st) == 0) {
                backoff = 1000;
                next_try = 0;
            } else {
                next_try = now + backoff;
                backoff = backoff * 2 < REOPEN_BACKOFF_MAX ? backoff * 2 : REOPEN_BACKOFF_MAX;
            }
        }
        if (atomic_load(&st->failed))   /* pace the retries */
            pause_ms(100);
        pthread_mutex_lock(&st->mon_lock);
    }
    pthread_mutex_unlock(&st->mon_lock);
    return NULL;
}

static int start_monitor(struct store *st)
{
    if (pthread_create(&st->monitor, NULL, monitor_main, st) != 0)
        return -EAGAIN;
    st->mon_started = true;
    return 0;
}

static void init_locks(struct store *st)
{
    pthread_condattr_t ca;

    pthread_mutex_init(&st->lock, NULL);
    pthread_rwlock_init(&st->dblock, NULL);
    pthread_mutex_init(&st->mon_lock, NULL);
    pthread_mutex_init(&st->yield_lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&st->mon_cv, &ca);
    pthread_cond_init(&st->yield_cv, &ca);
    pthread_condattr_destroy(&ca);
}

/* RocksDB's LOG beside the data on one filesystem, at a level that writes
 * after open, can abort the process when that filesystem fills: warn. */
static void warn_log_placement(const struct store *st, const struct store_opts *o)
{
    const char *dir = o->log_dir && *o->log_dir ? o->log_dir : st->dir;
    struct stat a, b;

    if (o->log_level <= STORE_LOG_OFF || stat(st->dir, &a) < 0 || stat(dir, &b) < 0 ||
        a.st_dev != b.st_dev)
        return;
    iq_warn("store", "rocksdb_log_level %s writes RocksDB's LOG on the data filesystem: RocksDB "
            "aborts the daemon when that LOG meets a full disk; set rocksdb_log_dir to another "
            "filesystem", log_levels[o->log_level <= STORE_LOG_DEBUG ? o->log_level : 0]);
}

/* The writable side: the disk guard, then the database, then the monitor. */
static int open_writable(struct store *st, const struct store_opts *o)
{
    int r;

    warn_log_placement(st, o);
    if (o->disk) {
        r = store_disk_new(st->dir, o->disk, &st->disk);
        if (r < 0) {
            iq_error("store", "%s: cannot watch free space: %s", st->dir, strerror(-r));
            return r;
        }
        store_disk_release_if_low(st->disk);
    }
    r = open_writer(st, o);
    return r < 0 ? r : start_monitor(st);
}

int store_open(const char *dir, const struct store_opts *o, struct store **ret)
{
    static const struct store_opts none = { 0 };
    struct store *st = calloc(1, sizeof(*st));
    int r;

    if (!st)
        return -ENOMEM;
    o = o ? o : &none;
    init_locks(st);
    st->read_only = o->read_only;
    st->dir = strdup(dir);
    if (!st->dir) {
        r = -ENOMEM;
        goto fail;
    }
    r = configure(st, o);
    if (r < 0)
        goto fail;
    st->fsync = o->fsync;
    if (st->read_only)
        r = make_secondary_dir(st);
    else
        r = open_writable(st, o);
    if (r == 0 && st->read_only)
        r = open_reader(st, o);
    if (r == 0)
        r = store_version_check(st);
    if (r == 0)
        r = store_metrics_register(st, o->metrics);
    if (r < 0)
        goto fail;
    *ret = st;
    return 0;
fail:
    store_close(&st);
    return r;
}

static void stop_monitor(struct store *st)
{
    if (!st->mon_started)
        return;
    pthread_mutex_lock(&st->mon_lock);
    st->mon_stop = true;
    pthread_cond_signal(&st->mon_cv);
    pthread_mutex_unlock(&st->mon_lock);
    pthread_join(st->monitor, NULL);
    st->mon_started = false;
}

void store_close(struct store **pst)
{
    struct store *st;
    char *err = NULL;

    if (!pst || !*pst)
        return;
    st = *pst;
    store_metrics_unregister(st);
    stop_monitor(st);
    if (st->db && !st->read_only && !atomic_load(&st->failed)) {
        rocksdb_flush_wal(st->db, 1, &err);
        if (err)
            store_rocks_err(err, "flush WAL on close");
    }
    db_close(st);
    remove_secondary_dir(st);
    if (st->wopts)
        rocksdb_writeoptions_destroy(st->wopts);
    if (st->wopts_unlogged)
        rocksdb_writeoptions_destroy(st->wopts_unlogged);
    if (st->ropts)
        rocksdb_readoptions_destroy(st->ropts);
    store_untune(st);
    store_probe_free(&st->probe);
    store_disk_destroy(&st->disk);
    pthread_cond_destroy(&st->mon_cv);
    pthread_mutex_destroy(&st->mon_lock);
    pthread_cond_destroy(&st->yield_cv);
    pthread_mutex_destroy(&st->yield_lock);
    pthread_rwlock_destroy(&st->dblock);
    pthread_mutex_destroy(&st->lock);
    free(st->secondary);
    free(st->dir);
    free(st);
    *pst = NULL;
}

void store_status(struct store *st, struct store_status *ret)
{
    struct store_disk_state ds;
    int failed = atomic_load(&st->failed);

    ret->busy = STORE_READY;
    ret->reason[0] = '\0';
    if (st->disk) {
        store_disk_state(st->disk, &ds);
        ret->disk_free = ds.free_bytes;
        ret->disk_min_free = ds.min_free;
        ret->disk_reserve = ds.reserve_held ? ds.reserve : 0;
    }
    if (failed) {
        ret->busy = failed == -ENOSPC ? STORE_BUSY_DISK_FULL : STORE_BUSY_ERROR;
        pthread_mutex_lock(&st->mon_lock);
        snprintf(ret->reason, sizeof(ret->reason), "%s%.100s: %.150s; reopening the store",
                 failed == -ENOSPC ? "disk full on " : "store failed on ", st->dir, st->fail_msg);
        pthread_mutex_unlock(&st->mon_lock);
    } else if (st->disk && ds.busy) {
        ret->busy = STORE_BUSY_DISK_FULL;
        store_disk_reason(st->disk, ret->reason, sizeof(ret->reason));
    }
}

static const char *const busy_names[STORE_BUSY_N] = {
    [STORE_READY] = "none", [STORE_BUSY_DISK_FULL] = "disk_full",
    [STORE_BUSY_ERROR] = "store_error", [STORE_BUSY_SPOOL_FULL] = "spool_full",
};

const char *store_busy_name(enum store_busy b)
{
    return (unsigned)b < STORE_BUSY_N ? busy_names[b] : "unknown";
}

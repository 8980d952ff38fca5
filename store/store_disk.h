/* store_disk.h - the free-space guard of the store's filesystem.
 *
 * Watches the filesystem of a directory (statvfs, cached) against a
 * minimum of free space, so the store can refuse new events (answered
 * "busy": retry later) before RocksDB ever meets ENOSPC, and keeps a
 * reserve file there that is deleted when the filesystem is about to fill
 * or a write failed, so RocksDB's recovery can still flush, and recreated
 * once space returns.
 *
 * Thread safety: every call may be made from any thread. */
#ifndef STORE_DISK_H
#define STORE_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_disk;

/* min_free_disk: a size ("1G"), a share of the filesystem ("5%"), or both
 * ("1G,5%": whichever is smaller).  "0" turns the guard off. */
struct store_disk_limit {
    int64_t bytes;       /* -1: no absolute part */
    double fraction;     /* 0..0.9 of the filesystem's size; < 0: none */
};

#define STORE_DISK_MIN_FREE_DEFAULT "1G,5%"
#define STORE_DISK_RESERVE_DEFAULT  "128M"
#define STORE_DISK_RESERVE_NAME     "inquest.reserve"

/* Parse text as above into *ret.  0, or -EINVAL with err naming the problem. */
int store_disk_limit_parse(const char *text, struct store_disk_limit *ret, char *err, size_t errsz);

struct store_disk_opts {
    struct store_disk_limit min_free;
    int64_t reserve;        /* bytes of DIR/inquest.reserve; 0: no reserve file */
    int64_t check_ms;       /* statvfs at most this often on the write path; 0: 1000 */
};

/* Watch the filesystem of dir (copied) and create the reserve file when
 * there is room for it.  Caller owns *ret.  -ENOMEM, or -errno of statvfs. */
int store_disk_new(const char *dir, const struct store_disk_opts *opts, struct store_disk **ret);

/* Remove nothing (the reserve file stays for the next start); free; NULL
 * *pd.  NULL-safe. */
void store_disk_destroy(struct store_disk **pd);

/* May bytes more be written?  0, or -ENOSPC while free space is below the
 * minimum.  Cheap: re-reads statvfs only when check_ms passed or a good
 * part of the remaining headroom was written since the last look. */
int store_disk_admit(struct store_disk *d, size_t bytes);

/* Look at the filesystem now: update the busy state, delete the reserve
 * when the filesystem is about to fill, recreate it when space returned.
 * Returns 0 or -ENOSPC as store_disk_admit.  For a periodic caller. */
int store_disk_refresh(struct store_disk *d);

/* A write to the filesystem failed (e.g. ENOSPC met by RocksDB): release
 * the reserve at once so recovery can flush, and look again. */
void store_disk_write_failed(struct store_disk *d);

/* Release the reserve now if free space is below the minimum (before
 * opening a store on a full disk, so its recovery can flush). */
void store_disk_release_if_low(struct store_disk *d);

struct store_disk_state {
    bool busy;              /* free space below the minimum */
    bool reserve_held;      /* the reserve file exists at its size */
    int64_t free_bytes;     /* available to the store, at the last look */
    int64_t total_bytes;    /* size of the filesystem */
    int64_t min_free;       /* the minimum in bytes (0: guard off) */
    int64_t reserve;        /* configured reserve in bytes */
};

/* The state at the last look (no statvfs). */
void store_disk_state(struct store_disk *d, struct store_disk_state *ret);

/* "disk full on DIR: 12.0 MiB free, min_free_disk 16.0 MiB" into buf. */
void store_disk_reason(struct store_disk *d, char *buf, size_t size);

#endif

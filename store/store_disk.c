/* store_disk.c - the free-space guard of the store's filesystem.
 *
 * A full disk must be a busy signal, never a crash: RocksDB that meets
 * ENOSPC stops writing until it is reopened, and Debian's build asserts
 * when its own LOG fails twice.  So the store asks here before each write
 * of events and refuses them (busy) while free space is below
 * min_free_disk; RocksDB then never sees the disk fill from our writes.
 *
 * Design notes.
 * - statvfs is cached.  The write path looks again only when check_ms
 *   passed or when a quarter of the remaining headroom (at least 1 MiB)
 *   was written since the last look, so the check costs two atomic
 *   operations per batch; the store's monitor thread also refreshes every
 *   second, so the state is current without traffic.
 * - The reserve file (DATA/inquest.reserve, fallocate'd) holds space that
 *   nothing else can take.  It is deleted when free space falls below its
 *   size (someone else is filling the disk) or when a write failed, so
 *   RocksDB's recovery can flush its memtables; it is recreated once it
 *   fits with free space left above both min_free_disk and its own size
 *   by a margin (a tenth of min_free_disk, from 1 MiB to 64 MiB).
 * - Busy starts below min_free_disk and ends once free space is back above
 *   it by that margin with the reserve held again, so the state does not
 *   flap around the threshold.
 * - Free space is f_bavail: what an unprivileged writer may use. */
#include "store_disk.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "iq_conf.h"
#include "iq_log.h"
#include "iq_time.h"

#define MIB (1024 * 1024)
#define CHECK_BYTES_MIN (1 * MIB)
#define MARGIN_MAX (64LL * MIB)

struct store_disk {
    char *dir;
    char *reserve_path;
    struct store_disk_opts o;
    pthread_mutex_t lock;            /* one look at a time; guards the reserve */
    bool reserve_held;               /* under lock */
    bool reserve_unsupported;        /* fallocate refused: never retried */
    bool release_wanted;             /* under lock: a write failed */
    _Atomic bool busy;
    _Atomic bool held;               /* reserve_held, for readers without the lock */
    _Atomic int64_t free_bytes, total_bytes, min_free;
    _Atomic int64_t written;         /* bytes admitted since the last look */
    _Atomic int64_t check_bytes;     /* ... that trigger the next look */
    _Atomic int64_t next_check;      /* monotonic ms of the next look */
};

static int parse_part(const char *s, size_t n, struct store_disk_limit *l, char *err, size_t errsz)
{
    char buf[32], *end;

    if (n == 0 || n >= sizeof(buf)) {
        snprintf(err, errsz, "min_free_disk: empty or overlong part");
        return -EINVAL;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (buf[n - 1] == '%') {
        double pct;

        buf[n - 1] = '\0';
        errno = 0;
        pct = strtod(buf, &end);
        if (errno || end == buf || *end || !(pct >= 0 && pct <= 90) || l->fraction >= 0) {
            snprintf(err, errsz, "min_free_disk: \"%s%%\" is not one percentage from 0%% to 90%%",
                     buf);
            return -EINVAL;
        }
        l->fraction = pct / 100;
        return 0;
    }
    if (iq_size_parse(buf, &l->bytes) < 0 || l->bytes < 0) {
        snprintf(err, errsz, "min_free_disk: \"%s\" is not a size such as 1G or 512M", buf);
        return -EINVAL;
    }
    return 0;
}

int store_disk_limit_parse(const char *text, struct store_disk_limit *ret, char *err, size_t errsz)
{
    struct store_disk_limit l = { .bytes = -1, .fraction = -1 };
    const char *comma = strchr(text, ',');
    int r;

    if (comma && strchr(comma + 1, ',')) {
        snprintf(err, errsz, "min_free_disk: at most a size and a percentage (\"1G,5%%\")");
        return -EINVAL;
    }
    r = parse_part(text, comma ? (size_t)(comma - text) : strlen(text), &l, err, errsz);
    if (r == 0 && comma) {
        int64_t first = l.bytes;

        l.bytes = -1;
        r = parse_part(comma + 1, strlen(comma + 1), &l, err, errsz);
        if (r == 0 && first >= 0 && l.bytes >= 0) {
            snprintf(err, errsz, "min_free_disk: two sizes; give a size and a percentage");
            return -EINVAL;
        }
        if (first >= 0)
            l.bytes = first;
    }
    if (r == 0)
        *ret = l;
    return r;
}

/* The minimum in bytes for a filesystem of total bytes. */
static int64_t min_free_of(const struct store_disk_limit *l, int64_t total)
{
    int64_t pct = l->fraction >= 0 ? (int64_t)(l->fraction * (double)total) : -1;

    if (l->bytes >= 0 && pct >= 0)
        return l->bytes < pct ? l->bytes : pct;
    return l->bytes >= 0 ? l->bytes : pct >= 0 ? pct : 0;
}

static int stat_fs(struct store_disk *d, int64_t *ret_free)
{
    struct statvfs vfs;
    int64_t total;

    if (statvfs(d->dir, &vfs) < 0)
        return -errno;
    total = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
    *ret_free = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    atomic_store(&d->total_bytes, total);
    atomic_store(&d->min_free, min_free_of(&d->o.min_free, total));
    atomic_store(&d->free_bytes, *ret_free);
    return 0;
}

static void release_reserve(struct store_disk *d, const char *why)
{
    if (!d->reserve_held)
        return;
    if (unlink(d->reserve_path) < 0 && errno != ENOENT) {
        iq_error("disk", "cannot delete the reserve %s: %s", d->reserve_path, strerror(errno));
        return;
    }
    d->reserve_held = false;
    atomic_store(&d->held, false);
    iq_warn("disk", "released the %lld MiB reserve in %s: %s", (long long)(d->o.reserve / MIB),
            d->dir, why);
}

/* Create (or complete) the reserve file; -errno when it cannot be. */
static int create_reserve(struct store_disk *d)
{
    int fd = open(d->reserve_path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    int r;

    if (fd < 0)
        return -errno;
    r = posix_fallocate(fd, 0, (off_t)d->o.reserve);
    if (r == 0 && ftruncate(fd, (off_t)d->o.reserve) < 0)   /* a larger one from before */
        r = errno;
    close(fd);
    if (r) {
        unlink(d->reserve_path);
        return -r;
    }
    d->reserve_held = true;
    atomic_store(&d->held, true);
    return 0;
}

/* Hysteresis around min_free: a tenth of it, from 1 MiB to 64 MiB. */
static int64_t margin_of(int64_t min)
{
    int64_t m = min / 10;

    return m < CHECK_BYTES_MIN ? CHECK_BYTES_MIN : m > MARGIN_MAX ? MARGIN_MAX : m;
}

/* The reserve after a look at free space: released when the filesystem is
 * about to fill (less free than the reserve) or a write failed, recreated
 * once it fits with room to spare, so release and recreation never
 * alternate on one level of free space. */
static void tend_reserve(struct store_disk *d, int64_t *free_b, int64_t min)
{
    int64_t floor = min > d->o.reserve ? min : d->o.reserve;
    int r;

    if (d->o.reserve <= 0 || d->reserve_unsupported)
        return;
    if (d->reserve_held && (d->release_wanted || *free_b < d->o.reserve)) {
        release_reserve(d, d->release_wanted ? "a write failed" : "the filesystem is about to fill");
        d->release_wanted = false;
        stat_fs(d, free_b);
        return;
    }
    d->release_wanted = false;
    if (d->reserve_held || *free_b - d->o.reserve < floor + margin_of(min))
        return;
    r = create_reserve(d);
    if (r == -EOPNOTSUPP || r == -EINVAL) {
        d->reserve_unsupported = true;
        iq_warn("disk", "%s: this filesystem cannot preallocate a reserve (%s); ignoring "
                "disk_reserve", d->dir, strerror(-r));
    } else if (r < 0) {
        iq_warn("disk", "cannot create the reserve %s: %s", d->reserve_path, strerror(-r));
    } else {
        iq_info("disk", "holding a %lld MiB reserve in %s", (long long)(d->o.reserve / MIB),
                d->reserve_path);
    }
    stat_fs(d, free_b);
}

/* One look, under the lock. */
static int refresh_locked(struct store_disk *d)
{
    int64_t free_b, min;
    bool was = atomic_load(&d->busy), now_busy = was;
    char f[32], m[32];
    int r = stat_fs(d, &free_b);

    if (r < 0)
        return r;
    min = atomic_load(&d->min_free);
    tend_reserve(d, &free_b, min);
    if (free_b < min)
        now_busy = true;
    else if (was && free_b >= min + margin_of(min) &&
             (d->reserve_held || d->reserve_unsupported || d->o.reserve <= 0))
        now_busy = false;
    atomic_store(&d->busy, now_busy);
    atomic_store(&d->written, 0);
    atomic_store(&d->check_bytes, (free_b - min) / 4 > CHECK_BYTES_MIN ? (free_b - min) / 4
                                                                        : CHECK_BYTES_MIN);
    atomic_store(&d->next_check, iq_time_mono_ms() + d->o.check_ms);
    iq_size_format(f, sizeof(f), free_b);
    iq_size_format(m, sizeof(m), min);
    if (now_busy && !was)
        iq_warn("disk", "disk full on %s: %s free, below min_free_disk %s: new events are "
                "answered busy until space returns", d->dir, f, m);
    else if (!now_busy && was)
        iq_info("disk", "space returned on %s: %s free (min_free_disk %s): accepting events",
                d->dir, f, m);
    return now_busy ? -ENOSPC : 0;
}

int store_disk_refresh(struct store_disk *d)
{
    int r;

    pthread_mutex_lock(&d->lock);
    r = refresh_locked(d);
    pthread_mutex_unlock(&d->lock);
    if (r < 0 && r != -ENOSPC)
        iq_warn("disk", "statvfs %s: %s; keeping the last state", d->dir, strerror(-r));
    return atomic_load(&d->busy) ? -ENOSPC : 0;
}

int store_disk_admit(struct store_disk *d, size_t bytes)
{
    int64_t w = atomic_fetch_add(&d->written, (int64_t)bytes) + (int64_t)bytes;

    if ((w >= atomic_load(&d->check_bytes) || iq_time_mono_ms() >= atomic_load(&d->next_check)) &&
        pthread_mutex_trylock(&d->lock) == 0) {
        refresh_locked(d);
        pthread_mutex_unlock(&d->lock);
    }
    return atomic_load(&d->busy) ? -ENOSPC : 0;
}

void store_disk_write_failed(struct store_disk *d)
{
    pthread_mutex_lock(&d->lock);
    d->release_wanted = true;
    refresh_locked(d);
    pthread_mutex_unlock(&d->lock);
}

void store_disk_release_if_low(struct store_disk *d)
{
    int64_t free_b;

    pthread_mutex_lock(&d->lock);
    if (stat_fs(d, &free_b) == 0 && free_b < atomic_load(&d->min_free))
        release_reserve(d, "free space is below min_free_disk at open");
    pthread_mutex_unlock(&d->lock);
}

/* Is a reserve of the configured size already there (from an earlier run)? */
static void adopt_reserve(struct store_disk *d)
{
    struct stat st;

    if (d->o.reserve > 0 && lstat(d->reserve_path, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size == d->o.reserve && (int64_t)st.st_blocks * 512 >= d->o.reserve) {
        d->reserve_held = true;
        atomic_store(&d->held, true);
    }
}

int store_disk_new(const char *dir, const struct store_disk_opts *opts, struct store_disk **ret)
{
    struct store_disk *d = calloc(1, sizeof(*d));
    size_t n = strlen(dir) + sizeof(STORE_DISK_RESERVE_NAME) + 2;
    int r;

    if (!d)
        return -ENOMEM;
    pthread_mutex_init(&d->lock, NULL);
    d->o = *opts;
    if (d->o.check_ms <= 0)
        d->o.check_ms = 1000;
    d->dir = strdup(dir);
    d->reserve_path = malloc(n);
    if (!d->dir || !d->reserve_path) {
        r = -ENOMEM;
        goto fail;
    }
    snprintf(d->reserve_path, n, "%s/%s", dir, STORE_DISK_RESERVE_NAME);
    adopt_reserve(d);
    pthread_mutex_lock(&d->lock);
    r = refresh_locked(d);
    pthread_mutex_unlock(&d->lock);
    if (r < 0 && r != -ENOSPC)
        goto fail;
    *ret = d;
    return 0;
fail:
    store_disk_destroy(&d);
    return r;
}

void store_disk_destroy(struct store_disk **pd)
{
    struct store_disk *d;

    if (!pd || !*pd)
        return;
    d = *pd;
    pthread_mutex_destroy(&d->lock);
    free(d->dir);
    free(d->reserve_path);
    free(d);
    *pd = NULL;
}

void store_disk_state(struct store_disk *d, struct store_disk_state *ret)
{
    ret->busy = atomic_load(&d->busy);
    ret->reserve_held = atomic_load(&d->held);
    ret->free_bytes = atomic_load(&d->free_bytes);
    ret->total_bytes = atomic_load(&d->total_bytes);
    ret->min_free = atomic_load(&d->min_free);
    ret->reserve = d->o.reserve;
}

void store_disk_reason(struct store_disk *d, char *buf, size_t size)
{
    char f[32], m[32];

    iq_size_format(f, sizeof(f), atomic_load(&d->free_bytes));
    iq_size_format(m, sizeof(m), atomic_load(&d->min_free));
    snprintf(buf, size, "disk full on %.200s: %s free, min_free_disk %s", d->dir, f, m);
}

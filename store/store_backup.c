/* store_backup.c - consistent backups of a live store (RocksDB
 * checkpoints), and who holds a data directory.
 *
 * A checkpoint is taken by the process that has the store open for
 * writing (RocksDB's LOCK keeps every other process out): inquestd through
 * its admin API, or `inquest backup` itself when no daemon runs on the
 * directory.  rocksdb_checkpoint_create with log_size_for_flush 0 flushes
 * every memtable first, so the copy holds every event whose write had
 * returned (every acknowledged event), then hard-links the immutable table
 * files (copies them on another filesystem) and copies MANIFEST, OPTIONS
 * and CURRENT: a directory inquestd opens as it is, which is how a backup
 * is restored.  Ingest goes on during the flush.
 *
 * The destination must not exist, or be an empty directory (removed and
 * recreated by RocksDB), and its parent must exist; a non-empty one is
 * refused (-EEXIST) so that no backup is ever written over another.  The
 * new directory gets mode 0700 like the data directory (it holds the same
 * transcripts and names).  One checkpoint at a time per process.
 *
 * The lock probe reads RocksDB's DIR/LOCK with F_GETLK: RocksDB locks it
 * with an fcntl write lock for as long as the store is open. */
#include "store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iq_log.h"
#include "iq_paths.h"
#include "iq_time.h"

static pthread_mutex_t backup_lock = PTHREAD_MUTEX_INITIALIZER;

int store_lock_owner(const char *dir)
{
    char path[4096];
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int fd, r;

    if ((size_t)snprintf(path, sizeof(path), "%s/LOCK", dir) >= sizeof(path))
        return -ENAMETOOLONG;
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    r = fcntl(fd, F_GETLK, &fl) < 0 ? -errno : fl.l_type == F_UNLCK ? 0 : (int)fl.l_pid;
    close(fd);
    return r;
}

/* Is dir absent (0), an empty directory (removed: 0), or something else
 * (-EEXIST, -ENOTDIR, -errno)?  Its parent must exist (-ENOENT). */
static int prepare_dest(const char *dir)
{
    char parent[4096];
    struct dirent *e;
    struct stat sb;
    const char *slash = strrchr(dir, '/');
    DIR *d;
    int n = 0;

    if (!slash || (size_t)(slash - dir) >= sizeof(parent))
        return -EINVAL;
    snprintf(parent, sizeof(parent), "%.*s", slash == dir ? 1 : (int)(slash - dir), dir);
    if (stat(parent, &sb) < 0)
        return -errno;
    if (!S_ISDIR(sb.st_mode))
        return -ENOTDIR;
    if (lstat(dir, &sb) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISDIR(sb.st_mode))
        return -EEXIST;
    if (!(d = opendir(dir)))
        return -errno;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    if (n)
        return -EEXIST;
    return rmdir(dir) < 0 ? -errno : 0;
}

/* Count the files and bytes of a checkpoint (one level: RocksDB writes no
 * sub-directory). */
static void measure(const char *dir, struct store_backup_info *info)
{
    char path[4096];
    struct dirent *e;
    struct stat sb;
    DIR *d = opendir(dir);

    if (!d)
        return;
    while ((e = readdir(d)))
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) < sizeof(path) &&
            lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            info->files++;
            info->bytes += (uint64_t)sb.st_size;
        }
    closedir(d);
}

/* The RocksDB part, under the store's read lock. */
static int checkpoint(struct store *st, const char *dir)
{
    rocksdb_checkpoint_t *cp = NULL;
    char *err = NULL;
    int r = -EIO;

    pthread_rwlock_rdlock(&st->dblock);
    if (st->db)
        cp = rocksdb_checkpoint_object_create(st->db, &err);
    if (cp)
        rocksdb_checkpoint_create(cp, dir, 0, &err);
    pthread_rwlock_unlock(&st->dblock);
    if (cp)
        rocksdb_checkpoint_object_destroy(cp);
    if (err)
        return store_rocks_err(err, "checkpoint");
    return cp ? 0 : r;
}

int store_backup(struct store *st, const char *dest, struct store_backup_info *ret)
{
    struct store_backup_info info = { 0 };
    int64_t t0 = iq_time_mono_ms();
    char dir[4096];
    size_t n = strlen(dest);
    int r;

    if (st->read_only)
        return -EROFS;
    while (n > 1 && dest[n - 1] == '/')      /* "/backups/x/" is "/backups/x" */
        n--;
    if (dest[0] != '/' || n < 2)
        return -EINVAL;
    if (n >= sizeof(dir))
        return -ENAMETOOLONG;
    memcpy(dir, dest, n);
    dir[n] = '\0';
    pthread_mutex_lock(&backup_lock);
    r = prepare_dest(dir);
    if (r == 0)
        r = checkpoint(st, dir);
    if (r == 0 && (r = iq_force_mode(-1, dir, 0700, NULL)) > 0)
        r = 0;
    pthread_mutex_unlock(&backup_lock);
    if (r < 0)
        return r;
    measure(dir, &info);
    info.took_ms = iq_time_mono_ms() - t0;
    info.format = STORE_FORMAT;
    *ret = info;
    return 0;
}

const char *store_backup_strerror(int r)
{
    switch (r) {
    case -EEXIST:
        return "exists and is not an empty directory (a backup never overwrites anything)";
    case -ENOENT:
        return "its parent directory does not exist";
    case -ENOTDIR:
        return "its parent is not a directory";
    case -EINVAL:
        return "not an absolute path";
    case -EROFS:
        return "the store is open read-only";
    case -EIO:
        return "RocksDB could not write the checkpoint (see the log)";
    default:
        return strerror(-r);
    }
}

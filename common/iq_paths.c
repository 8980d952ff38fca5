/* iq_paths.c - the one lookup of the schemas tree (see iq_paths.h).
 *
 * Stages used to carry their own copies of this search, with different
 * orders; a daemon could then read its mappings from one tree and its
 * templates from another.  Every caller now goes through here. */
#include "iq_paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write dir/sub into buf; true if it exists. */
static int try_path(const char *dir, const char *sub, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s", dir, sub);

    if (n < 0 || (size_t)n >= size)
        return -ENAMETOOLONG;
    return access(buf, F_OK) == 0 ? 0 : -ENOENT;
}

/* SUB beside the running executable BIN_DIR/BINARY: BIN_DIR/../share/
 * inquest/schemas (an install moved to another prefix), then
 * BIN_DIR/../schemas (a build tree: build/inquest in a checkout). */
static int try_beside_exe(const char *sub, char *buf, size_t size)
{
    static const char *const rel[] = { "/../share/inquest/schemas", "/../schemas" };
    char exe[PATH_MAX], dir[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;
    int r = -ENOENT;

    if (n <= 0)
        return -ENOENT;
    exe[n] = '\0';
    if (!(slash = strrchr(exe, '/')))
        return -ENOENT;
    *slash = '\0';
    for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]) && r == -ENOENT; i++) {
        snprintf(dir, sizeof(dir), "%s%s", exe, rel[i]);
        r = try_path(dir, sub, buf, size);
    }
    return r;
}

int iq_schemas_find(const char *sub, char *buf, size_t size, char *err, size_t errsz)
{
    const char *env = getenv("INQUEST_SCHEMAS");
    int r;

    if (env && *env) {
        r = try_path(env, sub, buf, size);
        if (r == -ENOENT && err)
            snprintf(err, errsz, "%s: not found under $INQUEST_SCHEMAS (%.200s)", sub, env);
        return r;
    }
    r = try_path("./schemas", sub, buf, size);
    if (r != -ENOENT)
        return r;
    r = try_beside_exe(sub, buf, size);
    if (r != -ENOENT)
        return r;
    r = try_path(IQ_SCHEMAS_INSTALLED, sub, buf, size);
    if (r == -ENOENT && err)
        snprintf(err, errsz, "%s: not found in ./schemas, beside the program nor in %s (set "
                 "INQUEST_SCHEMAS)", sub, IQ_SCHEMAS_INSTALLED);
    return r;
}

int iq_write_atomic(const char *path, const char *data, size_t len)
{
    char tmp[PATH_MAX];
    FILE *f;
    int r = 0;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
        return -ENAMETOOLONG;
    if (!(f = fopen(tmp, "w")))
        return -errno;
    if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) < 0)
        r = -EIO;
    if (fclose(f) != 0 && r == 0)
        r = -EIO;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0)
        unlink(tmp);
    return r;
}

/* Write all of data to fd, then fsync.  0 or -errno. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        data += n;
        len -= (size_t)n;
    }
    return fsync(fd) < 0 ? -errno : 0;
}

int iq_write_new(const char *path, const char *data, size_t len, unsigned mode)
{
    char tmp[PATH_MAX];
    int fd, r;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.new", path, (long)getpid()) >= sizeof(tmp))
        return -ENAMETOOLONG;
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
    if (fd < 0)
        return -errno;
    r = fchmod(fd, (mode_t)mode) < 0 ? -errno : write_all(fd, data, len);
    if (close(fd) < 0 && r == 0)
        r = -EIO;
    if (r == 0 && link(tmp, path) < 0)
        r = -errno;
    unlink(tmp);
    return r;
}

int iq_force_mode(int fd, const char *path, unsigned mode, unsigned *ret_old)
{
    struct stat st;
    int r = fd >= 0 ? fstat(fd, &st) : lstat(path, &st);

    if (r < 0)
        return -errno;
    if (ret_old)
        *ret_old = (unsigned)(st.st_mode & 07777);
    if ((st.st_mode & 07777) == mode)
        return 0;
    if (fd < 0 && S_ISLNK(st.st_mode))
        return -ELOOP;
    r = fd >= 0 ? fchmod(fd, (mode_t)mode) : fchmodat(AT_FDCWD, path, (mode_t)mode, 0);
    return r < 0 ? -errno : 1;
}

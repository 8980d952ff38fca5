/* tail_open.c - opening followed files: identity, resume, rotation.
 *
 * A followed path is bound to one file at a time, identified by (device,
 * inode) and a fingerprint: the FNV-1a hash of its first line (at most
 * TAIL_FP_BYTES bytes).  The fingerprint tells a file rewritten in place
 * (copy-truncate, or inode reuse after delete) from the one that was
 * read, which the inode alone cannot.
 *
 * Resuming a saved position: if the path still names the same file, read
 * on from the saved offset.  If the path names another file (rotated by
 * rename while we were stopped), look in the same directory for the old
 * file by its inode and fingerprint, finish it from the saved offset,
 * then go on with the new file from its start; the rotation logic of
 * tail.c does that switch.  A file that was truncated while stopped
 * is read from its start. */
#include "tail_int.h"
#include "iq_hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t make_fid(uint64_t dev, uint64_t ino, uint64_t fp)
{
    uint64_t h = IQ_FNV_INIT;

    h = iq_fnv1a(h, &dev, sizeof(dev));
    h = iq_fnv1a(h, &ino, sizeof(ino));
    h = iq_fnv1a(h, &fp, sizeof(fp));
    return h ? h : 1;
}

/* Fingerprint of an open fd: 0 while the file has neither a newline in
 * its first TAIL_FP_BYTES bytes nor that many bytes. */
static int fingerprint_fd(int fd, uint64_t *ret)
{
    char b[TAIL_FP_BYTES];
    ssize_t n = pread(fd, b, sizeof(b), 0);
    char *nl;

    if (n < 0)
        return -errno;
    nl = memchr(b, '\n', (size_t)n);
    if (!nl && (size_t)n < sizeof(b)) {
        *ret = 0;
        return 0;
    }
    *ret = iq_fnv1a(IQ_FNV_INIT, b, nl ? (size_t)(nl - b) + 1 : (size_t)n);
    if (*ret == 0)
        *ret = 1;
    return 0;
}

int tail_file_fingerprint(struct tfile *f)
{
    int r;

    if (f->is_stdin || f->fp)
        return 0;
    if ((r = fingerprint_fd(f->fd, &f->fp)) < 0)
        return r;
    if (f->fp)
        f->fid = make_fid(f->dev, f->ino, f->fp);
    return 0;
}

void tail_file_close(struct tfile *f)
{
    if (f->fd >= 0 && !f->is_stdin)
        close(f->fd);
    f->fd = -1;
    free(f->cur_path);
    f->cur_path = NULL;
    f->len = 0;
    f->skipping = false;
    f->eof = false;
    f->fp = f->fid = 0;
}

/* Open path and fill the identity; the offsets start at 0. */
static int open_at(struct tfile *f, const char *path)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        int e = errno;

        close(fd);
        return -e;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
    }
    f->fd = fd;
    f->dev = (uint64_t)st.st_dev;
    f->ino = (uint64_t)st.st_ino;
    f->fp = f->fid = 0;
    f->boff = f->boundary = 0;
    f->len = 0;
    f->eof = false;
    f->skipping = false;
    return tail_file_fingerprint(f);
}

/* Search the directory of f->path for the file saved in f->resume.
 * Returns a malloc'ed path or NULL. */
static char *find_rotated(const struct tfile *f)
{
    const char *slash = strrchr(f->path, '/');
    size_t dl = slash ? (size_t)(slash - f->path) : 1;
    char dir[4096], cand[4096];
    struct dirent *de;
    char *found = NULL;
    DIR *d;

    if (dl + 1 >= sizeof(dir))
        return NULL;
    memcpy(dir, slash ? f->path : ".", dl);
    dir[dl == 0 ? 1 : dl] = '\0';
    if (dl == 0)
        dir[0] = '/';
    if (!(d = opendir(dir)))
        return NULL;
    while (!found && (de = readdir(d))) {
        struct stat st;

        if ((size_t)snprintf(cand, sizeof(cand), "%s/%s", dir, de->d_name) >= sizeof(cand) ||
            stat(cand, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        if ((uint64_t)st.st_dev == f->resume.dev && (uint64_t)st.st_ino == f->resume.ino)
            found = strdup(cand);
    }
    closedir(d);
    return found;
}

/* Apply a saved position to a freshly opened file. */
static void apply_resume(struct tfile *f, uint64_t size)
{
    const struct tail_pos *p = &f->resume;
    char *old;

    f->has_resume = false;
    if (f->dev == p->dev && f->ino == p->ino) {
        /* Otherwise it was rewritten in place while stopped: read it from its start. */
        if (size >= p->offset && (p->fp == 0 || f->fp == p->fp))
            f->boff = f->boundary = p->offset;
        return;
    }
    old = find_rotated(f);
    if (old) {
        struct tfile save = *f;

        f->fd = -1;
        if (open_at(f, old) == 0 && (p->fp == 0 || f->fp == p->fp)) {
            close(save.fd);
            f->cur_path = old;
            f->boff = f->boundary = p->offset;
            return;
        }
        if (f->fd >= 0)
            close(f->fd);
        *f = save;
        free(old);
    }
}

int tail_file_open(struct tail *t, struct tfile *f)
{
    struct stat st;
    int r;

    if (f->is_stdin) {
        f->fd = STDIN_FILENO;
        return 0;
    }
    if ((r = open_at(f, f->path)) < 0)
        return r;
    if (fstat(f->fd, &st) < 0)
        return -errno;
    if (f->has_resume)
        apply_resume(f, (uint64_t)st.st_size);
    else if (t->o.from_end && !f->seen)
        f->boff = f->boundary = (uint64_t)st.st_size;
    if (f->boff && lseek(f->fd, (off_t)f->boff, SEEK_SET) < 0)
        return -errno;
    return 0;
}

int tail_file_truncated(struct tfile *f)
{
    struct stat st;
    uint64_t fp;
    int r;

    if (f->is_stdin || f->fd < 0)
        return 0;
    if (fstat(f->fd, &st) < 0)
        return -errno;
    if ((uint64_t)st.st_size < f->boff + f->len)
        return 1;
    if (!f->fp)
        return 0;
    if ((r = fingerprint_fd(f->fd, &fp)) < 0)
        return r;
    return fp != f->fp;
}

int tail_file_rotated(const struct tfile *f)
{
    struct stat st;

    if (f->is_stdin || f->fd < 0)
        return 0;
    if (stat(f->path, &st) < 0)
        return 0; /* gone, no successor yet: keep reading the old file */
    return (uint64_t)st.st_dev != f->dev || (uint64_t)st.st_ino != f->ino;
}

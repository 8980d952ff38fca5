/* tail.c - following log files: reading lines with exact offsets.
 *
 * Each followed path has one read buffer.  A poll reads each open file to
 * its current end, hands every complete line to the callback with the
 * byte offsets of its start and of its end, and keeps an unterminated
 * last line in the buffer until its newline arrives (a writer may be in
 * the middle of it).  A line longer than line_max is handed out once with
 * its first line_max bytes and `truncated` set; the rest of it is skipped.
 *
 * At the end of a file the poll checks, in this order:
 *   - truncation: the file is shorter than what was read, or its first
 *     line changed (copy-truncate): read it again from offset 0;
 *   - rotation: the path names another file now (rename + create): read
 *     the old file once more to its end, hand out its unterminated tail,
 *     then open the new file at offset 0;
 *   - a path that did not exist is retried at every poll.
 * Before the file behind an index changes, an TAIL_SWITCH item lets
 * the caller settle (acknowledge, checkpoint) everything of the old file.
 *
 * Design notes: offsets are file offsets, so `boundary` (the offset after
 * the last complete line) is exactly what a checkpoint must store; while
 * an over-long line is being skipped the boundary stays at its start, so
 * a restart hands the cut line out again (same id, deduplicated). */
#include "tail_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINES_PER_FILE_POLL 65536u

int tail_new(const struct tail_opts *opts, struct tail **ret)
{
    struct tail *t;
    struct tail_opts o = opts ? *opts : (struct tail_opts){ 0 };

    if (!o.line_max)
        o.line_max = TAIL_LINE_MAX_DEFAULT;
    if (o.line_max < 64 || o.line_max > (16u << 20))
        return -EINVAL;
    t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->o = o;
    t->cap = o.line_max + TAIL_READ_CHUNK;
    *ret = t;
    return 0;
}

void tail_destroy(struct tail **pt)
{
    struct tail *t;

    if (!pt || !*pt)
        return;
    t = *pt;
    for (uint32_t i = 0; i < t->n; i++) {
        tail_file_close(&t->files[i]);
        free(t->files[i].path);
        free(t->files[i].buf);
    }
    free(t->files);
    free(t);
    *pt = NULL;
}

int tail_add(struct tail *t, const char *path)
{
    struct tfile *nf, *f;
    bool is_stdin = strcmp(path, "-") == 0;

    if (t->n >= TAIL_FILES_MAX)
        return -E2BIG;
    for (uint32_t i = 0; i < t->n; i++)
        if (strcmp(t->files[i].path, path) == 0)
            return -EEXIST;
    nf = realloc(t->files, (t->n + 1) * sizeof(*nf));
    if (!nf)
        return -ENOMEM;
    t->files = nf;
    f = &nf[t->n];
    memset(f, 0, sizeof(*f));
    f->fd = -1;
    f->is_stdin = is_stdin;
    f->path = strdup(path);
    f->buf = malloc(t->cap);
    if (!f->path || !f->buf) {
        free(f->path);
        free(f->buf);
        return -ENOMEM;
    }
    return (int)t->n++;
}

uint32_t tail_count(const struct tail *t)
{
    return t->n;
}

const char *tail_path(const struct tail *t, uint32_t file)
{
    return file < t->n ? t->files[file].path : NULL;
}

void tail_resume(struct tail *t, uint32_t file, const struct tail_pos *pos)
{
    if (file >= t->n || t->files[file].is_stdin)
        return;
    t->files[file].resume = *pos;
    t->files[file].has_resume = true;
}

bool tail_position(const struct tail *t, uint32_t file, struct tail_pos *ret)
{
    const struct tfile *f;

    if (file >= t->n)
        return false;
    f = &t->files[file];
    if (f->fd < 0 && f->has_resume) {
        *ret = f->resume;   /* not open yet: keep the saved position */
        return true;
    }
    if (f->fd < 0 || f->is_stdin)
        return false;
    *ret = (struct tail_pos){ f->dev, f->ino, f->fp, f->boundary };
    return true;
}

int tail_error(const struct tail *t, uint32_t file)
{
    return file < t->n ? t->files[file].error : 0;
}

static int emit(struct tfile *f, uint32_t idx, tail_fn fn, void *ud, const char *s,
                size_t len, bool trunc, uint64_t off, uint64_t end)
{
    struct tail_item it = {
        .what = TAIL_LINE, .file = idx, .path = f->cur_path ? f->cur_path : f->path,
        .fid = f->fid, .line = s, .len = len, .truncated = trunc, .offset = off, .end = end,
    };
    int r;

    if (!f->fid && !f->is_stdin && (r = tail_file_fingerprint(f)) < 0)
        return r;
    it.fid = f->fid;
    if (len && s[len - 1] == '\r' && !trunc)
        it.len--;
    return fn(ud, &it);
}

/* Hand out the complete lines in the buffer, then drop them.  Returns the
 * number of lines, or a negative value from fn. */
static int drain_buffer(struct tfile *f, uint32_t idx, size_t line_max, tail_fn fn,
                        void *ud)
{
    size_t pos = 0;
    int n = 0, r;

    while (pos < f->len) {
        char *nl = memchr(f->buf + pos, '\n', f->len - pos);
        size_t ll = nl ? (size_t)(nl - (f->buf + pos)) : f->len - pos;
        uint64_t off = f->boff + pos;

        if (f->skipping) {
            if (!nl) {
                pos = f->len;
                break;
            }
            f->skipping = false;
            pos += ll + 1;
            f->boundary = f->boff + pos;
            continue;
        }
        if (!nl && ll <= line_max)
            break;
        if (ll > line_max) {
            if ((r = emit(f, idx, fn, ud, f->buf + pos, line_max, true, off, off + ll + 1)) < 0)
                return r;
            f->skipping = true;
            pos += line_max;
            n++;
            continue;
        }
        if ((r = emit(f, idx, fn, ud, f->buf + pos, ll, false, off, off + ll + 1)) < 0)
            return r;
        pos += ll + 1;
        f->boundary = f->boff + pos;
        n++;
    }
    memmove(f->buf, f->buf + pos, f->len - pos);
    f->len -= pos;
    f->boff += pos;
    return n;
}

/* Read and hand out lines until the end of the file or the budget. */
static int read_file(struct tail *t, struct tfile *f, uint32_t idx, tail_fn fn, void *ud,
                     uint32_t budget)
{
    int total = 0, r;

    f->eof = false;
    while ((uint32_t)total < budget) {
        ssize_t got = read(f->fd, f->buf + f->len, t->cap - f->len);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -errno;
        if (got == 0) {
            f->eof = true;
            if (f->is_stdin)
                f->closed_input = true;
            break;
        }
        f->len += (size_t)got;
        if ((r = drain_buffer(f, idx, t->o.line_max, fn, ud)) < 0)
            return r;
        total += r;
    }
    return total;
}

/* Hand out an unterminated last line of a file that is being left. */
static int flush_tail(struct tfile *f, uint32_t idx, tail_fn fn, void *ud)
{
    int r;

    if (f->len == 0 || f->skipping)
        return 0;
    r = emit(f, idx, fn, ud, f->buf, f->len, false, f->boff, f->boff + f->len);
    if (r < 0)
        return r;
    f->boff += f->len;
    f->boundary = f->boff;
    f->len = 0;
    return 1;
}

static int emit_switch(struct tfile *f, uint32_t idx, tail_fn fn, void *ud)
{
    struct tail_item it = { .what = TAIL_SWITCH, .file = idx,
                            .path = f->cur_path ? f->cur_path : f->path, .fid = f->fid,
                            .offset = f->boundary, .end = f->boundary };

    return fn(ud, &it);
}

/* At the end of a file: truncation, then rotation. */
static int check_file(struct tail *t, struct tfile *f, uint32_t idx, tail_fn fn, void *ud)
{
    int r, n = 0;

    if ((r = tail_file_truncated(f)) < 0)
        return r;
    if (r > 0) {
        if ((r = flush_tail(f, idx, fn, ud)) < 0 || (r = emit_switch(f, idx, fn, ud)) < 0)
            return r;
        f->boff = f->boundary = 0;
        f->len = 0;
        f->skipping = false;
        f->fp = f->fid = 0;
        if (lseek(f->fd, 0, SEEK_SET) < 0)
            return -errno;
        return tail_file_fingerprint(f);
    }
    if (!tail_file_rotated(f))
        return 0;
    if ((r = read_file(t, f, idx, fn, ud, UINT32_MAX)) < 0)
        return r;
    n = r;
    if ((r = flush_tail(f, idx, fn, ud)) < 0 || (r = emit_switch(f, idx, fn, ud)) < 0)
        return r;
    tail_file_close(f);
    f->boff = f->boundary = 0;
    r = tail_file_open(t, f);
    return r < 0 && r != -ENOENT ? r : n;
}

/* Errors of read(2) itself, as opposed to values returned by the callback. */
static bool is_io_error(int r)
{
    return r == -EIO || r == -EISDIR || r == -EBADF || r == -ESTALE || r == -ENXIO;
}

int tail_poll(struct tail *t, tail_fn fn, void *ud, uint32_t max_lines)
{
    uint32_t per = max_lines / (t->n ? t->n : 1);
    int total = 0, r;

    if (per == 0)
        per = 1;
    if (per > LINES_PER_FILE_POLL)
        per = LINES_PER_FILE_POLL;
    for (uint32_t i = 0; i < t->n; i++) {
        struct tfile *f = &t->files[i];

        if (f->closed_input)
            continue;
        if (f->fd < 0) {
            r = tail_file_open(t, f);
            f->seen = true;
            if (r < 0) {
                tail_file_close(f);
                f->error = r == -ENOENT ? 0 : r;
                continue;
            }
            f->error = 0;
        }
        if ((r = read_file(t, f, i, fn, ud, per)) < 0) {
            if (!is_io_error(r))
                return r;
            tail_file_close(f);   /* reopened and resumed at the next poll */
            f->error = r;
            continue;
        }
        total += r;
        if (f->is_stdin && f->closed_input && (r = flush_tail(f, i, fn, ud)) < 0)
            return r;
        if (f->eof && !f->is_stdin) {
            if ((r = check_file(t, f, i, fn, ud)) < 0)
                return r;
            total += r;
        }
    }
    return total;
}

bool tail_idle(const struct tail *t)
{
    for (uint32_t i = 0; i < t->n; i++) {
        const struct tfile *f = &t->files[i];

        if (f->is_stdin ? !f->closed_input : (f->fd >= 0 && !f->eof))
            return false;
    }
    return true;
}

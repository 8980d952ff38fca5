/* tail_state.c - loading and atomically saving tail checkpoints.
 *
 * Format (version 1):
 *   { "version": 1,
 *     "files": [ { "path": "/var/log/nginx/access.log", "dev": 2049,
 *                  "ino": 131331, "fp": "9f1c0e2d4a6b8c10", "offset": 88123 } ] }
 * `fp` is the fingerprint of the file's first line (hex); `offset` the
 * byte offset after the last line whose event (if any) ingest
 * acknowledged.  The file is rewritten whole at each checkpoint; it holds
 * one small entry per followed path.
 *
 * Design notes: the whole document is validated before any position is
 * applied, so a damaged state file changes nothing and is reported with
 * its path; the writer never truncates the live file in place. */
#include "tail_state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iq_conf.h"

#define STATE_VERSION 1

static int hex64(const char *s, uint64_t *ret)
{
    uint64_t v = 0;
    size_t n = strlen(s);

    if (n == 0 || n > 16)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        int c = s[i], d;

        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            return -EINVAL;
        v = (v << 4) | (uint64_t)d;
    }
    *ret = v;
    return 0;
}

static int entry_pos(const json_t *e, const char **ret_path, struct tail_pos *ret)
{
    const json_t *p = json_object_get(e, "path"), *dev = json_object_get(e, "dev"),
                 *ino = json_object_get(e, "ino"), *fp = json_object_get(e, "fp"),
                 *off = json_object_get(e, "offset");
    struct tail_pos pos;

    if (!json_is_string(p) || !json_is_integer(dev) || !json_is_integer(ino) ||
        !json_is_string(fp) || !json_is_integer(off) || json_integer_value(off) < 0 ||
        hex64(json_string_value(fp), &pos.fp) < 0)
        return -EINVAL;
    pos.dev = (uint64_t)json_integer_value(dev);
    pos.ino = (uint64_t)json_integer_value(ino);
    pos.offset = (uint64_t)json_integer_value(off);
    *ret_path = json_string_value(p);
    *ret = pos;
    return 0;
}

int tail_state_load(const char *path, struct tail *t, char *err, size_t errsz)
{
    json_t *doc = NULL, *files, *e;
    size_t i;
    int r, applied = 0;

    if (access(path, F_OK) < 0 && errno == ENOENT)
        return 0;
    if ((r = iq_conf_load_file(path, &doc, err, errsz)) < 0)
        return r;
    r = -EINVAL;
    files = json_object_get(doc, "files");
    if (json_integer_value(json_object_get(doc, "version")) != STATE_VERSION ||
        !json_is_array(files)) {
        snprintf(err, errsz, "%s: not a tail state file of version %d", path, STATE_VERSION);
        goto out;
    }
    json_array_foreach(files, i, e) {
        struct tail_pos pos;
        const char *p;

        if (entry_pos(e, &p, &pos) < 0) {
            snprintf(err, errsz, "%s: files[%zu]: needs path, dev, ino, fp (hex) and offset",
                     path, i);
            goto out;
        }
    }
    json_array_foreach(files, i, e) {
        struct tail_pos pos;
        const char *p;

        entry_pos(e, &p, &pos);
        for (uint32_t k = 0; k < tail_count(t); k++) {
            if (strcmp(tail_path(t, k), p) == 0) {
                tail_resume(t, k, &pos);
                applied++;
            }
        }
    }
    r = applied;
out:
    json_decref(doc);
    return r;
}

static json_t *state_doc(const struct tail_ckpt *c, uint32_t n)
{
    json_t *doc = json_object(), *files = json_array();
    char fp[17];

    if (!doc || !files || json_object_set_new(doc, "version", json_integer(STATE_VERSION)) < 0 ||
        json_object_set(doc, "files", files) < 0)
        goto fail;
    for (uint32_t i = 0; i < n; i++) {
        snprintf(fp, sizeof(fp), "%016llx", (unsigned long long)c[i].pos.fp);
        if (json_array_append_new(files,
                                  json_pack("{s:s, s:I, s:I, s:s, s:I}", "path", c[i].path,
                                            "dev", (json_int_t)c[i].pos.dev, "ino",
                                            (json_int_t)c[i].pos.ino, "fp", fp, "offset",
                                            (json_int_t)c[i].pos.offset)) < 0)
            goto fail;
    }
    json_decref(files);
    return doc;
fail:
    json_decref(files);
    json_decref(doc);
    return NULL;
}

static int fsync_dir_of(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) : 0;
    int fd, r = 0;

    if (dl >= sizeof(dir))
        return -ENAMETOOLONG;
    if (slash && dl == 0)
        dl = 1;
    memcpy(dir, slash ? path : ".", slash ? dl : 1);
    dir[slash ? dl : 1] = '\0';
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fsync(fd) < 0)
        r = -errno;
    close(fd);
    return r;
}

int tail_state_save(const char *path, const struct tail_ckpt *c, uint32_t n,
                    char *err, size_t errsz)
{
    char tmp[4096];
    json_t *doc = state_doc(c, n);
    char *text = doc ? json_dumps(doc, JSON_INDENT(1)) : NULL;
    int fd = -1, r = -ENOMEM;
    size_t len, done = 0;

    if (!text)
        goto out;
    r = -ENAMETOOLONG;
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp))
        goto out;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        r = -errno;
        goto out;
    }
    len = strlen(text);
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            r = -errno;
            goto out;
        }
        done += (size_t)w;
    }
    r = fsync(fd) < 0 ? -errno : 0;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    fd = -1;
    if (r < 0)
        goto out;
    if (rename(tmp, path) < 0) {
        r = -errno;
        goto out;
    }
    r = fsync_dir_of(path);
out:
    if (r < 0)
        snprintf(err, errsz, "%s: cannot save checkpoint: %s", path, strerror(-r));
    if (fd >= 0)
        close(fd);
    if (r < 0 && r != -ENAMETOOLONG)
        unlink(tmp);
    free(text);
    json_decref(doc);
    return r;
}

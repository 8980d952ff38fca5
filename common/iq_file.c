/* iq_file.c - bounded whole-file reads and JSON file loading (see
 * iq_file.h).
 *
 * Files grow their buffer in 64 KiB chunks up to the cap, plus one byte:
 * reading that byte is how a file longer than the cap is told apart from
 * one exactly at it, so a huge or endless input (a FIFO, /dev/zero) never
 * gets past the limit.  A regular file whose size is already over the cap
 * is refused before any read, with its size in the message.
 *
 * Every reader of whole files used to carry its own loop (config, the
 * linter's files, redaction rules), with different answers for a file
 * over the limit; they all come here now. */
#include "iq_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK 65536

/* Read everything from fd into a buffer of at most max bytes (plus NUL).
 * 0 with *ret_buf and *ret_len set, -EFBIG, -ENOMEM or -errno. */
static int read_fd(int fd, size_t max, char **ret_buf, size_t *ret_len)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int r;

    for (;;) {
        ssize_t n;

        if (len == cap) {
            size_t want = cap + READ_CHUNK;
            char *nb;

            if (want > max + 1)
                want = max + 1;   /* one byte past the cap tells "too big" */
            nb = realloc(buf, want + 1);
            if (!nb) {
                r = -ENOMEM;
                goto fail;
            }
            buf = nb;
            cap = want;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = -errno;
            goto fail;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max) {
            r = -EFBIG;
            goto fail;
        }
    }
    if (!buf && !(buf = malloc(1)))
        return -ENOMEM;
    buf[len] = '\0';
    *ret_buf = buf;
    *ret_len = len;
    return 0;
fail:
    free(buf);
    return r;
}

int iq_file_read(const char *path, size_t max, char **ret, size_t *ret_len, char *err,
                 size_t errsz)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    char ignored[8];
    struct stat st;
    int r;

    if (!err) {
        err = ignored;
        errsz = sizeof(ignored);
    }
    if (fd < 0) {
        r = -errno;
        snprintf(err, errsz, "%s: cannot open: %s", path, strerror(-r));
        return r;
    }
    if (fstat(fd, &st) < 0) {
        r = -errno;
        snprintf(err, errsz, "%s: cannot stat: %s", path, strerror(-r));
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        r = -EISDIR;
        snprintf(err, errsz, "%s: is a directory, expected a file", path);
        goto out;
    }
    if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
        r = -EFBIG;
        snprintf(err, errsz, "%s: file is %lld bytes, over the limit of %zu bytes", path,
                 (long long)st.st_size, max);
        goto out;
    }
    r = read_fd(fd, max, ret, ret_len);
    if (r == -EFBIG)
        snprintf(err, errsz, "%s: input is over the limit of %zu bytes", path, max);
    else if (r < 0)
        snprintf(err, errsz, "%s: cannot read: %s", path, strerror(-r));
out:
    if (!is_stdin)
        close(fd);
    return r;
}

int iq_read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
    return iq_file_read(path, max, ret, ret_len, NULL, 0);
}

int iq_file_load_json(const char *path, size_t max, json_t **ret, char *err, size_t errsz)
{
    json_error_t je;
    char *buf = NULL;
    size_t len = 0;
    json_t *j;
    int r;

    if ((r = iq_file_read(path, max, &buf, &len, err, errsz)) < 0)
        return r;
    j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    free(buf);
    if (!j) {
        snprintf(err, errsz, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        return -EINVAL;
    }
    *ret = j;
    return 0;
}

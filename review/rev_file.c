/* rev_file.c - bounded whole-file reads and the schemas directory lookup.
 *
 * The linter reads two kinds of files whole: postmortem drafts (untrusted,
 * capped at a few MiB by the caller) and rule files (trusted but still
 * capped).  rev_file_read grows its buffer in chunks up to the cap and
 * reports one byte past it as -E2BIG, so a huge or endless input (a FIFO,
 * /dev/zero) never gets past the limit.
 *
 * rev_schemas_find implements the lookup order shared by every command that
 * needs schemas/: an explicit option, $INQUEST_SCHEMAS, ./schemas and the
 * installed copy.  An explicit choice that does not exist is an error, not a
 * reason to fall back to another copy, so a typo cannot silently load stale
 * rules. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iq_paths.h"
#include "rev_file.h"

#define READ_CHUNK 65536

/* Read everything from fd into a buffer of at most max bytes (plus NUL).
 * Returns 0 with *ret_buf and *ret_len set, -E2BIG, -ENOMEM or -errno. */
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
            r = -E2BIG;
            goto fail;
        }
    }
    if (!buf) {
        buf = malloc(1);
        if (!buf)
            return -ENOMEM;
    }
    buf[len] = '\0';
    *ret_buf = buf;
    *ret_len = len;
    return 0;
fail:
    free(buf);
    return r;
}

int rev_file_read(const char *path, size_t max, char **ret_buf, size_t *ret_len,
                  char *err, size_t errsz)
{
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    int r;

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
        r = -E2BIG;
        snprintf(err, errsz, "%s: file is %lld bytes, over the limit of %zu bytes",
                 path, (long long)st.st_size, max);
        goto out;
    }
    r = read_fd(fd, max, ret_buf, ret_len);
    if (r == -E2BIG)
        snprintf(err, errsz, "%s: input is over the limit of %zu bytes", path, max);
    else if (r < 0)
        snprintf(err, errsz, "%s: cannot read: %s", path, strerror(-r));
out:
    if (!is_stdin)
        close(fd);
    return r;
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}


int rev_schemas_find(const char *explicit_dir, const char *sub, char *buf, size_t size,
                     char *err, size_t errsz)
{
    int r;

    if (explicit_dir) {
        if (strlen(explicit_dir) >= size) {
            snprintf(err, errsz, "rules directory path is too long");
            return -ENAMETOOLONG;
        }
        if (!is_dir(explicit_dir)) {
            snprintf(err, errsz, "%s: not a directory (given as the rules directory)",
                     explicit_dir);
            return -ENOENT;
        }
        memcpy(buf, explicit_dir, strlen(explicit_dir) + 1);
        return 0;
    }
    r = iq_schemas_find(sub, buf, size, err, errsz);
    if (r == 0 && !is_dir(buf)) {
        snprintf(err, errsz, "%s: not a directory", buf);
        r = -ENOENT;
    }
    return r;
}

/* rev_file.c - bounded whole-file reads and the schemas directory lookup.
 *
 * The linter reads two kinds of files whole: postmortem drafts (untrusted,
 * capped at a few MiB by the caller) and rule files (trusted but still
 * capped).  rev_file_read reads them through iq_file_read (common/), and
 * answers -E2BIG where that says -EFBIG, as review/'s callers expect.
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

#include "iq_file.h"
#include "iq_paths.h"
#include "rev_file.h"

int rev_file_read(const char *path, size_t max, char **ret_buf, size_t *ret_len,
                  char *err, size_t errsz)
{
    int r = iq_file_read(path, max, ret_buf, ret_len, err, errsz);

    return r == -EFBIG ? -E2BIG : r;   /* review/'s answer for "over the limit" */
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

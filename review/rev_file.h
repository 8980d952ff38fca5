/* rev_file.h - bounded whole-file reads and the schemas directory lookup.
 *
 * Both are small helpers the linter needs before it can do anything: the
 * rule files and the document are read whole, with a size cap, and the rule
 * directory is found through a fixed search order (see rev_schemas_find).
 * Neither is lint-specific; they could move to common/ if other stages need
 * them. */
#ifndef REV_FILE_H
#define REV_FILE_H

#include <stddef.h>

/* Environment variable naming the schemas root. */
#define REV_SCHEMAS_ENV "INQUEST_SCHEMAS"

/* Read the whole of path ("-" reads standard input) into a fresh buffer,
 * NUL-terminated for convenience.  On success *ret_buf (caller owns, free())
 * and *ret_len are set.  Errors: -E2BIG when the content exceeds max bytes,
 * -ENOMEM, or the negative errno of open/read (-ENOENT, -EACCES, -EISDIR...);
 * err then names the file and the problem.  Outputs untouched on failure. */
int rev_file_read(const char *path, size_t max, char **ret_buf, size_t *ret_len,
                  char *err, size_t errsz);

/* Find the directory holding schema sub-directory sub (e.g. "lint") and
 * write its path into buf.  Search order:
 *   1. explicit_dir, when not NULL: used as is (it is the sub-directory
 *      itself, e.g. the value of `--rules DIR`);
 *   2. otherwise the project-wide order of iq_schemas_find (common/iq_paths.h):
 *      $INQUEST_SCHEMAS/sub when set, else ./schemas/sub, else the
 *      installed copy.
 * Explicit choices (1 and 2) are not silently skipped: if the one given is
 * not a directory the search stops there.  Returns 0, -ENOENT (err lists
 * what was tried) or -ENAMETOOLONG. */
int rev_schemas_find(const char *explicit_dir, const char *sub, char *buf, size_t size,
                     char *err, size_t errsz);

#endif

/* iq_paths.h - files: where the schemas tree is (mappings, rules,
 * templates), reading a whole file, writing one atomically, and forcing
 * the permissions of private ones.
 *
 * One lookup order for every stage and command:
 *   1. $INQUEST_SCHEMAS/SUB when INQUEST_SCHEMAS is set; it is then the
 *      only place looked at: an explicit choice that lacks SUB is an error,
 *      never a reason to load another, possibly stale, copy;
 *   2. ./schemas/SUB (a checkout);
 *   3. beside the running program: BIN/../share/inquest/schemas/SUB (an
 *      install moved to another prefix), BIN/../schemas/SUB (build/inquest
 *      of a checkout), so a command finds its rules wherever it is run;
 *   4. IQ_SCHEMAS_INSTALLED/SUB, PREFIX/share/inquest/schemas as
 *      `make install` puts it. */
#ifndef IQ_PATHS_H
#define IQ_PATHS_H

#include <stddef.h>

#include "iq_file.h"   /* iq_read_file, long declared here */

#include "iq_prefix.h"   /* IQ_SCHEMAS_INSTALLED, generated from PREFIX by the Makefile */

/* Find SUB ("sources", "templates/ja.mustache", "classes.json", ...) and
 * write its path into buf.  Returns 0, -ENOENT (err, which may be NULL,
 * says where it looked) or -ENAMETOOLONG. */
int iq_schemas_find(const char *sub, char *buf, size_t size, char *err, size_t errsz);

/* Write len bytes of data to path through "path.tmp": fsync, then rename,
 * so readers see the old file or the whole new one, never a part.  On
 * failure the temporary file is removed.  0, -ENAMETOOLONG, -EIO or
 * -errno of fopen/rename. */
int iq_write_atomic(const char *path, const char *data, size_t len);

/* Create path holding len bytes of data with exactly mode (umask not
 * applied), never replacing a file: the data goes to a temporary file in
 * the same directory (created O_EXCL with that mode, fsync'ed) that is
 * then hard-linked to path, so path appears whole or not at all.
 * 0, -EEXIST when path exists, -ENAMETOOLONG, or -errno. */
int iq_write_new(const char *path, const char *data, size_t len, unsigned mode);

/* Force the permission bits of a file or directory to mode (e.g. 0600,
 * 0700), whatever they were: through fd when fd >= 0, else through path
 * (never following a symlink in its last component).  *ret_old (may be
 * NULL) gets the bits found.  Returns 1 when they were changed (the
 * caller warns), 0 when they already were mode, or -errno. */
int iq_force_mode(int fd, const char *path, unsigned mode, unsigned *ret_old);

#endif

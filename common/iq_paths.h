/* iq_paths.h - files: where the schemas tree is (mappings, rules,
 * templates), and writing a whole file atomically.
 *
 * One lookup order for every stage and command:
 *   1. $INQUEST_SCHEMAS/SUB when INQUEST_SCHEMAS is set; it is then the
 *      only place looked at: an explicit choice that lacks SUB is an error,
 *      never a reason to load another, possibly stale, copy;
 *   2. ./schemas/SUB (a checkout);
 *   3. IQ_SCHEMAS_INSTALLED/SUB, PREFIX/share/inquest/schemas as
 *      `make install` puts it. */
#ifndef IQ_PATHS_H
#define IQ_PATHS_H

#include <stddef.h>

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

#endif

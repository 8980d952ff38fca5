/* iq_file.h - the one bounded whole-file reader, and the JSON file loader
 * built on it.
 *
 * Every file inquest reads whole (config, rules, templates, keys, TLS
 * material, drafts to lint) has a byte limit; one byte past it is
 * -EFBIG, with a message naming the file and the limit. */
#ifndef IQ_FILE_H
#define IQ_FILE_H

#include <stddef.h>
#include <jansson.h>

/* Read the whole of path ("-" is standard input), at most max bytes, into
 * *ret (caller owns, NUL-terminated) and *ret_len.  0; -EFBIG over max;
 * -EISDIR; -ENOMEM; -errno of open/read.  On failure err (when not NULL)
 * names the file and why ("PATH: file is N bytes, over the limit of M
 * bytes") and *ret is untouched. */
int iq_file_read(const char *path, size_t max, char **ret, size_t *ret_len, char *err,
                 size_t errsz);

/* iq_file_read without a message. */
int iq_read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* Read path (at most max bytes) and parse it as JSON with duplicate keys
 * refused.  0 and *ret (caller owns); the errors of iq_file_read, or
 * -EINVAL with err "PATH:LINE:COLUMN: what". */
int iq_file_load_json(const char *path, size_t max, json_t **ret, char *err, size_t errsz);

#endif

/* ing_record.h - recording webhook deliveries as NDJSON, and reading them
 * back for `inquest replay`.
 *
 * One line per delivery:
 *   {"received_at": "RFC 3339", "path": "/hooks/...", "headers": {...},
 *    "body": <the JSON body, or a string when it is not JSON>}
 * Header names are lower-case.  Each line is written with a single
 * write(2) on an O_APPEND descriptor, so lines from concurrent requests
 * never interleave; the file is not fsync'ed (see docs/sources.md). */
#ifndef ING_RECORD_H
#define ING_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "ing_source.h"

struct ing_record;

/* Open (create, mode 0600: headers may carry credentials) for appending;
 * an existing file's mode is forced to 0600, with a warning.  Caller owns
 * *ret.  Negative errno. */
int ing_record_open(const char *path, struct ing_record **ret);

/* Append one delivery (borrowed).  Thread-safe.  0 or negative errno. */
int ing_record_write(struct ing_record *rec, const struct ing_delivery *d);

/* Close, NULL *prec.  NULL-safe. */
void ing_record_close(struct ing_record **prec);

/* A delivery read back from a recording; d points into the struct. */
struct ing_recorded {
    struct ing_delivery d;
    struct ing_header *headers;
    size_t n_headers;
    char *path;
    char *body;
};

/* Parse one NDJSON line.  A JSON body is re-serialised compactly (so an
 * HMAC over the original bytes will not verify; see docs/sources.md).
 * Caller owns *ret (ing_recorded_free).  -EINVAL with err naming the key. */
int ing_record_parse(const char *line, size_t len, struct ing_recorded **ret, char *err,
                     size_t errsz);

void ing_recorded_free(struct ing_recorded **pr);

#endif

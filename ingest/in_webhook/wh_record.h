/* wh_record.h - recording webhook deliveries as NDJSON, and reading them
 * back for `inquest replay`.
 *
 * One line per delivery:
 *   {"received_at": "RFC 3339", "path": "/hooks/...", "headers": {...},
 *    "body": <the JSON body, or a string when it is not JSON>}
 * Header names are lower-case.  Each line is written with a single
 * write(2) on an O_APPEND descriptor, so lines from concurrent requests
 * never interleave; the file is not fsync'ed (see docs/sources.md). */
#ifndef WH_RECORD_H
#define WH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "wh_source.h"

struct wh_record;

/* Open (create, mode 0600: headers may carry credentials) for appending;
 * an existing file's mode is forced to 0600, with a warning.  Caller owns
 * *ret.  Negative errno. */
int wh_record_open(const char *path, struct wh_record **ret);

/* Append one delivery (borrowed).  Thread-safe.  0 or negative errno. */
int wh_record_write(struct wh_record *rec, const struct wh_delivery *d);

/* Close, NULL *prec.  NULL-safe. */
void wh_record_close(struct wh_record **prec);

/* A delivery read back from a recording; d points into the struct. */
struct wh_recorded {
    struct wh_delivery d;
    struct http_header *headers;
    size_t n_headers;
    char *path;
    char *body;
};

/* Parse one NDJSON line.  A JSON body is re-serialised compactly (so an
 * HMAC over the original bytes will not verify; see docs/sources.md).
 * Caller owns *ret (wh_recorded_free).  -EINVAL with err naming the key. */
int wh_record_parse(const char *line, size_t len, struct wh_recorded **ret, char *err,
                    size_t errsz);

void wh_recorded_free(struct wh_recorded **pr);

#endif

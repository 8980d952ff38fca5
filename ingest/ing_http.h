/* ing_http.h - the HTTP server of inquestd (libmicrohttpd).
 *
 * Serves POST /hooks/<source> (webhook deliveries mapped by ing_source.h
 * and handed to a sink: answered 2xx only once the sink made the events
 * durable, 503 with Retry-After when it cannot), GET /healthz, GET /readyz
 * (503 while the sink is busy), GET /metrics (Prometheus text format), and
 * read-only GET routes that other stages register by prefix without
 * knowing MHD. */
#ifndef ING_HTTP_H
#define ING_HTTP_H

#include <jansson.h>

#include <stddef.h>
#include <stdint.h>

#include "ing_sink.h"

struct ing_http;
struct ing_sources;
struct ing_record;

struct ing_http_response {
    int status;
    const char *content_type;   /* static string, e.g. "application/json" */
    char *body;                 /* malloc'ed, taken over by the server */
    size_t len;
};

/* Handler for GET routes under a prefix: path is the full URL path, query
 * the raw query string or NULL.  Return 0 and fill resp, or a negative
 * errno (answered 500).  Called from MHD threads: must be thread-safe. */
typedef int (*ing_http_handler)(void *ud, const char *path, const char *query,
                                struct ing_http_response *resp);

struct ing_http_opts {
    const char *listen;          /* "HOST:PORT", borrowed; default "127.0.0.1:7700" */
    size_t max_body;             /* bytes; default 1 MiB */
    unsigned conn_limit;         /* concurrent connections; default 1024 */
    unsigned per_ip_limit;       /* per client address; default 256 */
    unsigned timeout_s;          /* idle connection timeout; default 30 */
    unsigned threads;            /* MHD thread pool (the daemon defaults to 8) */
};

/* Create the server (not yet listening).  sources is borrowed and must
 * outlive the server; sink is copied (its ctx borrowed); rec (borrowed, may
 * be NULL) records every delivery.  Caller owns *ret.  -ENOMEM, -EINVAL. */
int ing_http_new(const struct ing_http_opts *opts, const struct ing_sources *sources,
                 struct ing_sink sink, struct ing_record *rec, struct ing_http **ret);

/* Register a GET handler for every path starting with prefix (the longest
 * matching prefix wins).  Before ing_http_start.  prefix is copied.
 * 0, -EBUSY (already started), -E2BIG (too many routes), -ENOMEM. */
int ing_http_add_route(struct ing_http *h, const char *prefix, ing_http_handler fn, void *ud);

/* Fill resp with j as compact JSON (members in insertion order) and status;
 * takes ownership of j (NULL is an out-of-memory from the caller's
 * json_pack).  Returns 0 or -ENOMEM.  For route handlers. */
int ing_http_reply_json(struct ing_http_response *resp, int status, json_t *j);

/* Query strings of route handlers.  ing_http_query_next reads the next
 * "key=value" pair at *cursor (the query, may be NULL; advanced past the
 * pair) and writes key and value URL-decoded ('+' is a space).  Returns 1
 * for a pair, 0 at the end, -EINVAL for a malformed escape, a NUL byte, a
 * pair without '=' or one that does not fit. */
int ing_http_query_next(const char **cursor, char *key, size_t ksz, char *val, size_t vsz);

/* The decoded value of parameter name into buf: 1 found, 0 absent,
 * -EINVAL malformed (as above). */
int ing_http_query_get(const char *query, const char *name, char *buf, size_t size);

/* Bind and start serving on MHD's threads.  0, -EADDRINUSE, -EINVAL, -EIO. */
int ing_http_start(struct ing_http *h);

/* The port actually bound (useful with port 0). */
uint16_t ing_http_port(const struct ing_http *h);

/* Stop serving (waits for the requests in progress), free, NULL *ph.
 * NULL-safe. */
void ing_http_destroy(struct ing_http **ph);

#endif

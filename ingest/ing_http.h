/* ing_http.h - the HTTP server of inquestd (libmicrohttpd).
 *
 * Serves POST /hooks/<source> (webhook deliveries mapped by ing_source.h
 * and handed to a sink: answered 2xx only once the sink made the events
 * durable, 503 with Retry-After when it cannot), GET /healthz, GET /readyz
 * (503 while the sink is busy), GET /metrics (Prometheus text format), and
 * GET or POST routes that other stages register by prefix without knowing
 * MHD.  Every request is first judged by the access table (ing_access.h):
 * 401 or 403 before any body byte is read.  Optionally over TLS. */
#ifndef ING_HTTP_H
#define ING_HTTP_H

#include <jansson.h>

#include <stddef.h>
#include <stdint.h>

#include "ing_sink.h"

struct ing_http;
struct ing_sources;
struct ing_record;
struct ing_access;
struct ing_caller;

struct ing_http_response {
    int status;
    const char *content_type;   /* static string, e.g. "application/json" */
    char *body;                 /* malloc'ed, taken over by the server */
    size_t len;
};

/* A request as a route handler sees it.  Everything is borrowed and valid
 * during the handler call only. */
struct ing_http_request {
    const char *method;               /* "GET", "HEAD" or "POST" */
    const char *path;                 /* the full URL path */
    const char *query;                /* the raw query string, or NULL */
    const char *body;                 /* POST routes: the body (not NUL-terminated), else NULL */
    size_t body_len;
    const struct ing_caller *caller;  /* who sent it (never NULL; "anonymous" when open) */
};

/* Handler for routes under a prefix.  Return 0 and fill resp, or a negative
 * errno (answered 500).  Called from MHD threads: must be thread-safe. */
typedef int (*ing_http_handler)(void *ud, const struct ing_http_request *rq,
                                struct ing_http_response *resp);

struct ing_http_opts {
    const char *listen;          /* "HOST:PORT", borrowed; default "127.0.0.1:7700" */
    size_t max_body;             /* bytes; default 1 MiB */
    unsigned conn_limit;         /* concurrent connections; default 1024 */
    unsigned per_ip_limit;       /* per client address; default 256 */
    unsigned timeout_s;          /* idle connection timeout; default 30 */
    unsigned threads;            /* MHD thread pool (the daemon defaults to 8) */
    const struct ing_access *access;  /* tokens and roles, borrowed; NULL = open */
    const char *tls_cert;        /* PEM certificate, borrowed; NULL = plain HTTP */
    const char *tls_key;         /* PEM private key, borrowed; with tls_cert */
    /* slow clients and limits (ing_http_guard.h) */
    uint64_t header_timeout_ms;  /* request line + headers deadline; default 10 s */
    uint64_t body_timeout_ms;    /* body deadline after the headers; default 60 s */
    int conn_reserve_pct;        /* % of conn_limit kept for new clients: above the rest, a
                                    new connection cuts the oldest waiting one; default 10,
                                    negative: off */
    unsigned max_headers;        /* header fields per request, more get 431; default 100 */
    const char *trusted_proxies; /* CIDR list whose X-Forwarded-For is believed (the client
                                    is its right-most untrusted hop); borrowed; NULL: none */
};

/* Check the options that can be wrong (trusted_proxies, limits); err says
 * what.  ing_http_new runs it too.  0 or -EINVAL. */
int ing_http_opts_check(const struct ing_http_opts *opts, char *err, size_t errsz);

/* Create the server (not yet listening).  sources, opts->access and the
 * TLS strings are borrowed and must outlive the server; sink is copied (its
 * ctx borrowed); rec (borrowed, may be NULL) records every delivery.
 * Caller owns *ret.  -ENOMEM, -EINVAL (see ing_http_opts_check). */
int ing_http_new(const struct ing_http_opts *opts, const struct ing_sources *sources,
                 struct ing_sink sink, struct ing_record *rec, struct ing_http **ret);

/* Register a GET (and HEAD) handler for every path starting with prefix
 * (the longest matching prefix wins).  Before ing_http_start.  prefix is
 * copied.  0, -EBUSY (already started), -E2BIG (too many routes), -ENOMEM. */
int ing_http_add_route(struct ing_http *h, const char *prefix, ing_http_handler fn, void *ud);

/* The same for POST: the handler gets the body, at most max_body bytes
 * (413 above, before the handler runs). */
int ing_http_add_post_route(struct ing_http *h, const char *prefix, ing_http_handler fn,
                            void *ud);

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

/* What the webhook endpoints took since start: requests answered (any
 * status), and their events stored, duplicate and rejected. */
struct ing_http_totals {
    uint64_t requests, stored, duplicates, rejected;
};
void ing_http_totals(const struct ing_http *h, struct ing_http_totals *ret);

/* Bind and start serving on MHD's threads.  0, -EADDRINUSE (or a TLS
 * certificate or key that GnuTLS refused: its reason is logged), -EINVAL,
 * -ENOTSUP (TLS asked of a libmicrohttpd built without it). */
int ing_http_start(struct ing_http *h);

/* The port actually bound (useful with port 0). */
uint16_t ing_http_port(const struct ing_http *h);

/* Stop serving (waits for the requests in progress), free, NULL *ph.
 * NULL-safe. */
void ing_http_destroy(struct ing_http **ph);

#endif

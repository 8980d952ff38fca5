/* http.h - the HTTP server of inquestd (libmicrohttpd) and its route table.
 *
 * Serves GET /healthz, GET /readyz (503 while the readiness check says
 * busy), GET /metrics (Prometheus text format, from the collectors
 * registered with http_add_metrics) and the routes that the stages
 * register by prefix without knowing MHD: GET routes, POST routes that
 * get their body, and routes that take every method with a body and judge
 * each request themselves before it is read (the webhooks of
 * ingest/in_webhook/ are one).  Every request is first judged by the
 * access table (http_access.h), or by its route's own admit: 401 or 403
 * before any body byte is read.  Optionally over TLS. */
#ifndef HTTP_H
#define HTTP_H

#include <jansson.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_server;
struct http_access;
struct http_caller;

/* One request header: name lower-cased, both borrowed. */
struct http_header { const char *name; const char *value; };

#define HTTP_HEADERS_MAX 64          /* headers handed to a route (more are not) */

struct http_response {
    int status;
    const char *content_type;   /* static string, e.g. "application/json" */
    char *body;                 /* malloc'ed, taken over by the server */
    size_t len;
    const struct http_header *headers;  /* more response headers (name as sent, value), or
                                           NULL; static storage (read after the handler
                                           returned) */
    size_t n_headers;
};

/* A request as a route handler sees it.  Everything is borrowed and valid
 * during the handler call only. */
struct http_request {
    const char *method;               /* "GET", "HEAD", "POST", ... */
    const char *path;                 /* the full URL path */
    const char *query;                /* the raw query string, or NULL */
    const char *body;                 /* body routes: the body (not NUL-terminated), else NULL */
    size_t body_len;
    const struct http_caller *caller;  /* who sent it (never NULL; "anonymous" when open) */
    const struct http_header *headers; /* routes with .headers: the request's headers (at
                                          most HTTP_HEADERS_MAX), else NULL */
    size_t n_headers;
    bool authenticated;               /* the route's admit returned 1 (a credential vouched
                                         for the request) */
    const void *conf;                 /* the route data of the request's configuration
                                         version (http_server_set_conf), or NULL */
};

/* Handler for routes under a prefix.  Return 0 and fill resp, or a negative
 * errno (answered 500).  Called from MHD threads: must be thread-safe. */
typedef int (*http_handler_fn)(void *ud, const struct http_request *rq,
                               struct http_response *resp);

/* The methods a route serves. */
enum http_route_kind {
    HTTP_ROUTE_GET = 0,    /* GET and HEAD, no body */
    HTTP_ROUTE_POST,       /* POST, with its body */
    HTTP_ROUTE_ANY,        /* every method, each with a body: begin judges the method */
};

/* A route: what serves the paths under prefix.  Only prefix and fn are
 * required; the other hooks are for routes that account for their own
 * requests (ingest/in_webhook/wh_hooks.c). */
struct http_route {
    const char *prefix;          /* copied; the longest matching prefix of a kind wins */
    enum http_route_kind kind;
    http_handler_fn fn;             /* the answer, once the body (if any) is in */
    void *ud;                    /* borrowed; passed to every hook */
    /* Optional: who may call, in place of http_access_check (a is the
     * access table of the request's configuration version, may be NULL;
     * conf that version's route data, see http_server_set_conf).  As http_access_check: 0 allowed (*ret
     * filled), -EACCES (401), -EPERM (403) with err; 1: allowed, and the
     * request counts as authenticated. */
    int (*admit)(void *ud, const struct http_access *a, const void *conf, const char *method,
                 const char *path,
                 const char *authorization, struct http_caller *ret, char *err, size_t errsz);
    /* Optional, body routes: judge the request line and headers before any
     * body byte (content_length: the header's value, or NULL).  0 reads the
     * body; an HTTP status is answered with msg (and an Allow header when
     * *ret_allow is set).  A route with begin checks Content-Length against
     * max_body itself; the body is capped at max_body in any case. */
    int (*begin)(void *ud, const void *conf, const char *method, const char *path,
                 const char *content_length, size_t max_body, char *msg, size_t msz,
                 const char **ret_allow);
    /* Optional: every status answered on this route, by the server (401,
     * 413, a slow client's 400, ...) or by fn; for the route's metrics. */
    void (*answered)(void *ud, const void *conf, const char *path, int status);
    /* Optional: called once by http_server_destroy, after the last request
     * (for a ud the route owns). */
    void (*release)(void *ud);
    bool headers;                /* hand the request's headers to fn */
};

struct http_server_opts {
    const char *listen;          /* "HOST:PORT", borrowed; default "127.0.0.1:7700" */
    size_t max_body;             /* bytes; default 1 MiB */
    unsigned conn_limit;         /* concurrent connections; default 1024 */
    unsigned per_ip_limit;       /* per client address; default 256 */
    unsigned timeout_s;          /* idle connection timeout; default 30 */
    unsigned threads;            /* MHD thread pool (the daemon defaults to 8) */
    const struct http_access *access;  /* tokens and roles, borrowed; NULL = open */
    const char *tls_cert;        /* PEM certificate, borrowed; NULL = plain HTTP */
    const char *tls_key;         /* PEM private key, borrowed; with tls_cert */
    /* slow clients and limits (http_guard.h) */
    uint64_t header_timeout_ms;  /* request line + headers deadline; default 10 s */
    uint64_t body_timeout_ms;    /* body deadline after the headers; default 60 s */
    int conn_reserve_pct;        /* % of conn_limit kept for new clients: above the rest, a
                                    new connection cuts the oldest waiting one; default 10,
                                    negative: off */
    unsigned max_headers;        /* header fields per request, more get 431; default 100 */
    const char *trusted_proxies; /* CIDR list whose X-Forwarded-For is believed (the client
                                    is its right-most untrusted hop); borrowed; NULL: none */
    struct iq_metrics *metrics;  /* the daemon's registry, rendered first on GET /metrics
                                    (borrowed, must outlive the server); NULL: none */
};

/* Check the options that can be wrong (trusted_proxies, limits); err says
 * what.  http_server_new runs it too.  0 or -EINVAL. */
int http_server_opts_check(const struct http_server_opts *opts, char *err, size_t errsz);

/* Create the server (not yet listening) with /healthz, /readyz and
 * /metrics.  opts->access and the TLS strings are borrowed and must
 * outlive the server.  Caller owns *ret.  -ENOMEM, -EINVAL (see
 * http_server_opts_check). */
int http_server_new(const struct http_server_opts *opts, struct http_server **ret);

/* Register route r (copied; r->ud borrowed, or owned through r->release).
 * Before http_server_start.  0, -EBUSY (already started), -E2BIG (too
 * many routes), -EINVAL (no prefix or fn), -ENOMEM.  On failure r->release
 * is not called. */
int http_add(struct http_server *h, const struct http_route *r);

/* Register a GET (and HEAD) handler for every path starting with prefix
 * (the longest matching prefix wins).  As http_add. */
int http_add_route(struct http_server *h, const char *prefix, http_handler_fn fn, void *ud);

/* The same for POST: the handler gets the body, at most max_body bytes
 * (413 above, before the handler runs). */
int http_add_post_route(struct http_server *h, const char *prefix, http_handler_fn fn,
                        void *ud);

/* Readiness for GET /readyz: true when ready; false when busy, with *ret_what
 * a short label ("disk_full", a static string) and reason in words.  Called
 * from MHD threads. */
typedef bool (*http_ready_fn)(void *ud, const char **ret_what, char *reason, size_t size);

/* Set the readiness check (ud borrowed).  Without one, /readyz says ready. */
void http_server_set_ready(struct http_server *h, http_ready_fn fn, void *ud);

/* The owner's word on readiness, before the check above: a new server
 * serves (ready as far as its owner goes); STARTING and STOPPING make
 * /readyz answer 503 with that status (the daemon: until every stage
 * started, and from the stop signal on).  NULL-safe; any thread. */
enum http_phase { HTTP_PHASE_SERVING = 0, HTTP_PHASE_STARTING, HTTP_PHASE_STOPPING };
void http_server_set_phase(struct http_server *h, enum http_phase p);

/* Fill resp with j as compact JSON (members in insertion order) and status;
 * takes ownership of j (NULL is an out-of-memory from the caller's
 * json_pack).  Returns 0 or -ENOMEM.  For route handlers. */
int http_reply_json(struct http_response *resp, int status, json_t *j);

/* Query strings of route handlers.  http_query_next reads the next
 * "key=value" pair at *cursor (the query, may be NULL; advanced past the
 * pair) and writes key and value URL-decoded ('+' is a space).  Returns 1
 * for a pair, 0 at the end, -EINVAL for a malformed escape, a NUL byte, a
 * pair without '=' or one that does not fit. */
int http_query_next(const char **cursor, char *key, size_t ksz, char *val, size_t vsz);

/* The decoded value of parameter name into buf: 1 found, 0 absent,
 * -EINVAL malformed (as above). */
int http_query_get(const char *query, const char *name, char *buf, size_t size);

/* Publish a new configuration version: the access table a and the route
 * data conf (both owned by the version from now on: free_fn(free_ud, a,
 * conf) runs once no request uses them any more; free_fn may be NULL).
 * Each request uses one version from its first handler call to its
 * completion: the one current when it arrived, whatever is published
 * meanwhile.  The first version is opts->access (borrowed) with no route
 * data.  Any thread, before or after http_server_start.  0 or -ENOMEM
 * (nothing changed, nothing freed). */
typedef void (*http_conf_free_fn)(void *free_ud, struct http_access *a, void *conf);
int http_server_set_conf(struct http_server *h, struct http_access *a, void *conf,
                         http_conf_free_fn free_fn, void *free_ud);

/* Run fn(ud, a, conf) on the current version (held for the call). */
void http_server_with_conf(struct http_server *h,
                           void (*fn)(void *ud, const struct http_access *a, const void *conf),
                           void *ud);

/* Bind and start serving on MHD's threads.  0, -EADDRINUSE (or a TLS
 * certificate or key that GnuTLS refused: its reason is logged), -EINVAL,
 * -ENOTSUP (TLS asked of a libmicrohttpd built without it). */
int http_server_start(struct http_server *h);

/* The port actually bound (useful with port 0). */
uint16_t http_server_port(const struct http_server *h);

/* Stop serving (waits for the requests in progress), release the routes
 * that own their ud, free, NULL *ph.  NULL-safe. */
void http_server_destroy(struct http_server **ph);

#endif

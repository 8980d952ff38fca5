/* http_guard.h - connection policy of the HTTP server: read deadlines
 * independent of activity, a share of connections kept for new clients,
 * per-address limits that see through trusted proxies, and the framing
 * checks libmicrohttpd leaves to us (duplicate Content-Length, unknown
 * Transfer-Encoding, header count).
 *
 * Internal to the server (http_server.c, http.c), which wires it into
 * MHD: http_guard_notify is the MHD_OPTION_NOTIFY_CONNECTION callback
 * (cls: the guard), and the request hooks below are called from the URI
 * log, access handler and completion callbacks.  Every hook takes the connection's entry, which
 * may be NULL (out of memory at connect): the hooks then do nothing. */
#ifndef HTTP_GUARD_H
#define HTTP_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <microhttpd.h>

struct http_guard;
struct http_gconn;          /* one connection's entry */
struct http_metrics;
struct sockaddr;

struct http_guard_opts {
    unsigned conn_limit;        /* MHD's connection limit */
    unsigned conn_reserve;      /* above conn_limit - conn_reserve open connections, each new
                                   one cuts the oldest still waiting for a request; 0: off */
    unsigned per_ip_limit;      /* per client address (the X-Forwarded-For client behind a
                                   trusted proxy, counted per request) */
    unsigned max_headers;       /* header fields per request; more get 431 */
    uint64_t header_ms;         /* request line and headers, from connect or request start */
    uint64_t body_ms;           /* body, from the end of the headers */
    uint64_t idle_ms;           /* keep-alive wait before a next request's header deadline */
    const char *trusted_proxies; /* "127.0.0.1, 10.0.0.0/8"; borrowed, read by _new only */
};

/* Create the guard.  m is borrowed (counters are updated in it) and must
 * outlive the guard.  Caller owns *ret.  0, -EINVAL (err says which
 * option), -ENOMEM. */
int http_guard_new(const struct http_guard_opts *o, struct http_metrics *m,
                   struct http_guard **ret, char *err, size_t errsz);

/* Start the sweeper thread that cuts connections past their deadline.
 * 0 or -errno. */
int http_guard_start(struct http_guard *g);

/* Stop the sweeper and free.  Call after MHD_stop_daemon (which closes
 * every connection).  NULL-safe; NULLs *pg. */
void http_guard_destroy(struct http_guard **pg);

/* MHD_OPTION_NOTIFY_CONNECTION callback; cls is the guard.  On start it
 * records the connection (its entry becomes *socket_context) and may cut
 * it (over the per-address limit) or an older one (to keep the share for
 * new clients); on close it forgets it. */
void http_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode toe);

/* The entry of conn.  Borrowed; valid until the connection closes.  NULL
 * when the connection could not be recorded. */
struct http_gconn *http_guard_conn(struct MHD_Connection *conn);

/* A request line arrived (URI log callback): a keep-alive connection's
 * next request gets its header deadline. */
void http_guard_request_line(struct http_guard *g, struct http_gconn *gc);

/* Headers are in (first access handler call).  Checks the framing and,
 * for a request from a trusted proxy, the per-address limit of its
 * client, then starts the body deadline.  Returns 0 (go on), an HTTP
 * status to answer with (400, 429, 431; msg says why, naming the header
 * or the client), or -ECONNABORTED when the connection was already cut
 * (close it without answering). */
int http_guard_admit(struct http_guard *g, struct http_gconn *gc,
                     struct MHD_Connection *conn, char *msg, size_t msz);

/* The body is in (or there is none): no deadline while the request is
 * handled and answered. */
void http_guard_body_done(struct http_guard *g, struct http_gconn *gc);

/* Whether the guard cut this connection (a body being read: stop). */
bool http_guard_is_cut(const struct http_gconn *gc);

/* The relay (http_relay.c) answered a request from peer with status (413
 * or 400) for its chunked framing (why) and closed the connection:
 * counted, and logged as the cuts are (one warning per 10 s at most; each
 * at debug level). */
void http_guard_refused(struct http_guard *g, const struct sockaddr *peer, const char *method,
                        const char *target, int status, const char *why);

/* The request completed (MHD_OPTION_NOTIFY_COMPLETED): the client's
 * per-address count is released; the connection waits for a next request. */
void http_guard_request_done(struct http_guard *g, struct http_gconn *gc);

#endif

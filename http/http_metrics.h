/* http_metrics.h - GET /metrics: the daemon's metrics registry, the
 * server's own connection counters and the collectors that the stages
 * register to add their families.
 *
 * The page is the registry's families (every stage's series and the
 * process_* ones, common/iq_metrics.h), then the collectors' families in
 * registration order, then the server's (inquest_http_connections, inquest_http_connections_cut_total).
 * A collector appends Prometheus text (exposition format 0.0.4) with
 * http_metrics_put; the server's counters are lock-free atomics updated
 * from MHD's threads and the guard's sweeper (http_guard.c). */
#ifndef HTTP_METRICS_H
#define HTTP_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "iq_buf.h"

struct http_server;
struct iq_metrics;

/* Why the server closed a connection itself (http_guard.c). */
enum http_cut_reason {
    HTTP_CUT_HEADER_DEADLINE = 0,  /* request line and headers not in by http_header_timeout */
    HTTP_CUT_BODY_DEADLINE,        /* body not in by http_body_timeout */
    HTTP_CUT_CAPACITY,             /* oldest waiting connection, to keep a share for new ones */
    HTTP_CUT_PER_ADDRESS,          /* over http_per_ip_limit at connect */
    HTTP_CUT_FRAMING,              /* answered and closed: a chunk size over max_body (413)
                                      or a malformed chunked body (400) (http_relay.c) */
    HTTP_CUT_NREASONS
};

/* The server's own counters. */
struct http_metrics {
    _Atomic int64_t connections;                         /* open connections */
    _Atomic uint64_t cut[HTTP_CUT_NREASONS];             /* connections closed by our limits */
};

/* Name of a cut reason, as in the metric's label ("header_deadline"). */
const char *http_cut_name(enum http_cut_reason r);

/* The page being written: a capped buffer and the first error (sticky). */
struct http_metrics_out {
    struct iq_buf b;
    int err;
};

/* Append printf-style text to the page; after an error, nothing. */
void http_metrics_put(struct http_metrics_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A collector: append its families (HELP, TYPE and samples) to o.  Called
 * from MHD threads for each GET /metrics: must be thread-safe. */
typedef void (*http_metrics_fn)(void *ud, struct http_metrics_out *o);

/* Register a collector (ud borrowed, valid until http_server_destroy).
 * Before http_server_start.  0, -EBUSY (started), -E2BIG (too many). */
int http_add_metrics(struct http_server *h, http_metrics_fn fn, void *ud);

/* Render the page: the registry reg (NULL: none; its collect hooks run
 * first, common/iq_metrics.h), each of the n collectors (fns[i] with
 * uds[i]), then m's counters.  Caller owns *ret (malloc'ed).  0, -ENOMEM,
 * -E2BIG. */
int http_metrics_render(struct iq_metrics *reg, const struct http_metrics *m,
                        const http_metrics_fn *fns,
                        void *const *uds, size_t n, char **ret, size_t *ret_len);

#endif

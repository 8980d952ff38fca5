/* ing_http_metrics.h - counters of the HTTP collectors and their
 * Prometheus text rendering (GET /metrics).
 *
 * Internal to ing_http*.c.  Counters are lock-free atomics updated from
 * MHD's threads. */
#ifndef ING_HTTP_METRICS_H
#define ING_HTTP_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct ing_sources;
struct ing_sink_status;

enum ing_req_outcome {
    ING_REQ_OK = 0, ING_REQ_IGNORED, ING_REQ_BAD_REQUEST, ING_REQ_UNAUTHORIZED, ING_REQ_FORBIDDEN,
    ING_REQ_NOT_FOUND,
    ING_REQ_METHOD, ING_REQ_TOO_LARGE, ING_REQ_UNSUPPORTED, ING_REQ_UNAVAILABLE, ING_REQ_ERROR,
    ING_REQ_TOO_MANY, ING_REQ_NOUTCOMES
};

/* Why the server closed a connection itself (ing_http_guard.c). */
enum ing_cut_reason {
    ING_CUT_HEADER_DEADLINE = 0,  /* request line and headers not in by http_header_timeout */
    ING_CUT_BODY_DEADLINE,        /* body not in by http_body_timeout */
    ING_CUT_CAPACITY,             /* oldest waiting connection, to keep a share for new ones */
    ING_CUT_PER_ADDRESS,          /* over http_per_ip_limit at connect */
    ING_CUT_NREASONS
};

#define ING_METRIC_SOURCES 65          /* ING_SOURCES_MAX + "unknown" */
#define ING_LATENCY_BUCKETS 12

struct ing_http_metrics {
    _Atomic uint64_t requests[ING_METRIC_SOURCES][ING_REQ_NOUTCOMES];
    _Atomic uint64_t events[ING_METRIC_SOURCES][3];     /* stored, duplicate, rejected */
    _Atomic uint64_t latency_bucket[ING_LATENCY_BUCKETS]; /* cumulative at render */
    _Atomic uint64_t latency_count, latency_sum_us;
    _Atomic int64_t queue_depth;                         /* requests waiting on the sink */
    _Atomic int64_t connections;                         /* open connections */
    _Atomic uint64_t cut[ING_CUT_NREASONS];              /* connections closed by our limits */
};

/* Name of a cut reason, as in the metric's label ("header_deadline"). */
const char *ing_http_cut_name(enum ing_cut_reason r);

/* Map an HTTP status to an outcome. */
enum ing_req_outcome ing_http_outcome(int status);

/* Record a sink submit that took us microseconds. */
void ing_http_metrics_latency(struct ing_http_metrics *m, uint64_t us);

/* The totals of ing_http_totals (ing_http.h) from the counters. */
struct ing_http_totals;
void ing_http_metrics_totals(const struct ing_http_metrics *m, struct ing_http_totals *ret);

/* Render the text exposition format, with the sink's state (borrowed) as
 * inquest_store_* gauges.  Caller owns *ret (malloc'ed).  0 or -ENOMEM. */
int ing_http_metrics_render(const struct ing_http_metrics *m, const struct ing_sources *src,
                            const struct ing_sink_status *ss, char **ret, size_t *ret_len);

#endif

/* wh_metrics.h - counters of the webhook endpoints and their families on
 * GET /metrics (a collector of http_metrics.h).
 *
 * Internal to wh_hooks.c, which counts every answer on /hooks/ and each
 * delivery's trip through the sink.  Counters are lock-free atomics
 * updated from MHD's threads. */
#ifndef WH_METRICS_H
#define WH_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct http_metrics_out;
struct store_status;

enum wh_req_outcome {
    WH_REQ_OK = 0, WH_REQ_IGNORED, WH_REQ_BAD_REQUEST, WH_REQ_UNAUTHORIZED, WH_REQ_FORBIDDEN,
    WH_REQ_NOT_FOUND,
    WH_REQ_METHOD, WH_REQ_TOO_LARGE, WH_REQ_UNSUPPORTED, WH_REQ_UNAVAILABLE, WH_REQ_ERROR,
    WH_REQ_TOO_MANY, WH_REQ_NOUTCOMES
};

#define WH_METRIC_SOURCES 65          /* WH_SOURCES_MAX + "unknown" */
#define WH_LATENCY_BUCKETS 12

struct wh_metrics {
    _Atomic uint64_t requests[WH_METRIC_SOURCES][WH_REQ_NOUTCOMES];
    _Atomic uint64_t events[WH_METRIC_SOURCES][3];     /* stored, duplicate, rejected */
    _Atomic uint64_t latency_bucket[WH_LATENCY_BUCKETS]; /* cumulative at render */
    _Atomic uint64_t latency_count, latency_sum_us;
    _Atomic int64_t queue_depth;                        /* requests waiting on the sink */
    /* The source name of each series slot: slots are given out by name
     * (wh_metrics_slot) and never reused, so a reload that adds, drops or
     * reorders mapping files keeps every count under its own name. */
    char *names[WH_METRIC_SOURCES - 1];                 /* owned */
    _Atomic size_t n_names;
};

/* The slot of source name (a new one when unseen; -1 when the slots are
 * all taken: counted as "unknown").  Callers serialise (wh_hooks.c's
 * lock); rendering may run meanwhile. */
int wh_metrics_slot(struct wh_metrics *m, const char *name);

/* Free the names.  */
void wh_metrics_release(struct wh_metrics *m);

/* Map an HTTP status to an outcome. */
enum wh_req_outcome wh_metrics_outcome(int status);

/* Count one answer of status for series slot src (-1: no source). */
void wh_metrics_request(struct wh_metrics *m, int src, int status);

/* Record a sink submit that took us microseconds. */
void wh_metrics_latency(struct wh_metrics *m, uint64_t us);

/* Append the webhook families to o, one series per named slot. */
void wh_metrics_render(const struct wh_metrics *m, struct http_metrics_out *o);

/* Append the store's families (inquest_store_busy{reason}, and the disk
 * gauges it knows) for the sink state ss (borrowed). */
void wh_metrics_render_store(const struct store_status *ss, struct http_metrics_out *o);

#endif

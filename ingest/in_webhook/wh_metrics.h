/* wh_metrics.h - counters of the webhook endpoints: their families in the
 * daemon's metrics registry (common/iq_metrics.h), rendered on GET
 * /metrics, and the totals of the shutdown summary.
 *
 * Internal to wh_hooks.c, which counts every answer on /hooks/ and each
 * delivery's trip through the sink.  Updates are lock-free atomics from
 * MHD's threads; without a registry only the totals are kept. */
#ifndef WH_METRICS_H
#define WH_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct iq_metric;
struct iq_metric_family;
struct iq_metrics;
struct store_status;

enum wh_req_outcome {
    WH_REQ_OK = 0, WH_REQ_IGNORED, WH_REQ_BAD_REQUEST, WH_REQ_UNAUTHORIZED, WH_REQ_FORBIDDEN,
    WH_REQ_NOT_FOUND,
    WH_REQ_METHOD, WH_REQ_TOO_LARGE, WH_REQ_UNSUPPORTED, WH_REQ_UNAVAILABLE, WH_REQ_ERROR,
    WH_REQ_TOO_MANY, WH_REQ_NOUTCOMES
};

#define WH_METRIC_SOURCES 65          /* WH_SOURCES_MAX + "unknown" */
#define WH_UNKNOWN (WH_METRIC_SOURCES - 1)
#define WH_BUSY_REASONS 3             /* STORE_BUSY_N - 1 (checked in wh_metrics.c) */

struct wh_metrics {
    struct iq_metrics *reg;                              /* borrowed; NULL: totals only */
    struct iq_metric_family *requests_fam, *events_fam;  /* borrowed from reg */
    /* Series by slot: requests by outcome (ok shown from the start, the
     * others once they happen) and events stored, duplicate, rejected.
     * A slot's series are made with it (wh_metrics_slot); the row
     * WH_UNKNOWN (no events) at the first request no source serves. */
    struct iq_metric *requests[WH_UNKNOWN][WH_REQ_NOUTCOMES];
    struct iq_metric *_Atomic unknown[WH_REQ_NOUTCOMES];
    struct iq_metric *events[WH_UNKNOWN][3];
    struct iq_metric *latency;                           /* inquest_http_store_seconds */
    struct iq_metric *queue_depth;                       /* requests waiting on the sink */
    struct iq_metric *busy[WH_BUSY_REASONS];             /* inquest_store_busy{reason} */
    struct iq_metric *disk[3];                           /* free, min_free, reserve (lazy) */
    _Atomic uint64_t total_requests, total_events[3];    /* for wh_hooks_totals */
    /* The source name of each series slot: slots are given out by name
     * (wh_metrics_slot) and never reused, so a reload that adds, drops or
     * reorders mapping files keeps every count under its own name. */
    char *names[WH_UNKNOWN];                             /* owned */
    _Atomic size_t n_names;
    int hook;                                            /* the store gauges' collect hook */
};

/* Register the webhook families into reg (borrowed, must outlive m; NULL:
 * nothing exposed) with collect(ud) as the hook that sets the store
 * gauges before each rendering (wh_metrics_store).  m starts zeroed.  0,
 * -EINVAL, -ENOMEM. */
int wh_metrics_register(struct wh_metrics *m, struct iq_metrics *reg, void (*collect)(void *ud),
                        void *ud);

/* The slot of source name (a new one, with its series, when unseen; -1
 * when the slots are all taken: counted as "unknown").  Callers serialise
 * (wh_hooks.c's lock); rendering and counting may run meanwhile. */
int wh_metrics_slot(struct wh_metrics *m, const char *name);

/* Remove the hook and free the names.  The series stay in the registry. */
void wh_metrics_release(struct wh_metrics *m);

/* Map an HTTP status to an outcome. */
enum wh_req_outcome wh_metrics_outcome(int status);

/* Count one answer of status for series slot src (-1: no source). */
void wh_metrics_request(struct wh_metrics *m, int src, int status);

/* Count a delivery's events of slot src (-1: none) by outcome
 * (stored, duplicate, rejected). */
void wh_metrics_events(struct wh_metrics *m, int src, const uint64_t counts[3]);

/* A delivery starts (+1) or ends (-1) waiting on the sink. */
void wh_metrics_queue(struct wh_metrics *m, int delta);

/* Record a sink submit that took us microseconds. */
void wh_metrics_latency(struct wh_metrics *m, uint64_t us);

/* Set the store gauges from the sink state ss (borrowed): busy by reason,
 * and the disk gauges it knows (one it does not know stays out of the
 * page).  From the collect hook. */
void wh_metrics_store(struct wh_metrics *m, const struct store_status *ss);

#endif

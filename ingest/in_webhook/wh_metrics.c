/* wh_metrics.c - Prometheus families of the webhook endpoints.
 *
 * Appended to GET /metrics (text exposition format 0.0.4) by the /hooks/
 * route's collector (wh_hooks.c):
 *   inquest_http_requests_total{source,outcome}   deliveries by answer
 *   inquest_http_events_total{source,outcome}     events stored/duplicate/rejected
 *   inquest_http_store_seconds                    histogram of sink latency
 *   inquest_http_queue_depth                      requests waiting on the sink
 *   inquest_store_busy{reason}                    1 while events are refused
 *   inquest_store_disk_free_bytes, _min_free_bytes, _reserve_bytes
 *                                                 the store's filesystem
 * (the last two from the state of the sink the deliveries go to).
 * Design notes: counters are relaxed atomics (a scrape may see one counter
 * a request ahead of another, which Prometheus tolerates); the histogram
 * keeps per-bucket counts and accumulates them when rendering.  A request
 * to a path no source serves counts under source "unknown". */
#include "wh_metrics.h"

#include <stdlib.h>
#include <string.h>

#include "http_metrics.h"
#include "store.h"

static const char *const outcome_names[WH_REQ_NOUTCOMES] = {
    [WH_REQ_OK] = "ok", [WH_REQ_IGNORED] = "ignored", [WH_REQ_BAD_REQUEST] = "bad_request",
    [WH_REQ_UNAUTHORIZED] = "unauthorized", [WH_REQ_FORBIDDEN] = "forbidden",
    [WH_REQ_NOT_FOUND] = "not_found",
    [WH_REQ_METHOD] = "method_not_allowed", [WH_REQ_TOO_LARGE] = "too_large",
    [WH_REQ_UNSUPPORTED] = "unsupported_media_type", [WH_REQ_UNAVAILABLE] = "unavailable",
    [WH_REQ_ERROR] = "error", [WH_REQ_TOO_MANY] = "too_many_requests",
};

static const char *const event_names[3] = { "stored", "duplicate", "rejected" };

/* Upper bounds in microseconds; the last bucket is +Inf. */
static const uint64_t bucket_us[WH_LATENCY_BUCKETS - 1] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 500000, 2000000,
};

enum wh_req_outcome wh_metrics_outcome(int status)
{
    switch (status) {
    case 200: case 201: return WH_REQ_OK;
    case 202: return WH_REQ_IGNORED;
    case 400: case 431: return WH_REQ_BAD_REQUEST;
    case 401: return WH_REQ_UNAUTHORIZED;
    case 403: return WH_REQ_FORBIDDEN;
    case 404: return WH_REQ_NOT_FOUND;
    case 405: return WH_REQ_METHOD;
    case 413: return WH_REQ_TOO_LARGE;
    case 415: return WH_REQ_UNSUPPORTED;
    case 429: return WH_REQ_TOO_MANY;
    case 503: return WH_REQ_UNAVAILABLE;
    default: return WH_REQ_ERROR;
    }
}

void wh_metrics_request(struct wh_metrics *m, int src, int status)
{
    size_t i = src < 0 ? WH_METRIC_SOURCES - 1 : (size_t)src;

    atomic_fetch_add_explicit(&m->requests[i][wh_metrics_outcome(status)], 1,
                              memory_order_relaxed);
}

void wh_metrics_latency(struct wh_metrics *m, uint64_t us)
{
    size_t b = 0;

    while (b < WH_LATENCY_BUCKETS - 1 && us > bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&m->latency_bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_sum_us, us, memory_order_relaxed);
}

int wh_metrics_slot(struct wh_metrics *m, const char *name)
{
    size_t n = atomic_load(&m->n_names);

    for (size_t i = 0; i < n; i++)
        if (strcmp(m->names[i], name) == 0)
            return (int)i;
    if (n == WH_METRIC_SOURCES - 1 || !(m->names[n] = strdup(name)))
        return -1;
    atomic_store(&m->n_names, n + 1);     /* published after its name */
    return (int)n;
}

void wh_metrics_release(struct wh_metrics *m)
{
    for (size_t i = 0; i < atomic_load(&m->n_names); i++)
        free(m->names[i]);
    atomic_store(&m->n_names, 0);
}

/* inquest_http_requests_total and inquest_http_events_total. */
static void put_counts(const struct wh_metrics *m, struct http_metrics_out *o)
{
    size_t last = atomic_load(&m->n_names), ns = last + 1;

    http_metrics_put(o, "# HELP inquest_http_requests_total Webhook deliveries by source and "
                        "answer.\n# TYPE inquest_http_requests_total counter\n");
    for (size_t i = 0; i < ns; i++)
        for (size_t k = 0; k < WH_REQ_NOUTCOMES; k++) {
            uint64_t v = atomic_load_explicit(&m->requests[i == last ? WH_METRIC_SOURCES - 1 : i][k],
                                              memory_order_relaxed);

            if (v || (i < last && k == WH_REQ_OK))
                http_metrics_put(o, "inquest_http_requests_total{source=\"%s\",outcome=\"%s\"} "
                                    "%llu\n", i < last ? m->names[i] : "unknown", outcome_names[k],
                                 (unsigned long long)v);
        }
    http_metrics_put(o, "# HELP inquest_http_events_total Events from webhooks by source and "
                        "outcome.\n# TYPE inquest_http_events_total counter\n");
    for (size_t i = 0; i < last; i++)
        for (size_t k = 0; k < 3; k++)
            http_metrics_put(o, "inquest_http_events_total{source=\"%s\",outcome=\"%s\"} %llu\n",
                             m->names[i], event_names[k],
                             (unsigned long long)atomic_load_explicit(&m->events[i][k],
                                                                      memory_order_relaxed));
}

void wh_metrics_render(const struct wh_metrics *m, struct http_metrics_out *o)
{
    uint64_t cum = 0;

    put_counts(m, o);
    http_metrics_put(o, "# HELP inquest_http_store_seconds Time to make a delivery's events "
                        "durable.\n# TYPE inquest_http_store_seconds histogram\n");
    for (size_t b = 0; b < WH_LATENCY_BUCKETS; b++) {
        cum += atomic_load_explicit(&m->latency_bucket[b], memory_order_relaxed);
        if (b < WH_LATENCY_BUCKETS - 1)
            http_metrics_put(o, "inquest_http_store_seconds_bucket{le=\"%g\"} %llu\n",
                             bucket_us[b] / 1e6, (unsigned long long)cum);
        else
            http_metrics_put(o, "inquest_http_store_seconds_bucket{le=\"+Inf\"} %llu\n",
                             (unsigned long long)cum);
    }
    http_metrics_put(o, "inquest_http_store_seconds_sum %.6f\ninquest_http_store_seconds_count "
                        "%llu\n",
                     atomic_load_explicit(&m->latency_sum_us, memory_order_relaxed) / 1e6,
                     (unsigned long long)atomic_load_explicit(&m->latency_count,
                                                              memory_order_relaxed));
    http_metrics_put(o, "# HELP inquest_http_queue_depth Deliveries waiting for their events to "
                        "be durable.\n# TYPE inquest_http_queue_depth gauge\n"
                        "inquest_http_queue_depth %lld\n",
                     (long long)atomic_load_explicit(&m->queue_depth, memory_order_relaxed));
}

void wh_metrics_render_store(const struct store_status *ss, struct http_metrics_out *o)
{
    static const char *const disk[3][2] = {
        { "disk_free_bytes", "Bytes available to the store on its filesystem." },
        { "disk_min_free_bytes", "min_free_disk in bytes: events are refused below it." },
        { "disk_reserve_bytes", "Bytes held by the reserve file now." },
    };
    const int64_t v[3] = { ss->disk_free, ss->disk_min_free, ss->disk_reserve };

    http_metrics_put(o, "# HELP inquest_store_busy 1 while new events are refused, by reason.\n"
                        "# TYPE inquest_store_busy gauge\n");
    for (int b = STORE_READY + 1; b < STORE_BUSY_N; b++)
        http_metrics_put(o, "inquest_store_busy{reason=\"%s\"} %d\n",
                         store_busy_name((enum store_busy)b), ss->busy == (enum store_busy)b);
    for (int i = 0; i < 3; i++)
        if (v[i] >= 0)
            http_metrics_put(o, "# HELP inquest_store_%s %s\n# TYPE inquest_store_%s gauge\n"
                                "inquest_store_%s %lld\n", disk[i][0], disk[i][1], disk[i][0],
                             disk[i][0], (long long)v[i]);
}

/* ing_http_metrics.c - Prometheus metrics of the HTTP collectors.
 *
 * Exposed at GET /metrics in the text exposition format (version 0.0.4):
 *   inquest_http_requests_total{source,outcome}   deliveries by answer
 *   inquest_http_events_total{source,outcome}     events stored/duplicate/rejected
 *   inquest_http_store_seconds                    histogram of sink latency
 *   inquest_http_queue_depth                      requests waiting on the sink
 *   inquest_http_connections                      open connections
 *   inquest_http_connections_cut_total{reason}    connections closed by the limits
 *   inquest_store_busy{reason}                    1 while events are refused
 *   inquest_store_disk_free_bytes, _min_free_bytes, _reserve_bytes
 *                                                 the store's filesystem
 * Design notes: counters are relaxed atomics (a scrape may see one counter
 * a request ahead of another, which Prometheus tolerates); the histogram
 * keeps per-bucket counts and accumulates them when rendering. */
#include "ing_http_metrics.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ing_http.h"
#include "ing_sink.h"
#include "iq_buf.h"
#include "ing_source.h"

static const char *const outcome_names[ING_REQ_NOUTCOMES] = {
    [ING_REQ_OK] = "ok", [ING_REQ_IGNORED] = "ignored", [ING_REQ_BAD_REQUEST] = "bad_request",
    [ING_REQ_UNAUTHORIZED] = "unauthorized", [ING_REQ_FORBIDDEN] = "forbidden",
    [ING_REQ_NOT_FOUND] = "not_found",
    [ING_REQ_METHOD] = "method_not_allowed", [ING_REQ_TOO_LARGE] = "too_large",
    [ING_REQ_UNSUPPORTED] = "unsupported_media_type", [ING_REQ_UNAVAILABLE] = "unavailable",
    [ING_REQ_ERROR] = "error", [ING_REQ_TOO_MANY] = "too_many_requests",
};

static const char *const cut_names[ING_CUT_NREASONS] = {
    [ING_CUT_HEADER_DEADLINE] = "header_deadline", [ING_CUT_BODY_DEADLINE] = "body_deadline",
    [ING_CUT_CAPACITY] = "capacity", [ING_CUT_PER_ADDRESS] = "per_address",
};

static const char *const event_names[3] = { "stored", "duplicate", "rejected" };

/* Upper bounds in microseconds; the last bucket is +Inf. */
static const uint64_t bucket_us[ING_LATENCY_BUCKETS - 1] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 500000, 2000000,
};

enum ing_req_outcome ing_http_outcome(int status)
{
    switch (status) {
    case 200: case 201: return ING_REQ_OK;
    case 202: return ING_REQ_IGNORED;
    case 400: case 431: return ING_REQ_BAD_REQUEST;
    case 401: return ING_REQ_UNAUTHORIZED;
    case 403: return ING_REQ_FORBIDDEN;
    case 404: return ING_REQ_NOT_FOUND;
    case 405: return ING_REQ_METHOD;
    case 413: return ING_REQ_TOO_LARGE;
    case 415: return ING_REQ_UNSUPPORTED;
    case 429: return ING_REQ_TOO_MANY;
    case 503: return ING_REQ_UNAVAILABLE;
    default: return ING_REQ_ERROR;
    }
}

const char *ing_http_cut_name(enum ing_cut_reason r)
{
    return r < ING_CUT_NREASONS ? cut_names[r] : "unknown";
}

void ing_http_metrics_latency(struct ing_http_metrics *m, uint64_t us)
{
    size_t b = 0;

    while (b < ING_LATENCY_BUCKETS - 1 && us > bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&m->latency_bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_sum_us, us, memory_order_relaxed);
}

#define METRICS_MAX (64u << 20)   /* far above any page: sources are config */

struct out {
    struct iq_buf b;
    int err;     /* 0, or the first error: errors are sticky */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int r;

    if (o->err)
        return;
    va_start(ap, fmt);
    r = iq_buf_vprintf(&o->b, fmt, ap);
    va_end(ap);
    if (r < 0)
        o->err = r == -ENOBUFS ? -ENOMEM : r;
}

static const char *src_name(const struct ing_sources *src, size_t i)
{
    return i < ing_sources_count(src) ? ing_sources_name(src, i) : "unknown";
}

/* The sink's state: busy gauges always, disk gauges when it has a disk. */
static void put_store(struct out *o, const struct ing_sink_status *ss)
{
    static const char *const disk[3][2] = {
        { "disk_free_bytes", "Bytes available to the store on its filesystem." },
        { "disk_min_free_bytes", "min_free_disk in bytes: events are refused below it." },
        { "disk_reserve_bytes", "Bytes held by the reserve file now." },
    };
    const int64_t v[3] = { ss->disk_free, ss->disk_min_free, ss->disk_reserve };

    put(o, "# HELP inquest_store_busy 1 while new events are refused, by reason.\n"
           "# TYPE inquest_store_busy gauge\n");
    for (int b = ING_READY + 1; b < ING_BUSY_N; b++)
        put(o, "inquest_store_busy{reason=\"%s\"} %d\n", ing_busy_name((enum ing_busy)b),
            ss->busy == (enum ing_busy)b);
    for (int i = 0; i < 3; i++)
        if (v[i] >= 0)
            put(o, "# HELP inquest_store_%s %s\n# TYPE inquest_store_%s gauge\n"
                   "inquest_store_%s %lld\n", disk[i][0], disk[i][1], disk[i][0], disk[i][0],
                (long long)v[i]);
}

int ing_http_metrics_render(const struct ing_http_metrics *m, const struct ing_sources *src,
                            const struct ing_sink_status *ss, char **ret, size_t *ret_len)
{
    struct out o = { .err = 0 };
    char *page = NULL;
    size_t ns = ing_sources_count(src) + 1, last = ing_sources_count(src);
    uint64_t cum = 0;

    iq_buf_init(&o.b, METRICS_MAX);
    put(&o, "# HELP inquest_http_requests_total Webhook deliveries by source and answer.\n"
            "# TYPE inquest_http_requests_total counter\n");
    for (size_t i = 0; i < ns; i++)
        for (size_t k = 0; k < ING_REQ_NOUTCOMES; k++) {
            uint64_t v = atomic_load_explicit(&m->requests[i == last ? ING_METRIC_SOURCES - 1 : i][k],
                                              memory_order_relaxed);

            if (v || (i < last && k == ING_REQ_OK))
                put(&o, "inquest_http_requests_total{source=\"%s\",outcome=\"%s\"} %llu\n",
                    src_name(src, i), outcome_names[k], (unsigned long long)v);
        }
    put(&o, "# HELP inquest_http_events_total Events from webhooks by source and outcome.\n"
            "# TYPE inquest_http_events_total counter\n");
    for (size_t i = 0; i < last; i++)
        for (size_t k = 0; k < 3; k++)
            put(&o, "inquest_http_events_total{source=\"%s\",outcome=\"%s\"} %llu\n",
                src_name(src, i), event_names[k],
                (unsigned long long)atomic_load_explicit(&m->events[i][k], memory_order_relaxed));
    put(&o, "# HELP inquest_http_store_seconds Time to make a delivery's events durable.\n"
            "# TYPE inquest_http_store_seconds histogram\n");
    for (size_t b = 0; b < ING_LATENCY_BUCKETS; b++) {
        cum += atomic_load_explicit(&m->latency_bucket[b], memory_order_relaxed);
        if (b < ING_LATENCY_BUCKETS - 1)
            put(&o, "inquest_http_store_seconds_bucket{le=\"%g\"} %llu\n", bucket_us[b] / 1e6,
                (unsigned long long)cum);
        else
            put(&o, "inquest_http_store_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    }
    put(&o, "inquest_http_store_seconds_sum %.6f\ninquest_http_store_seconds_count %llu\n",
        atomic_load_explicit(&m->latency_sum_us, memory_order_relaxed) / 1e6,
        (unsigned long long)atomic_load_explicit(&m->latency_count, memory_order_relaxed));
    put(&o, "# HELP inquest_http_queue_depth Deliveries waiting for their events to be durable.\n"
            "# TYPE inquest_http_queue_depth gauge\ninquest_http_queue_depth %lld\n",
        (long long)atomic_load_explicit(&m->queue_depth, memory_order_relaxed));
    put(&o, "# HELP inquest_http_connections Open HTTP connections.\n"
            "# TYPE inquest_http_connections gauge\ninquest_http_connections %lld\n",
        (long long)atomic_load_explicit(&m->connections, memory_order_relaxed));
    put(&o, "# HELP inquest_http_connections_cut_total HTTP connections the server closed "
            "itself, by limit.\n# TYPE inquest_http_connections_cut_total counter\n");
    for (size_t r = 0; r < ING_CUT_NREASONS; r++)
        put(&o, "inquest_http_connections_cut_total{reason=\"%s\"} %llu\n", cut_names[r],
            (unsigned long long)atomic_load_explicit(&m->cut[r], memory_order_relaxed));
    put_store(&o, ss);
    if (!o.err && !(page = iq_buf_take(&o.b, ret_len)))
        o.err = -ENOMEM;
    iq_buf_free(&o.b);
    if (!o.err)
        *ret = page;
    return o.err;
}

void ing_http_metrics_totals(const struct ing_http_metrics *m, struct ing_http_totals *ret)
{
    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; i < ING_METRIC_SOURCES; i++) {
        for (size_t k = 0; k < ING_REQ_NOUTCOMES; k++)
            ret->requests += atomic_load_explicit(&m->requests[i][k], memory_order_relaxed);
        ret->stored += atomic_load_explicit(&m->events[i][0], memory_order_relaxed);
        ret->duplicates += atomic_load_explicit(&m->events[i][1], memory_order_relaxed);
        ret->rejected += atomic_load_explicit(&m->events[i][2], memory_order_relaxed);
    }
}

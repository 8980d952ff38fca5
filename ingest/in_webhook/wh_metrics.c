/* wh_metrics.c - Prometheus families of the webhook endpoints, registered
 * in the daemon's metrics registry (common/iq_metrics.h), which renders
 * them on GET /metrics:
 *   inquest_http_requests_total{source,outcome}   deliveries by answer
 *   inquest_http_events_total{source,outcome}     events stored/duplicate/rejected
 *   inquest_http_store_seconds                    histogram of sink latency
 *   inquest_http_queue_depth                      requests waiting on the sink
 *   inquest_store_busy{reason}                    1 while events are refused
 *   inquest_store_disk_free_bytes, _min_free_bytes, _reserve_bytes
 *                                                 the store's filesystem
 * (the last two from the state of the sink the deliveries go to, set by a
 * collect hook before each rendering).
 * Design notes: the series of a source are made when its slot is, in
 * outcome order, so the page lists them source by source whatever the
 * order of the answers; a request answer other than ok, the "unknown"
 * source (a path no source serves) and a disk gauge the sink does not
 * know are lazy series (iq_metric_get_lazy), absent until they happen.
 * The totals of the shutdown summary are atomics of their own, kept with
 * or without a registry. */
#include "wh_metrics.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iq_metrics.h"
#include "store.h"

_Static_assert(WH_BUSY_REASONS == STORE_BUSY_N - 1, "one busy gauge per reason");

static const char *const outcome_names[WH_REQ_NOUTCOMES] = {
    [WH_REQ_OK] = "ok", [WH_REQ_IGNORED] = "ignored", [WH_REQ_BAD_REQUEST] = "bad_request",
    [WH_REQ_UNAUTHORIZED] = "unauthorized", [WH_REQ_FORBIDDEN] = "forbidden",
    [WH_REQ_NOT_FOUND] = "not_found",
    [WH_REQ_METHOD] = "method_not_allowed", [WH_REQ_TOO_LARGE] = "too_large",
    [WH_REQ_UNSUPPORTED] = "unsupported_media_type", [WH_REQ_UNAVAILABLE] = "unavailable",
    [WH_REQ_ERROR] = "error", [WH_REQ_TOO_MANY] = "too_many_requests",
};

static const char *const event_names[3] = { "stored", "duplicate", "rejected" };

static const char *const source_outcome[] = { "source", "outcome", NULL };

/* Upper bounds in seconds; +Inf is implied. */
static const double latency_buckets[] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2,
};

/* The families without a source label, in exposition order after the two
 * per-source ones (the disk gauges are lazy: registered apart). */
static const struct iq_metric_def families[] = {
    { IQ_METRIC_HISTOGRAM, "inquest_http_store_seconds",
      "Time to make a delivery's events durable.", .buckets = latency_buckets,
      .nb = sizeof(latency_buckets) / sizeof(latency_buckets[0]),
      .off = offsetof(struct wh_metrics, latency) },
    { IQ_METRIC_GAUGE, "inquest_http_queue_depth",
      "Deliveries waiting for their events to be durable.",
      .off = offsetof(struct wh_metrics, queue_depth) },
};

static const char *const disk_gauges[3][2] = {
    { "inquest_store_disk_free_bytes", "Bytes available to the store on its filesystem." },
    { "inquest_store_disk_min_free_bytes", "min_free_disk in bytes: events are refused below it." },
    { "inquest_store_disk_reserve_bytes", "Bytes held by the reserve file now." },
};

/* inquest_store_busy{reason}, one series per busy reason, and the disk
 * gauges, hidden until the hook knows their value. */
static int register_store(struct wh_metrics *m, struct iq_metrics *reg)
{
    const char *reasons[WH_BUSY_REASONS];
    struct iq_metric_family *f;
    int r;

    for (int b = STORE_READY + 1; b < STORE_BUSY_N; b++)
        reasons[b - 1] = store_busy_name((enum store_busy)b);
    if ((r = iq_metrics_series(reg, IQ_METRIC_GAUGE, "inquest_store_busy",
                               "1 while new events are refused, by reason.", "reason", reasons,
                               WH_BUSY_REASONS, NULL, 0, m->busy)) < 0)
        return r;
    for (int i = 0; i < 3; i++) {
        if (!(f = iq_metrics_family(reg, IQ_METRIC_GAUGE, disk_gauges[i][0], disk_gauges[i][1],
                                    NULL, NULL, 0)))
            return -EINVAL;
        if (!(m->disk[i] = iq_metric_get_lazy(f, NULL)))
            return -ENOMEM;
    }
    return 0;
}

int wh_metrics_register(struct wh_metrics *m, struct iq_metrics *reg, void (*collect)(void *ud),
                        void *ud)
{
    int r;

    if (!reg)
        return 0;
    m->reg = reg;
    m->requests_fam = iq_metrics_family(reg, IQ_METRIC_COUNTER, "inquest_http_requests_total",
                                        "Webhook deliveries by source and answer.",
                                        source_outcome, NULL, 0);
    m->events_fam = iq_metrics_family(reg, IQ_METRIC_COUNTER, "inquest_http_events_total",
                                      "Events from webhooks by source and outcome.",
                                      source_outcome, NULL, 0);
    if (!m->requests_fam || !m->events_fam)
        return -EINVAL;
    if ((r = iq_metrics_register_table(reg, families, IQ_METRICS_TABLE_N(families), m)) < 0 ||
        (r = register_store(m, reg)) < 0)
        return r;
    m->hook = iq_metrics_hook_add(reg, collect, ud);
    return m->hook < 0 ? m->hook : 0;
}

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

/* The series of source name by outcome, into row[] (the ok one shown at
 * once when ok_shown, the others lazy), in outcome order. */
static void make_requests(struct wh_metrics *m, const char *name, bool ok_shown,
                          struct iq_metric **row)
{
    for (size_t k = 0; k < WH_REQ_NOUTCOMES; k++) {
        const char *v[2] = { name, outcome_names[k] };

        row[k] = k == WH_REQ_OK && ok_shown ? iq_metric_get(m->requests_fam, v)
                                            : iq_metric_get_lazy(m->requests_fam, v);
    }
}

/* The "unknown" row, made at the first request no source serves (two
 * racing threads get the same series, made in the same order). */
static struct iq_metric *unknown_series(struct wh_metrics *m, enum wh_req_outcome o)
{
    struct iq_metric *s = atomic_load_explicit(&m->unknown[o], memory_order_acquire);
    struct iq_metric *row[WH_REQ_NOUTCOMES];

    if (s || !m->requests_fam)
        return s;
    make_requests(m, "unknown", false, row);
    for (size_t k = 0; k < WH_REQ_NOUTCOMES; k++)
        atomic_store_explicit(&m->unknown[k], row[k], memory_order_release);
    return row[o];
}

int wh_metrics_slot(struct wh_metrics *m, const char *name)
{
    size_t n = atomic_load(&m->n_names);

    for (size_t i = 0; i < n; i++)
        if (strcmp(m->names[i], name) == 0)
            return (int)i;
    if (n == WH_UNKNOWN || !(m->names[n] = strdup(name)))
        return -1;
    if (m->requests_fam) {
        make_requests(m, name, true, m->requests[n]);
        for (size_t k = 0; k < 3; k++)
            m->events[n][k] = iq_metric_get(m->events_fam,
                                            (const char *const[]){ name, event_names[k] });
    }
    atomic_store(&m->n_names, n + 1);     /* published after its name and series */
    return (int)n;
}

void wh_metrics_release(struct wh_metrics *m)
{
    iq_metrics_hook_remove(m->reg, m->hook);
    m->hook = 0;
    for (size_t i = 0; i < atomic_load(&m->n_names); i++)
        free(m->names[i]);
    atomic_store(&m->n_names, 0);
}

void wh_metrics_request(struct wh_metrics *m, int src, int status)
{
    enum wh_req_outcome o = wh_metrics_outcome(status);

    atomic_fetch_add_explicit(&m->total_requests, 1, memory_order_relaxed);
    iq_metric_inc(src < 0 ? unknown_series(m, o) : m->requests[src][o]);
}

void wh_metrics_events(struct wh_metrics *m, int src, const uint64_t counts[3])
{
    for (size_t k = 0; k < 3; k++) {
        atomic_fetch_add_explicit(&m->total_events[k], counts[k], memory_order_relaxed);
        if (src >= 0)
            iq_metric_add(m->events[src][k], counts[k]);
    }
}

void wh_metrics_queue(struct wh_metrics *m, int delta)
{
    iq_metric_gauge_add(m->queue_depth, delta);
}

void wh_metrics_latency(struct wh_metrics *m, uint64_t us)
{
    iq_metric_observe(m->latency, (double)us / 1e6);
}

void wh_metrics_store(struct wh_metrics *m, const struct store_status *ss)
{
    const int64_t v[3] = { ss->disk_free, ss->disk_min_free, ss->disk_reserve };

    for (int b = STORE_READY + 1; b < STORE_BUSY_N; b++)
        iq_metric_set(m->busy[b - 1], ss->busy == (enum store_busy)b);
    for (int i = 0; i < 3; i++)
        if (v[i] >= 0)
            iq_metric_set(m->disk[i], (double)v[i]);
}

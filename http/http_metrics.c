/* http_metrics.c - GET /metrics of the HTTP server: the page built from
 * the daemon's metrics registry (common/iq_metrics.h: every stage's
 * series, build_info, process_*), the registered collectors and the
 * server's own connection counters.
 *
 * Exposed in the text exposition format (version 0.0.4).  The server's
 * families:
 *   inquest_http_connections                      open connections
 *   inquest_http_connections_cut_total{reason}    connections closed by the limits
 * The stages add theirs through collectors (the webhooks' request and
 * event counters, ingest/in_webhook/wh_metrics.c; the store's state,
 * ingest/ing_sink_store.c).
 * Design notes: counters are relaxed atomics (a scrape may see one counter
 * a request ahead of another, which Prometheus tolerates); the page is one
 * capped buffer whose first error sticks, so a collector need not check
 * each line it writes. */
#include "http_metrics.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "iq_metrics.h"

#define METRICS_MAX (64u << 20)   /* far above any page: sources are config */

static const char *const cut_names[HTTP_CUT_NREASONS] = {
    [HTTP_CUT_HEADER_DEADLINE] = "header_deadline", [HTTP_CUT_BODY_DEADLINE] = "body_deadline",
    [HTTP_CUT_CAPACITY] = "capacity", [HTTP_CUT_PER_ADDRESS] = "per_address",
    [HTTP_CUT_FRAMING] = "bad_framing",
};

const char *http_cut_name(enum http_cut_reason r)
{
    return r < HTTP_CUT_NREASONS ? cut_names[r] : "unknown";
}

void http_metrics_put(struct http_metrics_out *o, const char *fmt, ...)
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

/* The server's own families. */
static void put_connections(struct http_metrics_out *o, const struct http_metrics *m)
{
    http_metrics_put(o, "# HELP inquest_http_connections Open HTTP connections.\n"
                        "# TYPE inquest_http_connections gauge\ninquest_http_connections %lld\n",
                     (long long)atomic_load_explicit(&m->connections, memory_order_relaxed));
    http_metrics_put(o, "# HELP inquest_http_connections_cut_total HTTP connections the server "
                        "closed itself, by limit.\n"
                        "# TYPE inquest_http_connections_cut_total counter\n");
    for (size_t r = 0; r < HTTP_CUT_NREASONS; r++)
        http_metrics_put(o, "inquest_http_connections_cut_total{reason=\"%s\"} %llu\n",
                         cut_names[r],
                         (unsigned long long)atomic_load_explicit(&m->cut[r],
                                                                  memory_order_relaxed));
}

int http_metrics_render(struct iq_metrics *reg, const struct http_metrics *m,
                        const http_metrics_fn *fns, void *const *uds, size_t n, char **ret,
                        size_t *ret_len)
{
    struct http_metrics_out o = { .err = 0 };
    char *page = NULL, *first = NULL;
    size_t flen = 0;

    iq_buf_init(&o.b, METRICS_MAX);
    if (reg && (o.err = iq_metrics_render(reg, &first, &flen)) == 0)
        o.err = iq_buf_add(&o.b, first, flen) < 0 ? -ENOMEM : 0;
    free(first);
    for (size_t i = 0; i < n; i++)
        fns[i](uds[i], &o);
    put_connections(&o, m);
    if (!o.err && !(page = iq_buf_take(&o.b, ret_len)))
        o.err = -ENOMEM;
    iq_buf_free(&o.b);
    if (!o.err)
        *ret = page;
    return o.err;
}

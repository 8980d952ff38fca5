/* wh_hooks.h - the webhook endpoints: POST /hooks/<source>, registered on
 * the HTTP server (http.h) as a route that takes every method.
 *
 * A delivery is judged before its body is read (405 for another method,
 * 404 for a path no enabled source serves, 413 for a Content-Length over
 * the limit; the caller's token, when the source takes one, by the access
 * table: 401, 403), then recorded (--record), mapped by its source
 * (wh_source.h), and its events handed to the sink: answered 2xx only
 * once the sink made them durable, 503 with Retry-After and the sink's
 * reason when it cannot.  Every answer on /hooks/ is counted per source
 * for GET /metrics (wh_metrics.h). */
#ifndef WH_HOOKS_H
#define WH_HOOKS_H

#include "ing_sink.h"

struct http_server;
struct http_server_opts;
struct wh_hooks;
struct wh_record;
struct wh_sources;

/* The endpoints, delivering to sink (copied, its ctx borrowed),
 * recording every delivery to rec (borrowed, may be NULL), with the
 * webhook families and the sink's gauges (inquest_store_*) registered in
 * reg (borrowed, must outlive the hooks; NULL: not exposed); the sources
 * come with each configuration version (wh_server_new, wh_hooks_swap;
 * none: every /hooks/ path is 404).  Caller owns *ret until wh_hooks_add.
 * -ENOMEM, -EINVAL. */
struct iq_metrics;
int wh_hooks_new(struct ing_sink sink, struct wh_record *rec, struct iq_metrics *reg,
                 struct wh_hooks **ret);

/* Register on h, before http_server_start: the /hooks/ route, the sink's
 * own families of /metrics (a collector) and /readyz from the sink's
 * state.  Takes ownership of *phooks and NULLs it, also on
 * failure; h frees it at http_server_destroy.  0 or the error of http_add. */
int wh_hooks_add(struct http_server *h, struct wh_hooks **phooks);

/* An HTTP server with the webhook endpoints registered: http_server_new,
 * wh_hooks_new (with opts->metrics) and wh_hooks_add; *ret_hooks (may be NULL) is the hooks,
 * borrowed from the server, for wh_hooks_totals.  sources, opts->access and the TLS
 * strings are borrowed and must outlive the server; sink is copied (its
 * ctx borrowed); rec (borrowed, may be NULL) records every delivery.
 * Caller owns *ret (http_server_destroy).  -ENOMEM, -EINVAL (see
 * http_server_opts_check). */
int wh_server_new(const struct http_server_opts *opts, const struct wh_sources *sources,
                  struct ing_sink sink, struct wh_record *rec, struct http_server **ret,
                  struct wh_hooks **ret_hooks);

/* Publish sources s and access table a (both taken over, freed when the
 * last request using them completes) as the server's configuration
 * version: requests that arrive from now on use them.  k is the hooks of
 * h (wh_server_new's *ret_hooks).  Any thread.  0 or -ENOMEM (nothing
 * taken over). */
struct http_access;
int wh_hooks_swap(struct http_server *h, struct wh_hooks *k, struct http_access *a,
                  struct wh_sources *s);

/* What the webhook endpoints took since start: requests answered (any
 * status), and their events stored, duplicate and rejected. */
struct wh_totals {
    uint64_t requests, stored, duplicates, rejected;
};
void wh_hooks_totals(const struct wh_hooks *k, struct wh_totals *ret);

#endif

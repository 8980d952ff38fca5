/* wh_hooks.c - the webhook endpoints, POST /hooks/<source>, as a route of
 * the HTTP server: judged before the body, then recorded, mapped and
 * handed to the sink.
 *
 * Design notes.  The route takes every method (HTTP_ROUTE_ANY) so that it
 * answers the wrong ones itself (405 with Allow: POST) and counts them per
 * source like every other answer on /hooks/: the server tells the route
 * each status it answered (a slow client's 400, a 413, a 401) through the
 * answered hook, and the route counts the ones it answers too.  Access is
 * the route's own admit: a write token is asked for on the canonical
 * source only (http_access_check_hook), and when it vouched for the
 * delivery the source's own signature check is skipped; a path no source
 * serves is let through to begin, which answers 404.  On the body's
 * arrival the delivery is recorded (--record; a full disk must not stop
 * ingestion), mapped by wh_sources_map_reply, and its events handed to
 * the sink; the answer is sent only when the sink returned, i.e. once the
 * events are durable (the local store's WAL, or the central ingest's
 * acknowledgement in collector mode), so a sender's retry covers a crash.
 * A delivery whose events claim the audit-note source is refused with 403
 * and nothing is stored: notes come only from an admin through the API.
 * The hooks own a copy of the sink: /readyz and the inquest_store_*
 * gauges say its state (the gauges through a collect hook of the metrics
 * registry, which renders every webhook family; the sink's own families
 * stay a collector of the server).  The sources are the route data of the
 * server's configuration version (http_server_set_conf): a reload
 * publishes new sources with the new access table (wh_hooks_swap), and
 * each delivery is judged, mapped and counted with the version it arrived
 * under.  The per-source series are kept by name (wh_metrics_slot),
 * whatever the order of the mapping files in each version. */
#include "wh_hooks.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_access.h"
#include "http_metrics.h"
#include "iq_event.h"
#include "iq_time.h"
#include "store.h"
#include "wh_metrics.h"
#include "wh_record.h"
#include "wh_source.h"

#define HOOKS_PREFIX "/hooks/"

struct wh_hooks {
    struct ing_sink sink;
    struct wh_record *rec;
    pthread_mutex_t slot_lock;      /* wh_metrics_slot */
    struct wh_metrics m;
};

/* The route data of one configuration version (http_server_set_conf):
 * the sources, and the metrics slot of each. */
struct wh_conf {
    const struct wh_sources *src;
    bool owned;                     /* src and the access table are the version's */
    int slot[WH_METRIC_SOURCES];
};

static const struct wh_conf no_conf = { .src = NULL };

static const struct wh_conf *conf_of(const void *c)
{
    return c ? c : &no_conf;
}

/* The metrics slot of source index i (-1: none). */
static int slot_of(const struct wh_conf *c, int i)
{
    return i < 0 ? -1 : c->slot[i];
}

/* Fill resp with j (stolen) as compact JSON and a newline.  0 or -ENOMEM. */
static int reply(struct http_response *resp, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    size_t n;

    json_decref(j);
    if (!s)
        return -ENOMEM;
    n = strlen(s);
    s[n++] = '\n';          /* over the NUL: the body is sent by length */
    resp->status = status;
    resp->content_type = "application/json";
    resp->body = s;
    resp->len = n;
    return 0;
}

static int reply_error(struct http_response *resp, int status, const char *msg)
{
    return reply(resp, status, json_pack("{s:s,s:i}", "error", msg, "status", status));
}

/* Hand the events of source src to the sink; fill the success answer.
 * Returns the status: 200, or 503 when the sink could not take them. */
static int submit(struct wh_hooks *k, int slot, struct iq_event **evs, size_t n, json_t *ans)
{
    uint8_t stack_out[64], *out = n <= 64 ? stack_out : malloc(n);
    uint64_t c[3] = { 0 };
    int64_t t0;
    int r;

    if (!out)
        return 503;
    wh_metrics_queue(&k->m, 1);
    t0 = iq_time_mono_us();
    r = ing_sink_submit(&k->sink, evs, n, out);
    wh_metrics_latency(&k->m, (uint64_t)(iq_time_mono_us() - t0));
    wh_metrics_queue(&k->m, -1);
    if (r >= 0) {
        for (size_t i = 0; i < n; i++)
            c[out[i] <= STORE_REJECTED ? out[i] : STORE_REJECTED]++;
        wh_metrics_events(&k->m, slot, c);
        json_object_set_new(ans, "stored", json_integer((json_int_t)c[STORE_STORED]));
        json_object_set_new(ans, "duplicates", json_integer((json_int_t)c[STORE_DUPLICATE]));
        json_object_set_new(ans, "rejected", json_integer((json_int_t)c[STORE_REJECTED]));
    }
    if (out != stack_out)
        free(out);
    return r >= 0 ? 200 : 503;
}

/* The answer to n mapped events of source src: status (the mapping's, 202
 * when it ignored the delivery and err says why) once they are durable,
 * 503 when the sink cannot take them now. */
static int store_events(struct wh_hooks *k, const struct wh_conf *c, int src,
                        struct iq_event **evs, size_t n, int status, const char *err,
                        struct http_response *resp)
{
    struct store_status ss;
    json_t *ans;

    ans = json_pack("{s:s,s:s,s:i}", "status", n ? "ok" : "ignored", "source",
                    wh_sources_name(c->src, (size_t)src), "events", (int)n);
    if (!n)
        json_object_set_new(ans, "reason", json_string(err));
    else if ((status = submit(k, slot_of(c, src), evs, n, ans)) != 200) {
        ing_sink_status(&k->sink, &ss);
        json_decref(ans);
        ans = json_pack("{s:s,s:s,s:i}", "error", "the events could not be made durable; retry",
                        "reason", ss.busy ? ss.reason : "store unavailable", "status", status);
    }
    return reply(resp, status, ans);
}

/* The handler, once the body is in: record, map, store, answer. */
static int deliver(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct wh_hooks *k = ud;
    const struct wh_conf *c = conf_of(rq->conf);
    struct wh_delivery d = { .path = rq->path, .headers = rq->headers,
                             .n_headers = rq->n_headers, .body = rq->body,
                             .body_len = rq->body_len, .received_at = iq_time_now_ms(),
                             .authenticated = rq->authenticated };
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX + 200], *answer = NULL;
    int src = wh_sources_find(c->src, rq->path), status = 0, r;
    size_t n = 0;

    if (k->rec)
        wh_record_write(k->rec, &d);   /* a full disk must not stop ingestion */
    if (wh_sources_map_reply(c->src, &d, &evs, &n, &status, &answer, err, sizeof(err)) < 0)
        return reply_error(resp, status, err);
    if (answer) {                      /* the source's own answer (Slack's challenge) */
        wh_events_free(evs, n);
        *resp = (struct http_response){ .status = 200, .content_type = "application/json",
                                        .body = answer, .len = strlen(answer) };
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!iq_event_is_audit_note(evs[i]))
            continue;
        wh_events_free(evs, n);
        return reply_error(resp, 403, "events of source \"" IQ_AUDIT_SOURCE "\" are audit "
                           "notes: only an admin token may make them, through POST "
                           "/api/v1/incidents/ID/notes; nothing was stored");
    }
    r = store_events(k, c, src, evs, n, status, err, resp);
    wh_events_free(evs, n);
    return r;
}

/* Access: the write token of the canonical source, else the source's own
 * scheme decides (after the body); a path no source serves goes on to 404. */
static int admit(void *ud, const struct http_access *a, const void *conf, const char *method,
                 const char *path, const char *authorization, struct http_caller *ret,
                 char *err, size_t errsz)
{
    const struct wh_sources *s = conf_of(conf)->src;
    int src = wh_sources_find(s, path);

    (void)ud;
    (void)method;
    if (src < 0)
        return 0;
    return http_access_check_hook(a, wh_sources_canonical(s, (size_t)src),
                                  wh_sources_has_secret(s, (size_t)src), authorization,
                                  ret, err, errsz);
}

/* Before the body: POST only, a served path, a Content-Length in bounds. */
static int begin(void *ud, const void *conf, const char *method, const char *path,
                 const char *content_length, size_t max_body, char *msg, size_t msz,
                 const char **ret_allow)
{
    (void)ud;

    if (strcmp(method, "POST") != 0) {
        snprintf(msg, msz, "method %.20s not allowed on webhook endpoints: use POST", method);
        *ret_allow = "POST";
        return 405;
    }
    if (wh_sources_find(conf_of(conf)->src, path) < 0) {
        snprintf(msg, msz, "no source serves %.100s", path);
        return 404;
    }
    if (content_length && strtoull(content_length, NULL, 10) > max_body) {
        snprintf(msg, msz, "body of %.20s bytes is over the limit of %zu bytes", content_length,
                 max_body);
        return 413;
    }
    return 0;
}

static void answered(void *ud, const void *conf, const char *path, int status)
{
    struct wh_hooks *k = ud;
    const struct wh_conf *c = conf_of(conf);

    wh_metrics_request(&k->m, slot_of(c, wh_sources_find(c->src, path)), status);
}

static void release(void *ud)
{
    struct wh_hooks *k = ud;

    wh_metrics_release(&k->m);
    pthread_mutex_destroy(&k->slot_lock);
    free(k);
}

/* A version's end (http_conf_free_fn): its sources and access table when
 * it owns them. */
static void conf_free(void *ud, struct http_access *a, void *data)
{
    struct wh_conf *c = data;

    (void)ud;
    if (c && c->owned) {
        struct wh_sources *s = (struct wh_sources *)c->src;

        wh_sources_destroy(&s);
        http_access_destroy(&a);
    }
    free(c);
}

/* Publish a version of sources s and access table a on h (owned: freed
 * with the version).  0 or -ENOMEM (nothing published or freed). */
static int publish(struct http_server *h, struct wh_hooks *k, struct http_access *a,
                   const struct wh_sources *s, bool owned)
{
    struct wh_conf *c = calloc(1, sizeof(*c));
    int r;

    if (!c)
        return -ENOMEM;
    c->src = s;
    c->owned = owned;
    pthread_mutex_lock(&k->slot_lock);
    for (size_t i = 0; i < wh_sources_count(s) && i < WH_METRIC_SOURCES; i++)
        c->slot[i] = wh_metrics_slot(&k->m, wh_sources_name(s, i));
    pthread_mutex_unlock(&k->slot_lock);
    if ((r = http_server_set_conf(h, a, c, conf_free, k)) < 0)
        free(c);
    return r;
}

int wh_hooks_swap(struct http_server *h, struct wh_hooks *k, struct http_access *a,
                  struct wh_sources *s)
{
    return publish(h, k, a, s, true);
}

/* GET /readyz: ready while the sink takes events. */
static bool ready(void *ud, const char **ret_what, char *reason, size_t size)
{
    struct wh_hooks *k = ud;
    struct store_status ss;

    ing_sink_status(&k->sink, &ss);
    if (!ss.busy)
        return true;
    *ret_what = store_busy_name(ss.busy);
    snprintf(reason, size, "%s", ss.reason);
    return false;
}

/* The registry's collect hook: the store gauges from the sink's state. */
static void collect_store(void *ud)
{
    struct wh_hooks *k = ud;
    struct store_status ss;

    ing_sink_status(&k->sink, &ss);
    wh_metrics_store(&k->m, &ss);
}

/* GET /metrics: the sink's own families (the store's memory, a
 * collector's spool), after the registry's. */
static void collect(void *ud, struct http_metrics_out *o)
{
    struct wh_hooks *k = ud;

    ing_sink_metrics(&k->sink, o);
}

int wh_hooks_new(struct ing_sink sink, struct wh_record *rec, struct iq_metrics *reg,
                 struct wh_hooks **ret)
{
    struct wh_hooks *k = calloc(1, sizeof(*k));
    int r;

    if (!k)
        return -ENOMEM;
    pthread_mutex_init(&k->slot_lock, NULL);
    k->sink = sink;
    k->rec = rec;
    if ((r = wh_metrics_register(&k->m, reg, collect_store, k)) < 0) {
        release(k);
        return r;
    }
    *ret = k;
    return 0;
}

int wh_hooks_add(struct http_server *h, struct wh_hooks **phooks)
{
    struct wh_hooks *k = *phooks;
    struct http_route r = { .prefix = HOOKS_PREFIX, .kind = HTTP_ROUTE_ANY, .fn = deliver,
                            .ud = k, .admit = admit, .begin = begin, .answered = answered,
                            .release = release, .headers = true };
    int st;

    *phooks = NULL;
    if ((st = http_add(h, &r)) < 0) {
        release(k);
        return st;
    }
    http_server_set_ready(h, ready, k);      /* from here on, h owns k (release) */
    return http_add_metrics(h, collect, k);
}

int wh_server_new(const struct http_server_opts *opts, const struct wh_sources *sources,
                  struct ing_sink sink, struct wh_record *rec, struct http_server **ret,
                  struct wh_hooks **ret_hooks)
{
    struct http_server *h = NULL;
    struct wh_hooks *k = NULL;
    int r;

    struct wh_hooks *kept;

    if ((r = http_server_new(opts, &h)) < 0 ||
        (r = wh_hooks_new(sink, rec, opts->metrics, &k)) < 0 ||
        !(kept = k) || (r = wh_hooks_add(h, &k)) < 0 ||
        (r = publish(h, kept, (struct http_access *)opts->access, sources, false)) < 0) {
        http_server_destroy(&h);
        return r;
    }
    if (ret_hooks)
        *ret_hooks = kept;
    *ret = h;
    return 0;
}

void wh_hooks_totals(const struct wh_hooks *k, struct wh_totals *ret)
{
    const struct wh_metrics *m = &k->m;

    ret->requests = atomic_load_explicit(&m->total_requests, memory_order_relaxed);
    ret->stored = atomic_load_explicit(&m->total_events[0], memory_order_relaxed);
    ret->duplicates = atomic_load_explicit(&m->total_events[1], memory_order_relaxed);
    ret->rejected = atomic_load_explicit(&m->total_events[2], memory_order_relaxed);
}

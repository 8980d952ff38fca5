/* ing_http.c - inquestd's HTTP server on libmicrohttpd: webhook endpoints
 * (POST /hooks/SOURCE), GET /healthz, /readyz, /metrics and the read-only
 * GET routes other stages register.
 *
 * Design notes.  MHD runs its own epoll thread pool; every callback gets
 * the server through its cls argument (no global).  The request line and
 * headers are judged before any body byte is accepted: wrong method 405,
 * unknown path 404, a Content-Length over max_body 413.  The body is then
 * accumulated in a per-request buffer capped at max_body (a chunked body
 * that grows past it is answered 413 too) and kept in *con_cls, freed in
 * MHD_OPTION_NOTIFY_COMPLETED.  On the last upload call the delivery is
 * recorded (--record), mapped by ing_sources_map, and its events handed to
 * the sink; the answer is sent only when the sink returned, i.e. once the
 * events are durable (the local store's WAL, or the central ingest's
 * acknowledgement in collector mode), so a sender's retry covers a crash.
 * A sink that cannot take the events (a full disk) is answered 503 with
 * Retry-After and the sink's reason; /readyz says the same.
 * Connection, memory and idle timeout limits are always set.
 *
 * Access.  The first call of every request asks the access table
 * (ing_access.h) who the caller is and whether it may, before any body
 * byte is read: 401 (with WWW-Authenticate) or 403 otherwise.  A webhook
 * delivery whose events claim the audit-note source is refused with 403
 * and nothing is stored: notes come only from an admin through the API.
 * POST routes take their body through the same capped buffer as webhooks.
 * With tls_cert and tls_key the server speaks HTTPS only (GnuTLS inside
 * libmicrohttpd); MHD's own messages go to our log, as warnings while it
 * starts (a refused key is explained) and at debug level afterwards.
 *
 * Connection policy.  Read deadlines, the share kept for new clients,
 * per-address limits (through trusted proxies) and the framing checks MHD
 * lacks are the connection policy's (ing_http_guard.c), hooked in at
 * connect, at the request line, at the first and last access handler calls
 * (before the access check) and at completion. */
#include "ing_http.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <microhttpd.h>

#include "ing_access.h"
#include "ing_http_guard.h"
#include "ing_http_metrics.h"
#include "ing_record.h"
#include "ing_source.h"
#include "ing_store.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

#define ROUTES_MAX 16
#define ING_HTTP_RETRY_AFTER "30"   /* seconds, on every 503 */
#define HEADERS_MAX 64
#define HEADER_NAMES_MAX 4096

struct route {
    char *prefix;
    ing_http_handler fn;
    void *ud;
    bool post;                   /* POST with a body; else GET and HEAD */
};

struct ing_http {
    struct ing_http_opts o;
    const struct ing_sources *src;
    struct ing_sink sink;
    struct ing_record *rec;
    struct route routes[ROUTES_MAX];
    size_t n_routes;
    struct MHD_Daemon *mhd;
    struct ing_http_guard *guard;
    uint16_t port;
    atomic_bool running;         /* MHD started: its messages drop to debug */
    struct ing_http_metrics m;
};

/* Per-request state, in *con_cls: created by the URI log callback (so the
 * raw query string is kept for GET routes), the body of a POST to
 * /hooks/... accumulated into buf. */
struct req {
    char *uri;                   /* raw request target, NULL on OOM */
    bool admitted;               /* the access table was asked */
    struct ing_caller caller;    /* who, once admitted */
    bool authenticated;          /* a write token vouched for a webhook delivery */
    const struct route *route;   /* a POST route, else NULL (a webhook) */
    struct ing_http_gconn *gc;   /* the connection's policy entry; may be NULL */
    bool guarded;                /* passed the connection policy's checks */
    bool started;                /* first access-handler call done */
    char *buf;
    size_t len, cap;
    bool too_large;
};

/* Request headers with lower-cased names, for ing_delivery. */
struct hdrs {
    struct ing_header h[HEADERS_MAX];
    size_t n;
    char names[HEADER_NAMES_MAX];
    size_t used;
};

/* Queue body (taken over) with one optional extra header. */
static int queue_hdr(struct MHD_Connection *conn, int status, const char *ctype, char *body,
                     size_t len, const char *hname, const char *hvalue)
{
    struct MHD_Response *resp;
    enum MHD_Result r;

    resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (hname)
        MHD_add_response_header(resp, hname, hvalue);
    if (status == 503)   /* the sink is busy (a full disk, a failed store) */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ING_HTTP_RETRY_AFTER);
    r = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

static int queue(struct MHD_Connection *conn, int status, const char *ctype, char *body,
                 size_t len, const char *allow)
{
    return queue_hdr(conn, status, ctype, body, len, allow ? MHD_HTTP_HEADER_ALLOW : NULL, allow);
}

/* Queue a JSON object (stolen) with one optional extra header. */
static int queue_json_hdr(struct MHD_Connection *conn, int status, json_t *o, const char *hname,
                          const char *hvalue)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    size_t n;

    json_decref(o);
    if (!s)
        return MHD_NO;
    n = strlen(s);
    s[n++] = '\n';
    return queue_hdr(conn, status, "application/json", s, n, hname, hvalue);
}

static int queue_json(struct MHD_Connection *conn, int status, json_t *o, const char *allow)
{
    return queue_json_hdr(conn, status, o, allow ? MHD_HTTP_HEADER_ALLOW : NULL, allow);
}

static int queue_error(struct MHD_Connection *conn, int status, const char *msg,
                       const char *allow)
{
    return queue_json(conn, status, json_pack("{s:s,s:i}", "error", msg, "status", status), allow);
}

static void count(struct ing_http *h, int src, int status)
{
    size_t i = src < 0 ? ING_METRIC_SOURCES - 1 : (size_t)src;

    atomic_fetch_add_explicit(&h->m.requests[i][ing_http_outcome(status)], 1,
                              memory_order_relaxed);
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    struct hdrs *hs = cls;
    size_t n = strlen(key);

    (void)kind;
    if (hs->n == HEADERS_MAX || hs->used + n + 1 > sizeof(hs->names) || !value)
        return MHD_YES;
    for (size_t i = 0; i <= n; i++) {
        char c = key[i];

        hs->names[hs->used + i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    hs->h[hs->n].name = hs->names + hs->used;
    hs->h[hs->n].value = value;
    hs->n++;
    hs->used += n + 1;
    return MHD_YES;
}

static uint64_t mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Hand the events to the sink; fill the success answer.  Returns status. */
static int submit(struct ing_http *h, int src, struct iq_event **evs, size_t n, json_t *ans)
{
    uint8_t stack_out[64], *out = n <= 64 ? stack_out : malloc(n);
    uint64_t c[3] = { 0 };
    uint64_t t0;
    int r;

    if (!out)
        return 503;
    atomic_fetch_add_explicit(&h->m.queue_depth, 1, memory_order_relaxed);
    t0 = mono_us();
    r = ing_sink_submit(&h->sink, evs, n, out);
    ing_http_metrics_latency(&h->m, mono_us() - t0);
    atomic_fetch_sub_explicit(&h->m.queue_depth, 1, memory_order_relaxed);
    if (r >= 0) {
        for (size_t i = 0; i < n; i++)
            c[out[i] <= ING_REJECTED ? out[i] : ING_REJECTED]++;
        for (int k = 0; k < 3; k++)
            atomic_fetch_add_explicit(&h->m.events[src][k], c[k], memory_order_relaxed);
        json_object_set_new(ans, "stored", json_integer((json_int_t)c[ING_STORED]));
        json_object_set_new(ans, "duplicates", json_integer((json_int_t)c[ING_DUPLICATE]));
        json_object_set_new(ans, "rejected", json_integer((json_int_t)c[ING_REJECTED]));
    }
    if (out != stack_out)
        free(out);
    return r >= 0 ? 200 : 503;
}

/* The last call of a POST /hooks/...: map, store, answer. */
static int finish_hook(struct ing_http *h, struct MHD_Connection *conn, const char *url,
                       struct req *rq)
{
    struct hdrs hs;
    struct ing_delivery d = { .path = url };
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX + 200], *reply = NULL;
    int src = ing_sources_find(h->src, url), status = 0, r;
    size_t n = 0;
    json_t *ans;

    hs.n = 0;
    hs.used = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &hs);
    d.headers = hs.h;
    d.n_headers = hs.n;
    d.body = rq->buf ? rq->buf : "";
    d.body_len = rq->len;
    d.received_at = iq_time_now_ms();
    d.authenticated = rq->authenticated;
    if (h->rec)
        ing_record_write(h->rec, &d);   /* a full disk must not stop ingestion */
    r = ing_sources_map_reply(h->src, &d, &evs, &n, &status, &reply, err, sizeof(err));
    if (r < 0) {
        count(h, src, status);
        return queue_error(conn, status, err, NULL);
    }
    if (reply) {
        count(h, src, 200);
        ing_events_free(evs, n);
        return queue(conn, 200, "application/json", reply, strlen(reply), NULL);
    }
    for (size_t i = 0; i < n; i++) {
        if (!iq_event_is_audit_note(evs[i]))
            continue;
        ing_events_free(evs, n);
        count(h, src, 403);
        return queue_error(conn, 403, "events of source \"" IQ_AUDIT_SOURCE "\" are audit notes: "
                           "only an admin token may make them, through POST "
                           "/api/v1/incidents/ID/notes; nothing was stored", NULL);
    }
    ans = json_pack("{s:s,s:s,s:i}", "status", n ? "ok" : "ignored", "source",
                    ing_sources_name(h->src, (size_t)src), "events", (int)n);
    if (!n)
        json_object_set_new(ans, "reason", json_string(err));
    else if ((status = submit(h, src, evs, n, ans)) != 200) {
        struct ing_sink_status ss;

        ing_sink_status(&h->sink, &ss);
        json_decref(ans);
        ans = json_pack("{s:s,s:s,s:i}", "error", "the events could not be made durable; retry",
                        "reason", ss.busy ? ss.reason : "store unavailable", "status", status);
    }
    ing_events_free(evs, n);
    count(h, src, status);
    return queue_json(conn, status, ans, NULL);
}

/* Call route r's handler with the request and queue its answer. */
static int run_route(struct MHD_Connection *conn, const struct route *r, const char *method,
                     const char *url, const struct req *rq)
{
    const char *query = rq->uri ? strchr(rq->uri, '?') : NULL;
    struct ing_http_request in = { .method = method, .path = url,
                                   .query = query ? query + 1 : NULL,
                                   .body = r->post ? (rq->buf ? rq->buf : "") : NULL,
                                   .body_len = r->post ? rq->len : 0, .caller = &rq->caller };
    struct ing_http_response resp = { 0 };

    if (r->fn(r->ud, &in, &resp) < 0) {
        free(resp.body);
        return queue_error(conn, 500, "internal error", NULL);
    }
    return queue(conn, resp.status ? resp.status : 200,
                 resp.content_type ? resp.content_type : "application/json", resp.body, resp.len,
                 NULL);
}

/* Start or continue a POST to /hooks/... or to a POST route. */
static int hook(struct ing_http *h, struct MHD_Connection *conn, const char *url,
                const char *method, const char *data, size_t *data_size, void **con_cls)
{
    struct req *rq = *con_cls;

    if (!rq)
        return MHD_NO;
    if (!rq->started) {
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        int src = ing_sources_find(h->src, url);
        char msg[160];

        if (rq->route) {
            if (cl && strtoull(cl, NULL, 10) > h->o.max_body)
                return queue_error(conn, 413, "body is over the limit (max_body)", NULL);
            rq->started = true;
            return MHD_YES;
        }
        if (strcmp(method, "POST") != 0) {
            count(h, src, 405);
            snprintf(msg, sizeof(msg), "method %.20s not allowed on webhook endpoints: use POST",
                     method);
            return queue_error(conn, 405, msg, "POST");
        }
        if (src < 0) {
            count(h, src, 404);
            snprintf(msg, sizeof(msg), "no source serves %.100s", url);
            return queue_error(conn, 404, msg, NULL);
        }
        if (cl && strtoull(cl, NULL, 10) > h->o.max_body) {
            count(h, src, 413);
            snprintf(msg, sizeof(msg), "body of %.20s bytes is over the limit of %zu bytes", cl,
                     h->o.max_body);
            return queue_error(conn, 413, msg, NULL);
        }
        rq->started = true;
        return MHD_YES;
    }
    if (*data_size) {
        if (!rq->too_large && rq->len + *data_size > h->o.max_body) {
            rq->too_large = true;
            free(rq->buf);
            rq->buf = NULL;
        }
        if (!rq->too_large) {
            if (rq->len + *data_size > rq->cap) {
                size_t cap = rq->cap ? rq->cap : 4096;
                char *p;

                while (cap < rq->len + *data_size)
                    cap *= 2;
                p = realloc(rq->buf, cap);
                if (!p)
                    return MHD_NO;
                rq->buf = p;
                rq->cap = cap;
            }
            memcpy(rq->buf + rq->len, data, *data_size);
            rq->len += *data_size;
        }
        *data_size = 0;
        return MHD_YES;
    }
    if (rq->too_large) {
        char msg[120];

        if (!rq->route)
            count(h, ing_sources_find(h->src, url), 413);
        snprintf(msg, sizeof(msg), "body is over the limit of %zu bytes", h->o.max_body);
        return queue_error(conn, 413, msg, NULL);
    }
    if (rq->route)
        return run_route(conn, rq->route, method, url, rq);
    return finish_hook(h, conn, url, rq);
}

/* The registered route for url (longest prefix) of the kind asked. */
static const struct route *find_route(const struct ing_http *h, const char *url, bool post)
{
    const struct route *best = NULL;

    for (size_t i = 0; i < h->n_routes; i++)
        if (h->routes[i].post == post &&
            strncmp(url, h->routes[i].prefix, strlen(h->routes[i].prefix)) == 0 &&
            (!best || strlen(h->routes[i].prefix) > strlen(best->prefix)))
            best = &h->routes[i];
    return best;
}

/* GET /readyz: 200 while the sink takes events, 503 with the reason. */
static int ready(struct ing_http *h, struct MHD_Connection *conn)
{
    struct ing_sink_status ss;

    ing_sink_status(&h->sink, &ss);
    if (!ss.busy)
        return queue_json(conn, 200, json_pack("{s:s}", "status", "ready"), NULL);
    return queue_json(conn, 503, json_pack("{s:s,s:s,s:s}", "status", "busy", "busy",
                                           ing_busy_name(ss.busy), "reason", ss.reason), NULL);
}

/* GET /healthz, /readyz, /metrics and registered routes. */
static int get_route(struct ing_http *h, struct MHD_Connection *conn, const char *url,
                     const char *method, const struct req *rq)
{
    const struct route *best;
    char *body = NULL;
    size_t len = 0;

    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return queue_error(conn, 405, "method not allowed: use GET", "GET, HEAD");
    if (strcmp(url, "/healthz") == 0) {
        body = strdup("{\"status\":\"ok\"}\n");
        return body ? queue(conn, 200, "application/json", body, strlen(body), NULL) : MHD_NO;
    }
    if (strcmp(url, "/readyz") == 0)
        return ready(h, conn);
    if (strcmp(url, "/metrics") == 0) {
        struct ing_sink_status ss;

        ing_sink_status(&h->sink, &ss);
        if (ing_http_metrics_render(&h->m, h->src, &ss, &body, &len) < 0)
            return MHD_NO;
        return queue(conn, 200, "text/plain; version=0.0.4", body, len, NULL);
    }
    if (!(best = find_route(h, url, false)))
        return queue_error(conn, 404, "not found", NULL);
    return run_route(conn, best, method, url, rq);
}

/* The first call of a request: ask the access table who the caller is and
 * whether it may, before any body byte is read.  Returns true to go on;
 * false once 401 (with a Bearer challenge) or 403 is queued, *ret_mhd
 * being the result of queueing it. */
static bool admit(struct ing_http *h, struct MHD_Connection *conn, const char *url,
                  const char *method, struct req *rq, int *ret_mhd)
{
    const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_AUTHORIZATION);
    char err[256];
    int r, src = -1;

    rq->admitted = true;
    if (strncmp(url, "/hooks/", 7) == 0) {
        if ((src = ing_sources_find(h->src, url)) < 0)
            return true;
        r = ing_access_check_hook(h->o.access, ing_sources_canonical(h->src, (size_t)src),
                                  ing_sources_has_secret(h->src, (size_t)src), authz,
                                  &rq->caller, err, sizeof(err));
        rq->authenticated = r == 1;
    } else {
        r = ing_access_check(h->o.access, method, url, authz, &rq->caller, err, sizeof(err));
    }
    if (r >= 0)
        return true;
    if (src >= 0)
        count(h, src, r == -EPERM ? 403 : 401);
    *ret_mhd = queue_json_hdr(conn, r == -EPERM ? 403 : 401,
                          json_pack("{s:s,s:i}", "error", err, "status", r == -EPERM ? 403 : 401),
                          r == -EPERM ? NULL : MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                          "Bearer realm=\"inquest\"");
    return false;
}

/* The connection policy's part of an access handler call: the framing
 * and per-address checks on the first call of a request, the end of the
 * body deadline on its last (GET routes answer on the first), and a stop
 * when the policy cut the connection.  Returns 0 to go on, or 1 with *ret
 * the handler's result (an error answer queued, or MHD_NO to close). */
static int guard_call(struct ing_http *h, struct MHD_Connection *conn, const char *url,
                      const char *method, struct req *rq, size_t upload_size,
                      enum MHD_Result *ret)
{
    bool has_body = strncmp(url, "/hooks/", 7) == 0 || strcmp(method, "POST") == 0;
    char msg[200];
    int st;

    if (!rq->guarded) {
        rq->guarded = true;
        st = ing_http_guard_admit(h->guard, rq->gc, conn, msg, sizeof(msg));
        if (st > 0 && strncmp(url, "/hooks/", 7) == 0)
            count(h, ing_sources_find(h->src, url), st);
        if (st != 0) {
            *ret = st > 0 && queue_error(conn, st, msg, NULL) == MHD_YES ? MHD_YES : MHD_NO;
            return 1;
        }
        if (!has_body)
            ing_http_guard_body_done(h->guard, rq->gc);
        return 0;
    }
    if (ing_http_guard_is_cut(rq->gc)) {
        *ret = MHD_NO;
        return 1;
    }
    if (!upload_size)
        ing_http_guard_body_done(h->guard, rq->gc);
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct ing_http *h = cls;
    struct req *rq = *con_cls;
    enum MHD_Result gr;
    int r = MHD_NO;

    (void)version;
    if (!rq)
        return MHD_NO;
    if (guard_call(h, conn, url, method, rq, *upload_data_size, &gr))
        return gr;
    if (!rq->admitted && !admit(h, conn, url, method, rq, &r))
        return r == MHD_YES ? MHD_YES : MHD_NO;
    if (!rq->started && strcmp(method, "POST") == 0 && strncmp(url, "/hooks/", 7) != 0)
        rq->route = find_route(h, url, true);
    if (strncmp(url, "/hooks/", 7) == 0 || rq->route)
        return hook(h, conn, url, method, upload_data, upload_data_size, con_cls) == MHD_YES
                   ? MHD_YES : MHD_NO;
    return get_route(h, conn, url, method, rq) == MHD_YES ? MHD_YES : MHD_NO;
}

/* MHD_OPTION_URI_LOG_CALLBACK: the first look at a request; the return
 * value becomes *con_cls.  Keeps the raw URI (with its query string). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct ing_http *h = cls;
    struct req *rq = calloc(1, sizeof(*rq));
    struct ing_http_gconn *gc = ing_http_guard_conn(conn);

    ing_http_guard_request_line(h->guard, gc);
    if (!rq)
        return NULL;
    rq->gc = gc;
    if (uri)
        rq->uri = strndup(uri, 8192);
    return rq;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct ing_http *h = cls;
    struct req *rq = *con_cls;

    (void)toe;
    ing_http_guard_request_done(h->guard, ing_http_guard_conn(conn));
    if (rq) {
        free(rq->uri);
        free(rq->buf);
        free(rq);
        *con_cls = NULL;
    }
}

/* The options with their defaults filled in. */
static void opts_defaults(struct ing_http_opts *o)
{
    if (!o->listen)
        o->listen = "127.0.0.1:7700";
    if (!o->max_body)
        o->max_body = 1024 * 1024;
    if (!o->conn_limit)
        o->conn_limit = 1024;
    if (!o->per_ip_limit)
        o->per_ip_limit = 256;
    if (!o->timeout_s)
        o->timeout_s = 30;
    if (!o->threads)
        o->threads = 2;
    if (!o->header_timeout_ms)
        o->header_timeout_ms = 10000;
    if (!o->body_timeout_ms)
        o->body_timeout_ms = 60000;
    if (!o->conn_reserve_pct)
        o->conn_reserve_pct = 10;
    if (!o->max_headers)
        o->max_headers = 100;
}

/* The connection policy for options o (defaults filled in), counting in
 * m.  0, -EINVAL (err says why), -ENOMEM. */
static int guard_new(const struct ing_http_opts *o, struct ing_http_metrics *m,
                     struct ing_http_guard **ret, char *err, size_t errsz)
{
    unsigned pct = o->conn_reserve_pct > 0 ? (unsigned)o->conn_reserve_pct : 0;
    unsigned reserve = (unsigned)((uint64_t)o->conn_limit * pct / 100);
    struct ing_http_guard_opts go = {
        .conn_limit = o->conn_limit,
        .conn_reserve = pct && !reserve ? 1 : reserve,
        .per_ip_limit = o->per_ip_limit,
        .max_headers = o->max_headers,
        .header_ms = o->header_timeout_ms,
        .body_ms = o->body_timeout_ms,
        .idle_ms = (uint64_t)o->timeout_s * 1000u,
        .trusted_proxies = o->trusted_proxies,
    };

    if (pct > 50) {
        snprintf(err, errsz, "http_conn_reserve: %u%% is more than half of http_conn_limit",
                 pct);
        return -EINVAL;
    }
    return ing_http_guard_new(&go, m, ret, err, errsz);
}

int ing_http_opts_check(const struct ing_http_opts *opts, char *err, size_t errsz)
{
    struct ing_http_opts o = *opts;
    struct ing_http_metrics *m = calloc(1, sizeof(*m));
    struct ing_http_guard *g = NULL;
    int r;

    if (!m)
        return -ENOMEM;
    opts_defaults(&o);
    r = guard_new(&o, m, &g, err, errsz);
    ing_http_guard_destroy(&g);
    free(m);
    return r;
}

int ing_http_new(const struct ing_http_opts *opts, const struct ing_sources *sources,
                 struct ing_sink sink, struct ing_record *rec, struct ing_http **ret)
{
    struct ing_http *h = calloc(1, sizeof(*h));
    char err[200];
    int r;

    if (!h)
        return -ENOMEM;
    h->o = *opts;
    opts_defaults(&h->o);
    r = guard_new(&h->o, &h->m, &h->guard, err, sizeof(err));
    if (r < 0) {
        free(h);
        return r;
    }
    h->o.trusted_proxies = NULL;        /* read by the guard only */
    h->src = sources;
    h->sink = sink;
    h->rec = rec;
    *ret = h;
    return 0;
}

static int add_route(struct ing_http *h, const char *prefix, ing_http_handler fn, void *ud,
                     bool post)
{
    if (h->mhd)
        return -EBUSY;
    if (h->n_routes == ROUTES_MAX)
        return -E2BIG;
    if (!(h->routes[h->n_routes].prefix = strdup(prefix)))
        return -ENOMEM;
    h->routes[h->n_routes].fn = fn;
    h->routes[h->n_routes].ud = ud;
    h->routes[h->n_routes].post = post;
    h->n_routes++;
    return 0;
}

int ing_http_add_route(struct ing_http *h, const char *prefix, ing_http_handler fn, void *ud)
{
    return add_route(h, prefix, fn, ud, false);
}

int ing_http_add_post_route(struct ing_http *h, const char *prefix, ing_http_handler fn,
                            void *ud)
{
    return add_route(h, prefix, fn, ud, true);
}

/* Resolve "HOST:PORT" ("[v6]:PORT" too) into ss. */
static int resolve(const char *listen, struct sockaddr_storage *ss, socklen_t *sl)
{
    const char *colon = strrchr(listen, ':');
    char host[256];
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV }, *ai;
    size_t n;

    if (!colon || !colon[1])
        return -EINVAL;
    n = (size_t)(colon - listen);
    if (n && listen[0] == '[' && listen[n - 1] == ']') {
        listen++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof(host))
        return -EINVAL;
    memcpy(host, listen, n);
    host[n] = '\0';
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
        return -EINVAL;
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *sl = ai->ai_addrlen;
    freeaddrinfo(ai);
    return 0;
}

/* MHD_OPTION_EXTERNAL_LOGGER: while starting, MHD explains a refused
 * certificate or socket; afterwards its lines are per-connection noise. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct ing_http *h = cls;
    char line[512];
    size_t n;

    vsnprintf(line, sizeof(line), fmt, ap);
    n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    iq_log(atomic_load(&h->running) ? IQ_LOG_DEBUG : IQ_LOG_WARN, "http", "libmicrohttpd: %s",
           line);
}

int ing_http_start(struct ing_http *h)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem tls[] = {
        { MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)h->o.tls_key },
        { MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)h->o.tls_cert },
        { MHD_OPTION_END, 0, NULL },
    };
    bool use_tls = h->o.tls_cert && h->o.tls_key;

    if (h->mhd)
        return -EBUSY;
    if (resolve(h->o.listen, &ss, &sl) < 0)
        return -EINVAL;
    if (use_tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return -ENOTSUP;
    if (use_tls)
        flags |= MHD_USE_TLS;
    if (ing_http_guard_start(h->guard) < 0)
        return -EIO;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
                              MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,   /* first, as MHD asks */
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned)h->o.threads,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)h->o.conn_limit,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)h->o.timeout_s,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                              MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                              MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
                              MHD_OPTION_ARRAY, use_tls ? tls : tls + 2,
                              MHD_OPTION_NOTIFY_CONNECTION, ing_http_guard_notify, h->guard,
                              MHD_OPTION_END);
    if (!h->mhd)
        return -EADDRINUSE;
    atomic_store(&h->running, true);
    info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : 0;
    return 0;
}

uint16_t ing_http_port(const struct ing_http *h)
{
    return h->port;
}

void ing_http_totals(const struct ing_http *h, struct ing_http_totals *ret)
{
    ing_http_metrics_totals(&h->m, ret);
}

void ing_http_destroy(struct ing_http **ph)
{
    struct ing_http *h = *ph;

    if (!h)
        return;
    if (h->mhd)
        MHD_stop_daemon(h->mhd);
    ing_http_guard_destroy(&h->guard);
    for (size_t i = 0; i < h->n_routes; i++)
        free(h->routes[i].prefix);
    free(h);
    *ph = NULL;
}

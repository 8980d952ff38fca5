/* http.c - inquestd's HTTP server on libmicrohttpd: GET /healthz, /readyz,
 * /metrics and the routes the stages register (http.h).
 *
 * Design notes.  MHD runs its own epoll thread pool; every callback gets
 * the server through its cls argument (no global).  The request line and
 * headers are judged before any body byte is accepted: the route is looked
 * up on the first call (routes that take every method first, then POST
 * routes for a POST; GET routes when the request is answered), then the
 * connection policy, then access, then the route's begin (or, without
 * one, a Content-Length over max_body: 413).  The body is accumulated in
 * a per-request buffer capped at max_body (a chunked body that grows past
 * it is answered 413 too) and kept in *con_cls, freed in
 * MHD_OPTION_NOTIFY_COMPLETED; the handler runs on the last upload call.
 * Every 503 carries Retry-After.  A route that counts its answers is told
 * each status, whoever answered.  Connection, memory and idle timeout
 * limits are always set.
 *
 * Access.  The first call of every request asks the access table
 * (http_access.h), or the route's own admit, who the caller is and whether
 * it may, before any body byte is read: 401 (with WWW-Authenticate) or 403
 * otherwise.  With tls_cert and tls_key the server speaks HTTPS only
 * (GnuTLS inside libmicrohttpd); MHD's own messages go to our log, as
 * warnings while it starts (a refused key is explained) and at debug level
 * afterwards.
 *
 * Connection policy.  Read deadlines, the share kept for new clients,
 * per-address limits (through trusted proxies) and the framing checks MHD
 * lacks are the connection policy's (http_guard.c), hooked in at connect,
 * at the request line, at the first and last access handler calls (before
 * the access check) and at completion.  The server's options and its
 * lifecycle (start, TLS, stop) are in http_server.c.
 *
 * Reload.  The first call of a request takes a reference on the current
 * configuration version (access table, route data) and the completion
 * drops it: admit, begin, the handler and every answered call of one
 * request see the same version, whatever a reload publishes meanwhile
 * (http_server_set_conf swaps the pointer under a mutex; the old version
 * is freed by its last request, or at once when none uses it). */
#include "http_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <microhttpd.h>

#include "http_access.h"
#include "http_framer.h"
#include "http_guard.h"
#include "iq_buf.h"

/* Per-request state, in *con_cls: created by the URI log callback (so the
 * raw query string is kept for GET routes), the body of a body route
 * accumulated into buf. */
struct req {
    char *uri;                   /* raw request target, NULL on OOM */
    bool routed;                 /* route looked up (first access handler call) */
    const struct http_route *route; /* a body route (POST or any method), else NULL */
    bool admitted;               /* the access table was asked */
    struct http_caller caller;   /* who, once admitted */
    bool authenticated;          /* the route's admit vouched for the request */
    struct http_conf *conf;      /* the configuration version, from the first call on */
    struct http_gconn *gc; /* the connection's policy entry; may be NULL */
    bool guarded;                /* passed the connection policy's checks */
    bool started;                /* the route's begin passed */
    struct iq_buf body;          /* the upload, capped at max_body */
    bool too_large;
};

/* Request headers with lower-cased names, for routes that want them. */
struct hdrs {
    struct http_header h[HTTP_HEADERS_MAX];
    size_t n;
    char names[HTTP_HEADERS_MAX * 64];
    size_t used;
};

/* Queue an answer (its body taken over) with its headers; every 503 carries
 * Retry-After. */
static int queue_resp(struct MHD_Connection *conn, const struct http_response *a)
{
    struct MHD_Response *resp;
    enum MHD_Result r;

    resp = MHD_create_response_from_buffer(a->len, a->body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(a->body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            a->content_type ? a->content_type : "application/json");
    for (size_t i = 0; a->headers && i < a->n_headers; i++)
        MHD_add_response_header(resp, a->headers[i].name, a->headers[i].value);
    if (a->status == 503)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, HTTP_RETRY_AFTER);
    r = MHD_queue_response(conn, (unsigned)a->status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* Queue body (taken over) with one optional extra header. */
static int queue_hdr(struct MHD_Connection *conn, int status, const char *ctype, char *body,
                     size_t len, const char *hname, const char *hvalue)
{
    struct http_header h = { hname, hvalue };
    struct http_response a = { .status = status, .content_type = ctype, .body = body, .len = len,
                               .headers = hname ? &h : NULL, .n_headers = hname ? 1 : 0 };

    return queue_resp(conn, &a);
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

/* Tell route r (may be NULL) that status was answered on url, in the
 * request's configuration version c (may be NULL). */
static void answered(const struct http_route *r, const struct http_conf *c, const char *url,
                     int status)
{
    if (r && r->answered)
        r->answered(r->ud, c ? c->data : NULL, url, status);
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    struct hdrs *hs = cls;
    size_t n = strlen(key);

    (void)kind;
    if (hs->n == HTTP_HEADERS_MAX || hs->used + n + 1 > sizeof(hs->names) || !value)
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

/* Call route r's handler with the request and queue its answer. */
static int run_route(struct MHD_Connection *conn, const struct http_route *r,
                     const char *method, const char *url, const struct req *rq)
{
    const char *query = rq->uri ? strchr(rq->uri, '?') : NULL;
    bool body = r->kind != HTTP_ROUTE_GET;
    struct http_request in = { .method = method, .path = url,
                               .query = query ? query + 1 : NULL,
                               .body = body ? (rq->body.p ? rq->body.p : "") : NULL,
                               .body_len = body ? rq->body.len : 0, .caller = &rq->caller,
                               .authenticated = rq->authenticated,
                               .conf = rq->conf ? rq->conf->data : NULL };
    struct http_response resp = { 0 };
    struct hdrs hs;

    if (r->headers) {
        hs.n = 0;
        hs.used = 0;
        MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &hs);
        in.headers = hs.h;
        in.n_headers = hs.n;
    }
    if (r->fn(r->ud, &in, &resp) < 0) {
        free(resp.body);
        answered(r, rq->conf, url, 500);
        return queue_error(conn, 500, "internal error", NULL);
    }
    if (!resp.status)
        resp.status = 200;
    answered(r, rq->conf, url, resp.status);
    return queue_resp(conn, &resp);
}

/* The first call of a body route: its begin, or the Content-Length check. */
static int begin_body(struct http_server *h, struct MHD_Connection *conn, const char *url,
                      const char *method, struct req *rq)
{
    const struct http_route *r = rq->route;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    const char *allow = NULL;
    char msg[200];
    int st;

    if (r->begin) {
        st = r->begin(r->ud, rq->conf->data, method, url, cl, h->o.max_body, msg, sizeof(msg),
                      &allow);
        if (st) {
            answered(r, rq->conf, url, st);
            return queue_error(conn, st, msg, allow);
        }
    } else if (cl && strtoull(cl, NULL, 10) > h->o.max_body) {
        answered(r, rq->conf, url, 413);
        return queue_error(conn, 413, "body is over the limit (max_body)", NULL);
    }
    rq->started = true;
    return MHD_YES;
}

/* Append an upload chunk to the request's buffer (capped at max_body: past
 * it the request is marked too large and the rest discarded).  0 or
 * -ENOMEM. */
static int append_body(struct req *rq, const char *data, size_t n)
{
    int r;

    if (rq->too_large)
        return 0;
    if ((r = iq_buf_add(&rq->body, data, n)) == -ENOBUFS) {
        rq->too_large = true;
        iq_buf_free(&rq->body);
        return 0;
    }
    return r;
}

/* Start or continue a request to a body route. */
static int body_route(struct http_server *h, struct MHD_Connection *conn, const char *url,
                      const char *method, const char *data, size_t *data_size, struct req *rq)
{
    char msg[120];

    if (!rq->started)
        return begin_body(h, conn, url, method, rq);
    if (*data_size) {
        if (append_body(rq, data, *data_size) < 0)
            return MHD_NO;
        *data_size = 0;
        return MHD_YES;
    }
    if (rq->too_large) {
        answered(rq->route, rq->conf, url, 413);
        snprintf(msg, sizeof(msg), "body is over the limit of %zu bytes", h->o.max_body);
        return queue_error(conn, 413, msg, NULL);
    }
    return run_route(conn, rq->route, method, url, rq);
}

/* The registered route for url (longest prefix) of the kind asked. */
static const struct http_route *find_route(const struct http_server *h, const char *url,
                                           enum http_route_kind kind)
{
    const struct http_route *best = NULL;

    for (size_t i = 0; i < h->n_routes; i++)
        if (h->routes[i].r.kind == kind &&
            strncmp(url, h->routes[i].prefix, strlen(h->routes[i].prefix)) == 0 &&
            (!best || strlen(h->routes[i].prefix) > strlen(best->prefix)))
            best = &h->routes[i].r;
    return best;
}

/* GET /readyz: 200 while the owner serves and the readiness check says
 * ready, 503 with why. */
static int ready(struct http_server *h, struct MHD_Connection *conn)
{
    const char *what = "busy";
    char reason[HTTP_REASON_MAX] = "";
    int phase = atomic_load(&h->phase);

    if (phase != HTTP_PHASE_SERVING)
        return queue_json(conn, 503, json_pack("{s:s}", "status", phase == HTTP_PHASE_STARTING
                                                                  ? "starting" : "stopping"),
                          NULL);

    if (!h->ready || h->ready(h->ready_ud, &what, reason, sizeof(reason)))
        return queue_json(conn, 200, json_pack("{s:s}", "status", "ready"), NULL);
    return queue_json(conn, 503, json_pack("{s:s,s:s,s:s}", "status", "busy", "busy", what,
                                           "reason", reason), NULL);
}

/* GET /healthz, /readyz, /metrics and registered routes. */
static int get_route(struct http_server *h, struct MHD_Connection *conn, const char *url,
                     const char *method, const struct req *rq)
{
    const struct http_route *best;
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
        if (http_metrics_render(h->o.metrics, &h->m, h->metrics_fn, h->metrics_ud,
                                h->n_metrics, &body, &len) < 0)
            return MHD_NO;
        return queue(conn, 200, "text/plain; version=0.0.4", body, len, NULL);
    }
    if (!(best = find_route(h, url, HTTP_ROUTE_GET)))
        return queue_error(conn, 404, "not found", NULL);
    return run_route(conn, best, method, url, rq);
}

/* The first call of a request: ask the access table (or the route) who the
 * caller is and whether it may, before any body byte is read.  Returns
 * true to go on; false once 401 (with a Bearer challenge) or 403 is
 * queued, *ret_mhd being the result of queueing it. */
static bool admit(struct MHD_Connection *conn, const char *url,
                  const char *method, struct req *rq, int *ret_mhd)
{
    const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_AUTHORIZATION);
    const struct http_route *r = rq->route;
    char err[256];
    int st;

    rq->admitted = true;
    if (r && r->admit)
        st = r->admit(r->ud, rq->conf->access, rq->conf->data, method, url, authz, &rq->caller,
                      err, sizeof(err));
    else
        st = http_access_check(rq->conf->access, method, url, authz, &rq->caller, err,
                               sizeof(err));
    rq->authenticated = st == 1;
    if (st >= 0)
        return true;
    st = st == -EPERM ? 403 : 401;
    answered(r, rq->conf, url, st);
    *ret_mhd = queue_json_hdr(conn, st, json_pack("{s:s,s:i}", "error", err, "status", st),
                              st == 403 ? NULL : MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                              "Bearer realm=\"inquest\"");
    return false;
}

/* The connection policy's part of an access handler call: the framing
 * and per-address checks on the first call of a request, the end of the
 * body deadline on its last (GET routes answer on the first), and a stop
 * when the policy cut the connection.  Returns 0 to go on, or 1 with *ret
 * the handler's result (an error answer queued, or MHD_NO to close). */
static int guard_call(struct http_server *h, struct MHD_Connection *conn, const char *url,
                      const char *method, struct req *rq, size_t upload_size,
                      enum MHD_Result *ret)
{
    bool has_body = rq->route || strcmp(method, "POST") == 0;
    char msg[200];
    int st;

    if (!rq->guarded) {
        rq->guarded = true;
        st = http_guard_admit(h->guard, rq->gc, conn, msg, sizeof(msg));
        if (st > 0)
            answered(rq->route, rq->conf, url, st);
        if (st != 0) {
            *ret = st > 0 && queue_error(conn, st, msg, NULL) == MHD_YES ? MHD_YES : MHD_NO;
            return 1;
        }
        if (!has_body)
            http_guard_body_done(h->guard, rq->gc);
        return 0;
    }
    if (http_guard_is_cut(rq->gc)) {
        *ret = MHD_NO;
        return 1;
    }
    if (!upload_size)
        http_guard_body_done(h->guard, rq->gc);
    return 0;
}

struct http_conf *http_conf_get(struct http_server *h)
{
    struct http_conf *c;

    pthread_mutex_lock(&h->conf_lock);
    c = h->conf;
    c->refs++;
    pthread_mutex_unlock(&h->conf_lock);
    return c;
}

void http_conf_put(struct http_server *h, struct http_conf *c)
{
    unsigned long left;

    if (!c)
        return;
    pthread_mutex_lock(&h->conf_lock);
    left = --c->refs;
    pthread_mutex_unlock(&h->conf_lock);
    if (left)
        return;
    if (c->free_fn)
        c->free_fn(c->free_ud, c->access, c->data);
    free(c);
}

int http_server_set_conf(struct http_server *h, struct http_access *a, void *conf,
                         http_conf_free_fn free_fn, void *free_ud)
{
    struct http_conf *c = calloc(1, sizeof(*c)), *old;

    if (!c)
        return -ENOMEM;
    *c = (struct http_conf){ .refs = 1, .access = a, .data = conf, .free_fn = free_fn,
                             .free_ud = free_ud };
    pthread_mutex_lock(&h->conf_lock);
    old = h->conf;
    h->conf = c;
    pthread_mutex_unlock(&h->conf_lock);
    http_conf_put(h, old);            /* freed now, or by its last request */
    return 0;
}

void http_server_with_conf(struct http_server *h,
                           void (*fn)(void *ud, const struct http_access *a, const void *conf),
                           void *ud)
{
    struct http_conf *c = http_conf_get(h);

    fn(ud, c->access, c->data);
    http_conf_put(h, c);
}

enum MHD_Result http_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version,
                                const char *upload_data, size_t *upload_data_size,
                                void **con_cls)
{
    struct http_server *h = cls;
    struct req *rq = *con_cls;
    enum MHD_Result gr;
    int r = MHD_NO;

    (void)version;
    if (!rq)
        return MHD_NO;
    if (!rq->routed) {
        rq->routed = true;
        rq->conf = http_conf_get(h);
        rq->route = find_route(h, url, HTTP_ROUTE_ANY);
        if (!rq->route && strcmp(method, "POST") == 0)
            rq->route = find_route(h, url, HTTP_ROUTE_POST);
    }
    if (guard_call(h, conn, url, method, rq, *upload_data_size, &gr))
        return gr;
    if (!rq->admitted && !admit(conn, url, method, rq, &r))
        return r == MHD_YES ? MHD_YES : MHD_NO;
    if (rq->route)
        return body_route(h, conn, url, method, upload_data, upload_data_size, rq) == MHD_YES
                   ? MHD_YES : MHD_NO;
    return get_route(h, conn, url, method, rq) == MHD_YES ? MHD_YES : MHD_NO;
}

void http_note_answer(struct http_server *h, const char *method, const char *target,
                      int status)
{
    char path[sizeof(((struct http_framer *)0)->target)];
    const struct http_route *r;
    struct http_conf *c;
    size_t n = strcspn(target, "?");

    if (n >= sizeof(path))
        n = sizeof(path) - 1;
    memcpy(path, target, n);
    path[n] = '\0';

    r = find_route(h, path, HTTP_ROUTE_ANY);
    if (!r && strcmp(method, "POST") == 0)
        r = find_route(h, path, HTTP_ROUTE_POST);
    c = http_conf_get(h);              /* no request of MHD's: the current version */
    answered(r, c, path, status);
    http_conf_put(h, c);
}

void *http_on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct http_server *h = cls;
    struct req *rq = calloc(1, sizeof(*rq));
    struct http_gconn *gc = http_guard_conn(conn);

    http_guard_request_line(h->guard, gc);
    if (!rq)
        return NULL;
    iq_buf_init(&rq->body, h->o.max_body);
    rq->gc = gc;
    if (uri)
        rq->uri = strndup(uri, 8192);
    return rq;
}

void http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                       enum MHD_RequestTerminationCode toe)
{
    struct http_server *h = cls;
    struct req *rq = *con_cls;

    (void)toe;
    http_guard_request_done(h->guard, http_guard_conn(conn));
    if (rq) {
        http_conf_put(h, rq->conf);
        free(rq->uri);
        iq_buf_free(&rq->body);
        free(rq);
        *con_cls = NULL;
    }
}

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
 * Connection, per-IP, memory and timeout limits are always set. */
#include "ing_http.h"

#include <errno.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <microhttpd.h>

#include "ing_http_metrics.h"
#include "ing_record.h"
#include "ing_source.h"
#include "ing_store.h"
#include "iq_event.h"
#include "iq_time.h"

#define ROUTES_MAX 16
#define ING_HTTP_RETRY_AFTER "30"   /* seconds, on every 503 */
#define HEADERS_MAX 64
#define HEADER_NAMES_MAX 4096

struct route {
    char *prefix;
    ing_http_handler fn;
    void *ud;
};

struct ing_http {
    struct ing_http_opts o;
    const struct ing_sources *src;
    struct ing_sink sink;
    struct ing_record *rec;
    struct route routes[ROUTES_MAX];
    size_t n_routes;
    struct MHD_Daemon *mhd;
    uint16_t port;
    struct ing_http_metrics m;
};

/* Per-request state, in *con_cls: created by the URI log callback (so the
 * raw query string is kept for GET routes), the body of a POST to
 * /hooks/... accumulated into buf. */
struct req {
    char *uri;                   /* raw request target, NULL on OOM */
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

static int queue(struct MHD_Connection *conn, int status, const char *ctype, char *body,
                 size_t len, const char *allow)
{
    struct MHD_Response *resp;
    enum MHD_Result r;

    resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (status == 503)   /* the sink is busy (a full disk, a failed store) */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ING_HTTP_RETRY_AFTER);
    r = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* Queue a JSON object (stolen). */
static int queue_json(struct MHD_Connection *conn, int status, json_t *o, const char *allow)
{
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    size_t n;

    json_decref(o);
    if (!s)
        return MHD_NO;
    n = strlen(s);
    s[n++] = '\n';
    return queue(conn, status, "application/json", s, n, allow);
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

/* Start or continue a POST to /hooks/... */
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

        count(h, ing_sources_find(h->src, url), 413);
        snprintf(msg, sizeof(msg), "body is over the limit of %zu bytes", h->o.max_body);
        return queue_error(conn, 413, msg, NULL);
    }
    return finish_hook(h, conn, url, rq);
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
    const char *query = rq && rq->uri ? strchr(rq->uri, '?') : NULL;
    struct ing_http_response resp = { 0 };
    const struct route *best = NULL;
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
    for (size_t i = 0; i < h->n_routes; i++)
        if (strncmp(url, h->routes[i].prefix, strlen(h->routes[i].prefix)) == 0 &&
            (!best || strlen(h->routes[i].prefix) > strlen(best->prefix)))
            best = &h->routes[i];
    if (!best)
        return queue_error(conn, 404, "not found", NULL);
    if (best->fn(best->ud, url, query ? query + 1 : NULL, &resp) < 0) {
        free(resp.body);
        return queue_error(conn, 500, "internal error", NULL);
    }
    return queue(conn, resp.status ? resp.status : 200,
                 resp.content_type ? resp.content_type : "application/json", resp.body, resp.len,
                 NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct ing_http *h = cls;

    (void)version;
    if (strncmp(url, "/hooks/", 7) == 0)
        return hook(h, conn, url, method, upload_data, upload_data_size, con_cls) == MHD_YES
                   ? MHD_YES : MHD_NO;
    return get_route(h, conn, url, method, *con_cls) == MHD_YES ? MHD_YES : MHD_NO;
}

/* MHD_OPTION_URI_LOG_CALLBACK: the first look at a request; the return
 * value becomes *con_cls.  Keeps the raw URI (with its query string). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct req *rq = calloc(1, sizeof(*rq));

    (void)cls;
    (void)conn;
    if (rq && uri)
        rq->uri = strndup(uri, 8192);
    return rq;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req *rq = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (rq) {
        free(rq->uri);
        free(rq->buf);
        free(rq);
        *con_cls = NULL;
    }
}

int ing_http_new(const struct ing_http_opts *opts, const struct ing_sources *sources,
                 struct ing_sink sink, struct ing_record *rec, struct ing_http **ret)
{
    struct ing_http *h = calloc(1, sizeof(*h));

    if (!h)
        return -ENOMEM;
    h->o = *opts;
    if (!h->o.listen)
        h->o.listen = "127.0.0.1:7700";
    if (!h->o.max_body)
        h->o.max_body = 1024 * 1024;
    if (!h->o.conn_limit)
        h->o.conn_limit = 1024;
    if (!h->o.per_ip_limit)
        h->o.per_ip_limit = 256;
    if (!h->o.timeout_s)
        h->o.timeout_s = 30;
    if (!h->o.threads)
        h->o.threads = 2;
    h->src = sources;
    h->sink = sink;
    h->rec = rec;
    *ret = h;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* URL-decode [p, end) into buf; -EINVAL on bad escapes, NUL or overflow. */
static int url_decode(const char *p, const char *end, char *buf, size_t size)
{
    size_t n = 0;

    for (; p < end; p++) {
        char c = *p;

        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (end - p < 3 || hexval(p[1]) < 0 || hexval(p[2]) < 0)
                return -EINVAL;
            c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        }
        if (c == '\0' || n + 1 >= size)
            return -EINVAL;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return 0;
}

int ing_http_query_next(const char **cursor, char *key, size_t ksz, char *val, size_t vsz)
{
    const char *p = *cursor, *amp, *eq, *end;

    while (p && *p == '&')
        p++;
    if (!p || !*p)
        return 0;
    end = p + strlen(p);
    amp = memchr(p, '&', (size_t)(end - p));
    amp = amp ? amp : end;
    eq = memchr(p, '=', (size_t)(amp - p));
    *cursor = amp;
    if (!eq || url_decode(p, eq, key, ksz) < 0 || url_decode(eq + 1, amp, val, vsz) < 0)
        return -EINVAL;
    return 1;
}

int ing_http_query_get(const char *query, const char *name, char *buf, size_t size)
{
    char key[64];
    int r;

    while ((r = ing_http_query_next(&query, key, sizeof(key), buf, size)) > 0)
        if (strcmp(key, name) == 0)
            return 1;
    return r;
}

int ing_http_reply_json(struct ing_http_response *resp, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

    json_decref(j);
    if (!s)
        return -ENOMEM;
    resp->status = status;
    resp->content_type = "application/json";
    resp->body = s;
    resp->len = strlen(s);
    return 0;
}

int ing_http_add_route(struct ing_http *h, const char *prefix, ing_http_handler fn, void *ud)
{
    if (h->mhd)
        return -EBUSY;
    if (h->n_routes == ROUTES_MAX)
        return -E2BIG;
    if (!(h->routes[h->n_routes].prefix = strdup(prefix)))
        return -ENOMEM;
    h->routes[h->n_routes].fn = fn;
    h->routes[h->n_routes].ud = ud;
    h->n_routes++;
    return 0;
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

int ing_http_start(struct ing_http *h)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;

    if (h->mhd)
        return -EBUSY;
    if (resolve(h->o.listen, &ss, &sl) < 0)
        return -EINVAL;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned)h->o.threads,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)h->o.conn_limit,
                              MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)h->o.per_ip_limit,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)h->o.timeout_s,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                              MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
                              MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
                              MHD_OPTION_END);
    if (!h->mhd)
        return -EADDRINUSE;
    info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
    h->port = info ? info->port : 0;
    return 0;
}

uint16_t ing_http_port(const struct ing_http *h)
{
    return h->port;
}

void ing_http_destroy(struct ing_http **ph)
{
    struct ing_http *h = *ph;

    if (!h)
        return;
    if (h->mhd)
        MHD_stop_daemon(h->mhd);
    for (size_t i = 0; i < h->n_routes; i++)
        free(h->routes[i].prefix);
    free(h);
    *ph = NULL;
}

/* http_server.c - the HTTP server's life: its options and their defaults,
 * the route table and the metrics collectors the stages register, and
 * starting (address, TLS, MHD's thread pool) and stopping
 * libmicrohttpd.  Requests themselves are http.c's.
 *
 * Design notes.  Routes and collectors are registered between
 * http_server_new and http_server_start into fixed tables (no locking:
 * MHD's threads only read them once started); registering later is
 * -EBUSY.  A route may own its ud through a release hook, called by
 * http_server_destroy once MHD has stopped, so the last request is done
 * with it.  Connection, memory and idle timeout limits are always set;
 * the connection policy (http_guard.c) is created with the server, so a
 * bad option (trusted_proxies, the reserve) fails http_server_new, and
 * http_server_opts_check runs the same checks without a server.  Plain
 * HTTP listens through the relay (http_relay.c), which frames each
 * request before MHD sees it and hands MHD (started without a listening
 * socket) every connection with its real address; with TLS, MHD listens
 * and terminates TLS itself, and no relay runs.
 *
 * Configuration versions.  What a reload changes (the access table and a
 * route's data: the webhook sources) is one refcounted version, created
 * here with the server and dropped at its destruction; publishing and
 * taking versions is http.c's (http_server_set_conf). */
#include "http_int.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "http_guard.h"
#include "http_relay.h"
#include "iq_log.h"

/* The options with their defaults filled in. */
static void opts_defaults(struct http_server_opts *o)
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
static int guard_new(const struct http_server_opts *o, struct http_metrics *m,
                     struct http_guard **ret, char *err, size_t errsz)
{
    unsigned pct = o->conn_reserve_pct > 0 ? (unsigned)o->conn_reserve_pct : 0;
    unsigned reserve = (unsigned)((uint64_t)o->conn_limit * pct / 100);
    struct http_guard_opts go = {
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
    return http_guard_new(&go, m, ret, err, errsz);
}

int http_server_opts_check(const struct http_server_opts *opts, char *err, size_t errsz)
{
    struct http_server_opts o = *opts;
    struct http_metrics m = { 0 };
    struct http_guard *g = NULL;
    int r;

    opts_defaults(&o);
    r = guard_new(&o, &m, &g, err, errsz);
    http_guard_destroy(&g);
    return r;
}

int http_server_new(const struct http_server_opts *opts, struct http_server **ret)
{
    struct http_server *h = calloc(1, sizeof(*h));
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
    h->conf = calloc(1, sizeof(*h->conf));
    if (!h->conf) {
        http_guard_destroy(&h->guard);
        free(h);
        return -ENOMEM;
    }
    h->conf->refs = 1;
    h->conf->access = (struct http_access *)opts->access;   /* borrowed: no free_fn */
    pthread_mutex_init(&h->conf_lock, NULL);
    *ret = h;
    return 0;
}

int http_add(struct http_server *h, const struct http_route *r)
{
    struct route *to;

    if (!r->prefix || !r->fn)
        return -EINVAL;
    if (h->mhd)
        return -EBUSY;
    if (h->n_routes == HTTP_ROUTES_MAX)
        return -E2BIG;
    to = &h->routes[h->n_routes];
    if (!(to->prefix = strdup(r->prefix)))
        return -ENOMEM;
    to->r = *r;
    to->r.prefix = to->prefix;
    h->n_routes++;
    return 0;
}

int http_add_route(struct http_server *h, const char *prefix, http_handler_fn fn, void *ud)
{
    struct http_route r = { .prefix = prefix, .kind = HTTP_ROUTE_GET, .fn = fn, .ud = ud };

    return http_add(h, &r);
}

int http_add_post_route(struct http_server *h, const char *prefix, http_handler_fn fn,
                        void *ud)
{
    struct http_route r = { .prefix = prefix, .kind = HTTP_ROUTE_POST, .fn = fn, .ud = ud };

    return http_add(h, &r);
}

int http_add_metrics(struct http_server *h, http_metrics_fn fn, void *ud)
{
    if (h->mhd)
        return -EBUSY;
    if (h->n_metrics == HTTP_COLLECTORS_MAX)
        return -E2BIG;
    h->metrics_fn[h->n_metrics] = fn;
    h->metrics_ud[h->n_metrics] = ud;
    h->n_metrics++;
    return 0;
}

void http_server_set_ready(struct http_server *h, http_ready_fn fn, void *ud)
{
    h->ready = fn;
    h->ready_ud = ud;
}

void http_server_set_phase(struct http_server *h, enum http_phase p)
{
    if (h)
        atomic_store(&h->phase, (int)p);
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
    struct http_server *h = cls;
    char line[512];
    size_t n;

    vsnprintf(line, sizeof(line), fmt, ap);
    n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    iq_log(atomic_load(&h->running) ? IQ_LOG_DEBUG : IQ_LOG_WARN, "http", "libmicrohttpd: %s",
           line);
}

/* A request the relay refused (400 or 413): counted and logged by the
 * connection policy, told to its route.  From relay threads. */
static void on_refused(void *ud, const struct sockaddr *peer, const char *method,
                       const char *target, int status, const char *why)
{
    struct http_server *h = ud;

    http_guard_refused(h->guard, peer, method, target, status, why);
    http_note_answer(h, method, target, status);
}

/* Plain HTTP: listen through the relay (http_relay.c), which hands each
 * connection to MHD with its real address. */
static int relay_listen(struct http_server *h, const struct sockaddr_storage *ss, socklen_t sl)
{
    struct http_relay_opts ro = {
        .addr = (const struct sockaddr *)ss, .addrlen = sl,
        .threads = (h->o.threads + 1) / 2, .conn_limit = h->o.conn_limit, .backlog = 1024,
        .max_chunk = h->o.max_body, .refused = on_refused, .ud = h,
    };

    return http_relay_listen(&ro, &h->relay) < 0 ? -EADDRINUSE : 0;
}

/* MHD's connection limit.  With its own listener, conn_limit.  Behind the
 * relay (which holds the real limit) far above it: MHD splits its limit
 * evenly over its worker threads and picks a worker for an added
 * connection by the socket's number, and libmicrohttpd 0.9.75 leaves a
 * mutex locked (the worker hangs for good) when a worker refuses an added
 * connection for its limit, so no worker may ever reach it: each gets
 * twice conn_limit (room for connections closed but not yet cleaned up). */
static unsigned mhd_conn_limit(const struct http_server *h, bool use_tls)
{
    uint64_t n = (uint64_t)h->o.conn_limit * 2 * (h->o.threads ? h->o.threads : 1);

    if (use_tls)
        return h->o.conn_limit;
    return n > UINT32_MAX / 2 ? UINT32_MAX / 2 : (unsigned)n;
}

int http_server_start(struct http_server *h)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    const union MHD_DaemonInfo *info;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem tls[] = {
        { MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)h->o.tls_key },
        { MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)h->o.tls_cert },
        { MHD_OPTION_SOCK_ADDR, 0, &ss },
        { MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL },
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
        flags |= MHD_USE_TLS | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    else
        flags |= MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
    if (!use_tls && relay_listen(h, &ss, sl) < 0)
        return -EADDRINUSE;
    if (http_guard_start(h->guard) < 0)
        return -EIO;
    h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, http_on_request, h,
                              MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,   /* first, as MHD asks */
                              MHD_OPTION_THREAD_POOL_SIZE, (unsigned)h->o.threads,
                              MHD_OPTION_CONNECTION_LIMIT, mhd_conn_limit(h, use_tls),
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)h->o.timeout_s,
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                              MHD_OPTION_NOTIFY_COMPLETED, http_on_completed, h,
                              MHD_OPTION_URI_LOG_CALLBACK, http_on_uri, h,
                              MHD_OPTION_ARRAY, use_tls ? tls : tls + 4,
                              MHD_OPTION_NOTIFY_CONNECTION, http_guard_notify, h->guard,
                              MHD_OPTION_END);
    if (!h->mhd)
        return -EADDRINUSE;
    if (h->relay && http_relay_start(h->relay, h->mhd) < 0)
        return -EIO;
    atomic_store(&h->running, true);
    info = use_tls ? MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    h->port = h->relay ? http_relay_port(h->relay) : info ? info->port : 0;
    return 0;
}

uint16_t http_server_port(const struct http_server *h)
{
    return h->port;
}

void http_server_destroy(struct http_server **ph)
{
    struct http_server *h = *ph;

    if (!h)
        return;
    http_relay_destroy(&h->relay);     /* first: MHD sees every relayed client go */
    if (h->mhd)
        MHD_stop_daemon(h->mhd);
    http_guard_destroy(&h->guard);
    http_conf_put(h, h->conf);        /* no request is left: the last reference */
    pthread_mutex_destroy(&h->conf_lock);
    for (size_t i = 0; i < h->n_routes; i++) {
        if (h->routes[i].r.release)
            h->routes[i].r.release(h->routes[i].r.ud);
        free(h->routes[i].prefix);
    }
    free(h);
    *ph = NULL;
}

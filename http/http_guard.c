/* http_guard.c - the HTTP server's connection policy: slow clients are
 * cut, not waited for.
 *
 * libmicrohttpd's own timeout (MHD_OPTION_CONNECTION_TIMEOUT) is an idle
 * timeout: a client that sends one header byte every few seconds keeps its
 * connection for ever, and about a thousand of them fill every slot.  This
 * file adds what a mature server (nginx client_header_timeout, Go's
 * ReadHeaderTimeout, Apache mod_reqtimeout) has:
 *   - deadlines: each connection's request line and headers must be in
 *     within header_ms of its start, and its body within body_ms of the
 *     end of its headers, however active it is; a keep-alive connection
 *     gets idle_ms + header_ms after a response for its next request, and
 *     header_ms once that request's line arrived;
 *   - a share kept for new clients: while more than conn_limit -
 *     conn_reserve connections are open, the oldest connections still
 *     waiting for a request (in headers, or idle between requests) are
 *     cut, on each new connection and on each sweep, so a crowd of slow
 *     connections cannot keep a well-behaved client out until the
 *     deadlines fire.  A connection is spared for its first grace_ms of
 *     waiting (1 s, or half the header deadline), so that a flood of
 *     reconnections cannot push out a newcomer before it sent its request;
 *   - a per-address limit in place of MHD's (which would count a reverse
 *     proxy as one client): per connection for direct clients, per request
 *     for the client named by X-Forwarded-For behind a trusted proxy;
 *   - framing checks on the parsed headers: MHD uses the first of several
 *     Content-Length headers and reads a body of unknown length for a
 *     Transfer-Encoding other than chunked, both smuggling vectors behind
 *     a proxy; it keeps no header count limit of its own.
 *
 * Design notes.  Each connection has an entry (MHD's socket context) in
 * one list in connect order, under one mutex; the request hooks move it
 * through its phases and the sweeper thread walks the list a few times
 * per deadline and cuts what is late.  Cutting is shutdown(2) of the
 * socket under the mutex: MHD's event loop sees the end of the stream and
 * closes the connection itself (with its completion callbacks), so MHD's
 * state is never touched from outside its threads, and the socket cannot
 * be closed and its number reused meanwhile, because MHD notifies the
 * close (which takes the mutex) before it closes the socket.  A cut entry
 * is flagged, so an access handler still running for it stops.  Cuts are
 * counted in the metrics and logged as one warning per reason at most
 * every 10 s, with one client address as an example. */
#include "http_guard.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "http_addr.h"
#include "http_metrics.h"
#include "iq_log.h"

#define XFF_LINES_MAX 16
#define LOG_EVERY_MS 10000
#define REFUSED HTTP_CUT_NREASONS        /* pending[] slot of 429 answers */

enum phase { PH_HEADERS, PH_BODY, PH_BUSY, PH_IDLE };

struct http_gconn {
    struct http_gconn *prev, *next;   /* connect order, oldest first */
    int fd;
    enum phase phase;
    uint64_t since;                       /* monotonic ms the phase began */
    uint64_t deadline;                    /* monotonic ms; 0: none */
    struct http_addr peer, client;
    bool proxied;                         /* the peer is a trusted proxy */
    bool peer_counted, client_counted;
    _Atomic bool cut;
};

/* Cuts not yet logged, for one reason. */
struct pending {
    uint64_t n;
    struct http_addr sample;
    bool via_proxy;
};

struct http_guard {
    struct http_guard_opts o;
    struct http_metrics *m;
    struct http_cidrs *trusted;
    struct http_addr_counts *counts;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t sweeper;
    bool running, stopping;
    struct http_gconn *head, *tail;
    size_t open, open_cut;                /* open entries, and those of them cut */
    uint64_t tick_ms, grace_ms, last_log;
    struct pending pending[HTTP_CUT_NREASONS + 1];
};

/* What the access handler needs from the headers, in one pass. */
struct scan {
    unsigned cl, te, xff;
    const char *cl_value, *te_value;
    bool cl_differ;
    const char *xff_lines[XFF_LINES_MAX];
};

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Cut gc (lock held): flag it, end its stream, count it. */
static void cut_locked(struct http_guard *g, struct http_gconn *gc,
                       enum http_cut_reason why)
{
    struct pending *p = &g->pending[why];

    if (atomic_exchange(&gc->cut, true))
        return;
    shutdown(gc->fd, SHUT_RDWR);
    gc->deadline = 0;
    g->open_cut++;
    atomic_fetch_add_explicit(&g->m->cut[why], 1, memory_order_relaxed);
    p->n++;
    p->sample = gc->client_counted ? gc->client : gc->peer;
    p->via_proxy = gc->proxied && !gc->client_counted;
}

/* The oldest connection waiting for a request for grace_ms or more. */
static struct http_gconn *oldest_waiting(const struct http_guard *g, uint64_t now)
{
    for (struct http_gconn *e = g->head; e; e = e->next)
        if ((e->phase == PH_HEADERS || e->phase == PH_IDLE) && now - e->since >= g->grace_ms &&
            !atomic_load_explicit(&e->cut, memory_order_relaxed))
            return e;
    return NULL;
}

/* Keep conn_reserve free: cut waiting connections, oldest first, while
 * more than conn_limit - conn_reserve are open and not yet cut. */
static void reclaim_locked(struct http_guard *g, uint64_t now)
{
    struct http_gconn *e;

    if (!g->o.conn_reserve)
        return;
    while (g->open - g->open_cut > g->o.conn_limit - g->o.conn_reserve &&
           (e = oldest_waiting(g, now)))
        cut_locked(g, e, HTTP_CUT_CAPACITY);
}

/* A new connection: record it, apply the per-address limit and the share
 * kept for new clients. */
static void conn_open(struct http_guard *g, struct MHD_Connection *conn, void **sc)
{
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(conn,
                                                                MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *ad = MHD_get_connection_info(conn,
                                                                MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct http_gconn *gc = calloc(1, sizeof(*gc));
    uint64_t now;
    int r;

    if (!fd)
        return;
    if (!gc) {
        shutdown(fd->connect_fd, SHUT_RDWR);   /* unguarded is not an option */
        return;
    }
    gc->fd = fd->connect_fd;
    if (ad)
        http_addr_from_sockaddr(ad->client_addr, &gc->peer);
    gc->client = gc->peer;
    gc->proxied = http_cidrs_match(g->trusted, &gc->peer);
    pthread_mutex_lock(&g->lock);
    now = now_ms();
    gc->phase = PH_HEADERS;
    gc->since = now;
    gc->deadline = now + g->o.header_ms;
    gc->prev = g->tail;
    *(g->tail ? &g->tail->next : &g->head) = gc;
    g->tail = gc;
    g->open++;
    atomic_fetch_add_explicit(&g->m->connections, 1, memory_order_relaxed);
    if (!gc->proxied) {
        r = http_addr_counts_add(g->counts, &gc->peer, g->o.per_ip_limit);
        if (r < 0)
            cut_locked(g, gc, r == -EBUSY ? HTTP_CUT_PER_ADDRESS : HTTP_CUT_CAPACITY);
        gc->peer_counted = r >= 0;
    }
    reclaim_locked(g, now);
    pthread_mutex_unlock(&g->lock);
    *sc = gc;
}

static void conn_close(struct http_guard *g, void **sc)
{
    struct http_gconn *gc = *sc;

    if (!gc)
        return;
    pthread_mutex_lock(&g->lock);
    *(gc->prev ? &gc->prev->next : &g->head) = gc->next;
    *(gc->next ? &gc->next->prev : &g->tail) = gc->prev;
    g->open--;
    if (atomic_load_explicit(&gc->cut, memory_order_relaxed))
        g->open_cut--;
    atomic_fetch_sub_explicit(&g->m->connections, 1, memory_order_relaxed);
    if (gc->peer_counted)
        http_addr_counts_del(g->counts, &gc->peer);
    if (gc->client_counted)
        http_addr_counts_del(g->counts, &gc->client);
    pthread_mutex_unlock(&g->lock);
    free(gc);
    *sc = NULL;
}

void http_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode toe)
{
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        conn_open(cls, conn, socket_context);
    else
        conn_close(cls, socket_context);
}

struct http_gconn *http_guard_conn(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *i = MHD_get_connection_info(conn,
                                                               MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return i ? i->socket_context : NULL;
}

void http_guard_request_line(struct http_guard *g, struct http_gconn *gc)
{
    uint64_t d;

    if (!gc)
        return;
    pthread_mutex_lock(&g->lock);
    if (gc->phase == PH_IDLE && !atomic_load_explicit(&gc->cut, memory_order_relaxed)) {
        gc->since = now_ms();
        d = gc->since + g->o.header_ms;
        gc->phase = PH_HEADERS;
        if (d < gc->deadline)
            gc->deadline = d;
    }
    pthread_mutex_unlock(&g->lock);
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct scan *s = cls;

    (void)kind;
    if (!value)
        value = "";
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (s->cl++ && strcmp(value, s->cl_value) != 0)
            s->cl_differ = true;
        if (s->cl == 1)
            s->cl_value = value;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        if (!s->te++)
            s->te_value = value;
    } else if (strcasecmp(key, "X-Forwarded-For") == 0) {
        if (s->xff < XFF_LINES_MAX)
            s->xff_lines[s->xff] = value;
        s->xff++;
    }
    return MHD_YES;
}

/* The framing checks: 0, or a status with msg. */
static int check_framing(const struct http_guard *g, const struct scan *s, int n, char *msg,
                         size_t msz)
{
    if (n > 0 && (unsigned)n > g->o.max_headers) {
        snprintf(msg, msz, "%d header fields: the limit is %u", n, g->o.max_headers);
        return 431;
    }
    if (s->cl > 1) {
        snprintf(msg, msz, "%s Content-Length headers: send exactly one",
                 s->cl_differ ? "conflicting" : "duplicate");
        return 400;
    }
    if (s->te > 1) {
        snprintf(msg, msz, "more than one Transfer-Encoding header");
        return 400;
    }
    if (s->te && s->cl) {
        snprintf(msg, msz, "both Transfer-Encoding and Content-Length: send one");
        return 400;
    }
    if (s->te && strcasecmp(s->te_value, "chunked") != 0) {
        snprintf(msg, msz, "Transfer-Encoding \"%.40s\" is not supported: only chunked",
                 s->te_value);
        return 400;
    }
    return 0;
}

/* Count a proxied request against its client (lock held): 0 or 429. */
static int count_client_locked(struct http_guard *g, struct http_gconn *gc,
                               const struct scan *s, char *msg, size_t msz)
{
    struct http_addr client = gc->peer;
    char text[HTTP_ADDR_TEXT];
    int r;

    http_addr_forwarded(g->trusted, s->xff_lines, s->xff < XFF_LINES_MAX ? s->xff : XFF_LINES_MAX,
                        &client);
    r = http_addr_counts_add(g->counts, &client, g->o.per_ip_limit);
    if (r == -EBUSY) {
        struct pending *p = &g->pending[REFUSED];

        http_addr_format(&client, text, sizeof(text));
        snprintf(msg, msz, "too many concurrent requests from %s: the limit is %u", text,
                 g->o.per_ip_limit);
        p->n++;
        p->sample = client;
        p->via_proxy = false;       /* the sample is the client, not the proxy */
        return 429;
    }
    gc->client = client;
    gc->client_counted = r >= 0;
    return 0;
}

int http_guard_admit(struct http_guard *g, struct http_gconn *gc,
                     struct MHD_Connection *conn, char *msg, size_t msz)
{
    struct scan s = { 0 };
    int n = MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_header, &s), status;

    if (http_guard_is_cut(gc))
        return -ECONNABORTED;
    status = check_framing(g, &s, n, msg, msz);
    if (!gc)
        return status;
    pthread_mutex_lock(&g->lock);
    if (!status && gc->proxied)
        status = count_client_locked(g, gc, &s, msg, msz);
    gc->phase = PH_BODY;
    gc->deadline = now_ms() + g->o.body_ms;
    pthread_mutex_unlock(&g->lock);
    return status;
}

void http_guard_body_done(struct http_guard *g, struct http_gconn *gc)
{
    if (!gc)
        return;
    pthread_mutex_lock(&g->lock);
    gc->phase = PH_BUSY;
    gc->deadline = 0;
    pthread_mutex_unlock(&g->lock);
}

bool http_guard_is_cut(const struct http_gconn *gc)
{
    return gc && atomic_load_explicit(&gc->cut, memory_order_relaxed);
}

void http_guard_refused(struct http_guard *g, const struct sockaddr *peer, const char *method,
                        const char *target, int status, const char *why)
{
    struct pending *p = &g->pending[HTTP_CUT_FRAMING];
    char text[HTTP_ADDR_TEXT];
    struct http_addr a;

    http_addr_from_sockaddr(peer, &a);
    http_addr_format(&a, text, sizeof(text));
    iq_log(IQ_LOG_DEBUG, "http", "%d to %s for %.15s %.80s: %s", status, text, method, target,
           why);
    atomic_fetch_add_explicit(&g->m->cut[HTTP_CUT_FRAMING], 1, memory_order_relaxed);
    pthread_mutex_lock(&g->lock);
    p->n++;
    p->sample = a;
    p->via_proxy = http_cidrs_match(g->trusted, &a);
    pthread_mutex_unlock(&g->lock);
}

void http_guard_request_done(struct http_guard *g, struct http_gconn *gc)
{
    if (!gc)
        return;
    pthread_mutex_lock(&g->lock);
    if (gc->client_counted)
        http_addr_counts_del(g->counts, &gc->client);
    gc->client_counted = false;
    gc->client = gc->peer;
    if (!atomic_load_explicit(&gc->cut, memory_order_relaxed)) {
        gc->phase = PH_IDLE;
        gc->since = now_ms();
        gc->deadline = gc->since + g->o.idle_ms + g->o.header_ms;
    }
    pthread_mutex_unlock(&g->lock);
}

/* One warning per reason with cuts since the last, at most every
 * LOG_EVERY_MS unless forced (lock held; the lines are written after
 * unlocking). */
static void log_pending_locked(struct http_guard *g, uint64_t now, bool force)
{
    static const char *const what[HTTP_CUT_NREASONS + 1] = {
        [HTTP_CUT_HEADER_DEADLINE] = "connections cut: request line and headers not in within "
                                    "http_header_timeout",
        [HTTP_CUT_BODY_DEADLINE] = "connections cut: body not in within http_body_timeout",
        [HTTP_CUT_CAPACITY] = "waiting connections cut to keep http_conn_reserve free for new "
                             "clients",
        [HTTP_CUT_PER_ADDRESS] = "connections refused: over http_per_ip_limit",
        [HTTP_CUT_FRAMING] = "requests refused and closed for their chunked framing: a chunk "
                            "size over max_body (413), absurd (4 GiB or more) or malformed (400)",
        [REFUSED] = "requests from behind a trusted proxy refused (429): over http_per_ip_limit",
    };
    struct pending out[HTTP_CUT_NREASONS + 1];
    char text[HTTP_ADDR_TEXT];
    uint64_t any = 0;

    for (size_t i = 0; i <= HTTP_CUT_NREASONS; i++)
        any += g->pending[i].n;
    if (!any || (!force && g->last_log && now - g->last_log < LOG_EVERY_MS))
        return;
    g->last_log = now;
    memcpy(out, g->pending, sizeof(out));
    memset(g->pending, 0, sizeof(g->pending));
    pthread_mutex_unlock(&g->lock);
    for (size_t i = 0; i <= HTTP_CUT_NREASONS; i++) {
        if (!out[i].n)
            continue;
        http_addr_format(&out[i].sample, text, sizeof(text));
        iq_warn("http", "%llu %s (e.g. %s%s)", (unsigned long long)out[i].n, what[i], text,
                out[i].via_proxy ? ", a trusted proxy" : "");
    }
    pthread_mutex_lock(&g->lock);
}

static void *sweep_main(void *arg)
{
    struct http_guard *g = arg;
    struct timespec ts;

    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        uint64_t now = now_ms(), next;

        for (struct http_gconn *e = g->head; e; e = e->next)
            if (e->deadline && now >= e->deadline)
                cut_locked(g, e, e->phase == PH_BODY ? HTTP_CUT_BODY_DEADLINE
                                                     : HTTP_CUT_HEADER_DEADLINE);
        reclaim_locked(g, now);
        log_pending_locked(g, now, false);
        next = now + g->tick_ms;
        ts.tv_sec = (time_t)(next / 1000);
        ts.tv_nsec = (long)(next % 1000) * 1000000L;
        pthread_cond_timedwait(&g->wake, &g->lock, &ts);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

int http_guard_new(const struct http_guard_opts *o, struct http_metrics *m,
                   struct http_guard **ret, char *err, size_t errsz)
{
    struct http_guard *g;
    pthread_condattr_t ca;
    char why[160];
    int r;

    if (o->conn_reserve >= o->conn_limit) {
        snprintf(err, errsz, "http_conn_reserve (%u) must be below http_conn_limit (%u)",
                 o->conn_reserve, o->conn_limit);
        return -EINVAL;
    }
    g = calloc(1, sizeof(*g));
    if (!g)
        return -ENOMEM;
    g->o = *o;
    g->o.trusted_proxies = NULL;
    g->m = m;
    g->tick_ms = (o->header_ms < o->body_ms ? o->header_ms : o->body_ms) / 10;
    g->tick_ms = g->tick_ms < 10 ? 10 : g->tick_ms > 500 ? 500 : g->tick_ms;
    g->grace_ms = o->header_ms / 2 < 1000 ? o->header_ms / 2 : 1000;
    pthread_mutex_init(&g->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->wake, &ca);
    pthread_condattr_destroy(&ca);
    r = http_cidrs_parse(o->trusted_proxies, &g->trusted, why, sizeof(why));
    if (r == -EINVAL)
        snprintf(err, errsz, "trusted_proxies: %s", why);
    if (r >= 0)
        r = http_addr_counts_new((size_t)o->conn_limit + 64, &g->counts);
    if (r < 0) {
        http_guard_destroy(&g);
        return r;
    }
    *ret = g;
    return 0;
}

int http_guard_start(struct http_guard *g)
{
    int r;

    if (g->running)
        return 0;
    r = pthread_create(&g->sweeper, NULL, sweep_main, g);
    if (r)
        return -r;
    g->running = true;
    return 0;
}

void http_guard_destroy(struct http_guard **pg)
{
    struct http_guard *g = *pg;

    if (!g)
        return;
    if (g->running) {
        pthread_mutex_lock(&g->lock);
        g->stopping = true;
        pthread_cond_signal(&g->wake);
        pthread_mutex_unlock(&g->lock);
        pthread_join(g->sweeper, NULL);
    }
    pthread_mutex_lock(&g->lock);
    log_pending_locked(g, now_ms(), true);
    pthread_mutex_unlock(&g->lock);
    while (g->head) {                   /* none left once MHD stopped */
        struct http_gconn *gc = g->head;

        g->head = gc->next;
        free(gc);
    }
    http_cidrs_free(&g->trusted);
    http_addr_counts_free(&g->counts);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g);
    *pg = NULL;
}

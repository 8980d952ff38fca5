/* http_relay.c - the plain-HTTP front of the server (http_relay.h): accept
 * each connection, hand libmicrohttpd one end of a socketpair with the
 * client's real address, and copy bytes both ways while framing them, so
 * that an absurd or malformed chunk size is answered 400 at once, on the
 * first chunk, a later one or a later request of a keep-alive connection.
 *
 * Design notes.  A few relay threads each run an epoll loop over their own
 * connections; the listening socket is in every loop (EPOLLEXCLUSIVE) and
 * a connection stays with the thread that accepted it.  Sockets are
 * non-blocking and edge-triggered: each side remembers whether it may read
 * and write, and a connection is pumped until nothing moves.  Each
 * direction has one bounded buffer (RELAY_BUF): a full buffer stops reading
 * from its source, so a slow reader slows its writer (backpressure) and a
 * connection never holds more than twice RELAY_BUF.  Past conn_limit open
 * connections the listening socket leaves the loops and new clients wait
 * in the kernel's listen queue, as they did with libmicrohttpd's own.
 *
 * The client's bytes go through a request framer; libmicrohttpd's through
 * a response framer, which counts the final answers and knows which
 * requests were HEAD.  When the framer refuses request q, the bytes before
 * the offending one are still relayed (earlier pipelined requests get
 * their answers), nothing more is read from the client, and once the
 * server has answered the q - 1 requests before it and is between two
 * answers, its end is closed and our 400 (JSON, Connection: close) is
 * written in its place.  If the server answered request q itself first (a
 * 401 before the body, say), that answer stands.  Closing: the server's
 * end closing (its own close, or the connection policy's cut) closes the
 * client once what it said is delivered; the client's end of stream is
 * passed on as a shutdown(SHUT_WR), which libmicrohttpd treats as it
 * treated the client's.  A relay thread never blocks, and
 * http_relay_destroy closes every socket at once (no drain), so a stop
 * with thousands of stalled connections stays fast. */
#include "http_relay.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <microhttpd.h>

#include "http_framer.h"

#define RELAY_BUF (16 * 1024)
#define RELAY_THREADS_MAX 4
#define RELAY_EVENTS 64
#define INFLIGHT_MAX 64              /* pipelined requests tracked per connection */
#define DISCARD_MAX (1024 * 1024)    /* bytes read and dropped after a refusal */

struct rconn;

/* One end of a relayed connection: readiness as epoll last told; out:
 * EPOLLOUT is asked for (only while a write is blocked, so that the
 * peer's every read does not wake the loop). */
struct side {
    struct rconn *c;
    int fd;
    bool rd, wr, eof, out;
};

/* Bytes in flight one way: data[head, tail). */
struct rbuf {
    size_t head, tail;
    char data[RELAY_BUF];
};

struct worker;

struct rconn {
    struct worker *w;
    struct rconn *prev, *next;        /* the worker's list */
    struct side cli, srv;             /* the client; libmicrohttpd's socketpair end */
    struct sockaddr_storage peer;
    socklen_t peer_len;
    struct http_framer req, resp;
    uint64_t head_bits;               /* HEAD flags of requests awaiting an answer, oldest
                                         in bit 0 */
    unsigned inflight;
    uint64_t answered;                /* final answers relayed */
    bool untracked;                   /* answers could not be followed */
    bool refusing, refusal_done, want_400, srv_shut_wr, dead;
    uint64_t discarded;
    struct rbuf up, down;             /* client to server; server to client (last: not
                                         zeroed, so untouched pages stay unmapped) */
};

struct worker {
    struct http_relay *r;
    pthread_t thread;
    bool started;
    int ep, stop_fd;
    struct rconn *conns;
    struct rconn *dead;               /* closed during this batch, freed after it */
};

struct http_relay {
    struct http_relay_opts o;
    struct sockaddr_storage addr;
    int lfd;
    uint16_t port;
    struct MHD_Daemon *mhd;
    struct worker w[RELAY_THREADS_MAX];
    unsigned n;
    atomic_uint open;
    pthread_mutex_t lock;             /* paused */
    bool paused;
};

/* Tags of the non-connection epoll entries. */
static char LISTEN_TAG, STOP_TAG;

static size_t room(const struct rbuf *b)
{
    return RELAY_BUF - b->tail;
}

static size_t pending(const struct rbuf *b)
{
    return b->tail - b->head;
}

static void consumed(struct rbuf *b, size_t n)
{
    b->head += n;
    if (b->head == b->tail)
        b->head = b->tail = 0;
    else if (b->head > RELAY_BUF / 2) {
        memmove(b->data, b->data + b->head, b->tail - b->head);
        b->tail -= b->head;
        b->head = 0;
    }
}

/* Listening on or off in every loop (lock held). */
static void listening_locked(struct http_relay *r, bool on)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &LISTEN_TAG };

    if (r->paused != on)
        return;
    for (unsigned i = 0; i < r->n; i++)
        epoll_ctl(r->w[i].ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, r->lfd, on ? &ev : NULL);
    r->paused = !on;
}

/* Close c's sockets now; it is freed after the current batch. */
static void conn_kill(struct rconn *c)
{
    struct worker *w = c->w;
    struct http_relay *r = w->r;

    if (c->dead)
        return;
    c->dead = true;
    close(c->cli.fd);
    if (c->srv.fd >= 0)
        close(c->srv.fd);
    *(c->prev ? &c->prev->next : &w->conns) = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->next = w->dead;
    w->dead = c;
    if (atomic_fetch_sub(&r->open, 1) == r->o.conn_limit) {
        pthread_mutex_lock(&r->lock);
        listening_locked(r, true);
        pthread_mutex_unlock(&r->lock);
    }
}

/* Close the server's end (the refusal or its end of stream): what it had
 * not yet said is dropped, and libmicrohttpd sees the client go. */
static void srv_close(struct rconn *c)
{
    if (c->srv.fd < 0)
        return;
    close(c->srv.fd);
    c->srv.fd = -1;
    c->srv.eof = true;
}

/* Queue our refusal (400, or 413 for a chunk size over max_body) after the
 * answers already read (needs 512 bytes of room). */
static void queue_refusal(struct rconn *c)
{
    char body[256], *p = c->down.data + c->down.tail;
    int bn, n, st = c->req.err_status;

    if (room(&c->down) < 512)
        return;
    bn = snprintf(body, sizeof(body), "{\"error\":\"%s\",\"status\":%d}\n", c->req.err, st);
    n = snprintf(p, room(&c->down), "HTTP/1.1 %d %s\r\nConnection: close\r\n"
                 "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", st,
                 st == 413 ? "Content Too Large" : "Bad Request", bn, body);
    if (n > 0 && (size_t)n < room(&c->down))
        c->down.tail += (size_t)n;
    c->want_400 = false;
}

/* After a refusal: is it the refused request's turn?  Once every answer
 * before it is read and the server is between two answers, its end is
 * closed and our 400 is due; if the server answered the request itself,
 * closed first, or its answers cannot be followed, its end is closed and
 * nothing is added. */
static void refusal_check(struct rconn *c)
{
    uint64_t q = c->req.messages + 1;

    if (!c->refusing || c->refusal_done)
        return;
    if (!c->untracked && c->answered + 1 == q && http_framer_idle(&c->resp))
        c->want_400 = true;
    else if (!c->untracked && c->answered < q && c->srv.fd >= 0)
        return;
    srv_close(c);
    c->refusal_done = true;
}

/* Frame the client's n new bytes at the end of up; on a refusal drop what
 * follows the offending byte and tell the server's owner. */
static void frame_up(struct rconn *c, size_t n)
{
    const char *p = c->up.data + c->up.tail - n;
    size_t off = 0;
    enum http_framer_event ev;

    while (!c->refusing) {
        off += http_framer_feed(&c->req, p + off, n - off, &ev);
        if (ev == HTTP_FRAMER_MORE)
            return;
        if (ev == HTTP_FRAMER_HEAD) {
            if (c->inflight == INFLIGHT_MAX)
                c->untracked = true;
            else
                c->head_bits |= (uint64_t)c->req.head_method << c->inflight++;
        } else if (ev == HTTP_FRAMER_ERROR) {
            c->refusing = true;
            c->up.tail -= n - off;
            if (c->w->r->o.refused)
                c->w->r->o.refused(c->w->r->o.ud, (struct sockaddr *)&c->peer, c->req.method,
                                   c->req.target, c->req.err_status, c->req.err);
            refusal_check(c);
        }
    }
}

/* Frame the server's n new bytes at the end of down: count the final
 * answers; once the refused request's turn comes, cut there. */
static void frame_down(struct rconn *c, size_t n)
{
    const char *p = c->down.data + c->down.tail - n;
    size_t off = 0;
    enum http_framer_event ev;

    for (;;) {
        refusal_check(c);
        if (c->refusal_done) {
            c->down.tail -= n - off;             /* what followed is not relayed */
            return;
        }
        off += http_framer_feed(&c->resp, p + off, n - off, &ev);
        if (ev == HTTP_FRAMER_MORE)
            break;
        if (ev == HTTP_FRAMER_HEAD && c->resp.status >= 200) {
            if (c->head_bits & 1)
                http_framer_no_body(&c->resp);
        } else if (ev == HTTP_FRAMER_END && !c->resp.interim) {
            c->answered++;
            c->head_bits >>= 1;
            if (c->inflight)
                c->inflight--;
        }
    }
    c->untracked |= c->resp.opaque;
    refusal_check(c);
}

/* Read what s has into b, at most its room.  >0 bytes, 0 at the end of
 * stream, -EAGAIN, or another -errno.  A short read took everything the
 * socket held: s is no longer readable until epoll says so (data arriving
 * later raises a new edge), which saves the read that would say EAGAIN. */
static ssize_t fill(struct side *s, struct rbuf *b)
{
    size_t want = room(b);
    ssize_t r = read(s->fd, b->data + b->tail, want);

    if (r > 0) {
        b->tail += (size_t)r;
        if ((size_t)r < want)
            s->rd = false;
    }
    return r >= 0 ? r : errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

/* Ask epoll for EPOLLOUT on s, or stop asking. */
static void want_out(struct side *s, bool on)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET | (on ? EPOLLOUT : 0),
                              .data.ptr = s };

    if (s->out == on || s->fd < 0)
        return;
    if (epoll_ctl(s->c->w->ep, EPOLL_CTL_MOD, s->fd, &ev) == 0)
        s->out = on;
}

/* Write what b holds to s.  true when something moved; *ret_broken when
 * s cannot take more. */
static bool drain(struct side *s, struct rbuf *b, bool *ret_broken)
{
    ssize_t w;

    if (!pending(b) || !s->wr || s->fd < 0) {
        if (!pending(b))
            want_out(s, false);
        return false;
    }
    w = send(s->fd, b->data + b->head, pending(b), MSG_NOSIGNAL);
    if (w > 0) {
        consumed(b, (size_t)w);
        return true;
    }
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        s->wr = false;
        want_out(s, true);
    } else {
        *ret_broken = true;
    }
    return false;
}

/* After a refusal the client's bytes are read and dropped (up to
 * DISCARD_MAX), so that closing does not reset the answer away. */
static bool discard(struct rconn *c)
{
    char scratch[4096];
    ssize_t r = read(c->cli.fd, scratch, sizeof(scratch));

    if (r > 0 && (c->discarded += (uint64_t)r) <= DISCARD_MAX)
        return true;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        c->cli.rd = false;
    else
        c->cli.eof = true;
    return false;
}

/* Client to server: read and frame, write; the client's end of stream is
 * passed on once its bytes are. */
static bool pump_up(struct rconn *c)
{
    bool moved = false, broken = false;
    ssize_t r;

    if (c->cli.rd && !c->cli.eof && c->refusing) {
        moved = discard(c);
    } else if (c->cli.rd && !c->cli.eof && room(&c->up)) {
        r = fill(&c->cli, &c->up);
        if (r > 0)
            frame_up(c, (size_t)r);
        else if (r == -EAGAIN)
            c->cli.rd = false;
        else
            c->cli.eof = true;
        moved = r != -EAGAIN;
    }
    moved |= drain(&c->srv, &c->up, &broken);
    if (broken)
        srv_close(c);
    if (c->cli.eof && !c->refusing && !pending(&c->up) && !c->srv_shut_wr && c->srv.fd >= 0) {
        shutdown(c->srv.fd, SHUT_WR);
        c->srv_shut_wr = true;
    }
    return moved;
}

/* Server to client: read and frame (which may cut for the refusal), queue
 * a due refusal, write.  *kill when the client cannot take more. */
static bool pump_down(struct rconn *c, bool *kill)
{
    bool moved = false;
    ssize_t r;

    if (c->srv.fd >= 0 && c->srv.rd && room(&c->down)) {
        r = fill(&c->srv, &c->down);
        if (r > 0) {
            frame_down(c, (size_t)r);
        } else if (r == -EAGAIN) {
            c->srv.rd = false;
        } else {
            srv_close(c);
            refusal_check(c);
        }
        moved = r != -EAGAIN;
    }
    if (c->want_400)
        queue_refusal(c);
    moved |= drain(&c->cli, &c->down, kill);
    return moved;
}

/* Move bytes until nothing moves; close when the server is gone and what
 * it said (and our refusal) is delivered. */
static void pump(struct rconn *c)
{
    bool kill = false;

    while (!kill && (pump_up(c) | pump_down(c, &kill)))
        ;
    if (!kill && c->srv.fd < 0 && !pending(&c->down) && !c->want_400 &&
        (!c->refusing || c->refusal_done))
        kill = true;
    if (kill) {
        if (c->refusing)
            shutdown(c->cli.fd, SHUT_WR);
        conn_kill(c);
    }
}

/* Register a side in the worker's loop. */
static int watch(struct worker *w, struct side *s)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.ptr = s };

    s->wr = true;                         /* a new socket has room */
    return epoll_ctl(w->ep, EPOLL_CTL_ADD, s->fd, &ev) < 0 ? -errno : 0;
}

/* A new client fd from peer: pair it with libmicrohttpd. */
static void conn_new(struct worker *w, int fd, const struct sockaddr_storage *peer,
                     socklen_t plen)
{
    struct http_relay *r = w->r;
    struct rconn *c = malloc(sizeof(*c));
    int sp[2], one = 1;

    if (!c || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) < 0) {
        free(c);
        close(fd);
        return;
    }
    memset(c, 0, offsetof(struct rconn, up));
    c->up.head = c->up.tail = c->down.head = c->down.tail = 0;
    c->w = w;
    c->cli = (struct side){ .c = c, .fd = fd };
    c->srv = (struct side){ .c = c, .fd = sp[0] };
    c->peer = *peer;
    c->peer_len = plen;
    http_framer_init(&c->req, HTTP_FRAMER_REQUEST, r->o.max_chunk);
    http_framer_init(&c->resp, HTTP_FRAMER_RESPONSE, 0);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    atomic_fetch_add(&r->open, 1);
    if (watch(w, &c->cli) < 0 || watch(w, &c->srv) < 0) {
        close(sp[1]);
        conn_kill(c);
        return;
    }
    /* MHD closes sp[1] itself when it refuses the connection */
    if (MHD_add_connection(r->mhd, sp[1], (const struct sockaddr *)peer, plen) != MHD_YES)
        conn_kill(c);
}

/* Accept what is waiting, up to conn_limit open connections. */
static void accept_some(struct worker *w)
{
    struct http_relay *r = w->r;
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd;

    for (int i = 0; i < RELAY_EVENTS; i++) {
        if (atomic_load(&r->open) >= r->o.conn_limit) {
            pthread_mutex_lock(&r->lock);
            if (atomic_load(&r->open) >= r->o.conn_limit)
                listening_locked(r, false);
            pthread_mutex_unlock(&r->lock);
            return;
        }
        sl = sizeof(ss);
        fd = accept4(r->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;                       /* EAGAIN, or a client gone (ECONNABORTED) */
        conn_new(w, fd, &ss, sl);
    }
}

static void free_dead(struct worker *w)
{
    while (w->dead) {
        struct rconn *c = w->dead;

        w->dead = c->next;
        free(c);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event evs[RELAY_EVENTS];
    bool stop = false;

    while (!stop) {
        int n = epoll_wait(w->ep, evs, RELAY_EVENTS, -1);

        for (int i = 0; i < n; i++) {
            void *tag = evs[i].data.ptr;
            struct side *s = tag;

            if (tag == &STOP_TAG) {
                stop = true;
            } else if (tag == &LISTEN_TAG) {
                accept_some(w);
            } else if (!s->c->dead) {
                if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
                    s->rd = true;
                if (evs[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
                    s->wr = true;
                pump(s->c);
            }
        }
        free_dead(w);
    }
    while (w->conns)
        conn_kill(w->conns);
    free_dead(w);
    return NULL;
}

int http_relay_listen(const struct http_relay_opts *o, struct http_relay **ret)
{
    struct http_relay *r = calloc(1, sizeof(*r));
    struct sockaddr_storage bound;
    socklen_t bl = sizeof(bound);
    int one = 1, rc = 0;

    if (!r)
        return -ENOMEM;
    r->o = *o;
    r->n = o->threads < 1 ? 1 : o->threads > RELAY_THREADS_MAX ? RELAY_THREADS_MAX : o->threads;
    r->paused = true;
    pthread_mutex_init(&r->lock, NULL);
    for (unsigned i = 0; i < RELAY_THREADS_MAX; i++)
        r->w[i].ep = r->w[i].stop_fd = -1;
    r->lfd = socket(o->addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (r->lfd < 0 || setsockopt(r->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        bind(r->lfd, o->addr, o->addrlen) < 0 || listen(r->lfd, (int)o->backlog) < 0 ||
        getsockname(r->lfd, (struct sockaddr *)&bound, &bl) < 0)
        rc = -errno;
    if (!rc)
        r->port = ntohs(bound.ss_family == AF_INET6
                            ? ((struct sockaddr_in6 *)&bound)->sin6_port
                            : ((struct sockaddr_in *)&bound)->sin_port);
    if (rc) {
        http_relay_destroy(&r);
        return rc;
    }
    *ret = r;
    return 0;
}

uint16_t http_relay_port(const struct http_relay *r)
{
    return r->port;
}

int http_relay_start(struct http_relay *r, struct MHD_Daemon *mhd)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &STOP_TAG };
    int rc;

    r->mhd = mhd;
    for (unsigned i = 0; i < r->n; i++) {
        struct worker *w = &r->w[i];

        w->r = r;
        w->ep = epoll_create1(EPOLL_CLOEXEC);
        w->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->ep < 0 || w->stop_fd < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, w->stop_fd, &ev) < 0)
            return -errno;
    }
    pthread_mutex_lock(&r->lock);
    listening_locked(r, true);
    pthread_mutex_unlock(&r->lock);
    for (unsigned i = 0; i < r->n; i++) {
        rc = pthread_create(&r->w[i].thread, NULL, worker_main, &r->w[i]);
        if (rc)
            return -rc;
        r->w[i].started = true;
    }
    return 0;
}

void http_relay_destroy(struct http_relay **pr)
{
    struct http_relay *r = *pr;
    uint64_t one = 1;

    if (!r)
        return;
    for (unsigned i = 0; i < r->n; i++) {
        ssize_t w = r->w[i].started ? write(r->w[i].stop_fd, &one, sizeof(one)) : 0;

        (void)w;                          /* an eventfd write of 1 cannot fail */
    }
    for (unsigned i = 0; i < r->n; i++)
        if (r->w[i].started)
            pthread_join(r->w[i].thread, NULL);
    for (unsigned i = 0; i < r->n; i++) {
        if (r->w[i].ep >= 0)
            close(r->w[i].ep);
        if (r->w[i].stop_fd >= 0)
            close(r->w[i].stop_fd);
    }
    if (r->lfd >= 0)
        close(r->lfd);
    pthread_mutex_destroy(&r->lock);
    free(r);
    *pr = NULL;
}

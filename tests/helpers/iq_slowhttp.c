/* iq_slowhttp.c - test helper: slow and hostile HTTP clients, to test how
 * inquestd's HTTP server treats peers that hold connections (slowloris) or
 * frame requests oddly.
 *
 *   iq_slowhttp crowd PORT N INTERVAL_MS [--xff ADDR] [--body LEN] [--reconnect]
 *                     [--spread K]
 *     N connections to 127.0.0.1:PORT (with --spread, from the K source
 *     addresses 127.0.1.1 to 127.0.1.K in turn), each starting a POST /hooks/events
 *     and then sending one more header line every INTERVAL_MS (or, with
 *     --body, complete headers with Content-Length LEN and then one body
 *     byte every INTERVAL_MS, never the last).  --xff adds an
 *     X-Forwarded-For header; --reconnect replaces every connection the
 *     server closes.  Runs until SIGTERM/SIGINT.  Prints a line whenever
 *     its state changes:
 *       open=O closed=C answered=A s429=K longest_ms=L
 *     (open connections, connections the server closed, of which answered
 *     with a status line, how many 429, the longest life of a closed one).
 *   iq_slowhttp send PORT TIMEOUT_MS [headers|body SPREAD_MS [--again]]
 *     Send the request read from stdin, at once or with its header lines
 *     (or its body, in 10 parts) spread over SPREAD_MS, and print
 *     "STATUS MS" (the answer's status and the ms since the first byte),
 *     "closed MS" (closed with no answer) or "timeout MS".  With --again,
 *     the request is first sent once at once on the same connection and
 *     its answer read (keep-alive): what is printed is the second's.
 *   iq_slowhttp talk PORT TIMEOUT_MS
 *     Send stdin on one connection in parts separated by "@@NEXT@@", each
 *     once the answers to the previous part are in (keep-alive), never
 *     closing the sending side; then read until the server closes or
 *     TIMEOUT_MS pass.  Prints the statuses of the answers in order and
 *     "closed MS" or "open MS" (ms since the last part was sent) on one
 *     line, and the last answer's body on the next. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define REQ_MAX (1 << 20)

struct conn {
    int fd;
    long long opened;
    unsigned drips;
};

struct crowd {
    unsigned port, n, interval_ms, body_len, spread;
    const char *xff;
    int reconnect;
    struct conn *c;
    unsigned open, closed, answered, s429;
    long long longest;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connect to 127.0.0.1:port, from 127.0.1.from when from is not 0. */
static int dial(unsigned port, unsigned from)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct sockaddr_in src = { .sin_family = AF_INET };
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    src.sin_addr.s_addr = htonl(0x7f000100u | (from & 0xff));
    if (fd >= 0 && from && bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
        close(fd);
        return -1;
    }
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Open connection i of the crowd and send its first part. */
static void crowd_open(struct crowd *cw, unsigned i)
{
    char head[512];
    int n;

    cw->c[i].fd = dial(cw->port, cw->spread ? i % cw->spread + 1 : 0);
    cw->c[i].opened = now_ms();
    cw->c[i].drips = 0;
    if (cw->c[i].fd < 0)
        return;
    n = snprintf(head, sizeof(head), "POST /hooks/events HTTP/1.1\r\nHost: slow\r\n%s%s%s",
                 cw->xff ? "X-Forwarded-For: " : "", cw->xff ? cw->xff : "", cw->xff ? "\r\n" : "");
    if (cw->body_len)
        n += snprintf(head + n, sizeof(head) - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %u\r\n\r\n", cw->body_len);
    if (send_all(cw->c[i].fd, head, (size_t)n) < 0) {
        close(cw->c[i].fd);
        cw->c[i].fd = -1;
        return;
    }
    cw->open++;
}

/* The server closed or answered connection i: count it. */
static void crowd_closed(struct crowd *cw, unsigned i, const char *got, ssize_t n)
{
    long long life = now_ms() - cw->c[i].opened;

    if (n > 12 && strncmp(got, "HTTP/1.", 7) == 0) {
        cw->answered++;
        if (strncmp(got + 9, "429", 3) == 0)
            cw->s429++;
    }
    cw->closed++;
    cw->open--;
    if (life > cw->longest)
        cw->longest = life;
    close(cw->c[i].fd);
    cw->c[i].fd = -1;
    if (cw->reconnect && !stop)
        crowd_open(cw, i);
}

/* Wait up to ms for the server to close or answer connections. */
static void crowd_watch(struct crowd *cw, struct pollfd *pf, long long ms)
{
    char buf[256];

    for (unsigned i = 0; i < cw->n; i++) {
        pf[i].fd = cw->c[i].fd;
        pf[i].events = POLLIN;
        pf[i].revents = 0;
    }
    if (poll(pf, cw->n, (int)ms) <= 0)
        return;
    for (unsigned i = 0; i < cw->n; i++) {
        ssize_t r;

        if (pf[i].fd < 0 || !pf[i].revents)
            continue;
        r = recv(pf[i].fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        buf[r > 0 ? r : 0] = '\0';
        crowd_closed(cw, i, buf, r);
    }
}

static void crowd_drip(struct crowd *cw)
{
    static const char line[] = "X-Slow: 1\r\n";

    for (unsigned i = 0; i < cw->n; i++) {
        int fd = cw->c[i].fd;

        if (fd < 0 || (cw->body_len && cw->c[i].drips + 1 >= cw->body_len))
            continue;
        cw->c[i].drips++;
        if (cw->body_len ? send_all(fd, " ", 1) : send_all(fd, line, sizeof(line) - 1))
            continue;   /* the close shows up in crowd_watch */
    }
}

static int crowd_main(int argc, char **argv)
{
    struct crowd cw = { .port = (unsigned)strtoul(argv[2], NULL, 10),
                        .n = (unsigned)strtoul(argv[3], NULL, 10),
                        .interval_ms = (unsigned)strtoul(argv[4], NULL, 10) };
    struct pollfd *pf;
    char last[160] = "", line[160];

    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--xff") == 0 && i + 1 < argc)
            cw.xff = argv[++i];
        else if (strcmp(argv[i], "--body") == 0 && i + 1 < argc)
            cw.body_len = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--reconnect") == 0)
            cw.reconnect = 1;
        else if (strcmp(argv[i], "--spread") == 0 && i + 1 < argc)
            cw.spread = (unsigned)strtoul(argv[++i], NULL, 10);
        else
            return 2;
    }
    cw.c = calloc(cw.n, sizeof(*cw.c));
    pf = calloc(cw.n, sizeof(*pf));
    if (!cw.c || !pf || !cw.n || !cw.interval_ms)
        return 2;
    for (unsigned i = 0; i < cw.n; i++)
        crowd_open(&cw, i);
    while (!stop) {
        long long next = now_ms() + cw.interval_ms, left;

        while (!stop && (left = next - now_ms()) > 0) {
            snprintf(line, sizeof(line), "open=%u closed=%u answered=%u s429=%u longest_ms=%lld\n",
                     cw.open, cw.closed, cw.answered, cw.s429, cw.longest);
            if (strcmp(line, last) != 0) {
                fputs(line, stdout);
                fflush(stdout);
                memcpy(last, line, sizeof(line));
            }
            crowd_watch(&cw, pf, left);
        }
        crowd_drip(&cw);
    }
    for (unsigned i = 0; i < cw.n; i++)
        if (cw.c[i].fd >= 0)
            close(cw.c[i].fd);
    free(cw.c);
    free(pf);
    return 0;
}

/* Wait for the answer's first bytes; print the outcome. */
static int await_answer(int fd, long long t0, long long timeout_ms)
{
    struct pollfd pf = { .fd = fd, .events = POLLIN };
    char buf[64];
    long long left;
    ssize_t r = -1;

    while ((left = t0 + timeout_ms - now_ms()) > 0) {
        if (poll(&pf, 1, (int)left) <= 0)
            continue;
        r = recv(fd, buf, sizeof(buf) - 1, 0);
        break;
    }
    if (left <= 0) {
        printf("timeout %lld\n", now_ms() - t0);
        return 0;
    }
    if (r > 12 && strncmp(buf, "HTTP/1.", 7) == 0)
        printf("%.3s %lld\n", buf + 9, now_ms() - t0);
    else
        printf("closed %lld\n", now_ms() - t0);
    return 0;
}

/* Wait until the time until_ms; false early if the server answered or
 * closed meanwhile (fd readable). */
static int pause_until(int fd, long long until_ms)
{
    struct pollfd pf = { .fd = fd, .events = POLLIN };
    long long left;

    while ((left = until_ms - now_ms()) > 0)
        if (poll(&pf, 1, (int)left) > 0)
            return 0;
    return 1;
}

/* Send req in parts spread over spread_ms: its header lines, or its body
 * in 10 parts; stops early when the server answers or closes.  Returns
 * the request's start time. */
static long long send_spread(int fd, const char *req, size_t len, const char *what,
                             long long spread_ms)
{
    const char *hend = strstr(req, "\r\n\r\n"), *p = req, *end = req + len;
    long long t0 = now_ms();
    size_t parts = 1, step;

    hend = hend ? hend + 4 : end;
    if (strcmp(what, "headers") == 0) {
        for (const char *q = req; q < hend; q++)
            parts += *q == '\n';
        for (size_t k = 1; p < hend; k++) {
            const char *nl = memchr(p, '\n', (size_t)(hend - p));
            const char *stop_at = nl ? nl + 1 : hend;

            if (send_all(fd, p, (size_t)(stop_at - p)) < 0)
                return t0;
            p = stop_at;
            if (!pause_until(fd, t0 + spread_ms * (long long)k / (long long)parts))
                return t0;
        }
        send_all(fd, p, (size_t)(end - p));
        return t0;
    }
    send_all(fd, req, (size_t)(hend - req));
    step = ((size_t)(end - hend) + 9) / 10;
    for (int k = 1; hend < end; k++) {
        size_t n = step < (size_t)(end - hend) ? step : (size_t)(end - hend);

        if (!pause_until(fd, t0 + spread_ms * k / 10) || send_all(fd, hend, n) < 0)
            break;
        hend += n;
    }
    return t0;
}

static int send_main(int argc, char **argv)
{
    unsigned port = (unsigned)strtoul(argv[2], NULL, 10);
    long long timeout_ms = strtoll(argv[3], NULL, 10), t0;
    char *req = malloc(REQ_MAX);
    size_t len = 0;
    size_t r;
    int fd;

    if (!req)
        return 2;
    while (len < REQ_MAX && (r = fread(req + len, 1, REQ_MAX - 1 - len, stdin)) > 0)
        len += r;
    req[len] = '\0';
    fd = dial(port, 0);
    if (fd < 0) {
        free(req);
        printf("refused 0\n");
        return 1;
    }
    if (argc == 7) {                /* --again: one request first, answered */
        char buf[4096];

        t0 = now_ms();
        if (send_all(fd, req, len) < 0 || pause_until(fd, t0 + timeout_ms) ||
            recv(fd, buf, sizeof(buf), 0) <= 0) {
            printf("first-failed %lld\n", now_ms() - t0);
            close(fd);
            free(req);
            return 1;
        }
    }
    if (argc >= 6) {
        t0 = send_spread(fd, req, len, argv[4], strtoll(argv[5], NULL, 10));
    } else {
        t0 = now_ms();
        send_all(fd, req, len);
    }
    await_answer(fd, t0, timeout_ms);
    close(fd);
    free(req);
    return 0;
}

/* The answers complete in buf[0, n): their count; the status and body
 * of the last complete one go to status (a string of "NNN " words) and
 * *ret_body. */
static unsigned answers(const char *buf, size_t n, char *status, size_t ssz,
                        const char **ret_body, size_t *ret_blen)
{
    const char *p = buf, *end = buf + n, *hend, *cl;
    unsigned k = 0;
    size_t used = 0, blen;

    status[0] = '\0';
    while (p < end && (hend = strstr(p, "\r\n\r\n")) && strncmp(p, "HTTP/1.", 7) == 0) {
        cl = strstr(p, "Content-Length: ");
        blen = cl && cl < hend ? strtoul(cl + 16, NULL, 10) : 0;
        if ((size_t)(end - (hend + 4)) < blen)
            break;
        if (used + 5 < ssz) {
            memcpy(status + used, p + 9, 3);
            status[used + 3] = ' ';
            status[used += 4] = '\0';
        }
        *ret_body = hend + 4;
        *ret_blen = blen;
        p = hend + 4 + blen;
        k++;
    }
    return k;
}

static int talk_main(char **argv)
{
    unsigned port = (unsigned)strtoul(argv[2], NULL, 10), parts = 0;
    long long timeout_ms = strtoll(argv[3], NULL, 10), t0 = now_ms();
    char *in = calloc(1, REQ_MAX), *buf = calloc(1, REQ_MAX), status[256];
    const char *p, *next, *body = "";
    size_t len = 0, got = 0, blen = 0, r;
    struct pollfd pf = { .events = POLLIN };
    int closed = 0;

    if (!in || !buf || (pf.fd = dial(port, 0)) < 0)
        return 2;
    while (len < REQ_MAX - 1 && (r = fread(in + len, 1, REQ_MAX - 1 - len, stdin)) > 0)
        len += r;
    for (p = in; p && !closed; p = next) {
        next = strstr(p, "@@NEXT@@");
        t0 = now_ms();
        send_all(pf.fd, p, next ? (size_t)(next - p) : strlen(p));
        parts++;
        if (next)
            next += 8;
        /* wait for every answer so far (one per part), or the end */
        while (!closed && answers(buf, got, status, sizeof(status), &body, &blen) <
                              (next ? parts : UINT32_MAX) &&
               now_ms() < t0 + timeout_ms) {
            ssize_t k;

            if (poll(&pf, 1, (int)(t0 + timeout_ms - now_ms())) <= 0)
                continue;
            k = recv(pf.fd, buf + got, REQ_MAX - 1 - got, 0);
            if (k <= 0)
                closed = 1;
            else
                buf[got += (size_t)k] = '\0';
        }
    }
    answers(buf, got, status, sizeof(status), &body, &blen);
    printf("%s%s %lld\n%.*s\n", status, closed ? "closed" : "open", now_ms() - t0, (int)blen,
           body);
    close(pf.fd);
    free(in);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    struct sigaction sa = { .sa_handler = on_signal };

    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (argc == 4 && strcmp(argv[1], "talk") == 0)
        return talk_main(argv);
    if (argc >= 5 && strcmp(argv[1], "crowd") == 0)
        return crowd_main(argc, argv);
    if ((argc == 4 || argc == 6 || (argc == 7 && strcmp(argv[6], "--again") == 0)) &&
        strcmp(argv[1], "send") == 0)
        return send_main(argc, argv);
    fprintf(stderr, "usage: iq_slowhttp crowd PORT N INTERVAL_MS [--xff ADDR] [--body LEN] "
                    "[--reconnect] [--spread K]\n       iq_slowhttp send PORT TIMEOUT_MS "
                    "[headers|body SPREAD_MS [--again]]\n       iq_slowhttp talk PORT TIMEOUT_MS\n");
    return 2;
}

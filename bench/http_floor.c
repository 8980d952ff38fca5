/* http_floor.c - the floor under bench/webhook.sh: libmicrohttpd with
 * inquestd's settings (epoll thread pool, the same connection, memory and
 * timeout limits) that reads each POST body into a buffer and answers a
 * fixed small JSON, with no product logic at all (no parsing, mapping,
 * storage or metrics).  wrk against it, in the same run and with the same
 * script, gives the requests/s that HTTP alone allows on this machine; the
 * bench prints inquestd's ratio to it.
 *
 * With --relay, the connections go through inquestd's plain-HTTP front
 * (http/http_relay.c: accept, socketpair to libmicrohttpd, request
 * framing) as in inquestd; bench/relay.sh compares the two.
 *
 *   build/bench/http_floor PORT [THREADS] [--relay]   (runs until SIGTERM/SIGINT) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>

#include "http_relay.h"

#define BODY_MAX (1024 * 1024)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

struct body {
    char *p;
    size_t len;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    static const char answer[] = "{\"status\":\"ok\"}\n";
    struct body *b = *con_cls;
    struct MHD_Response *resp;
    enum MHD_Result r;

    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    if (!b) {
        *con_cls = b = calloc(1, sizeof(*b));
        return b ? MHD_YES : MHD_NO;
    }
    if (*size) {
        char *p = b->len + *size <= BODY_MAX ? realloc(b->p, b->len + *size) : NULL;

        if (!p)
            return MHD_NO;
        memcpy(p + b->len, data, *size);
        b->p = p;
        b->len += *size;
        *size = 0;
        return MHD_YES;
    }
    resp = MHD_create_response_from_buffer(sizeof(answer) - 1, (void *)answer,
                                           MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    r = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct body *b = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (b) {
        free(b->p);
        free(b);
        *con_cls = NULL;
    }
}

int main(int argc, char **argv)
{
    struct MHD_Daemon *d;
    struct http_relay *relay = NULL;
    long port = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
    long threads = argc > 2 ? strtol(argv[2], NULL, 10) : 8;
    int use_relay = argc > 3 && strcmp(argv[3], "--relay") == 0;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    struct http_relay_opts ro = { .addr = (struct sockaddr *)&sa, .addrlen = sizeof(sa),
                                  .threads = (unsigned)(threads + 1) / 2, .conn_limit = 1024,
                                  .backlog = 1024, .max_chunk = BODY_MAX };

    if (port <= 0 || port > 65535 || threads < 1 || threads > 64 || (argc > 3 && !use_relay)) {
        fprintf(stderr, "usage: http_floor PORT [THREADS] [--relay]\n");
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    if (use_relay && http_relay_listen(&ro, &relay) < 0) {
        fprintf(stderr, "http_floor: cannot listen on port %ld\n", port);
        return 1;
    }
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                             (use_relay ? MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC : 0),
                         (uint16_t)port, NULL, NULL, on_request, NULL,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                         MHD_OPTION_CONNECTION_LIMIT, use_relay ? 2048u * (unsigned)threads : 1024u,
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT, use_relay ? 0u : 256u,
                         MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                         MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                         MHD_OPTION_END);
    if (!d || (relay && http_relay_start(relay, d) < 0)) {
        fprintf(stderr, "http_floor: cannot listen on port %ld\n", port);
        return 1;
    }
    while (!stop)
        pause();
    http_relay_destroy(&relay);
    MHD_stop_daemon(d);
    return 0;
}

/* rnd_hook_sink.c - a tiny webhook receiver for integration tests.
 *
 *   rnd_hook_sink PORTFILE OUTDIR [FAILS]
 *
 * Listens on a free loopback port (written to PORTFILE once ready), saves
 * the body of every POST as OUTDIR/N.json (N from 1, with the path in
 * OUTDIR/N.path), answers 503 to the first FAILS requests (to exercise
 * the sender's retries) and 200 afterwards.  Stops on SIGTERM or SIGINT.
 * Built from tests/helpers/ to $IQ_BUILD/tests/helpers/rnd_hook_sink. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>

#define BODY_MAX (1024 * 1024)

struct sink {
    const char *outdir;
    long fails;
    unsigned long n;
};

struct req {
    char *buf;
    size_t len;
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int save(struct sink *s, const char *url, const struct req *q)
{
    char path[4096];
    FILE *f;

    s->n++;
    snprintf(path, sizeof(path), "%s/%lu.path", s->outdir, s->n);
    if (!(f = fopen(path, "w")))
        return -errno;
    fprintf(f, "%s\n", url);
    fclose(f);
    snprintf(path, sizeof(path), "%s/%lu.json", s->outdir, s->n);
    if (!(f = fopen(path, "w")))
        return -errno;
    fwrite(q->buf ? q->buf : "", 1, q->len, f);
    fclose(f);
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    struct sink *s = cls;
    struct req *q = *con_cls;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    unsigned status = 200;

    (void)version;
    if (!q) {
        *con_cls = calloc(1, sizeof(*q));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*size) {
        char *nb;

        if (q->len + *size > BODY_MAX || !(nb = realloc(q->buf, q->len + *size)))
            return MHD_NO;
        memcpy(nb + q->len, data, *size);
        q->buf = nb;
        q->len += *size;
        *size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "POST") != 0)
        status = 405;
    else if (s->fails > 0) {
        s->fails--;
        status = 503;
    } else if (save(s, url, q) < 0) {
        status = 500;
    }
    resp = MHD_create_response_from_buffer(3, (void *)"ok\n", MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req *q = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (q)
        free(q->buf);
    free(q);
    *con_cls = NULL;
}

int main(int argc, char **argv)
{
    struct sink s = { 0 };
    struct sockaddr_in sa = { .sin_family = AF_INET };
    struct MHD_Daemon *d;
    char tmp[4096];
    FILE *f;
    char *end = NULL;

    if (argc < 3) {
        fprintf(stderr, "usage: rnd_hook_sink PORTFILE OUTDIR [FAILS]\n");
        return 2;
    }
    s.outdir = argv[2];
    if (argc > 3) {
        s.fails = strtol(argv[3], &end, 10);
        if (!end || *end || s.fails < 0) {
            fprintf(stderr, "rnd_hook_sink: FAILS must be a number\n");
            return 2;
        }
    }
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    /* one thread: requests are handled in order, so the counters need no lock */
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, &s,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                         MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "rnd_hook_sink: cannot listen\n");
        return 1;
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
    if (!(f = fopen(tmp, "w"))) {
        MHD_stop_daemon(d);
        return 1;
    }
    fprintf(f, "%u\n", MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);
    fclose(f);
    rename(tmp, argv[1]);
    while (!stop_flag)
        pause();
    MHD_stop_daemon(d);
    return 0;
}

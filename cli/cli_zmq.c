/* cli_zmq.c - CurveZMQ keys and delivery errors of the sending commands
 * (send, replay, import, tail, incident, class).
 *
 * The keys are global options, like --zmq: `inquest --zmq-key me.key
 * --zmq-server-key ingest.pub send events.ndjson`, or INQUEST_ZMQ_KEY and
 * INQUEST_ZMQ_SERVER_KEY in the environment.  A refused handshake is
 * reported at once by the sender (-EACCES), so a command with an unknown
 * key fails within a second with the reason rather than waiting out its
 * --timeout (10 s by default). */
#include "cli_zmq.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_exit.h"
#include "iq_event.h"
#include "iq_time.h"

int cli_zmq_keys(const struct cli_ctx *ctx, const char *cmd, struct ing_sender_opts *o,
                 struct ing_curve_client *curve)
{
    char err[IQ_ERR_MAX];

    o->curve = NULL;
    if (!ctx->zmq_key && !ctx->zmq_server_key)
        return 0;
    if (!ctx->zmq_key || !ctx->zmq_server_key)
        return cli_usage("%s: %s needs %s too (CurveZMQ)", cmd,
                         ctx->zmq_key ? "--zmq-key" : "--zmq-server-key",
                         ctx->zmq_key ? "--zmq-server-key" : "--zmq-key");
    if (ing_curve_client_load(ctx->zmq_key, ctx->zmq_server_key, curve, err, sizeof(err)) < 0)
        return cli_usage("%s: %s", cmd, err);
    o->curve = curve;
    return 0;
}

int cli_zmq_timeout_opt(const char *cmd, int argc, char **argv, int *i, int64_t *ms)
{
    const char *a = argv[*i], *v;

    if (strncmp(a, "--timeout=", 10) == 0 || strncmp(a, "--give-up=", 10) == 0)
        v = a + 10;
    else if (strcmp(a, "--timeout") == 0 || strcmp(a, "--give-up") == 0)
        v = *i + 1 < argc ? argv[++*i] : NULL;
    else
        return 0;
    if (!v || iq_duration_parse(v, ms) < 0 || *ms <= 0)
        return cli_usage("%s: --timeout takes a duration such as 10s", cmd);
    return 1;
}

int cli_zmq_failed(const struct cli_ctx *ctx, const char *cmd, const struct ing_sender *snd,
                   int r, int64_t give_up_ms)
{
    const char *hs = snd ? ing_sender_handshake_error(snd) : NULL;
    const char *busy = snd ? ing_sender_busy_reason(snd) : NULL;

    if (r == -EACCES) {
        fprintf(stderr, "inquest: %s: %s: %s\n", cmd, ctx->zmq_endpoint,
                hs ? hs : "handshake refused");
        return CLI_EXIT_USAGE;
    }
    if (r == -ETIMEDOUT && busy)
        fprintf(stderr, "inquest: %s: daemon busy: %s; gave up after %lld s, %u batches "
                "unacknowledged\n", cmd, busy, (long long)(give_up_ms / 1000),
                ing_sender_pending(snd));
    else if (r == -ETIMEDOUT)
        fprintf(stderr, "inquest: %s: no answer from %s for %lld s; %u batches "
                "unacknowledged%s%s\n", cmd, ctx->zmq_endpoint, (long long)(give_up_ms / 1000),
                snd ? ing_sender_pending(snd) : 0, hs ? "; " : "", hs ? hs : "");
    else {
        fprintf(stderr, "inquest: %s: %s: %s\n", cmd, ctx->zmq_endpoint, strerror(-r));
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_UNAVAILABLE;
}

/* cli_send.c - `inquest send [FILE|-]`: canonical events from NDJSON to
 * inquestd over the acknowledged ZeroMQ protocol.
 *
 * Each non-blank line is one event (schemas/event.schema.json).  Lines are
 * parsed and validated here first, so a typo is reported with its line
 * number without a round trip; valid events are batched by the sender,
 * which re-sends unacknowledged batches until ingest answers.  The exit
 * status is 0 when every event was stored or was already stored, 1 when
 * any was rejected (each rejection printed as "line N: reason"), 2 on a
 * usage error, 4 when ingest gave no ack for --timeout (alias --give-up,
 * default 10 s): silent, or busy ("daemon busy: disk full on ..."). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "cli.h"
#include "cli_ack.h"
#include "cli_zmq.h"
#include "ing_sender.h"
#include "iq_event.h"
#include "iq_json.h"
#include "iq_lines.h"
#include "iq_log.h"
#include "iq_time.h"

#define SEND_LINE_MAX (1u << 20)

struct send_state {
    unsigned long read;
    struct cli_ack_counts c;
};

/* Parse and validate one line; on failure print why and count it. */
static struct iq_event *parse_line(struct send_state *st, unsigned long lineno,
                                   const char *line, size_t len, bool truncated)
{
    char err[IQ_ERR_MAX];
    struct iq_event *ev = NULL;
    struct iq_json_error je;
    json_t *j = NULL;

    if (truncated) {
        fprintf(stderr, "line %lu: rejected: longer than %u bytes\n", lineno, SEND_LINE_MAX);
        st->c.rejected++;
        return NULL;
    }
    if (iq_json_parse(line, len, IQ_JSON_DEPTH(IQ_JSON_DEPTH_JANSSON), &j, &je) < 0) {
        fprintf(stderr, "line %lu: rejected: invalid JSON at column %d: %s\n", lineno,
                je.column, je.text);
        st->c.rejected++;
        return NULL;
    }
    if (iq_event_from_json(j, &ev, err, sizeof(err)) < 0) {
        fprintf(stderr, "line %lu: rejected: %s\n", lineno, err);
        st->c.rejected++;
    }
    json_decref(j);
    return ev;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

static int parse_args(int argc, char **argv, const char **path, int64_t *give_up)
{
    *path = "-";
    for (int i = 1; i < argc; i++) {
        int r = cli_zmq_timeout_opt("send", argc, argv, &i, give_up);

        if (r == 1)
            continue;
        if (r)
            return r;
        if (strcmp(argv[i], "--") == 0 && i + 2 == argc) {
            *path = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("send: unknown option '%s' (usage: send [--timeout 10s] "
                             "[FILE|-])", argv[i]);
        } else {
            *path = argv[i];
        }
    }
    return 0;
}

/* Read, validate and push every line; returns 0 or a negative errno. */
static int pump(struct ing_sender *snd, struct iq_lines *lines, struct send_state *st)
{
    const char *line;
    size_t len;
    bool trunc;
    int r;

    while ((r = iq_lines_next(lines, &line, &len, &trunc)) > 0) {
        unsigned long no = iq_lines_number(lines);
        struct iq_event *ev;

        if (!trunc && blank(line, len))
            continue;
        st->read++;
        ev = parse_line(st, no, line, len, trunc);
        if (!ev)
            continue;
        r = ing_sender_push(snd, ev, no);
        iq_event_destroy(&ev);
        if (r == -E2BIG) {
            fprintf(stderr, "line %lu: rejected: event larger than a frame\n", no);
            st->c.rejected++;
        } else if (r < 0) {
            return r;
        }
    }
    return r < 0 ? r : ing_sender_flush(snd);
}

int cli_send_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct ing_sender_opts o = { .endpoint = ctx->zmq_endpoint, .give_up_ms = CLI_ZMQ_TIMEOUT_MS };
    struct ing_curve_client curve;
    struct send_state st = { 0 };
    struct ing_sender *snd = NULL;
    struct iq_lines *lines = NULL;
    const char *path;
    FILE *f;
    void *zctx;
    int r, status = 2;

    if ((r = parse_args(argc, argv, &path, &o.give_up_ms)) ||
        (r = cli_zmq_keys(ctx, "send", &o, &curve)))
        return r;
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "inquest: send: %s: %s\n", path, strerror(errno));
        return 2;
    }
    zctx = zmq_ctx_new();
    if (!zctx || ing_sender_new(zctx, &o, cli_ack_on_lines, &st.c, &snd) < 0 ||
        iq_lines_new(f, SEND_LINE_MAX, &lines) < 0)
        goto out;
    r = pump(snd, lines, &st);
    if (r == -ETIMEDOUT || r == -EACCES)
        status = cli_zmq_failed(ctx, "send", snd, r, o.give_up_ms);
    else if (r < 0)
        fprintf(stderr, "inquest: send: %s: %s\n", path, strerror(-r));
    else
        status = st.c.rejected ? 1 : 0;
    if (!ctx->quiet || status)
        printf("sent %lu, stored %lu, duplicates %lu, rejected %lu\n", st.read, st.c.stored,
               st.c.duplicates, st.c.rejected);
out:
    iq_lines_destroy(&lines);
    ing_sender_destroy(&snd);
    if (zctx)
        zmq_ctx_term(zctx);
    if (f != stdin)
        fclose(f);
    return status;
}

/* cli_import.c - `inquest import statuspage FILE` and `inquest import
 * slack-export DIR`: bring past incidents into the store.
 *
 * The vendor export is converted to canonical events by analyze/ana_import
 * (all of it, validated, before anything is sent: a bad entry is reported
 * with its place and nothing is imported), then sent to inquestd through
 * the acknowledged ZeroMQ sender, the same path as `inquest send`.  Event
 * ids come from the vendor's ids, so a second import stores nothing new:
 * the summary counts them as duplicates.  When stderr is a terminal a
 * progress bar shows the events acknowledged so far.  The first re-send
 * comes after 200 ms (not the sender's default 3 s): the socket refuses
 * the first batch until the connection is up, and a re-sent batch is only
 * a duplicate to ingest.  Exit status as for
 * `inquest send`: 0 all stored or duplicates, 1 some rejected, 2 usage,
 * input or connection errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "ana_import.h"
#include "cli.h"
#include "cli_ack.h"
#include "cli_exit.h"
#include "cli_zmq.h"
#include "ing_sender.h"
#include "iq_event.h"
#include "iq_time.h"

#define BAR_WIDTH 30

struct import_state {
    struct iq_evvec *evs;
    unsigned long acked;
    struct cli_ack_counts c;
    bool bar;
    int shown;            /* permille last drawn, -1 none */
};

static void draw_bar(struct import_state *st, bool last)
{
    size_t n = st->evs->n;
    int pm = n ? (int)(st->acked * 1000 / n) : 1000, fill = pm * BAR_WIDTH / 1000;
    char bar[BAR_WIDTH + 1];

    if (!st->bar || (pm == st->shown && !last))
        return;
    st->shown = pm;
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
    bar[BAR_WIDTH] = '\0';
    fprintf(stderr, "\rimport [%s] %3d%% %lu/%zu", bar, pm / 10, st->acked, n);
    if (last)
        fputc('\n', stderr);
    fflush(stderr);
}

/* A rejected or refused event, named by its id (the tag indexes st->evs). */
static void report(void *ud, uint64_t tag, const char *reason, bool refused)
{
    struct import_state *st = ud;

    fprintf(stderr, "%sinquest: import: event %s %s: %s\n", st->bar ? "\n" : "",
            tag < st->evs->n ? iq_ev_id(st->evs->v[tag]) : "?",
            refused ? "refused by ingest" : "rejected", reason);
}

static void on_ack(void *ud, const uint64_t *tags, uint32_t n, const struct ing_msg *m)
{
    struct import_state *st = ud;

    st->acked += n;
    cli_ack_count(&st->c, tags, n, m, report, st);
    draw_bar(st, false);
}

/* Send every event; 0, -ETIMEDOUT or another negative errno. */
static int send_all(const struct cli_ctx *ctx, struct import_state *st,
                    const struct ing_sender_opts *o)
{
    struct ing_sender *snd = NULL;
    void *zctx = zmq_ctx_new();
    int r = -ENOMEM;

    if (!zctx || (r = ing_sender_new(zctx, o, on_ack, st, &snd)) < 0)
        goto out;
    for (size_t i = 0; i < st->evs->n; i++) {
        r = ing_sender_push(snd, st->evs->v[i], i);
        if (r == -E2BIG) {
            fprintf(stderr, "inquest: import: event %s is larger than a frame, skipped\n",
                    iq_ev_id(st->evs->v[i]));
            st->c.rejected++;
            st->acked++;
        } else if (r < 0) {
            goto out;
        }
    }
    r = ing_sender_flush(snd);
out:
    if (r == -ETIMEDOUT || r == -EACCES) {
        if (st->bar)
            fputc('\n', stderr);
        cli_zmq_failed(ctx, "import", snd, r, o->give_up_ms);
    }
    ing_sender_destroy(&snd);
    if (zctx)
        zmq_ctx_term(zctx);
    return r;
}

static int convert(const char *fmt, const char *path, struct iq_evvec *evs)
{
    char err[IQ_ERR_MAX];
    json_t *doc = NULL;
    int r;

    if (strcmp(fmt, "statuspage") == 0) {
        if ((r = ana_json_load_file(path, &doc, err, sizeof(err))) == 0)
            r = ana_import_statuspage(doc, path, evs, err, sizeof(err));
        json_decref(doc);
    } else {
        r = ana_import_slack(path, evs, err, sizeof(err));
    }
    if (r < 0)
        fprintf(stderr, "inquest: import: %s\n", err);
    return r;
}

int cli_import_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    static const char usage[] = "import [--timeout 10s] [--no-progress] statuspage FILE | "
                                "slack-export DIR";
    struct iq_evvec evs = { 0 };
    struct import_state st = { .evs = &evs, .shown = -1 };
    struct ing_sender_opts o = { .endpoint = ctx->zmq_endpoint, .retry_ms = 200 };
    struct ing_curve_client curve;
    const char *fmt = NULL, *path = NULL;
    int64_t give_up = CLI_ZMQ_TIMEOUT_MS;
    bool progress = true;
    int r, status = 2;

    for (int i = 1; i < argc; i++) {
        int t = cli_zmq_timeout_opt("import", argc, argv, &i, &give_up);

        if (t == 1)
            continue;
        if (t)
            return t;
        if (strcmp(argv[i], "--no-progress") == 0) {
            progress = false;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage("import: unknown option '%s' (usage: %s)", argv[i], usage);
        } else if (!fmt) {
            fmt = argv[i];
        } else if (!path) {
            path = argv[i];
        } else {
            return cli_usage("import: too many arguments (usage: %s)", usage);
        }
    }
    if (!fmt || !path || (strcmp(fmt, "statuspage") != 0 && strcmp(fmt, "slack-export") != 0))
        return cli_usage("usage: %s", usage);
    if ((r = cli_zmq_keys(ctx, "import", &o, &curve)))
        return r;
    o.give_up_ms = give_up;
    if (convert(fmt, path, &evs) < 0)
        goto out;
    st.bar = progress && !ctx->quiet && isatty(STDERR_FILENO);
    draw_bar(&st, false);
    r = send_all(ctx, &st, &o);
    if (r == 0)
        draw_bar(&st, true);
    else if (r != -ETIMEDOUT && r != -EACCES)
        fprintf(stderr, "inquest: import: %s\n", strerror(-r));
    if (r == 0)
        status = st.c.rejected ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
    else if (r == -ETIMEDOUT)
        status = CLI_EXIT_UNAVAILABLE;
    if (!ctx->quiet || status)
        printf("imported %zu events from %s: stored %lu, duplicates %lu, rejected %lu\n", evs.n,
               path, st.c.stored, st.c.duplicates, st.c.rejected);
out:
    iq_evvec_clear(&evs);
    return status;
}

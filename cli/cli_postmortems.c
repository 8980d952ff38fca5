/* cli_postmortems.c - `inquest postmortems`: finished postmortems read back
 * into the data directory.
 *
 *   inquest postmortems sync DIR [--now T] [--rules DIR]
 *   inquest postmortems list [--json]
 *   inquest postmortems show INCIDENT [--json]
 *
 * sync writes, so it opens the data directory for writing: inquestd must
 * be stopped (RocksDB locks the directory), or let inquestd sync the
 * directory itself (config postmortems_dir).  list and show read, beside a
 * running daemon, or from its API with --http (GET /api/v1/postmortems[/ID],
 * postmortem/pm_api.c; cli_remote.h), printed the same way.  Exit status of sync: 0, 1 when some files had problems
 * (each printed with its file and line), 2 when the run could not be made.
 * The work is postmortem/'s (pm_sync.h, pm_print.h); docs/followups.md. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_exit.h"
#include "cli_remote.h"
#include "store.h"
#include "iq_time.h"
#include "pm_doc.h"
#include "pm_print.h"
#include "pm_store.h"
#include "pm_sync.h"

static const char usage_text[] = "postmortems sync DIR [--now T] [--rules DIR] | list [--json] | "
                                 "show INCIDENT [--json] [--timeout DURATION]";

struct pm_args {
    const char *sub, *arg, *rules;
    int64_t now;
    int64_t timeout_ms;     /* --timeout, for --http */
    bool json;
};

static int parse_args(int argc, char **argv, struct pm_args *a)
{
    int np = 0;

    a->now = IQ_TIME_NONE;
    a->timeout_ms = CLI_REMOTE_TIMEOUT_MS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            a->json = true;
        else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
            a->rules = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            if (cli_remote_timeout("postmortems", argv[++i], &a->timeout_ms))
                return CLI_EXIT_USAGE;
        }
        else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc) {
            if (iq_time_parse_arg(argv[++i], &a->now) < 0)
                return cli_usage("postmortems: --now: not an RFC 3339 time: \"%s\"", argv[i]);
        } else if (argv[i][0] == '-' || np == 2)
            return cli_usage("postmortems: unexpected '%s' (usage: %s)", argv[i], usage_text);
        else if (np++ == 0)
            a->sub = argv[i];
        else
            a->arg = argv[i];
    }
    if (!a->sub || (strcmp(a->sub, "list") == 0 ? a->arg != NULL
                    : (strcmp(a->sub, "sync") && strcmp(a->sub, "show")) || !a->arg))
        return cli_usage("usage: %s", usage_text);
    return 0;
}

struct sync_out {
    bool quiet;
};

static void on_file(void *ud, const struct pm_file_report *rep)
{
    const struct sync_out *o = ud;

    pm_print_file(stdout, stderr, o->quiet, rep);
}

static int run_sync(const struct cli_ctx *ctx, const struct pm_args *a)
{
    struct store_opts so = { 0 };
    struct store *st = NULL;
    struct pm_reader *rd = NULL;
    struct pm_sync_stats stats;
    struct sync_out out = { .quiet = ctx->quiet };
    char err[512];
    int r;

    if (pm_reader_new(a->rules, &rd, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: postmortems: %s\n", err);
        return 2;
    }
    if (store_open(ctx->data_dir, &so, &st) < 0) {
        fprintf(stderr, "inquest: postmortems: cannot open data directory %s for writing (is "
                "inquestd running on it? stop it, or let it sync the directory itself: "
                "config postmortems_dir)\n", ctx->data_dir);
        pm_reader_destroy(&rd);
        return 2;
    }
    r = pm_sync_dir(rd, st, a->arg, a->now != IQ_TIME_NONE ? a->now : iq_time_now_ms(), on_file,
                    &out, &stats);
    if (r < 0)
        fprintf(stderr, "inquest: postmortems: sync %s: %s\n", a->arg, strerror(-r));
    else
        pm_print_summary(stdout, &stats);
    store_close(&st);
    pm_reader_destroy(&rd);
    return r < 0 ? 2 : stats.problems ? 1 : 0;
}

/* list and show from inquestd's API (postmortem/pm_api.c), printed as
 * from the store; the same exit status and messages. */
static int run_remote(const struct cli_ctx *ctx, const struct pm_args *a)
{
    char notfound[200];
    struct cli_remote_req rq = { .path = "/api/v1/postmortems", .timeout_ms = a->timeout_ms,
                                 .notfound = notfound };
    json_t *j = NULL;
    int r;

    if (strcmp(a->sub, "show") == 0)
        rq.id = a->arg;
    snprintf(notfound, sizeof(notfound), "no postmortem synced for incident %s", a->arg);
    if ((r = cli_remote_get_json(ctx, "postmortems", &rq, &j)))
        return r == CLI_EXIT_NOTFOUND ? 1 : r;
    if (rq.id)
        r = pm_print_show(stdout, json_object_get(j, "postmortem"), json_object_get(j, "history"),
                          a->json);
    else
        r = pm_print_list(stdout, j, a->json);
    if (r < 0)
        fprintf(stderr, "inquest: postmortems: %s\n", strerror(-r));
    json_decref(j);
    return r < 0 ? 2 : 0;
}

static int run_read(const struct cli_ctx *ctx, const struct pm_args *a)
{
    struct store_opts so = { .read_only = true };
    struct store *st = NULL;
    json_t *j = NULL, *hist = NULL;
    int r;

    if ((r = store_open(ctx->data_dir, &so, &st)) < 0) {
        fprintf(stderr, "inquest: postmortems: cannot open the store in %s: %s\n", ctx->data_dir,
                strerror(-r));
        return 2;
    }
    if (strcmp(a->sub, "list") == 0) {
        if ((r = pm_store_all(st, &j)) == 0)
            r = pm_print_list(stdout, j, a->json);
    } else if ((r = pm_store_get(st, a->arg, &j)) == 0 &&
               (r = pm_store_history(st, a->arg, &hist)) == 0) {
        r = pm_print_show(stdout, j, hist, a->json);
    }
    if (r == -ENOENT)
        fprintf(stderr, "inquest: postmortems: no postmortem synced for incident %s\n", a->arg);
    else if (r < 0)
        fprintf(stderr, "inquest: postmortems: %s\n", strerror(-r));
    json_decref(j);
    json_decref(hist);
    store_close(&st);
    return r < 0 ? (r == -ENOENT ? 1 : 2) : 0;
}

int cli_postmortems_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct pm_args a = { 0 };
    bool remote = false;
    int r = parse_args(argc, argv, &a);

    if (r)
        return r;
    if (strcmp(a.sub, "sync") == 0)
        return run_sync(ctx, &a);
    if ((r = cli_remote_choose(ctx, "postmortems", &remote)))
        return r;
    return remote ? run_remote(ctx, &a) : run_read(ctx, &a);
}

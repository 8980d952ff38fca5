/* cli_correlate.c - `inquest correlate --rebuild [--since T]` and
 * `inquest correlate --diff [--since T]`.
 *
 * --rebuild re-derives the incidents from the stored events and writes
 * them: it needs the data directory writable, so inquestd must be stopped
 * (RocksDB locks the directory; the error says so).  The running daemon
 * re-derives by itself on start and keeps incidents current.
 * --diff computes in memory and prints what a rebuild would change without
 * writing; it opens the store read-only, so it works beside a running
 * daemon, which is the way to try a rule change (--config FILE) on
 * history.  The rules come from the "correlate" section of --config. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_exit.h"
#include "cor_config.h"
#include "cor_engine.h"
#include "cor_stream.h"
#include "store.h"
#include "iq_event.h"
#include "iq_time.h"

static int parse(int argc, char **argv, bool *rebuild, bool *diff, int64_t *since)
{
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--rebuild") == 0)
            *rebuild = true;
        else if (strcmp(argv[a], "--diff") == 0)
            *diff = true;
        else if (strcmp(argv[a], "--since") == 0 && a + 1 < argc) {
            if (iq_time_parse_arg(argv[++a], since) < 0)
                return cli_usage("correlate: --since: not an RFC 3339 time or -DURATION: \"%s\"",
                                 argv[a]);
        } else
            return cli_usage("correlate: unknown option '%s' (usage: correlate --rebuild|--diff "
                             "[--since T])", argv[a]);
    }
    if (*rebuild == *diff)
        return cli_usage("correlate: give exactly one of --rebuild and --diff");
    return 0;
}

int cli_correlate_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct store_opts o = { 0 };
    struct store *st = NULL;
    struct cor_config cfg;
    struct cor_result res = { 0 };
    bool rebuild = false, diff = false;
    int64_t since = IQ_TIME_NONE, t0;
    char err[IQ_ERR_MAX];
    int r, status = 2;

    if ((r = parse(argc, argv, &rebuild, &diff, &since)))
        return r;
    if (ctx->http_given == CLI_GIVEN_ARG)   /* the correlator runs here, on --data */
        return cli_usage("correlate: works on the data directory (--data DIR), not over --http");
    cor_config_init(&cfg);
    if (cor_config_load(&cfg, ctx->config_path, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: correlate: %s\n", err);
        goto out;
    }
    o.read_only = diff;
    o.write_buffer = COR_REBUILD_WRITE_BUFFER;
    if (store_open(ctx->data_dir, &o, &st) < 0) {
        fprintf(stderr, "inquest: correlate: cannot open data directory %s%s\n", ctx->data_dir,
                rebuild ? " for writing (is inquestd running on it? stop it first, or use "
                          "--diff, which works beside it)" : "");
        status = CLI_EXIT_UNAVAILABLE;
        goto out;
    }
    t0 = iq_time_mono_ms();
    if (diff) {
        r = cor_engine_diff(st, &cfg, since, stdout);
        if (r >= 0 && !ctx->quiet)
            fprintf(stderr, "%d incidents would change\n", r);
        status = r < 0 ? 2 : r > 0 ? 1 : 0;
    } else {
        r = cor_engine_rebuild(st, &cfg, since, IQ_TIME_NONE, &res);
        if (r >= 0 && !ctx->quiet)
            printf("rebuilt %zu incidents from %zu events in %lld ms%s\n", res.n, res.events,
                   (long long)(iq_time_mono_ms() - t0),
                   res.notes_unapplied ? " (some notes name no incident and were skipped)" : "");
        status = r < 0 ? 2 : 0;
    }
    if (r < 0)
        fprintf(stderr, "inquest: correlate: %s\n", strerror(-r));
out:
    cor_result_free(&res);
    store_close(&st);
    cor_config_release(&cfg);
    return status;
}

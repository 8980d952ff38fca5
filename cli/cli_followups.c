/* cli_followups.c - `inquest followups`: every action item of the synced
 * postmortems, the follow-up reviews due and the postmortems still
 * unpublished, from the data directory opened read-only (beside a running
 * inquestd).
 *
 *   inquest followups [--overdue] [--owner O] [--service S]
 *                     [--unpublished-after 7d] [--now T]
 *                     [--format table|json|csv]
 *
 * --now fixes "today" (RFC 3339 or -2h), for reports as of a day and for
 * tests.  The JSON is GET /api/v1/followups's: with --http (cli_remote.h)
 * the command asks inquestd for it, with the options given (--now sent
 * absolute), and prints it with the same code.  Exit status 0, or 2 on
 * usage and store errors (4: the store or inquestd unavailable).  The work
 * is postmortem/pm_follow.h's and pm_print.h's. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_exit.h"
#include "cli_remote.h"
#include "iq_time.h"
#include "store.h"
#include "pm_follow.h"
#include "pm_print.h"

static const char usage_text[] = "followups [--overdue] [--owner O] [--service S] "
                                 "[--unpublished-after 7d] [--now T] [--format table|json|csv]";

/* The request for --http: the options given, as GET /api/v1/followups
 * parameters (now absolute, in nowbuf). */
struct remote_args {
    struct cli_remote_req rq;
    char nowbuf[IQ_TIME_STRLEN];
};

static int parse_args(int argc, char **argv, struct pm_follow_query *q, enum pm_fmt *fmt,
                      struct remote_args *ra)
{
    static const char *const valued[][2] = { { "--owner", "owner" }, { "--service", "service" },
                                             { "--unpublished-after", "unpublished_after" },
                                             { "--now", "now" } };
    char err[160];

    pm_follow_query_init(q);
    for (int i = 1; i < argc; i++) {
        const char *key = NULL;

        if (strcmp(argv[i], "--overdue") == 0) {
            q->overdue = true;
            ra->rq.params[ra->rq.n++] = (struct cli_remote_param){ "overdue", "1" };
            continue;
        }
        if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            if (cli_remote_timeout("followups", argv[++i], &ra->rq.timeout_ms))
                return CLI_EXIT_USAGE;
            continue;
        }
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            if (pm_fmt_parse(argv[++i], fmt) < 0)
                return cli_usage("followups: --format takes table, json or csv");
            continue;
        }
        for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]) && !key; k++)
            if (strcmp(argv[i], valued[k][0]) == 0 && i + 1 < argc)
                key = valued[k][1];
        if (!key)
            return cli_usage("followups: unexpected '%s' (usage: %s)", argv[i], usage_text);
        if (pm_follow_query_set(q, key, argv[++i], err, sizeof(err)) < 0)
            return cli_usage("followups: %s", err);
        ra->rq.params[ra->rq.n++] = (struct cli_remote_param){
            key, strcmp(key, "now") == 0 ? cli_remote_time(q->now, ra->nowbuf, sizeof(ra->nowbuf))
                                         : argv[i] };
        if (ra->rq.n + 1 >= CLI_REMOTE_PARAMS_MAX)
            return cli_usage("followups: too many options");
    }
    return 0;
}

int cli_followups_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct store_opts so = { .read_only = true };
    struct pm_follow_query q;
    enum pm_fmt fmt = PM_FMT_TABLE;
    struct remote_args ra = { .rq = { .path = "/api/v1/followups",
                                      .timeout_ms = CLI_REMOTE_TIMEOUT_MS } };
    struct store *st = NULL;
    json_t *res = NULL;
    bool remote;
    int r;

    if ((r = parse_args(argc, argv, &q, &fmt, &ra)) ||
        (r = cli_remote_choose(ctx, "followups", &remote)))
        return r;
    if (remote) {
        if ((r = cli_remote_get_json(ctx, "followups", &ra.rq, &res)))
            return r;
        r = pm_followups_print(stdout, res, fmt);
        json_decref(res);
        return r < 0 ? 2 : 0;
    }
    if ((r = store_open(ctx->data_dir, &so, &st)) < 0) {
        fprintf(stderr, "inquest: followups: cannot open the store in %s: %s\n", ctx->data_dir,
                strerror(-r));
        return CLI_EXIT_UNAVAILABLE;
    }
    r = pm_followups(st, &q, &res);
    if (r == 0)
        r = pm_followups_print(stdout, res, fmt);
    if (r < 0)
        fprintf(stderr, "inquest: followups: %s\n", strerror(-r));
    json_decref(res);
    store_close(&st);
    return r < 0 ? 2 : 0;
}

/* cli_tail.c - `inquest tail FILE... [--rules FILE] [--service S]`: the log
 * collector as its own process.
 *
 * Follows the files like `tail -F` (new lines, truncation, rotation by
 * rename and by copy-truncate, files that appear later; "-" reads
 * standard input), parses each line with the rules of schemas/logs/,
 * sends error lines and error-rate transitions to inquestd over the
 * acknowledged ZeroMQ protocol, and checkpoints offsets into a state file
 * only after acknowledgement (ingest/ing_tail_run.c has the details).
 * The CLI never opens the daemon's RocksDB: its checkpoint is a plain
 * file (--state, default ./inquest-tail.state).
 *
 * Exit status: 0 after SIGINT/SIGTERM or, with --once, when every file
 * was read to its end and acknowledged; 2 on a usage error, bad rules, a
 * bad state file, or (with --once) no answer from ingest. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "cli.h"
#include "cli_zmq.h"
#include "iq_paths.h"
#include "ing_tail_run.h"
#include "iq_conf.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

#define TAIL_ARGS_MAX 256

static volatile sig_atomic_t tail_stop;

static void on_signal(int sig)
{
    (void)sig;
    tail_stop = 1;
}

struct tail_args {
    struct ing_tail_run_opts o;
    const char *paths[TAIL_ARGS_MAX];
    const char *rules[TAIL_ARGS_MAX];
    char rules_default[4096];
    bool no_state;
};

static const char tail_usage[] =
    "tail FILE... [--rules FILE|DIR]... [--rule NAMES] [--service S] [--state FILE | --no-state] "
    "[--error-threshold N] [--error-grace DURATION] [--line-max SIZE] [--from-end] [--once] "
    "[--send-unparsed] [--poll DURATION] [--give-up DURATION]";

static int num_arg(const char *opt, const char *v, int64_t min, int64_t max, int64_t *ret)
{
    char *end;
    long long n;

    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max)
        return cli_usage("tail: %s takes a number from %lld to %lld, not '%s'", opt,
                         (long long)min, (long long)max, v);
    *ret = n;
    return 0;
}

static int dur_arg(const char *opt, const char *v, int64_t *ret)
{
    if (iq_duration_parse(v, ret) < 0 || *ret < 0)
        return cli_usage("tail: %s takes a duration such as 500ms or 10s, not '%s'", opt, v);
    return 0;
}

/* One option with a value at argv[*i]; returns 0, 2 (usage) or -1 (not one). */
static int value_opt(struct tail_args *a, const char *opt, const char *v)
{
    int64_t n;
    int r;

    if (strcmp(opt, "--rules") == 0) {
        if (a->o.n_rules >= TAIL_ARGS_MAX)
            return cli_usage("tail: too many --rules");
        a->rules[a->o.n_rules++] = v;
    } else if (strcmp(opt, "--rule") == 0) {
        a->o.rule_names = v;
    } else if (strcmp(opt, "--service") == 0) {
        a->o.service = v;
    } else if (strcmp(opt, "--state") == 0) {
        a->o.state_path = v;
    } else if (strcmp(opt, "--error-threshold") == 0) {
        if ((r = num_arg(opt, v, 1, 100000000, &n)))
            return r;
        a->o.error_threshold = (uint32_t)n;
    } else if (strcmp(opt, "--error-grace") == 0) {
        return dur_arg(opt, v, &a->o.error_grace_ms);
    } else if (strcmp(opt, "--poll") == 0) {
        return dur_arg(opt, v, &a->o.poll_ms);
    } else if (strcmp(opt, "--give-up") == 0) {
        return dur_arg(opt, v, &a->o.give_up_ms);
    } else if (strcmp(opt, "--line-max") == 0) {
        if (iq_size_parse(v, &n) < 0 || n < 64 || n > (16 << 20))
            return cli_usage("tail: --line-max takes a size from 64 to 16M, not '%s'", v);
        a->o.line_max = (size_t)n;
    } else {
        return -1;
    }
    return 0;
}

static int flag_opt(struct tail_args *a, const char *opt)
{
    if (strcmp(opt, "--from-end") == 0)
        a->o.from_end = true;
    else if (strcmp(opt, "--once") == 0)
        a->o.once = true;
    else if (strcmp(opt, "--send-unparsed") == 0)
        a->o.send_unparsed = true;
    else if (strcmp(opt, "--no-state") == 0)
        a->no_state = true;
    else
        return -1;
    return 0;
}

static void defaults(struct tail_args *a, const struct cli_ctx *ctx)
{
    a->o.endpoint = ctx->zmq_endpoint;
    a->o.state_path = "./inquest-tail.state";
    a->o.error_threshold = 10;
    a->o.error_grace_ms = 10000;
    a->o.poll_ms = 250;
    a->o.give_up_ms = 60000;
    /* when nothing is found, the rule loader reports the installed path */
    if (iq_schemas_find("logs", a->rules_default, sizeof(a->rules_default), NULL, 0) < 0)
        snprintf(a->rules_default, sizeof(a->rules_default), "%s/logs", IQ_SCHEMAS_INSTALLED);
}

static int parse_args(struct tail_args *a, const struct cli_ctx *ctx, int argc, char **argv)
{
    defaults(a, ctx);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        int r;

        if (s[0] == '-' && s[1]) {
            if (flag_opt(a, s) == 0)
                continue;
            if (i + 1 >= argc)
                return cli_usage("tail: unknown option or missing value '%s' (usage: %s)", s,
                                 tail_usage);
            r = value_opt(a, s, argv[i + 1]);
            if (r < 0)
                return cli_usage("tail: unknown option '%s' (usage: %s)", s, tail_usage);
            if (r)
                return r;
            i++;
            continue;
        }
        if (a->o.n_paths >= TAIL_ARGS_MAX)
            return cli_usage("tail: at most %d files", TAIL_ARGS_MAX);
        a->paths[a->o.n_paths++] = s;
    }
    if (a->o.n_paths == 0)
        return cli_usage("tail: no file given (usage: %s)", tail_usage);
    if (a->o.n_rules == 0)
        a->rules[a->o.n_rules++] = a->rules_default;
    if (a->no_state)
        a->o.state_path = NULL;
    a->o.paths = a->paths;
    a->o.rules = a->rules;
    return 0;
}

static void print_stats(const struct ing_tail_run_stats *st)
{
    double secs = st->elapsed_ms > 0 ? (double)st->elapsed_ms / 1000.0 : 0.001;

    printf("lines %llu, parsed %llu, unparsed %llu, truncated %llu, events %llu, "
           "rate events %llu, stored %llu, duplicates %llu, rejected %llu, %.0f lines/s\n",
           (unsigned long long)st->lines, (unsigned long long)st->parsed,
           (unsigned long long)st->unparsed, (unsigned long long)st->truncated,
           (unsigned long long)st->events, (unsigned long long)st->rate_events,
           (unsigned long long)st->stored, (unsigned long long)st->duplicates,
           (unsigned long long)st->rejected, (double)st->lines / secs);
}

int cli_tail_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct tail_args *a = calloc(1, sizeof(*a));
    struct ing_tail_run_stats st = { 0 };
    struct ing_sender_opts so = { 0 };
    struct ing_curve_client curve;
    struct sigaction sa;
    char err[IQ_ERR_MAX];
    void *zctx = NULL;
    int r, status = 2;

    if (!a)
        return 2;
    if ((r = parse_args(a, ctx, argc, argv)))
        goto out;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if ((status = cli_zmq_keys(ctx, "tail", &so, &curve)))
        goto out;
    status = 2;
    a->o.curve = so.curve;
    zctx = zmq_ctx_new();
    if (!zctx)
        goto out;
    a->o.zctx = zctx;
    r = ing_tail_run(&a->o, &tail_stop, &st, err, sizeof(err));
    if (r < 0)
        fprintf(stderr, "inquest: tail: %s\n", err);
    else
        status = 0;
    if ((!ctx->quiet && r == 0) || (r < 0 && st.lines))
        print_stats(&st);
out:
    if (zctx)
        zmq_ctx_term(zctx);
    free(a);
    return status;
}

/* cli_tail.c - `inquest tail FILE... [--rules FILE] [--service S]`: the log
 * collector as its own process.
 *
 * Follows the files like `tail -F` (new lines, truncation, rotation by
 * rename and by copy-truncate, files that appear later; "-" reads
 * standard input), parses each line with the rules of schemas/logs/,
 * sends error lines and error-rate transitions to inquestd over the
 * acknowledged ZeroMQ protocol, and checkpoints offsets into a state file
 * only after acknowledgement (ingest/in_tail/tail_run.c has the details).
 * The CLI never opens the daemon's RocksDB: its checkpoint is a plain
 * file (--state, default $XDG_STATE_HOME/inquest/tail.state, that is
 * ~/.local/state/inquest/tail.state, its directory made 0700 when absent).
 *
 * Exit status: 0 after SIGINT/SIGTERM or, with --once, when every file
 * was read to its end and acknowledged; 2 on a usage error, bad rules, a
 * bad state file, or (with --once) no answer from ingest. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "cli.h"
#include "cli_zmq.h"
#include "iq_paths.h"
#include "tail_config.h"
#include "tail_run.h"
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
    struct tail_run_opts o;
    struct tail_conf c;          /* the options shared with inquestd's logs section */
    const char *paths[TAIL_ARGS_MAX];
    const char *rules[TAIL_ARGS_MAX];
    char rules_default[4096];
    char state_default[4096];
    bool no_state;
};

static const char tail_usage[] =
    "tail FILE... [--rules FILE|DIR]... [--rule NAMES] [--service S] [--state FILE | --no-state] "
    "[--error-threshold N] [--error-grace DURATION] [--line-max SIZE] [--from-end] [--once] "
    "[--send-unparsed] [--poll DURATION] [--give-up DURATION]";

static int dur_arg(const char *opt, const char *v, int64_t *ret)
{
    if (iq_duration_parse(v, ret) < 0 || *ret < 0)
        return cli_usage("tail: %s takes a duration such as 500ms or 10s, not '%s'", opt, v);
    return 0;
}

/* One option with a value: the command's own (--rules, repeatable;
 * --give-up) or one of the settings table (tail_config.h).  Returns 0, 2
 * (usage) or -1 (not one). */
static int value_opt(struct tail_args *a, const char *opt, const char *v)
{
    char err[IQ_ERR_MAX];
    int r;

    if (strcmp(opt, "--rules") == 0) {
        if (a->o.n_rules >= TAIL_ARGS_MAX)
            return cli_usage("tail: too many --rules");
        a->rules[a->o.n_rules++] = v;
        return 0;
    }
    if (strcmp(opt, "--give-up") == 0)
        return dur_arg(opt, v, &a->o.give_up_ms);
    r = tail_conf_set_flag(&a->c, opt, v, err, sizeof(err));
    if (r == -ENOMEM)
        return cli_usage("tail: out of memory");
    if (r < 0)
        return cli_usage("tail: %s", err);
    return r ? 0 : -1;
}

/* A switch: the command's own (--once, --no-state) or one of the
 * settings table (--from-end, --send-unparsed).  0, or -1 (not one). */
static int flag_opt(struct tail_args *a, const char *opt)
{
    if (strcmp(opt, "--once") == 0)
        a->o.once = true;
    else if (strcmp(opt, "--no-state") == 0)
        a->no_state = true;
    else if (!tail_conf_is_switch(opt) || tail_conf_set_flag(&a->c, opt, NULL, NULL, 0) != 1)
        return -1;
    return 0;
}

static void defaults(struct tail_args *a, const struct cli_ctx *ctx)
{
    tail_conf_defaults(&a->c);
    a->o.endpoint = ctx->zmq_endpoint;
    a->o.give_up_ms = 60000;
    /* when nothing is found, the rule loader reports the installed path */
    if (iq_schemas_find("logs", a->rules_default, sizeof(a->rules_default), NULL, 0) < 0)
        snprintf(a->rules_default, sizeof(a->rules_default), "%s/logs", IQ_SCHEMAS_INSTALLED);
}

/* mkdir -p of path's directory, each level made 0700.  0 or -errno. */
static int make_parents(char *path)
{
    for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (mkdir(path, 0700) < 0 && errno != EEXIST) {
            int r = -errno;

            *p = '/';
            return r;
        }
        *p = '/';
    }
    return 0;
}

/* The default state file: $XDG_STATE_HOME/inquest/tail.state, or
 * $HOME/.local/state/inquest/tail.state (the XDG base directory default),
 * its directories made.  0, or 2 after a message. */
static int state_default(struct tail_args *a)
{
    const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    int n, r;

    if (xdg && xdg[0] == '/')
        n = snprintf(a->state_default, sizeof(a->state_default), "%s/inquest/tail.state", xdg);
    else if (home && home[0] == '/')
        n = snprintf(a->state_default, sizeof(a->state_default),
                     "%s/.local/state/inquest/tail.state", home);
    else
        return cli_usage("tail: no $XDG_STATE_HOME or $HOME for the state file: give --state "
                         "FILE or --no-state");
    if (n < 0 || (size_t)n >= sizeof(a->state_default))
        return cli_usage("tail: $XDG_STATE_HOME or $HOME too long for the state file");
    if ((r = make_parents(a->state_default)) < 0)
        return cli_usage("tail: cannot make the directory of %s: %s", a->state_default,
                         strerror(-r));
    a->o.state_path = a->state_default;
    return 0;
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
    tail_conf_to_run(&a->c, &a->o);
    a->o.state_path = a->no_state ? NULL : a->c.state;
    a->o.paths = a->paths;
    a->o.rules = a->rules;
    return a->no_state || a->c.state ? 0 : state_default(a);
}

static void print_stats(const struct tail_run_stats *st)
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
    struct tail_run_stats st = { 0 };
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
    r = tail_run(&a->o, &tail_stop, &st, err, sizeof(err));
    if (r < 0)
        fprintf(stderr, "inquest: tail: %s\n", err);
    else
        status = 0;
    if ((!ctx->quiet && r == 0) || (r < 0 && st.lines))
        print_stats(&st);
out:
    if (zctx)
        zmq_ctx_term(zctx);
    tail_conf_release(&a->c);
    free(a);
    return status;
}

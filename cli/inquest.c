/* inquest.c - main() of the `inquest` command-line tool.
 *
 * Takes the global options (--zmq, --zmq-key, --zmq-server-key, --data,
 * --http, --config, --token-file, --cacert, --tz, --log-format, --quiet,
 * --version) out of the command line wherever they stand before "--",
 * answers --help and -h from the command table (cli_help.c), and hands the
 * rest to the subcommand named, from the table in cli_commands.c.
 * Everything else lives in the stages and in the cli_<command>.c files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_exit.h"
#include "cli_help.h"
#include "iq_conf.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_file.h"
#include "iq_paths.h"
#include "iq_re.h"
#include "iq_version.h"

static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);

    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (strcmp(argv[*i], name) == 0) {
        if (*i + 1 >= argc)
            return NULL;
        return argv[++*i];
    }
    return NULL;
}

/* The token in path: its first line, without surrounding blanks.  Caller
 * frees *ret.  0, or 2 with the reason printed. */
static int read_token(const char *path, char **ret)
{
    char *buf = NULL, *p, *e;
    size_t len = 0;
    int r = iq_read_file(path, 4096, &buf, &len);

    if (r < 0)
        return cli_usage("--token-file %s: %s", path, r == -EFBIG ? "longer than 4 KiB" : strerror(-r));
    for (p = buf; *p == ' ' || *p == '\t'; p++)
        ;
    e = p + strcspn(p, "\r\n");
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *e = '\0';
    if (!*p) {
        free(buf);
        return cli_usage("--token-file %s: empty", path);
    }
    memmove(buf, p, (size_t)(e - p) + 1);
    *ret = buf;
    return 0;
}

/* One global option at argv[*i]: 1 when it was one (applied, and *i past
 * its value), 0 when not, or an exit status + 1 (help, version, error). */
static int global_opt(struct cli_ctx *ctx, char **token, int argc, char **argv, int *i)
{
    const char *v;

    if (strcmp(argv[*i], "--version") == 0) {
        printf("inquest %s\n", IQ_VERSION);
        return CLI_EXIT_OK + 2;
    }
    if (strcmp(argv[*i], "--quiet") == 0) {
        ctx->quiet = true;
        return 1;
    }
    if ((v = opt_value(argc, argv, i, "--zmq")))
        ctx->zmq_endpoint = v;
    else if ((v = opt_value(argc, argv, i, "--zmq-key")))
        ctx->zmq_key = v;
    else if ((v = opt_value(argc, argv, i, "--zmq-server-key")))
        ctx->zmq_server_key = v;
    else if ((v = opt_value(argc, argv, i, "--data"))) {
        ctx->data_dir = v;
        ctx->data_given = CLI_GIVEN_ARG;
    } else if ((v = opt_value(argc, argv, i, "--http"))) {
        ctx->http_url = v;
        ctx->http_given = CLI_GIVEN_ARG;
    } else if ((v = opt_value(argc, argv, i, "--tz")))
        ctx->tz = v;
    else if ((v = opt_value(argc, argv, i, "--config")))
        ctx->config_path = v;
    else if ((v = opt_value(argc, argv, i, "--cacert")))
        ctx->cacert = v;
    else if ((v = opt_value(argc, argv, i, "--log-format"))) {
        if (iq_log_set_format(v) < 0)
            return cli_usage("--log-format: text, logfmt or json, not '%s'", v) + 2;
    } else if ((v = opt_value(argc, argv, i, "--token-file"))) {
        free(*token);
        *token = NULL;
        if (read_token(v, token))
            return CLI_EXIT_USAGE + 2;
        ctx->token = *token;
    } else {
        return 0;
    }
    return 1;
}

/* Does option a (its name up to any '=') of command c take a value?  1
 * yes, 0 no or unknown. */
static int takes_value(const struct cli_command *c, const char *a)
{
    size_t n = strcspn(a, "=");

    if (a[n] == '=')
        return 0;
    for (const char *p = c->options; p && *p;) {
        size_t k = strcspn(p, " \t\n");

        if (k == n && strncmp(p, a, n) == 0)
            return p[k] == ' ';
        p = strchr(p, '\n');
        p = p ? p + 1 : "";
    }
    return 0;
}

/* Reorder the command's arguments args[1..n-1] as: the positional
 * arguments, then the options with their values (by the command's option
 * table), then "--" and what followed it.  Every command reads options
 * after its positional arguments, so options may stand anywhere. */
static int permute(const struct cli_command *c, char **args, int n)
{
    char **tmp = calloc((size_t)n, sizeof(*tmp));
    int np = 1, i, end = n;

    if (!tmp)
        return -1;
    for (i = 1; i < n && end == n; i++)
        if (strcmp(args[i], "--") == 0)
            end = i;
    tmp[0] = args[0];
    for (i = 1; i < end; i++) {
        if (args[i][0] == '-' && args[i][1])
            i += takes_value(c, args[i]) && i + 1 < end;
        else
            tmp[np++] = args[i];
    }
    for (i = 1; i < end; i++) {
        if (args[i][0] != '-' || !args[i][1])
            continue;
        tmp[np++] = args[i];
        if (takes_value(c, args[i]) && i + 1 < end)
            tmp[np++] = args[++i];
    }
    for (i = end; i < n; i++)
        tmp[np++] = args[i];
    memcpy(args, tmp, (size_t)n * sizeof(*tmp));
    free(tmp);
    return 0;
}

static bool is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

/* Take the global options out of argv, wherever they are before "--", and
 * find the command: *args gets the command's own arguments, argv[0] its
 * name.  0, or an exit status + 1 when main should stop. */
static int split_args(struct cli_ctx *ctx, char **token, int argc, char **argv,
                      const struct cli_command **cmd, char **args, int *nargs)
{
    bool opts = true, help = false;
    int r;

    *nargs = 0;
    for (int i = 1; i < argc; i++) {
        if (opts && strcmp(argv[i], "--") == 0) {
            opts = false;
            if (!*cmd)
                continue;
        } else if (opts && is_help(argv[i])) {
            help = true;
            continue;
        } else if (opts && (r = global_opt(ctx, token, argc, argv, &i))) {
            if (r > 1)
                return r - 1;
            continue;
        } else if (!*cmd && opts && argv[i][0] == '-') {
            cli_usage("unknown or incomplete option '%s' (see inquest --help)", argv[i]);
            return CLI_EXIT_USAGE + 1;
        }
        if (!*cmd && strcmp(argv[i], "--") != 0) {
            for (const struct cli_command *c = ctx->commands; c->name && !*cmd; c++)
                if (strcmp(c->name, argv[i]) == 0)
                    *cmd = c;
            if (!*cmd) {
                cli_usage("unknown command '%s' (see inquest --help)", argv[i]);
                return CLI_EXIT_USAGE + 1;
            }
        }
        args[(*nargs)++] = argv[i];
    }
    if (help) {
        if (*cmd)
            cli_help_command(stdout, *cmd);
        else
            cli_help_tool(stdout, ctx->commands);
        return CLI_EXIT_OK + 1;
    }
    if (!*cmd) {
        cli_help_tool(stderr, ctx->commands);
        return CLI_EXIT_USAGE + 1;
    }
    return 0;
}

/* The pcre2 limits of the "regex" section of --config (or INQUEST_CONFIG),
 * set once before the command builds any pattern set (iq_re_setup), so
 * `inquest tail`, `class`, `query` and `draft` match as the daemon would.
 * 0, or 2 with the reason printed. */
static int regex_setup(const struct cli_ctx *ctx)
{
    char err[IQ_ERR_MAX];
    json_t *file = NULL;
    int r = 0;

    if (!ctx->config_path)
        return 0;
    if (iq_conf_load_file(ctx->config_path, &file, err, sizeof(err)) < 0 ||
        iq_re_setup(json_object_get(file, "regex"), err, sizeof(err)) < 0)
        r = cli_usage("%s: %s", ctx->config_path, err);
    json_decref(file);
    return r;
}

int main(int argc, char **argv)
{
    struct cli_ctx ctx = {
        .zmq_endpoint = getenv("INQUEST_ZMQ") ? getenv("INQUEST_ZMQ") : "tcp://127.0.0.1:7701",
        .data_dir = getenv("INQUEST_DATA") ? getenv("INQUEST_DATA") : "./inquest-data",
        .http_url = getenv("INQUEST_HTTP") ? getenv("INQUEST_HTTP") : "http://127.0.0.1:7700",
        .config_path = getenv("INQUEST_CONFIG"),
        .token = getenv("INQUEST_TOKEN") && *getenv("INQUEST_TOKEN") ? getenv("INQUEST_TOKEN") : NULL,
        .cacert = getenv("INQUEST_CACERT"),
        .zmq_key = getenv("INQUEST_ZMQ_KEY"),
        .zmq_server_key = getenv("INQUEST_ZMQ_SERVER_KEY"),
        .commands = cli_commands,
        .data_given = getenv("INQUEST_DATA") ? CLI_GIVEN_ENV : CLI_GIVEN_DEFAULT,
        .http_given = getenv("INQUEST_HTTP") && *getenv("INQUEST_HTTP") ? CLI_GIVEN_ENV
                                                                          : CLI_GIVEN_DEFAULT,
    };
    const struct cli_command *cmd = NULL;
    char *token = NULL, **args;
    int nargs = 0, status;

    iq_log_set_program("inquest");
    iq_log_level_current = IQ_LOG_WARN;
    args = calloc((size_t)argc + 1, sizeof(*args));
    if (!args) {
        fputs("inquest: out of memory\n", stderr);
        return CLI_EXIT_USAGE;
    }
    status = split_args(&ctx, &token, argc, argv, &cmd, args, &nargs);
    if (status)
        status--;
    else if ((status = regex_setup(&ctx)) == 0)
        status = permute(cmd, args, nargs) < 0 ? cli_usage("out of memory")
                                               : cmd->main(&ctx, nargs, args);
    free(args);
    free(token);
    return status;
}

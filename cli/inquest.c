/* inquest.c - main() of the `inquest` command-line tool.
 *
 * Parses the global options (--zmq, --zmq-key, --zmq-server-key, --data,
 * --http, --config, --token-file, --cacert, --quiet, --help, --version), then
 * dispatches to the subcommand named next, from
 * the table in cli_commands.c.  Everything else lives in the stages and in
 * the cli_<command>.c files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iq_log.h"
#include "iq_file.h"
#include "iq_paths.h"
#include "iq_version.h"

static void help(FILE *f)
{
    fprintf(f, "usage: inquest [--zmq ENDPOINT] [--zmq-key FILE --zmq-server-key FILE.pub] "
               "[--data DIR] [--http URL] [--config FILE] [--quiet] COMMAND [ARGS]\n\n"
               "  --zmq ENDPOINT  ingest endpoint of inquestd (default tcp://127.0.0.1:7701)\n"
               "  --zmq-key FILE  CurveZMQ: this client's secret key file (inquest keygen)\n"
               "  --zmq-server-key FILE.pub\n"
               "                  CurveZMQ: the public key file of inquestd's zmq_curve_key\n"
               "  --data DIR      data directory, read offline (default ./inquest-data)\n"
               "  --http URL      inquestd HTTP API (default http://127.0.0.1:7700)\n"
               "  --config FILE   configuration file (JSON), as given to inquestd\n"
               "  --token-file F  bearer token for the HTTP API (or INQUEST_TOKEN); with one,\n"
               "                  incident and class notes go to --http with it\n"
               "  --cacert FILE   CA certificates for an https:// --http (or INQUEST_CACERT)\n"
               "  --log-format F  text (default), logfmt or json, for the lines it logs\n\n"
               "commands:\n");
    for (const struct cli_command *c = cli_commands; c->name; c++)
        fprintf(f, "  %-46s %s\n", c->usage, c->summary);
}

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
    };
    const struct cli_command *cmd = NULL;
    char *token = NULL;
    int i, status;

    iq_log_set_program("inquest");
    iq_log_level_current = IQ_LOG_WARN;
    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *v;

        if (strcmp(argv[i], "--help") == 0) {
            help(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("inquest %s\n", IQ_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "--quiet") == 0) {
            ctx.quiet = true;
            continue;
        }
        if ((v = opt_value(argc, argv, &i, "--zmq")))
            ctx.zmq_endpoint = v;
        else if ((v = opt_value(argc, argv, &i, "--zmq-key")))
            ctx.zmq_key = v;
        else if ((v = opt_value(argc, argv, &i, "--zmq-server-key")))
            ctx.zmq_server_key = v;
        else if ((v = opt_value(argc, argv, &i, "--data")))
            ctx.data_dir = v;
        else if ((v = opt_value(argc, argv, &i, "--http")))
            ctx.http_url = v;
        else if ((v = opt_value(argc, argv, &i, "--config")))
            ctx.config_path = v;
        else if ((v = opt_value(argc, argv, &i, "--cacert")))
            ctx.cacert = v;
        else if ((v = opt_value(argc, argv, &i, "--log-format"))) {
            if (iq_log_set_format(v) < 0) {
                free(token);
                return cli_usage("--log-format: text, logfmt or json, not '%s'", v);
            }
        }
        else if ((v = opt_value(argc, argv, &i, "--token-file"))) {
            free(token);
            token = NULL;
            if (read_token(v, &token))
                return 2;
            ctx.token = token;
        } else {
            help(stderr);
            free(token);
            return cli_usage("unknown or incomplete option '%s'", argv[i]);
        }
    }
    for (const struct cli_command *c = cli_commands; i < argc && c->name && !cmd; c++)
        if (strcmp(c->name, argv[i]) == 0)
            cmd = c;
    if (!cmd) {
        help(stderr);
        if (i < argc)
            cli_usage("unknown command '%s'", argv[i]);
        free(token);
        return 2;
    }
    status = cmd->main(&ctx, argc - i, argv + i);
    free(token);
    return status;
}

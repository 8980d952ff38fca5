/* cli.h - the `inquest` command-line tool: global options and the command
 * table.
 *
 * Each subcommand lives in its own file cli/cli_<name>.c and exports one
 * entry point; cli/cli_commands.c lists them in one static table, so adding
 * a command is a new file plus one line.  main() in cli/inquest.c parses
 * the global options, then hands argc/argv (starting at the command name)
 * to the command. */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>

/* Where a global option's value came from. */
enum cli_given { CLI_GIVEN_DEFAULT = 0, CLI_GIVEN_ENV, CLI_GIVEN_ARG };

/* Global options shared by all commands. Borrowed strings from argv/env. */
struct cli_ctx {
    const char *zmq_endpoint;   /* --zmq, default tcp://127.0.0.1:7701 */
    const char *data_dir;       /* --data, default ./inquest-data */
    const char *http_url;       /* --http, default http://127.0.0.1:7700 */
    const char *config_path;    /* --config, optional JSON config file */
    const char *token;          /* INQUEST_TOKEN or --token-file: bearer token for --http */
    const char *cacert;         /* --cacert, INQUEST_CACERT: CA bundle for an https --http */
    const char *zmq_key;        /* --zmq-key, CurveZMQ secret key file, or NULL */
    const char *zmq_server_key; /* --zmq-server-key, the ingest's public key file, or NULL */
    enum cli_given data_given;  /* --data: from the command line, INQUEST_DATA or default */
    enum cli_given http_given;  /* --http: the same; the reading commands ask the
                                 * API when it was given (cli_remote.h) */
    const char *tz;             /* --tz ZONE, or NULL (then TZ) */
    bool quiet;                 /* --quiet */
    const struct cli_command *commands; /* the command table, for `completion` */
};

struct cli_command;

/* A command's entry: argv[0] is the command name.  Returns the process exit
 * status, one of cli_exit.h. */
typedef int (*cli_main_fn)(const struct cli_ctx *ctx, int argc, char **argv);

/* The one source of a command's --help, its man page (tools/gen_man.sh
 * reads the --help text) and its shell completion (cli_help.c). */
struct cli_command {
    const char *name;      /* "send" */
    cli_main_fn main;      /* entry point */
    const char *usage;     /* one line: "send [FILE|-]" */
    const char *summary;   /* one line of help */
    const char *description; /* a paragraph, or NULL */
    const char *options;   /* "--flag ARG\thelp\n" lines, or NULL; an ARG
                            * (upper case after a blank) means it takes a value */
};

extern const struct cli_command cli_commands[];   /* terminated by {NULL} */

/* Print "inquest: " + message to stderr; returns 2 for `return cli_usage(...)`
 * (cli_usage.c). */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/* cli_commands.c - the table of `inquest` subcommands.
 *
 * One line per command; the entry points are declared here rather than in
 * one header per command, to keep adding a command a two-line change. */
#include <stddef.h>

#include "cli.h"

int cli_send_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_events_main(const struct cli_ctx *ctx, int argc, char **argv);

const struct cli_command cli_commands[] = {
    { "send",   cli_send_main,   "send [FILE|-]",
      "send canonical events (NDJSON) to inquestd and wait for acknowledgements" },
    { "events", cli_events_main, "events [--since T] [--until T] [--service S] [--kind K] [--json]",
      "list stored events" },
    { NULL, NULL, NULL, NULL },
};

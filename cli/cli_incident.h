/* cli_incident.h - shared pieces of the `inquest incident` commands. */
#ifndef CLI_INCIDENT_H
#define CLI_INCIDENT_H

#include "cli.h"

struct store;

/* Open the data directory read-only; prints the error.  0 or exit status 2. */
int cli_incident_open(const struct cli_ctx *ctx, const char *cmd, struct store **ret);

/* merge, split, set and attach: argv[0] "incident", argv[1] the subcommand. */
int cli_incident_note_main(const struct cli_ctx *ctx, int argc, char **argv);

/* Entry points listed in cli_commands.c. */
int cli_incidents_main(const struct cli_ctx *ctx, int argc, char **argv);
int cli_incident_main(const struct cli_ctx *ctx, int argc, char **argv);

#endif

/* cli_help.h - the --help texts and shell completions of `inquest`,
 * printed from the command table (cli.h).  Implementation: cli_help.c. */
#ifndef CLI_HELP_H
#define CLI_HELP_H

#include <stdio.h>

#include "cli.h"

/* The global options, "--flag ARG\thelp\n" lines (as cli_command.options). */
extern const char cli_global_options[];

/* `inquest --help`: the global options and every command of cmds. */
void cli_help_tool(FILE *f, const struct cli_command *cmds);

/* `inquest CMD --help`. */
void cli_help_command(FILE *f, const struct cli_command *c);

#endif

/* cli_usage.c - the one way every `inquest` command reports a usage error.
 *
 * cli_usage (contract in cli.h) prints "inquest: " and the message to
 * stderr and returns exit status 2, so a command writes
 * `return cli_usage("...")`.  It lives in its own file, below the
 * commands and below main() in inquest.c, so that the commands depend on
 * it and not on the file that lists them: inquest.c uses the command
 * table (cli_commands.c), which uses every command, which uses this file,
 * and nothing points back up (make check-layers). */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

int cli_usage(const char *fmt, ...)
{
    va_list ap;

    fputs("inquest: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

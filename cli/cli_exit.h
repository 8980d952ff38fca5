/* cli_exit.h - the exit status of every `inquest` command and of inquestd,
 * one table (docs/cli.md, "Exit status"). */
#ifndef CLI_EXIT_H
#define CLI_EXIT_H

enum cli_exit {
    CLI_EXIT_OK = 0,          /* done, nothing to report */
    CLI_EXIT_FINDINGS = 1,    /* findings or differences: lint, correlate --diff,
                               * rejected events, refused deliveries */
    CLI_EXIT_USAGE = 2,       /* usage, bad input or a local I/O error */
    CLI_EXIT_NOTFOUND = 3,    /* the incident, event or file named does not exist */
    CLI_EXIT_UNAVAILABLE = 4, /* inquestd or the store could not be reached in time */
};

#endif

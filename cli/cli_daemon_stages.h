/* cli_daemon_stages.h - inquestd's stages as one table: start them in
 * order, run until the stop signal, stop them in reverse.
 *
 * cli_daemon.c parses the configuration and calls iqd_stages_run; the
 * rows and their adapters (cli_daemon_stages.c) hand each stage its own
 * config section and the shared objects (store, HTTP server, ZeroMQ
 * context and endpoint). */
#ifndef CLI_DAEMON_STAGES_H
#define CLI_DAEMON_STAGES_H

#include <signal.h>

struct iqd_config;

/* Start the stages of cfg's mode (the central daemon with its store, or
 * with cfg->collector the collector that forwards to cfg->forward), in
 * table order; a failed start stops what started, in reverse.  Once all
 * started, serve until *stop becomes non-zero, then stop every stage in
 * reverse order; reload (cli_daemon_reload.h, may be NULL) serves POST
 * /-/reload once the listener is up and is armed once every stage
 * started.  cfg and reload are borrowed.  Errors are logged.  Returns the
 * process exit status: 0 after a clean stop, 2 for a configuration the
 * collector cannot use, 1 for any other failure. */
struct iqd_reload;
int iqd_stages_run(const struct iqd_config *cfg, struct iqd_reload *reload,
                   volatile sig_atomic_t *stop);

#endif

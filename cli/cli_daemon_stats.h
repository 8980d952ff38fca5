/* cli_daemon_stats.h - inquestd's shutdown summary. */
#ifndef CLI_DAEMON_STATS_H
#define CLI_DAEMON_STATS_H

struct store;
struct ing_server;
struct wh_daemon;

/* Log "stopped: N events stored, ..." with what every ingest path took:
 * the store's totals (every path), then the ZeroMQ ingest's and the HTTP
 * webhooks' own figures.  Any argument may be NULL (that part counts 0).
 * All borrowed. */
void iqd_log_stopped(struct store *store, const struct ing_server *srv,
                     struct wh_daemon *http);

#endif

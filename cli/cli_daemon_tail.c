/* cli_daemon_tail.c - inquestd's `logs` section handed to the log
 * collector (ingest/in_tail/tail_daemon.c), which holds its keys, its
 * thread and its checkpoint.
 *
 * Design notes.  Only the translation lives here: struct iqd_config is the
 * daemon's table (cli_daemon.c) and the collector takes the section and
 * the data directory, so that neither knows the other's layout.  The keys
 * of the section are the table of ingest/in_tail/tail_config.c, shared
 * with `inquest tail` (cli_tail.c). */
#include "cli_daemon_tail.h"

#include "cli_daemon.h"

int iqd_tail_start(const struct iqd_config *cfg, void *zctx, const char *endpoint,
                   struct iq_metrics *metrics, struct tail_daemon **ret)
{
    return tail_daemon_start(cfg->logs, cfg->data, zctx, endpoint, metrics, ret);
}

/* cli_daemon_tail.h - inquestd's log collector: the `logs` config section
 * handed to the log collector (ingest/in_tail/tail_daemon.h). */
#ifndef CLI_DAEMON_TAIL_H
#define CLI_DAEMON_TAIL_H

#include "tail_daemon.h"

struct iqd_config;

/* tail_daemon_start with cfg->logs and cfg->data: validate the section
 * (NULL: no collector, *ret = NULL) and its rules, and start the
 * collector thread, sending to endpoint (the ingest's inproc one, copied).
 * zctx and metrics (may be NULL) are borrowed and must outlive the stage.
 * Errors are logged.  Caller owns *ret (tail_daemon_stop).  0, -EINVAL,
 * -ENOENT, -ENOMEM. */
int iqd_tail_start(const struct iqd_config *cfg, void *zctx, const char *endpoint,
                   struct iq_metrics *metrics, struct tail_daemon **ret);

#endif

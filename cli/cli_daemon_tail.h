/* cli_daemon_tail.h - inquestd's log collector: the `logs` config section.
 *
 * When the daemon's configuration has a `logs` object, the log collector
 * of `inquest tail` runs inside inquestd on its own thread, following the
 * listed files and sending to the daemon's own ZeroMQ ingest endpoint
 * (the same acknowledged path as the standalone command, so checkpoints
 * advance only after the store made the events durable).  Its checkpoint
 * is a state file in the data directory (tail.state) unless `state` says
 * otherwise. */
#ifndef CLI_DAEMON_TAIL_H
#define CLI_DAEMON_TAIL_H

struct iqd_config;
struct iqd_tail;

/* Validate cfg->logs (NULL: no collector, *ret = NULL) and its rules, and
 * start the collector thread, sending to endpoint (the ingest's inproc
 * one, copied).  zctx is borrowed and must outlive the stage.  Errors
 * name the key or the rule file and are logged.  Caller owns *ret.
 * 0, -EINVAL, -ENOMEM. */
int iqd_tail_start(const struct iqd_config *cfg, void *zctx, const char *endpoint,
                   struct iqd_tail **ret);

/* Stop the collector (it saves its checkpoint), join, free, NULL *pt.
 * NULL-safe. */
void iqd_tail_stop(struct iqd_tail **pt);

#endif

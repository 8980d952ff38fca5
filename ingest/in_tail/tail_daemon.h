/* tail_daemon.h - the log collector inside inquestd: the `logs` section.
 *
 * When the daemon's configuration has a `logs` object, the log collector
 * of `inquest tail` runs inside inquestd on its own thread, following the
 * listed files and sending to the daemon's own ZeroMQ ingest endpoint
 * (the same acknowledged path as the standalone command, so checkpoints
 * advance only after the store made the events durable).  Its checkpoint
 * is a state file in the data directory (tail.state) unless `state` says
 * otherwise.  Keys and bounds: tail_config.h. */
#ifndef TAIL_DAEMON_H
#define TAIL_DAEMON_H

#include <jansson.h>

struct tail_daemon;
struct iq_metrics;

/* Validate logs (the section, borrowed for the call; NULL or JSON null:
 * no collector, *ret = NULL) and its rules, and start the collector
 * thread, sending to endpoint (the ingest's inproc one, copied), with its
 * default checkpoint in data_dir, counting into metrics (inquest_logs_*;
 * may be NULL).  zctx and metrics are borrowed and must outlive the
 * stage.  Errors name the key or the rule file and are logged.  Caller
 * owns *ret.  0, -EINVAL, -ENOENT (no rules found), -ENOMEM. */
int tail_daemon_start(const json_t *logs, const char *data_dir, void *zctx, const char *endpoint,
                      struct iq_metrics *metrics, struct tail_daemon **ret);

/* Check logs and its rules as tail_daemon_start does, starting nothing:
 * 0 (NULL or null: no collector), or -EINVAL / -ENOENT / -ENOMEM with err
 * naming the key ("config 'logs.files': ..."); nothing logged. */
int tail_daemon_check(const json_t *logs, const char *data_dir, char *err, size_t errsz);

/* Stop the collector (it saves its checkpoint), join, free, NULL *pt.
 * NULL-safe. */
void tail_daemon_stop(struct tail_daemon **pt);

#endif

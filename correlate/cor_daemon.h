/* cor_daemon.h - the correlator as a stage of inquestd: start and stop.
 *
 * The daemon's stage table (cli/cli_daemon_stages.c) starts it once the
 * store is open and stops it after the ingest stopped, before the store
 * closes.  Its HTTP side is separate: cor_api.h. */
#ifndef COR_DAEMON_H
#define COR_DAEMON_H

#include <jansson.h>

struct cor_daemon;
struct store;
struct iq_metrics;

/* Apply the "correlate" config section (section, may be NULL: defaults;
 * correlate/cor_config.c has the table) and start the correlator on st:
 * a catch-up rebuild of every incident, then incremental updates shortly
 * after every stored batch (cor_live.h).  section and st are borrowed; st
 * must outlive the stage; metrics (may be NULL) gets inquest_correlator_*
 * and must outlive it too.  Errors are logged.  Caller owns *ret.  0 or a
 * negative errno. */
int cor_daemon_start(const json_t *section, struct store *st, struct iq_metrics *metrics,
                     struct cor_daemon **ret);

/* Apply section (may be NULL: defaults) as the new rules: the update in
 * progress finishes with the old ones, then every incident is rebuilt
 * with the new.  0 (also when c is NULL), or -EINVAL / -ENOMEM with err
 * naming the key; then the running rules stay.  Any thread. */
int cor_daemon_use(struct cor_daemon *c, const json_t *section, char *err, size_t errsz);

/* Stop the correlator (its rebuild in progress finishes), log its
 * counts, free, NULL *pd.  NULL-safe. */
void cor_daemon_stop(struct cor_daemon **pd);

/* The running correlator (borrowed, valid until cor_daemon_stop), for
 * stages that wait for it or ask it to rebuild; NULL when c is NULL. */
struct cor_live;
struct cor_live *cor_daemon_live(struct cor_daemon *c);

#endif

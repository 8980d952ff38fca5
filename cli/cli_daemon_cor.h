/* cli_daemon_cor.h - inquestd's correlator stage: start and stop. */
#ifndef CLI_DAEMON_COR_H
#define CLI_DAEMON_COR_H

struct iqd_config;
struct iqd_cor;
struct cor_live;
struct ing_store;
struct ing_http;

/* Apply the "correlate" config section (cfg->correlate, may be NULL),
 * start the correlator on st (catch-up rebuild, then incremental updates)
 * and, when http is not NULL, register GET /api/v1/incidents and
 * /api/v1/incidents/ID on it (before it starts).  cfg, st and http are
 * borrowed; st must outlive the stage.  Errors are logged.  Caller owns
 * *ret.  0 or a negative errno. */
int iqd_cor_start(const struct iqd_config *cfg, struct ing_store *st, struct ing_http *http,
                  struct iqd_cor **ret);

/* The running correlator (borrowed; NULL when c is NULL), for the admin
 * API's retention passes (cli_daemon_admin.c). */
struct cor_live *iqd_cor_live(struct iqd_cor *c);

/* Stop the correlator (after the ingest stopped, before the store
 * closes), free, NULL *pc.  NULL-safe. */
void iqd_cor_stop(struct iqd_cor **pc);

#endif

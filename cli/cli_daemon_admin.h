/* cli_daemon_admin.h - inquestd's admin API (backup, retention) and its
 * periodic retention job. */
#ifndef CLI_DAEMON_ADMIN_H
#define CLI_DAEMON_ADMIN_H

struct iqd_config;
struct iqd_admin;
struct iqd_cor;
struct ing_store;
struct ing_http;

/* Read the "retention" section (cfg->retention; a bad one is logged and
 * refused with -EINVAL), register POST /api/v1/admin/ on http (may be
 * NULL: no API, the job still runs) before it starts, and start the
 * periodic retention job when a cutoff is set.  st, http and cor (may be
 * NULL) are borrowed and must outlive the stage.  Caller owns *ret.  0 or a
 * negative errno. */
int iqd_admin_start(const struct iqd_config *cfg, struct ing_store *st, struct ing_http *http,
                    struct iqd_cor *cor, struct iqd_admin **ret);

/* Stop the job (a pass in progress finishes), free, NULL *pa.  NULL-safe.
 * After the HTTP server is destroyed, before the correlator and the store. */
void iqd_admin_stop(struct iqd_admin **pa);

#endif

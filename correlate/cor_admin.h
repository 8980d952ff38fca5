/* cor_admin.h - inquestd's admin API (backup, retention) and its
 * periodic retention job. */
#ifndef COR_ADMIN_H
#define COR_ADMIN_H

#include <jansson.h>

struct cor_admin;
struct cor_live;
struct store;
struct http_server;

/* Read the "retention" section (retention, may be NULL; a bad one is
 * logged and refused with -EINVAL), register POST /api/v1/admin/ on http
 * (may be NULL: no API, the job still runs) before it starts, and start
 * the periodic retention job when a cutoff is set.  st, http and live (the
 * correlator, may be NULL) are borrowed and must outlive the stage.
 * Caller owns *ret.  0 or a negative errno. */
int cor_admin_start(const json_t *retention, struct store *st, struct http_server *http,
                    struct cor_live *live, struct cor_admin **ret);

/* Stop the job (a pass in progress finishes), free, NULL *pa.  NULL-safe.
 * After the HTTP server is destroyed, before the correlator and the store. */
void cor_admin_stop(struct cor_admin **pa);

#endif

/* pm_api.h - the synced postmortems over inquestd's HTTP API, what
 * `inquest postmortems list|show` print from the data directory. */
#ifndef PM_API_H
#define PM_API_H

#include "http.h"

struct store;

/* Register on http (before it starts), reading st (borrowed; must outlive
 * http):
 *   GET /api/v1/postmortems      every current record, an object id -> record
 *                                (pm_store_all)
 *   GET /api/v1/postmortems/ID   {"postmortem": record, "history": [versions]}
 *                                (pm_store_get, pm_store_history); 404 with
 *                                {"error": ...} when none was synced for ID
 * Both need the read role (http_access.c: routes it does not name).  0 or
 * the error of http_add_route. */
int pm_api_add(struct http_server *http, struct store *st);

#endif

/* cor_api.h - the incidents API of inquestd: GET /api/v1/incidents,
 * /api/v1/incidents/ID and /api/v1/unattached, POST
 * /api/v1/incidents/ID/notes, and the sub-resources other stages serve
 * below an incident.
 *
 * Registered on the HTTP server before it starts (http.h routes).
 * Another stage that serves something below an incident (render/: the
 * drafts at /api/v1/incidents/ID/draft.md) adds a sub-resource here with
 * cor_api_add_sub, so the correlator's handler hands those paths on
 * without knowing the stage. */
#ifndef COR_API_H
#define COR_API_H

#include "http.h"

struct cor_api;
struct cor_note_action;
struct store;

#define COR_API_SUBS_MAX 8        /* sub-resources below an incident */

/* Register on http (before it starts):
 *   GET /api/v1/incidents[?since=T]   JSON array of every incident, opening order
 *   GET /api/v1/incidents/ID          one incident (schemas/incident.schema.json),
 *                                     404 {"error": ...} when unknown
 *   GET /api/v1/unattached[?since=T]  the evidence that could belong to several
 *                                     open incidents and joined none
 *   POST /api/v1/incidents/ID/notes   an audit note (a note request, cor_note.h)
 *                                     from an admin token, built from the actions
 *                                     of notes (a NULL-terminated list of tables,
 *                                     cor_note_build) and stored in st: 201, 400,
 *                                     403, 404 or 503 with {"error": ...}
 * reading st (borrowed; must outlive http; notes too).  *ret is the
 * handlers' context: free it only after http stopped.  Errors are logged.
 * Caller owns *ret.  0, -ENOMEM or the error of http_add_route. */
int cor_api_add(struct http_server *http, struct store *st,
                const struct cor_note_action *const *notes, struct cor_api **ret);

/* Hand every GET below /api/v1/incidents/ID whose path contains infix
 * after the id (e.g. "/draft.") to fn with ud (borrowed; must outlive the
 * server), which checks the rest of the path itself.  Sub-resources are
 * tried in the order they were added.  Before the server starts.  infix
 * is copied.  0, -E2BIG (more than COR_API_SUBS_MAX, or an infix over 31
 * bytes), -EINVAL (empty infix). */
int cor_api_add_sub(struct cor_api *api, const char *infix, http_handler_fn fn, void *ud);

/* Register GET /api/v1/events[?since=T&until=T&service=S&kind=K] on http
 * (before it starts): the stored events of st (borrowed; must outlive
 * http) as NDJSON of canonical events, as `inquest events --json` prints
 * them (correlate/cor_api_events.c); 413 past 64 MiB.  0 or the error of
 * http_add_route. */
int cor_api_events_add(struct http_server *http, struct store *st);

/* Free, NULL *pa (after the server stopped).  NULL-safe. */
void cor_api_free(struct cor_api **pa);

#endif

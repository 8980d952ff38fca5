/* rnd_api.h - the drafts API of inquestd: GET
 * /api/v1/incidents/ID/draft.md, .html or .json, rendered on demand from
 * the store.
 *
 * The path lies under the correlator's incidents API (correlate/): the
 * handler is reached through it, never registered on the HTTP server by
 * itself. */
#ifndef RND_API_H
#define RND_API_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct ing_store;
struct ing_http_request;
struct ing_http_response;

#define RND_API_INCIDENTS "/api/v1/incidents/"   /* the drafts are below it */
#define RND_API_ID_MAX 128                        /* longest incident id served */

/* Is s (n bytes, not NUL-terminated) an incident id the drafts API and
 * the drafts directory accept: 1 to RND_API_ID_MAX characters of
 * [A-Za-z0-9._-], not starting with a dot (never a path)? */
bool rnd_api_valid_id(const char *s, size_t n);

/* GET /api/v1/incidents/ID/draft.md, .html or .json (query:
 * template=NAME, audience=internal|external, pseudonymize=1) from store st,
 * with people the configured slack_users and external_links the hosts
 * external drafts may link to (each may be NULL); all borrowed.  A caller
 * limited to the external audience always gets the external, pseudonymised
 * draft, whatever its query says.  Fills resp: 200, 400 (bad id or query),
 * 404 (no such incident or path), 500. */
int rnd_api_draft_get(struct ing_store *st, const json_t *people, const json_t *external_links,
                      const struct ing_http_request *rq, struct ing_http_response *resp);

#endif

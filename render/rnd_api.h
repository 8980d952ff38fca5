/* rnd_api.h - the drafts API of inquestd: GET
 * /api/v1/incidents/ID/draft.md, .html or .json, rendered on demand from
 * the store.
 *
 * The path lies under the correlator's incidents API (correlate/cor_api.h):
 * rnd_api_add adds the drafts there as a sub-resource, so the URLs stay
 * below /api/v1/incidents/ID without the correlator knowing render/. */
#ifndef RND_API_H
#define RND_API_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct cor_api;
struct store;
struct rnd_api;
struct http_request;
struct http_response;

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
int rnd_api_draft_get(struct store *st, const json_t *people, const json_t *external_links,
                      const struct http_request *rq, struct http_response *resp);

/* What the drafts API takes from the daemon's "drafts" section; all
 * borrowed, each may be NULL. */
struct rnd_api_conf {
    const json_t *people;          /* slack_users */
    const json_t *external_links;  /* hosts external drafts may link to */
    const char *public_url;        /* base URL of timeline=public links */
    const json_t *tz;              /* drafts.tz: zones by template (rnd_local.h) */
};

/* rnd_api_draft_get with the whole configuration, and the query's
 * redact=1, timeline=relative|public|none (the Markdown's link to the
 * timeline: "timeline.svg" beside the draft (default), PUBLIC_URL/api/v1/
 * incidents/ID/timeline.svg when c->public_url is set, or none) and
 * generated_at=T (RFC 3339; the front matter's time instead of the
 * clock) and tz=ZONE (local times beside UTC, a zoneinfo name; default
 * c->tz's zone for the template; tz=UTC: none); 400 for an unknown zone. */
int rnd_api_draft_serve(struct store *st, const struct rnd_api_conf *c,
                        const struct http_request *rq, struct http_response *resp);

/* Serve the drafts below the incidents API incidents (borrowed; must
 * outlive the HTTP server): GET /api/v1/incidents/ID/draft.* answered by
 * rnd_api_draft_get on st (borrowed), with the "slack_users" and
 * "external_links" of the daemon's "drafts" config section (section,
 * may be NULL; checked here, refused with the reason logged; a reference
 * is kept).  Before the server starts.  Caller owns *ret, the handler's
 * context: free it after the server stopped.  0, -EINVAL, -ENOMEM,
 * -E2BIG (cor_api_add_sub). */
int rnd_api_add(struct cor_api *incidents, const json_t *section, struct store *st,
                struct rnd_api **ret);

/* Use the "drafts" section's slack_users, external_links, public_url and
 * tz of section (may be NULL; a reference is kept) for the requests that
 * arrive from now on.  0 (also when a is NULL), or -EINVAL with err; then
 * the running settings stay.  Any thread. */
int rnd_api_use(struct rnd_api *a, const json_t *section, char *err, size_t errsz);

/* Free, NULL *pa (after the server stopped).  NULL-safe. */
void rnd_api_free(struct rnd_api **pa);

#endif

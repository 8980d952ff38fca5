/* rnd_ui.h - inquestd's web UI: server-rendered HTML pages under /ui/.
 *
 *   GET /                     302 to /ui/
 *   GET /ui/                  the incidents list: filters, title search,
 *                             sortable columns, paging
 *   GET /ui/incidents/ID      one incident: milestones, durations, the
 *                             visual timeline, trigger candidates,
 *                             recurrence, the rendered draft, its events
 *   GET /ui/query             analytics: incidents per month by failure
 *                             class, MTTD/MTTA/MTTM/MTTR medians per month,
 *                             recurring failures
 *   GET /ui/assets/ui.css     the stylesheet, compiled into the binary
 * Parameters and their checks are in docs/ui.md; a bad one is answered 400
 * with a page that names it.  Every page works without JavaScript (there
 * is none), loads nothing from another origin and is served with a strict
 * Content-Security-Policy.  Access is the HTTP server's (http_access.h):
 * the paths need the read role, which an external-audience token lacks
 * here (403).
 *
 * The pages read the store through the same code as the JSON APIs and
 * `inquest query`: analyze/ana_query.h for the list and the analytics,
 * render/rnd_draft.h for an incident and its draft, the correlator's
 * unattached list for the evidence no incident took. */
#ifndef RND_UI_H
#define RND_UI_H

#include <stddef.h>
#include <jansson.h>

struct ana_http_query;
struct http_request;
struct http_response;
struct http_server;
struct rnd_ui;
struct store;

#define RND_UI_PREFIX "/ui"

/* A UI reading st, classifying with the query API's taxonomy (query's,
 * taken per request: ana_http_query_classes_hold, so a reload applies;
 * query may be NULL: stored classes and class notes only), naming chat
 * users with the "slack_users" of the daemon's "drafts" section (section,
 * may be NULL; a reference is kept).  st and query are borrowed and must
 * outlive the UI.  Caller owns *ret.  0, -EINVAL (a bad slack_users, err
 * says why), -ENOMEM. */
int rnd_ui_new(struct store *st, struct ana_http_query *query, const json_t *section,
               struct rnd_ui **ret, char *err, size_t errsz);

/* Use the "slack_users" of section (may be NULL) for the requests that
 * arrive from now on (a reload).  0 (also when ui is NULL), or -EINVAL
 * with err; then the running names stay.  Any thread. */
int rnd_ui_use(struct rnd_ui *ui, const json_t *section, char *err, size_t errsz);

/* Serve ui on http (before it starts): GET /ui... and GET / (the redirect;
 * any other path keeps the server's JSON 404).  ui must outlive the
 * server.  0 or the error of http_add_route. */
int rnd_ui_add(struct http_server *http, struct rnd_ui *ui);

/* Answer rq (the routes' http_handler_fn; ud is the UI): any path the
 * routes take.  Fills resp: 200, 302, 400, 404 or 500, HTML but for the
 * stylesheet and the JSON 404 outside /ui.  0 or -ENOMEM. */
int rnd_ui_get(void *ud, const struct http_request *rq, struct http_response *resp);

/* Free and NULL *pui (after the server stopped).  NULL-safe. */
void rnd_ui_free(struct rnd_ui **pui);

/* -- parts exposed for their unit tests (tests/unit/rnd_ui_test.c) -- */

/* One month of a month axis: its key ("2026-03") and the group of
 * ana_query_run grouped by month that has that key, or NULL. */
struct rnd_ui_month {
    char key[16];             /* "YYYY-MM" */
    const json_t *group;      /* borrowed from the groups */
};

#define RND_UI_MONTHS_MAX 240   /* twenty years on one chart */

/* The month axis of groups (the "groups" array of ana_query_run grouped
 * by month, keys in order): every month from the first key to the last,
 * months without incidents included (group NULL), at most
 * RND_UI_MONTHS_MAX, the latest kept.  Writes up to max entries to ret.
 * Returns the number written, or -EINVAL for a key that is not "YYYY-MM"
 * or out of order. */
int rnd_ui_months(const json_t *groups, struct rnd_ui_month *ret, size_t max);

#endif

/* cli_daemon_rnd.h - inquestd's draft delivery: when an incident closes,
 * write its postmortem draft to the drafts directory and notify outbound
 * webhooks; serve drafts over HTTP.
 *
 * Wiring (cli_daemon.c), after the store is open:
 *   iqd_drafts_start(cfg.drafts, cfg.data, api_url, store, &drafts);
 * (cfg.drafts: an IQ_CONF_JSON item "drafts") and iqd_drafts_destroy(&drafts)
 * before the store closes.  The HTTP
 * handler of /api/v1/incidents (cli_daemon_cor.c) hands paths ending in
 * /draft.md, /draft.html, /draft.json or /timeline.svg to
 * iqd_drafts_http_get. */
#ifndef CLI_DAEMON_RND_H
#define CLI_DAEMON_RND_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct ing_store;
struct ing_http_request;
struct ing_http_response;
struct iqd_drafts;

struct iqd_drafts_opts {
    const char *dir;           /* drafts directory (created); NULL or "off": no watcher */
    const char *webhooks;      /* "slack=URL,generic=URL"; NULL or "": none */
    const char *public_url;    /* base URL of the HTTP API for links in notices; may be NULL */
    const char *tmpl;          /* template name or file; NULL: "default" */
    const char *schemas_dir;   /* NULL: the default search */
    bool pseudonymize;
    const json_t *people;      /* slack_users: {"U0123": "Ana"}, borrowed (a
                                  reference is kept); NULL: none */
    int64_t poll_ms;           /* 0: 1000 */
    unsigned retries;          /* webhook retries after the first try */
    int64_t backoff_ms;        /* 0: 500, doubled per retry */
};

/* Validate opts (webhook list, template), create the drafts directory and
 * start the watcher thread, which polls the incidents every poll_ms and
 * drafts each newly closed incident once (remembered in the store's state
 * family, so a restart does not notify again; a re-derived incident whose
 * closing time changed is drafted again).  st is borrowed and must outlive
 * the watcher.  *ret is NULL (0 returned) when opts->dir is off.  Errors
 * are logged.  Caller owns *ret.  Negative errno. */
int iqd_drafts_new(struct ing_store *st, const struct iqd_drafts_opts *opts,
                   struct iqd_drafts **ret);

/* iqd_drafts_new configured from the "drafts" section of inquestd's
 * config (may be NULL: defaults): {"dir": DATA/drafts, "webhooks": "",
 * "public_url": api_url, "template": "default",
 * "pseudonymize": false, "poll": "1s", "retries": 5, "retry_backoff":
 * "500ms"}; api_url is the daemon's own API base URL, e.g.
 * "https://127.0.0.1:7700" (NULL without a listener).  Unknown keys are
 * refused.  Errors are logged.  Borrowed arguments; caller owns *ret. */
int iqd_drafts_start(const json_t *section, const char *data_dir, const char *api_url,
                     struct ing_store *st, struct iqd_drafts **ret);

/* Number of drafts written and of notices delivered so far. */
unsigned long iqd_drafts_written(const struct iqd_drafts *d);
unsigned long iqd_drafts_notified(const struct iqd_drafts *d);

/* Stop the watcher (finishing the draft in progress), free, NULL *pd.
 * NULL-safe. */
void iqd_drafts_destroy(struct iqd_drafts **pd);

/* GET /api/v1/incidents/ID/draft.md, .html, .json or
 * /api/v1/incidents/ID/timeline.svg (the visual timeline; query:
 * template=NAME, audience=internal|external, pseudonymize=1) from store st,
 * with people the configured slack_users and external_links the hosts
 * external drafts may link to (each may be NULL); all borrowed.  A caller
 * limited to the external audience always gets the external, pseudonymised
 * draft, whatever its query says.  Fills resp: 200, 400 (bad id or query),
 * 404 (no such incident or path), 500. */
int iqd_drafts_http_get(struct ing_store *st, const json_t *people, const json_t *external_links,
                        const struct ing_http_request *rq, struct ing_http_response *resp);

#endif

/* rnd_watch.h - inquestd's drafts watcher: when an incident closes, write
 * its postmortem draft to the drafts directory and notify outbound
 * webhooks.
 *
 * Wiring (the daemon's stage table, cli/cli_daemon_stages.c), once the
 * store is open and the HTTP listener has its address:
 *   rnd_watch_start(drafts_section, data_dir, api_url, store, &watch);
 * and rnd_watch_destroy(&watch) before the store closes. */
#ifndef RND_WATCH_H
#define RND_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct store;
struct rnd_watch;
struct iq_metrics;

struct rnd_watch_opts {
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
    const char *tz;            /* zone of the local times beside UTC (rnd_local.h), or NULL */
    struct iq_metrics *metrics; /* registry for inquest_drafts_* (borrowed, must outlive
                                   the watcher); NULL: none */
};

/* Validate opts (webhook list, template), create the drafts directory and
 * start the watcher thread, which polls the incidents every poll_ms and
 * drafts each newly closed incident once (remembered in the store's state
 * family, so a restart does not notify again; a re-derived incident whose
 * closing time changed is drafted again).  st is borrowed and must outlive
 * the watcher.  *ret is NULL (0 returned) when opts->dir is off.  Errors
 * are logged.  Caller owns *ret.  Negative errno. */
int rnd_watch_new(struct store *st, const struct rnd_watch_opts *opts,
                  struct rnd_watch **ret);

/* rnd_watch_new configured from the "drafts" section of inquestd's
 * config (may be NULL: defaults): {"dir": DATA/drafts, "webhooks": "",
 * "public_url": api_url, "template": "default",
 * "pseudonymize": false, "poll": "1s", "retries": 5, "retry_backoff":
 * "500ms", "tz": none}, plus "slack_users" and "external_links" (checked here, used
 * by rnd_api.h too); api_url is the daemon's own API base URL, e.g.
 * "https://127.0.0.1:7700" (NULL without a listener).  Unknown keys are
 * refused.  metrics (may be NULL) gets inquest_drafts_*.  Errors are
 * logged.  Borrowed arguments; caller owns *ret. */
int rnd_watch_start(const json_t *section, const char *data_dir, const char *api_url,
                    struct store *st, struct iq_metrics *metrics, struct rnd_watch **ret);

/* Check a "drafts" section (may be NULL) as rnd_watch_start does, starting
 * nothing: 0, or -EINVAL with err naming the key ("config 'drafts.poll':
 * ..."); nothing logged. */
int rnd_watch_check(const json_t *section, char *err, size_t errsz);

/* The section's table (common/iq_conf.h) and the size of the struct it
 * fills, for printing the effective configuration. */
struct iq_conf_item;
const struct iq_conf_item *rnd_watch_conf_table(size_t *ret_size);

/* Number of drafts written and of notices delivered so far. */
unsigned long rnd_watch_written(const struct rnd_watch *d);
unsigned long rnd_watch_notified(const struct rnd_watch *d);

/* Stop the watcher (finishing the draft in progress), free, NULL *pd.
 * NULL-safe. */
void rnd_watch_destroy(struct rnd_watch **pd);

#endif

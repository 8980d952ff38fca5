/* pm_daemon.h - the postmortems stage of inquestd: a watcher that syncs
 * postmortems_dir whenever a Markdown file in it changes, the reminders of
 * overdue action items and due reviews, and GET /api/v1/followups.
 *
 * The daemon calls pm_daemon_start after ing_http_new and before
 * ing_http_start (the route is registered there), and pm_daemon_stop after
 * the HTTP server is destroyed (its handler uses the stage). */
#ifndef PM_DAEMON_H
#define PM_DAEMON_H

#include <jansson.h>

struct ing_http;
struct ing_store;
struct pm_daemon;

struct pm_daemon_opts {
    const char *dir;            /* postmortems_dir: the tree to watch; NULL or "": none */
    const json_t *section;      /* the "postmortems" config section (docs/followups.md), or NULL */
    const json_t *drafts;       /* the "drafts" section: its webhooks are the default receivers */
};

/* Check the section, register GET /api/v1/followups on http (may be NULL:
 * no HTTP listener), and start the watcher thread when there is a
 * directory to watch or a receiver to remind.  st and http are borrowed.
 * Caller owns *ret.  -EINVAL (logged: a bad key, a bad webhook, a rules
 * directory that does not load), -ENOMEM, or ing_http_add_route's error. */
int pm_daemon_start(const struct pm_daemon_opts *o, struct ing_store *st, struct ing_http *http,
                    struct pm_daemon **ret);

/* Stop the thread (a sync or a reminder pass in progress finishes first),
 * free, NULL *pd.  NULL-safe. */
void pm_daemon_stop(struct pm_daemon **pd);

#endif

/* pm_daemon.h - the postmortems stage of inquestd: a watcher that syncs
 * postmortems_dir whenever a Markdown file in it changes, the reminders of
 * overdue action items and due reviews, and GET /api/v1/followups.
 *
 * Reminders: one message per overdue action item and per follow-up review
 * that is due, at most once a day per receiver, to outbound webhooks
 * (common/iq_hook.h: a Slack incoming webhook or any JSON receiver).  What
 * was sent is remembered in the store (pm_store_mark_*), keyed by the day,
 * the receiver and the item, so a restarted daemon does not send the same
 * reminder twice on one day; a delivery that failed is tried again on the
 * next pass.  Payloads (docs/followups.md):
 *   Slack    {"text": "Overdue action item of inc-... (12 days): ..."}
 *   generic  the follow-up row with "type": "inquest.followup.overdue" or
 *            "inquest.followup.review_due" in place of "kind"
 *
 * The daemon calls pm_daemon_start after wh_server_new and before
 * http_server_start (the route is registered there), and pm_daemon_stop after
 * the HTTP server is destroyed (its handler uses the stage). */
#ifndef PM_DAEMON_H
#define PM_DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "iq_hook.h"

struct http_server;
struct store;
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
 * directory that does not load), -ENOMEM, or http_add_route's error. */
int pm_daemon_start(const struct pm_daemon_opts *o, struct store *st, struct http_server *http,
                    struct pm_daemon **ret);

/* Stop the thread (a sync or a reminder pass in progress finishes first),
 * free, NULL *pd.  NULL-safe. */
void pm_daemon_stop(struct pm_daemon **pd);

#define PM_MARKS_KEEP_DAYS 7   /* days of sent marks kept */

struct pm_remind_opts {
    const struct iq_hook *hooks;   /* borrowed */
    size_t n_hooks;
    unsigned retries;              /* per delivery, after the first try */
    int64_t backoff_ms;
    long timeout_ms;
    int64_t unpublished_after;     /* as pm_follow_query */
};

struct pm_remind_stats {
    unsigned due;        /* reminders due today (per receiver) */
    unsigned sent;       /* delivered by this pass */
    unsigned already;    /* delivered earlier today */
    unsigned failed;     /* not delivered: tried again next pass */
};

/* The payload of one follow-up row (pm_follow.h) for a receiver of shape.
 * Caller owns; NULL on OOM. */
json_t *pm_remind_payload(enum iq_hook_shape shape, const json_t *row);

/* One pass at time now: every overdue item and due review not yet sent
 * today to each receiver is sent, and marked once delivered; marks older
 * than PM_MARKS_KEEP_DAYS are pruned.  *ret counts.  0, or the store's
 * negative errno (deliveries that fail are counted, not returned). */
int pm_remind_pass(struct store *st, const struct pm_remind_opts *o, int64_t now,
                   struct pm_remind_stats *ret);

#endif

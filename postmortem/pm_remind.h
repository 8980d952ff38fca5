/* pm_remind.h - reminders of what the postmortems promised: one message per
 * overdue action item and per follow-up review that is due, at most once a
 * day per receiver, to outbound webhooks (common/iq_hook.h: a Slack
 * incoming webhook or any JSON receiver).
 *
 * What was sent is remembered in the store (pm_store_mark_*), keyed by the
 * day, the receiver and the item, so a restarted daemon does not send the
 * same reminder twice on one day; a delivery that failed is tried again on
 * the next pass.  Payloads (docs/followups.md):
 *   Slack    {"text": "Overdue action item of inc-... (12 days): ..."}
 *   generic  {"type": "inquest.followup.overdue" or "inquest.followup.review_due",
 *             "incident", "services", "item", "owner", "due", "ticket",
 *             "strength", "weak", "state", "days_overdue", "file", "line"} */
#ifndef PM_REMIND_H
#define PM_REMIND_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "iq_hook.h"

struct ing_store;

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
int pm_remind_pass(struct ing_store *st, const struct pm_remind_opts *o, int64_t now,
                   struct pm_remind_stats *ret);

#endif

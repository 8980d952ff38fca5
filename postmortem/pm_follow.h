/* pm_follow.h - what the postmortems promised and what is still owed:
 * `inquest followups` and GET /api/v1/followups.
 *
 * Three kinds of rows, from the stored postmortems (pm_store.h) and the
 * incidents (correlate/):
 *   item         every action item of every synced postmortem, with its
 *                owner, due day, ticket, strength and state; days_overdue
 *                when it is open and its due day has passed;
 *   review       the follow-up reviews 30 and 60 days after the incident's
 *                resolution (the draft's checklist), open until the front
 *                matter's review_30 / review_60 says held; days_overdue from
 *                the review's day on;
 *   unpublished  a resolved incident whose postmortem is not published
 *                (or was never synced) unpublished_after after resolution.
 * The answer (caller owns):
 *   {"now": T, "unpublished_after_days": N,
 *    "counts": {"items", "open", "done", "wontfix", "overdue", "reviews_due",
 *               "unpublished"},
 *    "followups": [{"kind", "incident", "services", "item", "owner", "due",
 *                   "ticket", "type", "strength", "weak", "state",
 *                   "days_overdue", "file", "line"}]}
 * in incident opening order, items before reviews before unpublished,
 * items in document order. */
#ifndef PM_FOLLOW_H
#define PM_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

struct store;

#define PM_UNPUBLISHED_DEFAULT (7 * 86400000LL)   /* a postmortem is late a week after resolution */
#define PM_REVIEW_DAYS_1 30
#define PM_REVIEW_DAYS_2 60

struct pm_follow_query {
    int64_t now;                /* "today" is its UTC day; IQ_TIME_NONE: the clock */
    bool overdue;               /* only overdue items, reviews due, late postmortems */
    const char *owner;          /* borrowed; NULL: any.  Case and a leading '@' ignored */
    const char *service;        /* borrowed; NULL: any */
    int64_t unpublished_after;  /* ms after resolution */
};

enum pm_fmt { PM_FMT_TABLE = 0, PM_FMT_CSV, PM_FMT_JSON };

/* Defaults: the clock, everything, PM_UNPUBLISHED_DEFAULT. */
void pm_follow_query_init(struct pm_follow_query *q);

/* Set one filter from text, by the name the CLI and the API share:
 * "overdue" (1/true/0/false, or "" for a flag), "owner", "service",
 * "unpublished_after" (a duration: 7d), "now" (RFC 3339 or -2h).  value is
 * borrowed and must outlive q.  0; -EINVAL with err naming the key (an
 * unknown key or a bad value). */
int pm_follow_query_set(struct pm_follow_query *q, const char *key, const char *value, char *err,
                        size_t errsz);

/* Parse "table", "csv", "json".  0 or -EINVAL. */
int pm_fmt_parse(const char *s, enum pm_fmt *ret);

/* Compute the follow-ups.  0, -EIO, -ENOMEM. */
int pm_followups(struct store *st, const struct pm_follow_query *q, json_t **ret);

/* The resolution time of an incident (JSON): its resolved milestone, else
 * its closing time when it closed; IQ_TIME_NONE while open. */
int64_t pm_resolved_at(const json_t *incident);

/* What earlier postmortems promised, for a recurring incident's draft
 * (analyze/ana_recur.c) and for analytics (analyze/ana_query.c): pure
 * functions over the stored records (pm_store_all's object id -> record). */

/* The action items of the postmortems of the incidents ids (an array of
 * ids, borrowed, duplicates ignored) in records (borrowed):
 *   {"postmortems": N, "total": N, "done": N, "wontfix": N, "open": N,
 *    "open_strengths": [{"strength": "checklist", "count": 1}, ...],
 *    "items": [{"incident", "text", "owner", "due", "strength", "weak",
 *               "state"}, ...]}
 * open_strengths strongest first ("unknown" last).  Caller owns; NULL on
 * OOM. */
json_t *pm_recall_items(const json_t *records, const json_t *ids);

/* The classes a team confirmed for incident id in its postmortem (the
 * front matter's "classes"), or NULL when it confirmed none.  Borrowed
 * from records. */
const json_t *pm_recall_classes(const json_t *records, const char *id);

#endif

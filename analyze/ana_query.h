/* ana_query.h - cross-incident queries: statistics over the stored
 * incidents, recurring failures, and the "Recurrence" section of a draft.
 *
 * Incidents are read from the correlator's state in the store
 * (STORE_CF_INCIDENTS, layout in correlate/cor_store.h: "i" | id -> incident
 * JSON, schemas/incident.schema.json); the store may be opened read-only.
 * The classes of an incident are its "classes" member when the correlator
 * stored one (an array of {"class": NAME, ...} or of names), else they are
 * computed with ana_classify from its member events; analysts' class notes
 * (ANA_CLASS_NOTE_KEY) are applied either way. */
#ifndef ANA_QUERY_H
#define ANA_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct store;
struct ana_classes;

enum ana_group {
    ANA_GROUP_NONE = 0,
    ANA_GROUP_CLASS,
    ANA_GROUP_SERVICE,
    ANA_GROUP_MONTH,
    ANA_GROUP_WEEK,
};

struct ana_query {
    int64_t since, until;     /* opened_at in [since, until); IQ_TIME_NONE: open */
    const char *service;      /* borrowed; NULL: any */
    const char *class_name;   /* borrowed; NULL: any */
    const char *severity;     /* borrowed; NULL: any */
    enum ana_group group;
    bool class_counts;        /* each group also counts its incidents by class:
                                 "classes": {NAME: N, "-": unclassified} */
};

/* An incident's durations (the incident's "durations"), in seconds. */
enum ana_dur { ANA_D_TTD = 0, ANA_D_TTA, ANA_D_TTM, ANA_D_TTR, ANA_D_IMPACT, ANA_D_N };

/* One stored incident as a list shows it (ana_query_list).  Everything is
 * borrowed from the list and valid while it lives. */
struct ana_row {
    const char *id;
    const char *title;        /* "" when absent */
    const char *status;       /* open, mitigated, resolved, stale; "" when absent */
    const char *severity;     /* "" when null */
    int64_t opened;           /* opened_at, UTC ms */
    int64_t dur[ANA_D_N];     /* seconds; -1 when null */
    const json_t *services;   /* array of strings */
    const json_t *classes;    /* array of class names (stored, computed, noted) */
};

struct ana_list;

#define ANA_RECUR_WINDOW_MS   (90LL * 86400000)   /* default window */
#define ANA_RECUR_REVIEW_N    3                    /* repeats that call for a review */

/* Parse "class", "service", "month", "week" (or NULL/"none"). -EINVAL. */
int ana_group_parse(const char *s, enum ana_group *ret);

/* The incident_key of every class note (kind note, source inquest, action
 * class, labels incident/class/op): one key, so one scan of the store's key
 * index finds them all.  No incident has it, so the correlator attaches
 * the notes to none. */
#define ANA_CLASS_NOTE_KEY "inquest:class"

/* Run q over the stored incidents.  c (borrowed) classifies incidents
 * without stored classes; it may be NULL when grouping or filtering by
 * class is not asked for.  *ret (caller owns):
 *   {"group_by": "class", "incidents": N, "groups": [
 *     {"key": "dns", "count": 3, "mttd": {"median": s, "p90": s}, "mtta": ...,
 *      "mttm": ..., "mttr": ..., "impact_minutes": m,
 *      "first_seen": RFC3339, "last_seen": RFC3339, "incidents": [ids]}]}
 * Medians and p90 are nearest-rank over the incidents with a value (null
 * when none).  An incident counts once per class or service it has when
 * grouped by those.  0, -EIO, -ENOMEM. */
int ana_query_run(struct store *st, const struct ana_classes *c, const struct ana_query *q,
                  json_t **ret);

/* Classes that recurred on the same service within window_ms (two or more
 * incidents of the class on the service, each within window_ms of the
 * previous one), filtered by q's since/until/service/class/severity:
 *   [{"class", "service", "count", "first_seen", "last_seen", "incidents": [ids]}]
 * most incidents first.  0, -EIO, -ENOMEM. */
int ana_query_recurring(struct store *st, const struct ana_classes *c,
                        const struct ana_query *q, int64_t window_ms, json_t **ret);

/* The stored incidents that match q (its group is ignored), in opening
 * order, each with its classes found as ana_query_run finds them (c
 * borrowed, may be NULL: stored classes and class notes only).  One read
 * of the incidents.  Caller owns *ret (ana_list_free).  0, -EIO, -ENOMEM. */
int ana_query_list(struct store *st, const struct ana_classes *c, const struct ana_query *q,
                   struct ana_list **ret);
size_t ana_list_count(const struct ana_list *l);
/* The rows, ana_list_count of them; borrowed. */
const struct ana_row *ana_list_rows(const struct ana_list *l);
/* Free and NULL *pl.  NULL-safe. */
void ana_list_free(struct ana_list **pl);

/* ana_query_run's answer for q and ana_query_recurring's for q and
 * window_ms, from one read of the incidents: the object of ana_query_run
 * with a member "recurring" holding the array of ana_query_recurring.
 * Caller owns *ret.  0, -EIO, -ENOMEM. */
int ana_query_report(struct store *st, const struct ana_classes *c, const struct ana_query *q,
                     int64_t window_ms, json_t **ret);

/* The "Recurrence" section for a draft of incident (borrowed, incident
 * JSON): earlier incidents of the same class on the same service.  Uses
 * the default taxonomy (loaded once) when incidents carry no classes;
 * classes a finished postmortem confirmed replace the automatic ones.
 *   {"classes": [names], "classes_confirmed": bool,
 *    "earlier": [{"id", "date", "duration", "class", "service", "draft",
 *                 "postmortem": {"status", "items", "done", "open"} or null}],
 *    "repeats_90d": N, "review_recommended": bool,
 *    "recommendation": text or null,
 *    "followups": the earlier postmortems' action items (pm_recall_items),
 *    "review": {"class", "service", "repeats", "open_items": [...]}, absent
 *              when no review is recommended}
 * repeats_90d counts this incident and the earlier ones of a same
 * class+service within 90 days before it; three or more recommend an
 * architecture or SLO review, naming the action items those earlier
 * postmortems left open.  0, -EIO, -ENOMEM, -ENOENT (no taxonomy). */
int ana_recurrence(struct store *st, const json_t *incident, json_t **ret);

#endif

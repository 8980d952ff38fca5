/* pm_recall.h - what earlier postmortems promised, for a recurring
 * incident's draft (analyze/ana_recur.c) and for analytics (analyze/
 * ana_query.c): their action items with the state they are in now, and
 * counts of them.
 *
 * Pure functions over the stored records (pm_store_all's object id ->
 * record); the words in the draft are render/'s. */
#ifndef PM_RECALL_H
#define PM_RECALL_H

#include <jansson.h>

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

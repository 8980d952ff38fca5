/* rnd_recur.h - the Recurrence section's view: what the templates see of
 * analyze/'s ana_recurrence result, with its words in English and in
 * Japanese (docs/templates.md, "recurrence"). */
#ifndef RND_RECUR_H
#define RND_RECUR_H

#include <jansson.h>

/* A copy of rec (borrowed) with, added: has_earlier; classes_text; each
 * earlier incident's date_text and duration_text; followups.has_items,
 * followups.summary and summary_ja ("9 of 13 done, 1 won't fix; the 3
 * open ones are a tool, a checklist and a promise"), each followups item's
 * owner_text, owner_ja, strength_ja and state_ja; recommendation_ja.
 * Caller owns; NULL on OOM. */
json_t *rnd_recur_view(const json_t *rec);

#endif

/* ana_memo.h - the failure classes computed for stored incidents,
 * remembered by the taxonomy that computed them, so that a list, a query
 * or a draft's recurrence does not read and classify every incident's
 * events again.  Thread-safe.  Used by ana_query.c; owned by the taxonomy
 * (ana_classes.c). */
#ifndef ANA_MEMO_H
#define ANA_MEMO_H

#include <stdint.h>
#include <jansson.h>

struct ana_memo;

#define ANA_MEMO_MAX 100000   /* incidents remembered; past it the memo starts over */

/* An empty memo.  Caller owns *ret.  0 or -ENOMEM. */
int ana_memo_new(struct ana_memo **ret);

/* Forget everything (the taxonomy changed). */
void ana_memo_clear(struct ana_memo *m);

/* Free and NULL *pm.  NULL-safe. */
void ana_memo_free(struct ana_memo **pm);

/* The class names remembered for incident id when its stored text had the
 * signature sig (iq_fnv1a of the text): a new array (caller owns), or NULL
 * when none is (or on OOM). */
json_t *ana_memo_get(struct ana_memo *m, const char *id, uint64_t sig);

/* Remember a copy of names (an array of class names) for id at sig,
 * replacing what was there.  Nothing happens on OOM (the next reader
 * computes again). */
void ana_memo_put(struct ana_memo *m, const char *id, uint64_t sig, const json_t *names);

#endif

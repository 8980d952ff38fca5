/* cor_recur.h - the recurrence index: for each name (a service or an
 * incident key), the incidents that held it and when they closed.
 *
 * An incident is a recurrence of the earlier incident that shares one of
 * its names and closed last within recurrence_window before it opened
 * (ties: the earlier-listed incident that closed at the same time loses to
 * the later one for a name; across names, the lower id wins).  A batch run
 * (cor_group.c) adds every incident and then asks for each; a streaming
 * rebuild (cor_stream.c) adds incidents as they are finalised and drops
 * entries nothing can ask for any more.  Names and ids are copied: the
 * index owns its strings.  Not thread-safe. */
#ifndef COR_RECUR_H
#define COR_RECUR_H

#include <stddef.h>
#include <stdint.h>

#include "cor_map.h"

struct cor_recur_list;

struct cor_recur {
    struct cor_map names;        /* name (owned, in ents' strings) -> list index */
    struct cor_recur_list *lists;
    size_t n_lists, cap_lists;
    size_t n_ents;               /* entries held, for pruning decisions */
};

/* Add that incident id (copied), closed at closed_at (not IQ_TIME_NONE),
 * with tie-break order seq, held names[0..n) (NULL entries skipped,
 * repeats allowed).  0 or -ENOMEM (the index stays usable). */
int cor_recur_add(struct cor_recur *r, const char *const *names, size_t n, int64_t closed_at,
                  int64_t seq, const char *id);

/* The id of the incident an incident opened at opened_at with names[0..n)
 * recurs, or NULL: among its names, each one's latest incident (by
 * closed_at, then seq) closed at or before opened_at, the one closed last
 * but not before opened_at - window, lower id on a tie.  Borrowed: valid
 * until the index changes. */
const char *cor_recur_pick(const struct cor_recur *r, const char *const *names, size_t n,
                           int64_t opened_at, int64_t window);

/* Drop the entries that closed before t (each name keeps its entries at
 * or after t).  0, or -ENOMEM: the index can then only be cleared. */
int cor_recur_prune(struct cor_recur *r, int64_t t);

/* Free everything; the index is empty and reusable.  NULL-safe. */
void cor_recur_clear(struct cor_recur *r);

#endif

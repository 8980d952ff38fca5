/* cor_retention.h - retention as the correlator sees it: which stored events
 * may go, and which must stay because an incident still needs them.
 *
 * The store removes (store_retain); this module decides what to keep.
 * Incidents age as a whole, from their close: the events of an incident
 * still open, or closed less than events_after ago, stay, with the audit
 * notes about it and the trigger candidates it names; so do their raw
 * payloads while it is open or closed less than raw_after ago.  Everything
 * else older than the cutoff goes.  Ages are event times (at). */
#ifndef COR_RETENTION_H
#define COR_RETENTION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "store.h"

/* The "retention" config section. */
struct cor_retention_config {
    int64_t raw_after;        /* ms; 0: raw payloads are kept as long as their events */
    int64_t events_after;     /* ms; 0: events are kept for ever */
    int64_t interval;         /* ms between the daemon's passes */
};

/* Defaults, then the section (borrowed; NULL: defaults only).  -EINVAL
 * with err naming the key ("config 'retention.events_after': ...") for an
 * unknown key, a bad duration, or raw_after longer than events_after. */
int cor_retention_config_load(const json_t *section, struct cor_retention_config *ret,
                              char *err, size_t errsz);

/* Is any cutoff set? */
static inline int cor_retention_enabled(const struct cor_retention_config *c)
{
    return c->raw_after > 0 || c->events_after > 0;
}

/* Print the section's keys as a commented sample (iq_conf_print_sample). */
void cor_retention_print_sample(FILE *f, int indent);

struct cor_retention_stats {
    struct store_retention_stats store;
    int64_t events_before;     /* the cutoffs used (UTC ms), IQ_TIME_NONE: none */
    int64_t raw_before;
    size_t incidents_kept;     /* incidents whose events (or raws) were protected */
};

/* One pass at time now (UTC ms): the kept set from the stored incidents,
 * then store_retain with compaction.  st is borrowed.  *ret filled on
 * success.  0, or the negative errno of reading the incidents or of the
 * store (-EIO, -EROFS, -ENOMEM). */
int cor_retention_run(struct store *st, const struct cor_retention_config *c, int64_t now,
                      struct cor_retention_stats *ret);

#endif

/* cor_engine.h - derive incidents from the stored events: full and partial
 * rebuilds, and the dry-run diff.
 *
 * A rebuild is a deterministic function of the stored events and the
 * config: rebuilding twice gives byte-identical incidents.  A partial
 * rebuild from time T first moves T back to a quiet point (no stored
 * incident spans it), then re-derives only the incidents opened from there
 * on, using the events before it as context (trigger candidates, evidence,
 * recurrences); it gives the same incidents as a full rebuild. */
#ifndef COR_ENGINE_H
#define COR_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "cor_config.h"
#include "cor_store.h"

struct store;

struct cor_result {
    char **texts;              /* incidents as stored text (compact JSON, sorted
                                  keys), opened_at order; owned */
    struct cor_span *spans;    /* id, opened_at, closed_at of each; owned */
    char **names;              /* the names each recurs by (cor_inc_text_names); owned */
    size_t *names_len;
    size_t n;
    int64_t from;              /* replaced from this time; IQ_TIME_NONE: all */
    int64_t to;                /* ... up to this time; IQ_TIME_NONE: the end */
    size_t events;             /* events read */
    unsigned notes_unapplied;  /* notes that could not be applied (cor_notes.c) */
    unsigned notes_half;       /* merges/attaches with one side outside the range */
    struct cor_unatt *unatt;   /* evidence that joined no incident (cor_unattached.h); owned */
    size_t n_unatt;
};

/* Compute without writing the incidents affected by events between since
 * and until: since IQ_TIME_NONE means everything, until IQ_TIME_NONE up to
 * the end of history.  st and cfg are borrowed.  On success *ret is filled
 * (free with cor_result_free).  -EIO, -ENOMEM. */
int cor_engine_compute(struct store *st, const struct cor_config *cfg, int64_t since,
                       int64_t until, struct cor_result *ret);

/* Compute and store (replacing the range atomically).  *ret as above.  A
 * full rebuild (both IQ_TIME_NONE) streams (cor_stream.h): then *ret has
 * counts only. */
int cor_engine_rebuild(struct store *st, const struct cor_config *cfg, int64_t since,
                       int64_t until, struct cor_result *ret);

/* The daemon's update for new events in [since, until] (effective
 * times), of which the deploys and changes (kinds deploy, change) lie up
 * to trig_until (IQ_TIME_NONE: there are none): the same as
 * cor_engine_rebuild(since, until), but the window after the new events
 * only reaches as far as what they can change (a deploy's look-back
 * reaches further than a chat message's lead window). */
int cor_engine_update(struct store *st, const struct cor_config *cfg, int64_t since,
                      int64_t until, int64_t trig_until, struct cor_result *ret);

/* Print to out what a rebuild would change (one line per added, removed or
 * changed incident, and per changed field) without writing.  Returns the
 * number of changed incidents, or a negative errno. */
int cor_engine_diff(struct store *st, const struct cor_config *cfg, int64_t since, FILE *out);

void cor_result_free(struct cor_result *r);

#endif

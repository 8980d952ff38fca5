/* pm_print.h - what `inquest postmortems` prints: one line per synced
 * file and the run's summary, the list of stored postmortems, and one
 * postmortem with its action items, lint summary and versions; and what
 * `inquest followups` prints.
 *
 * Problems and notes are compiler-style ("FILE:LINE:COL: error: ...") so
 * an editor can jump to them; they go to the error stream, the rest to
 * the output stream. */
#ifndef PM_PRINT_H
#define PM_PRINT_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "pm_follow.h"
#include "pm_sync.h"

/* One file of a sync run: "new  PATH: ID, N action items (D done), lint:
 * E errors, W warnings" on out (unless quiet), problems and the record's
 * notes on err.  0 or -EIO. */
int pm_print_file(FILE *out, FILE *err, bool quiet, const struct pm_file_report *rep);

/* "synced N files: a new, b updated, c unchanged, d skipped, e with
 * problems".  0 or -EIO. */
int pm_print_summary(FILE *out, const struct pm_sync_stats *s);

/* The stored postmortems (an object id -> record, pm_store_all) as a
 * table, or as a JSON array of summaries.  0 or -EIO. */
int pm_print_list(FILE *out, const json_t *all, bool as_json);

/* One record with its history (pm_store_history) as text, or as
 * {"record": ..., "history": [...]}.  0 or -EIO. */
int pm_print_show(FILE *out, const json_t *record, const json_t *history, bool as_json);

/* Print res (pm_followups') as a table for people (with a summary line),
 * CSV (one header, a kind column) or indented JSON.  0 or -EIO. */
int pm_followups_print(FILE *f, const json_t *res, enum pm_fmt fmt);

#endif

/* pm_sync.h - bring a directory tree of finished postmortems into the
 * store: `inquest postmortems sync DIR` and the daemon's postmortems_dir.
 *
 * Every *.md (and *.markdown) file below DIR is read, in path order,
 * skipping names that start with '.' (.git).  A file without front matter,
 * or whose front matter names no incident, is skipped (a README); one whose
 * incident the store does not know, whose front matter is malformed, or
 * which names an incident another file of the same run already named, is a
 * problem: reported with its file and line, and the run goes on.  The
 * others are stored (pm_store.h): new, updated (a new version) or
 * unchanged (the same bytes as the current version). */
#ifndef PM_SYNC_H
#define PM_SYNC_H

#include <stdint.h>
#include <jansson.h>

#include "pm_front.h"

struct store;
struct pm_reader;

#define PM_SYNC_FILES_MAX 100000   /* Markdown files in one tree */

enum pm_outcome { PM_SYNC_NEW = 0, PM_SYNC_UPDATED, PM_SYNC_UNCHANGED, PM_SYNC_SKIPPED,
                  PM_SYNC_PROBLEM };

/* What happened to one file.  Everything is borrowed for the callback. */
struct pm_file_report {
    const char *path;              /* the file as found below DIR */
    enum pm_outcome outcome;
    const char *incident;          /* NULL when not known */
    const struct pm_problem *prob; /* problems and skips: what and where */
    const json_t *record;          /* the stored record (new, updated, unchanged), or NULL */
};
typedef void (*pm_report_fn)(void *ud, const struct pm_file_report *rep);

struct pm_sync_stats {
    unsigned files, created, updated, unchanged, skipped, problems;
};

/* "new", "updated", "unchanged", "skipped", "problem". */
const char *pm_outcome_name(enum pm_outcome o);

/* Sync the tree below dir into st at time now, reading with rd (both
 * borrowed); report (may be NULL) hears about every file.  Returns 0 when
 * the tree was walked (*ret counts what happened; problems included),
 * -ENOENT or -ENOTDIR or -EACCES when dir cannot be read, -E2BIG over
 * PM_SYNC_FILES_MAX files, -EIO when the store failed (the run stops),
 * -EROFS for a read-only store, -ENOMEM. */
int pm_sync_dir(const struct pm_reader *rd, struct store *st, const char *dir, int64_t now,
                pm_report_fn report, void *ud, struct pm_sync_stats *ret);

/* A digest of the tree's Markdown files' names, sizes and modification
 * times: it changes when a file is added, removed or written.  For a
 * watcher that syncs only on change.  0, or the errors of pm_sync_dir's
 * walk. */
int pm_sync_fingerprint(const char *dir, uint64_t *ret);

#endif

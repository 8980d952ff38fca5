/* pm_doc.h - read one finished postmortem into a record: its front matter
 * (pm_front.h), the root cause and contributing factors, the action items
 * with owner, due date, ticket, type, strength, weak-or-not and done
 * state, and the lint findings.
 *
 * The action items and their classification are `inquest lint`'s
 * (review/rev_lint.h, the same rule set and model), so a postmortem is
 * judged the same way before and after it is finished; the Markdown
 * structure (sections, task boxes, Status columns) is cmark-gfm's
 * (pm_md.h).  The record is the JSON object stored and served, documented
 * in docs/followups.md:
 *   {"incident", "status", "template", "generated_at", "owner",
 *    "reviewers", "classes", "published_at", "reviews", "lang",
 *    "root_cause", "contributing_factors", "items": [...],
 *    "lint": {"errors", "warnings", "findings": [...]}, "notes": [...]}
 * A reader (the loaded rule set) is read-only once made and may be shared
 * by threads. */
#ifndef PM_DOC_H
#define PM_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "pm_front.h"

#define PM_DOC_MAX (4u * 1024 * 1024)   /* bytes of one document (review's cap) */
#define PM_ID_MAX 128                   /* bytes of an incident id */
#define PM_PARSER_VERSION 1             /* bump when a record would read differently */

struct pm_reader;

/* Load the lint rule set from rules_dir (NULL: the schemas lookup of
 * iq_paths.h, "lint").  Caller owns *ret (pm_reader_destroy).  Errors as
 * rev_rules_load_dir, with err set. */
int pm_reader_new(const char *rules_dir, struct pm_reader **ret, char *err, size_t errsz);
void pm_reader_destroy(struct pm_reader **prd);

/* Is s a valid incident id ([A-Za-z0-9._:-], 1 to PM_ID_MAX bytes, not
 * starting with '.')? */
bool pm_id_valid(const char *s, size_t len);

/* The incident id in the front matter of text, copied into id, and its
 * line into *ret_line (may be NULL).  0; 1 when text is not a postmortem
 * (no front matter, or no "incident" key: prob says which); -EINVAL (prob:
 * malformed front matter or a bad id), -E2BIG, -ENOMEM. */
int pm_doc_incident(const char *text, size_t len, char *id, size_t idsz, unsigned *ret_line,
                    struct pm_problem *prob);

/* Read the document called name (a path, for messages).  ref_ms dates the
 * due dates written without a year (the incident's opening time;
 * IQ_TIME_NONE: the front matter's generated_at, else now).  Returns 0
 * with *ret the record (caller owns); 1 when text is not a postmortem
 * (prob says why); -EINVAL with prob (front matter that is not valid YAML
 * or holds a wrong value, text that is not UTF-8), -E2BIG, -ENOMEM,
 * -ERANGE (a lint pattern ran into its match limit). */
int pm_doc_read(const struct pm_reader *rd, const char *name, const char *text, size_t len,
                int64_t ref_ms, json_t **ret, struct pm_problem *prob);

#endif

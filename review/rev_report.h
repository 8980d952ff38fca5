/* rev_report.h - print lint results as text for people or JSON for CI.
 *
 * Text: one "FILE:LINE:COL: severity: rule: message" line per finding, the
 * matched text and the suggestion under it, then the action items strongest
 * first and a summary line.  JSON: the stable format documented in
 * docs/lint.md ("version": 1), one object per document inside
 * {"version": 1, "documents": [...]}. */
#ifndef REV_REPORT_H
#define REV_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "rev_lint.h"

#define REV_JSON_VERSION 1

/* Print res as text to f; with actions, also the action item summary.
 * Returns 0 or -EIO when writing failed. */
int rev_report_text(FILE *f, const struct rev_result *res, bool actions);

/* The JSON object for one document.  Caller owns return value; NULL on OOM. */
json_t *rev_report_json_doc(const struct rev_result *res);

/* The JSON object for a document that could not be linted:
 * {"file": file, "error": message}.  Caller owns; NULL on OOM. */
json_t *rev_report_json_error(const char *file, const char *message);

/* Write {"version": 1, "documents": documents} to f, indented, with a final
 * newline.  documents is borrowed.  0, -ENOMEM or -EIO. */
int rev_report_json_write(FILE *f, json_t *documents);

/* List the rules (id, category, languages, file), one per line.  0 or -EIO. */
int rev_report_rules(FILE *f, const struct rev_rules *rules);

#endif

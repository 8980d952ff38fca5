/* pm_words.h - the words people write in a finished postmortem, read as
 * values: due dates in their usual forms, the state of an action item
 * (done, open, won't fix), the status of the document, tickets.
 *
 * Everything here is a pure function over text: no store, no Markdown.
 * The vocabulary (English and Japanese) is documented in docs/followups.md;
 * tests/unit/pm_doc_test.c holds each form. */
#ifndef PM_WORDS_H
#define PM_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PM_DAY_MS 86400000LL

/* The state of an action item or a follow-up review. */
enum pm_state { PM_STATE_OPEN = 0, PM_STATE_DONE, PM_STATE_WONTFIX, PM_STATE_N };

/* The status of a postmortem (front matter `status`). */
enum pm_status { PM_STATUS_DRAFT = 0, PM_STATUS_REVIEW, PM_STATUS_PUBLISHED, PM_STATUS_N };

/* "open", "done", "wontfix". */
const char *pm_state_name(enum pm_state s);

/* "draft", "in-review", "published". */
const char *pm_status_name(enum pm_status s);

/* Read the state a Status cell or a "Status:" label holds: the longest
 * known word or phrase at the start of s (case-insensitive, after blanks
 * and emphasis marks), e.g. "Done (merged 2 Nov)", "won't fix", "to do",
 * "完了", "見送り", "[x]", "✅".  Returns the state, or -1 when s starts
 * with none of them (an empty cell is -1 too). */
int pm_state_parse(const char *s, size_t len);

/* Read a document status: "draft", "in-review" (also "in review",
 * "review", "レビュー中"), "published" (also "final", "公開").  Returns the
 * status or -1. */
int pm_status_parse(const char *s, size_t len);

/* Find the first calendar date in s and return its day (UTC midnight, in
 * ms) in *ret_day.  Forms: 2026-11-30, 2026/11/30, 2026.11.30, 2026年11月30日,
 * 11月30日, Nov 30[, 2026], November 30th, 30 Nov [2026], Q4 2026 or 2026-Q4
 * (the quarter's last day), 2026-11 (the month's last day); a time after
 * the date (RFC 3339) is ignored.  A date without a year takes the year
 * that puts it closest after ref_ms minus 31 days (a due date a little
 * before the incident is still that year's).  Returns 0, or -EINVAL when
 * s holds no valid date (a day that does not exist, such as 2026-02-30,
 * is not one). */
int pm_date_parse(const char *s, size_t len, int64_t ref_ms, int64_t *ret_day);

/* Format a day as "YYYY-MM-DD" into buf (at least 11 bytes). */
void pm_date_format(int64_t day_ms, char *buf, size_t size);

/* The UTC midnight that starts the day of t. */
int64_t pm_day_of(int64_t t);

/* Find a ticket reference in s: a "ticket:", "issue:", "bug:", "jira:" or
 * "チケット:" label's value, else a tracker key such as OPS-412 or
 * DATA-1183, else an issue or bug URL (.../issues/N, .../browse/KEY-N).
 * Sets *ret_off and *ret_len (bytes within s) and returns true when found. */
bool pm_ticket_find(const char *s, size_t len, size_t *ret_off, size_t *ret_len);

/* Find a "Status:" label (also "State:", "状態:", "ステータス:") in s and
 * the state its value reads.  Returns the state, -1 when there is no label
 * or its value is not a known state; *ret_off and *ret_len (may be NULL) get
 * the value's span when a label was found. */
int pm_status_label(const char *s, size_t len, size_t *ret_off, size_t *ret_len);

#endif

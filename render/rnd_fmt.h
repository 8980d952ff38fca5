/* rnd_fmt.h - wording and formatting helpers of the draft: durations as
 * people write them, dates, safe links, lists of names. */
#ifndef RND_FMT_H
#define RND_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Seconds as "45 s", "2 min 30 s", "42 min", "1 h 12 min", "2 d 3 h".
 * Seconds are shown only under ten minutes.  Writes at most size bytes. */
void rnd_fmt_duration(int64_t seconds, char *buf, size_t size);

/* UTC ms as "21 Oct 2026", "21 Oct", "2026-10-21", "13:42", "Wednesday 21 October 2026". */
void rnd_fmt_date_short(int64_t ms, char *buf, size_t size);
void rnd_fmt_day_month(int64_t ms, char *buf, size_t size);
void rnd_fmt_date_iso(int64_t ms, char *buf, size_t size);
void rnd_fmt_hhmm(int64_t ms, char *buf, size_t size);
void rnd_fmt_day_heading(int64_t ms, char *buf, size_t size);

/* Days since the epoch of a UTC ms time. */
int64_t rnd_day_of(int64_t ms);

/* A link usable inside Markdown and HTML: only http(s) URLs, with spaces,
 * quotes, parentheses, angle brackets, '|' and control bytes
 * percent-encoded.  Returns a new JSON string, or NULL when url is NULL,
 * not http(s) or too long (then no link is shown).  Caller owns. */
json_t *rnd_fmt_link(const char *url);

/* The strings of a JSON array joined as "a", "a and b", "a, b and c".
 * Returns a new JSON string ("" for none).  Caller owns. */
json_t *rnd_fmt_join(const json_t *arr);

/* Shorten s to at most max bytes on a UTF-8 boundary, adding "…".  New
 * JSON string, caller owns. */
json_t *rnd_fmt_clip(const char *s, size_t max);

#endif

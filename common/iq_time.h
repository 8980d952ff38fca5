/* iq_time.h - UTC millisecond times: RFC 3339 parsing and formatting.
 *
 * inquest stores every time as int64 milliseconds since the Unix epoch, UTC.
 * iq_time_parse_rfc3339 is strict (offset required); iq_time_parse_lenient
 * also takes the variants vendors send (offset without colon, a space
 * instead of 'T', a trailing "UTC"), for source mappings. */
#ifndef IQ_TIME_H
#define IQ_TIME_H

#include <stddef.h>
#include <stdint.h>

#define IQ_TIME_STRLEN 32   /* "2026-10-21T13:42:00.123Z" + NUL, with room */
#define IQ_TIME_NONE INT64_MIN

/* Strict RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM); 't'/'z'
 * accepted; any number of fraction digits (truncated to ms).  Returns 0 and
 * sets *ret_ms, or -EINVAL (nothing written).  s need not be NUL-terminated. */
int iq_time_parse_rfc3339(const char *s, size_t len, int64_t *ret_ms);

/* Like iq_time_parse_rfc3339, also accepting ' ' for 'T', "+HHMM"/"+HH"
 * offsets, and " UTC"/" +0200" after a space. Still requires a zone. */
int iq_time_parse_lenient(const char *s, size_t len, int64_t *ret_ms);

/* Format ms as "YYYY-MM-DDTHH:MM:SS.mmmZ". buf must hold IQ_TIME_STRLEN. */
void iq_time_format(int64_t ms, char *buf, size_t size);

/* Format as "YYYY-MM-DD HH:MM" (minute resolution, UTC). */
void iq_time_format_minute(int64_t ms, char *buf, size_t size);

/* Days since 1970-01-01 for a proleptic Gregorian date (no validation). */
int64_t iq_time_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Split ms into civil UTC fields. */
void iq_time_civil(int64_t ms, int *y, int *mo, int *d, int *h, int *mi, int *s, int *msec);

/* Current wall-clock time in ms, and a monotonic clock in ms and in us
 * (for latencies). */
int64_t iq_time_now_ms(void);
int64_t iq_time_mono_ms(void);
int64_t iq_time_mono_us(void);

/* Parse a duration such as "90s", "30m", "2h", "7d", "1500ms" or a bare
 * number of seconds into ms.  -EINVAL on junk or overflow. */
int iq_duration_parse(const char *s, int64_t *ret_ms);

/* Parse an RFC 3339 time or a relative "-2h"/"now" into ms. */
int iq_time_parse_arg(const char *s, int64_t *ret_ms);

#endif

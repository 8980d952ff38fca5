/* tail_errrate.h - per-service error-rate signal from matched error lines.
 *
 * Error lines are counted per service and per UTC minute (by the time of
 * the line).  When a minute closes, a count at or above the threshold
 * raises the signal ("error_rate_rise") and a count below it after a rise
 * lowers it ("error_rate_normal").  A minute closes when a later minute's
 * line arrives for the service, or when the clock given to
 * tail_errrate_tick passes its end plus a grace period. */
#ifndef TAIL_ERRRATE_H
#define TAIL_ERRRATE_H

#include <stdint.h>

struct tail_errrate;
struct iq_event;

#define TAIL_ERRRATE_SERVICES_MAX 1024

/* A transition: action is "error_rate_rise" or "error_rate_normal";
 * minute_ms is the start of the minute that decided it.  Return 0 or a
 * negative errno, which stops and is returned by the calling function. */
typedef int (*tail_errrate_fn)(void *ud, const char *service, const char *action,
                               int64_t minute_ms, uint32_t count, uint32_t threshold);

/* threshold: error lines per minute (>= 1).  Caller owns *ret. -ENOMEM, -EINVAL. */
int tail_errrate_new(uint32_t threshold, int64_t grace_ms, struct tail_errrate **ret);
void tail_errrate_destroy(struct tail_errrate **pe);

/* Count one error line.  -ENOSPC when TAIL_ERRRATE_SERVICES_MAX services
 * are already tracked (the line is not counted). */
int tail_errrate_add(struct tail_errrate *e, const char *service, int64_t at_ms,
                     tail_errrate_fn fn, void *ud);

/* Close minutes that ended before now_ms - grace (INT64_MAX closes all). */
int tail_errrate_tick(struct tail_errrate *e, int64_t now_ms, tail_errrate_fn fn, void *ud);

/* The event of a transition (kind log, source tail).  Its id depends only
 * on service, minute and action, so a re-send deduplicates.  Caller owns
 * *ret.  -ENOMEM, -EINVAL (service invalid). */
int tail_errrate_event(const char *service, const char *action, int64_t minute_ms,
                       uint32_t count, uint32_t threshold, struct iq_event **ret);

#endif

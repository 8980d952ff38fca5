/* iq_tz.h - time zones for display: local time beside UTC (`--tz ZONE`,
 * TZ, the drafts' `tz` config).  UTC stays the reference everywhere; a
 * zone only adds "(23:03 JST)" next to a UTC time.
 *
 * A zone is read once from the system's zoneinfo database (TZif files,
 * $TZDIR or /usr/share/zoneinfo: Debian's tzdata) or parsed from a POSIX
 * TZ string ("EST5EDT,M3.2.0,M11.1.0"), then never changes: conversions
 * are pure functions of the loaded zone, safe from any number of threads
 * (the daemon renders drafts on the HTTP server's threads), and never
 * touch the process's TZ or call tzset. */
#ifndef IQ_TZ_H
#define IQ_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iq_tz;

#define IQ_TZ_ABBR_MAX 16      /* "JST", "EDT", "+0530", with the NUL */
#define IQ_TZ_NAME_MAX 128

/* Load zone name: a zoneinfo name ("Asia/Tokyo", "UTC", "EST5EDT"; a
 * leading ':' is ignored, as in TZ) or a POSIX TZ string.  An absolute
 * path ("/etc/localtime", ":/etc/localtime") is read only with allow_path
 * (the CLI's TZ; never a name that came over HTTP).  Names with ".."
 * components are refused.  Caller owns *ret (iq_tz_free).  0; -ENOENT
 * with err naming the zone when it is neither a zone file nor a TZ string,
 * -EINVAL for a malformed file, -ENOMEM. */
int iq_tz_load(const char *name, bool allow_path, struct iq_tz **ret, char *err, size_t errsz);

/* Free *pz and NULL it.  NULL-safe. */
void iq_tz_free(struct iq_tz **pz);

/* The name the zone was loaded as (without a leading ':'). */
const char *iq_tz_name(const struct iq_tz *z);

/* True when the zone is UTC at every instant (UTC, Etc/UTC, GMT, "UTC0"):
 * then there is no local time to show beside UTC. */
bool iq_tz_is_utc(const struct iq_tz *z);

/* The zone's offset from UTC at instant ms (seconds east of Greenwich,
 * +32400 for JST) and its abbreviation there ("JST", "EDT") into abbr
 * (IQ_TZ_ABBR_MAX bytes). */
void iq_tz_at(const struct iq_tz *z, int64_t ms, int32_t *ret_offset, char *abbr);

/* Local time at ms as "YYYY-MM-DD HH:MM:SS ABBR" (with_date) or "HH:MM
 * ABBR", into buf. */
void iq_tz_format(const struct iq_tz *z, int64_t ms, bool with_date, char *buf, size_t size);

#endif

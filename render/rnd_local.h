/* rnd_local.h - local times beside UTC in a draft's context (--tz, the
 * drafts' `tz` config): "14:03 UTC (23:03 JST)". */
#ifndef RND_LOCAL_H
#define RND_LOCAL_H

#include <stddef.h>
#include <jansson.h>

struct iq_tz;

/* Add to ctx (the template context of rnd_model_build, modified in
 * place) the local time of every milestone and timeline row as
 * "time_local" ("23:03 JST", with " +1d" or " -1d" when the local date is
 * not the UTC date of its row), and "tz": {"name": "Asia/Tokyo"}.  The UTC
 * members stay as they were.  tz is borrowed.  0 or -ENOMEM. */
int rnd_local_apply(json_t *ctx, const struct iq_tz *tz);

/* Pick the zone name for template tmpl (NULL: "default") from the drafts
 * section's `tz` (borrowed; a string for every template, or an object
 * {"ja": "Asia/Tokyo", "*": "Europe/Berlin"} by template name): the name,
 * or NULL when none applies. */
const char *rnd_local_zone_for(const json_t *tz_conf, const char *tmpl);

/* Check the drafts section's `tz` (borrowed, may be NULL): every zone
 * named must load.  0, or -EINVAL with err naming the key and the zone. */
int rnd_local_check(const json_t *tz_conf, char *err, size_t errsz);

#endif

/* rnd_local.c - local times beside UTC in a draft (see rnd_local.h).
 *
 * UTC stays the reference of a draft: its timeline is in UTC minutes,
 * under UTC day headings, and its facts (--format json) keep UTC.  A zone
 * (--tz, TZ, or the drafts section's `tz`, by template: the `ja` template
 * can default to Asia/Tokyo) only adds a "time_local" member beside each
 * "time" that the templates show in parentheses, and the context's "tz".
 *
 * Design notes: this runs on the built context, after the model and the
 * timeline, so neither needs to know about zones.  Every milestone and
 * timeline row carries its UTC "date" (its day's, for a row) and "time"
 * (HH:MM), which give its UTC minute back exactly; the zone (iq_tz.h, an
 * immutable table) converts it, so rendering in several zones at once on
 * the daemon's threads is safe. */
#include "rnd_local.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "iq_time.h"
#include "iq_tz.h"
#include "rnd_fmt.h"

/* The UTC minute of date "YYYY-MM-DD" and time "HH:MM", or IQ_TIME_NONE. */
static int64_t minute_of(const char *date, const char *time)
{
    char buf[IQ_TIME_STRLEN];
    int64_t ms;

    if (!date || !time || strlen(date) != 10 || strlen(time) != 5)
        return IQ_TIME_NONE;
    snprintf(buf, sizeof(buf), "%sT%s:00Z", date, time);
    return iq_time_parse_rfc3339(buf, strlen(buf), &ms) == 0 ? ms : IQ_TIME_NONE;
}

/* o["time_local"] for the minute of o's "time" on date. */
static int add_local(json_t *o, const char *date, const struct iq_tz *tz)
{
    int64_t ms = minute_of(date, json_string_value(json_object_get(o, "time"))), shift;
    char local[48], abbr[IQ_TZ_ABBR_MAX];
    int32_t off;

    if (ms == IQ_TIME_NONE)
        return 0;
    iq_tz_at(tz, ms, &off, abbr);
    iq_tz_format(tz, ms, false, local, sizeof(local));
    shift = rnd_day_of(ms + (int64_t)off * 1000) - rnd_day_of(ms);
    if (shift)
        snprintf(local + strlen(local), sizeof(local) - strlen(local), " %+lldd",
                 (long long)shift);
    return json_object_set_new(o, "time_local", json_string(local)) < 0 ? -ENOMEM : 0;
}

int rnd_local_apply(json_t *ctx, const struct iq_tz *tz)
{
    json_t *m, *day, *row;
    size_t i, j;

    json_array_foreach(json_object_get(ctx, "milestones"), i, m)
        if (add_local(m, json_string_value(json_object_get(m, "date")), tz) < 0)
            return -ENOMEM;
    json_array_foreach(json_object_get(ctx, "timeline_days"), i, day) {
        const char *date = json_string_value(json_object_get(day, "date"));

        json_array_foreach(json_object_get(day, "rows"), j, row)
            if (add_local(row, date, tz) < 0)
                return -ENOMEM;
    }
    if (json_object_set_new(ctx, "tz", json_pack("{s:s}", "name", iq_tz_name(tz))) < 0)
        return -ENOMEM;
    return 0;
}

const char *rnd_local_zone_for(const json_t *tz_conf, const char *tmpl)
{
    const json_t *v;

    if (json_is_string(tz_conf))
        return json_string_value(tz_conf);
    if (!json_is_object(tz_conf))
        return NULL;
    v = json_object_get(tz_conf, tmpl ? tmpl : "default");
    if (!v)
        v = json_object_get(tz_conf, "*");
    return json_string_value(v);
}

int rnd_local_check(const json_t *tz_conf, char *err, size_t errsz)
{
    char why[256];
    const char *k;
    json_t *v;

    if (!tz_conf || json_is_null(tz_conf))
        return 0;
    if (json_is_string(tz_conf)) {
        struct iq_tz *z = NULL;
        int r = iq_tz_load(json_string_value(tz_conf), false, &z, why, sizeof(why));

        iq_tz_free(&z);
        if (r < 0)
            snprintf(err, errsz, "tz: %s", why);
        return r < 0 ? -EINVAL : 0;
    }
    if (!json_is_object(tz_conf)) {
        snprintf(err, errsz, "tz: expected a zone name or an object of template name to zone");
        return -EINVAL;
    }
    json_object_foreach((json_t *)tz_conf, k, v) {
        struct iq_tz *z = NULL;
        int r = json_is_string(v) ? iq_tz_load(json_string_value(v), false, &z, why, sizeof(why))
                                  : -EINVAL;

        iq_tz_free(&z);
        if (r < 0) {
            snprintf(err, errsz, "tz.%s: %s", k, json_is_string(v) ? why : "expected a zone name");
            return -EINVAL;
        }
    }
    return 0;
}

/* rnd_fmt.c - the draft's wording of numbers, times, links and lists.
 *
 * Postmortems are read by people: "1 h 12 min" rather than 4320 seconds,
 * "21 Oct 2026" in sentences, minute-resolution UTC in the timeline.  The
 * helpers are pure functions over integers and strings so the golden files
 * depend on the incident only, never on the clock or the locale (month and
 * day names are fixed English tables, not strftime).
 *
 * Design notes: links come from event payloads, i.e. from outside; only
 * http and https pass, and every byte that could end a Markdown link or a
 * table cell, or leave an HTML attribute, is percent-encoded. */
#include "rnd_fmt.h"
#include "iq_buf.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_time.h"

#define LINK_MAX 2048

static const char *const months[] = { "January", "February", "March", "April", "May", "June",
                                      "July", "August", "September", "October", "November",
                                      "December" };
static const char *const weekdays[] = { "Thursday", "Friday", "Saturday", "Sunday", "Monday",
                                        "Tuesday", "Wednesday" };   /* 1970-01-01 was a Thursday */

void rnd_fmt_duration(int64_t s, char *buf, size_t size)
{
    int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;

    if (s < 0)
        snprintf(buf, size, "unknown");
    else if (s < 60)
        snprintf(buf, size, "%" PRId64 " s", s);
    else if (s < 600 && sec)
        snprintf(buf, size, "%" PRId64 " min %" PRId64 " s", m, sec);
    else if (s < 3600)
        snprintf(buf, size, "%" PRId64 " min", m);
    else if (d == 0 && m)
        snprintf(buf, size, "%" PRId64 " h %" PRId64 " min", h, m);
    else if (d == 0)
        snprintf(buf, size, "%" PRId64 " h", h);
    else if (h)
        snprintf(buf, size, "%" PRId64 " d %" PRId64 " h", d, h);
    else
        snprintf(buf, size, "%" PRId64 " d", d);
}

int64_t rnd_day_of(int64_t ms)
{
    int64_t day = ms / 86400000;

    return ms < 0 && ms % 86400000 ? day - 1 : day;
}

void rnd_fmt_date_short(int64_t ms, char *buf, size_t size)
{
    int y, mo, d, h, mi, s, msec;

    iq_time_civil(ms, &y, &mo, &d, &h, &mi, &s, &msec);
    snprintf(buf, size, "%d %.3s %04d", d, months[(mo - 1) % 12], y);
}

void rnd_fmt_day_month(int64_t ms, char *buf, size_t size)
{
    int y, mo, d, h, mi, s, msec;

    iq_time_civil(ms, &y, &mo, &d, &h, &mi, &s, &msec);
    snprintf(buf, size, "%d %.3s", d, months[(mo - 1) % 12]);
}

void rnd_fmt_date_iso(int64_t ms, char *buf, size_t size)
{
    int y, mo, d, h, mi, s, msec;

    iq_time_civil(ms, &y, &mo, &d, &h, &mi, &s, &msec);
    snprintf(buf, size, "%04d-%02d-%02d", y, mo, d);
}

void rnd_fmt_hhmm(int64_t ms, char *buf, size_t size)
{
    int y, mo, d, h, mi, s, msec;

    iq_time_civil(ms, &y, &mo, &d, &h, &mi, &s, &msec);
    snprintf(buf, size, "%02d:%02d", h, mi);
}

void rnd_fmt_day_heading(int64_t ms, char *buf, size_t size)
{
    int64_t day = rnd_day_of(ms), wd = ((day % 7) + 7) % 7;
    int y, mo, d, h, mi, s, msec;

    iq_time_civil(ms, &y, &mo, &d, &h, &mi, &s, &msec);
    snprintf(buf, size, "%s %d %s %04d", weekdays[wd], d, months[(mo - 1) % 12], y);
}

json_t *rnd_fmt_link(const char *url)
{
    static const char hex[] = "0123456789ABCDEF";
    struct iq_buf b;
    json_t *j = NULL;
    int r = 0;

    if (!url || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))
        return NULL;
    iq_buf_init(&b, LINK_MAX * 3);
    for (const unsigned char *p = (const unsigned char *)url; *p && r == 0; p++) {
        if (*p <= 0x20 || *p == 0x7f || strchr("\"'()<>|`\\[]{}", *p)) {
            char enc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

            r = iq_buf_add(&b, enc, 3);
        } else {
            r = iq_buf_addc(&b, (char)*p);
        }
    }
    if (r == 0 && b.len <= LINK_MAX)
        j = json_stringn(b.p, b.len);
    iq_buf_free(&b);
    return j;
}

json_t *rnd_fmt_join(const json_t *arr)
{
    size_t n = json_array_size(arr);
    struct iq_buf b;
    json_t *j;
    int r = 0;

    iq_buf_init(&b, 64 * 1024);
    for (size_t i = 0; i < n && r == 0; i++) {
        const char *s = json_string_value(json_array_get(arr, i));

        if (!s)
            continue;
        if (i > 0)
            r = iq_buf_adds(&b, i + 1 == n ? " and " : ", ");
        if (r == 0)
            r = iq_buf_adds(&b, s);
    }
    j = json_stringn(b.p ? b.p : "", b.len);
    iq_buf_free(&b);
    return j;
}

json_t *rnd_fmt_clip(const char *s, size_t max)
{
    size_t n = strlen(s), cut;
    char *tmp;
    json_t *j;

    if (n <= max)
        return json_string(s);
    cut = iq_utf8_prefix(s, n, max);
    tmp = malloc(cut + 4);
    if (!tmp)
        return NULL;
    memcpy(tmp, s, cut);
    memcpy(tmp + cut, "\xe2\x80\xa6", 4);
    j = json_string(tmp);
    free(tmp);
    return j;
}

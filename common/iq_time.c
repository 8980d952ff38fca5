/* iq_time.c - parsing and formatting of UTC millisecond times.
 *
 * Parsing is hand-written rather than strptime(3): strptime depends on the
 * locale, ignores offsets and fractions, and accepts junk.  The parser walks
 * the string once, checks every field's range (including leap days and a
 * leap second 60, which is folded onto :59.999 of that minute as POSIX time
 * has no room for it), converts the offset to UTC and truncates fractions
 * to milliseconds.  Civil-date arithmetic uses Howard Hinnant's
 * days_from_civil algorithm, valid over the whole int64 day range. */
#include "iq_time.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "iq_scan.h"

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

int64_t iq_time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Parse an offset at the cursor: Z, +HH:MM, and when lenient +HHMM, +HH,
 * " UTC", " +HHMM".  Sets *ret_min (minutes east of UTC). */
static bool parse_zone(struct iq_scan *c, bool lenient, int *ret_min)
{
    int hh = 0, mm = 0, sign;

    if (lenient && c->p < c->end && *c->p == ' ')
        c->p++;
    if (iq_scan_lit(c, 'Z') || iq_scan_lit(c, 'z')) {
        *ret_min = 0;
        return true;
    }
    if (lenient && c->end - c->p == 3 && memcmp(c->p, "UTC", 3) == 0) {
        c->p += 3;
        *ret_min = 0;
        return true;
    }
    if (iq_scan_lit(c, '+'))
        sign = 1;
    else if (iq_scan_lit(c, '-'))
        sign = -1;
    else
        return false;
    if (!iq_scan_digits(c, 2, &hh))
        return false;
    if (iq_scan_lit(c, ':')) {
        if (!iq_scan_digits(c, 2, &mm))
            return false;
    } else if (lenient) {
        if (c->p < c->end && !iq_scan_digits(c, 2, &mm))
            return false;
    } else {
        return false;
    }
    if (hh > 23 || mm > 59)
        return false;
    *ret_min = sign * (hh * 60 + mm);
    return true;
}

static int parse_time(const char *s, size_t len, bool lenient, int64_t *ret_ms)
{
    struct iq_scan c = { s, s + len };
    int y, mo, d, h, mi, sec, frac_ms = 0, zone_min;
    int64_t days, ms;

    if (!s || len < 20 || len > 64)
        return -EINVAL;
    if (!iq_scan_digits(&c, 4, &y) || !iq_scan_lit(&c, '-') || !iq_scan_digits(&c, 2, &mo) || !iq_scan_lit(&c, '-') ||
        !iq_scan_digits(&c, 2, &d))
        return -EINVAL;
    if (!(iq_scan_lit(&c, 'T') || iq_scan_lit(&c, 't') || (lenient && iq_scan_lit(&c, ' '))))
        return -EINVAL;
    if (!iq_scan_digits(&c, 2, &h) || !iq_scan_lit(&c, ':') || !iq_scan_digits(&c, 2, &mi) || !iq_scan_lit(&c, ':') ||
        !iq_scan_digits(&c, 2, &sec))
        return -EINVAL;
    if (iq_scan_lit(&c, '.') && iq_scan_fraction_ms(&c, &frac_ms) == 0)
        return -EINVAL;
    if (!parse_zone(&c, lenient, &zone_min) || c.p != c.end)
        return -EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
        return -EINVAL;
    if (sec == 60) {
        sec = 59;
        frac_ms = 999;
    }
    days = iq_time_days_from_civil(y, (unsigned)mo, (unsigned)d);
    ms = ((days * 24 + h) * 60 + mi) * 60 + sec;
    ms = (ms - (int64_t)zone_min * 60) * 1000 + frac_ms;
    *ret_ms = ms;
    return 0;
}

int iq_time_parse_rfc3339(const char *s, size_t len, int64_t *ret_ms)
{
    return parse_time(s, len, false, ret_ms);
}

int iq_time_parse_lenient(const char *s, size_t len, int64_t *ret_ms)
{
    return parse_time(s, len, true, ret_ms);
}

void iq_time_civil(int64_t ms, int *y, int *mo, int *d, int *h, int *mi, int *s, int *msec)
{
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mm = mp < 10 ? mp + 3 : mp - 9;

    *y = (int)((int64_t)yoe + era * 400 + (mm <= 2));
    *mo = (int)mm;
    *d = (int)dd;
    *h = (int)(rem / 3600);
    *mi = (int)(rem % 3600 / 60);
    *s = (int)(rem % 60);
    *msec = (int)(ms - secs * 1000);
}

/* Write v (0 <= v < 10^width) as width digits. */
static char *digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        p[i] = (char)('0' + v % 10);
    return p + width;
}

/* Timestamps are formatted for every line of every incident text, so the
 * common case (years 0 to 9999, room for all of it) is written digit by
 * digit; snprintf does the rest, byte for byte the same. */
void iq_time_format(int64_t ms, char *buf, size_t size)
{
    int y, mo, d, h, mi, s, msec;
    char *p = buf;

    iq_time_civil(ms, &y, &mo, &d, &h, &mi, &s, &msec);
    if (y < 0 || y > 9999 || size < sizeof("0000-00-00T00:00:00.000Z")) {
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, msec);
        return;
    }
    p = digits(p, (unsigned)y, 4);
    *p++ = '-';
    p = digits(p, (unsigned)mo, 2);
    *p++ = '-';
    p = digits(p, (unsigned)d, 2);
    *p++ = 'T';
    p = digits(p, (unsigned)h, 2);
    *p++ = ':';
    p = digits(p, (unsigned)mi, 2);
    *p++ = ':';
    p = digits(p, (unsigned)s, 2);
    *p++ = '.';
    p = digits(p, (unsigned)msec, 3);
    *p++ = 'Z';
    *p = '\0';
}

void iq_time_format_minute(int64_t ms, char *buf, size_t size)
{
    int y, mo, d, h, mi, s, msec;

    iq_time_civil(ms, &y, &mo, &d, &h, &mi, &s, &msec);
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
}

int64_t iq_time_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t iq_time_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t iq_time_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int iq_duration_parse(const char *s, int64_t *ret_ms)
{
    int64_t v = 0, mult = 1000;
    const char *p = s;

    if (!s || !*s)
        return -EINVAL;
    while (*p >= '0' && *p <= '9') {
        if (v > INT64_MAX / 10 - 10)
            return -EINVAL;
        v = v * 10 + (*p++ - '0');
    }
    if (p == s)
        return -EINVAL;
    if (strcmp(p, "ms") == 0)
        mult = 1;
    else if (strcmp(p, "s") == 0 || *p == '\0')
        mult = 1000;
    else if (strcmp(p, "m") == 0 || strcmp(p, "min") == 0)
        mult = 60000;
    else if (strcmp(p, "h") == 0)
        mult = 3600000;
    else if (strcmp(p, "d") == 0)
        mult = 86400000;
    else if (strcmp(p, "w") == 0)
        mult = 7 * 86400000LL;
    else
        return -EINVAL;
    if (v > INT64_MAX / mult)
        return -EINVAL;
    *ret_ms = v * mult;
    return 0;
}

int iq_time_parse_arg(const char *s, int64_t *ret_ms)
{
    int64_t d;

    if (!s)
        return -EINVAL;
    if (strcmp(s, "now") == 0) {
        *ret_ms = iq_time_now_ms();
        return 0;
    }
    if (s[0] == '-' && iq_duration_parse(s + 1, &d) == 0) {
        *ret_ms = iq_time_now_ms() - d;
        return 0;
    }
    return iq_time_parse_rfc3339(s, strlen(s), ret_ms);
}

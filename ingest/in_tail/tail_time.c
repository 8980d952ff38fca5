/* tail_time.c - time formats and severity names of log lines.
 *
 * Log files write times in a handful of shapes; the rules name one per
 * pattern ("time_format" in the files of schemas/logs/).  Each parser here is a
 * small, strict scanner over a bounded span: fixed-width digits, month
 * names, an optional zone.  Formats without a zone (syslog, nginx error
 * log) are read as UTC, and syslog's missing year is taken from the
 * clock: the current year, or the previous one when the result would lie
 * more than a day in the future (a December line read in January).
 *
 * Severity names are normalised to enum tail_level so that "WARN",
 * "warning" and syslog priority 4 all compare the same way. */
#include "tail_rule.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "iq_conf.h"
#include "iq_scan.h"
#include "iq_time.h"

#define DAY_MS 86400000LL

static const char *const months[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static bool month(struct iq_scan *sc, int *ret)
{
    if (sc->end - sc->p < 3)
        return false;
    for (int i = 0; i < 12; i++) {
        if (strncasecmp(sc->p, months[i], 3) == 0) {
            sc->p += 3;
            *ret = i + 1;
            return true;
        }
    }
    return false;
}

/* Milliseconds from fields, with a range check on each. */
static bool civil_ms(int y, int mo, int d, int h, int mi, int s, int64_t *ret)
{
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    *ret = ((iq_time_days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 + h) * 60 + mi) * 60000LL +
           s * 1000LL;
    return true;
}

/* Optional ".123456" fraction, truncated to ms. */
static int fraction_ms(struct iq_scan *sc)
{
    int ms = 0;

    if (iq_scan_lit(sc, '.'))
        iq_scan_fraction_ms(sc, &ms);
    return ms;
}

/* "Oct 21 13:42:00" or "Oct  1 13:42:00". */
static int parse_syslog(struct iq_scan *sc, int64_t now_ms, int64_t *ret)
{
    int mo, d, h, mi, s, y, ms, u;
    int64_t t;

    if (!month(sc, &mo) || !iq_scan_lit(sc, ' '))
        return -EINVAL;
    if (iq_scan_lit(sc, ' ')) {
        if (!iq_scan_digits(sc, 1, &d))
            return -EINVAL;
    } else if (!iq_scan_digits(sc, 2, &d)) {
        return -EINVAL;
    }
    if (!iq_scan_lit(sc, ' ') || !iq_scan_digits(sc, 2, &h) || !iq_scan_lit(sc, ':') || !iq_scan_digits(sc, 2, &mi) ||
        !iq_scan_lit(sc, ':') || !iq_scan_digits(sc, 2, &s))
        return -EINVAL;
    ms = fraction_ms(sc);
    iq_time_civil(now_ms, &y, &u, &u, &u, &u, &u, &u);
    if (!civil_ms(y, mo, d, h, mi, s, &t))
        return -EINVAL;
    if (t > now_ms + DAY_MS && !civil_ms(y - 1, mo, d, h, mi, s, &t))
        return -EINVAL;
    *ret = t + ms;
    return 0;
}

/* "+0200" / "-0700" / "Z": offset in minutes. */
static bool zone(struct iq_scan *sc, int *ret_min)
{
    int sign, hh, mm;

    if (iq_scan_lit(sc, 'Z')) {
        *ret_min = 0;
        return true;
    }
    if (iq_scan_lit(sc, '+'))
        sign = 1;
    else if (iq_scan_lit(sc, '-'))
        sign = -1;
    else
        return false;
    if (!iq_scan_digits(sc, 2, &hh))
        return false;
    iq_scan_lit(sc, ':');
    if (!iq_scan_digits(sc, 2, &mm) || hh > 23 || mm > 59)
        return false;
    *ret_min = sign * (hh * 60 + mm);
    return true;
}

/* "21/Oct/2026:13:42:00 +0000". */
static int parse_clf(struct iq_scan *sc, int64_t now_ms, int64_t *ret)
{
    int d, mo, y, h, mi, s, off, ms;
    int64_t t;

    (void)now_ms;
    if (!iq_scan_digits(sc, 2, &d) || !iq_scan_lit(sc, '/') || !month(sc, &mo) || !iq_scan_lit(sc, '/') ||
        !iq_scan_digits(sc, 4, &y) || !iq_scan_lit(sc, ':') || !iq_scan_digits(sc, 2, &h) || !iq_scan_lit(sc, ':') ||
        !iq_scan_digits(sc, 2, &mi) || !iq_scan_lit(sc, ':') || !iq_scan_digits(sc, 2, &s))
        return -EINVAL;
    ms = fraction_ms(sc);
    if (!iq_scan_lit(sc, ' ') || !zone(sc, &off) || !civil_ms(y, mo, d, h, mi, s, &t))
        return -EINVAL;
    *ret = t + ms - off * 60000LL;
    return 0;
}

/* "2026/10/21 13:42:00". */
static int parse_nginx_error(struct iq_scan *sc, int64_t now_ms, int64_t *ret)
{
    int y, mo, d, h, mi, s;
    int64_t t;

    (void)now_ms;
    if (!iq_scan_digits(sc, 4, &y) || !iq_scan_lit(sc, '/') || !iq_scan_digits(sc, 2, &mo) || !iq_scan_lit(sc, '/') ||
        !iq_scan_digits(sc, 2, &d) || !iq_scan_lit(sc, ' ') || !iq_scan_digits(sc, 2, &h) || !iq_scan_lit(sc, ':') ||
        !iq_scan_digits(sc, 2, &mi) || !iq_scan_lit(sc, ':') || !iq_scan_digits(sc, 2, &s) ||
        !civil_ms(y, mo, d, h, mi, s, &t))
        return -EINVAL;
    *ret = t + fraction_ms(sc);
    return 0;
}

/* Seconds (with optional fraction) or, above 1e11, milliseconds. */
static int parse_epoch(struct iq_scan *sc, int64_t now_ms, int64_t *ret)
{
    int64_t v = 0;
    int n = 0, ms;

    (void)now_ms;
    while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
        if (++n > 15)
            return -EINVAL;
        v = v * 10 + (*sc->p++ - '0');
    }
    if (n == 0)
        return -EINVAL;
    if (v >= 100000000000LL) {
        if (sc->p < sc->end && *sc->p == '.')
            fraction_ms(sc);
        *ret = v;
        return 0;
    }
    ms = fraction_ms(sc);
    *ret = v * 1000 + ms;
    return 0;
}

/* RFC 3339 and its lenient variants (iq_time_parse_lenient), the whole span. */
static int parse_rfc3339(struct iq_scan *sc, int64_t now_ms, int64_t *ret)
{
    int r = iq_time_parse_lenient(sc->p, (size_t)(sc->end - sc->p), ret);

    (void)now_ms;
    if (r == 0)
        sc->p = sc->end;
    return r;
}

/* The time formats of log rules: a format is one row here (its index is
 * its enum tail_timefmt value when C code names it).  parse reads from the
 * cursor; tail_time_parse then requires the whole span to be consumed. */
static const struct timefmt_ops {
    const char *name;   /* "time_format" value in rule files */
    int (*parse)(struct iq_scan *sc, int64_t now_ms, int64_t *ret);
} timefmts[] = {
    [TAIL_TIME_RFC3339] = { .name = "rfc3339", .parse = parse_rfc3339 },
    [TAIL_TIME_SYSLOG] = { .name = "syslog", .parse = parse_syslog },
    [TAIL_TIME_CLF] = { .name = "clf", .parse = parse_clf },
    [TAIL_TIME_EPOCH] = { .name = "epoch", .parse = parse_epoch },
    [TAIL_TIME_NGINX_ERROR] = { .name = "nginx_error", .parse = parse_nginx_error },
};

#define N_TIMEFMTS (sizeof(timefmts) / sizeof(timefmts[0]))

int tail_timefmt_lookup(const char *name)
{
    for (size_t i = 0; i < N_TIMEFMTS; i++)
        if (strcmp(timefmts[i].name, name) == 0)
            return (int)i;
    return -1;
}

size_t tail_timefmt_count(void)
{
    return N_TIMEFMTS;
}

void tail_timefmt_list(char *buf, size_t size)
{
    iq_conf_names(buf, size, &timefmts[0].name, N_TIMEFMTS, sizeof(timefmts[0]));
}

int tail_time_parse(enum tail_timefmt fmt, const char *s, size_t len, int64_t now_ms,
                    int64_t *ret_ms)
{
    struct iq_scan sc = { s, s + len };
    int64_t t = 0;

    if ((unsigned)fmt >= N_TIMEFMTS)
        return -EINVAL;
    if (timefmts[fmt].parse(&sc, now_ms, &t) < 0 || sc.p != sc.end)
        return -EINVAL;
    *ret_ms = t;
    return 0;
}

static const struct {
    const char *name;
    int level;
} level_names[] = {
    { "trace", TAIL_LEVEL_TRACE },      { "debug", TAIL_LEVEL_DEBUG },
    { "dbug", TAIL_LEVEL_DEBUG },       { "info", TAIL_LEVEL_INFO },
    { "information", TAIL_LEVEL_INFO }, { "notice", TAIL_LEVEL_NOTICE },
    { "warn", TAIL_LEVEL_WARN },        { "warning", TAIL_LEVEL_WARN },
    { "error", TAIL_LEVEL_ERROR },      { "err", TAIL_LEVEL_ERROR },
    { "eror", TAIL_LEVEL_ERROR },       { "crit", TAIL_LEVEL_CRITICAL },
    { "critical", TAIL_LEVEL_CRITICAL }, { "alert", TAIL_LEVEL_ALERT },
    { "emerg", TAIL_LEVEL_EMERGENCY },  { "emergency", TAIL_LEVEL_EMERGENCY },
    { "fatal", TAIL_LEVEL_EMERGENCY },  { "panic", TAIL_LEVEL_EMERGENCY },
};

int tail_level_parse(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
        if (strlen(level_names[i].name) == len && strncasecmp(level_names[i].name, s, len) == 0)
            return level_names[i].level;
    return TAIL_LEVEL_NONE;
}

const char *tail_level_name(int level)
{
    static const char *const names[] = { "trace", "debug", "info", "notice", "warning",
                                         "error", "critical", "alert", "emergency" };

    if (level < 0 || level > TAIL_LEVEL_EMERGENCY)
        return NULL;
    return names[level];
}

/* iq_tz.c - time zones for display, read from the system's zoneinfo (see
 * iq_tz.h).
 *
 * Design notes:
 *  - Why not localtime_r: it converts in the zone of the process's TZ,
 *    and changing TZ (setenv + tzset) while other threads read the
 *    environment or call localtime is a data race; the daemon renders
 *    drafts in several zones on the HTTP server's threads.  So a zone is
 *    read here once, from the same files the C library reads (TZif,
 *    RFC 8536, version 1 to 4, in $TZDIR or /usr/share/zoneinfo), into an
 *    immutable table, and converted by binary search.  The unit test
 *    checks the results against glibc's localtime_r, zone by zone.
 *  - Instants past the file's last transition follow its footer, a POSIX
 *    TZ rule ("EST5EDT,M3.2.0,M11.1.0"): the same parser reads a TZ
 *    string given instead of a zone name.  A file without a footer
 *    (version 1) keeps its last type.
 *  - Leap-second records are skipped: displayed local times are civil
 *    times, as localtime_r gives them with the default "posix" zones.
 *  - Names are refused when they could leave the zoneinfo directory
 *    (".." components); absolute paths only when the caller allows them. */
#include "iq_tz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_file.h"
#include "iq_time.h"

#define TZIF_MAX (1024 * 1024)
#define TYPES_MAX 256
#define ABBR_CHARS_MAX 256

struct tz_type {
    int32_t off;          /* seconds east of UTC */
    char abbr[IQ_TZ_ABBR_MAX];
};

/* A POSIX TZ rule: std (and dst with its start and end) */
struct tz_rule_date {
    char kind;            /* 'J' (1..365, no Feb 29), 'D' (0..365), 'M' */
    int n, m, w, d;       /* J/D: n; M: month m, week w (5 = last), weekday d */
    int32_t time;         /* seconds after local midnight, may be negative */
};

struct tz_rule {
    bool present;
    struct tz_type std, dst;
    bool has_dst;
    struct tz_rule_date start, end;
};

struct iq_tz {
    char name[IQ_TZ_NAME_MAX];
    int64_t *trans;       /* transition instants, seconds, ascending */
    uint8_t *idx;         /* type of each transition */
    size_t n_trans;
    struct tz_type types[TYPES_MAX];
    size_t n_types;
    struct tz_rule rule;  /* the footer, or the whole zone for a TZ string */
};

/* --- POSIX TZ strings --------------------------------------------------- */

/* A zone abbreviation: 3+ letters, or <...> with letters, digits, + and -. */
static int parse_abbr(const char **pp, char *buf)
{
    const char *p = *pp, *s;
    size_t n;

    if (*p == '<') {
        s = ++p;
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
               (*p >= '0' && *p <= '9') || *p == '+' || *p == '-')
            p++;
        if (*p != '>')
            return -EINVAL;
        n = (size_t)(p++ - s);
    } else {
        s = p;
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
            p++;
        n = (size_t)(p - s);
    }
    if (n < 3 || n >= IQ_TZ_ABBR_MAX)
        return -EINVAL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *pp = p;
    return 0;
}

/* [+-]hh[:mm[:ss]], hours up to max_h, into seconds. */
static int parse_hms(const char **pp, int max_h, int32_t *ret)
{
    const char *p = *pp;
    int sign = 1, part[3] = { 0, 0, 0 };

    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    for (int i = 0; i < 3; i++) {
        int digits = 0;

        if (i > 0 && *p != ':')
            break;
        if (i > 0)
            p++;
        while (*p >= '0' && *p <= '9' && digits < 3) {
            part[i] = part[i] * 10 + (*p++ - '0');
            digits++;
        }
        if (!digits || (i > 0 && part[i] > 59))
            return -EINVAL;
    }
    if (part[0] > max_h)
        return -EINVAL;
    *ret = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    *pp = p;
    return 0;
}

static int parse_int(const char **pp, int lo, int hi, int *ret)
{
    const char *p = *pp;
    int v = 0, digits = 0;

    while (*p >= '0' && *p <= '9' && digits < 4) {
        v = v * 10 + (*p++ - '0');
        digits++;
    }
    if (!digits || v < lo || v > hi)
        return -EINVAL;
    *ret = v;
    *pp = p;
    return 0;
}

/* ",Jn[/time]", ",n[/time]" or ",Mm.w.d[/time]". */
static int parse_date(const char **pp, struct tz_rule_date *d)
{
    const char *p = *pp;
    int r;

    if (*p++ != ',')
        return -EINVAL;
    d->time = 7200;
    if (*p == 'J') {
        p++;
        d->kind = 'J';
        r = parse_int(&p, 1, 365, &d->n);
    } else if (*p == 'M') {
        p++;
        d->kind = 'M';
        r = parse_int(&p, 1, 12, &d->m);
        if (r == 0 && *p++ != '.')
            r = -EINVAL;
        if (r == 0)
            r = parse_int(&p, 1, 5, &d->w);
        if (r == 0 && *p++ != '.')
            r = -EINVAL;
        if (r == 0)
            r = parse_int(&p, 0, 6, &d->d);
    } else {
        d->kind = 'D';
        r = parse_int(&p, 0, 365, &d->n);
    }
    if (r == 0 && *p == '/') {
        p++;
        r = parse_hms(&p, 167, &d->time);
    }
    if (r == 0)
        *pp = p;
    return r;
}

/* A whole POSIX TZ string into rule.  -EINVAL when it is not one. */
static int parse_rule(const char *s, struct tz_rule *rule)
{
    const char *p = s;
    int32_t off;

    memset(rule, 0, sizeof(*rule));
    if (parse_abbr(&p, rule->std.abbr) < 0 || parse_hms(&p, 24, &off) < 0)
        return -EINVAL;
    rule->std.off = -off;      /* POSIX counts west of Greenwich as positive */
    rule->present = true;
    if (!*p)
        return 0;
    if (parse_abbr(&p, rule->dst.abbr) < 0)
        return -EINVAL;
    rule->has_dst = true;
    rule->dst.off = rule->std.off + 3600;
    if (*p && *p != ',') {
        if (parse_hms(&p, 24, &off) < 0)
            return -EINVAL;
        rule->dst.off = -off;
    }
    if (!*p) {   /* no dates: the US rules, as glibc assumes */
        rule->start = (struct tz_rule_date){ 'M', 0, 3, 2, 0, 7200 };
        rule->end = (struct tz_rule_date){ 'M', 0, 11, 1, 0, 7200 };
        return 0;
    }
    if (parse_date(&p, &rule->start) < 0 || parse_date(&p, &rule->end) < 0 || *p)
        return -EINVAL;
    return 0;
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The UTC second at which date d of year y happens, the local clock
 * running at offset off. */
static int64_t rule_instant(const struct tz_rule_date *d, int64_t y, int32_t off)
{
    static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int64_t day;

    if (d->kind == 'J') {
        day = iq_time_days_from_civil(y, 1, 1) + d->n - 1 + (leap(y) && d->n >= 60);
    } else if (d->kind == 'D') {
        day = iq_time_days_from_civil(y, 1, 1) + d->n;
    } else {
        int64_t first = iq_time_days_from_civil(y, (unsigned)d->m, 1);
        int wd = (int)(((first + 4) % 7 + 7) % 7);   /* 1970-01-01 was a Thursday (4) */
        int md = mdays[d->m - 1] + (d->m == 2 && leap(y));
        int dom = 1 + (d->d - wd + 7) % 7 + (d->w - 1) * 7;

        while (dom > md)
            dom -= 7;
        day = first + dom - 1;
    }
    return day * 86400 + d->time - off;
}

/* The type of the rule at UTC second t. */
static const struct tz_type *rule_at(const struct tz_rule *rule, int64_t t)
{
    int y, mo, d, h, mi, s, ms;
    int64_t start, end;

    if (!rule->has_dst)
        return &rule->std;
    iq_time_civil((t + rule->std.off) * 1000, &y, &mo, &d, &h, &mi, &s, &ms);
    start = rule_instant(&rule->start, y, rule->std.off);
    end = rule_instant(&rule->end, y, rule->dst.off);
    if (start < end)
        return t >= start && t < end ? &rule->dst : &rule->std;
    return t >= end && t < start ? &rule->std : &rule->dst;   /* southern hemisphere */
}

/* --- TZif files --------------------------------------------------------- */

struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars;
};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* The header at p (44 bytes): its counts and version. */
static int tzif_header(const unsigned char *p, size_t len, struct tzif_counts *c, int *version)
{
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        return -EINVAL;
    *version = p[4] ? p[4] - '0' : 1;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    if (c->type == 0 || c->type > TYPES_MAX || c->chars == 0 || c->chars > ABBR_CHARS_MAX ||
        c->time > 1000000 || c->leap > 100000 || (c->isut && c->isut != c->type) ||
        (c->isstd && c->isstd != c->type))
        return -EINVAL;
    return 0;
}

/* Bytes of the data block after a header, with times of tsize bytes. */
static size_t tzif_block(const struct tzif_counts *c, size_t tsize)
{
    return c->time * tsize + c->time + c->type * 6u + c->chars + c->leap * (tsize + 4) +
           c->isstd + c->isut;
}

/* The data block at p (times of tsize bytes) into z. */
static int tzif_data(struct iq_tz *z, const unsigned char *p, const struct tzif_counts *c,
                     size_t tsize)
{
    const unsigned char *idx = p + c->time * tsize, *types = idx + c->time;
    const char *chars = (const char *)(types + c->type * 6u);

    if (c->time && (!(z->trans = calloc(c->time, sizeof(*z->trans))) ||
                    !(z->idx = calloc(c->time, 1))))
        return -ENOMEM;
    for (uint32_t i = 0; i < c->time; i++) {
        z->trans[i] = tsize == 8 ? be64(p + 8 * i) : (int32_t)be32(p + 4 * i);
        z->idx[i] = idx[i];
        if (idx[i] >= c->type || (i && z->trans[i] <= z->trans[i - 1]))
            return -EINVAL;
    }
    z->n_trans = c->time;
    for (uint32_t i = 0; i < c->type; i++) {
        const unsigned char *t = types + 6 * i;
        size_t a = t[5], n;

        if (a >= c->chars)
            return -EINVAL;
        n = strnlen(chars + a, c->chars - a);
        z->types[i].off = (int32_t)be32(t);
        snprintf(z->types[i].abbr, sizeof(z->types[i].abbr), "%.*s", (int)n, chars + a);
    }
    z->n_types = c->type;
    return 0;
}

/* A whole TZif file into z. */
static int tzif_parse(struct iq_tz *z, const unsigned char *p, size_t len)
{
    struct tzif_counts c;
    size_t off, tsize = 4;
    int version, r;
    char footer[IQ_TZ_NAME_MAX];
    const unsigned char *nl;

    if ((r = tzif_header(p, len, &c, &version)) < 0)
        return r;
    off = 44;
    if (version >= 2) {
        off += tzif_block(&c, 4);
        if (off > len || (r = tzif_header(p + off, len - off, &c, &version)) < 0)
            return -EINVAL;
        off += 44;
        tsize = 8;
    }
    if (off + tzif_block(&c, tsize) > len)
        return -EINVAL;
    if ((r = tzif_data(z, p + off, &c, tsize)) < 0)
        return r;
    off += tzif_block(&c, tsize);
    if (version < 2 || off >= len || p[off] != '\n')
        return 0;
    nl = memchr(p + off + 1, '\n', len - off - 1);
    if (!nl || (size_t)(nl - p - off - 1) >= sizeof(footer))
        return -EINVAL;
    memcpy(footer, p + off + 1, (size_t)(nl - p - off - 1));
    footer[nl - p - off - 1] = '\0';
    if (footer[0] && parse_rule(footer, &z->rule) < 0)
        return -EINVAL;
    return 0;
}

/* --- the zone ------------------------------------------------------------ */

static bool safe_name(const char *s)
{
    const char *p;

    if (!*s || strlen(s) >= IQ_TZ_NAME_MAX)
        return false;
    for (p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              strchr("/_+-.,:<>", *p)))
            return false;
    for (p = s; (p = strstr(p, "..")); p += 2)
        if ((p == s || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
            return false;
    return true;
}

/* Read the zone file of name: 0, -ENOENT when there is none, else the error. */
static int load_file(struct iq_tz *z, const char *name, bool allow_path)
{
    const char *dir = getenv("TZDIR");
    char path[4096], *buf = NULL;
    size_t len = 0;
    int r;

    if (name[0] == '/' && !allow_path)
        return -ENOENT;
    if (name[0] == '/')
        snprintf(path, sizeof(path), "%s", name);
    else if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo",
                              name) >= sizeof(path))
        return -ENOENT;
    r = iq_read_file(path, TZIF_MAX, &buf, &len);
    if (r < 0)
        return r == -ENOMEM ? r : -ENOENT;
    r = tzif_parse(z, (const unsigned char *)buf, len);
    free(buf);
    return r;
}

int iq_tz_load(const char *name, bool allow_path, struct iq_tz **ret, char *err, size_t errsz)
{
    struct iq_tz *z;
    const char *n = name && name[0] == ':' ? name + 1 : name;
    int r;

    if (!n || !safe_name(n) || (n[0] == '/' && !allow_path)) {
        snprintf(err, errsz, "unknown time zone '%.100s' (a zoneinfo name such as Asia/Tokyo "
                 "or America/New_York)", name ? name : "");
        return -ENOENT;
    }
    if (!(z = calloc(1, sizeof(*z))))
        return -ENOMEM;
    snprintf(z->name, sizeof(z->name), "%s", n);
    r = load_file(z, n, allow_path);
    if (r == -ENOENT && n[0] != '/' && parse_rule(n, &z->rule) == 0)
        r = 0;
    if (r < 0) {
        if (r == -ENOENT)
            snprintf(err, errsz, "unknown time zone '%.100s' (not in the zoneinfo database, "
                     "not a POSIX TZ string)", name);
        else
            snprintf(err, errsz, "time zone '%.100s': %s", name,
                     r == -ENOMEM ? "out of memory" : "malformed zoneinfo file");
        iq_tz_free(&z);
        return r;
    }
    *ret = z;
    return 0;
}

void iq_tz_free(struct iq_tz **pz)
{
    if (!pz || !*pz)
        return;
    free((*pz)->trans);
    free((*pz)->idx);
    free(*pz);
    *pz = NULL;
}

const char *iq_tz_name(const struct iq_tz *z)
{
    return z->name;
}

bool iq_tz_is_utc(const struct iq_tz *z)
{
    for (size_t i = 0; i < z->n_types; i++)
        if (z->types[i].off != 0)
            return false;
    return !z->rule.present || (z->rule.std.off == 0 && !z->rule.has_dst);
}

/* The type in force at UTC second t. */
static const struct tz_type *type_at(const struct iq_tz *z, int64_t t)
{
    size_t lo = 0, hi = z->n_trans;

    if (z->n_trans == 0)
        return z->rule.present ? rule_at(&z->rule, t) : &z->types[0];
    if (t < z->trans[0])
        return &z->types[0];
    if (t >= z->trans[z->n_trans - 1] && z->rule.present)
        return rule_at(&z->rule, t);
    while (hi - lo > 1) {      /* the last transition at or before t */
        size_t mid = lo + (hi - lo) / 2;

        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return &z->types[z->idx[lo]];
}

void iq_tz_at(const struct iq_tz *z, int64_t ms, int32_t *ret_offset, char *abbr)
{
    int64_t t = ms >= 0 || ms % 1000 == 0 ? ms / 1000 : ms / 1000 - 1;
    const struct tz_type *ty = type_at(z, t);

    *ret_offset = ty->off;
    snprintf(abbr, IQ_TZ_ABBR_MAX, "%s", ty->abbr);
}

void iq_tz_format(const struct iq_tz *z, int64_t ms, bool with_date, char *buf, size_t size)
{
    char abbr[IQ_TZ_ABBR_MAX];
    int32_t off;
    int y, mo, d, h, mi, s, msec;

    iq_tz_at(z, ms, &off, abbr);
    iq_time_civil(ms + (int64_t)off * 1000, &y, &mo, &d, &h, &mi, &s, &msec);
    if (with_date)
        snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d %s", y, mo, d, h, mi, s, abbr);
    else
        snprintf(buf, size, "%02d:%02d %s", h, mi, abbr);
}

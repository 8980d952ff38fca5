/* wh_source_value.c - value specs of the source mapping language: a
 * template, or an object with a value map, a default, a condition and (for
 * times) a format, or a list of such candidates; and the time formats
 * vendors use (RFC 3339, GitLab's lenient form, epoch seconds,
 * milliseconds, nanoseconds and Slack's decimal seconds).
 *
 * Design notes.  Candidates are tried in order: the first whose `when`
 * holds and which has a value wins, which expresses "endsAt for resolved
 * alerts, startsAt otherwise" and fallbacks without code.  Time values are
 * rendered to text first and parsed by the declared format with bounded
 * integer parsers (no floats: Opsgenie's 19-digit nanoseconds are exact).
 * Go's zero time and the epoch 0 count as missing, so a later candidate
 * applies. */
#include "wh_source_expr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_conf.h"
#include "iq_event.h"
#include "iq_scan.h"
#include "iq_time.h"

#define CANDS_MAX 16
#define GO_ZERO_LIMIT_MS (-62135596800000LL + 86400000LL) /* before 0001-01-02: Go's zero time */

struct cand {
    struct wh_conds *when;
    struct wh_tmpl *tmpl;
    json_t *map;                 /* object of string -> string, owned reference */
    char *def;
    const struct time_fmt *fmt;  /* time specs only; NULL otherwise */
};

struct wh_value {
    struct cand c[CANDS_MAX];
    size_t n;
};

#define FAIL(code, ...) do { snprintf(err, errsz, __VA_ARGS__); r = (code); goto out; } while (0)

/* ---- value specs ------------------------------------------------------- */

/* Parse an integer of decimal digits (optional '-'); -EINVAL on junk. */
static int parse_int(const char *s, int64_t *ret)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || *end || errno)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int parse_decimal_seconds(const char *s, int64_t *ret)
{
    const char *dot = strchr(s, '.');
    char whole[24];
    int64_t sec, ms = 0;
    size_t n = dot ? (size_t)(dot - s) : strlen(s);

    if (n == 0 || n >= sizeof(whole))
        return -EINVAL;
    memcpy(whole, s, n);
    whole[n] = '\0';
    if (parse_int(whole, &sec) < 0 || sec < 0 || sec > 253402300799LL)
        return -EINVAL;
    if (dot) {
        struct iq_scan sc = { dot + 1, dot + 1 + strlen(dot + 1) };
        int frac;

        iq_scan_fraction_ms(&sc, &frac);
        if (sc.p != sc.end)
            return -EINVAL;
        ms = frac;
    }
    *ret = sec * 1000 + ms;
    return 0;
}

#define EPOCH_S_MAX 253402300799LL          /* 9999-12-31T23:59:59Z */
#define EPOCH_MS_MAX 253402300799999LL

struct time_fmt;
typedef int time_parse_fn(const struct time_fmt *f, const char *s, size_t len, int64_t *ret);

/* The time formats of value specs ("format" in a source file): a format
 * is one row here.  parse reads the rendered text (NUL-terminated, len
 * bytes) as UTC milliseconds: 0, or -EINVAL.  mul and div scale the
 * integer epochs to milliseconds. */
struct time_fmt {
    const char *name;
    time_parse_fn *parse;
    int64_t mul, div;
};

static int fmt_rfc3339(const struct time_fmt *f, const char *s, size_t len, int64_t *ret)
{
    (void)f;
    return iq_time_parse_rfc3339(s, len, ret);
}

static int fmt_lenient(const struct time_fmt *f, const char *s, size_t len, int64_t *ret)
{
    (void)f;
    return iq_time_parse_lenient(s, len, ret);
}

/* An integer of epoch units, scaled by f->mul or f->div to milliseconds
 * in 0..EPOCH_MS_MAX. */
static int fmt_epoch(const struct time_fmt *f, const char *s, size_t len, int64_t *ret)
{
    int64_t v;

    (void)len;
    if (parse_int(s, &v) < 0 || v < 0)
        return -EINVAL;
    if (f->mul > 1)
        v = v > EPOCH_S_MAX ? -1 : v * f->mul;
    if (f->div > 1)
        v /= f->div;
    if (v < 0 || v > EPOCH_MS_MAX)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int fmt_epoch_decimal(const struct time_fmt *f, const char *s, size_t len, int64_t *ret)
{
    (void)f;
    (void)len;
    return parse_decimal_seconds(s, ret);
}

static const struct time_fmt time_fmts[] = {
    { .name = "rfc3339", .parse = fmt_rfc3339 },   /* the default */
    { .name = "lenient", .parse = fmt_lenient },   /* GitLab "2021-04-28 21:50:00 +0200" and kin */
    { .name = "epoch_s", .parse = fmt_epoch, .mul = 1000 },
    { .name = "epoch_ms", .parse = fmt_epoch },
    { .name = "epoch_ns", .parse = fmt_epoch, .div = 1000000 },
    { .name = "epoch_decimal", .parse = fmt_epoch_decimal },   /* Slack "1719209506.817929" */
};

#define N_TIME_FMTS (sizeof(time_fmts) / sizeof(time_fmts[0]))

static const struct time_fmt *time_fmt_lookup(const char *name)
{
    for (size_t i = 0; i < N_TIME_FMTS; i++)
        if (strcmp(time_fmts[i].name, name) == 0)
            return &time_fmts[i];
    return NULL;
}

static int cand_compile(struct cand *cd, const json_t *spec, bool is_time, char *err,
                        size_t errsz)
{
    const char *key, *text = NULL;
    json_t *v;

    if (json_is_string(spec))
        text = json_string_value(spec);
    else if (!json_is_object(spec)) {
        snprintf(err, errsz, "expected a template string or an object");
        return -EINVAL;
    }
    json_object_foreach((json_t *)spec, key, v) {
        int r = 0;

        if (strcmp(key, "value") == 0 && json_is_string(v))
            text = json_string_value(v);
        else if (strcmp(key, "when") == 0)
            r = wh_conds_compile(v, &cd->when, err, errsz);
        else if (strcmp(key, "map") == 0 && json_is_object(v)) {
            const char *mk;
            json_t *mv;

            json_object_foreach(v, mk, mv)
                if (!json_is_string(mv)) {
                    snprintf(err, errsz, "'map' '%s': values must be strings", mk);
                    return -EINVAL;
                }
            cd->map = json_incref(v);
        } else if (strcmp(key, "default") == 0 && json_is_string(v)) {
            if (!(cd->def = strdup(json_string_value(v))))
                return -ENOMEM;
        } else if (strcmp(key, "format") == 0 && json_is_string(v) && is_time) {
            char names[160];

            if (!(cd->fmt = time_fmt_lookup(json_string_value(v)))) {
                iq_conf_names(names, sizeof(names), &time_fmts[0].name, N_TIME_FMTS,
                              sizeof(time_fmts[0]));
                snprintf(err, errsz, "'format': unknown time format \"%.40s\" (%s)",
                         json_string_value(v), names);
                return -EINVAL;
            }
        } else {
            snprintf(err, errsz, "unknown key or wrong type: '%s'", key);
            return -EINVAL;
        }
        if (r < 0)
            return r;
    }
    if (!text) {
        snprintf(err, errsz, "missing 'value' template");
        return -EINVAL;
    }
    if (is_time && !cd->fmt)
        cd->fmt = &time_fmts[0];
    return wh_tmpl_compile(text, &cd->tmpl, err, errsz);
}

int wh_value_compile(const json_t *spec, bool is_time, struct wh_value **ret, char *err,
                     size_t errsz)
{
    struct wh_value *v = calloc(1, sizeof(*v));
    char sub[IQ_TIME_STRLEN * 8];
    int r = 0;

    if (!v)
        return -ENOMEM;
    if (json_is_array(spec)) {
        if (json_array_size(spec) == 0 || json_array_size(spec) > CANDS_MAX)
            FAIL(-EINVAL, "a list of candidates holds 1 to %d entries", CANDS_MAX);
        for (size_t i = 0; i < json_array_size(spec) && r == 0; i++) {
            r = cand_compile(&v->c[v->n++], json_array_get(spec, i), is_time, sub, sizeof(sub));
            if (r < 0)
                snprintf(err, errsz, "[%zu]: %s", i, sub);
        }
    } else {
        r = cand_compile(&v->c[v->n++], spec, is_time, err, errsz);
    }
out:
    if (r < 0) {
        wh_value_destroy(&v);
        return r;
    }
    *ret = v;
    return 0;
}

void wh_value_destroy(struct wh_value **pv)
{
    struct wh_value *v = *pv;

    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        wh_conds_destroy(&v->c[i].when);
        wh_tmpl_destroy(&v->c[i].tmpl);
        json_decref(v->c[i].map);
        free(v->c[i].def);
    }
    free(v);
    *pv = NULL;
}

/* Render candidate cd into out (reset): 1, 0 missing, <0. Applies map/default. */
static int cand_render(const struct cand *cd, const struct wh_ctx *c, struct iq_buf *out,
                       char *missing, size_t msize)
{
    int r;

    iq_buf_reset(out);
    r = wh_tmpl_render(cd->tmpl, c, out, missing, msize);
    if (r < 0)
        return r;
    if (r > 0 && cd->map) {
        json_t *m = json_object_get(cd->map, out->p);

        if (m) {
            iq_buf_reset(out);
            return iq_buf_add(out, json_string_value(m), json_string_length(m)) < 0 ? -E2BIG : 1;
        }
        r = 0;
    }
    if (r == 0 && cd->def) {
        iq_buf_reset(out);
        return iq_buf_add(out, cd->def, strlen(cd->def)) < 0 ? -E2BIG : 1;
    }
    return r;
}

int wh_value_string(const struct wh_value *v, const struct wh_ctx *c, struct iq_buf *out,
                    char *missing, size_t msize)
{
    int r = 0;

    for (size_t i = 0; i < v->n && r == 0; i++) {
        if (v->c[i].when && !wh_conds_hold(v->c[i].when, c))
            continue;
        r = cand_render(&v->c[i], c, out, missing, msize);
    }
    return r;
}

int wh_value_time(const struct wh_value *v, const struct wh_ctx *c, struct iq_buf *scratch,
                  int64_t *ret_ms, char *missing, size_t msize, char *err, size_t errsz)
{
    for (size_t i = 0; i < v->n; i++) {
        const struct cand *cd = &v->c[i];
        char where[WH_PATH_MAX], q[80];
        int64_t ms;
        int r;

        if (cd->when && !wh_conds_hold(cd->when, c))
            continue;
        r = cand_render(cd, c, scratch, missing, msize);
        if (r < 0)
            return r;
        if (r == 0)
            continue;
        if (cd->fmt->parse(cd->fmt, scratch->p, scratch->len, &ms) < 0) {
            wh_tmpl_first_path(cd->tmpl, c, where, sizeof(where));
            iq_quote(scratch->p, scratch->len, q, sizeof(q));
            snprintf(err, errsz, "%s: not a time in format %s: %s", where, cd->fmt->name, q);
            return -EINVAL;
        }
        if (ms < GO_ZERO_LIMIT_MS || ms == 0) {
            if (missing)
                wh_tmpl_first_path(cd->tmpl, c, missing, msize);
            continue;
        }
        *ret_ms = ms;
        return 1;
    }
    return 0;
}

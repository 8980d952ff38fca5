/* rnd_ui_chart.c - the analytics charts of the web UI, as inline SVG
 * generated in C: incidents per month stacked by failure class, and the
 * median times to detect, acknowledge, mitigate and resolve per month.
 *
 * Both read the groups of ana_query_run grouped by month (with class
 * counts), laid on a month axis (rnd_ui_months) that keeps the months
 * without incidents, so a quiet month shows as one.  They draw with the
 * visual timeline's palette (rnd_palette.h, Okabe-Ito) and, like it, say
 * everything twice: each bar segment and point has a <title> (month,
 * series, value), series differ by shape as well as colour, and the page
 * puts a data table beside each chart.  Element attributes carry the
 * values (data-month, data-class or data-metric, data-count or
 * data-seconds) for tests and integrators.
 *
 * Design notes:
 *  - A 720 x 300 viewBox, width 100%: the chart fills its column; the
 *    stylesheet keeps a minimum width so labels stay readable, the figure
 *    scrolls sideways on a phone.
 *  - Month labels are thinned to every k-th month so that they never
 *    overlap; the y axis takes a step of 1, 2 or 5 times a power of ten
 *    (durations: in minutes, hours or days, whichever the largest value
 *    reads best in) giving at most five gridlines.
 *  - An incident with several failure classes counts once in each of
 *    them, as `inquest query --group-by class` counts it; incidents
 *    without any are "unclassified". */
#include "rnd_ui_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_buf.h"
#include "rnd_fmt.h"
#include "rnd_palette.h"

#define W 720.0
#define H 300.0
#define X0 52.0              /* left edge of the plot (y labels before it) */
#define X1 (W - 12.0)
#define Y0 44.0              /* top of the plot (the legend above it) */
#define Y1 (H - 36.0)        /* bottom of the plot (month labels below) */
#define BAR_MAX 60.0         /* widest bar, for a chart of few months */

static const char *const series_colours[RND_UI_SERIES_MAX] = {
    C_BLUE, C_ORANGE, C_GREEN, C_VERMILLION, C_SKY, C_PURPLE, C_YELLOW, C_GREY,
};

/* -- the month axis -- */

/* "YYYY-MM" as a month number (year * 12 + month - 1), or -1. */
static long month_of(const char *key)
{
    long y = 0, m = 0;

    if (!key || strlen(key) != 7 || key[4] != '-')
        return -1;
    for (int i = 0; i < 7; i++) {
        if (i == 4)
            continue;
        if (key[i] < '0' || key[i] > '9')
            return -1;
        if (i < 4)
            y = y * 10 + (key[i] - '0');
        else
            m = m * 10 + (key[i] - '0');
    }
    return m >= 1 && m <= 12 ? y * 12 + m - 1 : -1;
}

int rnd_ui_months(const json_t *groups, struct rnd_ui_month *ret, size_t max)
{
    size_t n = json_array_size(groups), g = 0, out = 0;
    long first, last, prev = -1;

    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        long m = month_of(json_string_value(json_object_get(json_array_get(groups, i), "key")));

        if (m < 0 || m <= prev)
            return -EINVAL;
        prev = m;
    }
    first = month_of(json_string_value(json_object_get(json_array_get(groups, 0), "key")));
    last = prev;
    if (last - first + 1 > RND_UI_MONTHS_MAX)
        first = last - RND_UI_MONTHS_MAX + 1;
    for (long m = first; m <= last && out < max; m++) {
        const json_t *grp = NULL;

        while (g < n && month_of(json_string_value(json_object_get(json_array_get(groups, g),
                                                                   "key"))) < m)
            g++;
        if (g < n && month_of(json_string_value(json_object_get(json_array_get(groups, g),
                                                                "key"))) == m)
            grp = json_array_get(groups, g);
        snprintf(ret[out].key, sizeof(ret[out].key), "%04d-%02d", (int)(m / 12 % 10000), (int)(m % 12 + 1));
        ret[out++].group = grp;
    }
    return (int)out;
}

/* -- series -- */

struct tally {
    const char *name;
    long long total;
};

static int cmp_tally(const void *x, const void *y)
{
    const struct tally *a = x, *b = y;

    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    return strcmp(a->name, b->name);
}

void rnd_ui_series_pick(const struct rnd_ui_month *m, size_t n, struct rnd_ui_series *ret)
{
    struct tally t[256];
    size_t nt = 0;

    memset(ret, 0, sizeof(*ret));
    for (size_t i = 0; i < n; i++) {
        const char *name;
        json_t *v;

        json_object_foreach(json_object_get(m[i].group, "classes"), name, v) {
            size_t k = 0;

            while (k < nt && strcmp(t[k].name, name) != 0)
                k++;
            if (k == nt && nt == sizeof(t) / sizeof(t[0])) {
                ret->other = true;
                continue;
            }
            if (k == nt)
                t[nt++] = (struct tally){ name, 0 };
            t[k].total += json_integer_value(v);
        }
    }
    qsort(t, nt, sizeof(t[0]), cmp_tally);
    ret->other = ret->other || nt > RND_UI_SERIES_MAX;
    ret->n = ret->other ? RND_UI_SERIES_MAX - 1 : nt;
    for (size_t k = 0; k < ret->n; k++)
        ret->name[k] = t[k].name;
}

/* How a class key reads: "-" is the unclassified incidents. */
static const char *class_label(const char *name)
{
    return strcmp(name, "-") == 0 ? "unclassified" : name;
}

/* Count of series k (k == s->n: "other") in a month's group. */
static long long series_count(const json_t *group, const struct rnd_ui_series *s, size_t k)
{
    const json_t *counts = json_object_get(group, "classes"), *v;
    long long sum = 0;
    const char *name;

    if (k < s->n)
        return json_integer_value(json_object_get(counts, s->name[k]));
    json_object_foreach((json_t *)counts, name, v) {
        size_t j = 0;

        while (j < s->n && strcmp(s->name[j], name) != 0)
            j++;
        if (j == s->n)
            sum += json_integer_value(v);
    }
    return sum;
}

/* -- axes -- */

/* The smallest step of 1, 2, 5 x 10^k that covers max in at most 5 steps. */
static double nice_step(double max)
{
    double p = 1;

    if (max <= 5)
        return 1;
    while (p * 50 < max)
        p *= 10;
    return max <= 5 * p ? p : max <= 10 * p ? 2 * p : max <= 25 * p ? 5 * p : 10 * p;
}

/* The top of an axis: the first multiple of step at or above max. */
static double axis_top(double max, double step)
{
    double t = step * ceil(max / step);

    return t < step ? step : t;
}

/* Gridlines and y labels from 0 to the top (steps of step, in value units;
 * a label is the value divided by unit, with suffix). */
static int y_axis(struct iq_buf *b, double top, double step, double unit, const char *suffix)
{
    int r = iq_buf_adds(b, "<g class=\"y-axis\" font-size=\"13\" fill=\"#59636e\">");

    for (double v = 0; r == 0 && v <= top + step / 2; v += step) {
        double y = Y1 - (Y1 - Y0) * v / top;

        r = iq_buf_printf(b, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d7de\"/>"
                             "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%g%s</text>",
                          X0, X1, y, y, X0 - 6, y + 4, v / unit, suffix);
    }
    return r < 0 ? r : iq_buf_adds(b, "</g>");
}

/* Month labels under the plot, every k-th so that they do not overlap. */
static int x_axis(struct iq_buf *b, const struct rnd_ui_month *m, size_t n)
{
    double slot = (X1 - X0) / (double)n;
    size_t every = slot >= 64 ? 1 : (size_t)(64 / slot) + 1;
    int r = iq_buf_adds(b, "<g class=\"x-axis\" font-size=\"13\" fill=\"#59636e\" "
                           "text-anchor=\"middle\">");

    for (size_t i = 0; r == 0 && i < n; i += every)
        r = iq_buf_printf(b, "<text x=\"%.1f\" y=\"%.0f\">%s</text>", X0 + slot * ((double)i + 0.5),
                          Y1 + 16, m[i].key);
    return r < 0 ? r : iq_buf_adds(b, "</g>");
}

static int point(struct iq_buf *b, size_t k, double x, double y);

/* A legend entry at (*x, *y), wrapping at the right edge: a square of
 * colour (k < 0), or the line and point shape of series k. */
static int legend_entry(struct iq_buf *b, double *x, double *y, const char *colour, int k,
                        const char *label)
{
    double w = 36 + 8 * (double)strlen(label);
    int r;

    if (*x + w > X1 && *x > X0) {
        *x = X0;
        *y += 16;
    }
    if (k < 0)
        r = iq_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>",
                          *x, *y - 9, colour);
    else if ((r = iq_buf_printf(b, "<g fill=\"%s\" stroke=\"%s\"><path d=\"M%.1f %.1fh16\" "
                                   "stroke-width=\"2\"/>", colour, colour, *x - 2, *y - 4)) == 0 &&
             (r = point(b, (size_t)k, *x + 6, *y - 4)) == 0)
        r = iq_buf_adds(b, "/></g>");
    if (r < 0 || (r = iq_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">", *x + 18, *y)) < 0 ||
        (r = rnd_ui_text(b, label)) < 0 || (r = iq_buf_adds(b, "</text>")) < 0)
        return r;
    *x += w;
    return 0;
}

static int chart_open(struct iq_buf *b, const char *title)
{
    int r;

    if ((r = iq_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"iq-chart\" "
                              "viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\" "
                              "font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, "
                              "Arial, sans-serif\" font-size=\"13\"><title>", W, H)) < 0 ||
        (r = rnd_ui_text(b, title)) < 0)
        return r;
    return iq_buf_printf(b, "</title><rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>", W, H);
}

/* -- incidents per month, stacked by class -- */

static int bar(struct iq_buf *b, const struct rnd_ui_month *m, double x, double w, double top,
               const struct rnd_ui_series *s)
{
    double y = Y1;
    int r = 0;

    for (size_t k = 0; r == 0 && k <= s->n; k++) {
        long long c = m->group ? series_count(m->group, s, k) : 0;
        const char *name = k < s->n ? class_label(s->name[k]) : "other classes";
        double h = (Y1 - Y0) * (double)c / top;

        if (c <= 0)
            continue;
        y -= h;
        if ((r = iq_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                  "fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"0.5\" "
                                  "data-month=\"%s\" data-class=\"", x, y, w, h,
                               series_colours[k < s->n ? k : RND_UI_SERIES_MAX - 1], m->key)) < 0 ||
            (r = rnd_ui_text(b, name)) < 0 ||
            (r = iq_buf_printf(b, "\" data-count=\"%lld\"><title>%s · ", c, m->key)) < 0 ||
            (r = rnd_ui_text(b, name)) < 0 ||
            (r = iq_buf_printf(b, ": %lld incident%s</title></rect>", c, c == 1 ? "" : "s")) < 0)
            return r;
    }
    return r;
}

int rnd_ui_chart_counts(struct iq_buf *b, const struct rnd_ui_month *m, size_t n,
                        const struct rnd_ui_series *s)
{
    double slot = n ? (X1 - X0) / (double)n : 0, max = 0, step, top, bw, lx = X0, ly = 16;
    int r;

    for (size_t i = 0; i < n; i++) {
        double sum = 0;

        for (size_t k = 0; m[i].group && k <= s->n; k++)
            sum += (double)series_count(m[i].group, s, k);
        max = sum > max ? sum : max;
    }
    step = nice_step(max);
    top = axis_top(max, step);
    if ((r = chart_open(b, "Incidents per month by failure class")) < 0 ||
        (r = y_axis(b, top, step, 1, "")) < 0 || (r = x_axis(b, m, n)) < 0 ||
        (r = iq_buf_adds(b, "<g class=\"legend\">")) < 0)
        return r;
    for (size_t k = 0; k <= s->n && r == 0; k++)
        if (k < s->n || s->other)
            r = legend_entry(b, &lx, &ly, series_colours[k < s->n ? k : RND_UI_SERIES_MAX - 1], -1,
                             k < s->n ? class_label(s->name[k]) : "other classes");
    if (r < 0 || (r = iq_buf_adds(b, "</g><g class=\"bars\">")) < 0)
        return r;
    bw = slot * 0.7 < BAR_MAX ? slot * 0.7 : BAR_MAX;
    for (size_t i = 0; i < n; i++)
        if ((r = bar(b, &m[i], X0 + slot * ((double)i + 0.5) - bw / 2, bw, top, s)) < 0)
            return r;
    return iq_buf_adds(b, "</g></svg>");
}

/* -- medians per month -- */

static const struct {
    const char *key, *label, *colour;
} metrics[] = {
    { "mttd", "MTTD", C_ORANGE }, { "mtta", "MTTA", C_SKY },
    { "mttm", "MTTM", C_BLUE }, { "mttr", "MTTR", C_VERMILLION },
};

/* The median of metric k in a month's group, seconds, or -1. */
static double median(const json_t *group, size_t k)
{
    const json_t *v = json_object_get(json_object_get(group, metrics[k].key), "median");

    return json_is_integer(v) ? (double)json_integer_value(v) : -1;
}

/* A point of series k: circle, square, triangle or diamond. */
static int point(struct iq_buf *b, size_t k, double x, double y)
{
    switch (k) {
    case 0: return iq_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\"", x, y);
    case 1: return iq_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\"", x - 4, y - 4);
    case 2: return iq_buf_printf(b, "<path d=\"M%.1f %.1fl5 8h-10z\"", x, y - 5);
    default: return iq_buf_printf(b, "<path d=\"M%.1f %.1fl5 5l-5 5l-5 -5z\"", x, y - 5);
    }
}

static int series_line(struct iq_buf *b, const struct rnd_ui_month *m, size_t n, size_t k,
                       double top, double unit, const char *suffix)
{
    double slot = (X1 - X0) / (double)n, px = -1, py = 0;
    char dur[64];
    int r = iq_buf_printf(b, "<g class=\"series\" data-metric=\"%s\" fill=\"%s\" stroke=\"%s\">",
                          metrics[k].key, metrics[k].colour, metrics[k].colour);

    for (size_t i = 0; r == 0 && i < n; i++) {
        double v = m[i].group ? median(m[i].group, k) : -1, x = X0 + slot * ((double)i + 0.5), y;

        if (v < 0) {
            px = -1;   /* a gap */
            continue;
        }
        y = Y1 - (Y1 - Y0) * v / top;
        if (px >= 0 && (r = iq_buf_printf(b, "<path d=\"M%.1f %.1fL%.1f %.1f\" fill=\"none\" "
                                             "stroke-width=\"2\"/>", px, py, x, y)) < 0)
            break;
        rnd_fmt_duration((int64_t)v, dur, sizeof(dur));
        if ((r = point(b, k, x, y)) < 0 ||
            (r = iq_buf_printf(b, " data-month=\"%s\" data-seconds=\"%.0f\"><title>%s · %s median: "
                                  "%s (%.3g %s)</title>%s", m[i].key, v, m[i].key, metrics[k].label,
                               dur, v / unit, suffix,
                               k == 0 ? "</circle>" : k == 1 ? "</rect>" : "</path>")) < 0)
            break;
        px = x;
        py = y;
    }
    return r < 0 ? r : iq_buf_adds(b, "</g>");
}

int rnd_ui_chart_medians(struct iq_buf *b, const struct rnd_ui_month *m, size_t n)
{
    double max = 0, unit, step, top, lx = X0, ly = 16;
    const char *suffix;
    int r;

    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; m[i].group && k < 4; k++)
            max = median(m[i].group, k) > max ? median(m[i].group, k) : max;
    unit = max < 2 * 3600 ? 60 : max < 3 * 86400 ? 3600 : 86400;
    suffix = unit == 60 ? " min" : unit == 3600 ? " h" : " d";
    step = nice_step(max / unit);
    top = axis_top(max / unit, step);
    if ((r = chart_open(b, "Median time to detect, acknowledge, mitigate and resolve per "
                           "month")) < 0 ||
        (r = y_axis(b, top * unit, step * unit, unit, suffix)) < 0 || (r = x_axis(b, m, n)) < 0 ||
        (r = iq_buf_adds(b, "<g class=\"legend\">")) < 0)
        return r;
    for (size_t k = 0; k < 4 && r == 0; k++)
        r = legend_entry(b, &lx, &ly, metrics[k].colour, (int)k, metrics[k].label);
    if (r < 0 || (r = iq_buf_adds(b, "</g>")) < 0)
        return r;
    for (size_t k = 0; k < 4; k++)
        if ((r = series_line(b, m, n, k, top * unit, unit, suffix + 1)) < 0)
            return r;
    return iq_buf_adds(b, "</svg>");
}

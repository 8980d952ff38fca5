/* rnd_svg_layout.c - where everything of the visual timeline goes.
 *
 * Times become x coordinates on a fixed viewBox width (the SVG scales to
 * its container); overlapping bars of a lane go to sub-rows, milestone
 * labels to label rows; the axis gets a step from a fixed table so its
 * ticks fall on round UTC times whatever the span, from minutes to weeks.
 *
 * Design notes:
 *  - Sub-rows are found by greedy interval packing in order of start
 *    (rnd_svg_pack): the first free row, else a new one.  In that order
 *    first-fit uses as few rows as the deepest overlap needs.  Packing is
 *    done on x coordinates, bars widened to their minimum width, so two
 *    bars that would touch on screen never share a row.
 *  - Output stays bounded whatever the number of events: each lane has a
 *    row limit (SVG_ROWS_*); what fits no row goes to one more row where
 *    overlapping elements merge into one (data-count says how many).
 *    Chat ticks closer than SVG_TICK_MERGE units merge the same way, so
 *    the chat lane holds at most about 500 ticks.  An element's width is
 *    at least SVG_MIN_BAR units, so a row holds at most a few hundred.
 *  - Times and coordinates are plain doubles: a 1000-unit axis needs no
 *    more precision than that. */
#include "rnd_svg.h"
#include "rnd_svg_int.h"
#include "rnd_fmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iq_time.h"

#define MIN_MS  60000LL
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS  (24 * HOUR_MS)
#define MIN_SPAN (10 * MIN_MS)   /* the narrowest axis: ten minutes */

static const int64_t steps[] = {
    MIN_MS, 2 * MIN_MS, 5 * MIN_MS, 10 * MIN_MS, 15 * MIN_MS, 30 * MIN_MS,
    HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS,
    DAY_MS, 2 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS, 28 * DAY_MS,
};
#define N_STEPS (sizeof(steps) / sizeof(steps[0]))

/* Row limits per lane (components: one row per component). */
static const unsigned lane_rows[LANE_N] = {
    [LANE_ALERTS] = SVG_ROWS_ALERTS, [LANE_PAGES] = SVG_ROWS_PAGES,
    [LANE_STATUS] = SVG_ROWS_STATUS, [LANE_COMPONENTS] = SVG_ROWS_COMPONENTS,
    [LANE_DEPLOYS] = SVG_ROWS_DEPLOYS, [LANE_CHAT] = 1,
};

int64_t rnd_svg_axis_step(int64_t span_ms, unsigned max_ticks)
{
    if (max_ticks == 0)
        max_ticks = 1;
    for (size_t i = 0; i < N_STEPS; i++)
        if (span_ms <= steps[i] * (int64_t)max_ticks)
            return steps[i];
    return steps[N_STEPS - 1];
}

void rnd_svg_tick_label(int64_t t, int64_t step_ms, bool first, char *label, size_t lsz,
                        char *date, size_t dsz)
{
    bool midnight = t % DAY_MS == 0;

    if (step_ms >= DAY_MS) {
        rnd_fmt_day_month(t, label, lsz);
        if (dsz)
            date[0] = '\0';
        return;
    }
    rnd_fmt_hhmm(t, label, lsz);
    if (first || midnight)
        rnd_fmt_day_month(t, date, dsz);
    else if (dsz)
        date[0] = '\0';
}

unsigned rnd_svg_pack(const double *x0, const double *x1, size_t n, double gap,
                      unsigned max_rows, unsigned *ret_row)
{
    double end[64];
    unsigned rows = 0;

    if (max_rows > 64)
        max_rows = 64;
    for (size_t i = 0; i < n; i++) {
        unsigned r = 0;

        while (r < rows && end[r] + gap > x0[i])
            r++;
        if (r == rows && rows < max_rows)
            rows++;
        if (r < rows) {
            end[r] = x1[i] > x0[i] ? x1[i] : x0[i];
            ret_row[i] = r;
        } else {
            ret_row[i] = max_rows;
        }
    }
    return rows;
}

double svg_x(const struct rnd_svg *c, int64_t t)
{
    double span = (double)(c->t1 - c->t0);

    return SVG_PLOT_X0 + (double)(t - c->t0) * (SVG_PLOT_X1 - SVG_PLOT_X0) / (span > 0 ? span : 1);
}

double svg_text_w(size_t n_chars, double fs)
{
    return (double)n_chars * fs * SVG_CHAR_W;
}

static void extend(struct rnd_svg *c, int64_t t)
{
    if (t == IQ_TIME_NONE)
        return;
    if (c->data_from == IQ_TIME_NONE || t < c->data_from)
        c->data_from = t;
    if (c->data_to == IQ_TIME_NONE || t > c->data_to)
        c->data_to = t;
}

/* The extent of the data, open ends, and the axis range and step. */
static void axis(struct rnd_svg *c)
{
    int64_t span, pad;

    c->data_from = c->data_to = IQ_TIME_NONE;
    for (size_t i = 0; i < c->n_items; i++) {
        extend(c, c->items[i].from);
        extend(c, c->items[i].to);
    }
    for (size_t i = 0; i < c->n_ms; i++)
        extend(c, c->ms[i].at);
    extend(c, c->impact_from);
    extend(c, c->impact_to);
    if (c->data_from == IQ_TIME_NONE) {
        c->empty = true;
        return;
    }
    for (size_t i = 0; i < c->n_items; i++)
        if (c->items[i].open)
            c->items[i].to = c->data_to;
    if (c->impact_from != IQ_TIME_NONE && c->impact_open)
        c->impact_to = c->data_to;
    span = c->data_to - c->data_from;
    pad = span < MIN_SPAN ? (MIN_SPAN - span) / 2 : 0;
    c->t0 = c->data_from - pad;
    c->t1 = c->data_to + pad;
    pad = (c->t1 - c->t0) / 40;
    c->t0 -= pad;
    c->t1 += pad;
    c->step = rnd_svg_axis_step(c->t1 - c->t0, SVG_MAX_TICKS);
}

static void item_x(struct rnd_svg *c, struct svg_item *it)
{
    it->x0 = svg_x(c, it->from);
    it->x1 = svg_x(c, it->to);
    switch (it->shape) {
    case SH_MARK:
        it->x0 -= SVG_MARK_W / 2;
        it->x1 = it->x0 + SVG_MARK_W;
        break;
    case SH_TICK:
        it->x1 = it->x0 + 2;
        break;
    default:
        if (it->x1 < it->x0 + SVG_MIN_BAR)
            it->x1 = it->x0 + SVG_MIN_BAR;
        break;
    }
}

/* Merge into one tick the chat ticks closer than SVG_TICK_MERGE to the
 * tick that starts their run. */
static void merge_ticks(struct rnd_svg *c)
{
    struct svg_item *last = NULL;

    for (size_t i = 0; i < c->n_items; i++) {
        struct svg_item *it = &c->items[i];

        if (it->lane != LANE_CHAT)
            continue;
        if (last && it->x0 - last->x0 < SVG_TICK_MERGE) {
            last->count += it->count;
            last->to = it->to > last->to ? it->to : last->to;
            it->gone = true;
        } else {
            last = it;
        }
    }
}

/* A sort key: an x coordinate and the index of what has it. */
struct key {
    double x;
    size_t i;
};

static int cmp_key(const void *a, const void *b)
{
    const struct key *x = a, *y = b;

    if (x->x != y->x)
        return x->x < y->x ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Rows of the lane's groups; returns the rows used, sets *ret_over when
 * some group went to the overflow row. */
static int pack_lane(struct rnd_svg *c, enum svg_lane lane, unsigned *ret_rows, bool *ret_over)
{
    struct key *k = malloc((c->n_groups + 1) * sizeof(*k));
    double *x0 = malloc((c->n_groups + 1) * sizeof(*x0)), *x1 = malloc((c->n_groups + 1) * sizeof(*x1));
    unsigned *row = malloc((c->n_groups + 1) * sizeof(*row));
    size_t n = 0;
    int r = -ENOMEM;

    *ret_rows = 0;
    *ret_over = false;
    if (!k || !x0 || !x1 || !row)
        goto out;
    for (size_t g = 0; g < c->n_groups; g++)
        if (c->groups[g].lane == lane && c->groups[g].x1 >= c->groups[g].x0)
            k[n++] = (struct key){ c->groups[g].x0, g };
    if (lane == LANE_COMPONENTS) {   /* one row per component, in name order */
        for (size_t i = 0; i < n; i++)
            row[i] = i < lane_rows[lane] ? (unsigned)i : lane_rows[lane];
        *ret_rows = n < lane_rows[lane] ? (unsigned)n : lane_rows[lane];
    } else {
        qsort(k, n, sizeof(*k), cmp_key);
        for (size_t i = 0; i < n; i++) {
            x0[i] = c->groups[k[i].i].x0;
            x1[i] = c->groups[k[i].i].x1;
        }
        *ret_rows = rnd_svg_pack(x0, x1, n, lane == LANE_DEPLOYS ? 3.0 : 2.0, lane_rows[lane], row);
    }
    for (size_t i = 0; i < n; i++) {
        c->groups[k[i].i].row = row[i];
        *ret_over |= row[i] == lane_rows[lane];
    }
    r = 0;
out:
    free(k);
    free(x0);
    free(x1);
    free(row);
    return r;
}

/* In a lane's overflow row, overlapping elements merge into one. */
static int merge_overflow(struct rnd_svg *c, enum svg_lane lane, unsigned over)
{
    struct key *k = malloc((c->n_items + 1) * sizeof(*k));
    struct svg_item *last = NULL;
    size_t n = 0;

    if (!k)
        return -ENOMEM;
    for (size_t i = 0; i < c->n_items; i++)
        if (c->items[i].lane == lane && !c->items[i].gone && c->items[i].row == over)
            k[n++] = (struct key){ c->items[i].x0, i };
    qsort(k, n, sizeof(*k), cmp_key);
    for (size_t j = 0; j < n; j++) {
        struct svg_item *it = &c->items[k[j].i];

        if (last && it->x0 <= last->x1 + 1) {
            last->x1 = it->x1 > last->x1 ? it->x1 : last->x1;
            last->to = it->to > last->to ? it->to : last->to;
            last->count += it->count;
            last->style = ST_MORE;
            last->open |= it->open;
            last->end_id = -1;
            it->gone = true;
        } else {
            last = it;
        }
    }
    free(k);
    return 0;
}

/* Group extents, rows, overflow merges and the lane boxes. */
static int rows(struct rnd_svg *c)
{
    int r;

    for (size_t g = 0; g < c->n_groups; g++) {
        c->groups[g].x0 = 1e9;
        c->groups[g].x1 = -1e9;
    }
    for (size_t i = 0; i < c->n_items; i++) {
        struct svg_group *g = &c->groups[c->items[i].group];

        if (c->items[i].gone)
            continue;
        g->x0 = c->items[i].x0 < g->x0 ? c->items[i].x0 : g->x0;
        g->x1 = c->items[i].x1 > g->x1 ? c->items[i].x1 : g->x1;
    }
    for (int lane = 0; lane < LANE_N; lane++) {
        struct svg_lane_box *b = &c->lanes[lane];

        if ((r = pack_lane(c, (enum svg_lane)lane, &b->rows, &b->overflow)) < 0)
            return r;
        b->shown = b->rows > 0 || b->overflow;
    }
    for (size_t i = 0; i < c->n_items; i++)
        c->items[i].row = c->groups[c->items[i].group].row;
    for (int lane = 0; lane < LANE_N; lane++)
        if (c->lanes[lane].overflow) {
            if ((r = merge_overflow(c, (enum svg_lane)lane, lane_rows[lane])) < 0)
                return r;
            c->lanes[lane].rows = lane_rows[lane] + 1;
        }
    return 0;
}

/* Milestone labels ("Detected 13:42") into label rows. */
static void milestone_rows(struct rnd_svg *c)
{
    double x0[RND_MILESTONES_N] = { 0 }, x1[RND_MILESTONES_N] = { 0 };
    unsigned row[RND_MILESTONES_N];
    size_t order[RND_MILESTONES_N], n = c->n_ms;

    for (size_t i = 0; i < n; i++) {
        c->ms[i].x = svg_x(c, c->ms[i].at);
        order[i] = i;
    }
    for (size_t i = 1; i < n; i++)   /* insertion sort by x: six at most */
        for (size_t k = i; k > 0 && c->ms[order[k]].x < c->ms[order[k - 1]].x; k--) {
            size_t t = order[k];

            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    for (size_t i = 0; i < n; i++) {
        const struct svg_milestone *m = &c->ms[order[i]];
        double w = svg_text_w(strlen(m->def->label) + 6, SVG_FONT) + 8;

        x0[i] = m->x + w > SVG_PLOT_X1 ? m->x - w : m->x;
        x1[i] = x0[i] + w;
    }
    c->ms_rows = rnd_svg_pack(x0, x1, n, 4.0, SVG_MS_ROWS, row);
    for (size_t i = 0; i < n; i++)
        c->ms[order[i]].row = row[i] < SVG_MS_ROWS ? row[i] : SVG_MS_ROWS - 1;
}

const char *svg_legend_label(int style)
{
    return style == LEGEND_MILESTONE ? "milestone" : style == LEGEND_IMPACT ? "customer impact"
                                                                              : svg_styles[style].label;
}

/* The legend: the chart's marks and the styles drawn, wrapped in lines
 * across the plot. */
static void legend(struct rnd_svg *c)
{
    double x = SVG_PLOT_X0;

    memset(c->used, 0, sizeof(c->used));
    for (size_t i = 0; i < c->n_items; i++)
        if (!c->items[i].gone)
            c->used[c->items[i].style] = true;
    c->n_legend = 0;
    c->legend_lines = 0;
    for (int s = LEGEND_MILESTONE; s < ST_N; s++) {
        double w = 18 + svg_text_w(strlen(svg_legend_label(s)), SVG_FONT - 1) + 14;

        if ((s == LEGEND_MILESTONE && !c->n_ms) || (s == LEGEND_IMPACT && c->impact_from == IQ_TIME_NONE) ||
            (s >= 0 && !c->used[s]))
            continue;
        if (c->legend_lines == 0 || x + w > SVG_PLOT_X1) {
            c->legend_lines++;
            x = SVG_PLOT_X0;
        }
        c->legend[c->n_legend++] = (struct svg_legend_entry){ s, x, c->legend_lines - 1 };
        x += w;
    }
}

int svg_layout(struct rnd_svg *c)
{
    double y;
    int r;

    axis(c);
    if (c->empty) {
        c->height = SVG_CAPTION_H + 40;
        return 0;
    }
    for (size_t i = 0; i < c->n_items; i++)
        item_x(c, &c->items[i]);
    merge_ticks(c);
    if ((r = rows(c)) < 0)
        return r;
    milestone_rows(c);
    legend(c);
    y = SVG_CAPTION_H + 4 + c->ms_rows * SVG_MS_ROW_H;
    c->plot_top = y;
    for (int lane = 0; lane < LANE_N; lane++) {
        struct svg_lane_box *b = &c->lanes[lane];

        if (!b->shown)
            continue;
        b->y = y;
        b->h = SVG_LABEL_H + b->rows * SVG_ROW_H + 6;
        y += b->h;
    }
    c->plot_bottom = y;
    c->legend_top = y + SVG_AXIS_H;
    c->height = c->legend_top + c->legend_lines * SVG_LEGEND_H + 8;
    return 0;
}

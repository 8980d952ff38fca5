/* rnd_svg_int.h - the chart of the visual timeline between its three
 * steps: reading (rnd_svg_read.c: events and incident to items), layout
 * (rnd_svg_layout.c: times to coordinates, rows, merges) and writing
 * (rnd_svg.c: SVG markup).  Not for other modules.
 *
 * Texts that come from events live in one JSON array (texts) that the
 * draft may rewrite; items refer to them by index, -1 for none. */
#ifndef RND_SVG_INT_H
#define RND_SVG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "rnd_model.h"
#include "rnd_palette.h"

struct iq_buf;
struct iq_event;
struct rnd_people;

enum svg_lane { LANE_ALERTS = 0, LANE_PAGES, LANE_STATUS, LANE_COMPONENTS, LANE_DEPLOYS,
                LANE_CHAT, LANE_N };

/* Styles: what an element stands for, its data attribute value and its
 * colour (svg_styles[] in rnd_svg.c, the palette). */
enum svg_style {
    ST_SEV_CRITICAL = 0, ST_SEV_ERROR, ST_SEV_WARNING, ST_SEV_MINOR, ST_SEV_INFO, ST_SEV_NONE,
    ST_PAGE_TRIGGERED, ST_PAGE_ACK, ST_PAGE_RESOLVED,
    ST_STATUS_INVESTIGATING, ST_STATUS_IDENTIFIED, ST_STATUS_MONITORING, ST_STATUS_SCHEDULED,
    ST_STATUS_IN_PROGRESS, ST_STATUS_VERIFYING, ST_STATUS_UPDATE,
    ST_COMP_MAJOR, ST_COMP_PARTIAL, ST_COMP_DEGRADED, ST_COMP_MAINTENANCE, ST_COMP_OPERATIONAL,
    ST_DEPLOY, ST_CHANGE, ST_ROLLBACK,
    ST_CHAT,
    ST_MORE,            /* overflow: several elements merged */
    ST_N
};

struct svg_style_def {
    enum svg_lane lane;
    const char *name;       /* value of the lane's data attribute */
    const char *label;      /* legend */
    const char *fill;
    const char *stroke;     /* outline, or NULL */
};

extern const struct svg_style_def svg_styles[ST_N];   /* rnd_svg_read.c */


/* Legend entries: the styles drawn, after two of the chart's own marks. */
#define LEGEND_MILESTONE (-2)
#define LEGEND_IMPACT    (-1)

struct svg_legend_entry {
    int style;              /* enum svg_style, or LEGEND_MILESTONE, LEGEND_IMPACT */
    double x;
    unsigned line;
};

/* How an element is drawn. */
enum svg_shape { SH_BAR = 0, SH_MARK, SH_TICK };

enum svg_trigger { TRIG_NONE = 0, TRIG_CANDIDATE, TRIG_TOP };

struct svg_item {
    int64_t from, to;       /* UTC ms; to == from for a point */
    int32_t text;           /* description (texts index), or -1 */
    int32_t source;         /* source name, or -1 */
    int32_t id, end_id;     /* data-event, data-end-event (texts), or -1 */
    int32_t group;          /* the packing unit it belongs to */
    uint32_t count;         /* events it stands for */
    uint8_t lane;           /* enum svg_lane */
    uint8_t style;          /* enum svg_style */
    uint8_t shape;          /* enum svg_shape */
    uint8_t trigger;        /* enum svg_trigger */
    bool open;              /* no end seen: drawn to the end of the data */
    bool gone;              /* merged into another item (layout) */
    /* layout */
    double x0, x1;
    unsigned row;
};

/* A packing unit: one alert bar, one page (its segments), one status-page
 * incident, one component, one marker.  Its items share a row. */
struct svg_group {
    int64_t from, to;
    int32_t label;          /* row label (component name), texts index or -1 */
    uint8_t lane;
    double x0, x1;
    unsigned row;
};

struct svg_milestone {
    const struct rnd_milestone_def *def;
    int64_t at;
    char at_text[32];       /* RFC 3339 as the incident gives it */
    const char *rule;       /* borrowed from the incident */
    int32_t evidence;       /* description of the evidence event, or -1 */
    int32_t source;         /* its source, or -1 */
    double x;
    unsigned row;           /* label row */
};

struct svg_lane_box {
    bool shown;
    unsigned rows;          /* rows used, the overflow row included */
    bool overflow;
    double y;               /* top of the lane (its label line) */
    double h;
};

struct rnd_svg {
    json_t *texts;          /* array of strings; owned */
    json_t *sources;        /* source name -> texts index; owned */
    struct svg_item *items;
    size_t n_items, cap_items;
    struct svg_group *groups;
    size_t n_groups, cap_groups;
    struct svg_milestone ms[RND_MILESTONES_N];
    size_t n_ms;
    int32_t inc_id, inc_title;  /* texts indexes */
    int64_t impact_from, impact_to;  /* IQ_TIME_NONE when unknown */
    bool impact_open;
    int64_t data_from, data_to;  /* extent of what is drawn */
    /* layout */
    int64_t t0, t1;         /* axis range */
    int64_t step;           /* axis step, ms */
    struct svg_lane_box lanes[LANE_N];
    unsigned ms_rows;
    bool used[ST_N];        /* styles drawn */
    struct svg_legend_entry legend[ST_N + 2];
    size_t n_legend;
    unsigned legend_lines;
    double plot_top, plot_bottom, legend_top, height;
    bool empty;             /* nothing to draw */
};

/* Geometry, in viewBox units. */
#define SVG_W          1000.0
#define SVG_PLOT_X0    14.0
#define SVG_PLOT_X1    986.0
#define SVG_ROW_H      20.0
#define SVG_BAR_H      14.0
#define SVG_LABEL_H    20.0     /* lane label line */
#define SVG_MS_ROW_H   18.0
#define SVG_MIN_BAR    3.0
#define SVG_MARK_W     12.0
#define SVG_FONT       13.0     /* base font size, user units */
#define SVG_CHAR_W     0.6      /* average glyph width, in font sizes */
#define SVG_MAX_TICKS  11
#define SVG_TICK_MERGE 2.0      /* chat ticks closer than this merge */
#define SVG_AXIS_H     36.0     /* two lines of tick labels */
#define SVG_LEGEND_H   18.0     /* one line of the legend */
#define SVG_CAPTION_H  24.0
#define SVG_MS_ROWS    6

/* Row limits per lane; what does not fit is merged into one more row. */
#define SVG_ROWS_ALERTS     8
#define SVG_ROWS_PAGES      4
#define SVG_ROWS_STATUS     4
#define SVG_ROWS_COMPONENTS 12
#define SVG_ROWS_DEPLOYS    3

/* Reading (rnd_svg_read.c): fill chart from the incident and events.
 * -EINVAL (err set), -ENOMEM. */
int svg_read(struct rnd_svg *chart, const json_t *inc, struct iq_event *const *evs, size_t n,
             struct rnd_people *people, char *err, size_t errsz);

/* Add a string to texts; its index, or -1 on OOM (or s NULL). */
int32_t svg_text(struct rnd_svg *chart, const char *s);

/* Layout (rnd_svg_layout.c): axis, x coordinates, rows, merges, lane
 * boxes.  0 or -ENOMEM. */
int svg_layout(struct rnd_svg *chart);

/* x of time t on the laid-out axis. */
double svg_x(const struct rnd_svg *chart, int64_t t);

/* The words of a legend entry (rnd_svg_layout.c). */
const char *svg_legend_label(int style);

/* Estimated width of n characters at font size fs. */
double svg_text_w(size_t n_chars, double fs);

#endif

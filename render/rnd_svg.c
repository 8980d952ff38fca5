/* rnd_svg.c - the visual timeline written as SVG.
 *
 * The chart is read (rnd_svg_read.c) and laid out (rnd_svg_layout.c);
 * this file writes it: one <g data-lane> per family, an element with a
 * <title> (the event's UTC time, its description, its source) for every
 * bar, segment, marker and tick, a labelled line per milestone, the
 * impact shaded, the UTC axis and a legend.  The markup contract
 * (class, data-lane, data-milestone, data-at, data-event) is in
 * rnd_svg.h and docs/render.md.
 *
 * Design notes:
 *  - Colour is never the only cue (the palette, Okabe-Ito, is in
 *    rnd_svg_read.c with the styles): deploys, changes and rollbacks have
 *    different shapes, every element has a <title>, and the legend names
 *    what each colour means.
 *  - Plain fills as presentation attributes, so the SVG prints, and shows
 *    the same when a tool that ignores CSS imports it (Confluence, Google
 *    Docs); the small stylesheet only adds a minimum width, which keeps
 *    text readable on a phone (the page scrolls sideways instead of
 *    shrinking the chart), hover outlines, and print settings.
 *  - Every text that comes from outside goes through rnd_xml_escape:
 *    entities for markup characters, U+FFFD for what XML 1.0 cannot
 *    carry (control characters, invalid UTF-8). */
#include "rnd_svg.h"
#include "rnd_svg_int.h"
#include "iq_buf.h"
#include "rnd_fmt.h"
#include "rnd_people.h"
#include "rnd_tmpl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_time.h"

#define TEXT_CLIP 400   /* bytes of one outside text in a title */

/* Lane names: the data-lane value and the label shown. */
static const char *const lane_names[LANE_N] = { "alerts", "pages", "status", "components",
                                                "deploys", "chat" };
static const char *const lane_labels[LANE_N] = { "Alerts", "Pages", "Status page",
                                                 "Status-page components", "Deploys and changes",
                                                 "Chat" };
/* The data attribute that carries an element's style name, per lane. */
static const char *const lane_attr[LANE_N] = { "data-severity", "data-state", "data-state",
                                               "data-state", "data-kind", "data-kind" };

static const char stylesheet[] =
    "svg.iq-timeline{min-width:860px;height:auto;background:#fff}"
    ".iq-timeline [data-event]:hover{stroke:#000;stroke-width:2}"
    "@media print{svg.iq-timeline{min-width:0;width:100%}}";

/* -- escaping -- */

/* Length of the valid UTF-8 sequence at s (n bytes left) and its code
 * point, or 0 when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    unsigned v;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] < 0xC2 || s[0] > 0xF4 || len > n)
        return 0;
    v = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

int rnd_xml_escape(struct iq_buf *b, const char *s, size_t n)
{
    static const char bad[] = "\xEF\xBF\xBD";   /* U+FFFD */
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    int r = 0;

    while (i < n && r == 0) {
        unsigned cp = 0;
        size_t len = utf8_seq(p + i, n - i, &cp);
        const char *rep = NULL;

        if (len == 0)
            rep = bad, len = 1;
        else if (cp == '&')
            rep = "&amp;";
        else if (cp == '<')
            rep = "&lt;";
        else if (cp == '>')
            rep = "&gt;";
        else if (cp == '"')
            rep = "&quot;";
        else if (cp == '\'')
            rep = "&apos;";
        else if (cp == '\t' || cp == '\n' || cp == '\r')
            rep = " ";
        else if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
            rep = bad;
        if (!rep) {
            run += len;
            i += len;
            continue;
        }
        if (run)
            r = iq_buf_add(b, s + i - run, run);
        if (r == 0)
            r = iq_buf_adds(b, rep);
        run = 0;
        i += len;
    }
    if (r == 0 && run)
        r = iq_buf_add(b, s + i - run, run);
    return r;
}

/* A text of the chart (texts index; nothing for -1), escaped and clipped. */
static int put_text(struct iq_buf *b, const struct rnd_svg *c, int32_t i)
{
    const json_t *j = i >= 0 ? json_array_get(c->texts, (size_t)i) : NULL;
    const char *s = json_string_value(j);
    size_t n = json_string_length(j), cut;
    int r;

    if (!s)
        return 0;
    cut = iq_utf8_prefix(s, n, TEXT_CLIP);
    if ((r = rnd_xml_escape(b, s, cut)) == 0 && cut < n)
        r = iq_buf_adds(b, "\xE2\x80\xA6");
    return r;
}

/* -- times in titles -- */

/* "2026-10-21 13:42:30" */
static void when(int64_t ms, char *buf, size_t size)
{
    int y, mo, d, h, mi, s, msec;

    iq_time_civil(ms, &y, &mo, &d, &h, &mi, &s, &msec);
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
}

/* "2026-10-21 13:42:30 UTC", or a range with its duration. */
static int put_span(struct iq_buf *b, int64_t from, int64_t to, bool open)
{
    char a[32], z[32], d[48];

    when(from, a, sizeof(a));
    if (to <= from && !open)
        return iq_buf_printf(b, "%s UTC", a);
    when(to, z, sizeof(z));
    rnd_fmt_duration((to - from) / 1000, d, sizeof(d));
    if (open)
        return iq_buf_printf(b, "%s UTC, still open at the last event (%s so far)", a, d);
    return iq_buf_printf(b, "%s – %s UTC (%s)", a, memcmp(a, z, 11) == 0 ? z + 11 : z, d);
}

/* -- elements -- */

static double row_y(const struct rnd_svg *c, const struct svg_item *it)
{
    return c->lanes[it->lane].y + SVG_LABEL_H + it->row * SVG_ROW_H + (SVG_ROW_H - SVG_BAR_H) / 2;
}

/* The shape of an element at x0..x1, top y; opens the element, which the
 * caller closes with its </rect> or </path>. */
static int open_shape(struct iq_buf *b, const struct svg_item *it, double y, bool *ret_path)
{
    double x0 = it->x0, x1 = it->x1, cx = (x0 + x1) / 2, h = SVG_BAR_H, m = h / 2;
    const struct svg_style_def *st = &svg_styles[it->style];

    *ret_path = false;
    if (it->shape == SH_MARK) {
        double k = it->trigger == TRIG_TOP ? 1.3 : 1.0;

        *ret_path = true;
        if (it->style == ST_CHANGE)   /* a square */
            return iq_buf_printf(b, "<path d=\"M%.1f %.1fh%.1fv%.1fh%.1fz\" fill=\"%s\"",
                                 cx - 5 * k, y + m - 5 * k, 10 * k, 10 * k, -10 * k, st->fill);
        if (it->style == ST_ROLLBACK)   /* a triangle pointing back in time */
            return iq_buf_printf(b, "<path d=\"M%.1f %.1fl%.1f %.1fv%.1fz\" fill=\"%s\"",
                                 cx - 6 * k, y + m, 12 * k, -m * k, 2 * m * k, st->fill);
        return iq_buf_printf(b, "<path d=\"M%.1f %.1fl%.1f %.1f %.1f %.1f %.1f %.1fz\" fill=\"%s\"",
                             cx, y + m - m * k, 6 * k, m * k, -6 * k, m * k, -6 * k, -m * k, st->fill);
    }
    return iq_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"%s fill=\"%s\"%s%s%s",
                         x0, y, x1 - x0, h, it->shape == SH_BAR ? " rx=\"2\"" : "", st->fill,
                         st->stroke ? " stroke=\"" : "", st->stroke ? st->stroke : "",
                         st->stroke ? "\"" : "");
}

/* data-* attributes of an element. */
static int item_attrs(struct iq_buf *b, const struct rnd_svg *c, const struct svg_item *it)
{
    char at[IQ_TIME_STRLEN];
    int r = 0;

    if (it->id >= 0 && ((r = iq_buf_adds(b, " data-event=\"")) < 0 || (r = put_text(b, c, it->id)) < 0 ||
                        (r = iq_buf_addc(b, '"')) < 0))
        return r;
    if (it->end_id >= 0 && ((r = iq_buf_adds(b, " data-end-event=\"")) < 0 ||
                            (r = put_text(b, c, it->end_id)) < 0 || (r = iq_buf_addc(b, '"')) < 0))
        return r;
    if (it->lane == LANE_COMPONENTS && it->style != ST_MORE &&
        ((r = iq_buf_adds(b, " data-component=\"")) < 0 ||
         (r = put_text(b, c, c->groups[it->group].label)) < 0 || (r = iq_buf_addc(b, '"')) < 0))
        return r;
    iq_time_format(it->from, at, sizeof(at));
    if ((r = iq_buf_printf(b, " data-at=\"%s\"", at)) < 0)
        return r;
    if (it->to > it->from || it->open) {
        iq_time_format(it->to, at, sizeof(at));
        if ((r = iq_buf_printf(b, " data-end=\"%s\"", at)) < 0)
            return r;
    }
    if (it->style == ST_MORE)
        r = iq_buf_adds(b, " data-more=\"true\"");
    else
        r = iq_buf_printf(b, " %s=\"%s\"", lane_attr[it->lane], svg_styles[it->style].name);
    if (r == 0 && it->count > 1)
        r = iq_buf_printf(b, " data-count=\"%u\"", it->count);
    if (r == 0 && it->open)
        r = iq_buf_adds(b, " data-open=\"true\"");
    if (r == 0 && it->trigger)
        r = iq_buf_printf(b, " data-trigger=\"%s\"", it->trigger == TRIG_TOP ? "top" : "candidate");
    return r;
}

/* A state's name in words: "partial_outage" -> "partial outage". */
static int put_words(struct iq_buf *b, const char *name)
{
    int r = 0;

    for (; *name && r == 0; name++)
        r = iq_buf_addc(b, *name == '_' ? ' ' : *name);
    return r;
}

/* The <title> of an element: time, what, source. */
static int item_title(struct iq_buf *b, const struct rnd_svg *c, const struct svg_item *it)
{
    bool comp = it->lane == LANE_COMPONENTS && it->style != ST_MORE;
    int r;

    /* a component's last state lasts until the resolution (rnd_status.h) */
    if ((r = iq_buf_adds(b, "<title>")) < 0 || (r = put_span(b, it->from, it->to, it->open && !comp)) < 0)
        return r;
    if (comp && ((r = iq_buf_adds(b, " · ")) < 0 || (r = put_text(b, c, c->groups[it->group].label)) < 0 ||
                 (r = iq_buf_adds(b, ": ")) < 0 || (r = put_words(b, svg_styles[it->style].name)) < 0 ||
                 (r = iq_buf_adds(b, it->open ? " (its last state)" : "")) < 0))
        return r;
    if (it->style == ST_MORE && (r = iq_buf_printf(b, " · %u events merged, first:", it->count)) < 0)
        return r;
    if (it->lane == LANE_CHAT && it->count > 1 &&
        (r = iq_buf_printf(b, " · %u messages, first:", it->count)) < 0)
        return r;
    if (it->text >= 0 && ((r = iq_buf_adds(b, " · ")) < 0 || (r = put_text(b, c, it->text)) < 0))
        return r;
    if (it->style != ST_MORE && it->lane != LANE_CHAT && it->count > 1 &&
        (r = iq_buf_printf(b, " (%u events)", it->count)) < 0)
        return r;
    if (it->trigger && (r = iq_buf_adds(b, it->trigger == TRIG_TOP ? " · top trigger candidate"
                                                                   : " · trigger candidate")) < 0)
        return r;
    if (it->source >= 0 && ((r = iq_buf_adds(b, " · ")) < 0 || (r = put_text(b, c, it->source)) < 0))
        return r;
    return iq_buf_adds(b, "</title>");
}

static int write_item(struct iq_buf *b, const struct rnd_svg *c, const struct svg_item *it)
{
    double y = row_y(c, it);
    bool path;
    int r;

    if ((r = open_shape(b, it, y, &path)) < 0 || (r = item_attrs(b, c, it)) < 0 ||
        (r = iq_buf_addc(b, '>')) < 0 || (r = item_title(b, c, it)) < 0 ||
        (r = iq_buf_adds(b, path ? "</path>" : "</rect>")) < 0)
        return r;
    if (it->trigger == TRIG_TOP)   /* the top candidate, named beside its marker */
        r = iq_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" font-weight=\"bold\""
                          " text-anchor=\"%s\">top trigger candidate</text>",
                          it->x1 > SVG_PLOT_X1 - 160 ? it->x0 - 3 : it->x1 + 3, y + SVG_BAR_H - 3,
                          it->x1 > SVG_PLOT_X1 - 160 ? "end" : "start");
    return r;
}

/* Row labels of the components lane: each component's name. */
static int component_labels(struct iq_buf *b, const struct rnd_svg *c)
{
    const struct svg_lane_box *box = &c->lanes[LANE_COMPONENTS];
    unsigned more = 0;
    int r = 0;

    for (size_t g = 0; g < c->n_groups && r == 0; g++) {
        const struct svg_group *gr = &c->groups[g];
        double y = box->y + SVG_LABEL_H + gr->row * SVG_ROW_H + SVG_ROW_H / 2 + 4;

        if (gr->lane != LANE_COMPONENTS || gr->x1 < gr->x0)
            continue;
        if (gr->row >= SVG_ROWS_COMPONENTS) {
            more++;
            continue;
        }
        if ((r = iq_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" paint-order=\"stroke\""
                               " stroke=\"#fff\" stroke-width=\"3\">", SVG_PLOT_X0 + 4, y)) == 0 &&
            (r = put_text(b, c, gr->label)) == 0)
            r = iq_buf_adds(b, "</text>");
    }
    if (r == 0 && more)
        r = iq_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%u more components</text>",
                          SVG_PLOT_X0 + 4, box->y + SVG_LABEL_H + SVG_ROWS_COMPONENTS * SVG_ROW_H
                                               + SVG_ROW_H / 2 + 4, more);
    return r;
}

/* Lane bands, every other one shaded, under everything else. */
static int write_bands(struct iq_buf *b, const struct rnd_svg *c)
{
    int r = 0;

    for (int lane = 0, k = 0; lane < LANE_N && r == 0; lane++)
        if (c->lanes[lane].shown && k++ % 2 == 0)
            r = iq_buf_printf(b, "<rect x=\"0\" y=\"%.1f\" width=\"%.0f\" height=\"%.1f\" fill=\"#f4f6f8\"/>",
                              c->lanes[lane].y, SVG_W, c->lanes[lane].h);
    return r;
}

static int write_lane(struct iq_buf *b, const struct rnd_svg *c, enum svg_lane lane)
{
    const struct svg_lane_box *box = &c->lanes[lane];
    size_t n = 0;
    int r;

    for (size_t i = 0; i < c->n_items; i++)
        n += c->items[i].lane == lane && !c->items[i].gone;
    if ((r = iq_buf_printf(b, "<g data-lane=\"%s\"><title>%s: %zu element%s</title>"
                           "<text x=\"%.1f\" y=\"%.1f\" font-size=\"15\" font-weight=\"bold\">%s</text>",
                           lane_names[lane], lane_labels[lane], n, n == 1 ? "" : "s", SVG_PLOT_X0,
                           box->y + 15, lane_labels[lane])) < 0)
        return r;
    for (size_t i = 0; i < c->n_items; i++)
        if (c->items[i].lane == lane && !c->items[i].gone && (r = write_item(b, c, &c->items[i])) < 0)
            return r;
    if (lane == LANE_COMPONENTS && (r = component_labels(b, c)) < 0)
        return r;
    return iq_buf_adds(b, "</g>");
}

/* -- axis, impact, milestones, legend -- */

static int write_axis(struct iq_buf *b, const struct rnd_svg *c)
{
    int64_t off = c->step >= 7 * 86400000LL ? 4 * 86400000LL : 0;   /* weeks start on Monday */
    int64_t t = ((c->t0 - off) / c->step + ((c->t0 - off) % c->step > 0)) * c->step + off;
    char label[32], date[32];
    bool first = true;
    int r;

    if ((r = iq_buf_adds(b, "<g class=\"iq-axis\" font-size=\"13\" fill=\"#333333\">")) < 0)
        return r;
    for (; t <= c->t1 && r == 0; t += c->step) {
        double x = svg_x(c, t);
        const char *anchor = x < SVG_PLOT_X0 + 30 ? "start" : x > SVG_PLOT_X1 - 30 ? "end" : "middle";

        rnd_svg_tick_label(t, c->step, first, label, sizeof(label), date, sizeof(date));
        first = false;
        r = iq_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d7de\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x, c->plot_top,
                          x, c->plot_bottom + 4, x, c->plot_bottom + 16, anchor, label);
        if (r == 0 && date[0])
            r = iq_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-weight=\"bold\">%s</text>",
                              x, c->plot_bottom + 30, anchor, date);
    }
    return r < 0 ? r : iq_buf_adds(b, "</g>");
}

static int write_impact(struct iq_buf *b, const struct rnd_svg *c)
{
    char from[IQ_TIME_STRLEN], to[IQ_TIME_STRLEN];
    double x0, x1;
    int r;

    if (c->impact_from == IQ_TIME_NONE)
        return 0;
    x0 = svg_x(c, c->impact_from);
    x1 = svg_x(c, c->impact_to);
    iq_time_format(c->impact_from, from, sizeof(from));
    iq_time_format(c->impact_to, to, sizeof(to));
    if ((r = iq_buf_printf(b, "<rect class=\"iq-impact\" data-from=\"%s\" data-to=\"%s\"%s x=\"%.1f\""
                           " y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\"0.13\">"
                           "<title>Customer impact: ", from, to, c->impact_open ? " data-open=\"true\"" : "",
                           x0, c->plot_top, x1 - x0 > 1 ? x1 - x0 : 1, c->plot_bottom - c->plot_top,
                           C_VERMILLION)) < 0 ||
        (r = put_span(b, c->impact_from, c->impact_to, c->impact_open)) < 0)
        return r;
    return iq_buf_adds(b, "</title></rect>");
}

static int write_milestone(struct iq_buf *b, const struct rnd_svg *c, const struct svg_milestone *m)
{
    double top = SVG_CAPTION_H + 4 + m->row * SVG_MS_ROW_H, x = m->x;
    double w = svg_text_w(strlen(m->def->label) + 6, SVG_FONT) + 8;
    bool flip = x + w > SVG_PLOT_X1;
    char hhmm[16], at[32];
    int r;

    rnd_fmt_hhmm(m->at, hhmm, sizeof(hhmm));
    when(m->at, at, sizeof(at));
    if ((r = iq_buf_printf(b, "<g data-milestone=\"%s\" data-at=\"%s\"><title>%s · %s UTC · rule ",
                           m->def->key, m->at_text, m->def->label, at)) < 0 ||
        (r = rnd_xml_escape(b, m->rule ? m->rule : "manual", strlen(m->rule ? m->rule : "manual"))) < 0)
        return r;
    if (m->evidence >= 0 && ((r = iq_buf_adds(b, " · evidence: ")) < 0 ||
                             (r = put_text(b, c, m->evidence)) < 0))
        return r;
    if (m->source >= 0 && ((r = iq_buf_adds(b, " · ")) < 0 || (r = put_text(b, c, m->source)) < 0))
        return r;
    return iq_buf_printf(b, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                         " stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/><text x=\"%.1f\" y=\"%.1f\""
                         " font-size=\"%.0f\" font-weight=\"bold\" text-anchor=\"%s\">%s %s</text></g>",
                         x, top + 2, x, c->plot_bottom, C_BLACK, flip ? x - 4 : x + 4, top + 13,
                         SVG_FONT, flip ? "end" : "start", m->def->label, hhmm);
}

/* A legend entry: swatch s (a style, LEGEND_MILESTONE or LEGEND_IMPACT)
 * and its label at x on the line at y. */
static int swatch(struct iq_buf *b, int s, const char *label, double x, double y)
{
    struct svg_item it = { .x0 = x, .x1 = x + 14, .style = (uint8_t)(s < 0 ? 0 : s) };
    bool path;
    int r;

    if (s == LEGEND_MILESTONE) {
        r = iq_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                          " stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>", x + 6, y, x + 6, y + 14, C_BLACK);
    } else if (s == LEGEND_IMPACT) {
        r = iq_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%s\""
                          " fill-opacity=\"0.25\"/>", x, y + 1, C_VERMILLION);
    } else {
        it.shape = svg_styles[s].lane == LANE_DEPLOYS ? SH_MARK : SH_BAR;
        if ((r = open_shape(b, &it, y + 1, &path)) == 0)
            r = iq_buf_adds(b, "/>");
    }
    if (r == 0)
        r = iq_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", x + 18, y + 12, label);
    return r;
}

/* The legend, at the places the layout gave its entries. */
static int write_legend(struct iq_buf *b, const struct rnd_svg *c)
{
    int r = 0;

    for (size_t i = 0; i < c->n_legend && r == 0; i++) {
        const struct svg_legend_entry *e = &c->legend[i];

        r = swatch(b, e->style, svg_legend_label(e->style), e->x,
                   c->legend_top + e->line * SVG_LEGEND_H);
    }
    return r;
}

/* -- the document -- */

static int write_head(struct iq_buf *b, const struct rnd_svg *c, unsigned flags)
{
    char from[IQ_TIME_STRLEN] = "", to[IQ_TIME_STRLEN] = "";
    int r;

    if (!c->empty) {
        iq_time_format(c->data_from, from, sizeof(from));
        iq_time_format(c->data_to, to, sizeof(to));
    }
    if ((flags & RND_SVG_STANDALONE) && (r = iq_buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")) < 0)
        return r;
    if ((r = iq_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"iq-timeline\""
                           " viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" role=\"img\""
                           " font-family=\"system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\""
                           " font-size=\"%.0f\" data-from=\"%s\" data-to=\"%s\" data-incident=\"",
                           SVG_W, c->height, SVG_FONT, from, to)) < 0 ||
        (r = put_text(b, c, c->inc_id)) < 0 ||
        (r = iq_buf_adds(b, "\"><title>Visual timeline of ")) < 0 || (r = put_text(b, c, c->inc_id)) < 0 ||
        (r = iq_buf_adds(b, ": ")) < 0 || (r = put_text(b, c, c->inc_title)) < 0 ||
        (r = iq_buf_adds(b, " (times in UTC)</title>")) < 0 ||
        (!(flags & RND_SVG_NO_STYLE) && (r = iq_buf_printf(b, "<style>%s</style>", stylesheet)) < 0) ||
        (r = iq_buf_printf(b, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>", SVG_W,
                           c->height)) < 0)
        return r;
    return 0;
}

const char *rnd_svg_stylesheet(void)
{
    return stylesheet;
}

static int write_caption(struct iq_buf *b, const struct rnd_svg *c)
{
    char a[32], z[32];
    int r;

    if ((r = iq_buf_printf(b, "<text x=\"%.1f\" y=\"17\" font-size=\"15\" font-weight=\"bold\">",
                           SVG_PLOT_X0)) < 0 || (r = put_text(b, c, c->inc_title)) < 0)
        return r;
    if (c->empty)
        return iq_buf_adds(b, "</text><text x=\"14\" y=\"48\">No events to draw.</text>");
    iq_time_format_minute(c->data_from, a, sizeof(a));
    iq_time_format_minute(c->data_to, z, sizeof(z));
    return iq_buf_printf(b, "<tspan font-weight=\"normal\"> · %s – %s UTC</tspan></text>", a,
                         memcmp(a, z, 11) == 0 ? z + 11 : z);
}

int rnd_svg_write(const struct rnd_svg *c, unsigned flags, struct iq_buf *b)
{
    int r;

    if ((r = write_head(b, c, flags)) < 0 || (r = write_caption(b, c)) < 0)
        return r;
    if (c->empty)
        return iq_buf_adds(b, "</svg>\n");
    if ((r = write_bands(b, c)) < 0 || (r = write_axis(b, c)) < 0 || (r = write_impact(b, c)) < 0)
        return r;
    for (int lane = 0; lane < LANE_N; lane++)
        if (c->lanes[lane].shown && (r = write_lane(b, c, (enum svg_lane)lane)) < 0)
            return r;
    if ((r = iq_buf_adds(b, "<g class=\"iq-milestones\">")) < 0)
        return r;
    for (size_t i = 0; i < c->n_ms; i++)
        if ((r = write_milestone(b, c, &c->ms[i])) < 0)
            return r;
    if ((r = iq_buf_printf(b, "</g><g class=\"iq-legend\" font-size=\"%.0f\">", SVG_FONT - 1)) < 0)
        return r;
    if ((r = write_legend(b, c)) < 0)
        return r;
    return iq_buf_adds(b, "</g></svg>\n");
}

/* -- life cycle -- */

int rnd_svg_build(const json_t *incident, struct iq_event *const *evs, size_t n,
                  struct rnd_people *people, struct rnd_svg **ret, char *err, size_t errsz)
{
    struct rnd_svg *c = calloc(1, sizeof(*c));
    struct rnd_people *own = NULL;
    int r = -ENOMEM;

    err[0] = '\0';
    if (!c || !(c->texts = json_array()) || !(c->sources = json_object()))
        goto fail;
    if (!people && !(people = own = rnd_people_new(NULL, false)))
        goto fail;
    if ((r = svg_read(c, incident, evs, n, people, err, errsz)) < 0 || (r = svg_layout(c)) < 0)
        goto fail;
    rnd_people_destroy(&own);
    *ret = c;
    return 0;
fail:
    if (r == -ENOMEM && !err[0])
        snprintf(err, errsz, "out of memory building the visual timeline");
    rnd_people_destroy(&own);
    rnd_svg_destroy(&c);
    return r;
}

json_t *rnd_svg_texts(struct rnd_svg *c)
{
    return c->texts;
}

void rnd_svg_destroy(struct rnd_svg **pc)
{
    struct rnd_svg *c;

    if (!pc || !*pc)
        return;
    c = *pc;
    json_decref(c->texts);
    json_decref(c->sources);
    free(c->items);
    free(c->groups);
    free(c);
    *pc = NULL;
}

int rnd_svg_string(const struct rnd_svg *c, unsigned flags, size_t max_out, char **ret,
                   size_t *ret_len)
{
    struct iq_buf b;
    int r;

    iq_buf_init(&b, max_out ? max_out : RND_OUT_MAX_DEFAULT);
    if ((r = rnd_svg_write(c, flags, &b)) == -ENOBUFS)
        r = -E2BIG;
    else if (r == 0 && !(*ret = iq_buf_take(&b, ret_len)))
        r = -ENOMEM;
    iq_buf_free(&b);
    return r;
}

/* rnd_svg.h - the visual timeline of an incident, as SVG.
 *
 * One lane per family of events (alerts, pages, status-page incidents,
 * status-page components, deploys and changes, chat), a labelled vertical
 * line per milestone, the customer impact shaded, and a UTC axis whose
 * ticks adapt from minutes to days.  The same SVG goes inline into the
 * HTML draft, into ID.svg beside the daemon's draft files, to
 * `inquest draft ID --format svg` and to
 * GET /api/v1/incidents/ID/timeline.svg.
 *
 * Markup contract (docs/render.md, "Visual timeline"), for tests and
 * integrators:
 *   <svg class="iq-timeline">            the chart
 *   <g data-lane="alerts|pages|status|components|deploys|chat">
 *   data-milestone="NAME" data-at="RFC 3339, UTC, Z"   one per milestone
 *   data-event="EVENT_ID"                every element drawn for an event
 *
 * Building and writing are two steps so that the draft can rewrite the
 * texts taken from events (pseudonyms, the external audience's rules,
 * redaction) in between, exactly as it rewrites its own context. */
#ifndef RND_SVG_H
#define RND_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct iq_buf;
struct iq_event;
struct rnd_people;
struct rnd_svg;

/* Build the chart of incident (schemas/incident.schema.json) and its
 * events evs (time order), all borrowed.  people names the actors as the
 * draft does (display names, pseudonyms: rnd_people.h); NULL: actors as
 * recorded.  Caller owns *ret (rnd_svg_destroy).  -EINVAL with err naming
 * a malformed incident member, -ENOMEM. */
int rnd_svg_build(const json_t *incident, struct iq_event *const *evs, size_t n,
                  struct rnd_people *people, struct rnd_svg **ret, char *err, size_t errsz);

/* Every text of the chart that comes from an event or the incident
 * (descriptions, sources, event ids, component names), as a JSON array of
 * strings.  The caller may rewrite the strings in place (not add or remove
 * entries) before rnd_svg_write.  Borrowed; valid while chart lives. */
json_t *rnd_svg_texts(struct rnd_svg *chart);

#define RND_SVG_STANDALONE 0x1u   /* a document of its own: XML declaration first */
#define RND_SVG_NO_STYLE   0x2u   /* no <style> element: the page's stylesheet carries
                                     rnd_svg_stylesheet() (a strict Content-Security-Policy
                                     refuses inline styles) */

/* The chart's small stylesheet (minimum width, hover, print), the one its
 * <style> element holds.  Static. */
const char *rnd_svg_stylesheet(void);

/* Append the chart as SVG to out.  Without RND_SVG_STANDALONE the markup
 * is meant to sit inline in an HTML page.  0, -ENOBUFS past out's cap,
 * -ENOMEM; out may hold part of the chart on failure. */
int rnd_svg_write(const struct rnd_svg *chart, unsigned flags, struct iq_buf *out);

/* Free; NULLs the caller's pointer.  NULL-safe. */
void rnd_svg_destroy(struct rnd_svg **pchart);

/* The chart as one string (rnd_svg_write into a buffer capped at max_out
 * bytes, 0: RND_OUT_MAX_DEFAULT).  Caller owns *ret.  0, -E2BIG over the
 * cap, -ENOMEM. */
int rnd_svg_string(const struct rnd_svg *chart, unsigned flags, size_t max_out, char **ret,
                   size_t *ret_len);

/* -- parts exposed for their unit tests (tests/unit/rnd_svg_test.c) -- */

/* The step between axis ticks for a span of span_ms, at most max_ticks
 * ticks: the smallest step of 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h,
 * 1, 2, 7, 14, 28 d that keeps span / step <= max_ticks; the largest when
 * none does. */
int64_t rnd_svg_axis_step(int64_t span_ms, unsigned max_ticks);

/* The label of the tick at t (UTC ms) on an axis of step step_ms: "HH:MM"
 * for steps under a day, with the date "D Mon" ("21 Oct") in date at the
 * first tick and at midnight ("" elsewhere); "D Mon" for steps of days
 * (date ""). */
void rnd_svg_tick_label(int64_t t, int64_t step_ms, bool first, char *label, size_t lsz,
                        char *date, size_t dsz);

/* Greedy interval packing: intervals [x0[i], x1[i]] in order of x0 go to
 * the first row whose last interval ends at least gap before x0[i]; a new
 * row is opened when none is free.  Writes each interval's row to
 * ret_row; intervals that fit none of max_rows rows get row max_rows (the
 * overflow).  Returns the number of rows used (<= max_rows). */
unsigned rnd_svg_pack(const double *x0, const double *x1, size_t n, double gap,
                      unsigned max_rows, unsigned *ret_row);

/* Append n bytes of s as XML character data, also safe in a quoted
 * attribute: & < > " ' as entities, tab, CR and LF as a space, other
 * control characters, U+FFFE, U+FFFF and invalid UTF-8 as U+FFFD.
 * 0, -ENOBUFS, -ENOMEM. */
int rnd_xml_escape(struct iq_buf *b, const char *s, size_t n);

#endif

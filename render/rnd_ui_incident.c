/* rnd_ui_incident.c - GET /ui/incidents/ID: one incident in the web UI.
 *
 * The page, top to bottom: the title with status, severity and services;
 * buttons that download the draft as Markdown, HTML and JSON (and the
 * timeline as SVG) from the drafts API; the facts; the milestones, each
 * with its time, its distance from the start of impact, the rule that
 * chose it and a link to its evidence in the events table; the durations;
 * the visual timeline inline; the trigger candidates; the recurrence; the
 * rendered draft; and the incident's events, 500 to a page
 * (?page=N), each row anchored as #ev-ID.
 *
 * Design notes:
 *  - One read: the incident, its events (members, trigger candidates'
 *    events, audit notes), the recurrence and the names of chat users come
 *    from rnd_draft_doc_load, exactly what GET .../draft.html reads; the
 *    draft's Markdown and the chart come from one build (rnd_draft_parts),
 *    so the page, the downloads and the drafts directory say the same.
 *  - The chart is written without its <style> element (RND_SVG_NO_STYLE):
 *    its rules are in the UI's stylesheet, as the Content-Security-Policy
 *    wants.  The draft's article is rendered without its own copy of the
 *    chart (rnd_html_article with no SVG), so the page holds one timeline.
 *  - The audience is internal, as for any read token (external tokens get
 *    403 before this runs); people are named as the draft names them
 *    (display names, never a raw chat id).
 *  - Anchors are "ev-" and the event id percent-encoded, in both the id
 *    attribute and the links, so any id makes a valid, matching fragment;
 *    a link to an event on another page of the table carries ?page=N. */
#include "rnd_ui_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "iq_buf.h"
#include "iq_event.h"
#include "iq_time.h"
#include "rnd_draft.h"
#include "rnd_html.h"
#include "rnd_model.h"
#include "rnd_people.h"
#include "rnd_svg.h"
#include "rnd_timeline.h"

#define EVENTS_PER_PAGE 500

enum { P_PAGE, P_N };

static const struct rnd_ui_param params[P_N] = {
    [P_PAGE] = { "page", UI_UINT, NULL, 1, 1000000, "a page of events from 1 to 1000000" },
};

/* What one page shows. */
struct ipage {
    const char *id;
    struct rnd_draft_doc d;
    struct rnd_people *people;  /* as the draft names them */
    size_t page, pages;         /* of the events table, from 1 */
    char *md, *svg;             /* the draft's Markdown and the chart */
    size_t md_len, svg_len;
};

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int64_t jtime(const json_t *o, const char *key)
{
    const char *s = jstr(o, key);
    int64_t t;

    return s && iq_time_parse_rfc3339(s, strlen(s), &t) == 0 ? t : IQ_TIME_NONE;
}

static int64_t jsec(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* Index of event id in the page's events, or n. */
static size_t event_index(const struct ipage *p, const char *id)
{
    for (size_t i = 0; id && i < p->d.n; i++)
        if (strcmp(iq_ev_id(p->d.evs[i]), id) == 0)
            return i;
    return p->d.n;
}

/* The anchor of event id: "ev-" and the id percent-encoded. */
static int anchor(struct iq_buf *b, const char *id)
{
    int r = iq_buf_adds(b, "ev-");

    return r < 0 ? r : rnd_ui_url(b, id);
}

/* A link to event id's row (text escaped), or the text alone when the
 * event is not on the page's list. */
static int event_link(struct iq_buf *b, const struct ipage *p, const char *id, const char *text)
{
    size_t i = event_index(p, id), on = i / EVENTS_PER_PAGE + 1;
    int r;

    if (i == p->d.n)
        return rnd_ui_text(b, text);
    if ((r = iq_buf_adds(b, "<a href=\"")) < 0 ||
        (on != p->page && (r = iq_buf_printf(b, "?page=%zu", on)) < 0) ||
        (r = iq_buf_addc(b, '#')) < 0 || (r = anchor(b, id)) < 0 ||
        (r = iq_buf_adds(b, "\">")) < 0 || (r = rnd_ui_text(b, text)) < 0)
        return r;
    return iq_buf_adds(b, "</a>");
}

/* The description of event i as the draft's timeline words it. */
static int describe(struct iq_buf *b, const struct ipage *p, size_t i)
{
    json_t *d = rnd_timeline_describe(p->d.evs[i], p->people);
    int r;

    if (!d)
        return -ENOMEM;
    r = rnd_ui_text(b, json_string_value(d));
    json_decref(d);
    return r;
}

static int header(struct iq_buf *b, const struct ipage *p)
{
    const json_t *inc = p->d.incident;
    static const char *const kinds[] = { "draft.md", "Markdown", "draft.html", "HTML",
                                         "draft.json", "JSON", "timeline.svg", "Timeline (SVG)" };
    int r;

    if ((r = iq_buf_adds(b, "<h1>")) < 0 || (r = rnd_ui_text(b, jstr(inc, "title"))) < 0 ||
        (r = iq_buf_adds(b, "</h1>\n<p class=\"meta\"><span class=\"muted\">")) < 0 ||
        (r = rnd_ui_text(b, p->id)) < 0 || (r = iq_buf_adds(b, "</span> ")) < 0 ||
        (r = rnd_ui_badge(b, "status", jstr(inc, "status"))) < 0 || (r = iq_buf_addc(b, ' ')) < 0 ||
        (r = rnd_ui_badge(b, "severity", jstr(inc, "severity"))) < 0 ||
        (r = iq_buf_adds(b, "</p>\n<div class=\"downloads\" aria-label=\"Download the draft\">")) < 0)
        return r;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k += 2)
        if ((r = iq_buf_adds(b, "<a href=\"/api/v1/incidents/")) < 0 || (r = rnd_ui_url(b, p->id)) < 0 ||
            (r = iq_buf_printf(b, "/%s\" download>%s</a>", kinds[k], kinds[k + 1])) < 0)
            return r;
    return iq_buf_adds(b, "</div>\n");
}

/* One fact: label and the strings of arr (or text s). */
static int fact_list(struct iq_buf *b, const char *label, const json_t *arr)
{
    const json_t *v;
    size_t i;
    int r;

    if (json_array_size(arr) == 0)
        return 0;
    if ((r = iq_buf_printf(b, "<dt>%s</dt><dd>", label)) < 0)
        return r;
    json_array_foreach(arr, i, v)
        if ((i && (r = iq_buf_adds(b, ", ")) < 0) || (r = rnd_ui_text(b, json_string_value(v))) < 0)
            return r;
    return iq_buf_adds(b, "</dd>");
}

static int facts(struct iq_buf *b, const struct ipage *p)
{
    const json_t *inc = p->d.incident;
    const char *rec = jstr(inc, "recurrence_of");
    int r;

    if ((r = iq_buf_adds(b, "<dl class=\"facts\"><dt>Opened</dt><dd>")) < 0 ||
        (r = rnd_ui_time(b, jtime(inc, "opened_at"))) < 0 ||
        (r = iq_buf_adds(b, "</dd><dt>Closed</dt><dd>")) < 0 ||
        (r = (jtime(inc, "closed_at") == IQ_TIME_NONE ? iq_buf_adds(b, "not yet")
                                                       : rnd_ui_time(b, jtime(inc, "closed_at")))) < 0 ||
        (r = iq_buf_adds(b, "</dd>")) < 0 ||
        (r = fact_list(b, "Services", json_object_get(inc, "services"))) < 0 ||
        (r = fact_list(b, "Status-page components", json_object_get(inc, "components"))) < 0 ||
        (r = fact_list(b, "Merged from", json_object_get(inc, "merged_from"))) < 0 ||
        (r = iq_buf_printf(b, "<dt>Events</dt><dd>%zu</dd>",
                           json_array_size(json_object_get(inc, "event_ids")))) < 0)
        return r;
    if (rec && ((r = iq_buf_adds(b, "<dt>Possible recurrence of</dt><dd>")) < 0 ||
                (r = rnd_ui_incident_link(b, rec, NULL)) < 0 || (r = iq_buf_adds(b, "</dd>")) < 0))
        return r;
    return iq_buf_adds(b, "</dl>\n");
}

static int milestone_row(struct iq_buf *b, const struct ipage *p, const struct rnd_milestone_def *def)
{
    const json_t *ms = json_object_get(json_object_get(p->d.incident, "milestones"), def->key);
    const json_t *durs = json_object_get(p->d.incident, "durations");
    const char *ev = jstr(ms, "event");
    size_t i = event_index(p, ev);
    int r;

    if ((r = iq_buf_printf(b, "<tr id=\"ms-%s\"><th scope=\"row\">%s</th><td>", def->key,
                           def->label)) < 0 ||
        (r = (ms && !json_is_null(ms) ? rnd_ui_time(b, jtime(ms, "at")) : iq_buf_adds(b, "no evidence"))) < 0 ||
        (r = iq_buf_adds(b, "</td><td class=\"num\">")) < 0 ||
        (r = (def->duration ? rnd_ui_dur(b, jsec(durs, def->duration)) : iq_buf_adds(b, "–"))) < 0 ||
        (r = iq_buf_adds(b, "</td><td>")) < 0 || (r = rnd_ui_text(b, jstr(ms, "rule"))) < 0 ||
        (r = iq_buf_adds(b, "</td><td>")) < 0)
        return r;
    if (i < p->d.n) {
        json_t *d = rnd_timeline_describe(p->d.evs[i], p->people);

        if (!d)
            return -ENOMEM;
        r = event_link(b, p, ev, json_string_value(d));
        json_decref(d);
    } else if (ev) {
        r = rnd_ui_text(b, ev);
    }
    return r < 0 ? r : iq_buf_adds(b, "</td></tr>\n");
}

static int milestones(struct iq_buf *b, const struct ipage *p)
{
    const json_t *durs = json_object_get(p->d.incident, "durations");
    int r;

    static const char *const cols[] = { "Milestone", "Time (UTC)", "#From impact start", "Rule",
                                        "Evidence", NULL };

    if ((r = iq_buf_adds(b, "<h2 id=\"milestones\">Milestones</h2>\n")) < 0 ||
        (r = rnd_ui_table(b, NULL, NULL, cols)) < 0)
        return r;
    for (size_t k = 0; k < RND_MILESTONES_N; k++)
        if ((r = milestone_row(b, p, &rnd_milestones[k])) < 0)
            return r;
    if ((r = iq_buf_adds(b, "</tbody></table></div>\n<dl class=\"facts durations\">"
                            "<dt>Time to detect</dt><dd>")) < 0 ||
        (r = rnd_ui_dur(b, jsec(durs, "time_to_detect"))) < 0 ||
        (r = iq_buf_adds(b, "</dd><dt>Time to acknowledge</dt><dd>")) < 0 ||
        (r = rnd_ui_dur(b, jsec(durs, "time_to_acknowledge"))) < 0 ||
        (r = iq_buf_adds(b, "</dd><dt>Time to mitigate</dt><dd>")) < 0 ||
        (r = rnd_ui_dur(b, jsec(durs, "time_to_mitigate"))) < 0 ||
        (r = iq_buf_adds(b, "</dd><dt>Time to resolve</dt><dd>")) < 0 ||
        (r = rnd_ui_dur(b, jsec(durs, "time_to_resolve"))) < 0 ||
        (r = iq_buf_adds(b, "</dd><dt>Customer impact</dt><dd>")) < 0 ||
        (r = rnd_ui_dur(b, jsec(durs, "impact"))) < 0)
        return r;
    return iq_buf_adds(b, "</dd></dl>\n");
}

static int timeline(struct iq_buf *b, const struct ipage *p)
{
    int r;

    if ((r = iq_buf_adds(b, "<h2 id=\"timeline\">Timeline</h2>\n<figure class=\"timeline\">")) < 0 ||
        (r = iq_buf_add(b, p->svg, p->svg_len)) < 0)
        return r;
    return iq_buf_adds(b, "<figcaption>Hover or focus an element for its time, description and "
                          "source; the events table below lists every event.</figcaption>"
                          "</figure>\n");
}

static int candidate_row(struct iq_buf *b, const struct ipage *p, const json_t *c)
{
    const char *title = jstr(c, "title");
    int r;

    if ((r = iq_buf_adds(b, "<tr><td>")) < 0 || (r = rnd_ui_time(b, jtime(c, "at"))) < 0 ||
        (r = iq_buf_adds(b, "</td><td>")) < 0 || (r = rnd_ui_text(b, jstr(c, "kind"))) < 0 ||
        (r = iq_buf_adds(b, "</td><td>")) < 0 || (r = rnd_ui_text(b, jstr(c, "service"))) < 0 ||
        (r = iq_buf_adds(b, "</td><td>")) < 0 ||
        (r = event_link(b, p, jstr(c, "event"), title ? title : jstr(c, "event"))) < 0 ||
        (r = iq_buf_adds(b, "</td><td class=\"num\">")) < 0 ||
        (r = rnd_ui_dur(b, jsec(c, "lead_time"))) < 0 ||
        (r = iq_buf_printf(b, "</td><td class=\"num\">%.2f</td><td>",
                           json_number_value(json_object_get(c, "score")))) < 0 ||
        (r = rnd_ui_text(b, jstr(c, "reason"))) < 0)
        return r;
    return iq_buf_adds(b, "</td></tr>\n");
}

static int triggers(struct iq_buf *b, const struct ipage *p)
{
    static const char *const cols[] = { "Time (UTC)", "Kind", "Service", "Change", "#Lead time",
                                        "#Score", "Why", NULL };
    const json_t *cands = json_object_get(p->d.incident, "trigger_candidates"), *c;
    size_t i;
    int r;

    if ((r = iq_buf_adds(b, "<h2 id=\"triggers\">Trigger candidates</h2>\n")) < 0)
        return r;
    if (json_array_size(cands) == 0)
        return iq_buf_adds(b, "<p>No deploy or change came before the impact within the "
                              "look-back.</p>\n");
    if ((r = iq_buf_adds(b, "<p class=\"muted\">Changes before the impact, best first: leads to "
                            "check, not conclusions.</p>\n")) < 0 ||
        (r = rnd_ui_table(b, NULL, NULL, cols)) < 0)
        return r;
    json_array_foreach(cands, i, c)
        if ((r = candidate_row(b, p, c)) < 0)
            return r;
    return iq_buf_adds(b, "</tbody></table></div>\n");
}

static int recurrence(struct iq_buf *b, const struct ipage *p)
{
    const json_t *rec = p->d.recurrence, *e;
    const char *text = jstr(rec, "recommendation");
    size_t i;
    int r;

    if ((r = iq_buf_adds(b, "<h2 id=\"recurrence\">Recurrence</h2>\n<p>")) < 0)
        return r;
    if (!rec)
        return iq_buf_adds(b, "No failure-class taxonomy is loaded: not compared with history."
                              "</p>\n");
    if ((r = iq_buf_adds(b, "Failure classes: ")) < 0 ||
        (json_array_size(json_object_get(rec, "classes")) == 0 &&
         (r = iq_buf_adds(b, "none matched")) < 0))
        return r;
    json_array_foreach(json_object_get(rec, "classes"), i, e)
        if ((i && (r = iq_buf_adds(b, ", ")) < 0) || (r = rnd_ui_text(b, json_string_value(e))) < 0)
            return r;
    if ((r = iq_buf_adds(b, ".</p>\n")) < 0 ||
        (text && ((r = iq_buf_adds(b, "<p class=\"error\">")) < 0 || (r = rnd_ui_text(b, text)) < 0 ||
                  (r = iq_buf_adds(b, "</p>\n")) < 0)))
        return r;
    if (json_array_size(json_object_get(rec, "earlier")) == 0)
        return iq_buf_adds(b, "<p>No earlier incident of the same class on the same service.</p>\n");
    if ((r = iq_buf_adds(b, "<ul class=\"earlier\">")) < 0)
        return r;
    json_array_foreach(json_object_get(rec, "earlier"), i, e)
        if ((r = iq_buf_adds(b, "<li>")) < 0 || (r = rnd_ui_incident_link(b, jstr(e, "id"), NULL)) < 0 ||
            (r = iq_buf_adds(b, ", opened ")) < 0 || (r = rnd_ui_time(b, jtime(e, "date"))) < 0 ||
            (r = iq_buf_adds(b, ": ")) < 0 || (r = rnd_ui_text(b, jstr(e, "class"))) < 0 ||
            (r = iq_buf_adds(b, " on ")) < 0 || (r = rnd_ui_text(b, jstr(e, "service"))) < 0 ||
            (r = iq_buf_adds(b, ", resolved in ")) < 0 || (r = rnd_ui_dur(b, jsec(e, "duration"))) < 0 ||
            (r = iq_buf_adds(b, "</li>")) < 0)
            return r;
    return iq_buf_adds(b, "</ul>\n");
}

static int draft(struct iq_buf *b, const struct ipage *p)
{
    int r;

    if ((r = iq_buf_adds(b, "<h2 id=\"draft\">Postmortem draft</h2>\n<article class=\"draft\">\n")) < 0 ||
        (r = rnd_html_article(b, p->md, p->md_len, NULL, 0)) < 0)
        return r;
    return iq_buf_adds(b, "</article>\n");
}

/* The labels of the milestones event id is the evidence of, in bold
 * ("Impact began, Detected: "), or nothing. */
static int milestone_marks(struct iq_buf *b, const struct ipage *p, const char *id)
{
    const json_t *ms = json_object_get(p->d.incident, "milestones");
    size_t shown = 0;
    int r = 0;

    for (size_t k = 0; k < RND_MILESTONES_N && r == 0; k++) {
        const char *ev = jstr(json_object_get(ms, rnd_milestones[k].key), "event");

        if (ev && strcmp(ev, id) == 0)
            r = iq_buf_printf(b, "%s%s", shown++ ? ", " : "<strong>", rnd_milestones[k].label);
    }
    return r < 0 || !shown ? r : iq_buf_adds(b, ":</strong> ");
}

/* Is event id the evidence of a milestone? */
static bool is_evidence(const struct ipage *p, const char *id)
{
    const json_t *ms = json_object_get(p->d.incident, "milestones");

    for (size_t k = 0; k < RND_MILESTONES_N; k++) {
        const char *ev = jstr(json_object_get(ms, rnd_milestones[k].key), "event");

        if (ev && strcmp(ev, id) == 0)
            return true;
    }
    return false;
}

static int event_row(struct iq_buf *b, const struct ipage *p, size_t i)
{
    const struct iq_event *ev = p->d.evs[i];
    char t[IQ_TIME_STRLEN];
    int r;

    iq_time_format(ev->at, t, sizeof(t));
    if ((r = iq_buf_printf(b, "<tr%s id=\"", is_evidence(p, iq_ev_id(ev)) ? " class=\"milestone\""
                                                                        : "")) < 0 ||
        (r = anchor(b, iq_ev_id(ev))) < 0 ||
        (r = iq_buf_printf(b, "\"><td class=\"num\"><time datetime=\"%s\">%.10s %.8s</time></td><td>",
                           t, t, t + 11)) < 0 ||
        (r = rnd_ui_text(b, iq_ev_kind(ev))) < 0 || (r = iq_buf_addc(b, ' ')) < 0 ||
        (r = rnd_ui_text(b, iq_ev_action(ev))) < 0 || (r = iq_buf_adds(b, "</td><td>")) < 0 ||
        (r = rnd_ui_text(b, iq_ev_source(ev))) < 0 || (r = iq_buf_adds(b, "</td><td>")) < 0 ||
        (r = rnd_ui_text(b, iq_ev_service(ev))) < 0 || (r = iq_buf_adds(b, "</td><td>")) < 0 ||
        (r = milestone_marks(b, p, iq_ev_id(ev))) < 0 ||
        (r = describe(b, p, i)) < 0 || (r = iq_buf_adds(b, "</td><td class=\"id\">")) < 0 ||
        (r = rnd_ui_text(b, iq_ev_id(ev))) < 0)
        return r;
    return iq_buf_adds(b, "</td></tr>\n");
}

static int events(struct iq_buf *b, const struct ipage *p)
{
    static const char *const cols[] = { "#Time (UTC)", "Kind", "Source", "Service", "Description",
                                        "Event id", NULL };
    size_t from = (p->page - 1) * EVENTS_PER_PAGE;
    size_t to = from + EVENTS_PER_PAGE < p->d.n ? from + EVENTS_PER_PAGE : p->d.n;
    int r;

    if ((r = iq_buf_printf(b, "<h2 id=\"events\">Events (%zu)</h2>\n<p class=\"muted\">The "
                              "incident's events, with the events of its trigger candidates and "
                              "its audit notes.</p>\n", p->d.n)) < 0 ||
        (p->pages > 1 && (r = iq_buf_printf(b, "<p class=\"muted\">Events %zu to %zu, page %zu of "
                                               "%zu.</p>\n", from + 1, to, p->page, p->pages)) < 0) ||
        (r = rnd_ui_table(b, "class=\"events\"", NULL, cols)) < 0)
        return r;
    for (size_t i = from; i < to; i++)
        if ((r = event_row(b, p, i)) < 0)
            return r;
    if ((r = iq_buf_adds(b, "</tbody></table></div>\n")) < 0 || p->pages < 2)
        return r;
    if ((r = iq_buf_adds(b, "<nav class=\"pager\" aria-label=\"Pages of events\">")) < 0 ||
        (p->page > 1 && (r = iq_buf_printf(b, "<a rel=\"prev\" href=\"?page=%zu#events\">← Earlier "
                                              "events</a>", p->page - 1)) < 0) ||
        (p->page < p->pages && (r = iq_buf_printf(b, "<a rel=\"next\" href=\"?page=%zu#events\">"
                                                     "Later events →</a>", p->page + 1)) < 0))
        return r;
    return iq_buf_adds(b, "</nav>\n");
}

/* The draft's parts and the page's people, from the read incident. */
static int prepare(struct ipage *p, char *err, size_t errsz)
{
    struct rnd_draft_opts o = { .format = RND_FORMAT_HTML, .recurrence = p->d.recurrence,
                                .people = p->d.people };

    if (!(p->people = rnd_people_new(p->d.people, false)))
        return -ENOMEM;
    return rnd_draft_parts(p->d.incident, p->d.evs, p->d.n, &o, RND_SVG_NO_STYLE, &p->md,
                           &p->md_len, &p->svg, &p->svg_len, err, errsz);
}

static int build(struct iq_buf *b, const struct ipage *p)
{
    int r;

    if ((r = rnd_ui_begin(b, jstr(p->d.incident, "title") ? jstr(p->d.incident, "title") : p->id,
                          UI_NAV_LIST)) < 0 ||
        (r = header(b, p)) < 0 || (r = facts(b, p)) < 0 || (r = milestones(b, p)) < 0 ||
        (r = timeline(b, p)) < 0 || (r = triggers(b, p)) < 0 || (r = recurrence(b, p)) < 0 ||
        (r = draft(b, p)) < 0 || (r = events(b, p)) < 0)
        return r;
    return rnd_ui_end(b);
}

int rnd_ui_incident_page(struct rnd_ui *ui, const char *id, const struct http_request *rq,
                         struct http_response *resp)
{
    struct ipage p = { .id = id };
    struct rnd_ui_args a;
    struct iq_buf b;
    char err[512];
    int r;

    iq_buf_init(&b, RND_UI_PAGE_MAX);
    if (rnd_ui_args_parse(params, P_N, rq->query, &a, err, sizeof(err)) < 0)
        return rnd_ui_error(resp, 400, "Bad request", err);
    if ((r = rnd_draft_doc_load(ui->st, id, ui->people, &p.d, err, sizeof(err))) < 0) {
        r = r == -ENOENT ? rnd_ui_error(resp, 404, "No such incident", err) : rnd_ui_fail(resp, r);
        goto out;
    }
    p.page = a.set[P_PAGE] ? (size_t)a.num[P_PAGE] : 1;
    p.pages = p.d.n ? (p.d.n + EVENTS_PER_PAGE - 1) / EVENTS_PER_PAGE : 1;
    if (p.page > p.pages) {
        snprintf(err, sizeof(err), "parameter 'page': the events fill %zu page%s", p.pages,
                 p.pages == 1 ? "" : "s");
        r = rnd_ui_error(resp, 400, "Bad request", err);
        goto out;
    }
    if ((r = prepare(&p, err, sizeof(err))) < 0) {
        r = r == -ENOMEM ? r : rnd_ui_error(resp, 500, "The draft could not be rendered", err);
        goto out;
    }
    r = build(&b, &p);
    r = r < 0 ? rnd_ui_fail(resp, r) : rnd_ui_reply(resp, 200, &b);
out:
    free(p.md);
    free(p.svg);
    rnd_people_destroy(&p.people);
    rnd_draft_doc_free(&p.d);
    iq_buf_free(&b);
    return r;
}

/* rnd_svg_read.c - what the visual timeline draws, read from the incident
 * and its events.
 *
 * Each event becomes an element of its family's lane, or joins one:
 *  - alerts: a bar from the firing to its resolution, one per alert
 *    identity and episode; repeats of the firing while it is open join
 *    the bar; coloured by the highest severity seen;
 *  - pages: per page, a segment "triggered" up to the acknowledgement and
 *    a segment "acknowledged" up to the resolution;
 *  - status: per status-page incident, a segment per state (investigating,
 *    identified, monitoring; scheduled, in progress, verifying for
 *    maintenance) up to the next state or the resolution;
 *  - components: the stretches of each status-page component in each
 *    state;
 *  - deploys: a marker per deploy or change event, rollbacks apart, the
 *    trigger candidates flagged and the top one highlighted;
 *  - chat: a tick per message.
 * Logs, notes and audit notes are not drawn (the timeline table lists
 * them).
 *
 * Design notes:
 *  - One computation with the rest of inquest: alert and page identities,
 *    a resolution's real end (ends_at) and rollbacks are the correlator's
 *    own readings (correlate/cor_signal.h); the component stretches are
 *    rnd_status's, the very ones the draft's Impact section sums; the
 *    milestones come from the incident as the correlator derived them,
 *    named from the draft's table (rnd_model.h); descriptions are the
 *    timeline table's (rnd_timeline_describe).
 *  - An episode still open at the last event is marked open and drawn to
 *    the end of the data; nothing is guessed about when it ended.
 *  - The open bars and segments are found through one map keyed by lane
 *    and identity, so reading is linear in the number of events.
 *  - Styles (svg_styles[]) say what an element stands for, its data
 *    attribute value, its legend and its colour.  The palette is
 *    Okabe-Ito (Okabe and Ito, "Color Universal Design", 2008): eight
 *    colours told apart with every common colour-vision deficiency; grey
 *    for what has no colour of its own. */
#include "rnd_svg.h"
#include "rnd_svg_int.h"
#include "rnd_status.h"
#include "rnd_timeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_config.h"
#include "cor_signal.h"
#include "iq_event.h"
#include "iq_buf.h"
#include "iq_time.h"

const struct svg_style_def svg_styles[ST_N] = {
    [ST_SEV_CRITICAL] = { LANE_ALERTS, "critical", "critical alert", C_VERMILLION, NULL },
    [ST_SEV_ERROR] = { LANE_ALERTS, "error", "error alert", C_ORANGE, NULL },
    [ST_SEV_WARNING] = { LANE_ALERTS, "warning", "warning alert", C_YELLOW, NULL },
    [ST_SEV_MINOR] = { LANE_ALERTS, "minor", "minor alert", C_SKY, NULL },
    [ST_SEV_INFO] = { LANE_ALERTS, "info", "info alert", C_BLUE, NULL },
    [ST_SEV_NONE] = { LANE_ALERTS, "none", "alert, no severity", C_GREY, NULL },
    [ST_PAGE_TRIGGERED] = { LANE_PAGES, "triggered", "page triggered", C_ORANGE, NULL },
    [ST_PAGE_ACK] = { LANE_PAGES, "acknowledged", "page acknowledged", C_BLUE, NULL },
    [ST_PAGE_RESOLVED] = { LANE_PAGES, "resolved", "page resolved", C_GREY, NULL },
    [ST_STATUS_INVESTIGATING] = { LANE_STATUS, "investigating", "status: investigating", C_VERMILLION, NULL },
    [ST_STATUS_IDENTIFIED] = { LANE_STATUS, "identified", "status: identified", C_ORANGE, NULL },
    [ST_STATUS_MONITORING] = { LANE_STATUS, "monitoring", "status: monitoring", C_SKY, NULL },
    [ST_STATUS_SCHEDULED] = { LANE_STATUS, "scheduled", "maintenance scheduled", C_PURPLE, NULL },
    [ST_STATUS_IN_PROGRESS] = { LANE_STATUS, "in_progress", "maintenance in progress", C_BLUE, NULL },
    [ST_STATUS_VERIFYING] = { LANE_STATUS, "verifying", "maintenance verifying", C_GREEN, NULL },
    [ST_STATUS_UPDATE] = { LANE_STATUS, "update", "status update", C_GREY, NULL },
    [ST_COMP_MAJOR] = { LANE_COMPONENTS, "major_outage", "component: major outage", C_VERMILLION, NULL },
    [ST_COMP_PARTIAL] = { LANE_COMPONENTS, "partial_outage", "component: partial outage", C_ORANGE, NULL },
    [ST_COMP_DEGRADED] = { LANE_COMPONENTS, "degraded_performance", "component: degraded", C_YELLOW, NULL },
    [ST_COMP_MAINTENANCE] = { LANE_COMPONENTS, "under_maintenance", "component: maintenance", C_BLUE, NULL },
    [ST_COMP_OPERATIONAL] = { LANE_COMPONENTS, "operational", "component: operational", C_GREEN, NULL },
    [ST_DEPLOY] = { LANE_DEPLOYS, "deploy", "deploy", C_BLUE, NULL },
    [ST_CHANGE] = { LANE_DEPLOYS, "change", "change", C_PURPLE, NULL },
    [ST_ROLLBACK] = { LANE_DEPLOYS, "rollback", "rollback", C_GREEN, NULL },
    [ST_CHAT] = { LANE_CHAT, "message", "chat message", C_BLACK, NULL },
    [ST_MORE] = { LANE_N, "more", "several merged", "#BBBBBB", C_GREY },
};

struct reader {
    struct rnd_svg *c;
    const json_t *inc;
    struct iq_event *const *evs;
    size_t n;
    struct rnd_people *people;
    json_t *open;              /* "L\x1fident" -> index of the open item */
    const json_t *cands;       /* trigger_candidates */
    const char *rollback_ev;   /* evidence of a mitigated milestone of rule rollback_deploy */
    int32_t group;             /* group of the item last opened (pages, status) */
    bool oom;
};

int32_t svg_text(struct rnd_svg *c, const char *s)
{
    json_t *j;

    if (!s)
        return -1;
    if (!(j = json_string(s)) && !(j = json_string("(text not valid UTF-8)")))
        return -1;
    if (json_array_append_new(c->texts, j) < 0)
        return -1;
    return (int32_t)json_array_size(c->texts) - 1;
}

/* The texts index of a source name, added once. */
static int32_t source_text(struct reader *r, const char *src)
{
    json_t *v;
    int32_t i;

    if (!src)
        return -1;
    if ((v = json_object_get(r->c->sources, src)))
        return (int32_t)json_integer_value(v);
    if ((i = svg_text(r->c, src)) < 0 ||
        json_object_set_new_nocheck(r->c->sources, src, json_integer(i)) < 0)
        r->oom = true;
    return i;
}

static int32_t group_new(struct reader *r, enum svg_lane lane, int32_t label)
{
    struct rnd_svg *c = r->c;
    struct svg_group *g = iq_array_grow(c->groups, c->n_groups, &c->cap_groups, sizeof(*g), 64);

    if (!g) {
        r->oom = true;
        return -1;
    }
    c->groups = g;
    c->groups[c->n_groups] = (struct svg_group){ .label = label, .lane = (uint8_t)lane };
    return (int32_t)c->n_groups++;
}

/* A new item of ev (may be NULL) in lane at from..to; its own group when
 * group < 0.  Returns its index, -1 on OOM. */
static long item_new(struct reader *r, enum svg_lane lane, enum svg_style st, enum svg_shape sh,
                     const struct iq_event *ev, int64_t from, int64_t to, int32_t group)
{
    struct rnd_svg *c = r->c;
    struct svg_item *it;

    if (group < 0 && (group = group_new(r, lane, -1)) < 0)
        return -1;
    if (!(it = iq_array_grow(c->items, c->n_items, &c->cap_items, sizeof(*it), 256))) {
        r->oom = true;
        return -1;
    }
    c->items = it;
    it = &c->items[c->n_items];
    *it = (struct svg_item){ .from = from, .to = to < from ? from : to, .text = -1, .source = -1,
                             .id = -1, .end_id = -1, .group = group, .count = 1,
                             .lane = (uint8_t)lane, .style = (uint8_t)st, .shape = (uint8_t)sh };
    if (ev) {
        json_t *d = rnd_timeline_describe(ev, r->people);

        if (!d)   /* text that is not UTF-8 (events from the store always are) */
            d = json_string("(description not valid UTF-8)");
        if (!d || json_array_append_new(c->texts, d) < 0) {
            r->oom = true;
            return -1;
        }
        it->text = (int32_t)json_array_size(c->texts) - 1;
        it->source = source_text(r, iq_ev_source(ev));
        if ((it->id = svg_text(c, iq_ev_id(ev))) < 0)
            r->oom = true;
    }
    return r->oom ? -1 : (long)c->n_items++;
}

/* -- the map of open items -- */

static void open_key(char lane, const char *ident, char *buf, size_t size)
{
    snprintf(buf, size, "%c\x1f%s", lane, ident ? ident : "");
}

static long open_get(struct reader *r, char lane, const char *ident)
{
    char key[COR_IDENT_MAX + 4];

    open_key(lane, ident, key, sizeof(key));
    return json_is_integer(json_object_get(r->open, key))
               ? (long)json_integer_value(json_object_get(r->open, key)) : -1;
}

static void open_set(struct reader *r, char lane, const char *ident, long idx)
{
    char key[COR_IDENT_MAX + 4];

    open_key(lane, ident, key, sizeof(key));
    if (idx < 0)
        json_object_del(r->open, key);
    else if (json_object_set_new_nocheck(r->open, key, json_integer(idx)) < 0)
        r->oom = true;
}

/* End the open item idx at at, ev being the event that ends it; with
 * absorb, ev counts as one of the item's events (a resolution), else it
 * starts the next item (a change of state). */
static void close_item(struct reader *r, long idx, const struct iq_event *ev, int64_t at, bool absorb)
{
    struct svg_item *it = &r->c->items[idx];

    it->to = at < it->from ? it->from : at;
    it->open = false;
    it->count += absorb;
    if ((it->end_id = svg_text(r->c, iq_ev_id(ev))) < 0)
        r->oom = true;
}

/* -- alerts -- */

static enum svg_style severity_style(const char *sev)
{
    switch (cor_severity_rank(sev)) {
    case 5: return ST_SEV_CRITICAL;
    case 4: return ST_SEV_ERROR;
    case 3: return ST_SEV_WARNING;
    case 2: return ST_SEV_MINOR;
    case 1: return ST_SEV_INFO;
    default: return ST_SEV_NONE;
    }
}

static void alert(struct reader *r, const struct iq_event *ev)
{
    char buf[COR_IDENT_MAX];
    const char *ident = cor_alert_ident(ev, buf, sizeof(buf));
    const char *act = iq_ev_action(ev) ? iq_ev_action(ev) : "";
    enum svg_style st = severity_style(ev->str[IQ_F_SEVERITY]);
    long idx = open_get(r, 'a', ident);

    if (strcmp(act, "resolved") == 0) {
        if (idx >= 0) {
            close_item(r, idx, ev, cor_alert_time(ev), true);
            open_set(r, 'a', ident, -1);
        } else {   /* the firing is not in the draft: the resolution's own interval */
            item_new(r, LANE_ALERTS, st, SH_BAR, ev, ev->at, cor_alert_time(ev), -1);
        }
        return;
    }
    if (idx >= 0) {   /* a repeat while firing, or another action of the alert */
        struct svg_item *it = &r->c->items[idx];

        it->count++;
        if (st < it->style)
            it->style = (uint8_t)st;
        return;
    }
    idx = item_new(r, LANE_ALERTS, st, SH_BAR, ev, ev->at, ev->at, -1);
    if (idx >= 0 && strcmp(act, "firing") == 0) {
        r->c->items[idx].open = true;
        open_set(r, 'a', ident, idx);
    }
}

/* -- pages and status-page incidents: segments of one group -- */

/* Open a segment of style st for ident in lane (letter key), after
 * closing the current one at ev; the group is kept. */
static void segment(struct reader *r, enum svg_lane lane, char key, const char *ident,
                    enum svg_style st, const struct iq_event *ev)
{
    long idx = open_get(r, key, ident), nidx;
    int32_t group = idx >= 0 ? r->c->items[idx].group : -1;

    if (idx >= 0 && r->c->items[idx].style == st) {   /* the same state again */
        r->c->items[idx].count++;
        return;
    }
    if (idx >= 0)
        close_item(r, idx, ev, ev->at, false);
    if (group < 0 && (group = group_new(r, lane, -1)) < 0)
        return;
    nidx = item_new(r, lane, st, SH_BAR, ev, ev->at, ev->at, group);
    if (nidx < 0)
        return;
    r->c->items[nidx].open = true;
    open_set(r, key, ident, nidx);
}

/* The end of ident's episode at ev: its open segment closes; without one,
 * a point of style st. */
static void episode_end(struct reader *r, enum svg_lane lane, char key, const char *ident,
                        enum svg_style st, const struct iq_event *ev)
{
    long idx = open_get(r, key, ident);

    if (idx < 0) {
        item_new(r, lane, st, SH_BAR, ev, ev->at, ev->at, -1);
        return;
    }
    close_item(r, idx, ev, ev->at, true);
    open_set(r, key, ident, -1);
}

static void page(struct reader *r, const struct iq_event *ev)
{
    const char *ident = cor_page_ident(ev), *act = iq_ev_action(ev) ? iq_ev_action(ev) : "";
    long idx;

    if (strcmp(act, "triggered") == 0 && (idx = open_get(r, 'p', ident)) >= 0)
        r->c->items[idx].count++;   /* re-triggered while open */
    else if (strcmp(act, "triggered") == 0)
        segment(r, LANE_PAGES, 'p', ident, ST_PAGE_TRIGGERED, ev);
    else if (strcmp(act, "acknowledged") == 0)
        segment(r, LANE_PAGES, 'p', ident, ST_PAGE_ACK, ev);
    else if (strcmp(act, "resolved") == 0)
        episode_end(r, LANE_PAGES, 'p', ident, ST_PAGE_RESOLVED, ev);
    else if ((idx = open_get(r, 'p', ident)) >= 0)
        r->c->items[idx].count++;   /* escalated, assigned, ...: within the segment */
    else
        episode_end(r, LANE_PAGES, 'p', ident, ST_PAGE_RESOLVED, ev);
}

/* The style of a lane's state name, or ST_N. */
static enum svg_style style_of(enum svg_lane lane, const char *name)
{
    for (int i = 0; name && i < ST_N; i++)
        if (svg_styles[i].lane == lane && strcmp(svg_styles[i].name, name) == 0)
            return (enum svg_style)i;
    return ST_N;
}

static void status(struct reader *r, const struct iq_event *ev)
{
    static const char *const ends[] = { "resolved", "completed", "postmortem" };
    const char *ident = cor_status_ident(ev), *act = iq_ev_action(ev);
    enum svg_style st;

    if (style_of(LANE_COMPONENTS, act) != ST_N)
        return;   /* a component change: drawn from the component stretches */
    for (size_t i = 0; act && i < sizeof(ends) / sizeof(ends[0]); i++)
        if (strcmp(act, ends[i]) == 0) {
            episode_end(r, LANE_STATUS, 's', ident, ST_STATUS_UPDATE, ev);
            return;
        }
    st = style_of(LANE_STATUS, act);
    if (st == ST_N || st == ST_STATUS_UPDATE) {   /* an update that names no known state */
        long idx = open_get(r, 's', ident);

        if (idx >= 0)
            r->c->items[idx].count++;
        else
            segment(r, LANE_STATUS, 's', ident, ST_STATUS_UPDATE, ev);
        return;
    }
    segment(r, LANE_STATUS, 's', ident, st, ev);
}

/* -- deploys, changes, chat -- */

/* TRIG_TOP for the first trigger candidate's event, TRIG_CANDIDATE for
 * another's. */
static enum svg_trigger trigger_of(const struct reader *r, const char *id)
{
    const json_t *cand;
    size_t i;

    json_array_foreach(r->cands, i, cand) {
        const char *e = json_string_value(json_object_get(cand, "event"));

        if (e && id && strcmp(e, id) == 0)
            return i == 0 ? TRIG_TOP : TRIG_CANDIDATE;
    }
    return TRIG_NONE;
}

static void deploy(struct reader *r, const struct iq_event *ev, bool change)
{
    enum svg_style st = change ? ST_CHANGE : ST_DEPLOY;
    long idx;

    if (!change && (cor_deploy_rollback(ev) ||
                    (r->rollback_ev && strcmp(r->rollback_ev, iq_ev_id(ev)) == 0)))
        st = ST_ROLLBACK;
    idx = item_new(r, LANE_DEPLOYS, st, SH_MARK, ev, ev->at, ev->at, -1);
    if (idx >= 0)
        r->c->items[idx].trigger = (uint8_t)trigger_of(r, iq_ev_id(ev));
}

static bool have_event(const struct reader *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(iq_ev_id(r->evs[i]), id) == 0)
            return true;
    return false;
}

/* Trigger candidates whose event is not among the events (gone from the
 * store, or a draft made from an incident file alone): a marker from the
 * candidate itself. */
static int candidates(struct reader *r)
{
    const json_t *cand;
    size_t i;

    json_array_foreach(r->cands, i, cand) {
        const char *id = json_string_value(json_object_get(cand, "event"));
        const char *at = json_string_value(json_object_get(cand, "at"));
        const char *kind = json_string_value(json_object_get(cand, "kind"));
        const char *title = json_string_value(json_object_get(cand, "title"));
        bool change = kind && strcmp(kind, "change") == 0;
        char line[300];
        int64_t t;
        long idx;

        if (!id || !at || iq_time_parse_rfc3339(at, strlen(at), &t) < 0 || have_event(r, id))
            continue;
        snprintf(line, sizeof(line), "%s (trigger candidate): %.200s", change ? "Change" : "Deploy",
                 title ? title : id);
        if ((idx = item_new(r, LANE_DEPLOYS, change ? ST_CHANGE : ST_DEPLOY, SH_MARK, NULL, t, t,
                            -1)) < 0)
            return -ENOMEM;
        r->c->items[idx].trigger = i == 0 ? TRIG_TOP : TRIG_CANDIDATE;
        r->c->items[idx].text = svg_text(r->c, line);
        if ((r->c->items[idx].id = svg_text(r->c, id)) < 0 || r->c->items[idx].text < 0)
            return -ENOMEM;
    }
    return 0;
}

static void one_event(struct reader *r, const struct iq_event *ev)
{
    const char *kind = iq_ev_kind(ev);

    if (!kind || iq_event_is_audit_note(ev))
        return;
    if (strcmp(kind, "alert") == 0)
        alert(r, ev);
    else if (strcmp(kind, "page") == 0)
        page(r, ev);
    else if (strcmp(kind, "status") == 0)
        status(r, ev);
    else if (strcmp(kind, "deploy") == 0 || strcmp(kind, "change") == 0)
        deploy(r, ev, kind[0] == 'c');
    else if (strcmp(kind, "chat") == 0)
        item_new(r, LANE_CHAT, ST_CHAT, SH_TICK, ev, ev->at, ev->at, 0);
}

/* -- components, milestones, impact -- */

static int components(struct reader *r, int64_t end)
{
    struct rnd_status_stretch *s = NULL;
    size_t n = 0;
    int32_t group = -1;
    int ret;

    if ((ret = rnd_status_stretches(r->inc, r->evs, r->n, end, &s, &n)) < 0)
        return ret;
    for (size_t i = 0; i < n && !r->oom; i++) {
        enum svg_style st = style_of(LANE_COMPONENTS, s[i].state);
        long idx;

        if (i == 0 || strcmp(s[i].component, s[i - 1].component) != 0)
            group = group_new(r, LANE_COMPONENTS, svg_text(r->c, s[i].component));
        if (group < 0 || st == ST_N)
            continue;
        if ((idx = item_new(r, LANE_COMPONENTS, st, SH_BAR, NULL, s[i].from, s[i].to, group)) >= 0)
            r->c->items[idx].open = s[i].open;
    }
    rnd_status_stretches_free(&s, n);
    return r->oom ? -ENOMEM : 0;
}

static int bad_time(char *err, size_t errsz, const char *member)
{
    snprintf(err, errsz, "incident member '%s': not an RFC 3339 time", member);
    return -EINVAL;
}

/* A time member: 0 and *ret (IQ_TIME_NONE for null or absent), or -EINVAL. */
static int time_of(const json_t *v, int64_t *ret)
{
    const char *s = json_string_value(v);

    *ret = IQ_TIME_NONE;
    if (!v || json_is_null(v))
        return 0;
    return s && iq_time_parse_rfc3339(s, strlen(s), ret) == 0 ? 0 : -EINVAL;
}

static const struct iq_event *find_event(const struct reader *r, const char *id)
{
    for (size_t i = 0; id && i < r->n; i++)
        if (strcmp(iq_ev_id(r->evs[i]), id) == 0)
            return r->evs[i];
    return NULL;
}

static int milestones(struct reader *r, char *err, size_t errsz)
{
    const json_t *ms = json_object_get(r->inc, "milestones");
    struct rnd_svg *c = r->c;

    for (size_t i = 0; i < RND_MILESTONES_N; i++) {
        const json_t *m = json_object_get(ms, rnd_milestones[i].key);
        const char *id = json_string_value(json_object_get(m, "event"));
        const struct iq_event *ev = find_event(r, id);
        struct svg_milestone *sm = &c->ms[c->n_ms];
        json_t *d;
        int64_t at;

        if (time_of(json_object_get(m, "at"), &at) < 0)
            return bad_time(err, errsz, rnd_milestones[i].key);
        if (at == IQ_TIME_NONE)
            continue;
        *sm = (struct svg_milestone){ .def = &rnd_milestones[i], .at = at, .evidence = -1,
                                      .source = -1,
                                      .rule = json_string_value(json_object_get(m, "rule")) };
        iq_time_format(at, sm->at_text, sizeof(sm->at_text));
        if (ev) {
            if (!(d = rnd_timeline_describe(ev, r->people)) || json_array_append_new(c->texts, d) < 0)
                return -ENOMEM;
            sm->evidence = (int32_t)json_array_size(c->texts) - 1;
            sm->source = source_text(r, iq_ev_source(ev));
        }
        if (rnd_milestones[i].key[0] == 'm' && sm->rule && strcmp(sm->rule, "rollback_deploy") == 0)
            r->rollback_ev = id;
        c->n_ms++;
    }
    return r->oom ? -ENOMEM : 0;
}

static int impact(struct reader *r, char *err, size_t errsz)
{
    const json_t *ms = json_object_get(r->inc, "milestones");
    const json_t *dur = json_object_get(json_object_get(r->inc, "durations"), "impact");
    int64_t from;

    if (time_of(json_object_get(json_object_get(ms, "impact_start"), "at"), &from) < 0)
        return bad_time(err, errsz, "impact_start");
    r->c->impact_from = from;
    if (from == IQ_TIME_NONE)
        return 0;
    if (json_is_integer(dur) && json_integer_value(dur) >= 0)
        r->c->impact_to = from + json_integer_value(dur) * 1000;
    else
        r->c->impact_open = true;
    return 0;
}

int svg_read(struct rnd_svg *c, const json_t *inc, struct iq_event *const *evs, size_t n,
             struct rnd_people *people, char *err, size_t errsz)
{
    struct reader r = { .c = c, .inc = inc, .evs = evs, .n = n, .people = people,
                        .cands = json_object_get(inc, "trigger_candidates") };
    const json_t *res = json_object_get(json_object_get(inc, "milestones"), "resolved");
    int64_t end;
    int ret = -ENOMEM;

    if (!json_is_object(inc)) {
        snprintf(err, errsz, "incident: not a JSON object");
        return -EINVAL;
    }
    if (time_of(json_object_get(res, "at"), &end) < 0)
        return bad_time(err, errsz, "resolved");
    c->impact_from = c->impact_to = IQ_TIME_NONE;
    if (!(r.open = json_object()))
        return -ENOMEM;
    c->inc_id = svg_text(c, json_string_value(json_object_get(inc, "id")));
    c->inc_title = svg_text(c, json_string_value(json_object_get(inc, "title")));
    if ((ret = milestones(&r, err, errsz)) < 0 || (ret = impact(&r, err, errsz)) < 0)
        goto out;
    /* the chat lane is one row: its group 0 exists first */
    ret = -ENOMEM;
    if (group_new(&r, LANE_CHAT, -1) != 0)
        goto out;
    for (size_t i = 0; i < n && !r.oom; i++)
        one_event(&r, evs[i]);
    if (r.oom || (ret = candidates(&r)) < 0 || (ret = components(&r, end)) < 0)
        goto out;
    ret = r.oom ? -ENOMEM : 0;
out:
    if (ret == -ENOMEM)
        snprintf(err, errsz, "out of memory building the visual timeline");
    json_decref(r.open);
    return ret;
}

/* rnd_model.c - builds the template context of a postmortem draft.
 *
 * Everything a template shows is computed here from facts: the incident as
 * the correlator derived it (milestones, durations, impact, counts, trigger
 * candidates) and its member events.  Templates stay logic-less: this
 * module writes the sentences ("On 21 Oct 2026 checkout was degraded for
 * 32 min (critical alerts for 32 min)."), formats durations, resolves each
 * milestone's evidence to the event, its source and link, and words
 * trigger candidates neutrally ("deploy v2.14.0 of checkout at 13:31,
 * 8 min 55 s before impact").
 *
 * Design notes:
 *  - A milestone or duration the correlator could not establish is null in
 *    the incident; the context then omits it, and templates show a prompt
 *    for humans instead of a guess.
 *  - The context never contains the clock: the same incident and events
 *    always give the same document (golden tests rely on it).
 *  - Sections are built by small functions that each add members to the
 *    context; any allocation failure makes the whole build fail with
 *    -ENOMEM, never a partial context. */
#include "rnd_model.h"
#include "rnd_fmt.h"
#include "rnd_link.h"
#include "rnd_people.h"
#include "rnd_status.h"
#include "rnd_timeline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_time.h"
#include "iq_version.h"

const struct rnd_milestone_def rnd_milestones[RND_MILESTONES_N] = {
    { "impact_start", "IMPACT BEGINS", "Impact began", NULL, NULL },
    { "detected", "DETECTED", "Detected", "TTD", "time_to_detect" },
    { "acknowledged", "ACKNOWLEDGED", "Acknowledged", "TTA", "time_to_acknowledge" },
    { "identified", "IDENTIFIED", "Cause identified", NULL, NULL },
    { "mitigated", "MITIGATED", "Mitigated", "TTM", "time_to_mitigate" },
    { "resolved", "RESOLVED", "Resolved", "TTR", "time_to_resolve" },
};
#define N_MS RND_MILESTONES_N

static const char *const severity_order[] = { "critical", "error", "warning", "info" };
static const char *const state_order[] = { "major_outage", "partial_outage",
                                           "degraded_performance", "under_maintenance" };

struct ctx {
    const json_t *inc;
    struct iq_event *const *evs;
    size_t n;
    struct rnd_people *people;
    json_t *out;
    int64_t ms_at[N_MS];      /* IQ_TIME_NONE when absent */
    char *err;
    size_t errsz;
};

/* The string value of v, or alt when v is not a string. */
static const char *jstr(const json_t *v, const char *alt)
{
    const char *s = json_string_value(v);

    return s ? s : alt;
}

static int bad(struct ctx *c, const char *member, const char *why)
{
    snprintf(c->err, c->errsz, "incident member '%s': %s", member, why);
    return -EINVAL;
}

static int set(json_t *o, const char *k, json_t *v)
{
    return v && json_object_set_new(o, k, v) == 0 ? 0 : -ENOMEM;
}

static int set_str(json_t *o, const char *k, const char *s)
{
    return set(o, k, json_string(s));
}

static int set_dur(json_t *o, const char *k, int64_t seconds)
{
    char buf[48];

    rnd_fmt_duration(seconds, buf, sizeof(buf));
    return set_str(o, k, buf);
}

/* Parse a time member; IQ_TIME_NONE when null or absent. */
static int get_time(struct ctx *c, const json_t *v, const char *member, int64_t *ret)
{
    const char *s = json_string_value(v);

    *ret = IQ_TIME_NONE;
    if (!v || json_is_null(v))
        return 0;
    if (!s || iq_time_parse_rfc3339(s, strlen(s), ret) < 0)
        return bad(c, member, "not an RFC 3339 time");
    return 0;
}

static const struct iq_event *find_event(const struct ctx *c, const char *id)
{
    if (!id)
        return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(iq_ev_id(c->evs[i]), id) == 0)
            return c->evs[i];
    return NULL;
}

/* Add the evidence members of event id to o: event, event_title, source, link. */
static int add_evidence(struct ctx *c, json_t *o, const char *id)
{
    const struct iq_event *ev = find_event(c, id);
    json_t *link;

    if (id && set_str(o, "event", id) < 0)
        return -ENOMEM;
    if (!ev)
        return 0;
    if (set(o, "event_title", rnd_timeline_describe(ev, c->people)) < 0 ||
        set_str(o, "source", iq_ev_source(ev)) < 0)
        return -ENOMEM;
    link = rnd_link_event(ev);
    return link ? set(o, "link", link) : 0;
}

/* milestones: a list in order plus one object per key, with the metric. */
static int add_milestones(struct ctx *c)
{
    const json_t *ms = json_object_get(c->inc, "milestones");
    const json_t *durs = json_object_get(c->inc, "durations");
    json_t *list = json_array(), *by = json_object(), *metrics = json_array();
    char hhmm[16], day[16];
    int r = -ENOMEM;

    if (!list || !by || !metrics || set(c->out, "milestones", list) < 0 ||
        set(c->out, "milestone", by) < 0 || set(c->out, "metrics", metrics) < 0)
        return -ENOMEM;
    if (!json_is_object(ms))
        return bad(c, "milestones", "missing or not an object");
    for (size_t i = 0; i < N_MS; i++) {
        const json_t *m = json_object_get(ms, rnd_milestones[i].key);
        const json_t *d = rnd_milestones[i].duration ? json_object_get(durs, rnd_milestones[i].duration) : NULL;
        json_t *o;

        if ((r = get_time(c, json_object_get(m, "at"), rnd_milestones[i].key, &c->ms_at[i])) < 0)
            return r;
        if (c->ms_at[i] == IQ_TIME_NONE)
            continue;
        rnd_fmt_hhmm(c->ms_at[i], hhmm, sizeof(hhmm));
        rnd_fmt_date_iso(c->ms_at[i], day, sizeof(day));
        o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "key", rnd_milestones[i].key, "marker",
                      rnd_milestones[i].marker, "label", rnd_milestones[i].label, "time", hhmm, "date", day,
                      "rule", jstr(json_object_get(m, "rule"), "manual"));
        if (!o || json_array_append_new(list, o) < 0 || json_object_set(by, rnd_milestones[i].key, o) < 0)
            return -ENOMEM;
        if (add_evidence(c, o, json_string_value(json_object_get(m, "event"))) < 0)
            return -ENOMEM;
        if (json_is_integer(d)) {
            if (set_dur(o, "since_impact", json_integer_value(d)) < 0 ||
                set_str(o, "metric", rnd_milestones[i].metric) < 0)
                return -ENOMEM;
            if (json_array_append_new(metrics, json_pack("{s:s, s:s, s:O}", "name", rnd_milestones[i].metric,
                                                         "label", rnd_milestones[i].label, "value",
                                                         json_object_get(o, "since_impact"))) < 0)
                return -ENOMEM;
        }
    }
    return 0;
}

static int add_marks_and_timeline(struct ctx *c)
{
    const json_t *ms = json_object_get(c->inc, "milestones");
    struct rnd_mark marks[N_MS];
    size_t nm = 0;
    json_t *days = NULL;
    int r;

    for (size_t i = 0; i < N_MS; i++) {
        const json_t *m = json_object_get(ms, rnd_milestones[i].key);

        if (c->ms_at[i] == IQ_TIME_NONE)
            continue;
        marks[nm++] = (struct rnd_mark){ .at = c->ms_at[i], .marker = rnd_milestones[i].marker,
                                         .event = json_string_value(json_object_get(m, "event")),
                                         .rule = json_string_value(json_object_get(m, "rule")) };
    }
    if ((r = rnd_timeline_build(c->evs, c->n, marks, nm, c->people, &days)) < 0)
        return r;
    return set(c->out, "timeline_days", days);
}

/* "checkout was degraded" / "had a partial outage" / "had a major outage". */
static const char *impact_verb(const json_t *states, bool plural)
{
    if (json_integer_value(json_object_get(states, "major_outage")) > 0)
        return "had a major outage";
    if (json_integer_value(json_object_get(states, "partial_outage")) > 0)
        return "had a partial outage";
    return plural ? "were degraded" : "was degraded";
}

static int add_summary(struct ctx *c, const char *what, int64_t day_ms)
{
    bool plural = json_array_size(json_object_get(c->inc, "services")) > 1;
    const json_t *imp = json_object_get(c->inc, "impact");
    const json_t *by_sev = json_object_get(imp, "by_severity");
    const json_t *dur = json_object_get(json_object_get(c->inc, "durations"), "impact");
    const json_t *ttd = json_object_get(json_object_get(c->inc, "durations"), "time_to_detect");
    char date[32], d1[48], d2[48], sev[96] = "", s1[1024], s2[256] = "";
    char *both = NULL;
    int r;

    rnd_fmt_date_short(day_ms, date, sizeof(date));
    for (size_t i = 0; i < sizeof(severity_order) / sizeof(severity_order[0]) && !sev[0]; i++) {
        json_int_t v = json_integer_value(json_object_get(by_sev, severity_order[i]));

        if (v > 0) {
            rnd_fmt_duration(v, d2, sizeof(d2));
            snprintf(sev, sizeof(sev), " (%s alerts for %s)", severity_order[i], d2);
        }
    }
    if (json_is_integer(dur)) {
        rnd_fmt_duration(json_integer_value(dur), d1, sizeof(d1));
        snprintf(s1, sizeof(s1), "On %s %s %s for %s%s.", date, what,
                 impact_verb(json_object_get(imp, "by_component_state"), plural), d1, sev);
    } else {
        snprintf(s1, sizeof(s1), "On %s %s %s%s; the duration of impact is not established.",
                 date, what, impact_verb(json_object_get(imp, "by_component_state"), plural), sev);
    }
    if (json_is_integer(ttd)) {
        rnd_fmt_duration(json_integer_value(ttd), d1, sizeof(d1));
        if (json_integer_value(ttd) > 0)
            snprintf(s2, sizeof(s2), " The impact was detected %s after it began", d1);
        else
            snprintf(s2, sizeof(s2), " The impact was detected as it began");
        if (c->ms_at[4] != IQ_TIME_NONE && c->ms_at[0] != IQ_TIME_NONE) {
            size_t len = strlen(s2);

            rnd_fmt_duration((c->ms_at[4] - c->ms_at[0]) / 1000, d2, sizeof(d2));
            snprintf(s2 + len, sizeof(s2) - len, " and mitigated after %s", d2);
        }
        size_t len = strlen(s2);

        snprintf(s2 + len, sizeof(s2) - len, ".");
    }
    if (asprintf(&both, "%s%s", s1, s2) < 0)
        return -ENOMEM;
    r = set_str(c->out, "summary", both);
    free(both);
    return r;
}

static int add_impact(struct ctx *c)
{
    const json_t *imp = json_object_get(c->inc, "impact");
    const json_t *counts = json_object_get(c->inc, "counts");
    const json_t *dur = json_object_get(json_object_get(c->inc, "durations"), "impact");
    const json_t *ttm = json_object_get(json_object_get(c->inc, "durations"), "time_to_mitigate");
    int64_t end = c->ms_at[5] != IQ_TIME_NONE ? c->ms_at[5] : c->n ? c->evs[c->n - 1]->at : IQ_TIME_NONE;
    json_t *o = json_object(), *sev = json_array(), *states = json_array();
    char words[64];

    if (!o || !sev || !states || set(c->out, "impact", o) < 0 || set(o, "by_severity", sev) < 0 ||
        set(o, "by_state", states) < 0)
        return -ENOMEM;
    if (json_is_integer(dur) && set_dur(o, "duration", json_integer_value(dur)) < 0)
        return -ENOMEM;
    for (size_t i = 0; i < sizeof(severity_order) / sizeof(severity_order[0]); i++) {
        json_int_t v = json_integer_value(json_object_get(json_object_get(imp, "by_severity"),
                                                          severity_order[i]));
        char d[48];

        rnd_fmt_duration(v, d, sizeof(d));
        if (v > 0 && json_array_append_new(sev, json_pack("{s:s, s:s}", "severity",
                                                          severity_order[i], "duration", d)) < 0)
            return -ENOMEM;
    }
    for (size_t i = 0; i < sizeof(state_order) / sizeof(state_order[0]); i++) {
        json_int_t v = json_integer_value(json_object_get(json_object_get(imp, "by_component_state"),
                                                          state_order[i]));
        char d[48];
        size_t k = 0;

        for (; state_order[i][k] && k + 1 < sizeof(words); k++)
            words[k] = state_order[i][k] == '_' ? ' ' : state_order[i][k];
        words[k] = '\0';
        rnd_fmt_duration(v, d, sizeof(d));
        if (v > 0 && json_array_append_new(states, json_pack("{s:s, s:s, s:s}", "state",
                                                             state_order[i], "label", words,
                                                             "duration", d)) < 0)
            return -ENOMEM;
    }
    if (json_is_integer(ttm) && set_dur(o, "time_to_mitigate", json_integer_value(ttm)) < 0)
        return -ENOMEM;
    if (set(o, "services", rnd_fmt_join(json_object_get(c->inc, "services"))) < 0 ||
        rnd_status_impact(c->inc, c->evs, c->n, end, o) < 0)
        return -ENOMEM;
    return set(o, "counts", json_is_object(counts) ? json_deep_copy(counts) : json_object());
}

/* The identity of a deploy: a GitHub deployment (created, in progress,
 * success), a GitLab deployment or a pipeline run is one deploy however
 * many events it sent; without such a label, the event itself. */
static void deploy_key(const struct iq_event *ev, const char *id, char *buf, size_t size)
{
    static const char *const keys[] = { "deployment_id", "run_id", "revision" };
    const char *v = NULL;

    for (size_t i = 0; ev && !v && i < sizeof(keys) / sizeof(keys[0]); i++)
        if ((v = iq_event_label(ev, keys[i])) && !*v)
            v = NULL;
    if (!ev)
        snprintf(buf, size, "\x1f\x1f%.400s", id);
    else
        snprintf(buf, size, "%.64s\x1f%.300s\x1f%.400s", iq_ev_source(ev) ? iq_ev_source(ev) : "",
                 iq_ev_service(ev) ? iq_ev_service(ev) : "", v ? v : iq_ev_id(ev));
}

/* "3 (2 named under Trigger, 1 during the incident)"; zero parts left out. */
static void deploys_text(size_t total, size_t named, size_t during, size_t before, char *buf,
                         size_t size)
{
    const size_t v[] = { named, during, before };
    const char *const what[] = { "named under Trigger", "during the incident",
                                 "more before impact" };
    size_t len = (size_t)snprintf(buf, size, "%zu", total), parts = 0;

    for (size_t i = 0; i < 3 && len < size; i++)
        if (v[i])
            len += (size_t)snprintf(buf + len, size - len, "%s%zu %s", parts++ ? ", " : " (", v[i],
                                    what[i]);
    if (parts && len < size)
        snprintf(buf + len, size - len, ")");
}

/* impact.deploys {count, named, text} and impact.counts.deploys: the
 * distinct deploys among the draft's events (members and the trigger
 * candidates' events), so the Impact table counts the very deploys the
 * Trigger section names, plus those during the incident. */
static int add_deploys(struct ctx *c)
{
    json_t *impact = json_object_get(c->out, "impact"), *seen = json_object(), *o;
    const json_t *cands = json_object_get(c->inc, "trigger_candidates"), *cand;
    size_t named = 0, during = 0, before = 0, total, i;
    char key[800], text[160];
    int r = -ENOMEM;

    if (!seen)
        return -ENOMEM;
    json_array_foreach(cands, i, cand) {
        const char *id = json_string_value(json_object_get(cand, "event"));
        const char *kind = json_string_value(json_object_get(cand, "kind"));

        if (!id || !kind || strcmp(kind, "deploy") != 0)
            continue;
        deploy_key(find_event(c, id), id, key, sizeof(key));
        if (!json_object_get(seen, key) && (named++, json_object_set_new(seen, key, json_true()) < 0))
            goto out;
    }
    for (i = 0; i < c->n; i++) {
        const struct iq_event *ev = c->evs[i];

        if (!iq_ev_kind(ev) || strcmp(iq_ev_kind(ev), "deploy") != 0)
            continue;
        deploy_key(ev, NULL, key, sizeof(key));
        if (json_object_get(seen, key))
            continue;
        if (json_object_set_new(seen, key, json_false()) < 0)
            goto out;
        *(c->ms_at[0] != IQ_TIME_NONE && ev->at < c->ms_at[0] ? &before : &during) += 1;
    }
    total = named + during + before;
    deploys_text(total, named, during, before, text, sizeof(text));
    o = json_pack("{s:I, s:I, s:s}", "count", (json_int_t)total, "named", (json_int_t)named,
                  "text", text);
    if (set(impact, "deploys", o) < 0 ||
        set(json_object_get(impact, "counts"), "deploys", json_integer((json_int_t)total)) < 0)
        goto out;
    r = 0;
out:
    json_decref(seen);
    return r;
}

/* A short name for a change: a version or commit label, else its title. */
static const char *change_name(const struct iq_event *ev, const json_t *cand, char *buf, size_t size)
{
    static const char *const keys[] = { "version", "sha", "commit", "revision", "ref" };
    const char *t = json_string_value(json_object_get(cand, "title"));

    for (size_t i = 0; ev && i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *v = iq_event_label(ev, keys[i]);

        if (v && *v) {
            bool hex = strlen(v) >= 20 && strspn(v, "0123456789abcdef") == strlen(v);

            snprintf(buf, size, "%.*s", hex ? 7 : 64, v);
            return buf;
        }
    }
    snprintf(buf, size, "\"%.200s\"", t ? t : "unnamed change");
    return buf;
}

static int add_triggers(struct ctx *c)
{
    const json_t *cands = json_object_get(c->inc, "trigger_candidates");
    json_t *list = json_array();
    size_t i;
    const json_t *cand;

    if (!list || set(c->out, "triggers", list) < 0)
        return -ENOMEM;
    json_array_foreach(cands, i, cand) {
        const char *id = json_string_value(json_object_get(cand, "event"));
        const char *kind = json_string_value(json_object_get(cand, "kind"));
        const char *svc = json_string_value(json_object_get(cand, "service"));
        const struct iq_event *ev = find_event(c, id);
        char name[256], hhmm[16], lead[48], line[640];
        int64_t at;
        json_t *o;
        int r;

        if ((r = get_time(c, json_object_get(cand, "at"), "trigger_candidates[].at", &at)) < 0)
            return r;
        if (at == IQ_TIME_NONE)
            return bad(c, "trigger_candidates[].at", "missing");
        rnd_fmt_hhmm(at, hhmm, sizeof(hhmm));
        rnd_fmt_duration(json_integer_value(json_object_get(cand, "lead_time")), lead, sizeof(lead));
        change_name(ev, cand, name, sizeof(name));
        snprintf(line, sizeof(line), "%s %s%s%s at %s, %s before impact",
                 kind && strcmp(kind, "deploy") == 0 ? "deploy" : "change", name,
                 svc ? (kind && strcmp(kind, "deploy") == 0 ? " of " : " on ") : "", svc ? svc : "",
                 hhmm, lead);
        o = json_pack("{s:s, s:s, s:b, s:s}", "sentence", line, "time", hhmm, "likely",
                      json_is_true(json_object_get(cand, "likely")), "reason",
                      jstr(json_object_get(cand, "reason"), ""));
        if (!o || json_array_append_new(list, o) < 0 || add_evidence(c, o, id) < 0)
            return -ENOMEM;
    }
    return 0;
}

static int add_header(struct ctx *c, int64_t *ret_day)
{
    const char *id = json_string_value(json_object_get(c->inc, "id"));
    const char *title = json_string_value(json_object_get(c->inc, "title"));
    const char *status = json_string_value(json_object_get(c->inc, "status"));
    int64_t opened, closed, base, day;
    char date[32], iso[16], r30[16], r60[16];
    int r;

    if (!id)
        return bad(c, "id", "missing or not a string");
    if ((r = get_time(c, json_object_get(c->inc, "opened_at"), "opened_at", &opened)) < 0 ||
        (r = get_time(c, json_object_get(c->inc, "closed_at"), "closed_at", &closed)) < 0)
        return r;
    if (opened == IQ_TIME_NONE)
        return bad(c, "opened_at", "missing");
    day = c->ms_at[0] != IQ_TIME_NONE ? c->ms_at[0] : opened;
    base = c->ms_at[5] != IQ_TIME_NONE ? c->ms_at[5] : closed != IQ_TIME_NONE ? closed : opened;
    rnd_fmt_date_short(day, date, sizeof(date));
    rnd_fmt_date_iso(day, iso, sizeof(iso));
    rnd_fmt_date_iso(base + 30LL * 86400000, r30, sizeof(r30));
    rnd_fmt_date_iso(base + 60LL * 86400000, r60, sizeof(r60));
    *ret_day = day;
    if (set_str(c->out, "id", id) < 0 || set_str(c->out, "title", title ? title : id) < 0 ||
        set_str(c->out, "date", date) < 0 || set_str(c->out, "date_iso", iso) < 0 ||
        set_str(c->out, "incident_status", status ? status : "open") < 0 ||
        set(c->out, "resolved", json_boolean(status && strcmp(status, "resolved") == 0)) < 0 ||
        set_str(c->out, "status", "Draft: needs human review") < 0 ||
        set_str(c->out, "review_30", r30) < 0 || set_str(c->out, "review_60", r60) < 0 ||
        set_str(c->out, "severity", jstr(json_object_get(c->inc, "severity"), "unknown")) < 0 ||
        set_str(c->out, "generator", "inquest " IQ_VERSION) < 0)
        return -ENOMEM;
    return set(c->out, "incident", json_deep_copy(c->inc));
}

int rnd_model_build(const json_t *incident, struct iq_event *const *evs, size_t n,
                    struct rnd_people *people, json_t **ret, char *err, size_t errsz)
{
    struct ctx c = { .inc = incident, .evs = evs, .n = n, .people = people, .err = err,
                     .errsz = errsz };
    const json_t *svcs = json_object_get(incident, "services");
    json_t *what = NULL;
    int64_t day = 0;
    int r = -ENOMEM;

    if (!json_is_object(incident)) {
        snprintf(err, errsz, "incident: not a JSON object");
        return -EINVAL;
    }
    if (!(c.out = json_object()))
        return -ENOMEM;
    for (size_t i = 0; i < N_MS; i++)
        c.ms_at[i] = IQ_TIME_NONE;
    /* names (and pseudonyms) in order of first appearance in the timeline */
    for (size_t i = 0; i < n; i++)
        if (evs[i]->str[IQ_F_ACTOR] && *evs[i]->str[IQ_F_ACTOR] &&
            !rnd_people_actor(people, evs[i]))
            goto out;
    if ((r = add_milestones(&c)) < 0 || (r = add_header(&c, &day)) < 0 ||
        (r = add_impact(&c)) < 0 || (r = add_triggers(&c)) < 0 || (r = add_deploys(&c)) < 0 ||
        (r = add_marks_and_timeline(&c)) < 0)
        goto out;
    what = json_array_size(svcs) ? rnd_fmt_join(svcs)
                                 : json_string(json_string_value(json_object_get(c.out, "title")));
    r = -ENOMEM;
    if (!what || (r = add_summary(&c, json_string_value(what), day)) < 0)
        goto out;
    *ret = c.out;
    c.out = NULL;
    r = 0;
out:
    if (r == -ENOMEM)
        snprintf(err, errsz, "out of memory building the draft");
    json_decref(what);
    json_decref(c.out);
    return r;
}

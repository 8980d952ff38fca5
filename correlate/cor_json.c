/* cor_json.c - an incident as JSON (schemas/incident.schema.json), with its
 * durations, counts and trigger candidates.
 *
 * Trigger candidates are the deploys (counted once, at success) and changes
 * within `lookback` before impact_start (before opening when there is no
 * impact evidence).  Candidates on the incident's services come first and
 * are the only ones listed when there are any; otherwise every service's
 * changes are listed.  score = 0.4 x proximity (1 at impact, 0 at the edge
 * of the look-back) + 0.4 x service match + 0.2 x rolled back; a candidate
 * whose service saw a rollback between it and the end of the incident is
 * marked likely.  Ranking: score, then the nearer, then the id.  Wording
 * is about changes, never about people. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_run.h"
#include "iq_event.h"
#include "iq_time.h"

#define TRIGGERS_MAX 10
#define COR_JSON_MEMBERS 19

static json_t *time_json(int64_t ms)
{
    char buf[IQ_TIME_STRLEN];

    if (ms == IQ_TIME_NONE)
        return json_null();
    iq_time_format(ms, buf, sizeof(buf));
    return json_string(buf);
}

/* "1h30m", "8m55s", "42s" */
static void human_duration(int64_t ms, char *buf, size_t size)
{
    int64_t s = ms / 1000, h = s / 3600, m = (s % 3600) / 60;

    if (h)
        snprintf(buf, size, "%lldh%02lldm", (long long)h, (long long)m);
    else if (m)
        snprintf(buf, size, "%lldm%02llds", (long long)m, (long long)(s % 60));
    else
        snprintf(buf, size, "%llds", (long long)s);
}

struct cand {
    uint32_t ev;
    double score;
    bool match, likely;
};

static int cmp_cand(const void *a, const void *b, void *ud)
{
    const struct cor_run *run = ud;
    const struct cand *x = a, *y = b;
    const struct cor_ev *ex = &run->evs[x->ev], *ey = &run->evs[y->ev];

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (ex->t != ey->t)
        return ex->t > ey->t ? -1 : 1;
    return strcmp(ex->id, ey->id);
}

static bool inc_has_service(const struct cor_run *run, const struct cor_inc *inc, const char *svc)
{
    if (!svc)
        return false;
    for (size_t k = 0; k < inc->n; k++) {
        const char *s = run->evs[inc->mem[k]].service;

        if (s && strcmp(s, svc) == 0)
            return true;
    }
    return false;
}

static bool same_service(const struct cor_ev *a, const struct cor_ev *b)
{
    return a->service && b->service && strcmp(a->service, b->service) == 0;
}

/* Was candidate c (index from) undone: is the next deploy on its service,
 * before end, a rollback? */
static bool rolled_back(const struct cor_run *run, const struct cor_ev *c, size_t from, int64_t end)
{
    for (size_t j = from + 1; j < run->n && run->evs[j].t <= end; j++) {
        const struct cor_ev *e = &run->evs[j];
        const char *a = iq_ev_action(e->ev);

        if (!same_service(e, c))
            continue;
        if (e->sig == COR_SIG_ROLLBACK)
            return true;
        if (e->sig == COR_SIG_DEPLOY && a && strcmp(a, "succeeded") == 0)
            return false;
    }
    return false;
}

static bool is_candidate(const struct cor_ev *e)
{
    const char *a = iq_ev_action(e->ev);

    if (e->sig == COR_SIG_CHANGE)
        return true;
    return e->sig == COR_SIG_DEPLOY && a && strcmp(a, "succeeded") == 0;
}

static json_t *cand_json(const struct cor_run *run, const struct cand *c, int64_t anchor,
                         int64_t lookback)
{
    const struct cor_ev *e = &run->evs[c->ev];
    char reason[160], lead[32];
    json_t *o = json_object();

    human_duration(anchor - e->t, lead, sizeof(lead));
    snprintf(reason, sizeof(reason), "%s, %s before impact%s",
             c->match ? "same service" : "other service", lead,
             c->likely ? ", rolled back during the incident" : "");
    (void)lookback;
    json_object_set_new(o, "event", json_string(e->id));
    json_object_set_new(o, "at", time_json(e->ev->at));
    json_object_set_new(o, "service", e->service ? json_string(e->service) : json_null());
    json_object_set_new(o, "title", e->ev->str[IQ_F_TITLE] ? json_string(e->ev->str[IQ_F_TITLE])
                                                           : json_null());
    json_object_set_new(o, "kind", json_string(iq_ev_kind(e->ev)));
    json_object_set_new(o, "lead_time", json_integer((anchor - e->t) / 1000));
    json_object_set_new(o, "score", json_real((double)(int)(c->score * 1000 + 0.5) / 1000));
    json_object_set_new(o, "likely", json_boolean(c->likely));
    json_object_set_new(o, "reason", json_string(reason));
    return o;
}

json_t *cor_triggers_json(const struct cor_run *run, const struct cor_inc *inc,
                          int64_t impact_start, int64_t end)
{
    int64_t anchor = impact_start != IQ_TIME_NONE ? impact_start : inc->opened_at;
    int64_t lb = run->cfg->lookback_ms, from = anchor - lb;
    struct cand *c = NULL;
    size_t n = 0, cap = 0, lo = 0, hi = run->n;
    bool any_match = false;
    json_t *arr = json_array();

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (run->evs[mid].t < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t j = lo; arr && j < run->n && run->evs[j].t <= anchor; j++) {
        const struct cor_ev *e = &run->evs[j];
        struct cand k = { .ev = (uint32_t)j };
        double prox;

        if (!is_candidate(e))
            continue;
        if (n == cap) {
            struct cand *nc = realloc(c, (cap = cap ? cap * 2 : 16) * sizeof(*nc));

            if (!nc)
                goto fail;
            c = nc;
        }
        k.match = inc_has_service(run, inc, e->service);
        k.likely = rolled_back(run, e, j, end);
        prox = lb > 0 ? 1.0 - (double)(anchor - e->t) / (double)lb : 1.0;
        k.score = 0.4 * prox + (k.match ? 0.4 : 0) + (k.likely ? 0.2 : 0);
        any_match = any_match || k.match;
        c[n++] = k;
    }
    if (!arr)
        goto fail;
    if (n > 1)
        qsort_r(c, n, sizeof(*c), cmp_cand, (void *)run);
    for (size_t i = 0, out = 0; i < n && out < TRIGGERS_MAX; i++) {
        if (any_match && !c[i].match)
            continue;
        if (json_array_append_new(arr, cand_json(run, &c[i], anchor, lb)) < 0)
            goto fail;
        out++;
    }
    free(c);
    return arr;
fail:
    free(c);
    json_decref(arr);
    return NULL;
}

static json_t *milestones_json(const struct cor_run *run, const struct cor_milestones *m)
{
    json_t *o = json_object();

    for (int i = 0; o && i < COR_MS_N; i++) {
        json_t *ms;

        if (m->at[i] == IQ_TIME_NONE) {
            json_object_set_new(o, cor_ms_names[i], json_null());
            continue;
        }
        ms = json_object();
        json_object_set_new(ms, "at", time_json(m->at[i]));
        json_object_set_new(ms, "event", m->ev[i] != COR_NONE ? json_string(run->evs[m->ev[i]].id)
                                         : m->note[i] ? json_string(m->note[i]) : json_null());
        json_object_set_new(ms, "rule", json_string(m->rule[i]));
        json_object_set_new(o, cor_ms_names[i], ms);
    }
    return o;
}

static json_t *secs(int64_t from, int64_t to)
{
    if (from == IQ_TIME_NONE || to == IQ_TIME_NONE)
        return json_null();
    return json_integer(to > from ? (to - from) / 1000 : 0);
}

static json_t *durations_json(const struct cor_milestones *m)
{
    json_t *o = json_object();
    int64_t s = m->at[COR_MS_IMPACT];
    int64_t end = m->at[COR_MS_MITIGATED] != IQ_TIME_NONE ? m->at[COR_MS_MITIGATED]
                                                          : m->at[COR_MS_RESOLVED];

    json_object_set_new(o, "time_to_detect", secs(s, m->at[COR_MS_DETECTED]));
    json_object_set_new(o, "time_to_acknowledge", secs(s, m->at[COR_MS_ACK]));
    json_object_set_new(o, "time_to_mitigate", secs(s, m->at[COR_MS_MITIGATED]));
    json_object_set_new(o, "time_to_resolve", secs(s, m->at[COR_MS_RESOLVED]));
    json_object_set_new(o, "impact", secs(s, end));
    return o;
}

/* Sorted, distinct strings as a JSON array. */
/* Append s to arr unless already there; membership through seen (tag
 * separates the arrays sharing it), so large incidents stay linear. */
static int add_unique(json_t *arr, struct cor_map *seen, char tag, const char *s)
{
    int64_t v;

    if (!s || cor_map_get(seen, tag, s, &v))
        return 0;
    if (cor_map_put(seen, tag, s, 1) < 0)
        return -1;
    return json_array_append_new(arr, json_string(s));
}

static int cmp_json_str(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

static json_t *sorted(json_t *arr)
{
    size_t n = json_array_size(arr);
    json_t **v = calloc(n + 1, sizeof(*v)), *out = json_array();

    for (size_t i = 0; v && i < n; i++)
        v[i] = json_array_get(arr, i);
    if (v)
        qsort(v, n, sizeof(*v), cmp_json_str);
    for (size_t i = 0; v && out && i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    json_decref(arr);
    return out;
}

struct tally {
    json_t *services, *components, *keys, *ids;
    size_t alerts, pages, chat, deploys, status;
    int sev;
};

static int tally(const struct cor_run *run, const struct cor_inc *inc, struct tally *t)
{
    struct cor_map seen = { 0 };
    int64_t v;
    int r = 0;

    for (size_t k = 0; k < inc->n && r == 0; k++) {
        const struct cor_ev *e = &run->evs[inc->mem[k]];
        bool alert = e->sig == COR_SIG_ALERT_FIRING || e->sig == COR_SIG_ALERT_RESOLVED;
        bool page = e->sig >= COR_SIG_PAGE_TRIGGERED && e->sig <= COR_SIG_PAGE_OTHER;

        r |= add_unique(t->services, &seen, 's', e->service);
        r |= add_unique(t->keys, &seen, 'k', e->key);
        if (e->sig == COR_SIG_COMPONENT)
            r |= add_unique(t->components, &seen, 'c', e->ident);
        r |= json_array_append_new(t->ids, json_string(e->id));
        if ((alert || page) && e->ident && !cor_map_get(&seen, alert ? 'a' : 'p', e->ident, &v)) {
            r |= cor_map_put(&seen, alert ? 'a' : 'p', e->ident, 1);
            *(alert ? &t->alerts : &t->pages) += 1;
        }
        if ((alert || page) && e->sev > t->sev)
            t->sev = e->sev;
        t->chat += e->sig == COR_SIG_CHAT;
        t->deploys += e->sig == COR_SIG_DEPLOY || e->sig == COR_SIG_ROLLBACK;
        t->status += e->sig >= COR_SIG_STATUS_INVESTIGATING && e->sig <= COR_SIG_COMPONENT;
    }
    cor_map_clear(&seen);
    return r ? -ENOMEM : 0;
}

static json_t *title_json(const struct cor_run *run, const struct cor_inc *inc)
{
    const struct iq_event *ev = run->evs[inc->opener].ev;
    const char *name = iq_event_label(ev, "alertname");
    char buf[1400];

    if (inc->manual_title)
        return json_string(inc->manual_title);
    if (name && iq_ev_service(ev))
        snprintf(buf, sizeof(buf), "%.600s on %.255s", name, iq_ev_service(ev));
    else if (ev->str[IQ_F_TITLE])
        snprintf(buf, sizeof(buf), "%.1000s", ev->str[IQ_F_TITLE]);
    else
        snprintf(buf, sizeof(buf), "%s %s on %.255s", iq_ev_kind(ev), iq_ev_action(ev),
                 iq_ev_service(ev) ? iq_ev_service(ev) : "unknown service");
    return json_string(buf);
}

static json_t *counts_json(const struct cor_inc *inc, const struct tally *t)
{
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "events", (json_int_t)inc->n,
                     "alerts", (json_int_t)t->alerts, "pages", (json_int_t)t->pages,
                     "chat", (json_int_t)t->chat, "deploys", (json_int_t)t->deploys,
                     "status_updates", (json_int_t)t->status);
}

json_t *cor_inc_json(const struct cor_run *run, const struct cor_inc *inc)
{
    struct tally t = { .services = json_array(), .components = json_array(),
                       .keys = json_array(), .ids = json_array() };
    struct cor_milestones m;
    const char *sev;
    int64_t end;
    json_t *o = json_object();

    cor_milestones_compute(run, inc, &m);
    end = m.at[COR_MS_RESOLVED] != IQ_TIME_NONE ? m.at[COR_MS_RESOLVED]
                                                : run->evs[inc->mem[inc->n - 1]].t;
    if (!o || !t.services || !t.components || !t.keys || !t.ids || tally(run, inc, &t) < 0) {
        json_decref(t.services);
        json_decref(t.components);
        json_decref(t.keys);
        json_decref(t.ids);
        json_decref(o);
        return NULL;
    }
    sev = cor_severity_name(t.sev);
    json_object_set_new(o, "id", json_string(inc->id));
    json_object_set_new(o, "title", title_json(run, inc));
    json_object_set_new(o, "services", sorted(t.services));
    json_object_set_new(o, "components", sorted(t.components));
    json_object_set_new(o, "incident_keys", sorted(t.keys));
    json_object_set_new(o, "severity", sev ? json_string(sev) : json_null());
    json_object_set_new(o, "status", json_string(inc->closed_at != IQ_TIME_NONE ? "resolved" : "open"));
    json_object_set_new(o, "opened_at", time_json(inc->opened_at));
    json_object_set_new(o, "closed_at", time_json(inc->closed_at));
    json_object_set_new(o, "opened_by", json_string(run->evs[inc->opener].id));
    json_object_set_new(o, "milestones", milestones_json(run, &m));
    json_object_set_new(o, "durations", durations_json(&m));
    json_object_set_new(o, "impact", cor_impact_json(run, inc, end));
    json_object_set_new(o, "counts", counts_json(inc, &t));
    json_object_set_new(o, "trigger_candidates", cor_triggers_json(run, inc, m.at[COR_MS_IMPACT],
                                                                   end));
    json_object_set_new(o, "recurrence_of", inc->recurrence_of[0] ? json_string(inc->recurrence_of)
                                                                  : json_null());
    json_object_set_new(o, "merged_from", inc->merged_from ? json_deep_copy(inc->merged_from)
                                                           : json_array());
    json_object_set_new(o, "overrides", inc->overrides ? json_deep_copy(inc->overrides)
                                                       : json_array());
    json_object_set_new(o, "event_ids", t.ids);
    /* json_object_set_new refuses a NULL value (OOM): then a member is missing */
    if (json_object_size(o) != COR_JSON_MEMBERS) {
        json_decref(o);
        return NULL;
    }
    return o;
}

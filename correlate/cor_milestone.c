/* cor_milestone.c - milestones and impact breakdowns of one incident.
 *
 * Milestones are chosen from the incident's events by fixed rules; each
 * records the time, the event that is its evidence and the rule's name, so
 * a draft can say why (docs/correlation.md has the table with examples):
 *   impact_start  earliest of: alert startsAt (alert_starts_at), status-page
 *                 incident start (status_incident_start), component degraded
 *                 (component_degraded), log error-rate rise (log_error_rate_rise)
 *   detected      earliest of: alert arrival (alert_received, or alert_firing
 *                 without an arrival time), page triggered (page_triggered),
 *                 human report in a linked channel (chat_report)
 *   acknowledged  first page acknowledgement (page_acknowledged), otherwise
 *                 the first other human chat message from detection on,
 *                 within the clock-skew tolerance (first_human_chat)
 *   identified    status-page identified (status_identified) or a note with
 *                 action identified (note)
 *   mitigated     first of: status-page monitoring (status_monitoring), a
 *                 rollback deploy (rollback_deploy), all alerts resolved
 *                 (alerts_resolved)
 *   resolved      last of: all alerts resolved, every status-page incident
 *                 resolved, every page resolved - and only when every one of
 *                 those families present is resolved
 * A manual override (`inquest incident set`) wins with rule "manual".
 * Without evidence a milestone is left unset (null), never guessed.
 *
 * Because members are in (effective time, id) order, "first" and "last"
 * do not depend on delivery order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cor_run.h"
#include "cor_text.h"
#include "iq_event.h"
#include "iq_time.h"
#include "iq_buf.h"

/* The milestone names of the incident JSON and of `inquest incident set`. */
const char *const cor_ms_names[COR_MS_N] = {
    [COR_MS_IMPACT] = "impact_start",   [COR_MS_DETECTED] = "detected",
    [COR_MS_ACK] = "acknowledged",      [COR_MS_IDENTIFIED] = "identified",
    [COR_MS_MITIGATED] = "mitigated",   [COR_MS_RESOLVED] = "resolved",
};

static void consider(struct cor_milestones *m, int which, int64_t at, uint32_t ev,
                     const char *rule, bool later)
{
    if (at == IQ_TIME_NONE)
        return;
    if (m->at[which] == IQ_TIME_NONE || (later ? at > m->at[which] : at < m->at[which])) {
        m->at[which] = at;
        m->ev[which] = ev;
        m->rule[which] = rule;
    }
}

/* Final state of every alert, page and status-page incident of inc, and
 * when (and by which event) each family became all resolved. */
struct family {
    size_t n, open;
    int64_t last_at;
    uint32_t last_ev;
};

static void families(const struct cor_run *run, const struct cor_inc *inc, struct family f[3])
{
    struct cor_map st = { 0 };
    int64_t v;

    memset(f, 0, 3 * sizeof(*f));
    for (int i = 0; i < 3; i++)
        f[i].last_at = IQ_TIME_NONE;
    for (size_t k = 0; k < inc->n; k++) {
        const struct cor_ev *e = &run->evs[inc->mem[k]];
        int fam = -1;
        bool on = false;
        const char *ident = e->ident;

        switch (e->sig) {
        case COR_SIG_ALERT_FIRING: fam = 0; on = true; break;
        case COR_SIG_ALERT_RESOLVED: fam = 0; break;
        case COR_SIG_STATUS_INVESTIGATING:
        case COR_SIG_STATUS_IDENTIFIED:
        case COR_SIG_STATUS_MONITORING: fam = 1; on = true; ident = e->key; break;
        case COR_SIG_STATUS_RESOLVED: fam = 1; ident = e->key; break;
        case COR_SIG_PAGE_TRIGGERED: fam = 2; on = true; break;
        case COR_SIG_PAGE_RESOLVED: fam = 2; break;
        default: break;
        }
        if (fam < 0 || !ident)
            continue;
        if (!cor_map_get(&st, (uint8_t)fam, ident, &v)) {
            f[fam].n++;
            v = 0;
        }
        if (on && !v)
            f[fam].open++;
        else if (!on && v)
            f[fam].open--;
        if (!on) {
            f[fam].last_at = e->t;
            f[fam].last_ev = inc->mem[k];
        }
        if (cor_map_put(&st, (uint8_t)fam, ident, on) < 0)
            break;
    }
    cor_map_clear(&st);
}

static const char *const fam_rules[3] = { "alerts_resolved", "status_resolved", "page_resolved" };

/* When the status-page incident of update e began: its label created_at
 * (the incident's creation, which the webhook and import mappings copy to
 * every update), else started_at, else the update itself. */
static int64_t status_start(const struct cor_ev *e)
{
    static const char *const labels[] = { "created_at", "started_at" };
    int64_t t;

    for (int i = 0; i < 2; i++) {
        const char *s = iq_event_label(e->ev, labels[i]);

        if (s && iq_time_parse_lenient(s, strlen(s), &t) == 0 && t <= e->t)
            return t;
    }
    return e->t;
}

static void evidence(const struct cor_run *run, const struct cor_inc *inc, struct cor_milestones *m)
{
    for (size_t k = 0; k < inc->n; k++) {
        uint32_t i = inc->mem[k];
        const struct cor_ev *e = &run->evs[i];

        switch (e->sig) {
        case COR_SIG_ALERT_FIRING:
            consider(m, COR_MS_IMPACT, e->ev->at, i, "alert_starts_at", false);
            consider(m, COR_MS_DETECTED, e->seen, i,
                     e->seen != e->ev->at ? "alert_received" : "alert_firing", false);
            break;
        case COR_SIG_PAGE_TRIGGERED:
            consider(m, COR_MS_DETECTED, e->t, i, "page_triggered", false);
            break;
        case COR_SIG_PAGE_ACK:
            consider(m, COR_MS_ACK, e->t, i, "page_acknowledged", false);
            break;
        case COR_SIG_CHAT:
            if (e->human && e->linked)
                consider(m, COR_MS_DETECTED, e->t, i, "chat_report", false);
            break;
        case COR_SIG_STATUS_INVESTIGATING:
        case COR_SIG_STATUS_IDENTIFIED:
        case COR_SIG_STATUS_MONITORING:
        case COR_SIG_STATUS_RESOLVED:
            consider(m, COR_MS_IMPACT, status_start(e), i, "status_incident_start", false);
            if (e->sig == COR_SIG_STATUS_IDENTIFIED)
                consider(m, COR_MS_IDENTIFIED, e->t, i, "status_identified", false);
            if (e->sig == COR_SIG_STATUS_MONITORING)
                consider(m, COR_MS_MITIGATED, e->t, i, "status_monitoring", false);
            break;
        case COR_SIG_COMPONENT:
            if (e->state >= COR_COMP_DEGRADED && e->state <= COR_COMP_MAJOR)
                consider(m, COR_MS_IMPACT, e->t, i, "component_degraded", false);
            break;
        case COR_SIG_LOG_RISE:
            consider(m, COR_MS_IMPACT, e->t, i, "log_error_rate_rise", false);
            break;
        case COR_SIG_ROLLBACK:
            consider(m, COR_MS_MITIGATED, e->t, i, "rollback_deploy", false);
            break;
        case COR_SIG_NOTE:
            if (iq_ev_action(e->ev) && strcmp(iq_ev_action(e->ev), "identified") == 0)
                consider(m, COR_MS_IDENTIFIED, e->t, i, "note", false);
            break;
        default:
            break;
        }
    }
}

/* Without a page acknowledgement: the first human chat from detection on. */
static void chat_ack(const struct cor_run *run, const struct cor_inc *inc, struct cor_milestones *m)
{
    if (m->at[COR_MS_ACK] != IQ_TIME_NONE || m->at[COR_MS_DETECTED] == IQ_TIME_NONE)
        return;
    for (size_t k = 0; k < inc->n; k++) {
        const struct cor_ev *e = &run->evs[inc->mem[k]];

        if (e->sig != COR_SIG_CHAT || !e->human || !e->linked || inc->mem[k] == m->ev[COR_MS_DETECTED])
            continue;
        if (e->t < m->at[COR_MS_DETECTED] - run->cfg->skew_ms)
            continue;
        consider(m, COR_MS_ACK, e->t, inc->mem[k], "first_human_chat", false);
        return;
    }
}

static bool comp_bad(uint8_t state)
{
    return state >= COR_COMP_DEGRADED && state <= COR_COMP_MAJOR;
}

/* When every status-page component of inc that left operational was back
 * (the last return); IQ_TIME_NONE when one still is not.  *ret_any: did
 * any leave it. */
static int64_t components_normal(const struct cor_run *run, const struct cor_inc *inc, bool *ret_any)
{
    struct cor_map st = { 0 };
    int64_t back = IQ_TIME_NONE, v;
    size_t bad = 0;
    bool any = false;

    for (size_t k = 0; k < inc->n; k++) {
        const struct cor_ev *e = &run->evs[inc->mem[k]];
        bool was;

        if (e->sig != COR_SIG_COMPONENT || !e->ident)
            continue;
        was = cor_map_get(&st, 0, e->ident, &v) && comp_bad((uint8_t)v);
        if (!was && comp_bad(e->state)) {
            bad++;
            any = true;
        } else if (was && !comp_bad(e->state)) {
            bad--;
            back = e->t;
        }
        if (cor_map_put(&st, 0, e->ident, e->state) < 0)
            break;
    }
    cor_map_clear(&st);
    *ret_any = any;
    return any && bad == 0 ? back : IQ_TIME_NONE;
}

/* The end of customer impact: the later of the last alert resolution and
 * the status page's return to normal (its incidents resolved, or every
 * affected component operational, whichever came first); unknown
 * (IQ_TIME_NONE) while either is still out.  Without alerts and status
 * page: mitigated, else resolved. */
static int64_t impact_end(const struct cor_run *run, const struct cor_inc *inc,
                          const struct cor_milestones *m, const struct family f[3])
{
    bool comps;
    int64_t comp = components_normal(run, inc, &comps), a = IQ_TIME_NONE, s = IQ_TIME_NONE;

    if (f[0].n == 0 && f[1].n == 0 && !comps)
        return m->at[COR_MS_MITIGATED] != IQ_TIME_NONE ? m->at[COR_MS_MITIGATED]
                                                       : m->at[COR_MS_RESOLVED];
    if (f[0].n > 0) {
        if (f[0].open > 0 || f[0].last_at == IQ_TIME_NONE)
            return IQ_TIME_NONE;
        a = f[0].last_at;
    }
    if (f[1].n > 0 && f[1].open == 0)
        s = f[1].last_at;
    if (comps && comp != IQ_TIME_NONE && (s == IQ_TIME_NONE || comp < s))
        s = comp;
    if ((f[1].n > 0 || comps) && s == IQ_TIME_NONE)
        return IQ_TIME_NONE;
    return a == IQ_TIME_NONE || (s != IQ_TIME_NONE && s > a) ? s : a;
}

void cor_milestones_compute(const struct cor_run *run, const struct cor_inc *inc,
                            struct cor_milestones *m)
{
    struct family f[3];
    bool any = false, all = true;

    for (int i = 0; i < COR_MS_N; i++) {
        m->at[i] = IQ_TIME_NONE;
        m->ev[i] = COR_NONE;
        m->rule[i] = m->note[i] = NULL;
    }
    evidence(run, inc, m);
    chat_ack(run, inc, m);
    families(run, inc, f);
    if (f[0].n > 0 && f[0].open == 0)
        consider(m, COR_MS_MITIGATED, f[0].last_at, f[0].last_ev, "alerts_resolved", false);
    for (int i = 0; i < 3; i++) {
        if (f[i].n == 0)
            continue;
        any = true;
        all = all && f[i].open == 0 && f[i].last_at != IQ_TIME_NONE;
    }
    for (int i = 0; any && all && i < 3; i++)
        if (f[i].n > 0)
            consider(m, COR_MS_RESOLVED, f[i].last_at, f[i].last_ev, fam_rules[i], true);
    for (int i = 0; i < COR_MS_N; i++) {
        if (!inc->manual[i].set)
            continue;
        m->at[i] = inc->manual[i].at;
        m->ev[i] = COR_NONE;
        m->rule[i] = m->at[i] == IQ_TIME_NONE ? NULL : "manual";
        m->note[i] = inc->manual[i].note;
    }
    m->impact_end = impact_end(run, inc, m, f);
}

/* ---- impact breakdowns: unions of intervals per name ---- */

struct ival {
    const char *name;
    int64_t s, e;
};

struct ivals {
    struct ival *v;
    size_t n, cap;
};

static int ival_add(struct ivals *a, const char *name, int64_t s, int64_t e)
{
    if (e <= s)
        return 0;
    struct ival *nv = iq_array_grow(a->v, a->n, &a->cap, sizeof(*nv), 16);

    if (!nv)
        return -ENOMEM;
    a->v = nv;
    a->v[a->n++] = (struct ival){ name, s, e };
    return 0;
}

static int cmp_ival(const void *a, const void *b)
{
    const struct ival *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c)
        return c;
    return x->s < y->s ? -1 : x->s > y->s;
}

/* Sum of the union of intervals per name, in seconds, written as a JSON
 * object (names come out sorted, as the stored text needs them). */
static void union_sum(struct ivals *a, struct cor_text *t)
{
    size_t i = 0;
    bool first = true;

    if (a->n > 0)
        qsort(a->v, a->n, sizeof(*a->v), cmp_ival);
    cor_text_lit(t, "{");
    while (i < a->n) {
        const char *name = a->v[i].name;
        int64_t total = 0, s = a->v[i].s, e = a->v[i].e;

        for (i++; i < a->n && strcmp(a->v[i].name, name) == 0; i++) {
            if (a->v[i].s > e) {
                total += e - s;
                s = a->v[i].s;
            }
            if (a->v[i].e > e)
                e = a->v[i].e;
        }
        total += e - s;
        cor_text_lit(t, first ? "" : ",");
        first = false;
        cor_text_str(t, name);
        cor_text_lit(t, ":");
        cor_text_int(t, total / 1000);
    }
    cor_text_lit(t, "}");
}

struct ident_ev {
    const char *ident;
    uint32_t ev;
};

static int cmp_ident_ev(const void *a, const void *b)
{
    const struct ident_ev *x = a, *y = b;
    int c = strcmp(x->ident, y->ident);

    return c ? c : (x->ev < y->ev ? -1 : x->ev > y->ev);
}

static const char *sev_label(const struct cor_ev *e)
{
    const char *name = cor_severity_name(e->sev);

    return name ? name : "unknown";
}

/* Intervals of alerts (by severity) or components (by state). */
static int collect(const struct cor_run *run, const struct cor_inc *inc, bool alerts, int64_t end,
                   struct ivals *out)
{
    struct ident_ev *ie = calloc(inc->n + 1, sizeof(*ie));
    size_t n = 0;
    int r = 0;

    if (!ie)
        return -ENOMEM;
    for (size_t k = 0; k < inc->n; k++) {
        const struct cor_ev *e = &run->evs[inc->mem[k]];
        bool want = alerts ? (e->sig == COR_SIG_ALERT_FIRING || e->sig == COR_SIG_ALERT_RESOLVED)
                           : e->sig == COR_SIG_COMPONENT;

        if (want && e->ident)
            ie[n++] = (struct ident_ev){ e->ident, inc->mem[k] };
    }
    qsort(ie, n, sizeof(*ie), cmp_ident_ev);
    for (size_t k = 0; k < n && r == 0; k++) {
        const struct cor_ev *e = &run->evs[ie[k].ev];
        bool last = k + 1 == n || strcmp(ie[k + 1].ident, ie[k].ident) != 0;
        int64_t next = last ? end : run->evs[ie[k + 1].ev].t;

        if (alerts && e->sig == COR_SIG_ALERT_FIRING) {
            /* firing until the next event of this alert (its resolution) */
            const struct cor_ev *n2 = last ? NULL : &run->evs[ie[k + 1].ev];

            if (!n2 || n2->sig == COR_SIG_ALERT_RESOLVED)
                r = ival_add(out, sev_label(e), e->ev->at, n2 ? n2->t : end);
            else if (n2->sig == COR_SIG_ALERT_FIRING)
                r = ival_add(out, sev_label(e), e->ev->at, n2->ev->at > e->ev->at ? n2->ev->at : e->ev->at);
        } else if (!alerts && e->state != COR_COMP_OPERATIONAL) {
            r = ival_add(out, cor_comp_state_names[e->state], e->t, next);
        }
    }
    free(ie);
    return r;
}

int cor_impact_text(const struct cor_run *run, const struct cor_inc *inc, int64_t end,
                    struct cor_text *t)
{
    struct ivals a = { 0 }, c = { 0 };
    int r;

    if ((r = collect(run, inc, true, end, &a)) < 0 || (r = collect(run, inc, false, end, &c)) < 0)
        goto out;
    cor_text_lit(t, "{\"by_component_state\":");
    union_sum(&c, t);
    cor_text_lit(t, ",\"by_severity\":");
    union_sum(&a, t);
    cor_text_lit(t, "}");
out:
    free(a.v);
    free(c.v);
    return r;
}

/* [{"name": C, "states": [{"from", "seconds", "state", "to"}, ...]}, ...]:
 * each component's successive states (repeats of the same state are one
 * stretch); the last stretch has "to" and "seconds" null, as nothing says
 * when it ended.  Components sorted by name. */
int cor_component_states_text(const struct cor_run *run, const struct cor_inc *inc,
                              struct cor_text *t)
{
    struct ident_ev *ie = calloc(inc->n + 1, sizeof(*ie));
    size_t n = 0;

    if (!ie)
        return -ENOMEM;
    for (size_t k = 0; k < inc->n; k++) {
        const struct cor_ev *e = &run->evs[inc->mem[k]];

        if (e->sig == COR_SIG_COMPONENT && e->ident)
            ie[n++] = (struct ident_ev){ e->ident, inc->mem[k] };
    }
    qsort(ie, n, sizeof(*ie), cmp_ident_ev);
    cor_text_lit(t, "[");
    for (size_t k = 0, end; k < n; k = end) {
        for (end = k; end < n && strcmp(ie[end].ident, ie[k].ident) == 0; end++)
            ;
        cor_text_lit(t, k ? ",{\"name\":" : "{\"name\":");
        cor_text_str(t, ie[k].ident);
        cor_text_lit(t, ",\"states\":[");
        for (size_t j = k, j2; j < end; j = j2) {
            const struct cor_ev *e = &run->evs[ie[j].ev];
            int64_t to;

            for (j2 = j + 1; j2 < end && run->evs[ie[j2].ev].state == e->state; j2++)
                ;
            to = j2 < end ? run->evs[ie[j2].ev].t : IQ_TIME_NONE;
            cor_text_lit(t, j > k ? ",{\"from\":" : "{\"from\":");
            cor_text_time(t, e->t);
            cor_text_lit(t, ",\"seconds\":");
            if (to == IQ_TIME_NONE)
                cor_text_lit(t, "null");
            else
                cor_text_int(t, (to - e->t) / 1000);
            cor_text_lit(t, ",\"state\":");
            cor_text_str(t, cor_comp_state_names[e->state]);
            cor_text_lit(t, ",\"to\":");
            cor_text_time(t, to);
            cor_text_lit(t, "}");
        }
        cor_text_lit(t, "]}");
    }
    cor_text_lit(t, "]");
    free(ie);
    return 0;
}

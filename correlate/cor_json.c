/* cor_json.c - an incident as JSON (schemas/incident.schema.json), with its
 * durations, counts and trigger candidates.
 *
 * The JSON is written as the text that is stored (compact, keys sorted,
 * cor_text.h) with no jansson tree in between: a full rebuild writes every
 * incident, and building then dumping and freeing trees cost more than
 * correlating.  Object keys are therefore written in sorted order by hand;
 * a change of a key must keep that order (the scenario and determinism
 * tests compare stored incidents byte for byte; tests/unit/cor_text_test.c
 * checks the escaping and number formats against jansson).
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
#include "cor_text.h"
#include "iq_event.h"
#include "iq_time.h"

#define TRIGGERS_MAX 10

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
        const struct cor_ev *e = &run->evs[inc->mem[k]];

        if (e->service && strcmp(e->service, svc) == 0)
            return true;
        for (size_t j = 0; j < e->n_comps; j++)
            if (e->svcs[j] && strcmp(e->svcs[j], svc) == 0)
                return true;
    }
    return false;
}

static bool same_service(const struct cor_ev *a, const struct cor_ev *b)
{
    return a->service && b->service && strcmp(a->service, b->service) == 0;
}

static bool same_env(const struct cor_ev *a, const struct cor_ev *b)
{
    const char *x = a->ev->str[IQ_F_ENVIRONMENT], *y = b->ev->str[IQ_F_ENVIRONMENT];

    return x == y || (x && y && strcmp(x, y) == 0);
}

/* Was candidate c (index from) undone: is the next deploy to its target
 * (service and environment), before end, a rollback?  Deploys of other
 * services or environments in between do not count. */
static bool rolled_back(const struct cor_run *run, const struct cor_ev *c, size_t from, int64_t end)
{
    for (size_t j = from + 1; j < run->n && run->evs[j].t <= end; j++) {
        const struct cor_ev *e = &run->evs[j];
        const char *a = iq_ev_action(e->ev);

        if (!same_service(e, c) || !same_env(e, c))
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

/* {"at":..,"event":..,"kind":..,"lead_time":..,"likely":..,"reason":..,
 * "score":..,"service":..,"title":..} */
static void cand_text(const struct cor_run *run, const struct cand *c, int64_t anchor,
                      struct cor_text *t)
{
    const struct cor_ev *e = &run->evs[c->ev];
    char reason[160], lead[32];

    human_duration(anchor - e->t, lead, sizeof(lead));
    snprintf(reason, sizeof(reason), "%s, %s before impact%s",
             c->match ? "same service" : "other service", lead,
             c->likely ? ", rolled back during the incident" : "");
    cor_text_lit(t, "{\"at\":");
    cor_text_time(t, e->ev->at);
    cor_text_lit(t, ",\"event\":");
    cor_text_str(t, e->id);
    cor_text_lit(t, ",\"kind\":");
    cor_text_str(t, iq_ev_kind(e->ev));
    cor_text_lit(t, ",\"lead_time\":");
    cor_text_int(t, (anchor - e->t) / 1000);
    cor_text_lit(t, c->likely ? ",\"likely\":true" : ",\"likely\":false");
    cor_text_lit(t, ",\"reason\":");
    cor_text_str(t, reason);
    cor_text_lit(t, ",\"score\":");
    cor_text_real(t, (double)(int)(c->score * 1000 + 0.5) / 1000);
    cor_text_lit(t, ",\"service\":");
    cor_text_str(t, e->service);
    cor_text_lit(t, ",\"title\":");
    cor_text_str(t, e->ev->str[IQ_F_TITLE]);
    cor_text_lit(t, "}");
}

int cor_triggers_text(const struct cor_run *run, const struct cor_inc *inc, int64_t impact_start,
                      int64_t end, struct cor_text *t)
{
    int64_t anchor = impact_start != IQ_TIME_NONE ? impact_start : inc->opened_at;
    int64_t lb = run->cfg->lookback_ms, from = anchor - lb;
    struct cand *c = NULL;
    size_t n = 0, cap = 0, lo;
    bool any_match = false;

    lo = cor_run_lower_bound(run, run->n, from);
    for (size_t j = lo; j < run->n && run->evs[j].t <= anchor; j++) {
        const struct cor_ev *e = &run->evs[j];
        struct cand k = { .ev = (uint32_t)j };
        double prox;

        if (!is_candidate(e))
            continue;
        if (n == cap) {
            struct cand *nc = realloc(c, (cap = cap ? cap * 2 : 16) * sizeof(*nc));

            if (!nc) {
                free(c);
                return -ENOMEM;
            }
            c = nc;
        }
        k.match = inc_has_service(run, inc, e->service);
        k.likely = rolled_back(run, e, j, end);
        prox = lb > 0 ? 1.0 - (double)(anchor - e->t) / (double)lb : 1.0;
        k.score = 0.4 * prox + (k.match ? 0.4 : 0) + (k.likely ? 0.2 : 0);
        any_match = any_match || k.match;
        c[n++] = k;
    }
    if (n > 1)
        qsort_r(c, n, sizeof(*c), cmp_cand, (void *)run);
    cor_text_lit(t, "[");
    for (size_t i = 0, out = 0; i < n && out < TRIGGERS_MAX; i++) {
        if (any_match && !c[i].match)
            continue;
        if (out++)
            cor_text_lit(t, ",");
        cand_text(run, &c[i], anchor, t);
    }
    cor_text_lit(t, "]");
    free(c);
    return 0;
}

/* Milestones in the sorted order of their names. */
static const int ms_sorted[COR_MS_N] = { COR_MS_ACK, COR_MS_DETECTED, COR_MS_IDENTIFIED,
                                         COR_MS_IMPACT, COR_MS_MITIGATED, COR_MS_RESOLVED };

static void milestones_text(const struct cor_run *run, const struct cor_milestones *m,
                            struct cor_text *t)
{
    for (int k = 0; k < COR_MS_N; k++) {
        int i = ms_sorted[k];

        cor_text_lit(t, k ? ",\"" : "{\"");
        cor_text_lit(t, cor_ms_names[i]);
        cor_text_lit(t, "\":");
        if (m->at[i] == IQ_TIME_NONE) {
            cor_text_lit(t, "null");
            continue;
        }
        cor_text_lit(t, "{\"at\":");
        cor_text_time(t, m->at[i]);
        cor_text_lit(t, ",\"event\":");
        cor_text_str(t, m->ev[i] != COR_NONE ? run->evs[m->ev[i]].id : m->note[i]);
        cor_text_lit(t, ",\"rule\":");
        if (!m->rule[i] && !t->err)
            t->err = -EINVAL;      /* json_string(NULL) would have failed */
        cor_text_str(t, m->rule[i]);
        cor_text_lit(t, "}");
    }
    cor_text_lit(t, "}");
}

static void secs(struct cor_text *t, const char *key, int64_t from, int64_t to)
{
    cor_text_lit(t, key);
    if (from == IQ_TIME_NONE || to == IQ_TIME_NONE)
        cor_text_lit(t, "null");
    else
        cor_text_int(t, to > from ? (to - from) / 1000 : 0);
}

static void durations_text(const struct cor_milestones *m, struct cor_text *t)
{
    int64_t s = m->at[COR_MS_IMPACT];

    secs(t, "{\"impact\":", s, m->impact_end);
    secs(t, ",\"time_to_acknowledge\":", s, m->at[COR_MS_ACK]);
    secs(t, ",\"time_to_detect\":", s, m->at[COR_MS_DETECTED]);
    secs(t, ",\"time_to_mitigate\":", s, m->at[COR_MS_MITIGATED]);
    secs(t, ",\"time_to_resolve\":", s, m->at[COR_MS_RESOLVED]);
    cor_text_lit(t, "}");
}

/* Distinct strings of one incident, written sorted. */
struct strset {
    const char **v;
    size_t n;
};

/* Add s unless already there; membership through seen (tag separates the
 * sets sharing it), so large incidents stay linear. */
static int add_unique(struct strset *set, struct cor_map *seen, char tag, const char *s)
{
    int64_t v;

    if (!s || cor_map_get(seen, tag, s, &v))
        return 0;
    if (cor_map_put(seen, tag, s, 1) < 0)
        return -ENOMEM;
    set->v[set->n++] = s;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void strset_text(struct strset *set, struct cor_text *t)
{
    qsort(set->v, set->n, sizeof(*set->v), cmp_str);
    cor_text_lit(t, "[");
    for (size_t i = 0; i < set->n; i++) {
        if (i)
            cor_text_lit(t, ",");
        cor_text_str(t, set->v[i]);
    }
    cor_text_lit(t, "]");
}

struct tally {
    struct strset services, components, keys;
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

        r |= add_unique(&t->services, &seen, 's', e->service);
        r |= add_unique(&t->keys, &seen, 'k', e->key);
        for (size_t j = 0; j < e->n_comps; j++) {
            r |= add_unique(&t->services, &seen, 's', e->svcs[j]);
            r |= add_unique(&t->components, &seen, 'c', e->comps[j]);
        }
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

static void title_text(const struct cor_run *run, const struct cor_inc *inc, struct cor_text *t)
{
    const struct iq_event *ev = run->evs[inc->opener].ev;
    const char *name = iq_event_label(ev, "alertname"), *svc = iq_ev_service(ev);
    const char *title = ev->str[IQ_F_TITLE];
    char buf[1400];

    if (inc->manual_title) {
        cor_text_str_checked(t, inc->manual_title);
        return;
    }
    /* each part is cut at a character boundary, so the title stays UTF-8 */
    if (name && svc)
        snprintf(buf, sizeof(buf), "%.*s on %.*s", (int)iq_utf8_prefix(name, strlen(name), 600),
                 name, (int)iq_utf8_prefix(svc, strlen(svc), 255), svc);
    else if (title)
        snprintf(buf, sizeof(buf), "%.*s", (int)iq_utf8_prefix(title, strlen(title), 1000), title);
    else
        snprintf(buf, sizeof(buf), "%s %s on %.*s", iq_ev_kind(ev), iq_ev_action(ev),
                 (int)iq_utf8_prefix(svc ? svc : "unknown service",
                                     strlen(svc ? svc : "unknown service"), 255),
                 svc ? svc : "unknown service");
    cor_text_str_checked(t, buf);
}

static void counts_text(const struct cor_inc *inc, const struct tally *c, struct cor_text *t)
{
    static const char *const keys[] = { "{\"alerts\":", ",\"chat\":", ",\"deploys\":",
                                        ",\"events\":", ",\"pages\":", ",\"status_updates\":" };
    const size_t v[] = { c->alerts, c->chat, c->deploys, inc->n, c->pages, c->status };

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        cor_text_lit(t, keys[i]);
        cor_text_int(t, (int64_t)v[i]);
    }
    cor_text_lit(t, "}");
}

static void ids_text(const struct cor_run *run, const struct cor_inc *inc, struct cor_text *t)
{
    cor_text_lit(t, "[");
    for (size_t k = 0; k < inc->n; k++) {
        if (k)
            cor_text_lit(t, ",");
        cor_text_str(t, run->evs[inc->mem[k]].id);
    }
    cor_text_lit(t, "]");
}

/* A note-made array of ids (borrowed), or [] when there is none. */
static void array_or_empty(const json_t *arr, struct cor_text *t)
{
    if (arr)
        cor_text_json(t, arr);
    else
        cor_text_lit(t, "[]");
}

/* Lifecycle: "open" until mitigated, "mitigated" until resolved,
 * "resolved" only with the resolved milestone, "stale" when closed after
 * stale_after with something still unresolved; *ret_stale: since when. */
static const char *status_of(const struct cor_inc *inc, const struct cor_milestones *m,
                             int64_t *ret_stale)
{
    *ret_stale = IQ_TIME_NONE;
    if (m->at[COR_MS_RESOLVED] != IQ_TIME_NONE)
        return "resolved";
    if (inc->stale && inc->closed_at != IQ_TIME_NONE) {
        *ret_stale = inc->closed_at;
        return "stale";
    }
    return m->at[COR_MS_MITIGATED] != IQ_TIME_NONE ? "mitigated" : "open";
}

/* {"mitigated":..,"open":..,"resolved":..,"stale":..}: when each status was
 * reached (null when it was not). */
static void lifecycle_text(const struct cor_inc *inc, const struct cor_milestones *m,
                           int64_t stale, struct cor_text *t)
{
    cor_text_lit(t, "{\"mitigated\":");
    cor_text_time(t, m->at[COR_MS_MITIGATED]);
    cor_text_lit(t, ",\"open\":");
    cor_text_time(t, inc->opened_at);
    cor_text_lit(t, ",\"resolved\":");
    cor_text_time(t, m->at[COR_MS_RESOLVED]);
    cor_text_lit(t, ",\"stale\":");
    cor_text_time(t, stale);
    cor_text_lit(t, "}");
}

/* The body after the tally: every member in sorted key order. */
static int inc_body(const struct cor_run *run, const struct cor_inc *inc, struct tally *c,
                    struct cor_text *t)
{
    struct cor_milestones m;
    const char *sev = cor_severity_name(c->sev), *status;
    int64_t end, stale;
    int r;

    cor_milestones_compute(run, inc, &m);
    status = status_of(inc, &m, &stale);
    end = m.at[COR_MS_RESOLVED] != IQ_TIME_NONE ? m.at[COR_MS_RESOLVED]
                                                : run->evs[inc->mem[inc->n - 1]].t;
    cor_text_lit(t, "{\"closed_at\":");
    cor_text_time(t, inc->closed_at);
    cor_text_lit(t, ",\"component_states\":");
    if ((r = cor_component_states_text(run, inc, t)) < 0)
        return r;
    cor_text_lit(t, ",\"components\":");
    strset_text(&c->components, t);
    cor_text_lit(t, ",\"counts\":");
    counts_text(inc, c, t);
    cor_text_lit(t, ",\"durations\":");
    durations_text(&m, t);
    cor_text_lit(t, ",\"event_ids\":");
    ids_text(run, inc, t);
    cor_text_lit(t, ",\"id\":");
    cor_text_str(t, inc->id);
    cor_text_lit(t, ",\"impact\":");
    if ((r = cor_impact_text(run, inc, end, t)) < 0)
        return r;
    cor_text_lit(t, ",\"incident_keys\":");
    strset_text(&c->keys, t);
    cor_text_lit(t, ",\"lifecycle\":");
    lifecycle_text(inc, &m, stale, t);
    cor_text_lit(t, ",\"merged_from\":");
    array_or_empty(inc->merged_from, t);
    cor_text_lit(t, ",\"milestones\":");
    milestones_text(run, &m, t);
    cor_text_lit(t, ",\"opened_at\":");
    cor_text_time(t, inc->opened_at);
    cor_text_lit(t, ",\"opened_by\":");
    cor_text_str(t, run->evs[inc->opener].id);
    cor_text_lit(t, ",\"overrides\":");
    array_or_empty(inc->overrides, t);
    cor_text_lit(t, ",\"recurrence_of\":");
    cor_text_str(t, inc->recurrence_of[0] ? inc->recurrence_of : NULL);
    cor_text_lit(t, ",\"services\":");
    strset_text(&c->services, t);
    cor_text_lit(t, ",\"severity\":");
    cor_text_str(t, sev);
    cor_text_lit(t, ",\"status\":");
    cor_text_str(t, status);
    cor_text_lit(t, ",\"title\":");
    title_text(run, inc, t);
    cor_text_lit(t, ",\"trigger_candidates\":");
    if ((r = cor_triggers_text(run, inc, m.at[COR_MS_IMPACT], end, t)) < 0)
        return r;
    cor_text_lit(t, "}");
    return 0;
}

/* The services, an empty string, the incident keys, an empty string, each
 * NUL-terminated, in the order the text lists them (sorted by inc_body). */
static int names_of(const struct tally *c, char **ret, size_t *ret_len)
{
    size_t len = 2, off = 0;
    char *b;

    for (size_t i = 0; i < c->services.n; i++)
        len += strlen(c->services.v[i]) + 1;
    for (size_t i = 0; i < c->keys.n; i++)
        len += strlen(c->keys.v[i]) + 1;
    if (!(b = malloc(len)))
        return -ENOMEM;
    for (int list = 0; list < 2; list++) {
        const struct strset *set = list ? &c->keys : &c->services;

        for (size_t i = 0; i < set->n; i++) {
            size_t l = strlen(set->v[i]) + 1;

            memcpy(b + off, set->v[i], l);
            off += l;
        }
        b[off++] = '\0';
    }
    *ret = b;
    *ret_len = off;
    return 0;
}

int cor_inc_text(const struct cor_run *run, const struct cor_inc *inc, char **ret)
{
    return cor_inc_text_names(run, inc, ret, NULL, NULL);
}

int cor_inc_text_names(const struct cor_run *run, const struct cor_inc *inc, char **ret,
                       char **ret_names, size_t *ret_names_len)
{
    struct tally c = { .sev = 0 };
    struct cor_text t = { 0 };
    size_t n = inc->n + 1;
    int r = -ENOMEM;

    for (size_t k = 0; k < inc->n; k++)
        n += run->evs[inc->mem[k]].n_comps;
    c.services.v = malloc(n * sizeof(*c.services.v));
    c.components.v = malloc(n * sizeof(*c.components.v));
    c.keys.v = malloc(n * sizeof(*c.keys.v));
    if (!c.services.v || !c.components.v || !c.keys.v || (r = tally(run, inc, &c)) < 0 ||
        (r = inc_body(run, inc, &c, &t)) < 0)
        goto out;
    if (ret_names && (r = names_of(&c, ret_names, ret_names_len)) < 0)
        goto out;
    if ((r = cor_text_take(&t, ret)) < 0 && ret_names)
        free(*ret_names);
out:
    cor_text_release(&t);
    free(c.services.v);
    free(c.components.v);
    free(c.keys.v);
    return r;
}

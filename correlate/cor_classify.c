/* cor_classify.c - turn a canonical event into a correlation signal.
 *
 * The mappings of the sources (ingest/) already speak one vocabulary:
 * kind alert/page/deploy/change/chat/status/log/note and a small set of
 * actions per kind (docs/correlation.md lists them).  This file reads that
 * vocabulary once per event and caches what grouping and milestones need:
 * the signal, the effective time, the evidence time of detection, the
 * service (through the component map for status-page components), the
 * identity of the alert, page or component, and whether a chat message is
 * a human's in a linked channel.
 *
 * Design notes:
 * - The effective time of a resolved alert is its ends_at when the source
 *   gave one: Alertmanager sends the resolution with startsAt as the event
 *   time, and the interval only ends at endsAt.
 * - An alert without a fingerprint gets an identity built from alertname,
 *   instance and service (kept in the run's arena), so repeats of the same
 *   alert still count once. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "cor_run.h"
#include "cor_signal.h"
#include "iq_event.h"
#include "iq_time.h"

struct action_sig {
    const char *kind;
    const char *action;      /* NULL: any action of the kind */
    uint8_t sig;
    uint8_t state;
};

static const struct action_sig action_sigs[] = {
    { "alert",  "firing",               COR_SIG_ALERT_FIRING, 0 },
    { "alert",  "resolved",             COR_SIG_ALERT_RESOLVED, 0 },
    { "page",   "triggered",            COR_SIG_PAGE_TRIGGERED, 0 },
    { "page",   "acknowledged",         COR_SIG_PAGE_ACK, 0 },
    { "page",   "resolved",             COR_SIG_PAGE_RESOLVED, 0 },
    { "page",   NULL,                   COR_SIG_PAGE_OTHER, 0 },
    { "deploy", "rolled_back",          COR_SIG_ROLLBACK, 0 },
    { "deploy", NULL,                   COR_SIG_DEPLOY, 0 },
    { "change", NULL,                   COR_SIG_CHANGE, 0 },
    { "chat",   NULL,                   COR_SIG_CHAT, 0 },
    { "status", "investigating",        COR_SIG_STATUS_INVESTIGATING, 0 },
    { "status", "identified",           COR_SIG_STATUS_IDENTIFIED, 0 },
    { "status", "monitoring",           COR_SIG_STATUS_MONITORING, 0 },
    { "status", "resolved",             COR_SIG_STATUS_RESOLVED, 0 },
    { "status", "operational",          COR_SIG_COMPONENT, COR_COMP_OPERATIONAL },
    { "status", "degraded_performance", COR_SIG_COMPONENT, COR_COMP_DEGRADED },
    { "status", "partial_outage",       COR_SIG_COMPONENT, COR_COMP_PARTIAL },
    { "status", "major_outage",         COR_SIG_COMPONENT, COR_COMP_MAJOR },
    { "status", "under_maintenance",    COR_SIG_COMPONENT, COR_COMP_MAINTENANCE },
    { "status", NULL,                   COR_SIG_STATUS_OTHER, 0 },
    { "log",    "error_rate_rise",      COR_SIG_LOG_RISE, 0 },
    { "log",    "error_rate_normal",    COR_SIG_LOG_NORMAL, 0 },
    { "note",   NULL,                   COR_SIG_NOTE, 0 },
    { NULL, NULL, 0, 0 },
};

const char *const cor_comp_state_names[COR_COMP_N] = {
    [COR_COMP_OPERATIONAL] = "operational",
    [COR_COMP_DEGRADED] = "degraded_performance",
    [COR_COMP_PARTIAL] = "partial_outage",
    [COR_COMP_MAJOR] = "major_outage",
    [COR_COMP_MAINTENANCE] = "under_maintenance",
};

static bool has_word(const char *s, const char *w)
{
    return s && strcasestr(s, w) != NULL;
}

/* A deploy whose description says it rolls back or reverts. */
static bool says_rollback(const struct iq_event *ev)
{
    static const char *const words[] = { "rollback", "roll back", "rolled back", "revert", NULL };

    for (int i = 0; words[i]; i++)
        if (has_word(ev->str[IQ_F_TITLE], words[i]) || has_word(ev->str[IQ_F_TEXT], words[i]))
            return true;
    return false;
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static bool label_true(const struct iq_event *ev, const char *key)
{
    const char *v = iq_event_label(ev, key);

    return v && (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0);
}

/* What a deploy source says about a rollback: GitHub's deployment task
 * "rollback" (label task) or payload.rollback (label rollback), Argo CD's
 * rollback operation (label operation), the canonical label rollback=true,
 * or a title or description that says so (GitLab's "Revert ..." commit
 * titles among them). */
static bool rollback_cue(const struct iq_event *ev)
{
    const char *task = iq_event_label(ev, "task"), *op = iq_event_label(ev, "operation");

    return label_true(ev, "rollback") || (task && strcasecmp(task, "rollback") == 0) ||
           (op && strcasecmp(op, "rollback") == 0) || says_rollback(ev);
}

static const struct action_sig *lookup(const char *kind, const char *action)
{
    for (const struct action_sig *a = action_sigs; a->kind; a++)
        if (a->kind[0] == kind[0] && strcmp(a->kind, kind) == 0 &&
            (!a->action || (action && a->action[0] == action[0] && strcmp(a->action, action) == 0)))
            return a;
    return NULL;
}

static bool is_control(const struct iq_event *ev)
{
    const char *src = iq_ev_source(ev), *act = iq_ev_action(ev);

    return src && act && strcmp(src, "inquest") == 0 &&
           (strcmp(act, "merge") == 0 || strcmp(act, "split") == 0 || strcmp(act, "set") == 0 ||
            strcmp(act, "attach") == 0);
}

const char *cor_alert_ident(const struct iq_event *ev, char *buf, size_t size)
{
    const char *fp = iq_event_label(ev, "fingerprint"), *name, *inst;

    if (fp && *fp)
        return fp;
    name = iq_event_label(ev, "alertname");
    if (!name)
        name = ev->str[IQ_F_TITLE] ? ev->str[IQ_F_TITLE] : "";
    inst = iq_event_label(ev, "instance");
    snprintf(buf, size, "%.600s|%.300s|%.255s", name, inst ? inst : "",
             iq_ev_service(ev) ? iq_ev_service(ev) : "");
    return buf;
}

/* Identity of an alert (cor_alert_ident), kept in the run's arena. */
static const char *alert_ident(struct cor_run *run, const struct iq_event *ev)
{
    char buf[COR_IDENT_MAX];
    const char *id = cor_alert_ident(ev, buf, sizeof(buf));

    return id != buf ? id : cor_arena_strndup(&run->arena, buf, strlen(buf));
}

const char *cor_page_ident(const struct iq_event *ev)
{
    return ev->str[IQ_F_INCIDENT_KEY] ? ev->str[IQ_F_INCIDENT_KEY] : iq_ev_id(ev);
}

const char *cor_status_ident(const struct iq_event *ev)
{
    return ev->str[IQ_F_INCIDENT_KEY];
}

int64_t cor_alert_time(const struct iq_event *ev)
{
    const char *act = iq_ev_action(ev);

    if (act && strcmp(act, "resolved") == 0 && ev->ends_at != IQ_TIME_NONE && ev->ends_at >= ev->at)
        return ev->ends_at;
    return ev->at;
}

bool cor_deploy_rollback(const struct iq_event *ev)
{
    const char *act = iq_ev_action(ev);

    return same(act, "rolled_back") || (same(act, "succeeded") && rollback_cue(ev));
}

#define COMPS_MAX 32

/* The string value starting at p (just after its opening quote) of a JSON
 * text, unescaped into the arena; NULL when it is cut short or on OOM. */
static const char *json_str_at(struct cor_run *run, const char *p)
{
    const char *q = p;
    char buf[520];
    json_t *j;

    while (*q && *q != '"')
        q += (*q == '\\' && q[1]) ? 2 : 1;
    if (*q != '"' || q == p)
        return NULL;
    if (!memchr(p, '\\', (size_t)(q - p)))
        return cor_arena_strndup(&run->arena, p, (size_t)(q - p));
    if (q - p + 2 >= (ptrdiff_t)sizeof(buf))
        return NULL;
    snprintf(buf, sizeof(buf), "\"%.*s\"", (int)(q - p), p);
    j = json_loads(buf, JSON_DECODE_ANY, NULL);
    p = json_is_string(j) ? cor_arena_strndup(&run->arena, json_string_value(j),
                                               strlen(json_string_value(j)))
                          : NULL;
    json_decref(j);
    return p;
}

static void add_comp(const char **list, size_t *n, const char *name)
{
    if (!name || !*name || *n >= COMPS_MAX)
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(list[i], name) == 0)
            return;
    list[(*n)++] = name;
}

/* Components a status-page incident update names: the "name" members of
 * its label components (the affected components as the statuspage mapping
 * writes them: compact JSON, possibly cut at the label limit, so it is
 * scanned rather than parsed) and the labels component.1 .. component.8
 * (the incident's components).  Each goes through the component and
 * service maps.  0 or -ENOMEM. */
static int status_components(struct cor_run *run, struct cor_ev *e)
{
    static const char *const keys[] = { "component.1", "component.2", "component.3",
                                        "component.4", "component.5", "component.6",
                                        "component.7", "component.8" };
    const char *list[COMPS_MAX], *txt = iq_event_label(e->ev, "components"), **c, **v;
    size_t n = 0;

    for (const char *p = txt; p && (p = strstr(p, "\"name\":\"")); p += 8)
        add_comp(list, &n, json_str_at(run, p + 8));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        add_comp(list, &n, iq_event_label(e->ev, keys[i]));
    if (n == 0)
        return 0;
    c = cor_arena_alloc(&run->arena, n * sizeof(*c));
    v = cor_arena_alloc(&run->arena, n * sizeof(*v));
    if (!c || !v)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        c[i] = list[i];
        v[i] = cor_config_service(run->cfg, list[i]);
    }
    e->comps = c;
    e->svcs = v;
    e->n_comps = (uint16_t)n;
    return 0;
}

/* A component update names one component, its service. */
static int one_component(struct cor_run *run, struct cor_ev *e, const char *comp)
{
    const char **c = cor_arena_alloc(&run->arena, sizeof(*c));
    const char **v = cor_arena_alloc(&run->arena, sizeof(*v));

    if (!c || !v)
        return -ENOMEM;
    c[0] = comp;
    v[0] = e->service;
    e->comps = c;
    e->svcs = v;
    e->n_comps = 1;
    return 0;
}

static int64_t seen_time(const struct iq_event *ev)
{
    const char *r = iq_event_label(ev, "received_at");
    int64_t t;

    if (r && iq_time_parse_lenient(r, strlen(r), &t) == 0)
        return t;
    return ev->at;
}

bool cor_event_relevant(const struct iq_event *ev)
{
    return lookup(iq_ev_kind(ev), iq_ev_action(ev)) || ev->str[IQ_F_INCIDENT_KEY] ||
           iq_event_label(ev, "group_key");
}

int cor_classify(struct cor_run *run, struct cor_ev *e)
{
    const struct iq_event *ev = e->ev;
    const struct action_sig *a = lookup(iq_ev_kind(ev), iq_ev_action(ev));
    const char *comp = iq_event_label(ev, "component");

    e->id = iq_ev_id(ev);
    e->t = e->seen = ev->at;
    e->inc = COR_NONE;
    e->sig = a ? a->sig : COR_SIG_OTHER;
    e->state = a ? a->state : 0;
    e->sev = (uint8_t)cor_severity_rank(ev->str[IQ_F_SEVERITY]);
    e->key = ev->str[IQ_F_INCIDENT_KEY];
    e->gkey = iq_event_label(ev, "group_key");
    if (!comp && e->sig == COR_SIG_COMPONENT)
        comp = iq_ev_service(ev);
    e->service = cor_config_service(run->cfg, iq_ev_service(ev) ? iq_ev_service(ev) : comp);
    if (e->sig >= COR_SIG_STATUS_INVESTIGATING && e->sig <= COR_SIG_STATUS_OTHER) {
        if (status_components(run, e) < 0)
            return -ENOMEM;
        if (!e->service && e->n_comps)
            e->service = e->svcs[0];
    }
    e->channel = iq_event_label(ev, "channel");
    e->human = ev->str[IQ_F_ACTOR] && !label_true(ev, "bot") && !iq_event_label(ev, "bot_id") &&
               !same(iq_event_label(ev, "subtype"), "bot_message");
    if (e->sig == COR_SIG_NOTE && is_control(ev))
        e->sig = COR_SIG_CONTROL;
    if (e->sig == COR_SIG_DEPLOY && cor_deploy_rollback(ev))
        e->sig = COR_SIG_ROLLBACK;
    switch (e->sig) {
    case COR_SIG_ALERT_FIRING:
    case COR_SIG_ALERT_RESOLVED:
        e->ident = alert_ident(run, ev);
        if (!e->ident)
            return -ENOMEM;
        if (e->sig == COR_SIG_ALERT_FIRING)
            e->seen = seen_time(ev);
        else
            e->t = cor_alert_time(ev);
        break;
    case COR_SIG_PAGE_TRIGGERED:
    case COR_SIG_PAGE_ACK:
    case COR_SIG_PAGE_RESOLVED:
    case COR_SIG_PAGE_OTHER:
        e->ident = cor_page_ident(ev);
        break;
    case COR_SIG_COMPONENT:
        e->ident = comp;
        if (comp && one_component(run, e, comp) < 0)
            return -ENOMEM;
        break;
    case COR_SIG_CHAT:
        e->linked = e->key || cor_config_channel_linked(run->cfg, e->channel);
        if (!e->service && e->linked)
            e->service = cor_config_channel_service(run->cfg, e->channel);
        break;
    default:
        break;
    }
    return 0;
}

static const char *version_of(const struct iq_event *ev)
{
    const char *v = iq_event_label(ev, "sha");

    if (!v || !*v)
        v = iq_event_label(ev, "revision");
    return v && *v ? v : iq_event_label(ev, "ref");
}

/* "service US environment [US version]" in the arena, a key of one deploy
 * target (and version). */
static const char *scope_key(struct cor_run *run, const struct iq_event *ev, const char *svc,
                             const char *ver)
{
    const char *env = ev->str[IQ_F_ENVIRONMENT] ? ev->str[IQ_F_ENVIRONMENT] : "";
    size_t n = strlen(svc) + strlen(env) + (ver ? strlen(ver) : 0) + 3;
    char *k = cor_arena_alloc(&run->arena, n);

    if (k)
        snprintf(k, n, "%s\x1f%s%s%s", svc, env, ver ? "\x1f" : "", ver ? ver : "");
    return k;
}

int cor_rollback_step(struct cor_run *run, struct cor_map *m, size_t i)
{
    struct cor_ev *e = &run->evs[i];
    const char *ver = version_of(e->ev), *scope, *vkey;
    int64_t cur, seen;

    /* per deploy target (service and environment): the current version
     * ('c') and when each version was last deployed ('v'); a succeeded
     * deploy of a version the target already ran within lookback, other
     * than the current one, returns it there: a rollback.  Deploys of other
     * targets, interleaved, change nothing. */
    if ((e->sig != COR_SIG_DEPLOY && e->sig != COR_SIG_ROLLBACK) || !e->service || !ver ||
        !same(iq_ev_action(e->ev), "succeeded"))
        return 0;
    scope = scope_key(run, e->ev, e->service, NULL);
    vkey = scope_key(run, e->ev, e->service, ver);
    if (!scope || !vkey)
        return -ENOMEM;
    if (cor_map_get(m, 'c', scope, &cur) && cor_map_get(m, 'v', vkey, &seen) &&
        e->t - run->evs[seen].t <= run->cfg->lookback_ms &&
        !same(version_of(run->evs[cur].ev), ver))
        e->sig = COR_SIG_ROLLBACK;
    if (cor_map_put(m, 'c', scope, (int64_t)i) < 0 || cor_map_put(m, 'v', vkey, (int64_t)i) < 0)
        return -ENOMEM;
    return 0;
}

int cor_classify_rollbacks(struct cor_run *run)
{
    struct cor_map m = { 0 };
    int r = 0;

    for (size_t i = 0; i < run->n && r == 0; i++)
        r = cor_rollback_step(run, &m, i);
    cor_map_clear(&m);
    return r;
}

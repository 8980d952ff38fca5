/* cor_group.c - grouping events into incidents.
 *
 * Pass 1, cor_group_events: a left-to-right state machine over the events
 * in (effective time, id) order.  For each event, incidents that became
 * quiet are closed first; then the event joins an open incident through,
 * in this order: its incident_key or group key (a key is an identity),
 * its alert identity, one of its services (its own, then those of the
 * status-page components it names; a Statuspage incident never joins an
 * incident holding another Statuspage incident), or, only for evidence
 * with neither key nor service (linked chat, an update naming nothing),
 * the one open incident - none when several are open: it is then marked
 * ambiguous with its candidates (cor_unattached.c lists it).  An event
 * that joins nothing may open an incident: a firing alert at or above
 * open_severity (after open_count such alerts within open_window), a
 * triggered page, a status-page incident declared investigating or
 * identified, or first seen monitoring or resolved.  A closed incident is
 * never joined again: a new one opens and cor_group_recurrences points it
 * at the earlier one.
 *
 * Pass 2, cor_group_absorb: evidence shortly before an incident opened
 * (lead_window: a log error-rate rise, a low-severity alert, chat in a
 * linked channel, a status-page update) is not lost because it came first.
 *
 * Design notes:
 * - Open incidents are few at any time, so the open set is a plain array;
 *   keys, identities and services go through one tagged hash map.
 * - An incident closes when nothing is unresolved (alerts firing, pages
 *   open, status-page incidents open) and quiet_period passed since its
 *   last event; closed_at is last event + quiet_period, also when the
 *   quiet period ends after the last stored event (the incident is then
 *   reported resolved), which keeps the result a function of the events
 *   alone, independent of the wall clock. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_run.h"
#include "iq_event.h"
#include "iq_time.h"
#include "iq_buf.h"

/* The run's arrays, for every pass (contracts in cor_run.h): they live
 * here, with the pass that creates incidents, so that cor_notes.c and
 * cor_json.c need only this file and cor_run.c stays the driver on top. */
int cor_run_reserve_inc(struct cor_run *run)
{
    size_t ncap;
    struct cor_inc *ni;

    if (run->n_incs < run->cap_incs)
        return 0;
    ncap = run->cap_incs ? run->cap_incs * 2 : 64;
    ni = realloc(run->incs, ncap * sizeof(*ni));
    if (!ni)
        return -ENOMEM;
    run->incs = ni;
    run->cap_incs = ncap;
    return 0;
}

size_t cor_run_lower_bound(const struct cor_run *run, size_t hi, int64_t t)
{
    size_t lo = 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (run->evs[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

enum { TAG_KEY = 'k', TAG_GROUP = 'g', TAG_ALERT = 'a', TAG_PAGE = 'p', TAG_STATUS = 's', TAG_SERVICE = 'v',
       TAG_NAME = 'n', TAG_PRIOR = 'q' };

int cor_push_u32(uint32_t **a, size_t *n, size_t *cap, uint32_t v)
{
    uint32_t *na = iq_array_grow(*a, *n, cap, sizeof(*na), 16);

    if (!na)
        return -ENOMEM;
    *a = na;
    (*a)[(*n)++] = v;
    return 0;
}

int cor_inc_add(struct cor_inc *inc, uint32_t ev)
{
    return cor_push_u32(&inc->mem, &inc->n, &inc->cap, ev);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* Members in event order (run->evs is sorted, so index order is time order). */
void cor_inc_sort(struct cor_run *run, struct cor_inc *inc)
{
    (void)run;
    qsort(inc->mem, inc->n, sizeof(*inc->mem), cmp_u32);
}

static bool unresolved(const struct cor_inc *inc)
{
    return inc->firing > 0 || inc->pages_open > 0 || inc->status_open > 0;
}

void cor_group_close_due(struct cor_group *g, int64_t t)
{
    const struct cor_config *cfg = g->run->cfg;
    size_t k = 0;

    for (size_t i = 0; i < g->n_open; i++) {
        struct cor_inc *inc = &g->run->incs[g->open[i]];

        if (!unresolved(inc) && t - inc->last_at >= cfg->quiet_ms) {
            inc->closed_at = inc->last_at + cfg->quiet_ms;
            inc->open = false;
        } else if (t - inc->last_at >= cfg->stale_ms) {
            inc->closed_at = inc->last_at + cfg->stale_ms;
            inc->open = false;
            inc->stale = true;
        } else {
            g->open[k++] = g->open[i];
        }
    }
    g->n_open = k;
}

static int64_t lookup_open(struct cor_group *g, uint8_t tag, const char *key, bool pair)
{
    int64_t v;

    if (!key || !cor_map_get(&g->map, tag, key, &v))
        return -1;
    if (pair)
        v >>= 1;
    return g->run->incs[v].open ? v : -1;
}

/* Service number k of e (0: its own, then those of its components), or
 * NULL past the end. */
static const char *service_at(const struct cor_ev *e, size_t k)
{
    if (k == 0)
        return e->service;
    return k - 1 < e->n_comps ? e->svcs[k - 1] : NULL;
}

static bool has_service(const struct cor_ev *e)
{
    for (size_t k = 0; k <= e->n_comps; k++)
        if (service_at(e, k))
            return true;
    return false;
}

/* The open incident one of e's services (own, then components') belongs
 * to, or -1. */
static int64_t lookup_services(struct cor_group *g, const struct cor_ev *e)
{
    int64_t v;

    for (size_t k = 0; k <= e->n_comps; k++)
        if ((v = lookup_open(g, TAG_SERVICE, service_at(e, k), false)) >= 0)
            return v;
    return -1;
}

static bool is_status_update(const struct cor_ev *e)
{
    return e->sig >= COR_SIG_STATUS_INVESTIGATING && e->sig <= COR_SIG_STATUS_OTHER;
}

/* e could belong to any of the open incidents: it joins none and keeps
 * their indices (in the run's arena) for the unattached list. */
static int64_t ambiguous(struct cor_group *g, struct cor_ev *e)
{
    uint32_t *c = cor_arena_alloc(&g->run->arena, g->n_open * sizeof(*c));

    if (!c)
        return -2;
    memcpy(c, g->open, g->n_open * sizeof(*c));
    e->cands = c;
    e->n_cands = (uint16_t)(g->n_open < UINT16_MAX ? g->n_open : UINT16_MAX);
    e->ambiguous = true;
    return -1;
}

/* Evidence without a key or a service (linked chat, a status-page update
 * or component change nobody named): the one open incident, or when
 * several are open none (ambiguous). */
static int64_t sole_open(struct cor_group *g, struct cor_ev *e)
{
    if (g->n_open == 1)
        return g->open[0];
    if (g->n_open > 1)
        return ambiguous(g, e);
    return -1;
}

/* The open incident e joins; -1 none, -2 out of memory.  An explicit key
 * is an identity: the incident holding it, else one that the event's own
 * service or components identify; a status-page incident never joins one
 * that holds another status-page incident (each declared incident is its
 * own), and no keyed event joins an incident merely because it is open. */
static int64_t find_incident(struct cor_group *g, struct cor_ev *e)
{
    int64_t v;

    if ((v = lookup_open(g, TAG_KEY, e->key, false)) >= 0 ||
        (v = lookup_open(g, TAG_GROUP, e->gkey, false)) >= 0)
        return v;
    switch (e->sig) {
    case COR_SIG_ALERT_FIRING:
    case COR_SIG_ALERT_RESOLVED:
        if ((v = lookup_open(g, TAG_ALERT, e->ident, true)) >= 0)
            return v;
        break;
    case COR_SIG_CHAT:
        if (!e->linked)
            return -1;
        break;
    case COR_SIG_CONTROL:
    case COR_SIG_OTHER:
        return -1;
    default:
        break;
    }
    if ((v = lookup_services(g, e)) >= 0) {
        if ((is_status_update(e) || e->sig == COR_SIG_COMPONENT) && e->key &&
            g->run->incs[v].status_keys > 0)
            return -1;
        return v;
    }
    if (e->sig == COR_SIG_CHAT && e->key && !has_service(e))
        return g->n_open ? ambiguous(g, e) : -1;     /* a channel no incident holds */
    if (has_service(e) || e->key)
        return -1;
    if (e->sig == COR_SIG_CHAT || is_status_update(e) || e->sig == COR_SIG_COMPONENT)
        return sole_open(g, e);
    return -1;
}

/* Flip the state of an identity (alert, page, status incident) in inc and
 * keep the unresolved counter in step. */
static int set_state(struct cor_group *g, uint8_t tag, const char *ident, uint32_t inc, bool on,
                     int32_t *counter)
{
    int64_t v;
    bool was = cor_map_get(&g->map, tag, ident, &v) && (uint32_t)(v >> 1) == inc && (v & 1);

    if (on && !was)
        (*counter)++;
    else if (!on && was)
        (*counter)--;
    return cor_map_put(&g->map, tag, ident, ((int64_t)inc << 1) | (on ? 1 : 0));
}

/* Service svc now leads to incident inc_i, unless another open incident
 * held it first (alerts of a service keep joining the incident they began). */
static int put_service(struct cor_group *g, const char *svc, uint32_t inc_i)
{
    int64_t v;

    if (!svc)
        return 0;
    if (cor_map_get(&g->map, TAG_SERVICE, svc, &v) && v != inc_i && g->run->incs[v].open)
        return 0;
    return cor_map_put(&g->map, TAG_SERVICE, svc, inc_i);
}

static int attach(struct cor_group *g, uint32_t inc_i, uint32_t ev_i)
{
    struct cor_inc *inc = &g->run->incs[inc_i];
    struct cor_ev *e = &g->run->evs[ev_i];
    int64_t v;
    int r = 0;

    e->inc = inc_i;
    if (cor_inc_add(inc, ev_i) < 0)
        return -ENOMEM;
    if (e->t > inc->last_at)
        inc->last_at = e->t;
    if (e->key && cor_map_put(&g->map, TAG_KEY, e->key, inc_i) < 0)
        return -ENOMEM;
    if (e->gkey && cor_map_put(&g->map, TAG_GROUP, e->gkey, inc_i) < 0)
        return -ENOMEM;
    for (size_t k = 0; k <= e->n_comps; k++)
        if (put_service(g, service_at(e, k), inc_i) < 0)
            return -ENOMEM;
    switch (e->sig) {
    case COR_SIG_ALERT_FIRING:
    case COR_SIG_ALERT_RESOLVED:
        r = set_state(g, TAG_ALERT, e->ident, inc_i, e->sig == COR_SIG_ALERT_FIRING, &inc->firing);
        break;
    case COR_SIG_PAGE_TRIGGERED:
    case COR_SIG_PAGE_RESOLVED:
        r = set_state(g, TAG_PAGE, e->ident, inc_i, e->sig == COR_SIG_PAGE_TRIGGERED,
                      &inc->pages_open);
        break;
    case COR_SIG_STATUS_INVESTIGATING:
    case COR_SIG_STATUS_IDENTIFIED:
    case COR_SIG_STATUS_MONITORING:
    case COR_SIG_STATUS_RESOLVED:
        if (!e->key)
            break;
        if (!cor_map_get(&g->map, TAG_STATUS, e->key, &v) || (uint32_t)(v >> 1) != inc_i)
            inc->status_keys++;
        r = set_state(g, TAG_STATUS, e->key, inc_i, e->sig != COR_SIG_STATUS_RESOLVED,
                      &inc->status_open);
        break;
    default:
        break;
    }
    return r;
}

/* Did an incident holding key close within recurrence_window before t
 * (in this run, or stored before a partial run's start)? */
static bool key_closed_recently(struct cor_group *g, const char *key, int64_t t)
{
    const struct cor_run *run = g->run;
    int64_t v;

    if (cor_map_get(&g->map, TAG_KEY, key, &v) && !run->incs[v].open &&
        run->incs[v].closed_at != IQ_TIME_NONE && t - run->incs[v].closed_at <= run->cfg->recurrence_ms)
        return true;
    return cor_map_get(&g->map, TAG_PRIOR, key, &v) && t - v <= run->cfg->recurrence_ms;
}

/* Can e open an incident by itself?  A firing alert at open_severity, a
 * triggered page, a status-page incident declared investigating or
 * identified; also its first update seen being monitoring or resolved (a
 * status-page incident posted late or after the fact is still one), but
 * not a late update of one that just closed. */
static bool opens_alone(struct cor_group *g, const struct cor_ev *e)
{
    switch (e->sig) {
    case COR_SIG_ALERT_FIRING:
        return e->sev >= g->run->cfg->open_rank;
    case COR_SIG_PAGE_TRIGGERED:
    case COR_SIG_STATUS_INVESTIGATING:
    case COR_SIG_STATUS_IDENTIFIED:
        return true;
    case COR_SIG_STATUS_MONITORING:
    case COR_SIG_STATUS_RESOLVED:
        return e->key && !key_closed_recently(g, e->key, e->t);
    default:
        return false;
    }
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Pending alerts of e's service within open_window (distinct identities,
 * e included).  Drops the expired ones from the list. */
static size_t pending_count(struct cor_group *g, const struct cor_ev *e)
{
    const struct cor_run *run = g->run;
    size_t k = 0, count = 1;

    for (size_t i = 0; i < g->n_pending; i++) {
        const struct cor_ev *p = &run->evs[g->pending[i]];
        bool dup = false;

        if (p->t < e->t - run->cfg->open_window_ms || p->inc != COR_NONE)
            continue;
        g->pending[k++] = g->pending[i];
        if (!same_str(p->service, e->service) || same_str(p->ident, e->ident))
            continue;
        for (size_t j = 0; j + 1 < k && !dup; j++)
            dup = same_str(run->evs[g->pending[j]].ident, p->ident) &&
                  same_str(run->evs[g->pending[j]].service, e->service);
        if (!dup)
            count++;
    }
    g->n_pending = k;
    return count;
}

static int open_incident(struct cor_group *g, uint32_t ev_i)
{
    struct cor_run *run = g->run;
    struct cor_ev *e = &run->evs[ev_i];
    struct cor_inc *inc;
    uint32_t inc_i;

    if (cor_run_reserve_inc(run) < 0)
        return -ENOMEM;
    inc_i = (uint32_t)run->n_incs++;
    inc = &run->incs[inc_i];
    memset(inc, 0, sizeof(*inc));
    inc->seq = run->next_seq++;
    inc->opener = ev_i;
    inc->opened_at = inc->last_at = e->t;
    inc->closed_at = IQ_TIME_NONE;
    inc->open = true;
    if (cor_push_u32(&g->open, &g->n_open, &g->cap_open, inc_i) < 0)
        return -ENOMEM;
    for (size_t i = 0; e->sig == COR_SIG_ALERT_FIRING && i < g->n_pending; i++) {
        uint32_t p = g->pending[i];

        if (run->evs[p].inc == COR_NONE && !run->evs[p].claimed &&
            same_str(run->evs[p].service, e->service) && attach(g, inc_i, p) < 0)
            return -ENOMEM;
    }
    return attach(g, inc_i, ev_i);
}

int cor_group_step(struct cor_group *g, uint32_t i)
{
    struct cor_run *run = g->run;
    struct cor_ev *e = &run->evs[i];
    int64_t inc;

    if (e->claimed || e->sig == COR_SIG_CONTROL)
        return 0;
    if (e->context) {
        if (e->sig == COR_SIG_ALERT_FIRING && opens_alone(g, e))
            return cor_push_u32(&g->pending, &g->n_pending, &g->cap_pending, i);
        return 0;
    }
    cor_group_close_due(g, e->t);
    inc = find_incident(g, e);
    if (inc == -2)
        return -ENOMEM;
    if (inc >= 0)
        return attach(g, (uint32_t)inc, i);
    if (e->ambiguous || !opens_alone(g, e))
        return 0;
    if (e->sig == COR_SIG_ALERT_FIRING && run->cfg->open_count > 1 &&
        pending_count(g, e) < (size_t)run->cfg->open_count)
        return cor_push_u32(&g->pending, &g->n_pending, &g->cap_pending, i);
    return open_incident(g, i);
}

/* Keys of the stored incidents that closed before a partial run's start,
 * with their closing time (for key_closed_recently). */
static int seed_priors(struct cor_group *g)
{
    for (size_t i = 0; i < g->run->n_prior; i++) {
        const struct cor_prior *p = &g->run->prior[i];
        size_t k;
        json_t *v;

        json_array_foreach(p->names, k, v)
            if (json_is_string(v) &&
                cor_map_put(&g->map, TAG_PRIOR, json_string_value(v), p->closed_at) < 0)
                return -ENOMEM;
    }
    return 0;
}

int cor_group_begin(struct cor_group *g, struct cor_run *run)
{
    memset(g, 0, sizeof(*g));
    g->run = run;
    return seed_priors(g);
}

void cor_group_finish(struct cor_group *g)
{
    struct cor_run *run = g->run;

    for (size_t i = 0; i < g->n_open; i++) {
        struct cor_inc *inc = &run->incs[g->open[i]];

        if (!unresolved(inc))
            inc->closed_at = inc->last_at + run->cfg->quiet_ms;
        inc->open = false;
    }
    g->n_open = 0;
}

void cor_group_release(struct cor_group *g)
{
    if (!g)
        return;
    cor_map_clear(&g->map);
    free(g->open);
    free(g->pending);
    g->open = g->pending = NULL;
    g->n_open = g->cap_open = g->n_pending = g->cap_pending = 0;
}

int cor_group_events(struct cor_run *run)
{
    struct cor_group g;
    int r = cor_group_begin(&g, run);

    for (size_t i = 0; i < run->n && r == 0; i++)
        r = cor_group_step(&g, (uint32_t)i);
    if (r == 0)
        cor_group_finish(&g);
    cor_group_release(&g);
    return r;
}

static bool absorbable(const struct cor_ev *e)
{
    switch (e->sig) {
    case COR_SIG_DEPLOY:
    case COR_SIG_ROLLBACK:
    case COR_SIG_CHANGE:
    case COR_SIG_CONTROL:
    case COR_SIG_OTHER:
        return false;
    case COR_SIG_CHAT:
        return e->linked;
    default:
        return true;
    }
}

static bool any_service_in(const struct cor_ev *e, const struct cor_map *names)
{
    int64_t v;

    for (size_t k = 0; k <= e->n_comps; k++)
        if (service_at(e, k) && cor_map_get(names, TAG_SERVICE, service_at(e, k), &v))
            return true;
    return false;
}

/* The incidents opened in (t, t + lead_window]: the first one's index in
 * *ret_lo, their count returned.  Incidents are in opening order during
 * absorption. */
static size_t openers_after(const struct cor_run *run, int64_t t, size_t *ret_lo)
{
    size_t lo = 0, hi = run->n_incs, n = 0;

    while (lo < hi) {       /* the first incident opened after t */
        size_t mid = lo + (hi - lo) / 2;

        if (run->incs[mid].opened_at <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (hi = lo; hi < run->n_incs && run->incs[hi].opened_at - run->cfg->lead_ms <= t; hi++)
        n++;
    *ret_lo = lo;
    return n;
}

/* Linked chat with neither key nor service, before an incident opened: 1
 * when only one incident opens within lead_window after it (it joins that
 * one), 0 when several do (it joins none and is listed as ambiguous with
 * them), -ENOMEM. */
static int sole_opener(struct cor_run *run, struct cor_ev *e)
{
    size_t lo, n = openers_after(run, e->t, &lo);
    uint32_t *c;

    if (n <= 1)
        return 1;
    if (!(c = cor_arena_alloc(&run->arena, n * sizeof(*c))))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        c[i] = (uint32_t)(lo + i);
    e->cands = c;
    e->n_cands = (uint16_t)(n < UINT16_MAX ? n : UINT16_MAX);
    e->ambiguous = true;
    return 0;
}

/* The services and keys of inc's members into names. */
static int absorb_names(const struct cor_run *run, const struct cor_inc *inc,
                        struct cor_map *names)
{
    for (size_t k = 0; k < inc->n; k++) {
        const struct cor_ev *m = &run->evs[inc->mem[k]];

        for (size_t j = 0; j <= m->n_comps; j++)
            if (service_at(m, j) && cor_map_put(names, TAG_SERVICE, service_at(m, j), 1) < 0)
                return -ENOMEM;
        if (m->key && cor_map_put(names, TAG_KEY, m->key, 1) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* How absorption by an incident with these names treats e: 0 it leaves e,
 * 1 it takes e (a shared key or service), 2 lone linked chat, which the
 * incidents opening after it decide (sole_opener). */
static int absorb_kind(const struct cor_ev *e, const struct cor_map *names)
{
    int64_t v;

    if (e->inc != COR_NONE || e->claimed || !absorbable(e))
        return 0;
    if ((e->key && cor_map_get(names, TAG_KEY, e->key, &v)) || any_service_in(e, names))
        return 1;
    if (e->sig == COR_SIG_CHAT && !e->key && !has_service(e) && !e->ambiguous)
        return 2;
    return 0;
}

int cor_group_absorb_one(struct cor_run *run, uint32_t inc_i, struct cor_map *names)
{
    struct cor_inc *inc = &run->incs[inc_i];
    size_t lo, n0 = inc->n;
    int r;

    if (absorb_names(run, inc, names) < 0)
        return -ENOMEM;
    lo = cor_run_lower_bound(run, inc->opener, inc->opened_at - run->cfg->lead_ms);
    for (size_t j = lo; j < inc->opener; j++) {
        struct cor_ev *e = &run->evs[j];
        int kind = absorb_kind(e, names);

        if (kind == 2) {
            if ((r = sole_opener(run, e)) < 0)
                return r;
            kind = r;
        }
        if (!kind)
            continue;
        e->inc = inc_i;
        if (cor_inc_add(inc, (uint32_t)j) < 0)
            return -ENOMEM;
    }
    if (inc->n != n0)
        cor_inc_sort(run, inc);
    return 0;
}

int cor_group_contested(const struct cor_run *run, uint32_t inc_i, uint32_t other,
                        struct cor_map *names)
{
    const struct cor_inc *inc = &run->incs[inc_i];
    size_t lo, at;

    if (absorb_names(run, inc, names) < 0)
        return -ENOMEM;
    lo = cor_run_lower_bound(run, run->incs[other].opener, inc->opened_at - run->cfg->lead_ms);
    for (size_t j = lo; j < run->incs[other].opener; j++) {
        int kind = absorb_kind(&run->evs[j], names);

        if (kind == 1 || (kind == 2 && openers_after(run, run->evs[j].t, &at) <= 1))
            return 1;
    }
    return 0;
}

int cor_group_absorb(struct cor_run *run)
{
    struct cor_map names = { 0 };
    int r = 0;

    for (size_t i = 0; i < run->n_incs && r == 0; i++) {
        r = cor_group_absorb_one(run, (uint32_t)i, &names);
        cor_map_clear(&names);
    }
    return r;
}

/* id = "inc-YYYYMMDD-" + 8 hex digits of FNV-1a of the opening event id. */
void cor_group_name(struct cor_run *run, struct cor_inc *inc)
{
    int y, mo, d, h, mi, s, ms;
    uint64_t hash = cor_fnv(COR_FNV_INIT, run->evs[inc->opener].id);

    iq_time_civil(inc->opened_at, &y, &mo, &d, &h, &mi, &s, &ms);
    snprintf(inc->id, sizeof(inc->id), "inc-%04d%02d%02d-%08x", y, mo, d,
             (unsigned)((hash >> 32) ^ hash));
}

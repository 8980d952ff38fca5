/* rnd_status.c - the status page's part of a draft's Impact section.
 *
 * Customers saw the incident through the status page: which components
 * were marked, and for how long each was degraded or down.  The correlator
 * gives the incident's components and a total per state; this module
 * reads the status events themselves so the draft can say, per component,
 * "partial outage 35 min, degraded performance 10 min", and so the
 * "Status-page components" row names the components whenever the status
 * page was involved, even when the correlator could not attach one.
 *
 * Design notes:
 *  - One home for the durations: the correlator's component_states
 *    (docs/correlation.md) when the incident has them.  The reading of
 *    the events below serves only incidents stored before that member
 *    existed.
 *  - A state change is read from every shape inquest stores: a component
 *    event (action = the new state; the component in the label
 *    `component`, the payload's component.name, or the service), and an
 *    incident update's affected components (label `components`, JSON as
 *    the statuspage mapping writes it, else the payload's
 *    incident_updates[0].affected_components) and the incident's
 *    component list with each one's current status.
 *  - Repeating the current state changes nothing, so the same change seen
 *    in a component webhook and in an incident update counts once.
 *  - A state lasts until the component's next change; the last one until
 *    the end the caller gives (the incident's resolution), never before
 *    the event that set it.  Operational time is not impact and is not
 *    listed.
 *  - A component event that names no component is attributed to the
 *    incident's only component when there is exactly one, else skipped:
 *    never guessed among several. */
#include "rnd_status.h"
#include "rnd_fmt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_buf.h"
#include "iq_json.h"
#include "iq_time.h"

/* Worst first; operational last (not impact). */
static const char *const states[] = { "major_outage", "partial_outage", "degraded_performance",
                                      "under_maintenance", "operational" };
#define N_STATES (sizeof(states) / sizeof(states[0]))
#define OPERATIONAL (N_STATES - 1)

struct comp {
    char *name;
    int state;                 /* index in states, -1 unknown */
    int64_t since;
    int64_t secs[N_STATES];
};

struct tracker {
    struct comp v[RND_STATUS_COMPONENTS_MAX];
    size_t n;
    bool oom;
    bool record;                       /* keep every stretch in out (rnd_status_stretches) */
    struct rnd_status_stretch *out;
    size_t n_out, cap_out;
};

static int state_of(const char *s)
{
    for (size_t i = 0; s && i < N_STATES; i++)
        if (strcmp(s, states[i]) == 0)
            return (int)i;
    return -1;
}

static struct comp *comp_get(struct tracker *t, const char *name)
{
    struct comp *c;

    if (!name || !*name)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].name, name) == 0)
            return &t->v[i];
    if (t->n == RND_STATUS_COMPONENTS_MAX)
        return NULL;
    c = &t->v[t->n];
    if (!(c->name = strdup(name))) {
        t->oom = true;
        return NULL;
    }
    c->state = -1;
    c->since = IQ_TIME_NONE;
    t->n++;
    return c;
}

/* Keep the stretch of c in state st from..to when the tracker records. */
static void keep(struct tracker *t, const struct comp *c, int st, int64_t from, int64_t to, bool open)
{
    struct rnd_status_stretch *s;

    if (!t->record || t->oom)
        return;
    if (!(s = iq_array_grow(t->out, t->n_out, &t->cap_out, sizeof(*s), 32))) {
        t->oom = true;
        return;
    }
    t->out = s;
    s = &t->out[t->n_out];
    *s = (struct rnd_status_stretch){ .component = strdup(c->name), .state = states[st],
                                      .from = from, .to = to < from ? from : to, .open = open };
    if (!s->component)
        t->oom = true;
    else
        t->n_out++;
}

/* Component name entered its state st (index) at time at. */
static void change(struct tracker *t, const char *name, int st, int64_t at)
{
    struct comp *c = comp_get(t, name);

    if (!c || st < 0 || st == c->state)
        return;
    if (c->state >= 0 && at > c->since)
        c->secs[c->state] += (at - c->since) / 1000;
    if (c->state >= 0)
        keep(t, c, c->state, c->since, at, false);
    c->state = st;
    c->since = at;
}

/* Entries [{name, new_status|status}] of arr as changes at time at. */
static void changes_of(struct tracker *t, const json_t *arr, int64_t at)
{
    const json_t *e;
    size_t i;

    json_array_foreach(arr, i, e) {
        const char *st = json_string_value(json_object_get(e, "new_status"));

        if (!st)
            st = json_string_value(json_object_get(e, "status"));
        change(t, json_string_value(json_object_get(e, "name")), state_of(st), at);
    }
}

/* An incident update: its affected components; only when it names none,
 * the incident's component list (a snapshot that can lag behind the
 * update's own changes, so it never overrides them). */
static void incident_update(struct tracker *t, const struct iq_event *ev, const json_t *raw)
{
    const char *txt = iq_event_label(ev, "components");
    const json_t *inc = json_object_get(raw, "incident");
    json_t *arr = NULL;
    const json_t *aff = NULL;

    if (txt && txt[0] == '[' && iq_json_parse(txt, strlen(txt), 0, &arr, NULL) == 0)
        aff = arr;
    else
        aff = json_object_get(json_array_get(json_object_get(inc, "incident_updates"), 0),
                              "affected_components");
    changes_of(t, aff, ev->at);
    if (!json_array_size(aff))
        changes_of(t, json_object_get(inc, "components"), ev->at);
    json_decref(arr);
}

static void status_event(struct tracker *t, const struct iq_event *ev, const json_t *inc_comps)
{
    int st = state_of(iq_ev_action(ev));
    const char *name = iq_event_label(ev, "component");
    json_t *raw = NULL;

    if (ev->raw && iq_json_parse(ev->raw, ev->raw_len, 0, &raw, NULL) == -ENOMEM)
        t->oom = true;
    if (st < 0) {
        incident_update(t, ev, raw);
    } else {
        if (!name)
            name = json_string_value(json_object_get(json_object_get(raw, "component"), "name"));
        if (!name)
            name = iq_ev_service(ev);
        if (!name && json_array_size(inc_comps) == 1)
            name = json_string_value(json_array_get(inc_comps, 0));
        change(t, name, st, ev->at);
    }
    json_decref(raw);
}

static bool is_status(const struct iq_event *ev)
{
    return iq_ev_kind(ev) && strcmp(iq_ev_kind(ev), "status") == 0;
}

/* {component, text, states[]} of c, or NULL (via *skip) when it had no impact. */
static json_t *comp_json(const struct comp *c, bool *skip)
{
    json_t *list = json_array(), *o;
    char text[512] = "", d[48], label[64];
    size_t len = 0;

    *skip = true;
    for (size_t i = 0; list && i < OPERATIONAL; i++) {
        size_t k = 0;

        if (c->secs[i] <= 0)
            continue;
        for (; states[i][k] && k + 1 < sizeof(label); k++)
            label[k] = states[i][k] == '_' ? ' ' : states[i][k];
        label[k] = '\0';
        rnd_fmt_duration(c->secs[i], d, sizeof(d));
        if (len < sizeof(text))
            len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s %s", len ? ", " : "",
                                    label, d);
        if (json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I}", "state", states[i],
                                                  "label", label, "duration", d, "seconds",
                                                  (json_int_t)c->secs[i])) < 0) {
            json_decref(list);
            return NULL;
        }
        *skip = false;
    }
    if (!list || *skip) {
        json_decref(list);
        return list ? json_null() : NULL;
    }
    o = json_pack("{s:s, s:s, s:o}", "component", c->name, "text", text, "states", list);
    return o;
}

static int cmp_comp(const void *a, const void *b)
{
    return strcmp(((const struct comp *)a)->name, ((const struct comp *)b)->name);
}

/* The context members from the tracked components. */
static int emit(struct tracker *t, bool any_status, json_t *impact)
{
    json_t *names = json_array(), *list = json_array(), *joined = NULL;
    int r = -ENOMEM;

    if (!names || !list)
        goto out;
    qsort(t->v, t->n, sizeof(t->v[0]), cmp_comp);
    for (size_t i = 0; i < t->n; i++) {
        bool skip;
        json_t *o = comp_json(&t->v[i], &skip);

        if (!o || json_array_append_new(names, json_string(t->v[i].name)) < 0 ||
            (skip ? (json_decref(o), 0) : json_array_append_new(list, o)) < 0)
            goto out;
    }
    if (t->n)
        joined = rnd_fmt_join(names);
    else
        joined = json_string(any_status ? "none named by the status page" : "");
    if (!joined || json_object_set_new(impact, "components", joined) < 0 ||
        json_object_set(impact, "component_states", list) < 0)
        goto out;
    r = 0;
out:
    json_decref(names);
    json_decref(list);
    return r;
}

/* A time member of a component_states stretch; IQ_TIME_NONE when absent. */
static int64_t stretch_time(const json_t *v)
{
    const char *s = json_string_value(v);
    int64_t ms;

    return s && iq_time_parse_rfc3339(s, strlen(s), &ms) == 0 ? ms : IQ_TIME_NONE;
}

/* The correlator's component_states ([{name, states: [{state, from, to,
 * seconds}]}]) into t: closed stretches count their seconds; the open
 * last one becomes the component's current state, from its `from`. */
static void from_incident(struct tracker *t, const json_t *cs)
{
    const json_t *c, *s;
    size_t i, k;

    json_array_foreach(cs, i, c) {
        struct comp *cp = comp_get(t, json_string_value(json_object_get(c, "name")));

        json_array_foreach(cp ? json_object_get(c, "states") : NULL, k, s) {
            int st = state_of(json_string_value(json_object_get(s, "state")));
            const json_t *secs = json_object_get(s, "seconds");

            if (st < 0)
                continue;
            if (json_is_integer(secs) && json_integer_value(secs) > 0) {
                int64_t from = stretch_time(json_object_get(s, "from"));
                int64_t to = stretch_time(json_object_get(s, "to"));

                cp->secs[st] += json_integer_value(secs);
                if (from != IQ_TIME_NONE)
                    keep(t, cp, st, from, to != IQ_TIME_NONE ? to : from + json_integer_value(secs) * 1000,
                         false);
            } else if (json_is_null(secs) || !secs) {
                cp->state = st;
                cp->since = stretch_time(json_object_get(s, "from"));
                if (cp->since == IQ_TIME_NONE)
                    cp->state = -1;
            }
        }
    }
}

/* Read the components of inc and their states into t (the incident's
 * component_states, else its status events; the last state lasting until
 * end).  *ret_any: did the events include status events. */
static void track(struct tracker *t, const json_t *inc, struct iq_event *const *evs, size_t n,
                  int64_t end, bool *ret_any)
{
    const json_t *inc_comps = json_object_get(inc, "components"), *v;
    const json_t *cs = json_object_get(inc, "component_states");
    size_t i;

    *ret_any = false;
    json_array_foreach(inc_comps, i, v)
        comp_get(t, json_string_value(v));
    for (i = 0; i < n; i++)
        if (is_status(evs[i])) {
            if (!json_is_array(cs))   /* an incident stored before component_states */
                status_event(t, evs[i], inc_comps);
            *ret_any = true;
        }
    if (json_is_array(cs))
        from_incident(t, cs);
    if (end == IQ_TIME_NONE && n)
        end = evs[n - 1]->at;
    for (i = 0; i < t->n; i++) {   /* the last state lasts until the end */
        struct comp *c = &t->v[i];

        if (c->state >= 0 && end != IQ_TIME_NONE && end > c->since)
            c->secs[c->state] += (end - c->since) / 1000;
        if (c->state >= 0 && c->since != IQ_TIME_NONE)
            keep(t, c, c->state, c->since, end != IQ_TIME_NONE ? end : c->since, true);
    }
}

static void tracker_free(struct tracker *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].name);
    rnd_status_stretches_free(&t->out, t->n_out);
    free(t);
}

int rnd_status_impact(const json_t *inc, struct iq_event *const *evs, size_t n, int64_t end,
                      json_t *impact)
{
    struct tracker *t = calloc(1, sizeof(*t));
    bool any;
    int r;

    if (!t)
        return -ENOMEM;
    track(t, inc, evs, n, end, &any);
    r = t->oom ? -ENOMEM : emit(t, any, impact);
    tracker_free(t);
    return r;
}

static int cmp_stretch(const void *a, const void *b)
{
    const struct rnd_status_stretch *x = a, *y = b;
    int c = strcmp(x->component, y->component);

    if (c)
        return c;
    return x->from < y->from ? -1 : x->from > y->from;
}

int rnd_status_stretches(const json_t *inc, struct iq_event *const *evs, size_t n, int64_t end,
                         struct rnd_status_stretch **ret, size_t *ret_n)
{
    struct tracker *t = calloc(1, sizeof(*t));
    bool any;

    if (!t)
        return -ENOMEM;
    t->record = true;
    track(t, inc, evs, n, end, &any);
    if (t->oom) {
        tracker_free(t);
        return -ENOMEM;
    }
    if (t->n_out)
        qsort(t->out, t->n_out, sizeof(*t->out), cmp_stretch);
    *ret = t->out;
    *ret_n = t->n_out;
    t->out = NULL;
    t->n_out = 0;
    tracker_free(t);
    return 0;
}

void rnd_status_stretches_free(struct rnd_status_stretch **ps, size_t n)
{
    if (!ps || !*ps)
        return;
    for (size_t i = 0; i < n; i++)
        free((*ps)[i].component);
    free(*ps);
    *ps = NULL;
}

/* ana_query.c - statistics over the stored incidents: `inquest query` and
 * GET /api/v1/query.
 *
 * All incidents are read once from the correlator's state ("i" | id keys of
 * STORE_CF_INCIDENTS, correlate/cor_store.h), parsed into struct ana_inc,
 * filtered, grouped, and each group summarised: count, median and p90 of
 * time to detect, acknowledge, mitigate and resolve, total impact minutes,
 * first and last seen.
 *
 * Design notes:
 * - Percentiles are nearest-rank (the value at rank ceil(p * n)), so they
 *   are always a real incident's value and easy to check by hand; an
 *   incident whose milestone is null does not count for that metric.
 * - Incidents are read by a fast scanner (ana_incjson.c) that skips the
 *   members queries do not use.
 * - An incident's classes are its stored "classes" member when present,
 *   else ana_classify over its member events (slower: events are read from
 *   the store, in one batch), remembered by the taxonomy for the incident's
 *   stored text (ana_memo.c) so that the next reader reuses them; class
 *   notes of analysts are applied in both cases, read in one scan of the
 *   key index (ANA_CLASS_NOTE_KEY).
 * - Grouping by class or service counts an incident in each of its classes
 *   or services; an incident without any is grouped under "-".
 * - A finished postmortem's confirmed classes replace the automatic ones
 *   (ana_incs_attach_postmortems); each group says how many of its
 *   incidents had theirs confirmed, and adds the postmortems' action items (open, done, won't
 *   fix), the share of weak ones and the median time from resolution to a
 *   published postmortem.  Time to publish is from the incident's
 *   resolution (its resolved milestone, else its closing) to the
 *   postmortem's published_at; the incident's whole JSON is parsed only for
 *   incidents with a published postmortem.  A postmortem published before
 *   resolution counts as 0.  An item counts once per group its incident is
 *   in, like the incident. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ana_classes_int.h"
#include "ana_memo.h"
#include "ana_query_int.h"
#include "iq_buf.h"
#include "store.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_hash.h"
#include "iq_time.h"
#include "pm_follow.h"
#include "pm_store.h"

#define INCIDENTS_MAX 10000000u

static const char *const group_names[] = {
    [ANA_GROUP_NONE] = "none", [ANA_GROUP_CLASS] = "class", [ANA_GROUP_SERVICE] = "service",
    [ANA_GROUP_MONTH] = "month", [ANA_GROUP_WEEK] = "week",
};

int ana_group_parse(const char *s, enum ana_group *ret)
{
    for (size_t i = 0; i < sizeof(group_names) / sizeof(group_names[0]); i++)
        if (!s || strcmp(s, group_names[i]) == 0) {
            *ret = s ? (enum ana_group)i : ANA_GROUP_NONE;
            return 0;
        }
    return -EINVAL;
}

bool ana_inc_has(const json_t *arr, const char *s)
{
    size_t i;
    const json_t *v;

    json_array_foreach(arr, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    return false;
}

static int64_t jtime(const json_t *v)
{
    const char *s = json_string_value(v);
    int64_t t;

    return s && iq_time_parse_rfc3339(s, strlen(s), &t) == 0 ? t : IQ_TIME_NONE;
}

struct load_state {
    struct ana_incs *incs;
    size_t cap;
    int err;
};

static int on_incident(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct load_state *ls = ud;
    struct ana_incs *incs = ls->incs;
    struct ana_inc *nv;
    int r;

    (void)k;
    (void)kl;
    /* no growth past INCIDENTS_MAX (the next doubling would pass it) */
    if (incs->n == ls->cap && ls->cap > INCIDENTS_MAX / 2)
        return ls->err = -ENOMEM;
    if (!(nv = iq_array_grow(incs->v, incs->n, &ls->cap, sizeof(*nv), 1024)))
        return ls->err = -ENOMEM;
    incs->v = nv;
    r = ana_inc_parse(v, vl, &incs->v[incs->n]);
    if (r < 0)
        return ls->err = r;
    if (r == 0)
        incs->n++;
    return 0;
}

static int cmp_inc(const void *a, const void *b)
{
    const struct ana_inc *x = a, *y = b;

    if (x->opened != y->opened)
        return x->opened < y->opened ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Stored classes into inc->classes; false when the incident has none. */
static bool stored_classes(struct ana_inc *inc)
{
    const json_t *v;
    size_t i;

    if (!inc->stored)
        return false;
    json_array_foreach(inc->stored, i, v)
        if (!ana_inc_has(inc->classes, json_string_value(v)))
            json_array_append(inc->classes, (json_t *)v);
    return true;
}

/* The classes of inc computed from its member events, read in one batch:
 * *ret a new array of names. */
static int classify_events(struct store *st, const struct ana_classes *c, struct ana_inc *inc,
                           json_t **ret)
{
    json_t *j = ana_inc_json(inc), *res = NULL, *names = json_array();
    const json_t *ids = json_object_get(j, "event_ids"), *v;
    const json_t *is = json_object_get(json_object_get(json_object_get(j, "milestones"),
                                                       "impact_start"), "at");
    size_t n = 0, i, cap = json_array_size(ids);
    struct iq_event **evs = calloc(cap ? cap : 1, sizeof(*evs));
    const char **keys = calloc(cap ? cap : 1, sizeof(*keys));
    int r = -ENOMEM;

    if (!evs || !keys || !names)
        goto out;
    json_array_foreach(ids, i, v)
        if (json_is_string(v))
            keys[n++] = json_string_value(v);
    if ((r = store_get_events(st, keys, n, evs)) < 0)
        goto out;
    for (i = 0, cap = n, n = 0; i < cap; i++)   /* the ones stored, in place */
        if (evs[i])
            evs[n++] = evs[i];
    if ((r = ana_classify(c, evs, n, is ? jtime(is) : IQ_TIME_NONE, &res)) < 0)
        goto out;
    r = 0;
    json_array_foreach(res, i, v)
        if (json_array_append(names, json_object_get(v, "class")) < 0)
            r = -ENOMEM;
    if (r == 0) {
        *ret = names;
        names = NULL;
    }
out:
    json_decref(res);
    json_decref(names);
    for (i = 0; evs && i < n; i++)
        iq_event_destroy(&evs[i]);
    free(evs);
    free(keys);
    return r;
}

/* Classify from member events (notes are applied by the caller), or take
 * what the taxonomy's memo remembers for the same stored text. */
static int computed_classes(struct store *st, const struct ana_classes *c, struct ana_inc *inc)
{
    uint64_t sig = iq_fnv1a(IQ_FNV_INIT, inc->text, inc->len);
    json_t *names = ana_memo_get(c->memo, inc->id, sig), *v;
    size_t i;
    int r = 0;

    if (!names) {
        if ((r = classify_events(st, c, inc, &names)) < 0)
            return r;
        ana_memo_put(c->memo, inc->id, sig, names);
    }
    json_array_foreach(names, i, v)
        if (json_array_append(inc->classes, v) < 0)
            r = -ENOMEM;
    json_decref(names);
    return r;
}

/* All class notes, oldest first: an array of borrowed-by-copy events. */
static int on_note(void *ud, const char *val, size_t len)
{
    struct iq_evvec *ns = ud;
    struct iq_event *ev = NULL;

    if (iq_event_decode(val, len, &ev, NULL, 0) < 0)
        return 0;
    return iq_evvec_push(ns, &ev);
}

static void apply_notes(const struct iq_evvec *ns, struct ana_inc *inc)
{
    for (size_t i = 0; i < ns->n; i++) {
        const struct iq_event *ev = ns->v[i];
        const char *id = iq_event_label(ev, "incident"), *cls = iq_event_label(ev, "class");
        const char *op = iq_event_label(ev, "op");
        size_t k;
        json_t *v;

        if (!id || !cls || !op || strcmp(id, inc->id) != 0 || strcmp(iq_ev_kind(ev), "note"))
            continue;
        if (strcmp(op, "set") == 0 && !ana_inc_has(inc->classes, cls))
            json_array_append_new(inc->classes, json_string(cls));
        else if (strcmp(op, "remove") == 0)
            json_array_foreach(inc->classes, k, v)
                if (strcmp(json_string_value(v), cls) == 0) {
                    json_array_remove(inc->classes, k);
                    break;
                }
    }
}

static int classify_all(struct store *st, const struct ana_classes *c, struct ana_incs *incs)
{
    struct store_filter sc = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE,
                               .incident_key = ANA_CLASS_NOTE_KEY };
    struct iq_evvec ns = { 0 };
    int r = store_scan(st, &sc, on_note, &ns);

    for (size_t i = 0; r >= 0 && i < incs->n; i++) {
        if (!stored_classes(&incs->v[i]) && c)
            r = computed_classes(st, c, &incs->v[i]);
        if (r >= 0)
            apply_notes(&ns, &incs->v[i]);
    }
    iq_evvec_clear(&ns);
    return r < 0 ? r : 0;
}

int ana_incs_load(struct store *st, const struct ana_classes *c, bool classify,
                  struct ana_incs *ret)
{
    struct ana_incs incs = { 0 };
    struct load_state ls = { .incs = &incs };
    int r = store_kv_scan(st, STORE_CF_INCIDENTS, "i", 1, on_incident, &ls);

    if (ls.err)
        r = ls.err;
    if (r >= 0 && incs.n)
        qsort(incs.v, incs.n, sizeof(*incs.v), cmp_inc);
    if (r >= 0 && classify)
        r = classify_all(st, c, &incs);
    if (r >= 0)
        r = ana_incs_attach_postmortems(st, &incs, classify);
    if (r < 0) {
        ana_incs_free(&incs);
        return r;
    }
    *ret = incs;
    return 0;
}

void ana_incs_free(struct ana_incs *incs)
{
    for (size_t i = 0; i < incs->n; i++)
        ana_inc_clear(&incs->v[i]);
    free(incs->v);
    json_decref(incs->pm);
    incs->v = NULL;
    incs->pm = NULL;
    incs->n = 0;
}

bool ana_inc_match(const struct ana_inc *inc, const struct ana_query *q)
{
    if ((q->since != IQ_TIME_NONE && inc->opened < q->since) ||
        (q->until != IQ_TIME_NONE && inc->opened >= q->until))
        return false;
    if (q->severity && strcmp(q->severity, inc->severity) != 0)
        return false;
    if (q->service && !ana_inc_has(inc->services, q->service))
        return false;
    return !q->class_name || ana_inc_has(inc->classes, q->class_name);
}

/* One group being summarised. */
struct group {
    char key[128];
    size_t count;
    int64_t first, last, impact_s;
    int64_t *vals[ANA_D_N];
    size_t nvals[ANA_D_N];
    struct ana_pm_stats pm;
    json_t *ids;
    json_t *by_class;          /* class_counts: name -> count, else NULL */
};

struct groups {
    struct group *v;
    size_t n, cap;
    size_t incidents;
};

static struct group *group_get(struct groups *gs, const char *key)
{
    struct group *v;

    for (size_t i = 0; i < gs->n; i++)
        if (strcmp(gs->v[i].key, key) == 0)
            return &gs->v[i];
    if (!(v = iq_array_grow(gs->v, gs->n, &gs->cap, sizeof(*v), 32)))
        return NULL;
    gs->v = v;
    memset(&gs->v[gs->n], 0, sizeof(gs->v[0]));
    snprintf(gs->v[gs->n].key, sizeof(gs->v[0].key), "%s", key);
    if (!(gs->v[gs->n].ids = json_array()))
        return NULL;
    return &gs->v[gs->n++];
}

/* Count inc once under each of its classes ("-" for none) in g. */
static int count_classes(struct group *g, const struct ana_inc *inc)
{
    const json_t *v;
    size_t i;

    if (!g->by_class && !(g->by_class = json_object()))
        return -ENOMEM;
    if (json_array_size(inc->classes) == 0)
        return json_object_set_new(g->by_class, "-", json_integer(json_integer_value(
                                       json_object_get(g->by_class, "-")) + 1)) < 0 ? -ENOMEM : 0;
    json_array_foreach(inc->classes, i, v) {
        const char *name = json_string_value(v);
        json_int_t n = json_integer_value(json_object_get(g->by_class, name));

        if (name && json_object_set_new(g->by_class, name, json_integer(n + 1)) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* Add inc to group key; vals arrays are sized for every incident. */
static int group_add(struct groups *gs, const char *key, const struct ana_inc *inc, size_t total,
                     bool class_counts)
{
    struct group *g = group_get(gs, key);

    if (!g)
        return -ENOMEM;
    if (class_counts && count_classes(g, inc) < 0)
        return -ENOMEM;
    if (g->count == 0)
        g->first = g->last = inc->opened;
    g->count++;
    g->first = inc->opened < g->first ? inc->opened : g->first;
    g->last = inc->opened > g->last ? inc->opened : g->last;
    if (inc->dur[ANA_D_IMPACT] > 0)
        g->impact_s += inc->dur[ANA_D_IMPACT];
    for (int k = 0; k < ANA_D_N; k++) {
        if (inc->dur[k] < 0)
            continue;
        if (!g->vals[k] && !(g->vals[k] = malloc(total * sizeof(int64_t))))
            return -ENOMEM;
        g->vals[k][g->nvals[k]++] = inc->dur[k];
    }
    if (!g->pm.publish && !(g->pm.publish = malloc(total * sizeof(int64_t))))
        return -ENOMEM;
    g->pm.cap = total;
    ana_pm_stats_add(&g->pm, inc);
    return json_array_append_new(g->ids, json_string(inc->id)) < 0 ? -ENOMEM : 0;
}

static void period_key(int64_t t, enum ana_group g, char *buf, size_t size)
{
    int y, mo, d, h, mi, s, ms;

    if (g == ANA_GROUP_WEEK) {
        /* ISO week: the Monday that starts it */
        int64_t days = t >= 0 ? t / 86400000 : (t - 86399999) / 86400000;
        int64_t monday = days - ((days + 3) % 7 + 7) % 7;

        iq_time_civil(monday * 86400000, &y, &mo, &d, &h, &mi, &s, &ms);
        snprintf(buf, size, "%04d-%02d-%02d", y, mo, d);
        return;
    }
    iq_time_civil(t, &y, &mo, &d, &h, &mi, &s, &ms);
    snprintf(buf, size, "%04d-%02d", y, mo);
}

static int add_incident(struct groups *gs, const struct ana_inc *inc, const struct ana_query *q,
                        size_t total)
{
    enum ana_group g = q->group;
    const json_t *arr = g == ANA_GROUP_CLASS ? inc->classes : inc->services, *v;
    bool cc = q->class_counts;
    char key[32];
    size_t i;
    int r;

    switch (g) {
    case ANA_GROUP_NONE:
        return group_add(gs, "all", inc, total, cc);
    case ANA_GROUP_MONTH:
    case ANA_GROUP_WEEK:
        period_key(inc->opened, g, key, sizeof(key));
        return group_add(gs, key, inc, total, cc);
    default:
        if (json_array_size(arr) == 0)
            return group_add(gs, "-", inc, total, cc);
        json_array_foreach(arr, i, v)
            if (json_is_string(v) &&
                (r = group_add(gs, json_string_value(v), inc, total, cc)) < 0)
                return r;
        return 0;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* Nearest rank: the value at rank ceil(p/100 * n), 1-based. */
static int64_t nearest_rank(const int64_t *v, size_t n, unsigned p)
{
    size_t rank = (p * n + 99) / 100;

    return v[rank ? rank - 1 : 0];
}

static int64_t published_after_resolution(struct ana_inc *inc)
{
    const char *s = json_string_value(json_object_get(inc->pm, "published_at"));
    int64_t pub, res;

    if (!s || iq_time_parse_rfc3339(s, strlen(s), &pub) < 0)
        return -1;
    res = pm_resolved_at(ana_inc_json(inc));
    if (res == IQ_TIME_NONE)
        return -1;
    return pub > res ? (pub - res) / 1000 : 0;
}

int ana_incs_attach_postmortems(struct store *st, struct ana_incs *incs, bool classify)
{
    int r = pm_store_all(st, &incs->pm);

    if (r < 0)
        return r;
    for (size_t i = 0; i < incs->n; i++) {
        struct ana_inc *inc = &incs->v[i];
        const json_t *confirmed = pm_recall_classes(incs->pm, inc->id);
        json_t *copy;

        inc->pm = json_object_get(incs->pm, inc->id);
        inc->publish_s = inc->pm ? published_after_resolution(inc) : -1;
        inc->confirmed = confirmed != NULL;
        if (!classify || !confirmed)
            continue;
        if (!(copy = json_deep_copy(confirmed)))
            return -ENOMEM;
        json_decref(inc->classes);
        inc->classes = copy;
    }
    return 0;
}

void ana_pm_stats_add(struct ana_pm_stats *s, const struct ana_inc *inc)
{
    const json_t *it;
    size_t i;

    s->confirmed += inc->confirmed;
    json_array_foreach(json_object_get(inc->pm, "items"), i, it) {
        const char *state = json_string_value(json_object_get(it, "state"));

        s->items++;
        s->weak += json_is_true(json_object_get(it, "weak"));
        if (state && strcmp(state, "done") == 0)
            s->done++;
        else if (state && strcmp(state, "wontfix") == 0)
            s->wontfix++;
        else
            s->open++;
    }
    if (inc->publish_s >= 0 && s->npublish < s->cap)
        s->publish[s->npublish++] = inc->publish_s;
}

json_t *ana_pm_stats_json(struct ana_pm_stats *s)
{
    json_t *median = json_null(), *share = json_null();

    if (s->npublish) {
        qsort(s->publish, s->npublish, sizeof(*s->publish), cmp_i64);
        median = json_integer(s->publish[(s->npublish + 1) / 2 - 1]);   /* nearest rank */
    }
    if (s->items)
        share = json_real((double)s->weak / (double)s->items);
    return json_pack("{s:I, s:{s:I, s:I, s:I}, s:o, s:{s:o}}", "confirmed",
                     (json_int_t)s->confirmed, "actions", "open", (json_int_t)s->open, "done",
                     (json_int_t)s->done, "wontfix", (json_int_t)s->wontfix, "weak_share", share,
                     "time_to_publish", "median", median);
}

static json_t *dist(struct group *g, int k)
{
    if (g->nvals[k] == 0)
        return json_pack("{s:n, s:n}", "median", "p90");
    qsort(g->vals[k], g->nvals[k], sizeof(int64_t), cmp_i64);
    return json_pack("{s:I, s:I}", "median", (json_int_t)nearest_rank(g->vals[k], g->nvals[k], 50),
                     "p90", (json_int_t)nearest_rank(g->vals[k], g->nvals[k], 90));
}

static json_t *group_json(struct group *g)
{
    char first[IQ_TIME_STRLEN], last[IQ_TIME_STRLEN];
    json_t *o, *pm = ana_pm_stats_json(&g->pm);

    iq_time_format(g->first, first, sizeof(first));
    iq_time_format(g->last, last, sizeof(last));
    o = json_pack("{s:s, s:I, s:o, s:o, s:o, s:o, s:f, s:s, s:s, s:O, s:O*}", "key", g->key,
                  "count", (json_int_t)g->count, "mttd", dist(g, ANA_D_TTD), "mtta",
                  dist(g, ANA_D_TTA), "mttm", dist(g, ANA_D_TTM), "mttr", dist(g, ANA_D_TTR),
                  "impact_minutes", (double)g->impact_s / 60.0, "first_seen", first,
                  "last_seen", last, "incidents", g->ids, "classes", g->by_class);
    if (o && (!pm || json_object_update(o, pm) < 0)) {
        json_decref(o);
        o = NULL;
    }
    json_decref(pm);
    return o;
}

static int cmp_group(const void *a, const void *b)
{
    const struct group *x = a, *y = b;

    return strcmp(x->key, y->key);
}

static void groups_free(struct groups *gs)
{
    for (size_t i = 0; i < gs->n; i++) {
        for (int k = 0; k < ANA_D_N; k++)
            free(gs->v[i].vals[k]);
        free(gs->v[i].pm.publish);
        json_decref(gs->v[i].ids);
        json_decref(gs->v[i].by_class);
    }
    free(gs->v);
}

int ana_query_groups(const struct ana_incs *incs, const struct ana_query *q, json_t **ret)
{
    struct groups gs = { 0 };
    json_t *out = NULL, *arr;
    int r = 0;

    for (size_t i = 0; i < incs->n && r >= 0; i++)
        if (ana_inc_match(&incs->v[i], q)) {
            gs.incidents++;
            r = add_incident(&gs, &incs->v[i], q, incs->n);
        }
    if (r < 0)
        goto out;
    if (gs.n > 1)
        qsort(gs.v, gs.n, sizeof(*gs.v), cmp_group);
    out = json_pack("{s:s, s:I, s:[]}", "group_by", group_names[q->group], "incidents",
                    (json_int_t)gs.incidents, "groups");
    arr = json_object_get(out, "groups");
    for (size_t i = 0; out && i < gs.n; i++)
        if (json_array_append_new(arr, group_json(&gs.v[i])) < 0)
            r = -ENOMEM;
    if (!out)
        r = -ENOMEM;
    if (r == 0) {
        *ret = out;
        out = NULL;
    }
out:
    json_decref(out);
    groups_free(&gs);
    return r < 0 ? r : 0;
}

/* Do q's filters or its grouping need the incidents' classes? */
static bool needs_classes(const struct ana_query *q)
{
    return q->group == ANA_GROUP_CLASS || q->class_name || q->class_counts;
}

int ana_query_run(struct store *st, const struct ana_classes *c, const struct ana_query *q,
                  json_t **ret)
{
    struct ana_incs incs = { 0 };
    int r = ana_incs_load(st, c, needs_classes(q), &incs);

    if (r < 0)
        return r;
    r = ana_query_groups(&incs, q, ret);
    ana_incs_free(&incs);
    return r;
}

/* ana_recur.c - recurring failures: `inquest query recurring` and the
 * "Recurrence" section of a postmortem draft.
 *
 * A failure recurs when incidents of the same class hit the same service
 * again: both questions are answered from the (class, service) pairs of
 * the stored incidents, in opening order.
 *
 * Design notes:
 * - `recurring` lists, per pair, the incidents that have another incident
 *   of the pair within the window before or after them; a lone incident
 *   of a pair is not a recurrence.
 * - ana_recurrence is called by the renderer, which has no taxonomy of its
 *   own: when incidents carry no stored classes the default taxonomy
 *   (schemas/classes.json) is loaded once per process and kept.
 * - The recommendation is about the system, never about people: it asks
 *   for an architecture or SLO review of the service, and names what the
 *   earlier postmortems of that failure promised and have not done.
 * - Classes a finished postmortem confirmed replace the automatic ones
 *   (ana_query.c), so a recurrence is the team's judgement where there is one;
 *   the section also lists every earlier postmortem's action items with
 *   their state now ("followups"). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_classes.h"
#include "ana_query_int.h"
#include "iq_event.h"
#include "iq_buf.h"
#include "iq_time.h"
#include "pm_follow.h"

/* Incidents of one (class, service) pair, by index into incs. */
struct pair {
    const char *cls, *svc;
    size_t *ix;
    size_t n, cap;
};

struct pairs {
    struct pair *v;
    size_t n, cap;
};

static int pair_add(struct pairs *ps, const char *cls, const char *svc, size_t ix)
{
    struct pair *p = NULL;
    size_t *ixs;

    for (size_t i = 0; i < ps->n && !p; i++)
        if (strcmp(ps->v[i].cls, cls) == 0 && strcmp(ps->v[i].svc, svc) == 0)
            p = &ps->v[i];
    if (!p) {
        struct pair *v = iq_array_grow(ps->v, ps->n, &ps->cap, sizeof(*v), 64);

        if (!v)
            return -ENOMEM;
        ps->v = v;
        p = &ps->v[ps->n++];
        *p = (struct pair){ .cls = cls, .svc = svc };
    }
    if (!(ixs = iq_array_grow(p->ix, p->n, &p->cap, sizeof(*ixs), 8)))
        return -ENOMEM;
    p->ix = ixs;
    p->ix[p->n++] = ix;
    return 0;
}

static void pairs_free(struct pairs *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->v[i].ix);
    free(ps->v);
}

/* Group the matching incidents (in opening order) by class and service. */
static int build_pairs(const struct ana_incs *incs, const struct ana_query *q, struct pairs *ps)
{
    for (size_t i = 0; i < incs->n; i++) {
        const struct ana_inc *inc = &incs->v[i];
        size_t a, b;
        json_t *c, *s;

        if (q && !ana_inc_match(inc, q))
            continue;
        json_array_foreach(inc->classes, a, c) {
            if (q && q->class_name && strcmp(q->class_name, json_string_value(c)) != 0)
                continue;
            json_array_foreach(inc->services, b, s) {
                if (!json_is_string(s) || (q && q->service &&
                                           strcmp(q->service, json_string_value(s)) != 0))
                    continue;
                if (pair_add(ps, json_string_value(c), json_string_value(s), i) < 0)
                    return -ENOMEM;
            }
        }
    }
    return 0;
}

static json_t *recurring_entry(const struct ana_incs *incs, const struct pair *p, int64_t window)
{
    json_t *ids = json_array(), *o;
    int64_t first = IQ_TIME_NONE, last = IQ_TIME_NONE;
    char f[IQ_TIME_STRLEN], l[IQ_TIME_STRLEN];

    if (!ids)
        return NULL;
    for (size_t k = 0; k < p->n; k++) {
        int64_t t = incs->v[p->ix[k]].opened;
        bool near = (k > 0 && t - incs->v[p->ix[k - 1]].opened <= window) ||
                    (k + 1 < p->n && incs->v[p->ix[k + 1]].opened - t <= window);

        if (!near)
            continue;
        json_array_append_new(ids, json_string(incs->v[p->ix[k]].id));
        first = first == IQ_TIME_NONE ? t : first;
        last = t;
    }
    if (json_array_size(ids) < 2) {
        json_decref(ids);
        return json_null();
    }
    iq_time_format(first, f, sizeof(f));
    iq_time_format(last, l, sizeof(l));
    o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:o}", "class", p->cls, "service", p->svc, "count",
                  (json_int_t)json_array_size(ids), "first_seen", f, "last_seen", l,
                  "incidents", ids);
    return o;
}

static int cmp_entry(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t cx = json_integer_value(json_object_get(x, "count"));
    json_int_t cy = json_integer_value(json_object_get(y, "count"));
    int r;

    if (cx != cy)
        return cx > cy ? -1 : 1;
    r = strcmp(json_string_value(json_object_get(x, "class")),
               json_string_value(json_object_get(y, "class")));
    return r ? r : strcmp(json_string_value(json_object_get(x, "service")),
                          json_string_value(json_object_get(y, "service")));
}

int ana_recur_list(const struct ana_incs *incs, const struct ana_query *q, int64_t window_ms,
                   json_t **ret)
{
    struct pairs ps = { 0 };
    json_t **v = NULL, *out = NULL;
    size_t n = 0;
    int r;

    if ((r = build_pairs(incs, q, &ps)) < 0)
        goto out;
    if (!(v = calloc(ps.n + 1, sizeof(*v))) || !(out = json_array())) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < ps.n; i++) {
        json_t *e = recurring_entry(incs, &ps.v[i], window_ms);

        if (!e) {
            r = -ENOMEM;
            goto out;
        }
        if (json_is_null(e))
            continue;
        v[n++] = e;
    }
    qsort(v, n, sizeof(*v), cmp_entry);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(out, v[i]);
        v[i] = NULL;
    }
    *ret = out;
    out = NULL;
out:
    for (size_t i = 0; v && i < n; i++)
        json_decref(v[i]);
    free(v);
    json_decref(out);
    pairs_free(&ps);
    return r;
}

int ana_query_recurring(struct store *st, const struct ana_classes *c,
                        const struct ana_query *q, int64_t window_ms, json_t **ret)
{
    struct ana_incs incs = { 0 };
    int r = ana_incs_load(st, c, true, &incs);

    if (r < 0)
        return r;
    r = ana_recur_list(&incs, q, window_ms, ret);
    ana_incs_free(&incs);
    return r;
}

/* The default taxonomy, loaded once per process for the renderer. */
static struct ana_classes *default_classes;
static int default_err;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void load_default(void)
{
    char err[IQ_ERR_MAX];

    default_err = ana_classes_load(NULL, NULL, &default_classes, err, sizeof(err));
}

#define OPEN_NAMED_MAX 5   /* open items the recommendation names */

/* Index of incident id in incs, or incs->n. */
static size_t find_inc(const struct ana_incs *incs, const char *id)
{
    for (size_t i = 0; i < incs->n; i++)
        if (strcmp(incs->v[i].id, id) == 0)
            return i;
    return incs->n;
}

/* The action items of the postmortems of the earlier incidents (entries
 * with "id"), as pm_recall_items.  NULL on OOM. */
static json_t *earlier_followups(const struct ana_incs *incs, const json_t *earlier)
{
    json_t *ids = json_array(), *e, *res;
    size_t i;

    if (!ids)
        return NULL;
    json_array_foreach(earlier, i, e)
        if (json_array_append(ids, json_object_get(e, "id")) < 0) {
            json_decref(ids);
            return NULL;
        }
    res = pm_recall_items(incs->pm, ids);
    json_decref(ids);
    return res;
}

/* The open action items of the postmortems of the incidents of (cls, svc)
 * in the recurrence window before me.  NULL on OOM. */
static json_t *open_items(const struct ana_incs *incs, const struct ana_inc *me, const char *cls,
                          const char *svc)
{
    json_t *ids = json_array(), *res, *open = json_array(), *it;
    size_t i;

    for (size_t k = 0; ids && k < incs->n; k++) {
        const struct ana_inc *e = &incs->v[k];

        if (e->opened < me->opened && me->opened - e->opened <= ANA_RECUR_WINDOW_MS &&
            strcmp(e->id, me->id) != 0 && ana_inc_has(e->classes, cls) &&
            ana_inc_has(e->services, svc) && json_array_append_new(ids, json_string(e->id)) < 0) {
            json_decref(ids);
            ids = NULL;
        }
    }
    res = ids ? pm_recall_items(incs->pm, ids) : NULL;
    json_array_foreach(json_object_get(res, "items"), i, it) {
        const char *state = json_string_value(json_object_get(it, "state"));

        if (open && (!state || strcmp(state, "open") == 0) && json_array_append(open, it) < 0) {
            json_decref(open);
            open = NULL;
        }
    }
    if (!res) {
        json_decref(open);
        open = NULL;
    }
    json_decref(res);
    json_decref(ids);
    return open;
}

/* {"status", "items", "done", "open"} of e's postmortem, or JSON null. */
static json_t *pm_brief(const struct ana_inc *e)
{
    const json_t *it;
    size_t i, done = 0, open = 0;

    if (!e->pm)
        return json_null();
    json_array_foreach(json_object_get(e->pm, "items"), i, it) {
        const char *state = json_string_value(json_object_get(it, "state"));

        done += state && strcmp(state, "done") == 0;
        open += !state || strcmp(state, "open") == 0;
    }
    return json_pack("{s:O, s:I, s:I, s:I}", "status", json_object_get(e->pm, "status"), "items",
                     (json_int_t)json_array_size(json_object_get(e->pm, "items")), "done",
                     (json_int_t)done, "open", (json_int_t)open);
}

static json_t *earlier_entry(const struct ana_inc *e, const char *cls, const char *svc)
{
    json_t *ttr = e->dur[ANA_D_TTR] >= 0 ? json_integer(e->dur[ANA_D_TTR]) : json_null();
    char date[IQ_TIME_STRLEN], draft[96];

    iq_time_format(e->opened, date, sizeof(date));
    snprintf(draft, sizeof(draft), "%s.md", e->id);
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o}", "id", e->id, "date", date, "duration",
                     ttr, "class", cls, "service", svc, "draft", draft, "postmortem",
                     pm_brief(e));
}

/* Earlier incidents sharing a (class, service) with me; *repeats gets the
 * largest count, me included, of one pair within 90 days before me. */
static int collect_earlier(const struct ana_incs *incs, const struct ana_inc *me, json_t *out,
                           int *repeats, const char **rc, const char **rs)
{
    size_t a, b;
    json_t *c, *s;

    *repeats = json_array_size(me->classes) && json_array_size(me->services) ? 1 : 0;
    json_array_foreach(me->classes, a, c) {
        json_array_foreach(me->services, b, s) {
            const char *cls = json_string_value(c), *svc = json_string_value(s);
            int n90 = 1;

            for (size_t i = 0; svc && i < incs->n; i++) {
                const struct ana_inc *e = &incs->v[i];

                if (e->opened >= me->opened || strcmp(e->id, me->id) == 0 ||
                    !ana_inc_has(e->classes, cls) || !ana_inc_has(e->services, svc))
                    continue;
                if (json_array_append_new(out, earlier_entry(e, cls, svc)) < 0)
                    return -ENOMEM;
                n90 += me->opened - e->opened <= ANA_RECUR_WINDOW_MS;
            }
            if (n90 > *repeats) {
                *repeats = n90;
                *rc = cls;
                *rs = svc;
            }
        }
    }
    return 0;
}

/* The review recommendation for (rc, rs) repeated n times: the text and
 * {"class", "service", "repeats", "open_items"}.  NULL on OOM. */
static json_t *review_of(const struct ana_incs *incs, const struct ana_inc *me, const char *rc,
                         const char *rs, int n, char *text, size_t size)
{
    json_t *open = open_items(incs, me, rc, rs), *it;
    size_t len, i;

    if (!open)
        return NULL;
    len = (size_t)snprintf(text, size, "The same failure (%s on %s) happened %d times in 90 days: "
                           "consider an architecture or SLO review of %s.", rc, rs, n, rs);
    json_array_foreach(open, i, it) {
        if (len >= size)
            break;
        if (i == OPEN_NAMED_MAX) {
            len += (size_t)snprintf(text + len, size - len, " and %zu more",
                                    json_array_size(open) - i);
            break;
        }
        len += (size_t)snprintf(text + len, size - len, "%s \"%.120s\" (%s)",
                                i ? "," : " Still open from the earlier postmortems:",
                                json_string_value(json_object_get(it, "text")),
                                json_string_value(json_object_get(it, "incident")));
    }
    if (json_array_size(open) && len < size)
        snprintf(text + len, size - len, ".");
    return json_pack("{s:s, s:s, s:i, s:o}", "class", rc, "service", rs, "repeats", n,
                     "open_items", open);
}

int ana_recurrence(struct store *st, const json_t *incident, json_t **ret)
{
    const char *id = json_string_value(json_object_get(incident, "id")), *rc = NULL, *rs = NULL;
    struct ana_incs incs = { 0 };
    json_t *out = NULL, *earlier = json_array(), *follow = NULL, *review = NULL;
    char text[2048];
    int repeats = 0, r;
    size_t me;

    if (!earlier)
        return -ENOMEM;
    pthread_once(&default_once, load_default);
    if ((r = ana_incs_load(st, default_err ? NULL : default_classes, true, &incs)) < 0)
        goto out;
    me = find_inc(&incs, id ? id : "");
    if (me == incs.n) {
        r = -ENOENT;
        goto out;
    }
    if ((r = collect_earlier(&incs, &incs.v[me], earlier, &repeats, &rc, &rs)) < 0)
        goto out;
    r = -ENOMEM;
    if (!(follow = earlier_followups(&incs, earlier)) ||
        (repeats >= ANA_RECUR_REVIEW_N &&
         !(review = review_of(&incs, &incs.v[me], rc, rs, repeats, text, sizeof(text)))))
        goto out;
    out = json_pack("{s:O, s:b, s:O, s:i, s:b, s:s?, s:O, s:O?}", "classes", incs.v[me].classes,
                    "classes_confirmed", incs.v[me].confirmed, "earlier", earlier, "repeats_90d",
                    repeats, "review_recommended", review != NULL, "recommendation",
                    review ? text : NULL, "followups", follow, "review", review);
    if (!out)
        goto out;
    *ret = out;
    r = 0;
out:
    json_decref(earlier);
    json_decref(follow);
    json_decref(review);
    ana_incs_free(&incs);
    return r;
}

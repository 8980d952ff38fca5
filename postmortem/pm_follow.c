/* pm_follow.c - the follow-ups of the stored postmortems (see pm_follow.h).
 *
 * One pass over the incidents (cor_incident_list, opening order) joined
 * with every current postmortem record (pm_store_all); documents whose
 * incident is no longer stored (a rebuild dropped it) still list their
 * items, after the others.
 *
 * Design notes:
 * - "Today" is the UTC day of q->now.  An item is overdue the day after
 *   its due day (the due day is the last one to do it); a follow-up review
 *   is due on its day; a postmortem is late once unpublished_after has
 *   passed since resolution.  days_overdue counts whole days, null when
 *   the row is not overdue.
 * - Owners match case-insensitively and with or without a leading '@'
 *   ("@Ana" is "ana"); reviews and late postmortems belong to the
 *   document's owner.
 * - Filters apply to rows, counts to the rows that pass the filters.
 * - What earlier postmortems promised (pm_recall_items) is counted by
 *   state and by strength, in review/'s ladder order (mechanism, tool,
 *   recovery, containment, rule, checklist, promise), so "the open ones
 *   are a tool and a promise" reads strongest first; an item the
 *   classifier could not place ("unknown") comes last. */
#include "pm_follow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cor_incident.h"
#include "iq_time.h"
#include "pm_store.h"
#include "pm_words.h"
#include "rev_rules.h"

static const char *const fmt_names[] = { "table", "csv", "json" };

void pm_follow_query_init(struct pm_follow_query *q)
{
    memset(q, 0, sizeof(*q));
    q->now = IQ_TIME_NONE;
    q->unpublished_after = PM_UNPUBLISHED_DEFAULT;
}

int pm_fmt_parse(const char *s, enum pm_fmt *ret)
{
    for (size_t i = 0; i < 3; i++)
        if (strcmp(s, fmt_names[i]) == 0) {
            *ret = (enum pm_fmt)i;
            return 0;
        }
    return -EINVAL;
}

int pm_follow_query_set(struct pm_follow_query *q, const char *key, const char *value, char *err,
                        size_t errsz)
{
    bool ok = true;

    if (strcmp(key, "overdue") == 0) {
        ok = !*value || !strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "0") ||
             !strcmp(value, "false");
        q->overdue = !*value || !strcmp(value, "1") || !strcmp(value, "true");
    } else if (strcmp(key, "owner") == 0) {
        q->owner = *value ? value : NULL;
    } else if (strcmp(key, "service") == 0) {
        q->service = *value ? value : NULL;
    } else if (strcmp(key, "unpublished_after") == 0) {
        ok = iq_duration_parse(value, &q->unpublished_after) == 0 && q->unpublished_after >= 0;
    } else if (strcmp(key, "now") == 0) {
        ok = iq_time_parse_arg(value, &q->now) == 0;
    } else {
        snprintf(err, errsz, "unknown parameter '%.40s' (overdue, owner, service, "
                 "unpublished_after, now)", key);
        return -EINVAL;
    }
    if (!ok)
        snprintf(err, errsz, "bad value for '%s': \"%.60s\"", key, value);
    return ok ? 0 : -EINVAL;
}

static int64_t jtime(const json_t *v)
{
    const char *s = json_string_value(v);
    int64_t t;

    return s && iq_time_parse_rfc3339(s, strlen(s), &t) == 0 ? t : IQ_TIME_NONE;
}

int64_t pm_resolved_at(const json_t *incident)
{
    int64_t t = jtime(json_object_get(json_object_get(json_object_get(incident, "milestones"),
                                                      "resolved"), "at"));

    return t != IQ_TIME_NONE ? t : jtime(json_object_get(incident, "closed_at"));
}

/* Member k of o, or JSON null (borrowed either way). */
static json_t *jget(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);

    return v ? v : json_null();
}

/* Does owner match the filter ("@Ana" matches "ana")? */
static bool owner_is(const char *owner, const char *want)
{
    if (!want)
        return true;
    if (!owner)
        return false;
    owner += *owner == '@';
    want += *want == '@';
    return strcasecmp(owner, want) == 0;
}

struct ctx {
    const struct pm_follow_query *q;
    int64_t today;
    json_t *rows;
    json_int_t counts[7];     /* items open done wontfix overdue reviews_due unpublished */
};

enum { C_ITEMS = 0, C_OPEN, C_DONE, C_WONTFIX, C_OVERDUE, C_REVIEWS, C_UNPUBLISHED };

static json_t *days_json(int64_t days)
{
    return days >= 0 ? json_integer(days) : json_null();
}

/* Add row (taken) when it passes the filters. */
static int keep(struct ctx *c, json_t *row, const char *owner, int64_t days)
{
    if (!row)
        return -ENOMEM;
    if (!owner_is(owner, c->q->owner) || (c->q->overdue && days < 0)) {
        json_decref(row);
        return 0;
    }
    return json_array_append_new(c->rows, row) < 0 ? -ENOMEM : 1;
}

static int add_items(struct ctx *c, const char *id, const json_t *svcs, const json_t *rec)
{
    const json_t *it;
    size_t i;

    json_array_foreach(json_object_get(rec, "items"), i, it) {
        const char *state = json_string_value(json_object_get(it, "state"));
        const char *owner = json_string_value(json_object_get(it, "owner"));
        const char *ds = json_string_value(json_object_get(it, "due"));
        int64_t due = IQ_TIME_NONE, days = -1;
        json_t *row;
        int r;

        if (ds && pm_date_parse(ds, strlen(ds), 0, &due) < 0)   /* "2026-11-30" */
            due = IQ_TIME_NONE;
        if (state && strcmp(state, "open") == 0 && due != IQ_TIME_NONE && c->today > due)
            days = (c->today - due) / PM_DAY_MS;
        row = json_pack("{s:s, s:s, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:o, s:O, s:O}",
                        "kind", "item", "incident", id, "services", svcs, "item",
                        jget(it, "text"), "owner", jget(it, "owner"), "due", jget(it, "due"),
                        "ticket", jget(it, "ticket"), "type", jget(it, "type"), "strength",
                        jget(it, "strength"), "weak", jget(it, "weak"), "state", jget(it, "state"),
                        "days_overdue", days_json(days), "file", jget(rec, "path"), "line",
                        jget(it, "line"));
        if ((r = keep(c, row, owner, days)) < 0)
            return r;
        if (r == 1) {
            c->counts[C_ITEMS]++;
            c->counts[state && !strcmp(state, "done") ? C_DONE
                      : state && !strcmp(state, "wontfix") ? C_WONTFIX : C_OPEN]++;
            c->counts[C_OVERDUE] += days >= 0;
        }
    }
    return 0;
}

static json_t *day_json(int64_t day)
{
    char d[16];

    pm_date_format(day, d, sizeof(d));
    return json_string(d);
}

static int add_reviews(struct ctx *c, const char *id, const json_t *svcs, const json_t *rec,
                       int64_t resolved)
{
    const char *owner = json_string_value(json_object_get(rec, "owner"));
    const json_t *rv;
    size_t i;

    json_array_foreach(json_object_get(rec, "reviews"), i, rv) {
        json_int_t after = json_integer_value(json_object_get(rv, "after_days"));
        const char *state = json_string_value(json_object_get(rv, "state"));
        int64_t due = pm_day_of(resolved) + after * PM_DAY_MS, days = -1;
        char what[64];
        json_t *row;
        int r;

        if (state && strcmp(state, "open") == 0 && c->today >= due)
            days = (c->today - due) / PM_DAY_MS;
        snprintf(what, sizeof(what), "follow-up review (%lld days after resolution)",
                 (long long)after);
        row = json_pack("{s:s, s:s, s:O, s:s, s:O, s:o, s:n, s:n, s:n, s:n, s:s, s:o, s:O, s:n}",
                        "kind", "review", "incident", id, "services", svcs, "item", what, "owner",
                        jget(rec, "owner"), "due", day_json(due), "ticket", "type", "strength",
                        "weak", "state", state ? state : "open", "days_overdue", days_json(days),
                        "file", jget(rec, "path"), "line");
        if ((r = keep(c, row, owner, days)) < 0)
            return r;
        c->counts[C_REVIEWS] += r == 1 && days >= 0;
    }
    return 0;
}

static int add_unpublished(struct ctx *c, const char *id, const json_t *svcs, const json_t *rec,
                           int64_t resolved)
{
    const char *status = json_string_value(json_object_get(rec, "status"));
    const char *owner = json_string_value(json_object_get(rec, "owner"));
    int64_t due = pm_day_of(resolved + c->q->unpublished_after), days;
    json_t *row;
    int r;

    if ((status && strcmp(status, "published") == 0) || c->today <= due)
        return 0;
    days = (c->today - due) / PM_DAY_MS;
    row = json_pack("{s:s, s:s, s:O, s:s, s:O, s:o, s:n, s:n, s:n, s:n, s:s, s:I, s:O, s:n}",
                    "kind", "unpublished", "incident", id, "services", svcs, "item",
                    rec ? "postmortem not published" : "no postmortem synced", "owner",
                    jget(rec, "owner"), "due", day_json(due),
                    "ticket", "type", "strength", "weak", "state", status ? status : "missing",
                    "days_overdue", (json_int_t)days, "file",
                    jget(rec, "path"), "line");
    if ((r = keep(c, row, owner, days)) < 0)
        return r;
    c->counts[C_UNPUBLISHED] += r == 1;
    return 0;
}

static bool has_service(const json_t *svcs, const char *want)
{
    const json_t *v;
    size_t i;

    if (!want)
        return true;
    json_array_foreach(svcs, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), want) == 0)
            return true;
    return false;
}

/* The rows of one incident (inc may be NULL: its document outlived it). */
static int one_incident(struct ctx *c, const char *id, const json_t *inc, const json_t *rec)
{
    json_t *svcs = json_object_get(inc, "services");
    int64_t resolved = inc ? pm_resolved_at(inc) : IQ_TIME_NONE;
    int r = 0;

    if (!json_is_array(svcs))
        svcs = json_array();
    else
        json_incref(svcs);
    if (!svcs)
        return -ENOMEM;
    if (has_service(svcs, c->q->service)) {
        if (rec)
            r = add_items(c, id, svcs, rec);
        if (r == 0 && rec && resolved != IQ_TIME_NONE)
            r = add_reviews(c, id, svcs, rec, resolved);
        if (r == 0 && resolved != IQ_TIME_NONE)
            r = add_unpublished(c, id, svcs, rec, resolved);
    }
    json_decref(svcs);
    return r;
}

static json_t *answer(struct ctx *c, int64_t now)
{
    char t[IQ_TIME_STRLEN];

    iq_time_format(now, t, sizeof(t));
    return json_pack("{s:s, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:O}", "now", t,
                     "unpublished_after_days", (json_int_t)(c->q->unpublished_after / PM_DAY_MS),
                     "counts", "items", c->counts[C_ITEMS], "open", c->counts[C_OPEN], "done",
                     c->counts[C_DONE], "wontfix", c->counts[C_WONTFIX], "overdue",
                     c->counts[C_OVERDUE], "reviews_due", c->counts[C_REVIEWS], "unpublished",
                     c->counts[C_UNPUBLISHED], "followups", c->rows);
}

int pm_followups(struct store *st, const struct pm_follow_query *q, json_t **ret)
{
    int64_t now = q->now != IQ_TIME_NONE ? q->now : iq_time_now_ms();
    struct ctx c = { .q = q, .today = pm_day_of(now), .rows = json_array() };
    json_t *incs = NULL, *docs = NULL, *inc, *out;
    const char *id;
    json_t *rec;
    size_t i;
    int r = c.rows ? 0 : -ENOMEM;

    if (r == 0 && (r = cor_incident_list(st, IQ_TIME_NONE, &incs)) == 0)
        r = pm_store_all(st, &docs);
    json_array_foreach(incs, i, inc) {
        if (r < 0 || !(id = json_string_value(json_object_get(inc, "id"))))
            continue;
        r = one_incident(&c, id, inc, json_object_get(docs, id));
        json_object_del(docs, id);
    }
    json_object_foreach(docs, id, rec)
        if (r == 0)
            r = one_incident(&c, id, NULL, rec);
    if (r == 0 && !(out = answer(&c, now)))
        r = -ENOMEM;
    if (r == 0)
        *ret = out;
    json_decref(incs);
    json_decref(docs);
    json_decref(c.rows);
    return r;
}

const json_t *pm_recall_classes(const json_t *records, const char *id)
{
    const json_t *c = json_object_get(json_object_get(records, id), "classes");

    return json_array_size(c) ? c : NULL;
}

static bool seen_before(const json_t *ids, size_t i)
{
    const char *id = json_string_value(json_array_get(ids, i));

    for (size_t k = 0; k < i; k++)
        if (json_equal(json_array_get(ids, k), json_array_get(ids, i)))
            return true;
    return !id;
}

/* Strength rank for ordering: the ladder, unknown last. */
static int rank_of(const char *strength)
{
    for (int s = 1; s < REV_STR_N; s++)
        if (strcmp(strength, rev_strength_name((enum rev_strength)s)) == 0)
            return s;
    return REV_STR_N;
}

static json_t *open_strengths(const int counts[REV_STR_N + 1])
{
    json_t *arr = json_array();

    for (int s = 1; arr && s <= REV_STR_N; s++) {
        if (!counts[s])
            continue;
        if (json_array_append_new(arr, json_pack("{s:s, s:i}", "strength",
                                                  s == REV_STR_N ? "unknown"
                                                  : rev_strength_name((enum rev_strength)s),
                                                  "count", counts[s])) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static json_t *item_of(const char *id, const json_t *it)
{
    json_t *o = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O}", "incident", id, "text",
                          json_object_get(it, "text"), "owner", json_object_get(it, "owner"),
                          "due", json_object_get(it, "due"), "strength",
                          json_object_get(it, "strength"), "weak", json_object_get(it, "weak"),
                          "state", json_object_get(it, "state"));

    return o;
}

json_t *pm_recall_items(const json_t *records, const json_t *ids)
{
    int counts[REV_STR_N + 1] = { 0 };
    json_int_t n[4] = { 0 };   /* postmortems, done, wontfix, open */
    json_t *items = json_array(), *strengths;
    size_t i, k;
    const json_t *it;

    for (i = 0; items && i < json_array_size(ids); i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        const json_t *rec = id ? json_object_get(records, id) : NULL;

        if (!rec || seen_before(ids, i))
            continue;
        n[0]++;
        json_array_foreach(json_object_get(rec, "items"), k, it) {
            const char *state = json_string_value(json_object_get(it, "state"));
            const char *strength = json_string_value(json_object_get(it, "strength"));
            json_t *o = item_of(id, it);

            if (!o || json_array_append_new(items, o) < 0) {
                json_decref(items);
                return NULL;
            }
            if (state && strcmp(state, "done") == 0)
                n[1]++;
            else if (state && strcmp(state, "wontfix") == 0)
                n[2]++;
            else {
                n[3]++;
                counts[rank_of(strength ? strength : "unknown")]++;
            }
        }
    }
    if (!items || !(strengths = open_strengths(counts))) {
        json_decref(items);
        return NULL;
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "postmortems", n[0], "total",
                     (json_int_t)json_array_size(items), "done", n[1], "wontfix", n[2], "open",
                     n[3], "open_strengths", strengths, "items", items);
}

/* ana_import.c - shared pieces of history import and the Statuspage
 * incidents-document converter.
 *
 * A Statuspage /api/v2/incidents.json document holds {"page": {...},
 * "incidents": [...]}, each incident with its incident_updates (newest
 * first) and, in each update, the affected_components with their old and
 * new status.  Each update becomes one status event with the same id,
 * action, severity, title and incident_key the webhook mapping
 * (schemas/sources/statuspage.json) gives it, so an update that already
 * arrived by webhook is a duplicate, not a second event.  Each component
 * whose status changed in an update (or that an incident's first update
 * names) becomes a status event with action = its new_status, service and
 * label component = its name, id component:<incident>:<update>:<code>.
 *
 * Design notes:
 * - Updates are walked oldest first so "first mention" of a component is
 *   well defined whatever order the document lists them in.
 * - Conversion appends to a scratch vector and moves it into the caller's
 *   only when the whole document converted, so a bad entry near the end
 *   leaves nothing behind. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_import.h"
#include "iq_event.h"
#include "iq_file.h"
#include "iq_time.h"

int ana_evvec_push(struct iq_evvec *vec, struct iq_event **pev)
{
    if (vec->n >= ANA_IMPORT_EVENTS_MAX) {
        iq_event_destroy(pev);
        return -E2BIG;
    }
    return iq_evvec_push(vec, pev);
}

int ana_evvec_move(struct iq_evvec *dst, struct iq_evvec *src)
{
    size_t need = dst->n + src->n;

    if (need > ANA_IMPORT_EVENTS_MAX)
        return -E2BIG;
    if (need > dst->cap) {
        struct iq_event **v = realloc(dst->v, need * sizeof(*v));

        if (!v)
            return -ENOMEM;
        dst->v = v;
        dst->cap = need;
    }
    if (src->n)
        memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
    dst->n = need;
    src->n = 0;
    return 0;
}

int ana_json_load_file(const char *path, json_t **ret, char *err, size_t errsz)
{
    return iq_file_load_json(path, ANA_IMPORT_FILE_MAX, ret, err, errsz);
}

int ana_set_field_cut(struct iq_event *ev, int f, const char *s)
{
    size_t len, max;

    if (!s || f < 0 || f >= IQ_F_NSTR)
        return 0;
    len = strlen(s);
    max = iq_fields[f].max_len;
    return iq_event_set(ev, (enum iq_field)f, s, iq_utf8_prefix(s, len, max));
}

int ana_set_label_cut(struct iq_event *ev, const char *key, const char *s)
{
    char buf[IQ_LABEL_VAL_MAX + 1];
    size_t len = iq_utf8_prefix(s, strlen(s), IQ_LABEL_VAL_MAX);

    memcpy(buf, s, len);
    buf[len] = '\0';
    return iq_event_set_label(ev, key, buf);
}

/* Conversion state of one document. */
struct sp_ctx {
    const char *origin;
    char *err;
    size_t errsz;
    const char *page_id;
    struct iq_evvec out;
};

static int sp_fail(struct sp_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int sp_fail(struct sp_ctx *c, const char *fmt, ...)
{
    char msg[IQ_ERR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errsz, "%s: %s", c->origin, msg);
    return -EINVAL;
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The webhook mapping's action vocabulary: unknown values become "updated". */
static const char *map_action(const char *v, const char *const *known)
{
    for (size_t i = 0; v && known[i]; i++)
        if (strcmp(v, known[i]) == 0)
            return known[i];
    return "updated";
}

static const char *const update_actions[] = {
    "investigating", "identified", "monitoring", "resolved", "postmortem", "scheduled",
    "in_progress", "verifying", "completed", NULL,
};
static const char *const component_actions[] = {
    "operational", "degraded_performance", "partial_outage", "major_outage",
    "under_maintenance", NULL,
};

static const char *component_severity(const char *st)
{
    static const char *const map[][2] = {
        { "operational", "none" }, { "degraded_performance", "minor" },
        { "partial_outage", "major" }, { "major_outage", "critical" },
        { "under_maintenance", "maintenance" },
    };

    for (size_t i = 0; st && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(st, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static int64_t update_time(const json_t *u)
{
    const char *s = jstr(u, "display_at");
    int64_t t;

    if (!s)
        s = jstr(u, "created_at");
    if (!s || iq_time_parse_lenient(s, strlen(s), &t) < 0)
        return IQ_TIME_NONE;
    return t;
}

/* Validate ev and append it; err names where it came from. */
static int sp_add(struct sp_ctx *c, struct iq_event **pev, const char *where)
{
    char verr[IQ_ERR_MAX];
    int r;

    if (iq_event_validate(*pev, verr, sizeof(verr)) < 0) {
        iq_event_destroy(pev);
        return sp_fail(c, "%s: %s", where, verr);
    }
    if ((r = ana_evvec_push(&c->out, pev)) < 0)
        return r == -E2BIG ? sp_fail(c, "more than %u events", ANA_IMPORT_EVENTS_MAX) : r;
    return 0;
}

static int set_common(struct iq_event *ev, const json_t *inc, const char *key, int64_t at)
{
    const char *link = jstr(inc, "shortlink");
    int r = 0;

    ev->at = at;
    r |= iq_event_set_str(ev, IQ_F_SOURCE, "statuspage");
    r |= iq_event_set_str(ev, IQ_F_KIND, "status");
    r |= iq_event_set_str(ev, IQ_F_INCIDENT_KEY, key);
    r |= iq_event_set_label(ev, "imported", "statuspage-history");
    if (link)
        r |= iq_event_set_str(ev, IQ_F_URL, link);
    return r ? -ENOMEM : 0;
}

/* The labels a webhook delivery of this update would carry too: the
 * incident's creation (created_at), the update's affected components
 * (components, compact JSON, cut to whole entries within the label limit)
 * and the incident's first 8 component names (component.1 .. .8). */
static int sp_update_labels(struct iq_event *ev, const json_t *inc, const json_t *u)
{
    const json_t *aff = json_object_get(u, "affected_components"), *v;
    json_t *cut = json_array();
    char key[16], *txt = NULL;
    size_t i;
    int r = 0;

    if (!cut)
        return -ENOMEM;
    if (jstr(inc, "created_at"))
        r = iq_event_set_label(ev, "created_at", jstr(inc, "created_at"));
    json_array_foreach(json_object_get(inc, "components"), i, v) {
        if (r < 0 || i >= 8)
            break;
        snprintf(key, sizeof(key), "component.%zu", i + 1);
        if (jstr(v, "name") && *jstr(v, "name"))
            r = ana_set_label_cut(ev, key, jstr(v, "name"));
    }
    json_array_foreach(aff, i, v) {
        if (r < 0 || json_array_append(cut, (json_t *)v) < 0)
            break;
        free(txt);
        if (!(txt = json_dumps(cut, JSON_COMPACT | JSON_SORT_KEYS)))
            r = -ENOMEM;
        else if (strlen(txt) > IQ_LABEL_VAL_MAX)
            json_array_remove(cut, json_array_size(cut) - 1);
    }
    free(txt);
    txt = NULL;
    if (r == 0 && json_array_size(cut) > 0) {
        if (!(txt = json_dumps(cut, JSON_COMPACT | JSON_SORT_KEYS)))
            r = -ENOMEM;
        else
            r = iq_event_set_label(ev, "components", txt);
    }
    free(txt);
    json_decref(cut);
    return r < 0 ? -ENOMEM : 0;
}

static int sp_update(struct sp_ctx *c, const json_t *inc, const json_t *u, const char *key,
                     const char *where)
{
    const char *iid = jstr(inc, "id"), *uid = jstr(u, "id"), *st = jstr(u, "status");
    const char *sev = jstr(inc, "impact_override") ? jstr(inc, "impact_override")
                                                   : jstr(inc, "impact");
    struct iq_event *ev = iq_event_new();
    char id[IQ_ID_MAX + 64];
    int r;

    if (!ev)
        return -ENOMEM;
    snprintf(id, sizeof(id), "incident:%s:%s", iid, uid);
    r = set_common(ev, inc, key, update_time(u));
    r = r ? r : iq_event_set_str(ev, IQ_F_ID, id);
    r = r ? r : iq_event_set_str(ev, IQ_F_ACTION, map_action(st, update_actions));
    r = r ? r : ana_set_field_cut(ev, IQ_F_TITLE, jstr(inc, "name"));
    r = r ? r : ana_set_field_cut(ev, IQ_F_TEXT, jstr(u, "body"));
    if (!r && sev)
        r = iq_event_set_str(ev, IQ_F_SEVERITY, sev);
    if (!r && jstr(inc, "impact"))
        r = iq_event_set_label(ev, "impact", jstr(inc, "impact"));
    if (!r && jstr(inc, "status"))
        r = iq_event_set_label(ev, "status", jstr(inc, "status"));
    if (!r && c->page_id)
        r = iq_event_set_label(ev, "page_id", c->page_id);
    if (!r)
        r = sp_update_labels(ev, inc, u);
    if (!r && iq_event_set_raw_json(ev, u) == -ENOMEM)
        r = -ENOMEM;
    if (r < 0) {
        iq_event_destroy(&ev);
        return r;
    }
    return sp_add(c, &ev, where);
}

static int sp_component(struct sp_ctx *c, const json_t *inc, const json_t *u, const json_t *comp,
                        const char *key, const char *where)
{
    const char *code = jstr(comp, "code"), *name = jstr(comp, "name");
    const char *old = jstr(comp, "old_status"), *new = jstr(comp, "new_status");
    struct iq_event *ev;
    char id[IQ_ID_MAX + 64], title[600];
    int r;

    if (!code || !name || !new)
        return sp_fail(c, "%s: a component needs 'code', 'name' and 'new_status'", where);
    if (!(ev = iq_event_new()))
        return -ENOMEM;
    snprintf(id, sizeof(id), "component:%s:%s:%s", jstr(inc, "id"), jstr(u, "id"), code);
    snprintf(title, sizeof(title), "%.200s: %.60s -> %.60s", name, old ? old : "unknown", new);
    r = set_common(ev, inc, key, update_time(u));
    r = r ? r : iq_event_set_str(ev, IQ_F_ID, id);
    r = r ? r : iq_event_set_str(ev, IQ_F_ACTION, map_action(new, component_actions));
    r = r ? r : ana_set_field_cut(ev, IQ_F_SERVICE, name);
    r = r ? r : ana_set_field_cut(ev, IQ_F_TITLE, title);
    r = r ? r : iq_event_set_label(ev, "component", name);
    r = r ? r : iq_event_set_label(ev, "component_id", code);
    r = r ? r : iq_event_set_label(ev, "new_status", new);
    if (!r && old)
        r = iq_event_set_label(ev, "old_status", old);
    if (!r && component_severity(new))
        r = iq_event_set_str(ev, IQ_F_SEVERITY, component_severity(new));
    if (!r && c->page_id)
        r = iq_event_set_label(ev, "page_id", c->page_id);
    if (r < 0) {
        iq_event_destroy(&ev);
        return -ENOMEM;
    }
    return sp_add(c, &ev, where);
}

static int cmp_update(const void *a, const void *b)
{
    int64_t x = update_time(*(const json_t *const *)a), y = update_time(*(const json_t *const *)b);

    return x < y ? -1 : x > y;
}

/* Has a component of this code appeared in an update before (index < k)? */
static bool seen_before(const json_t **ups, size_t k, const char *code)
{
    for (size_t i = 0; i < k; i++) {
        size_t j;
        const json_t *cmp;

        json_array_foreach(json_object_get(ups[i], "affected_components"), j, cmp)
            if (jstr(cmp, "code") && strcmp(jstr(cmp, "code"), code) == 0)
                return true;
    }
    return false;
}

static int sp_components(struct sp_ctx *c, const json_t *inc, const json_t **ups, size_t k,
                         const char *key, const char *where)
{
    const json_t *list = json_object_get(ups[k], "affected_components"), *cmp;
    char w[400];
    size_t j;
    int r;

    if (list && !json_is_array(list) && !json_is_null(list))
        return sp_fail(c, "%s: 'affected_components' is not an array", where);
    json_array_foreach(list, j, cmp) {
        const char *code = jstr(cmp, "code"), *old = jstr(cmp, "old_status");
        const char *new = jstr(cmp, "new_status");

        if (snprintf(w, sizeof(w), "%.200s.affected_components[%zu]", where, j) < 0)
            return -EINVAL;
        if (!json_is_object(cmp))
            return sp_fail(c, "%s: not an object", w);
        if (code && old && new && strcmp(old, new) == 0 && seen_before(ups, k, code))
            continue;
        if ((r = sp_component(c, inc, ups[k], cmp, key, w)) < 0)
            return r;
    }
    return 0;
}

static int sp_incident(struct sp_ctx *c, const json_t *inc, size_t ix)
{
    const json_t *updates = json_object_get(inc, "incident_updates"), *u, **ups = NULL;
    const char *iid = jstr(inc, "id");
    char key[IQ_ID_MAX], where[160];
    size_t i, n = json_array_size(updates);
    int r = 0;

    if (!json_is_object(inc))
        return sp_fail(c, "incidents[%zu]: not an object", ix);
    if (!iid || !*iid || strlen(iid) > 64)
        return sp_fail(c, "incidents[%zu]: no 'id' (a string of 1-64 bytes)", ix);
    if (!json_is_array(updates))
        return sp_fail(c, "incidents[%zu] (%s): 'incident_updates' is not an array", ix, iid);
    if (n == 0)
        return 0;
    if (!(ups = calloc(n, sizeof(*ups))))
        return -ENOMEM;
    json_array_foreach(updates, i, u) {
        snprintf(where, sizeof(where), "incidents[%zu].incident_updates[%zu]", ix, i);
        if (!json_is_object(u) || !jstr(u, "id") || strlen(jstr(u, "id")) > 64) {
            r = sp_fail(c, "%s: not an object with an 'id' of at most 64 bytes", where);
            goto out;
        }
        if (update_time(u) == IQ_TIME_NONE) {
            r = sp_fail(c, "%s: no 'display_at' or 'created_at' RFC 3339 time", where);
            goto out;
        }
        ups[i] = u;
    }
    qsort(ups, n, sizeof(*ups), cmp_update);
    snprintf(key, sizeof(key), "statuspage:%s", iid);
    for (i = 0; i < n; i++) {
        snprintf(where, sizeof(where), "incidents[%zu] (%s) update %s", ix, iid, jstr(ups[i], "id"));
        if ((r = sp_update(c, inc, ups[i], key, where)) < 0 ||
            (r = sp_components(c, inc, ups, i, key, where)) < 0)
            goto out;
    }
out:
    free(ups);
    return r;
}

int ana_import_statuspage(const json_t *doc, const char *origin, struct iq_evvec *out,
                          char *err, size_t errsz)
{
    struct sp_ctx c = { .origin = origin ? origin : "statuspage", .err = err, .errsz = errsz };
    const json_t *incs = json_object_get(doc, "incidents"), *inc;
    size_t i;
    int r = 0;

    if (!json_is_object(doc) || !json_is_array(incs))
        return sp_fail(&c, "not a Statuspage incidents document (no \"incidents\" array)");
    c.page_id = jstr(json_object_get(doc, "page"), "id");
    json_array_foreach(incs, i, inc)
        if ((r = sp_incident(&c, inc, i)) < 0)
            goto out;
    r = (int)c.out.n;
    if (ana_evvec_move(out, &c.out) < 0)
        r = -ENOMEM;
out:
    if (r == -ENOMEM)
        snprintf(err, errsz, "%s: out of memory", c.origin);
    iq_evvec_clear(&c.out);
    return r;
}

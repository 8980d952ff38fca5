/* rnd_draft_store.c - the draft of an incident kept in a store.
 *
 * Reads the incident and its member events through the correlator's
 * cor_incident_* calls, adds the events of its trigger candidates (deploys
 * and changes before the impact, which are not members but belong in the
 * timeline and the Trigger section) and its audit notes (the manual
 * changes and who made them), sorts everything by (at, id), looks
 * up the display names of the Slack users acting in them, and renders with
 * rnd_draft_render.
 *
 * Names: a slack-export import stores one directory entry per user of
 * users.json, an event with the id "slack:user:ID" and the label
 * user_name (analyze/ana_import_slack.c).  Looking a user up is one read
 * by id, so only the users the draft shows cost anything. */
#include "rnd_draft.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_query.h"
#include "cor_incident.h"
#include "store.h"
#include "iq_event.h"
#include "rnd_people.h"

static int cmp_events(const void *x, const void *y)
{
    const struct iq_event *a = *(struct iq_event *const *)x, *b = *(struct iq_event *const *)y;

    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return strcmp(iq_ev_id(a), iq_ev_id(b));
}

static bool member(struct iq_event *const *evs, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(iq_ev_id(evs[i]), id) == 0)
            return true;
    return false;
}

/* Append event id to *evs (room reserved) unless it is a member or no
 * longer stored: a candidate or note gone from the store is shown
 * without its event. */
static void add_one(struct store *st, const char *id, struct iq_event **evs, size_t *n)
{
    struct iq_event *ev;

    if (id && !member(evs, *n, id) && store_get_event(st, id, &ev) == 0)
        evs[(*n)++] = ev;
}

/* Append to *evs the events the incident names but does not hold as
 * members: its trigger candidates' deploys and changes, and the audit
 * notes applied to it (`overrides`: merge, split, set, class), so the
 * timeline and the evidence show who made each manual change. */
static int add_related(struct store *st, const json_t *inc, struct iq_event ***evs, size_t *n)
{
    const json_t *cands = json_object_get(inc, "trigger_candidates");
    const json_t *notes = json_object_get(inc, "overrides"), *c;
    size_t k = json_array_size(cands) + json_array_size(notes), i;
    struct iq_event **nv;

    if (!k)
        return 0;
    if (!(nv = realloc(*evs, (*n + k) * sizeof(*nv))))
        return -ENOMEM;
    *evs = nv;
    json_array_foreach(cands, i, c)
        add_one(st, json_string_value(json_object_get(c, "event")), *evs, n);
    json_array_foreach(notes, i, c)
        add_one(st, json_string_value(c), *evs, n);
    return 0;
}

int rnd_draft_load(struct store *st, const char *id, json_t **ret_inc,
                   struct iq_event ***ret_evs, size_t *ret_n, char *err, size_t errsz)
{
    struct iq_event **evs = NULL;
    json_t *inc = NULL;
    size_t n = 0;
    int r;

    if ((r = cor_incident_load(st, id, &inc)) < 0) {
        snprintf(err, errsz, r == -ENOENT ? "no incident '%.200s'" : "incident '%.200s': %s", id,
                 strerror(-r));
        return r;
    }
    if ((r = cor_incident_events(st, id, &evs, &n)) < 0) {
        snprintf(err, errsz, "events of incident '%.200s': %s", id, strerror(-r));
        goto out;
    }
    if ((r = add_related(st, inc, &evs, &n)) < 0) {
        snprintf(err, errsz, "out of memory");
        goto out;
    }
    if (n)
        qsort(evs, n, sizeof(*evs), cmp_events);
    *ret_inc = inc;
    *ret_evs = evs;
    *ret_n = n;
    inc = NULL;
    evs = NULL;
    n = 0;
out:
    cor_events_free(&evs, n);
    json_decref(inc);
    return r;
}

void rnd_draft_events_free(struct iq_event ***pevs, size_t n)
{
    cor_events_free(pevs, n);
}

int rnd_draft_recurrence(struct store *st, const json_t *inc, json_t **ret, char *err,
                         size_t errsz)
{
    const char *id = json_string_value(json_object_get(inc, "id"));
    int r = ana_recurrence(st, inc, ret);

    if (r == -ENOENT) {
        *ret = NULL;
        return 0;
    }
    if (r < 0)
        snprintf(err, errsz, "incident %s: recurrence: %s", id ? id : "?", strerror(-r));
    return r;
}

/* The stored directory name of Slack user id, or NULL (*ret_r < 0 on error). */
static char *stored_name(struct store *st, const char *id, int *ret_r)
{
    char key[96];
    struct iq_event *ev = NULL;
    const char *name;
    char *copy = NULL;
    int r;

    snprintf(key, sizeof(key), "slack:user:%s", id);
    r = store_get_event(st, key, &ev);
    *ret_r = r == -ENOENT || r == -EINVAL ? 0 : r;   /* absent, or unreadable: not named */
    if (r < 0)
        return NULL;
    name = iq_event_label(ev, "user_name");
    if (name && *name && !(copy = strdup(name)))
        *ret_r = -ENOMEM;
    iq_event_destroy(&ev);
    return copy;
}

int rnd_draft_people(struct store *st, struct iq_event *const *evs, size_t n,
                     const json_t *configured, json_t **ret)
{
    json_t *dir = json_is_object(configured) ? json_deep_copy(configured) : json_object();
    int r = 0;

    if (!dir)
        return -ENOMEM;
    for (size_t i = 0; i < n && r == 0; i++) {
        const char *a = evs[i]->str[IQ_F_ACTOR], *src = iq_ev_source(evs[i]);
        char *name;

        if (!a || !src || strcmp(src, "slack") != 0 || !rnd_people_is_slack_id(a) ||
            iq_event_label(evs[i], "user_name"))
            continue;
        if ((name = stored_name(st, a, &r)) && json_object_set_new(dir, a, json_string(name)) < 0)
            r = -ENOMEM;
        free(name);
    }
    if (r < 0) {
        json_decref(dir);
        return r;
    }
    *ret = dir;
    return 0;
}

int rnd_draft_doc_load(struct store *st, const char *id, const json_t *configured,
                       struct rnd_draft_doc *ret, char *err, size_t errsz)
{
    struct rnd_draft_doc d = { 0 };
    int r;

    if ((r = rnd_draft_load(st, id, &d.incident, &d.evs, &d.n, err, errsz)) < 0)
        return r;
    if ((r = rnd_draft_recurrence(st, d.incident, &d.recurrence, err, errsz)) < 0)
        goto fail;
    if ((r = rnd_draft_people(st, d.evs, d.n, configured, &d.people)) < 0) {
        snprintf(err, errsz, "incident %s: names of chat users: %s", id, strerror(-r));
        goto fail;
    }
    *ret = d;
    return 0;
fail:
    rnd_draft_doc_free(&d);
    return r;
}

void rnd_draft_doc_free(struct rnd_draft_doc *d)
{
    rnd_draft_events_free(&d->evs, d->n);
    json_decref(d->incident);
    json_decref(d->recurrence);
    json_decref(d->people);
    memset(d, 0, sizeof(*d));
}

int rnd_draft_from_store(struct store *st, const char *id, const struct rnd_draft_opts *o,
                         char **ret, size_t *ret_len, char *err, size_t errsz)
{
    struct rnd_draft_opts with = *o;
    struct rnd_draft_doc d;
    int r = rnd_draft_doc_load(st, id, o->people, &d, err, errsz);

    if (r < 0)
        return r;
    with.recurrence = d.recurrence;
    with.people = d.people;
    r = rnd_draft_render(d.incident, d.evs, d.n, &with, ret, ret_len, err, errsz);
    rnd_draft_doc_free(&d);
    return r;
}

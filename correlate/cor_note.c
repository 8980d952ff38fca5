/* cor_note.c - build audit notes from a note request (see cor_note.h),
 * and check an attach against the store.
 *
 * The CLI commands (cli/cli_incident_note.c, cli/cli_class.c) turn their
 * arguments into a request object and the daemon's notes route
 * (cor_api.c) parses one from a body; both end here, so a note is
 * validated the same way whichever path it takes.  Each action has one row
 * in a const table: the keys it takes and the function that checks them
 * and fills labels.  This file holds the correlator's rows (merge, split,
 * set, attach: the notes cor_notes.c applies) and the common part; a stage
 * above adds its own table (analyze/ana_note.c: class) and the caller
 * passes every table it knows.
 *
 * Ids: notes are "inquest-note-<ms>-<random>-<action>" unless their row's
 * fill sets another (analyze's class notes, docs/analysis.md).  The
 * random part (libsodium) keeps two notes made in the same millisecond, by
 * the same daemon, from being taken for one another's duplicate. */
#include "cor_note.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "cor_incident.h"
#include "store.h"
#include "iq_event.h"
#include "iq_time.h"

static const char *const settable[] = { "impact_start", "detected", "acknowledged", "identified",
                                        "mitigated", "resolved", "title", NULL };

const char *cor_note_str(const json_t *req, const char *key)
{
    return json_string_value(json_object_get(req, key));
}

static int fill_merge(struct iq_event *ev, const json_t *req, char *err, size_t errsz)
{
    const char *other = cor_note_str(req, "other");

    if (!other || !*other) {
        snprintf(err, errsz, "merge: 'other' (the incident merged into this one) is required");
        return -EINVAL;
    }
    if (strcmp(other, iq_event_label(ev, "incident")) == 0) {
        snprintf(err, errsz, "merge: cannot merge %.64s into itself", other);
        return -EINVAL;
    }
    return iq_event_set_label(ev, "other", other);
}

static int fill_split(struct iq_event *ev, const json_t *req, char *err, size_t errsz)
{
    const char *at = cor_note_str(req, "at"), *svc = cor_note_str(req, "service");
    char ts[IQ_TIME_STRLEN];
    int64_t t;

    if (!at == !svc) {
        snprintf(err, errsz, "split: give exactly one of 'at' (a time) and 'service'");
        return -EINVAL;
    }
    if (svc)
        return iq_event_set_label(ev, "split_service", svc);
    if (iq_time_parse_arg(at, &t) < 0) {
        snprintf(err, errsz, "split: 'at': not an RFC 3339 time: \"%.64s\"", at);
        return -EINVAL;
    }
    iq_time_format(t, ts, sizeof(ts));
    return iq_event_set_label(ev, "at", ts);
}

static int fill_set(struct iq_event *ev, const json_t *req, char *err, size_t errsz)
{
    const char *field = cor_note_str(req, "field"), *value = cor_note_str(req, "value");
    int64_t t;
    int i;

    for (i = 0; field && settable[i] && strcmp(settable[i], field) != 0; i++)
        ;
    if (!field || !settable[i]) {
        snprintf(err, errsz, "set: unknown field \"%.32s\" (milestones: impact_start, detected, "
                 "acknowledged, identified, mitigated, resolved; or title)", field ? field : "");
        return -EINVAL;
    }
    if (!value) {
        snprintf(err, errsz, "set: 'value' (an RFC 3339 time, null, or the title) is required");
        return -EINVAL;
    }
    if (strcmp(field, "title") != 0 && strcmp(value, "null") != 0 &&
        iq_time_parse_rfc3339(value, strlen(value), &t) < 0) {
        snprintf(err, errsz, "set: %s: not an RFC 3339 time or null: \"%.64s\"", field, value);
        return -EINVAL;
    }
    if (iq_event_set_label(ev, "field", field) < 0 || iq_event_set_label(ev, "value", value) < 0)
        return -ENOMEM;
    return 0;
}

static int fill_attach(struct iq_event *ev, const json_t *req, char *err, size_t errsz)
{
    const char *event = cor_note_str(req, "event");

    if (!event || !*event) {
        snprintf(err, errsz, "attach: 'event' (the id of the stored event to attach) is required");
        return -EINVAL;
    }
    if (strlen(event) >= IQ_ID_MAX) {
        snprintf(err, errsz, "attach: 'event' is longer than an event id can be");
        return -EINVAL;
    }
    return iq_event_set_label(ev, "event", event);
}

const struct cor_note_action cor_note_actions[] = {
    { "merge", " other ", true, fill_merge },
    { "split", " at service ", true, fill_split },
    { "set", " field value ", true, fill_set },
    { "attach", " event ", true, fill_attach },
    { NULL, NULL, false, NULL },
};

/* Is every key of req one that action a takes, with a string value? */
static int check_keys(const struct cor_note_action *a, const json_t *req, char *err, size_t errsz)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)req, key, v) {
        char pat[72];

        snprintf(pat, sizeof(pat), " %.64s ", key);
        if (strcmp(key, "action") != 0 && strcmp(key, "actor") != 0 && !strstr(a->keys, pat)) {
            snprintf(err, errsz, "%s: unknown key '%.64s' (takes%s)", a->name, key, a->keys);
            return -EINVAL;
        }
        if (!json_is_string(v)) {
            snprintf(err, errsz, "%s: '%.64s' must be a string", a->name, key);
            return -EINVAL;
        }
    }
    return 0;
}

/* The common fields of every note: id, source, kind, action, title,
 * service when the action's row asks for it. */
static int base(struct iq_event *ev, const struct cor_note_action *a, const char *incident,
                const char *by, const char *actor)
{
    const char *action = a->name;
    char nid[96], title[160];

    snprintf(nid, sizeof(nid), "inquest-note-%lld-%08x-%s", (long long)ev->at,
             (unsigned)randombytes_random(), action);
    snprintf(title, sizeof(title), "%s %.64s", action, incident);
    if (iq_event_set_str(ev, IQ_F_ID, nid) < 0 || iq_event_set_str(ev, IQ_F_SOURCE,
                                                                    IQ_AUDIT_SOURCE) < 0 ||
        iq_event_set_str(ev, IQ_F_KIND, "note") < 0 || iq_event_set_str(ev, IQ_F_ACTION, action) < 0 ||
        iq_event_set_str(ev, IQ_F_TITLE, title) < 0 || iq_event_set_label(ev, "incident", incident) < 0)
        return -ENOMEM;
    if (a->audit_service && iq_event_set_str(ev, IQ_F_SERVICE, IQ_AUDIT_SOURCE) < 0)
        return -ENOMEM;
    if (by && iq_event_set_label(ev, "by", by) < 0)
        return -ENOMEM;
    if (actor && *actor && iq_event_set_str(ev, IQ_F_ACTOR, actor) < 0)
        return -ENOMEM;
    return 0;
}

/* The row of action name in tables, or NULL. */
static const struct cor_note_action *find(const struct cor_note_action *const *tables,
                                          const char *name)
{
    for (size_t t = 0; name && tables[t]; t++)
        for (const struct cor_note_action *a = tables[t]; a->name; a++)
            if (strcmp(a->name, name) == 0)
                return a;
    return NULL;
}

/* "'action' must be A, B or C", from the names of tables. */
static void unknown_action(const struct cor_note_action *const *tables, char *err, size_t errsz)
{
    size_t n = 0, i = 0, len;

    for (size_t t = 0; tables[t]; t++)
        for (const struct cor_note_action *a = tables[t]; a->name; a++)
            n++;
    len = (size_t)snprintf(err, errsz, "'action' must be");
    for (size_t t = 0; tables[t]; t++)
        for (const struct cor_note_action *a = tables[t]; a->name && len < errsz; a++, i++)
            len += (size_t)snprintf(err + len, errsz - len, "%s %s",
                                    i == 0 ? "" : i + 1 == n ? " or" : ",", a->name);
}

int cor_note_build(const struct cor_note_action *const *tables, const char *incident,
                   const json_t *req, const char *by, struct iq_event **ret, char *err,
                   size_t errsz)
{
    const char *name = json_is_object(req) ? cor_note_str(req, "action") : NULL;
    const struct cor_note_action *a = find(tables, name);
    struct iq_event *ev = NULL;
    int r = -EINVAL;

    if (!a) {
        unknown_action(tables, err, errsz);
        return -EINVAL;
    }
    if (!incident || !*incident) {
        snprintf(err, errsz, "%s: no incident named", a->name);
        return -EINVAL;
    }
    if ((r = check_keys(a, req, err, errsz)) < 0)
        return r;
    if (!(ev = iq_event_new()))
        return -ENOMEM;
    ev->at = iq_time_now_ms();
    if ((r = base(ev, a, incident, by, cor_note_str(req, "actor"))) < 0 ||
        (r = a->fill(ev, req, err, errsz)) < 0)
        goto out;
    if ((r = iq_event_validate(ev, err, errsz)) < 0)
        goto out;
    *ret = ev;
    ev = NULL;
out:
    if (r == -ENOMEM)
        snprintf(err, errsz, "out of memory");
    iq_event_destroy(&ev);
    return r;
}

/* Is event_id in the incident's member list (event_ids)? */
static bool has_member(const json_t *inc, const char *event_id)
{
    size_t k;
    json_t *v;

    json_array_foreach(json_object_get(inc, "event_ids"), k, v)
        if (json_is_string(v) && strcmp(json_string_value(v), event_id) == 0)
            return true;
    return false;
}

int cor_note_check_attach(struct store *st, const char *incident, const char *event_id,
                          char *err, size_t errsz)
{
    struct iq_event *ev = NULL;
    json_t *list = NULL, *inc;
    size_t i;
    int r = store_get_event(st, event_id, &ev);

    if (r == -ENOENT || r == -EINVAL)
        snprintf(err, errsz, "no event \"%.64s\"%s", event_id,
                 r == -EINVAL ? " (its stored value is damaged)" : "");
    if (r == -EINVAL)
        r = -ENOENT;
    if (r < 0)
        return r;
    if (iq_event_is_audit_note(ev)) {
        snprintf(err, errsz, "attach: %.64s is an audit note, not evidence", event_id);
        r = -EINVAL;
    }
    iq_event_destroy(&ev);
    if (r < 0 || (r = cor_incident_list(st, IQ_TIME_NONE, &list)) < 0)
        return r;
    json_array_foreach(list, i, inc) {
        const char *id = json_string_value(json_object_get(inc, "id"));
        const char *opener = json_string_value(json_object_get(inc, "opened_by"));

        if (!id)
            continue;
        if (opener && strcmp(opener, event_id) == 0 && strcmp(id, incident) != 0) {
            snprintf(err, errsz, "attach: %.64s opened incident %.40s, which is named after it "
                     "and cannot lose it (merge the incidents instead)", event_id, id);
            r = -EINVAL;
        } else if (strcmp(id, incident) == 0 && has_member(inc, event_id)) {
            snprintf(err, errsz, "attach: %.64s is already a member of %.40s", event_id, id);
            r = -EINVAL;
        }
        if (r < 0)
            break;
    }
    json_decref(list);
    return r;
}

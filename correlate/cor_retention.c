/* cor_retention.c - what retention keeps: the events, notes and raw
 * payloads that stored incidents still need (contract in cor_retention.h).
 *
 * Design notes.
 * - The kept set is built from the incidents family before the pass: the
 *   "t" index gives every incident's span without parsing; only the
 *   incidents that keep something (open, or closed after a cutoff) are
 *   loaded.  From each: event_ids, opened_by, the milestones' and the
 *   trigger candidates' events, and the audit notes it applied
 *   (overrides).  Audit notes that name a kept incident ("incident" or
 *   "other" label) are kept too, even ones the incident does not list
 *   (class notes are applied by analyze/), so that a rebuild after the
 *   pass gives the kept incidents back as they were.
 * - The maps borrow their keys from the loaded incidents, which live until
 *   the pass ends.  The keep callback runs with the store locked against
 *   writers and only reads the maps.
 * - The correlator's live rebuilds may change incidents while the pass
 *   runs; the daemon waits for it to be idle before a pass and asks for a
 *   full rebuild after one that removed events. */
#include "cor_retention.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cor_incident.h"
#include "cor_map.h"
#include "cor_store.h"
#include "iq_conf.h"
#include "iq_event.h"
#include "iq_time.h"

#define OFF(f) offsetof(struct cor_retention_config, f)

static const struct iq_conf_item retention_conf[] = {
    { "raw_after", IQ_CONF_DURATION, OFF(raw_after), "0", 0, 100LL * 365 * 86400000,
      "drop the raw payload (the source's original JSON) of events older than this, keeping "
      "the event itself; 0: never" },
    { "events_after", IQ_CONF_DURATION, OFF(events_after), "0", 0, 100LL * 365 * 86400000,
      "remove events older than this, with the incidents they make up once those closed this "
      "long ago (never those of an incident still open); 0: never" },
    { "interval", IQ_CONF_DURATION, OFF(interval), "1h", 1000, 7LL * 86400000,
      "time between inquestd's retention passes (the first one an interval after start); "
      "POST /api/v1/admin/retention runs one at once" },
    { NULL, 0, 0, NULL, 0, 0, NULL },
};

enum { TAG_EVENT = 0, TAG_INCIDENT = 1 };

int cor_retention_config_load(const json_t *section, struct cor_retention_config *ret,
                              char *err, size_t errsz)
{
    struct cor_retention_config c;
    char sub[IQ_ERR_MAX];

    iq_conf_defaults(retention_conf, &c);
    if (section && !json_is_null(section) &&
        iq_conf_apply(retention_conf, &c, section, sub, sizeof(sub)) < 0) {
        /* "config 'events_after': ..." -> "config 'retention.events_after': ...",
         * "config: unknown key 'x'" -> "config 'retention': unknown key 'x'" */
        if (strncmp(sub, "config '", 8) == 0)
            snprintf(err, errsz, "config 'retention.%s", sub + 8);
        else if (strncmp(sub, "config: ", 8) == 0)
            snprintf(err, errsz, "config 'retention': %s", sub + 8);
        else
            snprintf(err, errsz, "config 'retention': %s", sub);
        return -EINVAL;
    }
    if (c.raw_after > 0 && c.events_after > 0 && c.raw_after > c.events_after) {
        snprintf(err, errsz, "config 'retention.raw_after' is longer than "
                 "'retention.events_after': raw payloads go with their events; leave raw_after out");
        return -EINVAL;
    }
    *ret = c;
    return 0;
}

void cor_retention_print_sample(FILE *f, int indent)
{
    iq_conf_print_sample(f, retention_conf, indent);
}

/* The kept set of one pass. */
struct keep {
    struct cor_map ids;        /* TAG_EVENT: event id -> ING_KEEP_* bits */
    struct cor_map incs;       /* TAG_INCIDENT: incident id -> ING_KEEP_* bits */
    json_t *loaded;            /* the incidents whose strings the maps borrow */
};

static int add_id(struct keep *k, const char *id, int64_t flags)
{
    int64_t have = 0;

    if (!id)
        return 0;
    cor_map_get(&k->ids, TAG_EVENT, id, &have);
    return cor_map_put(&k->ids, TAG_EVENT, id, have | flags);
}

/* Every event an incident names: members, opener, milestones, trigger
 * candidates, applied notes. */
static int add_incident(struct keep *k, const json_t *inc, int64_t flags)
{
    const json_t *v, *m;
    const char *key;
    size_t i;
    int r = add_id(k, json_string_value(json_object_get(inc, "opened_by")), flags);

    json_array_foreach(json_object_get(inc, "event_ids"), i, v)
        r = r < 0 ? r : add_id(k, json_string_value(v), flags);
    json_array_foreach(json_object_get(inc, "overrides"), i, v)
        r = r < 0 ? r : add_id(k, json_string_value(v), flags);
    json_array_foreach(json_object_get(inc, "trigger_candidates"), i, v)
        r = r < 0 ? r : add_id(k, json_string_value(json_object_get(v, "event")), flags);
    json_object_foreach((json_t *)json_object_get(inc, "milestones"), key, m)
        r = r < 0 ? r : add_id(k, json_string_value(json_object_get(m, "event")), flags);
    return r;
}

/* Load the incidents that keep something at cutoffs eb (events) and rb
 * (raw payloads); *kept counts them. */
static int build(struct store *st, struct keep *k, int64_t eb, int64_t rb, size_t *kept)
{
    struct cor_span *sp = NULL;
    size_t n = 0;
    int r = cor_store_spans(st, &sp, &n);

    for (size_t i = 0; r == 0 && i < n; i++) {
        bool open = sp[i].closed_at == IQ_TIME_NONE;
        int64_t flags = (open || (eb != IQ_TIME_NONE && sp[i].closed_at >= eb) ? STORE_KEEP_EVENT : 0) |
                        (open || (rb != IQ_TIME_NONE && sp[i].closed_at >= rb) ? STORE_KEEP_RAW : 0);
        json_t *inc = NULL;

        if (!flags)
            continue;
        r = cor_incident_load(st, sp[i].id, &inc);
        if (r == -ENOENT) {          /* replaced by a rebuild since the spans were read */
            r = 0;
            continue;
        }
        if (r < 0 || (r = json_array_append_new(k->loaded, inc) < 0 ? -ENOMEM : 0) < 0)
            break;
        r = add_incident(k, inc, flags);
        if (r == 0)
            r = cor_map_put(&k->incs, TAG_INCIDENT,
                            json_string_value(json_object_get(inc, "id")), flags);
        (*kept)++;
    }
    free(sp);
    return r;
}

static unsigned keep_fn(void *ud, const struct iq_event *ev)
{
    const struct keep *k = ud;
    int64_t flags = 0, f;
    const char *inc;

    cor_map_get(&k->ids, TAG_EVENT, iq_ev_id(ev), &flags);
    if (iq_event_is_audit_note(ev)) {
        if ((inc = iq_event_label(ev, "incident")) && cor_map_get(&k->incs, TAG_INCIDENT, inc, &f))
            flags |= f;
        if ((inc = iq_event_label(ev, "other")) && cor_map_get(&k->incs, TAG_INCIDENT, inc, &f))
            flags |= f;
    }
    return (unsigned)flags;
}

int cor_retention_run(struct store *st, const struct cor_retention_config *c, int64_t now,
                      struct cor_retention_stats *ret)
{
    struct keep k = { .loaded = json_array() };
    struct cor_retention_stats s = { .events_before = IQ_TIME_NONE, .raw_before = IQ_TIME_NONE };
    struct store_retention rt;
    int r;

    if (!k.loaded)
        return -ENOMEM;
    if (c->events_after > 0)
        s.events_before = now - c->events_after;
    if (c->raw_after > 0)
        s.raw_before = now - c->raw_after;
    r = build(st, &k, s.events_before, s.raw_before, &s.incidents_kept);
    if (r == 0) {
        rt = (struct store_retention){ .events_before = s.events_before,
                                     .raw_before = s.raw_before, .keep = keep_fn,
                                     .keep_ud = &k, .compact = true };
        r = store_retain(st, &rt, &s.store);
    }
    cor_map_clear(&k.ids);
    cor_map_clear(&k.incs);
    json_decref(k.loaded);
    if (r == 0)
        *ret = s;
    return r;
}

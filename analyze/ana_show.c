/* ana_show.c - the failure classes of one stored incident, as `inquest
 * class show` prints them and GET /api/v1/classes/ID serves them (see
 * ana_classes.h, ana_classes_of).
 *
 * The incident is read from the store's incidents family; its member
 * events and every class note about it (all class notes share the
 * incident key ANA_CLASS_NOTE_KEY; the "incident" label tells them apart)
 * go to ana_classify with the time its impact started, so a decision set
 * by hand is applied whenever classes are computed. */
#include "ana_classes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_query.h"
#include "cor_incident.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_time.h"
#include "store.h"

static int on_note(void *ud, const char *val, size_t len)
{
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX];

    if (iq_event_decode(val, len, &ev, err, sizeof(err)) < 0)
        return 0;
    return iq_evvec_push(ud, &ev);
}

/* The incident's member events plus the class notes about it. */
static int gather(struct store *st, const json_t *inc, struct iq_evvec *l)
{
    struct store_filter sc = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE,
                               .incident_key = ANA_CLASS_NOTE_KEY };
    const char *id = json_string_value(json_object_get(inc, "id"));
    const json_t *v;
    size_t i, k = 0;
    int r;

    json_array_foreach(json_object_get(inc, "event_ids"), i, v) {
        struct iq_event *ev = NULL;

        if (json_is_string(v) && store_get_event(st, json_string_value(v), &ev) == 0 &&
            iq_evvec_push(l, &ev) < 0)
            return -ENOMEM;
    }
    k = l->n;
    if ((r = store_scan(st, &sc, on_note, l)) < 0)
        return r;
    for (i = k; i < l->n; i++) {
        const char *about = iq_event_label(l->v[i], "incident");

        if (!about || strcmp(about, id) != 0)
            iq_event_destroy(&l->v[i]);
        else
            l->v[k++] = l->v[i];
    }
    l->n = k;
    return 0;
}

int ana_classes_of(struct store *st, const struct ana_classes *c, const char *id, json_t **ret)
{
    struct iq_evvec l = { 0 };
    json_t *inc = NULL;
    const json_t *is;
    int64_t t;
    int r;

    if ((r = cor_incident_load(st, id, &inc)) < 0)
        return r;
    is = json_object_get(json_object_get(json_object_get(inc, "milestones"), "impact_start"),
                         "at");
    if (!json_is_string(is) ||
        iq_time_parse_rfc3339(json_string_value(is), strlen(json_string_value(is)), &t) < 0)
        t = IQ_TIME_NONE;
    if ((r = gather(st, inc, &l)) == 0)
        r = ana_classify(c, l.v, l.n, t, ret);
    iq_evvec_clear(&l);
    json_decref(inc);
    return r < 0 ? r : 0;
}

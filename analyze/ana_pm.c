/* ana_pm.c - the finished postmortems joined with the incidents queries
 * read: confirmed classes, action items per group, time to publish.
 *
 * A team that finished a postmortem knows better than the classifier:
 * the classes its front matter confirms replace the automatic ones (and
 * the analysts' class notes) for that incident, everywhere the analyzer
 * looks (`inquest query`, recurring failures, the Recurrence section of a
 * draft).  The records come from postmortem/ (pm_store_all), read once per
 * query.
 *
 * Design notes:
 * - Time to publish is from the incident's resolution (its resolved
 *   milestone, else its closing) to the postmortem's published_at; the
 *   incident's whole JSON is parsed only for incidents with a published
 *   postmortem.  A postmortem published before resolution counts as 0.
 * - An item counts once per group its incident is in, like the incident. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ana_query_int.h"
#include "iq_time.h"
#include "pm_follow.h"
#include "pm_recall.h"
#include "pm_store.h"

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

int ana_incs_attach_postmortems(struct ing_store *st, struct ana_incs *incs, bool classify)
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

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
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

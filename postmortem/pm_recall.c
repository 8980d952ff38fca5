/* pm_recall.c - the action items earlier postmortems promised, counted by
 * state and by strength (see pm_recall.h).
 *
 * The strength order is review/'s ladder (mechanism, tool, recovery,
 * containment, rule, checklist, promise), so "the open ones are a tool and
 * a promise" reads strongest first; an item the classifier could not
 * place ("unknown") comes last. */
#include "pm_recall.h"

#include <string.h>

#include "rev_rules.h"

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

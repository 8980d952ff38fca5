/* cor_expect.c - test helper: check incidents against a scenario's
 * expectations.
 *
 *   cor_expect EXPECTED.json ACTUAL.json
 * EXPECTED is {"incidents": [...]}, ACTUAL the array printed by
 * `inquest incidents --json` (opening order).  The counts must be equal and
 * every expected incident must be contained in the actual one at the same
 * position: objects member by member (members not named are not checked),
 * arrays element by element with equal lengths, scalars equal.  An
 * expected object {"$incident": N} stands for the id of actual incident N.
 * Also checks that every incident has every member the schema requires.
 * Prints each mismatch with its path; exit 0 when all match. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

static const char *const required[] = {
    "id", "title", "services", "components", "incident_keys", "severity", "status", "opened_at",
    "closed_at", "opened_by", "milestones", "durations", "impact", "counts", "trigger_candidates",
    "recurrence_of", "merged_from", "overrides", "event_ids", NULL
};

static int match(const json_t *exp, const json_t *act, const json_t *all, const char *path)
{
    char sub[512];
    int bad = 0;

    if (json_is_object(exp) && json_object_size(exp) == 1 && json_object_get(exp, "$incident")) {
        size_t n = (size_t)json_integer_value(json_object_get(exp, "$incident"));

        exp = json_object_get(json_array_get(all, n), "id");
    }
    if (json_is_object(exp)) {
        const char *k;
        json_t *v;

        if (!json_is_object(act)) {
            printf("%s: expected an object\n", path);
            return 1;
        }
        json_object_foreach((json_t *)exp, k, v) {
            snprintf(sub, sizeof(sub), "%s.%s", path, k);
            bad += match(v, json_object_get(act, k), all, sub);
        }
        return bad;
    }
    if (json_is_array(exp)) {
        if (!json_is_array(act) || json_array_size(act) != json_array_size(exp)) {
            printf("%s: expected an array of %zu, got %zu\n", path, json_array_size(exp),
                   json_array_size(act));
            return 1;
        }
        for (size_t i = 0; i < json_array_size(exp); i++) {
            snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
            bad += match(json_array_get(exp, i), json_array_get(act, i), all, sub);
        }
        return bad;
    }
    if (!act || !json_equal((json_t *)exp, (json_t *)act)) {
        char *e = json_dumps(exp, JSON_ENCODE_ANY), *a = act ? json_dumps(act, JSON_ENCODE_ANY) : NULL;

        printf("%s: expected %s, got %s\n", path, e ? e : "?", a ? a : "(missing)");
        free(e);
        free(a);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    json_error_t je;
    json_t *exp, *act;
    int bad = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: cor_expect EXPECTED.json ACTUAL.json\n");
        return 2;
    }
    exp = json_load_file(argv[1], 0, &je);
    act = json_load_file(argv[2], 0, &je);
    if (!json_is_object(exp) || !json_is_array(act)) {
        fprintf(stderr, "cor_expect: cannot read %s or %s: %s\n", argv[1], argv[2], je.text);
        return 2;
    }
    for (size_t i = 0; i < json_array_size(act); i++)
        for (int k = 0; required[k]; k++)
            if (!json_object_get(json_array_get(act, i), required[k])) {
                printf("incidents[%zu]: member %s missing\n", i, required[k]);
                bad++;
            }
    bad += match(json_object_get(exp, "incidents"), act, act, "incidents");
    json_decref(exp);
    json_decref(act);
    return bad ? 1 : 0;
}

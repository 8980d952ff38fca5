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
 *
 *   cor_expect --any INCIDENTS.json UNATTACHED.json EXPECTED.json...
 * For a corpus of situations replayed as one interleaved stream: each
 * EXPECTED file is {"incidents": [...], "unattached": [...]} for one
 * situation, in no particular order against the others.  Every expected
 * incident must be contained in exactly one actual incident of INCIDENTS
 * (the `inquest incidents --json` array) and no actual incident in two
 * expectations; the counts must be equal.  The same for "unattached"
 * against UNATTACHED (`inquest incidents --unattached --json`).
 *
 * Prints each mismatch with its path; exit 0 when all match. */
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <jansson.h>

static const char *const required[] = {
    "id", "title", "services", "components", "component_states", "incident_keys", "severity",
    "status", "lifecycle", "opened_at",
    "closed_at", "opened_by", "milestones", "durations", "impact", "counts", "trigger_candidates",
    "recurrence_of", "merged_from", "overrides", "event_ids", NULL
};

static bool quiet;           /* --any: trying candidates, mismatches not printed */

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
            if (!quiet)
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
            if (!quiet)
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

        if (!quiet)
            printf("%s: expected %s, got %s\n", path, e ? e : "?", a ? a : "(missing)");
        free(e);
        free(a);
        return 1;
    }
    return 0;
}

/* Does exp hold in act (the same containment as match, silently)? */
static int quiet_match(const json_t *exp, const json_t *act, const json_t *all)
{
    int bad;

    quiet = true;
    bad = match(exp, act, all, "");
    quiet = false;
    return bad;
}

/* Match the expectations of every file's member `what` against act, each
 * to exactly one actual element.  Returns the number of problems. */
static int match_any(const char *what, json_t *const *exps, int n, const json_t *act)
{
    size_t total = 0, na = json_array_size(act);
    char *used = calloc(na + 1, 1);
    int bad = 0;

    for (int f = 0; f < n; f++) {
        const json_t *list = json_object_get(exps[f], what), *e;
        size_t i;

        json_array_foreach(list, i, e) {
            size_t hits = 0, at = 0;

            total++;
            for (size_t k = 0; k < na; k++)
                if (quiet_match(e, json_array_get(act, k), act) == 0) {
                    hits++;
                    at = k;
                }
            if (hits != 1) {
                char *d = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);

                printf("%s: %s[%zu] of file %d matches %zu actual ones: %.300s\n", what, what, i,
                       f + 1, hits, d ? d : "?");
                free(d);
                bad++;
            } else if (used[at]++) {
                printf("%s: actual %s[%zu] matches two expectations\n", what, what, at);
                bad++;
            }
        }
    }
    if (total != na) {
        printf("%s: expected %zu, got %zu\n", what, total, na);
        bad++;
    }
    free(used);
    return bad;
}

static int main_any(int argc, char **argv)
{
    json_error_t je;
    json_t *incs = json_load_file(argv[2], 0, &je), *un = json_load_file(argv[3], 0, &je);
    json_t **exps = calloc((size_t)argc, sizeof(*exps));
    int n = 0, bad = 0;

    if (!json_is_array(incs) || !json_is_array(un) || !exps) {
        fprintf(stderr, "cor_expect: cannot read %s or %s: %s\n", argv[2], argv[3], je.text);
        return 2;
    }
    for (int i = 4; i < argc; i++) {
        exps[n] = json_load_file(argv[i], 0, &je);   /* json_is_object evaluates twice */
        if (!json_is_object(exps[n])) {
            fprintf(stderr, "cor_expect: %s: %s\n", argv[i], je.text);
            return 2;
        }
        n++;
    }
    bad += match_any("incidents", exps, n, incs);
    bad += match_any("unattached", exps, n, un);
    for (int i = 0; i < n; i++)
        json_decref(exps[i]);
    free(exps);
    json_decref(incs);
    json_decref(un);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    json_error_t je;
    json_t *exp, *act;
    int bad = 0;

    if (argc >= 5 && strcmp(argv[1], "--any") == 0)
        return main_any(argc, argv);
    if (argc != 3) {
        fprintf(stderr, "usage: cor_expect EXPECTED.json ACTUAL.json\n"
                        "       cor_expect --any INCIDENTS.json UNATTACHED.json EXPECTED.json...\n");
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

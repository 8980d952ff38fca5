/* sp_history_check.c - test helper: does an imported Statuspage history
 * give exactly one inquest incident per Statuspage incident?
 *
 *   sp_history_check HISTORY.json INCIDENTS.json
 * HISTORY is a Statuspage /api/v2/incidents.json document (the input of
 * `inquest import statuspage`), INCIDENTS the array `inquest incidents
 * --json` prints.  For every Statuspage incident that has updates, exactly
 * one inquest incident must hold its key "statuspage:ID"; that incident
 * must hold no other Statuspage key, and its impact_start must be the
 * incident's created_at (to the millisecond).  No inquest incident may be
 * left without a Statuspage key, nor be "resolved" without a resolved
 * milestone.  Prints one line per failure, then a
 * summary "statuspage incidents N, inquest incidents M, merged K, split S,
 * impact_start mismatches X" (the figures the correlator's notes quote);
 * exit 0 when everything holds, 1 otherwise, 2 on unreadable input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "iq_time.h"

/* created_at of a Statuspage incident as the correlator writes times. */
static int norm_time(const char *s, char *out, size_t size)
{
    int64_t t;

    if (!s || iq_time_parse_rfc3339(s, strlen(s), &t) < 0)
        return -1;
    iq_time_format(t, out, size);
    return 0;
}

/* Number of keys of incident inc starting with "statuspage:". */
static size_t sp_keys(const json_t *inc)
{
    const json_t *v;
    size_t i, n = 0;

    json_array_foreach(json_object_get(inc, "incident_keys"), i, v)
        n += json_is_string(v) && strncmp(json_string_value(v), "statuspage:", 11) == 0;
    return n;
}

/* Check one Statuspage incident; counts go to the summary. */
static int check_one(const json_t *sp, const json_t *incs, size_t *merged, size_t *split,
                     size_t *mism)
{
    const char *id = json_string_value(json_object_get(sp, "id"));
    char key[128], want[40];
    const json_t *hit = NULL, *inc, *v;
    size_t i, j, holders = 0;
    int bad = 0;

    snprintf(key, sizeof(key), "statuspage:%s", id ? id : "");
    json_array_foreach(incs, i, inc)
        json_array_foreach(json_object_get(inc, "incident_keys"), j, v)
            if (json_is_string(v) && strcmp(json_string_value(v), key) == 0) {
                holders++;
                hit = inc;
            }
    if (holders != 1) {
        printf("%s: held by %zu incidents\n", key, holders);
        *split += holders > 1;
        return 1;
    }
    if (sp_keys(hit) != 1) {
        printf("%s: incident %s holds %zu Statuspage keys\n", key,
               json_string_value(json_object_get(hit, "id")), sp_keys(hit));
        (*merged)++;
        bad = 1;
    }
    if (norm_time(json_string_value(json_object_get(sp, "created_at")), want, sizeof(want)) < 0) {
        printf("%s: no created_at\n", key);
        return 1;
    }
    v = json_object_get(json_object_get(json_object_get(hit, "milestones"), "impact_start"), "at");
    if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0) {
        printf("%s: impact_start %s, created_at %s\n", key,
               json_is_string(v) ? json_string_value(v) : "null", want);
        (*mism)++;
        bad = 1;
    }
    return bad;
}

int main(int argc, char **argv)
{
    json_error_t je;
    json_t *hist, *incs, *sp, *inc;
    size_t i, n_sp = 0, merged = 0, split = 0, mism = 0;
    int bad = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: sp_history_check HISTORY.json INCIDENTS.json\n");
        return 2;
    }
    hist = json_load_file(argv[1], 0, &je);
    incs = json_load_file(argv[2], 0, &je);
    if (!json_is_array(json_object_get(hist, "incidents")) || !json_is_array(incs)) {
        fprintf(stderr, "sp_history_check: cannot read %s or %s: %s\n", argv[1], argv[2], je.text);
        return 2;
    }
    json_array_foreach(json_object_get(hist, "incidents"), i, sp) {
        if (json_array_size(json_object_get(sp, "incident_updates")) == 0)
            continue;
        n_sp++;
        bad += check_one(sp, incs, &merged, &split, &mism);
    }
    json_array_foreach(incs, i, inc) {
        const char *st = json_string_value(json_object_get(inc, "status"));

        if (sp_keys(inc) == 0) {
            printf("incident %s holds no Statuspage key\n", json_string_value(json_object_get(inc, "id")));
            bad++;
        }
        if (st && strcmp(st, "resolved") == 0 &&
            json_is_null(json_object_get(json_object_get(inc, "milestones"), "resolved"))) {
            printf("incident %s is resolved without a resolved milestone\n",
                   json_string_value(json_object_get(inc, "id")));
            bad++;
        }
    }
    printf("statuspage incidents %zu, inquest incidents %zu, merged %zu, split %zu, "
           "impact_start mismatches %zu\n", n_sp, json_array_size(incs), merged, split, mism);
    if (n_sp != json_array_size(incs))
        bad++;
    json_decref(hist);
    json_decref(incs);
    return bad ? 1 : 0;
}

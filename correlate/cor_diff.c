/* cor_diff.c - what a rebuild would change, without writing.
 *
 * `inquest correlate --diff` answers "what would this rule change do to
 * history?": it computes the incidents in memory with the current config
 * and compares them, by id, with the stored ones.  One line per incident
 * added (+), removed (-) or changed (~), then one indented line per
 * changed top-level field, and per milestone for the milestones.  Works on
 * a store opened read-only, beside a running daemon. */
#include "cor_engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_incident.h"
#include "cor_store.h"
#include "iq_time.h"

static void print_value(FILE *out, const json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

    fprintf(out, "%.160s%s", s ? s : "?", s && strlen(s) > 160 ? "..." : "");
    free(s);
}

static void print_change(FILE *out, const char *path, const json_t *a, const json_t *b)
{
    fprintf(out, "    %s: ", path);
    print_value(out, a);
    fputs(" -> ", out);
    print_value(out, b);
    fputc('\n', out);
}

static void diff_fields(FILE *out, const json_t *old, const json_t *neu)
{
    const char *k;
    json_t *v;
    char path[96];

    json_object_foreach((json_t *)neu, k, v) {
        const json_t *o = json_object_get(old, k);

        if (json_equal((json_t *)o, v))
            continue;
        if (strcmp(k, "milestones") == 0 && json_is_object(o)) {
            const char *mk;
            json_t *mv;

            json_object_foreach(v, mk, mv) {
                if (json_equal(json_object_get(o, mk), mv))
                    continue;
                snprintf(path, sizeof(path), "milestones.%s", mk);
                print_change(out, path, json_object_get(o, mk), mv);
            }
            continue;
        }
        print_change(out, k, o, v);
    }
}

static const char *title_of(const json_t *inc)
{
    const char *t = json_string_value(json_object_get(inc, "title"));

    return t ? t : "";
}

int cor_engine_diff(struct store *st, const struct cor_config *cfg, int64_t since, FILE *out)
{
    struct cor_result res = { 0 };
    json_t *stored = NULL, *seen = json_object(), *byid = json_object(), *v;
    size_t i;
    int r, changed = 0;

    if (!seen || !byid) {
        r = -ENOMEM;
        goto out;
    }
    if ((r = cor_engine_compute(st, cfg, since, IQ_TIME_NONE, &res)) < 0 ||
        (r = cor_incident_list(st, res.from, &stored)) < 0)
        goto out;
    json_array_foreach(stored, i, v) {
        const char *id = json_string_value(json_object_get(v, "id"));

        if (id)
            json_object_set(byid, id, v);
    }
    for (i = 0; i < res.n; i++) {
        const char *id = res.spans[i].id;
        json_t *old = json_object_get(byid, id);
        json_t *inc = json_loads(res.texts[i], 0, NULL);

        if (!inc) {
            r = -ENOMEM;
            goto out;
        }
        json_object_set_new(seen, id, json_true());
        if (!old) {
            fprintf(out, "+ %s  %s\n", id, title_of(inc));
            changed++;
        } else if (!json_equal(old, inc)) {
            fprintf(out, "~ %s  %s\n", id, title_of(inc));
            diff_fields(out, old, inc);
            changed++;
        }
        json_decref(inc);
    }
    json_array_foreach(stored, i, v) {
        const char *id = json_string_value(json_object_get(v, "id"));

        if (id && !json_object_get(seen, id)) {
            fprintf(out, "- %s  %s\n", id, title_of(v));
            changed++;
        }
    }
    r = changed;
out:
    cor_result_free(&res);
    json_decref(stored);
    json_decref(seen);
    json_decref(byid);
    return r;
}

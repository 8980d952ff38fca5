/* json.c - JSON parse and compact dump, jansson against iq_json, on
 * one webhook body (by default the Alertmanager group of two alerts that
 * issue #3 profiles).
 *
 * For each library: parse the body N times (json_loadb with
 * JSON_REJECT_DUPLICATES, iq_json_parse), then dump each alert's object
 * N times as compact text (json_dumps with JSON_COMPACT | JSON_ENCODE_ANY,
 * iq_json_dump_compact), the work iq_event_set_raw_json does per event.
 * Prints microseconds per operation and the speed-up; checks on the way
 * that both parsers agree (json_equal) and both dumps are identical.
 *
 *   build/bench/json [N] [FILE]      (defaults: 20000, the fixture below,
 *                                     relative to the repository root) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "iq_json.h"
#include "iq_file.h"
#include "iq_paths.h"

#define FIXTURE "tests/data/webhooks/alertmanager/firing.group-2-alerts.json"

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* µs per parse of body with jansson (lib 0) or iq_json (lib 1). */
static double time_parse(int lib, const char *body, size_t len, long n)
{
    double t0 = now_us();

    for (long i = 0; i < n; i++) {
        json_t *j = NULL;

        if (lib == 0)
            j = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
        else
            iq_json_parse(body, len, 0, &j, NULL);
        if (!j)
            return -1;
        json_decref(j);
    }
    return (now_us() - t0) / (double)n;
}

/* µs per compact dump of each of root's "alerts" (one op = one alert), or
 * of root itself when it has none. */
static double time_dump(int lib, const json_t *root, long n)
{
    const json_t *alerts = json_object_get(root, "alerts");
    size_t k = json_is_array(alerts) ? json_array_size(alerts) : 0, items = k ? k : 1;
    double t0 = now_us();

    for (long i = 0; i < n; i++)
        for (size_t a = 0; a < items; a++) {
            const json_t *j = k ? json_array_get(alerts, a) : root;
            char *s = lib == 0 ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY)
                               : iq_json_dump_compact(j, NULL);

            if (!s)
                return -1;
            free(s);
        }
    return (now_us() - t0) / (double)(n * (long)items);
}

/* Both libraries must agree before their speed means anything. */
static int check_agree(const char *body, size_t len, json_t **ret_root)
{
    json_t *a = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL), *b = NULL;
    char *da, *db;
    int ok;

    iq_json_parse(body, len, 0, &b, NULL);
    da = a ? json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    db = b ? iq_json_dump_compact(b, NULL) : NULL;
    ok = a && b && json_equal(a, b) && da && db && strcmp(da, db) == 0;
    free(da);
    free(db);
    json_decref(b);
    if (!ok) {
        json_decref(a);
        return -1;
    }
    *ret_root = a;
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    const char *path = argc > 2 ? argv[2] : FIXTURE;
    double p[2], d[2];
    json_t *root = NULL;
    size_t len = 0;
    char *body = NULL;
    int rc = 1;

    if (iq_read_file(path, 1 << 24, &body, &len) < 0 || n <= 0) {
        fprintf(stderr, "usage: json [N] [FILE] (run from the repository root)\n");
        goto out;
    }
    if (check_agree(body, len, &root) < 0) {
        fprintf(stderr, "%s: jansson and iq_json disagree\n", path);
        goto out;
    }
    for (int lib = 0; lib < 2; lib++) {
        p[lib] = time_parse(lib, body, len, n);
        d[lib] = time_dump(lib, root, n);
    }
    printf("%s (%zu bytes), %ld rounds\n", path, len, n);
    printf("parse  jansson %8.2f us/op   iq_json %8.2f us/op   x%.2f\n", p[0], p[1], p[0] / p[1]);
    printf("dump   jansson %8.2f us/op   iq_json %8.2f us/op   x%.2f   (per alert, compact)\n",
           d[0], d[1], d[0] / d[1]);
    rc = 0;
out:
    json_decref(root);
    free(body);
    return rc;
}

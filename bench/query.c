/* query.c - cross-incident queries over 10,000 stored incidents.
 *
 * Writes N incidents (default 10,000; realistic shape: one to three
 * services of 40, a class of 15 stored by the correlator's hook, every
 * duration set or null) into the incidents family of a fresh RocksDB store
 * in a temp directory, then times, best of 5 runs each, ana_query_run
 * ungrouped and grouped by class, service, month and week, and
 * ana_query_recurring.  Target: a grouped query under 100 ms.  The store is
 * removed at the end.
 *
 *   build/bench/query [--incidents N] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_query.h"
#include "store.h"
#include "iq_time.h"

#include "bench_data.h"

/* Best of 5 runs of one query, in ms; -1 on error. */
static double time_query(struct store *st, enum ana_group g, bool recurring, size_t *groups)
{
    struct ana_query q = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE, .group = g };
    double best = -1;

    for (int run = 0; run < 5; run++) {
        int64_t t0 = iq_time_mono_ms();
        json_t *res = NULL;
        int r = recurring ? ana_query_recurring(st, NULL, &q, ANA_RECUR_WINDOW_MS, &res)
                          : ana_query_run(st, NULL, &q, &res);
        double ms = (double)(iq_time_mono_ms() - t0);

        if (r < 0)
            return -1;
        *groups = recurring ? json_array_size(res) : json_array_size(json_object_get(res, "groups"));
        json_decref(res);
        if (best < 0 || ms < best)
            best = ms;
    }
    return best;
}

int main(int argc, char **argv)
{
    static const struct { const char *name; enum ana_group g; bool rec; } qs[] = {
        { "ungrouped", ANA_GROUP_NONE, false }, { "group-by class", ANA_GROUP_CLASS, false },
        { "group-by service", ANA_GROUP_SERVICE, false }, { "group-by month", ANA_GROUP_MONTH, false },
        { "group-by week", ANA_GROUP_WEEK, false }, { "recurring 90d", ANA_GROUP_NONE, true },
    };
    struct store_opts o = { 0 };
    struct store *st = NULL;
    char dir[256], cmd[300];
    size_t n = 10000, groups = 0;
    int status = 0;

    if (argc == 3 && strcmp(argv[1], "--incidents") == 0)
        n = strtoul(argv[2], NULL, 10);
    snprintf(dir, sizeof(dir), "%s/iq-bench-query-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir) || store_open(dir, &o, &st) < 0) {
        fprintf(stderr, "bench/query: cannot create a store in %s\n", dir);
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (bench_put_incident(st, i) < 0) {
            fprintf(stderr, "bench/query: write failed\n");
            status = 1;
            goto out;
        }
    printf("%zu incidents\n", n);
    for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
        double ms = time_query(st, qs[k].g, qs[k].rec, &groups);

        if (ms < 0) {
            status = 1;
            break;
        }
        printf("%-18s %7.1f ms  (%zu %s)%s\n", qs[k].name, ms, groups,
               qs[k].rec ? "recurring pairs" : "groups",
               qs[k].g != ANA_GROUP_NONE && ms >= 100 ? "  OVER 100 ms" : "");
    }
out:
    store_close(&st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        status = 1;
    return status;
}

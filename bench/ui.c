/* ui.c - how long the web UI's pages take to render on the server.
 *
 *   build/bench/ui [--events N] [--incidents N] [--runs R] [--schemas DIR]
 * Fills two fresh RocksDB stores in a temp directory (removed at the end):
 *  - one incident of N events (default 10,000: bench_event's busy three
 *    days of alerts, pages, status page, deploys and chat), its events
 *    stored as the ingest stores them;
 *  - a history of N incidents (default 10,000: bench_put_incident, one to
 *    three services of 40, a stored class of 15).
 * Then renders each page through the UI's handler (rnd_ui_get, what the
 * daemon's HTTP threads call; no socket), once to warm the caches (its CPU
 * time is printed as "first": it includes classifying the incident's
 * events, which the taxonomy then remembers) and R times (default 3)
 * timed, wall (monotonic clock) and CPU (the calling thread's clock), next
 * to a baseline measured in the same run: the JSON
 * API's answer for the same data, through the same kind of call:
 *  - incident page  GET /ui/incidents/ID    vs GET /api/v1/incidents/ID/draft.json
 *                                             (rnd_api_draft_get: the same read
 *                                             and the draft's context)
 *  - query page     GET /ui/query           vs GET /api/v1/query?group_by=month and
 *                                             ?recurring=1 (ana_query_run,
 *                                             ana_query_recurring, as JSON)
 *  - list page      GET /ui/                vs GET /api/v1/query (every incident)
 * Prints median [min, max] of the R runs and the ratio page / baseline.
 * Target: the incident page and the query page under 100 ms; exit status
 * 0 when both medians are, CPU and wall (on a shared machine the wall time
 * also counts other processes' turns: the CPU verdict is the render's
 * own cost). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ana_query.h"
#include "http.h"
#include "http_access.h"
#include "rnd_api.h"
#include "rnd_ui.h"
#include "store.h"

#include "bench_data.h"

#define TARGET_MS 100.0
#define RUNS_MAX 100
#define INC_ID "inc-20261102-00000bec"   /* bench_incident's id */

enum job { J_INCIDENT, J_INCIDENT_BASE, J_QUERY, J_QUERY_BASE, J_LIST, J_LIST_BASE, J_N };

static const char *const job_names[J_N] = {
    "incident page", "  draft.json (base)", "query page", "  query API (base)", "list page",
    "  query API list (base)",
};

struct ctx {
    struct store *one;        /* the incident of N events */
    struct store *many;       /* the history of N incidents */
    struct rnd_ui *ui_one, *ui_many;
};

/* GET path (query may be NULL) through handler fn; the body size. */
static int get(int (*fn)(void *, const struct http_request *, struct http_response *), void *ud,
               const char *path, const char *query, size_t *size)
{
    struct http_caller who = { .name = "bench", .roles = HTTP_ROLE_READ };
    struct http_request rq = { .method = "GET", .path = path, .query = query, .caller = &who };
    struct http_response resp = { 0 };
    int r = fn(ud, &rq, &resp);

    if (r == 0 && resp.status != 200) {
        fprintf(stderr, "bench/ui: GET %s answered %d: %.300s\n", path, resp.status,
                resp.body ? resp.body : "");
        r = -1;
    }
    *size = resp.len;
    free(resp.body);
    return r;
}

static int draft_json(void *ud, const struct http_request *rq, struct http_response *resp)
{
    return rnd_api_draft_get(ud, NULL, NULL, rq, resp);
}

/* The query API's two answers for the analytics page's data. */
static int query_api(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct ana_query q = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE,
                           .group = ANA_GROUP_MONTH };
    struct http_response rec = { 0 };
    json_t *a = NULL, *b = NULL;
    int r;

    (void)rq;
    if ((r = ana_query_run(ud, NULL, &q, &a)) < 0 ||
        (r = ana_query_recurring(ud, NULL, &q, ANA_RECUR_WINDOW_MS, &b)) < 0 ||
        (r = http_reply_json(resp, 200, a)) < 0 || (r = http_reply_json(&rec, 200, b)) < 0)
        return r;
    resp->len += rec.len;
    free(rec.body);
    return 0;
}

/* The query API's ungrouped answer: every incident, as the list reads them. */
static int list_api(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct ana_query q = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE };
    json_t *a = NULL;
    int r;

    (void)rq;
    if ((r = ana_query_run(ud, NULL, &q, &a)) < 0)
        return r;
    return http_reply_json(resp, 200, a);
}

static int run(const struct ctx *c, enum job j, size_t *size)
{
    switch (j) {
    case J_INCIDENT: return get(rnd_ui_get, c->ui_one, "/ui/incidents/" INC_ID, NULL, size);
    case J_INCIDENT_BASE:
        return get(draft_json, c->one, "/api/v1/incidents/" INC_ID "/draft.json", NULL, size);
    case J_QUERY: return get(rnd_ui_get, c->ui_many, "/ui/query", NULL, size);
    case J_QUERY_BASE: return get(query_api, c->many, "/api/v1/query", NULL, size);
    case J_LIST: return get(rnd_ui_get, c->ui_many, "/ui/", NULL, size);
    default: return get(list_api, c->many, "/api/v1/query", NULL, size);
    }
}

/* The incident of n events into st: events through the store's batch
 * write, the incident JSON with its member ids. */
static int fill_one(struct store *st, size_t n)
{
    struct iq_event **evs = calloc(n, sizeof(*evs));
    uint8_t *out = calloc(n, 1);
    json_t *inc = NULL, *ids = json_array();
    char *text = NULL, key[64], err[IQ_ERR_MAX];
    int r = -ENOMEM;

    if (!evs || !out || !ids)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (!(evs[i] = bench_event(i, n)) || json_array_append_new(ids, json_string(iq_ev_id(evs[i]))) < 0)
            goto done;
        if ((r = iq_event_validate(evs[i], err, sizeof(err))) < 0) {
            fprintf(stderr, "bench/ui: event %zu: %s\n", i, err);
            goto done;
        }
    }
    if ((r = store_put_events(st, evs, n, out)) < 0)
        goto done;
    r = -ENOMEM;
    if (!(inc = bench_incident(evs, n)) || json_object_set(inc, "event_ids", ids) < 0 ||
        !(text = json_dumps(inc, JSON_COMPACT)))
        goto done;
    snprintf(key, sizeof(key), "i%s", INC_ID);
    r = store_kv_put(st, STORE_CF_INCIDENTS, key, strlen(key), text, strlen(text));
done:
    for (size_t i = 0; evs && i < n; i++)
        iq_event_destroy(&evs[i]);
    free(evs);
    free(out);
    free(text);
    json_decref(inc);
    json_decref(ids);
    return r;
}

static int open_store(const char *base, const char *name, struct store **ret)
{
    struct store_opts o = { 0 };
    char dir[512];

    snprintf(dir, sizeof(dir), "%s/%s", base, name);
    return store_open(dir, &o, ret);
}

/* Fill the stores and make a UI on each. */
static int setup(struct ctx *c, const char *dir, size_t events, size_t incidents)
{
    char err[IQ_ERR_MAX];
    int r;

    if ((r = open_store(dir, "one", &c->one)) < 0 || (r = open_store(dir, "many", &c->many)) < 0 ||
        (r = fill_one(c->one, events)) < 0)
        return r;
    for (size_t i = 0; i < incidents; i++)
        if ((r = bench_put_incident(c->many, i)) < 0)
            return r;
    if ((r = rnd_ui_new(c->one, NULL, NULL, &c->ui_one, err, sizeof(err))) < 0 ||
        (r = rnd_ui_new(c->many, NULL, NULL, &c->ui_many, err, sizeof(err))) < 0)
        return r;
    return 0;
}

static double thread_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Time job j runs times after a warm-up: medians into med (wall, cpu). */
static int measure(const struct ctx *c, enum job j, size_t runs, double med[2])
{
    double wall[RUNS_MAX], cpu[RUNS_MAX], first = thread_ms();
    size_t size = 0;

    if (run(c, j, &size) < 0)
        return -1;
    first = thread_ms() - first;
    for (size_t k = 0; k < runs; k++) {
        struct timespec w0, w1;
        double c0 = thread_ms();

        clock_gettime(CLOCK_MONOTONIC, &w0);
        if (run(c, j, &size) < 0)
            return -1;
        clock_gettime(CLOCK_MONOTONIC, &w1);
        cpu[k] = thread_ms() - c0;
        wall[k] = bench_ms(&w0, &w1);
    }
    qsort(wall, runs, sizeof(double), bench_cmp_double);
    qsort(cpu, runs, sizeof(double), bench_cmp_double);
    med[0] = wall[runs / 2];
    med[1] = cpu[runs / 2];
    printf("%-24s wall %7.2f ms [%.2f, %.2f]  cpu %7.2f ms [%.2f, %.2f]  %zu bytes  "
           "(first: cpu %.2f ms)\n", job_names[j], med[0], wall[0], wall[runs - 1], med[1], cpu[0],
           cpu[runs - 1], size, first);
    return 0;
}

static bool verdict(const char *page, const double m[2])
{
    bool ok = m[0] < TARGET_MS && m[1] < TARGET_MS;

    printf("target: %s under %.0f ms: %s (wall %.2f ms, cpu %.2f ms)\n", page, TARGET_MS,
           ok ? "met" : m[1] < TARGET_MS ? "met in CPU, NOT in wall (a busy machine?)" : "NOT MET",
           m[0], m[1]);
    return m[1] < TARGET_MS;
}

int main(int argc, char **argv)
{
    size_t events = 10000, incidents = 10000, runs = 3;
    double med[J_N][2];
    struct ctx c = { 0 };
    char dir[256], cmd[300];
    int status = 1;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--events") == 0)
            events = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--incidents") == 0)
            incidents = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0)
            runs = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--schemas") == 0)
            setenv("INQUEST_SCHEMAS", argv[i + 1], 1);
    }
    if (events < 20 || incidents == 0 || runs == 0 || runs > RUNS_MAX) {
        fprintf(stderr, "usage: ui [--events N>=20] [--incidents N>0] [--runs 1..100] "
                        "[--schemas DIR]\n");
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s/iq-bench-ui-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir) || setup(&c, dir, events, incidents) < 0) {
        fprintf(stderr, "bench/ui: cannot fill the stores in %s\n", dir);
        goto out;
    }
    printf("web UI pages: an incident of %zu events, a history of %zu incidents; %zu runs each "
           "after a warm-up (median [min, max])\n", events, incidents, runs);
    for (int j = 0; j < J_N; j++)
        if (measure(&c, (enum job)j, runs, med[j]) < 0)
            goto out;
    printf("ratio incident page / draft.json: wall %.2f, cpu %.2f\n",
           med[J_INCIDENT][0] / med[J_INCIDENT_BASE][0], med[J_INCIDENT][1] / med[J_INCIDENT_BASE][1]);
    printf("ratio query page / query API: wall %.2f, cpu %.2f\n",
           med[J_QUERY][0] / med[J_QUERY_BASE][0], med[J_QUERY][1] / med[J_QUERY_BASE][1]);
    printf("ratio list page / query API: wall %.2f, cpu %.2f\n",
           med[J_LIST][0] / med[J_LIST_BASE][0], med[J_LIST][1] / med[J_LIST_BASE][1]);
    status = verdict("incident page", med[J_INCIDENT]) & verdict("query page", med[J_QUERY]) ? 0 : 1;
out:
    rnd_ui_free(&c.ui_one);
    rnd_ui_free(&c.ui_many);
    store_close(&c.one);
    store_close(&c.many);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        status = 1;
    return status;
}

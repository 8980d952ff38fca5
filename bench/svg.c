/* svg.c - how long the visual timeline of a large incident takes.
 *
 *   build/bench/svg [--events N] [--repeat R] [--schemas DIR] [--out FILE]
 * Builds in memory an incident of N events (default 10,000) over three
 * days: alerts of 300 identities firing and resolving (warning and
 * critical), pages triggered, acknowledged and resolved, status-page
 * updates and component changes, deploys, changes and rollbacks, and chat
 * messages from six people; the incident's milestones, impact and two
 * trigger candidates.  Then times, R times each (default 15), wall and CPU:
 *   - svg         the chart alone: rnd_svg_build + rnd_svg_string;
 *   - timeline    the baseline measured in the same run: the Markdown
 *                 draft's timeline table of the same events
 *                 (rnd_timeline_build);
 *   - draft svg   `inquest draft --format svg` without the store:
 *                 rnd_draft_render (view model, chart, passes);
 *   - draft md    the whole Markdown draft, for comparison.
 * Prints the median and the range of each, the chart's size, and the
 * ratio svg / timeline.  Target: the chart under 100 ms (CPU time: the
 * render is single-threaded, so on an idle core its wall time is the same;
 * on a shared machine wall also counts other processes' turns).  --out writes the
 * chart to FILE, to look at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iq_event.h"
#include "iq_time.h"
#include "rnd_draft.h"
#include "rnd_people.h"
#include "rnd_svg.h"
#include "rnd_timeline.h"

#define T0 1793602800000LL   /* 2026-11-02T08:00:00Z */
#define SPAN (3 * 86400000LL - 3600000LL)
#define TARGET_MS 100.0
#define REPEAT_MAX 1000

static const char *const names[] = { "alice", "bob", "carol", "dave", "erin", "frank" };
static const char *const comp_states[] = { "degraded_performance", "partial_outage", "major_outage",
                                           "degraded_performance", "operational" };
static const char *const status_states[] = { "investigating", "identified", "monitoring" };

static struct iq_event *ev_new(size_t i, const char *kind, const char *action, int64_t at)
{
    struct iq_event *ev = iq_event_new();
    char id[32];

    if (!ev)
        return NULL;
    snprintf(id, sizeof(id), "ev-%06zu", i);
    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_KIND, kind);
    iq_event_set_str(ev, IQ_F_ACTION, action);
    iq_event_set_str(ev, IQ_F_SERVICE, "search");
    ev->at = at;
    return ev;
}

/* Event i of n: the mix of a long, busy incident. */
static struct iq_event *make_event(size_t i, size_t n)
{
    int64_t at = T0 + (int64_t)((double)SPAN * (double)i / (double)n);
    size_t k = i % 20;
    struct iq_event *ev;
    char buf[160];

    if (k < 8) {   /* alerts: 300 identities, each resolved about 85 min after it fired */
        bool res = k % 2;
        size_t id = (i / 2 + (res ? 200 : 0)) % 300;

        if (!(ev = ev_new(i, "alert", res ? "resolved" : "firing", at)))
            return NULL;
        snprintf(buf, sizeof(buf), "fp-%zu", id);
        iq_event_set_label(ev, "fingerprint", buf);
        snprintf(buf, sizeof(buf), "search-%zu:9100", id);
        iq_event_set_label(ev, "instance", buf);
        iq_event_set_str(ev, IQ_F_SOURCE, "alertmanager");
        iq_event_set_str(ev, IQ_F_SEVERITY, id % 7 ? "warning" : "critical");
        iq_event_set_str(ev, IQ_F_TITLE, id % 7 ? "SearchLatencyHigh" : "SearchErrors");
    } else if (k < 10) {   /* pages: trigger, acknowledge, resolve */
        static const char *const acts[] = { "triggered", "acknowledged", "resolved" };

        ev = ev_new(i, "page", acts[(i / 20) % 3], at);
        if (!ev)
            return NULL;
        snprintf(buf, sizeof(buf), "P%zu", (i / 60) % 50);
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, buf);
        iq_event_set_str(ev, IQ_F_SOURCE, "pagerduty");
        iq_event_set_str(ev, IQ_F_TITLE, "[FIRING] SearchLatencyHigh search");
        iq_event_set_str(ev, IQ_F_ACTOR, names[i % 6]);
    } else if (k == 10) {   /* status-page updates and component changes */
        bool comp = (i / 20) % 2;

        ev = ev_new(i, "status", comp ? comp_states[(i / 40) % 5] : status_states[(i / 40) % 3], at);
        if (!ev)
            return NULL;
        iq_event_set_str(ev, IQ_F_SOURCE, "statuspage");
        iq_event_set_str(ev, IQ_F_TITLE, comp ? "Search API" : "Slow search results");
        if (comp)
            iq_event_set_label(ev, "component", (i / 40) % 3 ? "Search API" : "Indexing");
        else
            iq_event_set_str(ev, IQ_F_INCIDENT_KEY, "sp-90");
    } else if (k == 11 && (i / 20) % 10 == 0) {   /* deploys, changes, rollbacks */
        static const char *const kinds[] = { "deploy", "change", "deploy" };
        size_t w = (i / 200) % 3;

        ev = ev_new(i, kinds[w], w == 2 ? "rolled_back" : "succeeded", at);
        if (!ev)
            return NULL;
        iq_event_set_str(ev, IQ_F_SOURCE, "github");
        snprintf(buf, sizeof(buf), "%s search v3.%zu", w == 1 ? "flag for" : "deploy", i / 200);
        iq_event_set_str(ev, IQ_F_TITLE, buf);
    } else {   /* chat */
        ev = ev_new(i, "chat", "posted", at);
        if (!ev)
            return NULL;
        iq_event_set_str(ev, IQ_F_SOURCE, "slack");
        iq_event_set_str(ev, IQ_F_TITLE, "#inc-search");
        snprintf(buf, sizeof(buf), "looking at shard %zu, p99 at %zu ms, ping @%s", i % 40, 800 + i % 900,
                 names[(i + 1) % 6]);
        iq_event_set_str(ev, IQ_F_TEXT, buf);
        iq_event_set_str(ev, IQ_F_ACTOR, names[i % 6]);
    }
    return ev;
}

static json_t *make_incident(struct iq_event *const *evs, size_t n)
{
    char at[6][IQ_TIME_STRLEN], dep[IQ_TIME_STRLEN];
    static const int64_t off[6] = { 3600000, 3630000, 4200000, 9000000, 180000000, 250000000 };
    const char *dep_id = NULL;

    for (size_t i = 0; i < 6; i++)
        iq_time_format(T0 + off[i], at[i], sizeof(at[i]));
    for (size_t i = 0; i < n && !dep_id; i++)
        if (strcmp(iq_ev_kind(evs[i]), "deploy") == 0) {
            dep_id = iq_ev_id(evs[i]);
            iq_time_format(evs[i]->at, dep, sizeof(dep));
        }
    return json_pack("{s:s, s:s, s:[s], s:s, s:s, s:{s:{s:s,s:s,s:s}, s:{s:s,s:s,s:s}, s:{s:s,s:s,s:s},"
                     " s:{s:s,s:s,s:s}, s:{s:s,s:s,s:s}, s:{s:s,s:s,s:s}}, s:{s:I,s:I,s:I,s:I,s:I},"
                     " s:{s:{}, s:{}}, s:{s:I,s:I,s:I,s:I,s:I,s:I},"
                     " s:[{s:s, s:s, s:s, s:s, s:s, s:I, s:f, s:b, s:s}], s:[s]}",
                     "id", "inc-20261102-00000bec", "title", "SearchLatencyHigh on search",
                     "services", "search", "status", "resolved", "opened_at", at[0],
                     "milestones",
                     "impact_start", "at", at[0], "event", iq_ev_id(evs[0]), "rule", "alert_starts_at",
                     "detected", "at", at[1], "event", iq_ev_id(evs[2]), "rule", "alert_received",
                     "acknowledged", "at", at[2], "event", iq_ev_id(evs[8]), "rule", "page_acknowledged",
                     "identified", "at", at[3], "event", iq_ev_id(evs[10]), "rule", "status_identified",
                     "mitigated", "at", at[4], "event", iq_ev_id(evs[n / 2]), "rule", "alerts_resolved",
                     "resolved", "at", at[5], "event", iq_ev_id(evs[n - 1]), "rule", "status_resolved",
                     "durations", "time_to_detect", (json_int_t)30, "time_to_acknowledge", (json_int_t)600,
                     "time_to_mitigate", (json_int_t)176400, "time_to_resolve", (json_int_t)246400,
                     "impact", (json_int_t)176400,
                     "impact", "by_severity", "by_component_state",
                     "counts", "events", (json_int_t)n, "alerts", (json_int_t)300, "pages", (json_int_t)50,
                     "chat", (json_int_t)(n * 8 / 20), "deploys", (json_int_t)(n / 200),
                     "status_updates", (json_int_t)(n / 20),
                     "trigger_candidates", "event", dep_id ? dep_id : "none", "at", dep_id ? dep : at[0],
                     "service", "search", "title", "deploy search", "kind", "deploy",
                     "lead_time", (json_int_t)600, "score", 0.9, "likely", 1, "reason", "same service",
                     "components", "Search API");
}

struct sample {
    double wall, cpu;   /* ms */
};

static double ms_of(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

enum job { JOB_SVG, JOB_TIMELINE, JOB_DRAFT_SVG, JOB_DRAFT_MD, JOB_N };
static const char *const job_names[JOB_N] = { "svg (chart)", "timeline (baseline)", "draft svg",
                                              "draft md" };

/* Run job once; its output size in *ret_size.  0 or -1. */
static int run(enum job j, const json_t *inc, struct iq_event *const *evs, size_t n,
               const char *schemas, size_t *ret_size)
{
    struct rnd_draft_opts o = { .schemas_dir = schemas };
    struct rnd_people *people = NULL;
    struct rnd_svg *c = NULL;
    json_t *days = NULL;
    char err[512], *doc = NULL;
    size_t len = 0;
    int r = -1;

    if (j == JOB_SVG) {
        if (rnd_svg_build(inc, evs, n, NULL, &c, err, sizeof(err)) == 0 &&
            rnd_svg_string(c, RND_SVG_STANDALONE, 0, &doc, &len) == 0)
            r = 0;
    } else if (j == JOB_TIMELINE) {
        if ((people = rnd_people_new(NULL, false)) && rnd_timeline_build(evs, n, NULL, 0, people, &days) == 0) {
            len = json_array_size(days);
            r = 0;
        }
    } else {
        o.format = j == JOB_DRAFT_SVG ? RND_FORMAT_SVG : RND_FORMAT_MD;
        r = rnd_draft_render(inc, evs, n, &o, &doc, &len, err, sizeof(err)) == 0 ? 0 : -1;
    }
    if (r < 0)
        fprintf(stderr, "svg bench: %s failed: %s\n", job_names[j], j == JOB_TIMELINE ? "out of memory" : err);
    *ret_size = len;
    free(doc);
    json_decref(days);
    rnd_svg_destroy(&c);
    rnd_people_destroy(&people);
    return r;
}

static int write_chart(const char *path, const json_t *inc, struct iq_event *const *evs, size_t n)
{
    struct rnd_svg *c = NULL;
    char err[256], *doc = NULL;
    size_t len = 0;
    FILE *f = NULL;
    int r = -1;

    if (rnd_svg_build(inc, evs, n, NULL, &c, err, sizeof(err)) == 0 &&
        rnd_svg_string(c, RND_SVG_STANDALONE, 0, &doc, &len) == 0 && (f = fopen(path, "w")) &&
        fwrite(doc, 1, len, f) == len)
        r = 0;
    if (f && fclose(f) != 0)
        r = -1;
    if (r < 0)
        fprintf(stderr, "svg bench: cannot write %s\n", path);
    free(doc);
    rnd_svg_destroy(&c);
    return r;
}

int main(int argc, char **argv)
{
    size_t n = 10000, repeat = 15, size[JOB_N] = { 0 };
    const char *schemas = NULL, *out = NULL;
    double med[JOB_N][2];
    struct iq_event **evs;
    json_t *inc;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--events") == 0)
            n = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--repeat") == 0)
            repeat = strtoul(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--schemas") == 0)
            schemas = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0)
            out = argv[i + 1];
    }
    if (n < 20 || repeat == 0 || repeat > REPEAT_MAX || !(evs = calloc(n, sizeof(*evs)))) {
        fprintf(stderr, "usage: svg [--events N>=20] [--repeat 1..1000] [--schemas DIR]\n");
        return 2;
    }
    for (size_t i = 0; i < n; i++)
        if (!(evs[i] = make_event(i, n)))
            return 2;
    if (!(inc = make_incident(evs, n)))
        return 2;
    printf("visual timeline of %zu events over 3 days, %zu runs each (median [min, max])\n", n, repeat);
    for (int j = 0; j < JOB_N; j++) {
        static double wall[REPEAT_MAX], cpu[REPEAT_MAX];

        for (size_t k = 0; k < repeat; k++) {
            struct timespec w0, w1, c0, c1;

            clock_gettime(CLOCK_MONOTONIC, &w0);
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
            if (run((enum job)j, inc, evs, n, schemas, &size[j]) < 0)
                return 1;
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
            clock_gettime(CLOCK_MONOTONIC, &w1);
            wall[k] = ms_of(&w0, &w1);
            cpu[k] = ms_of(&c0, &c1);
        }
        qsort(wall, repeat, sizeof(double), cmp_double);
        qsort(cpu, repeat, sizeof(double), cmp_double);
        med[j][0] = wall[repeat / 2];
        med[j][1] = cpu[repeat / 2];
        printf("%-20s wall %7.2f ms [%.2f, %.2f]  cpu %7.2f ms [%.2f, %.2f]  %zu %s\n", job_names[j],
               med[j][0], wall[0], wall[repeat - 1], med[j][1], cpu[0], cpu[repeat - 1], size[j],
               j == JOB_TIMELINE ? "days" : "bytes");
    }
    printf("ratio svg / timeline: wall %.2f, cpu %.2f\n", med[JOB_SVG][0] / med[JOB_TIMELINE][0],
           med[JOB_SVG][1] / med[JOB_TIMELINE][1]);
    printf("ratio draft svg / draft md: wall %.2f\n", med[JOB_DRAFT_SVG][0] / med[JOB_DRAFT_MD][0]);
    /* one thread: on an idle core wall equals CPU; on a shared machine the
     * wall time also counts the other processes' turns */
    printf("target: chart under %.0f ms of CPU (single-threaded; wall equals it on an idle core): "
           "%s (cpu %.2f ms, wall median %.2f ms)\n", TARGET_MS,
           med[JOB_SVG][1] < TARGET_MS ? "met" : "NOT MET", med[JOB_SVG][1], med[JOB_SVG][0]);
    if (out && write_chart(out, inc, evs, n) < 0)
        return 1;
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
    free(evs);
    json_decref(inc);
    return med[JOB_SVG][1] < TARGET_MS ? 0 : 1;
}

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

#include "bench_data.h"

#define TARGET_MS 100.0
#define REPEAT_MAX 1000

struct sample {
    double wall, cpu;   /* ms */
};

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
        if (!(evs[i] = bench_event(i, n)))
            return 2;
    if (!(inc = bench_incident(evs, n)))
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
            wall[k] = bench_ms(&w0, &w1);
            cpu[k] = bench_ms(&c0, &c1);
        }
        qsort(wall, repeat, sizeof(double), bench_cmp_double);
        qsort(cpu, repeat, sizeof(double), bench_cmp_double);
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

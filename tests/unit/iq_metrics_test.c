/* iq_metrics_test.c - the metrics registry: the exact text exposition
 * (HELP, TYPE, escaping, number formats), histogram buckets at and
 * between their bounds, lazy series, redeclaration, tables of families, collect hooks,
 * concurrent updates and the process collector. */
#include "iq_test.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>

#include "iq_metrics.h"

static char *render(struct iq_metrics *reg)
{
    char *page = NULL;
    size_t len = 0;

    assert_int_equal(iq_metrics_render(reg, &page, &len), 0);
    assert_int_equal(strlen(page), len);
    return page;
}

static void test_counter_gauge_text(void **state)
{
    struct iq_metrics *reg = NULL;
    struct iq_metric *c, *g, *f;
    char *page;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    c = iq_metrics_counter(reg, "iq_things_total", "Things seen.");
    g = iq_metrics_gauge(reg, "iq_depth", "Depth now.");
    f = iq_metrics_gauge(reg, "iq_ratio", "A ratio.");
    iq_metric_inc(c);
    iq_metric_add(c, 41);
    iq_metric_gauge_add(g, 3);
    iq_metric_gauge_add(g, -5);
    iq_metric_set(f, 0.1);
    page = render(reg);
    assert_string_equal(page,
        "# HELP iq_things_total Things seen.\n# TYPE iq_things_total counter\n"
        "iq_things_total 42\n"
        "# HELP iq_depth Depth now.\n# TYPE iq_depth gauge\niq_depth -2\n"
        "# HELP iq_ratio A ratio.\n# TYPE iq_ratio gauge\niq_ratio 0.1\n");
    free(page);
    iq_metric_add_float(c, 0.5);
    assert_true(fabs(iq_metric_value(c) - 42.5) < 1e-9);
    iq_metric_set(f, INFINITY);
    iq_metric_set(g, NAN);
    page = render(reg);
    assert_non_null(strstr(page, "\niq_ratio +Inf\n"));
    assert_non_null(strstr(page, "\niq_depth NaN\n"));
    assert_non_null(strstr(page, "\niq_things_total 42.5\n"));
    free(page);
    iq_metrics_destroy(&reg);
    assert_null(reg);
}

static void test_labels_escaped(void **state)
{
    static const char *const labels[] = { "source", "outcome", NULL };
    struct iq_metrics *reg = NULL;
    struct iq_metric_family *fam;
    const char *v1[] = { "git\"hub", "ok" }, *v2[] = { "a\\b\nc", "bad" };
    char *page;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    fam = iq_metrics_family(reg, IQ_METRIC_COUNTER, "iq_req_total", "Help with \\ and\nnewline.",
                            labels, NULL, 0);
    assert_non_null(fam);
    /* no series yet: nothing rendered, not even HELP */
    page = render(reg);
    assert_string_equal(page, "");
    free(page);
    iq_metric_add(iq_metric_get(fam, v1), 2);
    iq_metric_inc(iq_metric_get(fam, v2));
    assert_ptr_equal(iq_metric_get(fam, v1), iq_metric_get(fam, v1));
    page = render(reg);
    assert_string_equal(page,
        "# HELP iq_req_total Help with \\\\ and\\nnewline.\n# TYPE iq_req_total counter\n"
        "iq_req_total{source=\"git\\\"hub\",outcome=\"ok\"} 2\n"
        "iq_req_total{source=\"a\\\\b\\nc\",outcome=\"bad\"} 1\n");
    free(page);
    iq_metrics_destroy(&reg);
}

static void test_histogram_buckets(void **state)
{
    static const double b[] = { 0.01, 0.1, 1 };
    struct iq_metrics *reg = NULL;
    struct iq_metric *h;
    char *page;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    h = iq_metrics_histogram(reg, "iq_wait_seconds", "Waits.", b, 3);
    assert_non_null(h);
    iq_metric_observe(h, 0.01);     /* on a bound: counted in that bucket (le) */
    iq_metric_observe(h, 0.05);
    iq_metric_observe(h, 0.1);
    iq_metric_observe(h, 2);        /* above every bound: +Inf only */
    iq_metric_observe(h, 0);
    page = render(reg);
    assert_string_equal(page,
        "# HELP iq_wait_seconds Waits.\n# TYPE iq_wait_seconds histogram\n"
        "iq_wait_seconds_bucket{le=\"0.01\"} 2\n"
        "iq_wait_seconds_bucket{le=\"0.1\"} 4\n"
        "iq_wait_seconds_bucket{le=\"1\"} 4\n"
        "iq_wait_seconds_bucket{le=\"+Inf\"} 5\n"
        "iq_wait_seconds_sum 2.16\n"
        "iq_wait_seconds_count 5\n");
    free(page);
    assert_int_equal(iq_metric_count(h), 5);
    iq_metrics_destroy(&reg);
}

static void test_labelled_histogram(void **state)
{
    static const char *const labels[] = { "stage", NULL };
    struct iq_metrics *reg = NULL;
    struct iq_metric_family *fam;
    const char *v[] = { "zmq" };
    char *page;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    fam = iq_metrics_family(reg, IQ_METRIC_HISTOGRAM, "iq_lat_seconds", "Latency.", labels,
                            iq_metric_latency_buckets, IQ_METRIC_LATENCY_BUCKETS);
    iq_metric_observe(iq_metric_get(fam, v), 0.003);
    page = render(reg);
    assert_non_null(strstr(page, "iq_lat_seconds_bucket{stage=\"zmq\",le=\"0.0025\"} 0\n"));
    assert_non_null(strstr(page, "iq_lat_seconds_bucket{stage=\"zmq\",le=\"0.005\"} 1\n"));
    assert_non_null(strstr(page, "iq_lat_seconds_bucket{stage=\"zmq\",le=\"+Inf\"} 1\n"));
    assert_non_null(strstr(page, "iq_lat_seconds_count{stage=\"zmq\"} 1\n"));
    free(page);
    iq_metrics_destroy(&reg);
}

/* Lazy series: absent (their family too, when none is shown) until their
 * first update, then shown in the order they were made. */
static void test_lazy_series(void **state)
{
    static const char *const labels[] = { "source", "outcome", NULL };
    struct iq_metrics *reg = NULL;
    struct iq_metric_family *fam;
    struct iq_metric *bad, *late, *g;
    char *page;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    fam = iq_metrics_family(reg, IQ_METRIC_COUNTER, "iq_req_total", "Requests.", labels, NULL, 0);
    g = iq_metric_get_lazy(iq_metrics_family(reg, IQ_METRIC_GAUGE, "iq_free_bytes", "Free.", NULL,
                                             NULL, 0), NULL);
    bad = iq_metric_get_lazy(fam, (const char *const[]){ "a", "bad" });
    late = iq_metric_get_lazy(fam, (const char *const[]){ "b", "bad" });
    page = render(reg);
    assert_string_equal(page, "");
    free(page);
    assert_non_null(iq_metric_get(fam, (const char *const[]){ "b", "ok" }));
    assert_ptr_equal(iq_metric_get(fam, (const char *const[]){ "a", "bad" }), bad);
    iq_metric_inc(late);
    iq_metric_set(g, 0);
    page = render(reg);
    assert_string_equal(page,
        "# HELP iq_req_total Requests.\n# TYPE iq_req_total counter\n"
        "iq_req_total{source=\"b\",outcome=\"bad\"} 1\n"
        "iq_req_total{source=\"b\",outcome=\"ok\"} 0\n"
        "# HELP iq_free_bytes Free.\n# TYPE iq_free_bytes gauge\niq_free_bytes 0\n");
    free(page);
    iq_metric_add(bad, 2);
    page = render(reg);
    assert_non_null(strstr(page, "counter\niq_req_total{source=\"a\",outcome=\"bad\"} 2\n"
                                 "iq_req_total{source=\"b\",outcome=\"bad\"} 1\n"));
    free(page);
    assert_null(iq_metric_get_lazy(NULL, NULL));
    iq_metrics_destroy(&reg);
}

static void test_declarations(void **state)
{
    static const char *const l1[] = { "a", NULL }, *const l2[] = { "b", NULL };
    static const char *const reserved[] = { "__x", NULL }, *const le[] = { "le", NULL };
    static const double down[] = { 1, 0.5 };
    struct iq_metrics *reg = NULL;
    struct iq_metric_family *f;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    f = iq_metrics_family(reg, IQ_METRIC_COUNTER, "iq_x_total", "X.", l1, NULL, 0);
    assert_non_null(f);
    assert_ptr_equal(iq_metrics_family(reg, IQ_METRIC_COUNTER, "iq_x_total", "X.", l1, NULL, 0), f);
    assert_null(iq_metrics_family(reg, IQ_METRIC_GAUGE, "iq_x_total", "X.", l1, NULL, 0));
    assert_null(iq_metrics_family(reg, IQ_METRIC_COUNTER, "iq_x_total", "X.", l2, NULL, 0));
    assert_null(iq_metrics_family(reg, IQ_METRIC_COUNTER, "9lives", "", NULL, NULL, 0));
    assert_null(iq_metrics_family(reg, IQ_METRIC_COUNTER, "bad-name", "", NULL, NULL, 0));
    assert_null(iq_metrics_family(reg, IQ_METRIC_COUNTER, "iq_y", "", reserved, NULL, 0));
    assert_null(iq_metrics_family(reg, IQ_METRIC_HISTOGRAM, "iq_h", "", le, down, 1));
    assert_null(iq_metrics_family(reg, IQ_METRIC_HISTOGRAM, "iq_h", "", NULL, down, 2));
    assert_null(iq_metrics_family(reg, IQ_METRIC_HISTOGRAM, "iq_h", "", NULL, NULL, 0));
    assert_non_null(iq_metrics_family(reg, IQ_METRIC_GAUGE, "iq:recorded", "", NULL, NULL, 0));
    /* NULL registry and series: no-ops */
    assert_null(iq_metrics_counter(NULL, "iq_z_total", "Z."));
    iq_metric_inc(NULL);
    iq_metric_observe(NULL, 1);
    iq_metric_set(NULL, 1);
    assert_int_equal(iq_metrics_hook_add(NULL, NULL, NULL), 0);
    iq_metrics_destroy(&reg);
    iq_metrics_destroy(&reg);
}

/* A stage's metrics as iq_metrics_register_table fills them. */
struct stage_metrics {
    struct iq_metric *done, *results[2], *wait, *depth;
};

static const double wait_buckets[] = { 0.1, 1 };
static const char *const results[] = { "ok", "bad\"x" };
static const struct iq_metric_def stage_table[] = {
    { IQ_METRIC_COUNTER, "iq_done_total", "Things done.",
      .off = offsetof(struct stage_metrics, done) },
    { IQ_METRIC_COUNTER, "iq_results_total", "Things by result.", .label = "result",
      .values = results, .n = 2, .off = offsetof(struct stage_metrics, results) },
    { IQ_METRIC_HISTOGRAM, "iq_wait_seconds", "Waits.", .buckets = wait_buckets, .nb = 2,
      .off = offsetof(struct stage_metrics, wait) },
    { IQ_METRIC_GAUGE, "iq_depth", "Depth now.", .off = offsetof(struct stage_metrics, depth) },
};

static void test_table(void **state)
{
    static const struct iq_metric_def bad[] = {
        { IQ_METRIC_GAUGE, "iq_first", "Registered.", .off = offsetof(struct stage_metrics, done) },
        { IQ_METRIC_GAUGE, "bad-name", "Refused.", .off = offsetof(struct stage_metrics, depth) },
    };
    struct iq_metrics *reg = NULL;
    struct stage_metrics m, again, none;
    char *page;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    assert_int_equal(iq_metrics_register_table(reg, stage_table, IQ_METRICS_TABLE_N(stage_table),
                                               &m), 0);
    iq_metric_add(m.done, 3);
    iq_metric_inc(m.results[0]);
    iq_metric_add(m.results[1], 2);
    iq_metric_observe(m.wait, 0.5);
    iq_metric_set(m.depth, 7);
    page = render(reg);
    assert_string_equal(page,
        "# HELP iq_done_total Things done.\n# TYPE iq_done_total counter\niq_done_total 3\n"
        "# HELP iq_results_total Things by result.\n# TYPE iq_results_total counter\n"
        "iq_results_total{result=\"ok\"} 1\niq_results_total{result=\"bad\\\"x\"} 2\n"
        "# HELP iq_wait_seconds Waits.\n# TYPE iq_wait_seconds histogram\n"
        "iq_wait_seconds_bucket{le=\"0.1\"} 0\niq_wait_seconds_bucket{le=\"1\"} 1\n"
        "iq_wait_seconds_bucket{le=\"+Inf\"} 1\niq_wait_seconds_sum 0.5\n"
        "iq_wait_seconds_count 1\n"
        "# HELP iq_depth Depth now.\n# TYPE iq_depth gauge\niq_depth 7\n");
    free(page);
    /* a stage registering again gets the same series */
    assert_int_equal(iq_metrics_register_table(reg, stage_table, IQ_METRICS_TABLE_N(stage_table),
                                               &again), 0);
    assert_memory_equal(&again, &m, sizeof(m));
    /* without a registry: every series NULL */
    memset(&none, 0xff, sizeof(none));
    assert_int_equal(iq_metrics_register_table(NULL, stage_table,
                                               IQ_METRICS_TABLE_N(stage_table), &none), 0);
    assert_null(none.done);
    assert_null(none.results[0]);
    assert_null(none.results[1]);
    assert_null(none.wait);
    assert_null(none.depth);
    /* a bad row fails the table; the rows before it stay */
    memset(&none, 0xff, sizeof(none));
    assert_int_equal(iq_metrics_register_table(reg, bad, IQ_METRICS_TABLE_N(bad), &none),
                     -EINVAL);
    assert_non_null(none.done);
    assert_null(none.depth);
    iq_metrics_destroy(&reg);
}

static void bump(void *ud)
{
    iq_metric_gauge_add(ud, 1);
}

static void test_hooks(void **state)
{
    struct iq_metrics *reg = NULL;
    struct iq_metric *g;
    char *page;
    int id;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    g = iq_metrics_gauge(reg, "iq_scrapes", "Scrapes.");
    id = iq_metrics_hook_add(reg, bump, g);
    assert_true(id > 0);
    free(render(reg));
    page = render(reg);
    assert_non_null(strstr(page, "\niq_scrapes 2\n"));
    free(page);
    iq_metrics_hook_remove(reg, id);
    iq_metrics_hook_remove(reg, id);
    page = render(reg);
    assert_non_null(strstr(page, "\niq_scrapes 2\n"));
    free(page);
    iq_metrics_destroy(&reg);
}

#define THREADS 4
#define PER_THREAD 100000

static void *hammer(void *arg)
{
    struct iq_metric **m = arg;

    for (int i = 0; i < PER_THREAD; i++) {
        iq_metric_inc(m[0]);
        iq_metric_observe(m[1], 0.5);
    }
    return NULL;
}

static void test_concurrent(void **state)
{
    static const double b[] = { 1 };
    struct iq_metrics *reg = NULL;
    struct iq_metric *m[2];
    pthread_t t[THREADS];

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    m[0] = iq_metrics_counter(reg, "iq_hits_total", "Hits.");
    m[1] = iq_metrics_histogram(reg, "iq_half", "Halves.", b, 1);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, m), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(iq_metric_count(m[0]), THREADS * PER_THREAD);
    assert_int_equal(iq_metric_count(m[1]), THREADS * PER_THREAD);
    assert_true(fabs(iq_metric_value(m[1]) - THREADS * PER_THREAD * 0.5) < 1e-6);
    iq_metrics_destroy(&reg);
}

static void test_process(void **state)
{
    struct iq_metrics *reg = NULL;
    char *page, *p;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    assert_int_equal(iq_metrics_process_register(reg), 0);
    page = render(reg);
    assert_non_null(strstr(page, "# TYPE process_cpu_seconds_total counter\n"));
    p = strstr(page, "\nprocess_resident_memory_bytes ");
    assert_non_null(p);
    assert_true(strtod(p + 31, NULL) > 1024 * 1024);
    p = strstr(page, "\nprocess_open_fds ");
    assert_non_null(p);
    assert_true(strtod(p + 18, NULL) >= 3);
    p = strstr(page, "\nprocess_start_time_seconds ");
    assert_non_null(p);
    assert_true(strtod(p + 28, NULL) > 1.6e9);
    assert_non_null(strstr(page, "\nprocess_max_fds "));
    assert_non_null(strstr(page, "\nprocess_virtual_memory_bytes "));
    free(page);
    iq_metrics_destroy(&reg);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_counter_gauge_text),
    cmocka_unit_test(test_labels_escaped),
    cmocka_unit_test(test_histogram_buckets),
    cmocka_unit_test(test_labelled_histogram),
    cmocka_unit_test(test_lazy_series),
    cmocka_unit_test(test_declarations),
    cmocka_unit_test(test_table),
    cmocka_unit_test(test_hooks),
    cmocka_unit_test(test_concurrent),
    cmocka_unit_test(test_process),
};

TEST_MAIN(tests)

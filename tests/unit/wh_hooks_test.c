/* wh_hooks_test.c - the HTTP server (http/) with the webhook endpoints
 * (ingest/in_webhook/wh_hooks.c) in-process, with the shipped source
 * mappings and a capturing sink, driven over a real loopback socket with
 * libcurl: registered GET routes (longest prefix, raw query string,
 * -EBUSY once started), the webhook path into the sink, a sink failure
 * answered 503, and /healthz.  The sink is an ops table like the store's
 * (STYLE B2), recording what it was given. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <curl/curl.h>

#include "http.h"
#include "wh_hooks.h"
#include "wh_source.h"
#include "store.h"
#include "iq_event.h"
#include "iq_metrics.h"

struct capture {
    int fail;                 /* submit returns -EIO when set */
    size_t n;
    char ids[8][IQ_ID_MAX + 1];
};

static int cap_submit(void *ctx, struct iq_event *const *evs, size_t n, uint8_t *outcomes)
{
    struct capture *c = ctx;

    if (c->fail)
        return -EIO;
    for (size_t i = 0; i < n; i++) {
        if (c->n < 8)
            snprintf(c->ids[c->n], sizeof(c->ids[0]), "%s", iq_ev_id(evs[i]));
        c->n++;
        outcomes[i] = STORE_STORED;
    }
    return (int)n;
}

static const struct ing_sink_ops capture_ops = {
    .name = "capture",        /* keeps the ids it was given */
    .submit = cap_submit,     /* always "durable" unless told to fail */
    .destroy = NULL,
};

struct seen {
    char path[128];
    char query[128];
    int calls;
};

static int route_a(void *ud, const struct http_request *rq, struct http_response *resp)
{
    const char *path = rq->path, *query = rq->query;
    struct seen *s = ud;

    s->calls++;
    snprintf(s->path, sizeof(s->path), "%s", path);
    snprintf(s->query, sizeof(s->query), "%s", query ? query : "(null)");
    resp->status = 200;
    resp->content_type = "text/plain";
    resp->body = strdup("route-a");
    resp->len = 7;
    return 0;
}

static int route_b(void *ud, const struct http_request *rq, struct http_response *resp)
{
    (void)rq;
    ((struct seen *)ud)->calls++;
    resp->status = 201;
    resp->body = strdup("{\"b\":1}");
    resp->len = 7;
    return 0;
}

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
    char *buf = ud;
    size_t have = strlen(buf), add = sz * n;

    if (have + add >= 4096)     /* keep the first 4 KiB of a long answer (/metrics) */
        add = 4095 - have;
    memcpy(buf + have, p, add);
    buf[have + add] = '\0';
    return sz * n;
}

/* Request url (path and query) on port; body NULL for GET. Returns the status. */
static long fetch(uint16_t port, const char *url, const char *body, char *out)
{
    char full[256];
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    CURL *c = curl_easy_init();
    long code = 0;

    out[0] = '\0';
    snprintf(full, sizeof(full), "http://127.0.0.1:%u%s", (unsigned)port, url);
    curl_easy_setopt(c, CURLOPT_URL, full);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    if (body) {
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    curl_slist_free_all(hd);
    return code;
}

static struct wh_sources *load(void)
{
    const char *root = getenv("IQ_ROOT");
    char dir[1024], err[IQ_ERR_MAX];
    struct wh_sources *s = NULL;

    snprintf(dir, sizeof(dir), "%s/schemas/sources", root ? root : ".");
    if (wh_sources_load(dir, NULL, &s, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    return s;
}

/* Where needle is in page; fails the test when it is not there. */
static const char *must_have(const char *page, const char *needle)
{
    const char *at = strstr(page, needle);

    if (!at)
        fail_msg("not in the metrics page: %s\n%s", needle, page);
    return at;
}

static void test_routes_and_hooks(void **state)
{
    struct iq_metrics *reg = NULL;
    struct http_server_opts o = { .listen = "127.0.0.1:0" };
    struct capture cap = { 0 };
    struct ing_sink sink = { &capture_ops, &cap };
    struct wh_sources *src = load();
    struct seen a = { .calls = 0 }, b = { .calls = 0 };
    struct http_server *h = NULL;
    char out[4096], *page = NULL;
    size_t len = 0;
    uint16_t port;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    o.metrics = reg;
    assert_int_equal(wh_server_new(&o, src, sink, NULL, &h, NULL), 0);
    assert_int_equal(http_add_route(h, "/api/v1/incidents", route_a, &a), 0);
    assert_int_equal(http_add_route(h, "/api/v1/incidents/", route_b, &b), 0);
    assert_int_equal(http_server_start(h), 0);
    assert_int_equal(http_add_route(h, "/late", route_a, &a), -EBUSY);
    port = http_server_port(h);
    assert_true(port > 0);

    assert_int_equal(fetch(port, "/api/v1/incidents?since=-2h&service=checkout%20api", NULL, out), 200);
    assert_string_equal(out, "route-a");
    assert_string_equal(a.path, "/api/v1/incidents");
    assert_string_equal(a.query, "since=-2h&service=checkout%20api");
    assert_int_equal(fetch(port, "/api/v1/incidents", NULL, out), 200);
    assert_string_equal(a.query, "(null)");
    assert_int_equal(fetch(port, "/api/v1/incidents/inc-1/draft", NULL, out), 201);
    assert_int_equal(b.calls, 1);
    assert_int_equal(fetch(port, "/api/v2/nothing", NULL, out), 404);
    assert_int_equal(fetch(port, "/healthz", NULL, out), 200);

    assert_int_equal(fetch(port, "/hooks/events",
                           "{\"id\":\"e1\",\"source\":\"t\",\"kind\":\"note\",\"action\":\"posted\","
                           "\"at\":\"2026-01-01T00:00:00Z\"}", out), 200);
    assert_int_equal(cap.n, 1);
    assert_string_equal(cap.ids[0], "e1");
    cap.fail = 1;
    assert_int_equal(fetch(port, "/hooks/events",
                           "{\"id\":\"e2\",\"source\":\"t\",\"kind\":\"note\",\"action\":\"posted\","
                           "\"at\":\"2026-01-01T00:00:00Z\"}", out), 503);
    assert_non_null(strstr(out, "retry"));
    assert_int_equal(fetch(port, "/hooks/nothing-here", "{}", out), 404);
    assert_int_equal(fetch(port, "/metrics", NULL, out), 200);
    must_have(out, "inquest_http_requests_total{source=\"events\",outcome=\"unavailable\"} 1");
    /* the webhook families are the registry's: a source's series in
     * outcome order, an answer that never happened absent, "unknown" after
     * the sources, the sink's disk gauges absent when it does not know them */
    assert_int_equal(iq_metrics_render(reg, &page, &len), 0);
    must_have(page, "# TYPE inquest_http_requests_total counter\n"
                    "inquest_http_requests_total{source=\"alertmanager\",outcome=\"ok\"} 0\n");
    must_have(page, "inquest_http_requests_total{source=\"events\",outcome=\"ok\"} 1\n"
                    "inquest_http_requests_total{source=\"events\",outcome=\"unavailable\"} 1\n");
    assert_true(must_have(page, "{source=\"statuspage\",outcome=\"ok\"} 0\n") <
                must_have(page, "inquest_http_requests_total{source=\"unknown\","
                                "outcome=\"not_found\"} 1\n# HELP inquest_http_events_total"));
    assert_null(strstr(page, "outcome=\"bad_request\""));
    must_have(page, "inquest_http_events_total{source=\"events\",outcome=\"stored\"} 1\n"
                    "inquest_http_events_total{source=\"events\",outcome=\"duplicate\"} 0\n");
    must_have(page, "inquest_http_store_seconds_bucket{le=\"0.00025\"} ");
    must_have(page, "inquest_http_store_seconds_count 2\n");
    must_have(page, "# TYPE inquest_http_queue_depth gauge\ninquest_http_queue_depth 0\n");
    must_have(page, "inquest_store_busy{reason=\"disk_full\"} 0\n");
    assert_null(strstr(page, "inquest_store_disk_free_bytes"));
    free(page);
    http_server_destroy(&h);
    assert_null(h);
    http_server_destroy(&h);
    wh_sources_destroy(&src);
    iq_metrics_destroy(&reg);
}

/* /readyz follows the owner's word (starting, serving, stopping) before
 * the sink's state; GET /metrics renders the daemon's registry first. */
static void test_phase_and_registry(void **state)
{
    struct iq_metrics *reg = NULL;
    struct http_server_opts o = { .listen = "127.0.0.1:0" };
    struct capture cap = { 0 };
    struct ing_sink sink = { &capture_ops, &cap };
    struct wh_sources *src = load();
    struct http_server *h = NULL;
    char out[4096];
    uint16_t port;

    (void)state;
    assert_int_equal(iq_metrics_new(&reg), 0);
    iq_metric_add(iq_metrics_counter(reg, "inquest_test_total", "A test counter."), 7);
    o.metrics = reg;
    assert_int_equal(wh_server_new(&o, src, sink, NULL, &h, NULL), 0);
    http_server_set_phase(h, HTTP_PHASE_STARTING);
    assert_int_equal(http_server_start(h), 0);
    port = http_server_port(h);
    assert_int_equal(fetch(port, "/readyz", NULL, out), 503);
    assert_non_null(strstr(out, "starting"));
    assert_int_equal(fetch(port, "/healthz", NULL, out), 200);
    http_server_set_phase(h, HTTP_PHASE_SERVING);
    assert_int_equal(fetch(port, "/readyz", NULL, out), 200);
    assert_int_equal(fetch(port, "/metrics", NULL, out), 200);
    assert_non_null(strstr(out, "# TYPE inquest_test_total counter\ninquest_test_total 7\n"));
    assert_true(strstr(out, "inquest_test_total") < strstr(out, "inquest_http_connections"));
    http_server_set_phase(h, HTTP_PHASE_STOPPING);
    assert_int_equal(fetch(port, "/readyz", NULL, out), 503);
    assert_non_null(strstr(out, "stopping"));
    http_server_set_phase(NULL, HTTP_PHASE_SERVING);     /* NULL-safe: no listener */
    http_server_destroy(&h);
    wh_sources_destroy(&src);
    iq_metrics_destroy(&reg);
}

static void test_bad_listen(void **state)
{
    struct http_server_opts o = { .listen = "no-port-here" };
    struct capture cap = { 0 };
    struct ing_sink sink = { &capture_ops, &cap };
    struct wh_sources *src = load();
    struct http_server *h = NULL;

    (void)state;
    assert_int_equal(wh_server_new(&o, src, sink, NULL, &h, NULL), 0);
    assert_int_equal(http_server_start(h), -EINVAL);
    http_server_destroy(&h);
    wh_sources_destroy(&src);
}

/* The shared query-string reader of route handlers. */
static void test_query_decode(void **state)
{
    const char *q = "since=2026-10-21T13%3A42%3A00%2B02%3A00&service=pay+api&&flag=";
    char k[32], v[64];

    (void)state;
    assert_int_equal(http_query_next(&q, k, sizeof(k), v, sizeof(v)), 1);
    assert_string_equal(k, "since");
    assert_string_equal(v, "2026-10-21T13:42:00+02:00");
    assert_int_equal(http_query_next(&q, k, sizeof(k), v, sizeof(v)), 1);
    assert_string_equal(v, "pay api");
    assert_int_equal(http_query_next(&q, k, sizeof(k), v, sizeof(v)), 1);
    assert_string_equal(k, "flag");
    assert_string_equal(v, "");
    assert_int_equal(http_query_next(&q, k, sizeof(k), v, sizeof(v)), 0);
    assert_int_equal(http_query_get("a=1&b=%zz", "b", v, sizeof(v)), -EINVAL);
    assert_int_equal(http_query_get("a=%00", "a", v, sizeof(v)), -EINVAL);
    assert_int_equal(http_query_get("novalue&a=1", "a", v, sizeof(v)), -EINVAL);
    assert_int_equal(http_query_get("a=1", "b", v, sizeof(v)), 0);
    assert_int_equal(http_query_get(NULL, "b", v, sizeof(v)), 0);
    assert_int_equal(http_query_get("a=0123456789", "a", v, 8), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes_and_hooks),
        cmocka_unit_test(test_query_decode),
        cmocka_unit_test(test_phase_and_registry),
        cmocka_unit_test(test_bad_listen),
    };
    int r;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    r = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return r;
}

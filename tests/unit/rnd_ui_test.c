/* rnd_ui_test.c - the web UI's page builders through their handler
 * (rnd_ui_get, what inquestd's HTTP threads call), on a real RocksDB store
 * in a temp directory: escaping of hostile titles, services and ids; the
 * list's filters, search, sort and pages; every bad parameter answered
 * 400 with a message naming it; the routes (redirects, stylesheet, 404s);
 * the incident page of the sample incident (one timeline, its milestones,
 * links to the evidence rows, the draft, the security headers); the month
 * axis of the analytics and the bucketing of incidents at a month's edge.
 *
 * The store: incidents "inc-20260101-0000000N" (N = 0..11) opened a day
 * apart from 2026-01-01, status open when N % 3 == 0, mitigated when
 * N % 3 == 1, else resolved; time to detect 60 (N + 1) s; service "api"
 * when N is even, else "web"; stored class "dns" (N % 4 == 0) or
 * "database"; title "Outage N".  One more with a hostile title and
 * service, two at the edge of January and February 2025, and the sample
 * incident of tests/data/render with its events. */
#include "iq_test.h"
#include <errno.h>
#include <unistd.h>

#include "http.h"
#include "http_access.h"
#include "iq_event.h"
#include "iq_test_store.h"
#include "iq_time.h"
#include "rnd_ui.h"
#include "store.h"

#define BASE 1767225600000LL   /* 2026-01-01T00:00:00Z */
#define DAY 86400000LL
#define N 12
#define HOSTILE "<script>alert(1)</script> & \"q\" 'x'"
#define SAMPLE "inc-20261021-3fa2c19e"

static char dir[256];
static struct store *st;
static struct rnd_ui *ui;

static void put_json(const json_t *inc)
{
    char key[160], *s = json_dumps(inc, JSON_COMPACT);
    const char *id = json_string_value(json_object_get(inc, "id"));
    size_t kl = (size_t)snprintf(key, sizeof(key), "i%s", id);

    assert_non_null(s);
    assert_int_equal(store_kv_put(st, STORE_CF_INCIDENTS, key, kl, s, strlen(s)), 0);
    free(s);
}

static void put_incident(const char *id, const char *title, const char *status, int64_t opened,
                         const char *service, const char *cls, int ttd)
{
    char at[IQ_TIME_STRLEN];
    json_t *inc;

    iq_time_format(opened, at, sizeof(at));
    inc = json_pack("{s:s, s:s, s:s, s:s, s:[s], s:s, s:{s:i, s:n, s:i, s:i, s:i}, s:[s], "
                    "s:[]}", "id", id, "title", title, "status", status, "severity", "critical",
                    "services", service, "opened_at", at, "durations", "time_to_detect", ttd,
                    "time_to_acknowledge", "time_to_mitigate", 600, "time_to_resolve", 1200,
                    "impact", 900, "classes", cls, "event_ids");
    assert_non_null(inc);
    put_json(inc);
    json_decref(inc);
}

static int setup(void **state)
{
    struct store_opts o = { 0 };
    char id[64], title[64], schemas[512], err[IQ_ERR_MAX];
    static const char *const statuses[] = { "open", "mitigated", "resolved" };

    (void)state;
    snprintf(schemas, sizeof(schemas), "%s/schemas", iq_test_root());
    setenv("INQUEST_SCHEMAS", schemas, 1);
    snprintf(dir, sizeof(dir), "%s/iq-ui-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir) || store_open(dir, &o, &st) < 0)
        return -1;
    iq_test_store_sample(st, iq_test_root());   /* first: it replaces the stored incidents */
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof(id), "inc-20260101-%08x", (unsigned)i);
        snprintf(title, sizeof(title), "Outage %d", i);
        put_incident(id, title, statuses[i % 3], BASE + i * DAY, i % 2 ? "web" : "api",
                     i % 4 ? "database" : "dns", 60 * (i + 1));
    }
    put_incident("inc-20260201-0000bad0", HOSTILE, "open", BASE + 40 * DAY,
                 "<img src=x onerror=alert(1)>", "dns", 30);
    put_incident("inc-20250131-00000001", "last of January", "resolved",
                 BASE - 334 * DAY - 1, "edge", "network", 30);
    put_incident("inc-20250201-00000002", "first of February", "resolved",
                 BASE - 334 * DAY, "edge", "network", 30);
    return rnd_ui_new(st, NULL, NULL, &ui, err, sizeof(err));
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    rnd_ui_free(&ui);
    store_close(&st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

/* GET path?query through the handler; the answer (caller frees body). */
static struct http_response get(const char *path, const char *query)
{
    struct http_caller who = { .name = "test", .roles = HTTP_ROLE_READ };
    struct http_request rq = { .method = "GET", .path = path, .query = query, .caller = &who };
    struct http_response resp = { 0 };

    assert_int_equal(rnd_ui_get(ui, &rq, &resp), 0);
    assert_non_null(resp.body);
    assert_int_equal(strlen(resp.body), resp.len);
    return resp;
}

static const char *header(const struct http_response *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;

    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The incident ids of the list's rows, in order, joined by spaces. */
static void rows(const char *page, char *buf, size_t size)
{
    const char *p = page;
    size_t used = 0;

    buf[0] = '\0';
    while ((p = strstr(p, "<tr data-incident=\""))) {
        const char *q = p + strlen("<tr data-incident=\""), *e = strchr(q, '"');

        used += (size_t)snprintf(buf + used, size > used ? size - used : 0, "%s%.*s",
                                 used ? " " : "", (int)(e - q), q);
        p = e;
    }
}

static void test_escaping(void **state)
{
    struct http_response r = get("/ui/", "q=script");

    (void)state;
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "<script"));
    assert_null(strstr(r.body, "<img"));
    assert_non_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &apos;x&apos;"));
    assert_non_null(strstr(r.body, "&lt;img src=x onerror=alert(1)&gt;"));
    assert_non_null(strstr(r.body, "href=\"/ui/incidents/inc-20260201-0000bad0\""));
    /* the search term comes back in the form, escaped too */
    free(r.body);
    r = get("/ui/", "q=%22%3E%3Cb%3E");
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "\"><b>"));
    assert_non_null(strstr(r.body, "value=\"&quot;&gt;&lt;b&gt;\""));
    free(r.body);
}

static void test_list(void **state)
{
    struct http_response r;
    char ids[2048];

    (void)state;
    r = get("/ui/", "status=open&service=api");       /* 0, 6 (3 and 9 are web) */
    rows(r.body, ids, sizeof(ids));
    assert_string_equal(ids, "inc-20260101-00000006 inc-20260101-00000000");
    assert_non_null(strstr(r.body, "data-count=\"2\""));
    free(r.body);
    r = get("/ui/", "class=dns&since=2026-01-01T00:00:00Z&until=2026-01-10T00:00:00Z");
    rows(r.body, ids, sizeof(ids));
    assert_string_equal(ids, "inc-20260101-00000008 inc-20260101-00000004 inc-20260101-00000000");
    free(r.body);
    r = get("/ui/", "q=OUTAGE+1");                   /* case-insensitive: 1, 10, 11 */
    rows(r.body, ids, sizeof(ids));
    assert_string_equal(ids, "inc-20260101-0000000b inc-20260101-0000000a inc-20260101-00000001");
    free(r.body);
    r = get("/ui/", "service=web&sort=ttd&order=asc");   /* 1, 3, 5, 7, 9, 11 */
    rows(r.body, ids, sizeof(ids));
    assert_string_equal(ids, "inc-20260101-00000001 inc-20260101-00000003 inc-20260101-00000005 "
                             "inc-20260101-00000007 inc-20260101-00000009 inc-20260101-0000000b");
    assert_non_null(strstr(r.body, "aria-sort=\"ascending\""));
    /* the TTD header now flips the order and keeps the filter */
    assert_non_null(strstr(r.body, "href=\"/ui/?service=web&amp;sort=ttd&amp;order=desc\""));
    free(r.body);
    r = get("/ui/", "since=2026-01-01T00:00:00Z&until=2026-01-13T00:00:00Z&per_page=10&page=2");
    rows(r.body, ids, sizeof(ids));
    assert_string_equal(ids, "inc-20260101-00000001 inc-20260101-00000000");   /* newest first */
    assert_non_null(strstr(r.body, "Page 2 of 2"));
    assert_non_null(strstr(r.body, "page=1\">"));
    free(r.body);
    r = get("/ui/", "service=web&page=9");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "No incidents on this page."));
    assert_non_null(strstr(r.body, "href=\"/ui/?service=web&amp;page=1\">← Last page</a>"));
    free(r.body);
}

/* s with its apostrophes as the page escapes them (&apos;). */
static void apos(const char *s, char *buf, size_t size)
{
    size_t n = 0;

    for (; *s && n + 7 < size; s++) {
        if (*s == '\'') {
            memcpy(buf + n, "&apos;", 6);
            n += 6;
        } else {
            buf[n++] = *s;
        }
    }
    buf[n] = '\0';
}

/* Every bad parameter: 400, an HTML page that names it. */
static void test_bad_params(void **state)
{
    static const struct { const char *path, *query, *says; } bad[] = {
        { "/ui/", "page=0", "parameter 'page': a page number from 1 to 1000000" },
        { "/ui/", "page=2x", "parameter 'page'" },
        { "/ui/", "per_page=5000", "parameter 'per_page': a number of rows from 10 to 500" },
        { "/ui/", "sort=colour", "parameter 'sort': opened, title, status" },
        { "/ui/", "order=up", "parameter 'order': asc or desc" },
        { "/ui/", "status=closed", "parameter 'status': open, mitigated, resolved or stale" },
        { "/ui/", "since=yesterday", "parameter 'since': an RFC 3339 time" },
        { "/ui/", "class=a%20b", "parameter 'class'" },
        { "/ui/", "service=a%0Ab", "parameter 'service'" },
        { "/ui/", "colour=red", "unknown parameter 'colour' (this page takes status," },
        { "/ui/", "page=1&page=2", "parameter 'page' is given twice" },
        { "/ui/", "since=-1d&until=-2d", "'since' must be before 'until'" },
        { "/ui/", "q=%zz", "malformed query string" },
        { "/ui/query", "window=0", "parameter 'window': a duration" },
        { "/ui/query", "group_by=class", "unknown parameter 'group_by'" },
        { "/ui/incidents/" SAMPLE, "page=2", "the events fill 1 page" },
        { "/ui/incidents/" SAMPLE, "page=x", "parameter 'page'" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct http_response r = get(bad[i].path, bad[i].query);
        char says[200];

        apos(bad[i].says, says, sizeof(says));
        if (r.status != 400 || !strstr(r.body, says))
            fail_msg("%s?%s: %d, want 400 saying \"%s\"", bad[i].path, bad[i].query, r.status,
                     bad[i].says);
        assert_string_equal(r.content_type, "text/html; charset=utf-8");
        assert_non_null(header(&r, "Content-Security-Policy"));
        free(r.body);
    }
}

static void test_routes(void **state)
{
    struct http_response r;

    (void)state;
    r = get("/", NULL);
    assert_int_equal(r.status, 302);
    assert_string_equal(header(&r, "Location"), "/ui/");
    free(r.body);
    r = get("/ui", NULL);
    assert_int_equal(r.status, 302);
    free(r.body);
    r = get("/api/v2/whatever", NULL);   /* the root route keeps the server's 404 */
    assert_int_equal(r.status, 404);
    assert_string_equal(r.content_type, "application/json");
    free(r.body);
    r = get("/ui/nothing", NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "/ui/incidents/ID"));
    free(r.body);
    r = get("/ui/incidents/inc-20990101-00000000", NULL);
    assert_int_equal(r.status, 404);
    free(r.body);
    r = get("/ui/incidents/..%2Fx", NULL);
    assert_int_equal(r.status, 404);
    free(r.body);
    r = get("/ui/assets/ui.css", NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/css; charset=utf-8");
    assert_non_null(strstr(r.body, "svg.iq-timeline{min-width:860px"));   /* the chart's rules */
    free(r.body);
}

static void test_incident_page(void **state)
{
    struct http_response r = get("/ui/incidents/" SAMPLE, NULL);
    const char *csp = header(&r, "Content-Security-Policy");

    (void)state;
    assert_int_equal(r.status, 200);
    assert_non_null(csp);
    assert_non_null(strstr(csp, "default-src 'self'; img-src 'self' data:; style-src 'self'"));
    assert_null(strstr(r.body, "<style"));      /* no inline style: the policy refuses it */
    assert_null(strstr(r.body, "<script"));
    assert_null(strstr(r.body, " style=\""));
    assert_int_equal(count(r.body, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"iq-timeline\""), 1);
    assert_int_equal(count(r.body, "data-milestone=\""), 6);
    assert_non_null(strstr(r.body, "data-milestone=\"detected\" data-at=\"2026-10-21T13:42:30.000Z\""));
    /* each milestone links to its evidence's row, which is on the page */
    assert_non_null(strstr(r.body, "href=\"#ev-am-3f1c-firing-1\""));
    assert_non_null(strstr(r.body, "id=\"ev-am-3f1c-firing-1\""));
    assert_non_null(strstr(r.body, "href=\"/api/v1/incidents/" SAMPLE "/draft.md\" download"));
    assert_non_null(strstr(r.body, "href=\"/api/v1/incidents/" SAMPLE "/draft.json\" download"));
    assert_non_null(strstr(r.body, "<article class=\"draft\">"));
    assert_null(strstr(r.body, "language-iq-timeline"));   /* the draft's own chart block is gone */
    free(r.body);
}

static void test_months(void **state)
{
    struct rnd_ui_month m[RND_UI_MONTHS_MAX];
    json_t *g = json_pack("[{s:s}, {s:s}]", "key", "2025-11", "key", "2026-02");

    (void)state;
    assert_int_equal(rnd_ui_months(g, m, RND_UI_MONTHS_MAX), 4);
    assert_string_equal(m[0].key, "2025-11");
    assert_string_equal(m[1].key, "2025-12");
    assert_string_equal(m[2].key, "2026-01");
    assert_string_equal(m[3].key, "2026-02");
    assert_ptr_equal(m[0].group, json_array_get(g, 0));
    assert_null(m[1].group);
    assert_null(m[2].group);
    assert_ptr_equal(m[3].group, json_array_get(g, 1));
    json_decref(g);
    g = json_pack("[{s:s}, {s:s}]", "key", "2026-02", "key", "2026-01");   /* out of order */
    assert_int_equal(rnd_ui_months(g, m, RND_UI_MONTHS_MAX), -EINVAL);
    json_decref(g);
    g = json_pack("[{s:s}]", "key", "2026-13");
    assert_int_equal(rnd_ui_months(g, m, RND_UI_MONTHS_MAX), -EINVAL);
    json_decref(g);
    g = json_pack("[{s:s}, {s:s}]", "key", "1990-01", "key", "2026-12");   /* latest kept */
    assert_int_equal(rnd_ui_months(g, m, RND_UI_MONTHS_MAX), RND_UI_MONTHS_MAX);
    assert_string_equal(m[0].key, "2007-01");
    assert_null(m[0].group);
    assert_string_equal(m[RND_UI_MONTHS_MAX - 1].key, "2026-12");
    json_decref(g);
    g = json_array();
    assert_int_equal(rnd_ui_months(g, m, RND_UI_MONTHS_MAX), 0);
    json_decref(g);
}

/* The analytics page buckets by the UTC month of opened_at: the last
 * millisecond of January and the first of February fall apart, and the
 * months between the history's incidents are drawn empty. */
static void test_query_page(void **state)
{
    struct http_response r = get("/ui/query", "service=edge");

    (void)state;
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<tr data-month=\"2025-01\"><th scope=\"row\">2025-01</th>"
                                   "<td class=\"num\">1</td><td>network 1</td></tr>"));
    assert_non_null(strstr(r.body, "<tr data-month=\"2025-02\"><th scope=\"row\">2025-02</th>"
                                   "<td class=\"num\">1</td><td>network 1</td></tr>"));
    assert_non_null(strstr(r.body, "data-month=\"2025-01\" data-class=\"network\" data-count=\"1\""));
    assert_null(strstr(r.body, "<script"));
    free(r.body);
    r = get("/ui/query", "since=2026-01-01T00:00:00Z&until=2026-03-01T00:00:00Z");
    /* January: the 12 (dns 0, 4, 8), February: the hostile one */
    assert_non_null(strstr(r.body, "<td class=\"num\">12</td><td>database 9, dns 3</td>"));
    assert_non_null(strstr(r.body, "data-month=\"2026-02\" data-class=\"dns\" data-count=\"1\""));
    assert_non_null(strstr(r.body, "data-metric=\"mttd\""));
    /* dns came back on api (0, 4, 8): a row linking to the list of them */
    assert_non_null(strstr(r.body, "href=\"/ui/?class=dns&amp;service=api\">3</a>"));
    free(r.body);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_escaping),
    cmocka_unit_test(test_list),
    cmocka_unit_test(test_bad_params),
    cmocka_unit_test(test_routes),
    cmocka_unit_test(test_incident_page),
    cmocka_unit_test(test_months),
    cmocka_unit_test(test_query_page),
};

TEST_MAIN_GROUP(tests, setup, teardown)

/* ana_http_test.c - GET /api/v1/query served by the real HTTP server
 * (http/http.c, libmicrohttpd on a free loopback port; handler in
 * analyze/ana_http.c) over a real
 * store in a temp directory, fetched with libcurl: grouped statistics,
 * recurring, URL-encoded parameters, and 400 answers naming the bad
 * parameter. */
#include "iq_test.h"
#include <curl/curl.h>
#include <jansson.h>
#include "ana_http.h"
#include "http.h"
#include "wh_hooks.h"
#include "ing_sink.h"
#include "store.h"
#include "iq_time.h"

static char dir[256];

struct body {
    char buf[65536];
    size_t n;
};

static size_t on_data(char *p, size_t sz, size_t nm, void *ud)
{
    struct body *b = ud;
    size_t n = sz * nm;

    if (b->n + n >= sizeof(b->buf))
        return 0;
    memcpy(b->buf + b->n, p, n);
    b->n += n;
    b->buf[b->n] = '\0';
    return n;
}

static long get(uint16_t port, const char *path, struct body *b)
{
    char url[512];
    long code = 0;
    CURL *c = curl_easy_init();

    assert_non_null(c);
    b->n = 0;
    b->buf[0] = '\0';
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    return code;
}

static void put(struct store *st, const char *id, const char *at, const char *svc,
                const char *cls, int ttr)
{
    char key[64], *s;
    json_t *inc = json_pack("{s:s, s:s, s:[s], s:{s:i}, s:[s]}", "id", id, "opened_at", at,
                            "services", svc, "durations", "time_to_resolve", ttr, "classes", cls);

    s = json_dumps(inc, JSON_COMPACT);
    snprintf(key, sizeof(key), "i%s", id);
    assert_int_equal(store_kv_put(st, STORE_CF_INCIDENTS, key, strlen(key), s, strlen(s)), 0);
    free(s);
    json_decref(inc);
}

static void test_api_query(void **state)
{
    struct http_server_opts o = { .listen = "127.0.0.1:0" };
    struct store_opts so = { 0 };
    struct store *st = NULL;
    struct http_server *h = NULL;
    struct ana_http_query *q = NULL;
    struct body *b = calloc(1, sizeof(*b));
    char cmd[300];
    uint16_t port;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/iq-ana-http-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(store_open(dir, &so, &st), 0);
    put(st, "inc-20260101-00000001", "2026-01-01T10:00:00.000Z", "pay api", "dns", 600);
    put(st, "inc-20260110-00000002", "2026-01-10T10:00:00.000Z", "pay api", "dns", 1200);
    put(st, "inc-20260120-00000003", "2026-01-20T10:00:00.000Z", "web", "network", 300);
    assert_int_equal(wh_server_new(&o, NULL, ing_sink_store(st), NULL, &h, NULL), 0);
    assert_int_equal(ana_http_query_add(h, st, NULL, &q), 0);
    assert_int_equal(http_server_start(h), 0);
    port = http_server_port(h);

    assert_int_equal(get(port, "/api/v1/query?group_by=service", b), 200);
    assert_non_null(strstr(b->buf, "\"group_by\":\"service\",\"incidents\":3"));
    assert_non_null(strstr(b->buf, "\"key\":\"pay api\",\"count\":2,"));
    /* nearest rank over 600 and 1200: median 600, p90 1200 */
    assert_non_null(strstr(b->buf, "\"mttr\":{\"median\":600,\"p90\":1200}"));
    assert_int_equal(get(port, "/api/v1/query?service=pay+api&since=2026-01-05T00%3A00%3A00Z", b), 200);
    assert_non_null(strstr(b->buf, "\"incidents\":1,"));
    assert_int_equal(get(port, "/api/v1/query?recurring=1&window=30d", b), 200);
    assert_non_null(strstr(b->buf, "\"class\":\"dns\",\"service\":\"pay api\",\"count\":2"));
    assert_int_equal(get(port, "/api/v1/query?recurring=1&window=5d", b), 200);
    assert_string_equal(b->buf, "[]");
    assert_int_equal(get(port, "/api/v1/query?group_by=year", b), 400);
    assert_non_null(strstr(b->buf, "bad or unknown parameter 'group_by'"));
    assert_int_equal(get(port, "/api/v1/query?colour=red", b), 400);
    assert_int_equal(get(port, "/api/v1/query?since=%zz", b), 400);
    assert_non_null(strstr(b->buf, "malformed query string"));

    http_server_destroy(&h);
    ana_http_query_free(&q);
    assert_null(q);
    store_close(&st);
    free(b);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_api_query),
};

TEST_MAIN(tests)

/* wh_source_test.c - the source mapping engine on the shipped mapping
 * files (schemas/sources) and the vendor fixtures (tests/data/webhooks):
 * field-by-field mapping, the vendors' signature test vectors, and mapping
 * files with mistakes that must be refused at load time naming file and
 * key.  Run from anywhere: paths are relative to $IQ_ROOT (default "."). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "wh_source.h"
#include "iq_event.h"
#include "iq_paths.h"
#include "iq_time.h"

#define GITHUB_SECRET "It's a Secret to Everybody"
#define SLACK_SECRET "8f742231b10e8888abcd99yyyzzz85a5"
#define PD_SECRET "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK"

static char *root_path(const char *rel)
{
    const char *root = getenv("IQ_ROOT");
    char *p = NULL;

    assert_true(asprintf(&p, "%s/%s", root ? root : ".", rel) > 0);
    return p;
}

static char *slurp(const char *rel, size_t *len)
{
    char *path = root_path(rel), *buf = NULL;

    assert_int_equal(iq_read_file(path, 1 << 24, &buf, len), 0);
    free(path);
    return buf;
}

static struct wh_sources *load(const char *conf_text)
{
    struct wh_sources *s = NULL;
    char *dir = root_path("schemas/sources"), err[IQ_ERR_MAX] = "";
    json_t *conf = conf_text ? json_loads(conf_text, 0, NULL) : NULL;
    int r = wh_sources_load(dir, conf, &s, err, sizeof(err));

    if (r < 0)
        fail_msg("load: %s", err);
    json_decref(conf);
    free(dir);
    return s;
}

/* Map fixture rel posted to path with extra headers (name, value pairs). */
static int map_file(const struct wh_sources *s, const char *path, const char *rel,
                    int64_t received, struct iq_event ***evs, size_t *n, char *err, size_t errsz,
                    int nh, ...)
{
    struct http_header h[8] = { { "content-type", "application/json" } };
    struct wh_delivery d = { .path = path, .headers = h, .n_headers = 1 + (size_t)nh,
                             .received_at = received };
    size_t len;
    char *body = slurp(rel, &len);
    int status = 0, r;
    va_list ap;

    va_start(ap, nh);
    for (int i = 0; i < nh; i++) {
        h[1 + i].name = va_arg(ap, const char *);
        h[1 + i].value = va_arg(ap, const char *);
    }
    va_end(ap);
    d.body = body;
    d.body_len = len;
    r = wh_sources_map(s, &d, evs, n, &status, err, errsz);
    free(body);
    return r < 0 ? -status : status;
}

static int64_t t(const char *s)
{
    int64_t ms = 0;

    assert_int_equal(iq_time_parse_rfc3339(s, strlen(s), &ms), 0);
    return ms;
}

static void test_alertmanager_firing(void **state)
{
    struct wh_sources *s = load(NULL);
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX];
    size_t n = 0;
    int64_t now = t("2020-02-06T00:18:01.000Z");

    (void)state;
    assert_int_equal(map_file(s, "/hooks/alertmanager",
                              "tests/data/webhooks/alertmanager/firing.group-2-alerts.json", now,
                              &evs, &n, err, sizeof(err), 0), 200);
    assert_int_equal(n, 2);
    assert_string_equal(evs[0]->str[IQ_F_ID],
                        "alertmanager:a1bc48475b20e73d:firing:2020-02-06T00:17:58.432911368Z");
    assert_string_equal(evs[0]->str[IQ_F_SOURCE], "alertmanager");
    assert_string_equal(evs[0]->str[IQ_F_KIND], "alert");
    assert_string_equal(evs[0]->str[IQ_F_ACTION], "firing");
    assert_string_equal(evs[0]->str[IQ_F_SERVICE], "andromeda");
    assert_string_equal(evs[0]->str[IQ_F_SEVERITY], "critical");
    assert_string_equal(evs[0]->str[IQ_F_TITLE], "High CPU Temperature: High CPU core temperature");
    assert_string_equal(evs[0]->str[IQ_F_TEXT], "CPU core temperature is 34.75C");
    assert_string_equal(evs[0]->str[IQ_F_INCIDENT_KEY], "a1bc48475b20e73d");
    assert_true(evs[0]->at == t("2020-02-06T00:17:58.432Z"));
    assert_true(evs[0]->ends_at == IQ_TIME_NONE);
    assert_string_equal(iq_event_label(evs[0], "received_at"), "2020-02-06T00:18:01.000Z");
    assert_string_equal(iq_event_label(evs[0], "annotation.topic"), "andromeda");
    assert_string_equal(iq_event_label(evs[0], "host"), "andromeda");
    assert_string_equal(evs[1]->str[IQ_F_TEXT], "CPU core temperature is 17.625C");
    assert_non_null(evs[1]->raw);
    wh_events_free(evs, n);
    wh_sources_destroy(&s);
    assert_null(s);
}

static void test_alertmanager_resolved(void **state)
{
    struct wh_sources *s = load(NULL);
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX];
    size_t n = 0;

    (void)state;
    assert_int_equal(map_file(s, "/hooks/alertmanager",
                              "tests/data/webhooks/alertmanager/resolved.single-alert.json",
                              iq_time_now_ms(), &evs, &n, err, sizeof(err), 0), 200);
    assert_int_equal(n, 1);
    assert_string_equal(evs[0]->str[IQ_F_ACTION], "resolved");
    assert_true(evs[0]->at == t("2018-11-04T21:48:13.283Z"));
    assert_true(evs[0]->ends_at == evs[0]->at);
    assert_string_equal(evs[0]->str[IQ_F_TITLE], "Fire");
    assert_string_equal(evs[0]->str[IQ_F_TEXT], "Something is on fire");
    assert_string_equal(evs[0]->str[IQ_F_URL], "http://localhost:9090/graph?g0.expr=vector%28666%29&g0.tab=1");
    /* no fingerprint in this old capture: the id falls back to the labels */
    assert_non_null(strstr(evs[0]->str[IQ_F_ID], "alertname"));
    wh_events_free(evs, n);
    wh_sources_destroy(&s);
}

static void test_opsgenie_nanoseconds(void **state)
{
    struct wh_sources *s = load(NULL);
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX];
    size_t n = 0;

    (void)state;
    assert_int_equal(map_file(s, "/hooks/opsgenie", "tests/data/webhooks/opsgenie/create.json",
                              iq_time_now_ms(), &evs, &n, err, sizeof(err), 0), 200);
    assert_int_equal(n, 1);
    assert_true(evs[0]->at == 1502709956288LL);
    assert_string_equal(evs[0]->str[IQ_F_ACTION], "triggered");
    assert_string_equal(evs[0]->str[IQ_F_SEVERITY], "P3");
    assert_string_equal(evs[0]->str[IQ_F_SERVICE], "Server");
    assert_string_equal(evs[0]->str[IQ_F_INCIDENT_KEY], "alert-alias");
    wh_events_free(evs, n);
    wh_sources_destroy(&s);
}

static void test_github_signature(void **state)
{
    struct wh_sources *s = load("{\"github\": {\"secret\": \"" GITHUB_SECRET "\"}}");
    struct http_header h[] = {
        { "content-type", "application/json" }, { "x-github-event", "ping" },
        { "x-hub-signature-256",
          "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17" },
    };
    struct wh_delivery d = { .path = "/hooks/github", .headers = h, .n_headers = 3,
                             .body = "Hello, World!", .body_len = 13,
                             .received_at = iq_time_now_ms() };
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX];
    size_t n = 0;
    int st = 0;

    (void)state;
    /* valid signature: authentication passes, then the body is not JSON */
    assert_true(wh_sources_map(s, &d, &evs, &n, &st, err, sizeof(err)) < 0);
    assert_int_equal(st, 400);
    h[2].value = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18";
    assert_true(wh_sources_map(s, &d, &evs, &n, &st, err, sizeof(err)) < 0);
    assert_int_equal(st, 401);
    d.n_headers = 2;
    assert_true(wh_sources_map(s, &d, &evs, &n, &st, err, sizeof(err)) < 0);
    assert_int_equal(st, 401);
    assert_non_null(strstr(err, "x-hub-signature-256"));
    wh_sources_destroy(&s);
}

static void test_slack_signature(void **state)
{
    static const char body[] = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    struct wh_sources *s = load("{\"slack\": {\"secret\": \"" SLACK_SECRET "\"}}");
    struct http_header h[] = {
        { "content-type", "application/json" }, { "x-slack-request-timestamp", "1531420618" },
        { "x-slack-signature",
          "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503" },
    };
    struct wh_delivery d = { .path = "/hooks/slack", .headers = h, .n_headers = 3,
                             .body = body, .body_len = sizeof(body) - 1,
                             .received_at = 1531420618000LL + 60000 };
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX];
    size_t n = 0;
    int st = 0;

    (void)state;
    assert_true(wh_sources_map(s, &d, &evs, &n, &st, err, sizeof(err)) < 0);
    assert_int_equal(st, 400);   /* signature good; a form body is not JSON */
    d.received_at = 1531420618000LL + 6 * 60000;
    assert_true(wh_sources_map(s, &d, &evs, &n, &st, err, sizeof(err)) < 0);
    assert_int_equal(st, 401);
    assert_non_null(strstr(err, "5 minutes"));
    d.received_at = 1531420618000LL;
    h[2].value = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b504";
    assert_true(wh_sources_map(s, &d, &evs, &n, &st, err, sizeof(err)) < 0);
    assert_int_equal(st, 401);
    wh_sources_destroy(&s);
}

static void test_pagerduty_signature(void **state)
{
    struct wh_sources *s = load("{\"pagerduty\": {\"secret\": \"" PD_SECRET "\"}}");
    const char *rel = "tests/data/webhooks/pagerduty/webhook-v3.incident.priority_updated.signed-raw-body.json";
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX];
    size_t n = 0;

    (void)state;
    assert_int_equal(map_file(s, "/hooks/pagerduty", rel, iq_time_now_ms(), &evs, &n, err,
                              sizeof(err), 1, "x-pagerduty-signature",
                              "v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5,"
                              "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd"),
                     200);
    assert_int_equal(n, 1);
    assert_string_equal(evs[0]->str[IQ_F_ACTION], "priority_updated");
    assert_string_equal(evs[0]->str[IQ_F_ID], "pagerduty:01BWDWL3NYY7LUFPZCC28QUCMK");
    wh_events_free(evs, n);
    assert_int_equal(map_file(s, "/hooks/pagerduty", rel, iq_time_now_ms(), &evs, &n, err,
                              sizeof(err), 1, "x-pagerduty-signature",
                              "v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5"),
                     -401);
    wh_sources_destroy(&s);
}

static void test_github_ignored_and_unknown(void **state)
{
    struct wh_sources *s = load(NULL);
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX];
    size_t n = 9;

    (void)state;
    assert_int_equal(map_file(s, "/hooks/github", "tests/data/webhooks/github/push.new-branch.json",
                              iq_time_now_ms(), &evs, &n, err, sizeof(err), 1, "x-github-event",
                              "push"), 202);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err, "'push' is not mapped"));
    free(evs);
    assert_int_equal(map_file(s, "/hooks/nope", "tests/data/webhooks/github/push.new-branch.json",
                              iq_time_now_ms(), &evs, &n, err, sizeof(err), 0), -404);
    wh_sources_destroy(&s);
}

static void test_slack_challenge(void **state)
{
    struct wh_sources *s = load(NULL);
    struct http_header h[] = { { "content-type", "application/json" } };
    size_t len, n = 0;
    char *body = slurp("tests/data/webhooks/slack/events-api.url_verification.json", &len);
    struct wh_delivery d = { .path = "/hooks/slack", .headers = h, .n_headers = 1, .body = body,
                             .body_len = len, .received_at = iq_time_now_ms() };
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX], *reply = NULL;
    int st = 0;

    (void)state;
    assert_int_equal(wh_sources_map_reply(s, &d, &evs, &n, &st, &reply, err, sizeof(err)), 0);
    assert_int_equal(st, 200);
    assert_int_equal(n, 0);
    assert_string_equal(reply, "{\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\"}");
    free(reply);
    free(evs);
    free(body);
    wh_sources_destroy(&s);
}

/* An alert with more labels than an event holds and a description longer
 * than the text field is still stored: extra labels stay in the raw payload
 * and the text is cut at a UTF-8 boundary, not refused (Alertmanager does
 * not retry a 4xx). */
static void test_large_alert(void **state)
{
    struct wh_sources *s = load(NULL);
    struct http_header h[] = { { "content-type", "application/json" } };
    struct iq_event **evs = NULL;
    char err[IQ_ERR_MAX], *body;
    json_t *labels = json_object(), *alert, *root;
    char *desc = malloc(20001);
    size_t n = 0;
    int st = 0;

    (void)state;
    for (int i = 0; i < 100; i++) {
        char k[16];

        snprintf(k, sizeof(k), "l%03d", i);
        json_object_set_new(labels, k, json_string("v"));
    }
    json_object_set_new(labels, "alertname", json_string("Big"));
    for (int i = 0; i < 20000; i += 2)
        memcpy(desc + i, "\xc3\xa9", 2);      /* 10000 two-byte characters */
    desc[20000] = '\0';
    alert = json_pack("{s:s,s:o,s:{s:s},s:s,s:s}", "status", "firing", "labels", labels,
                      "annotations", "description", desc, "startsAt", "2026-01-01T00:00:00Z",
                      "fingerprint", "big1");
    root = json_pack("{s:[o]}", "alerts", alert);
    body = json_dumps(root, JSON_COMPACT);
    {
        struct wh_delivery d = { .path = "/hooks/alertmanager", .headers = h, .n_headers = 1,
                                 .body = body, .body_len = strlen(body),
                                 .received_at = iq_time_now_ms() };

        assert_int_equal(wh_sources_map(s, &d, &evs, &n, &st, err, sizeof(err)), 0);
    }
    assert_int_equal(st, 200);
    assert_int_equal(n, 1);
    assert_int_equal(evs[0]->n_labels, IQ_LABELS_MAX);
    assert_int_equal(strlen(evs[0]->str[IQ_F_TEXT]), 16384);
    wh_events_free(evs, n);
    free(body);
    free(desc);
    json_decref(root);
    wh_sources_destroy(&s);
}

/* Write one mapping file in a fresh directory and try to load it. */
static int load_text(const char *text, char *err, size_t errsz)
{
    char dir[] = "/tmp/iq-src-test.XXXXXX", path[64];
    struct wh_sources *s = NULL;
    FILE *f;
    int r;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/bad.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    r = wh_sources_load(dir, NULL, &s, err, errsz);
    wh_sources_destroy(&s);
    unlink(path);
    rmdir(dir);
    return r;
}

static void test_bad_mapping_files(void **state)
{
    static const struct { const char *text, *needle; } cases[] = {
        { "{\"source\": \"x\", \"rules\": [{\"event\": {\"id\": \"{$.a\", \"kind\": \"alert\", "
          "\"action\": \"a\", \"at\": \"{$.t}\"}}]}", "rules[0]: event.id: unclosed" },
        { "{\"source\": \"x\", \"rules\": [{\"event\": {\"kind\": \"alert\", \"action\": \"a\", "
          "\"at\": \"{$.t}\"}}]}", "'id', 'kind', 'action' and 'at' are required" },
        { "{\"source\": \"x\", \"rules\": [{\"event\": {\"id\": \"x\", \"kind\": \"alert\", "
          "\"action\": \"a\", \"at\": {\"value\": \"{$.t}\", \"format\": \"unix\"}}}]}",
          "unknown time format" },
        { "{\"source\": \"x\", \"colour\": 1, \"rules\": []}", "colour: unknown key" },
        { "{\"source\": \"x\", \"rules\": [{\"ignore\": \"{nope}\"}]}", "unknown reference" },
        { "{\"source\": \"x\", \"auth\": {\"scheme\": \"rot13\"}, \"rules\": [{\"ignore\": \"x\"}]}",
          "unknown scheme" },
        { "{\"source\": \"x\", \"auth\": {\"scheme\": \"token\", \"fallback\": \"token\"}, "
          "\"rules\": [{\"ignore\": \"x\"}]}", "are for hmac-sha256" },
        { "{\"source\": \"x\", \"auth\": {\"scheme\": \"hmac-sha256\", \"header\": \"h\", "
          "\"fallback\": \"basic\"}, \"rules\": [{\"ignore\": \"x\"}]}", "only \"token\"" },
        { "{\"source\": \"x\", \"rules\": [{\"ignore\": \"x\"", "line 1" },
    };
    char err[IQ_ERR_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        err[0] = '\0';
        assert_int_equal(load_text(cases[i].text, err, sizeof(err)), -EINVAL);
        if (!strstr(err, cases[i].needle) || !strstr(err, "bad.json"))
            fail_msg("case %zu: error \"%s\" lacks \"%s\"", i, err, cases[i].needle);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alertmanager_firing),
        cmocka_unit_test(test_alertmanager_resolved),
        cmocka_unit_test(test_opsgenie_nanoseconds),
        cmocka_unit_test(test_github_signature),
        cmocka_unit_test(test_slack_signature),
        cmocka_unit_test(test_pagerduty_signature),
        cmocka_unit_test(test_github_ignored_and_unknown),
        cmocka_unit_test(test_slack_challenge),
        cmocka_unit_test(test_bad_mapping_files),
        cmocka_unit_test(test_large_alert),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

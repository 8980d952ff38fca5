/* tail_rule_test.c - parsing rules: every shipped rule on its sample
 * lines (the "samples" of schemas/logs/ files), time formats, levels, rule
 * errors naming file, rule and offset, selection, and pcre2 limits. */
#include "iq_test.h"

#include <errno.h>
#include <jansson.h>
#include <unistd.h>

#include "tail_event.h"
#include "tail_rule.h"
#include "iq_event.h"
#include "iq_time.h"

static char *path_of(const char *rel)
{
    static char buf[4096];

    snprintf(buf, sizeof(buf), "%s/%s", iq_test_root(), rel);
    return buf;
}

static struct tail_rules *load(const char *rel)
{
    struct tail_rules *rs = NULL;
    char err[IQ_ERR_MAX];
    int r;

    assert_int_equal(tail_rules_new(&rs), 0);
    r = tail_rules_load(rs, path_of(rel), err, sizeof(err));
    if (r < 0)
        fprintf(stderr, "load %s: %s\n", rel, err);
    assert_true(r > 0);
    return rs;
}

static bool span_is(struct tail_span sp, const char *s)
{
    return sp.len == strlen(s) && memcmp(sp.s, s, sp.len) == 0;
}

static const char *label(const struct tail_line *ll, const char *key, char *buf, size_t sz)
{
    for (uint32_t i = 0; i < ll->n_labels; i++) {
        if (span_is(ll->label_key[i], key)) {
            snprintf(buf, sz, "%.*s", (int)ll->label_val[i].len, ll->label_val[i].s);
            return buf;
        }
    }
    return NULL;
}

/* Check one sample's expectations; returns the number of checks made. */
static int check_sample(struct tail_rules *rs, const char *rule, const json_t *sample)
{
    const char *line = json_string_value(json_object_get(sample, "line"));
    const json_t *ex = json_object_get(sample, "expect"), *v, *labels;
    struct tail_line ll;
    char buf[1024], tbuf[IQ_TIME_STRLEN];
    int hint = -1, checks = 0;
    const char *k;

    assert_non_null(line);
    assert_int_equal(tail_rules_match(rs, line, strlen(line), &hint, &ll), 1);
    if (strcmp(ll.rule, rule) != 0)
        fail_msg("sample of rule %s parsed by rule %s: %s", rule, ll.rule, line);
    if ((v = json_object_get(ex, "time"))) {
        assert_int_not_equal(ll.at, IQ_TIME_NONE);
        iq_time_format(ll.at, tbuf, sizeof(tbuf));
        assert_string_equal(tbuf, json_string_value(v));
        checks++;
    }
    if ((v = json_object_get(ex, "level"))) {
        assert_non_null(tail_level_name(ll.level));
        assert_string_equal(tail_level_name(ll.level), json_string_value(v));
        checks++;
    }
    if ((v = json_object_get(ex, "status"))) {
        assert_int_equal(ll.status, json_integer_value(v));
        checks++;
    }
    if ((v = json_object_get(ex, "service"))) {
        snprintf(buf, sizeof(buf), "%.*s", (int)ll.service.len, ll.service.s);
        assert_string_equal(buf, json_string_value(v));
        checks++;
    }
    if ((v = json_object_get(ex, "event"))) {
        if (ll.is_event != json_is_true(v))
            fail_msg("rule %s: event %d, want %d: %s", rule, ll.is_event, json_is_true(v), line);
        checks++;
    }
    labels = json_object_get(ex, "labels");
    json_object_foreach((json_t *)labels, k, v) {
        const char *got = label(&ll, k, buf, sizeof(buf));

        if (!got || strcmp(got, json_string_value(v)) != 0)
            fail_msg("rule %s: label %s = %s, want %s", rule, k, got ? got : "(none)",
                     json_string_value(v));
        checks++;
    }
    return checks;
}

static int check_file(struct tail_rules *rs, const char *file)
{
    json_t *doc = json_load_file(file, 0, NULL), *rule, *sample;
    size_t i, j;
    int samples = 0;

    assert_non_null(doc);
    json_array_foreach(json_object_get(doc, "rules"), i, rule) {
        const char *name = json_string_value(json_object_get(rule, "name"));
        size_t n = json_array_size(json_object_get(rule, "samples"));

        if (n < 2)
            fail_msg("%s: rule %s has %zu samples, want at least 2", file, name, n);
        json_array_foreach(json_object_get(rule, "samples"), j, sample) {
            assert_true(check_sample(rs, name, sample) > 0);
            samples++;
        }
    }
    json_decref(doc);
    return samples;
}

static void test_shipped_samples(void **state)
{
    static const char *const files[] = { "nginx.json", "syslog.json", "jsonl.json",
                                         "generic.json" };
    struct tail_rules *rs = load("schemas/logs");
    char p[4096];
    int total = 0;

    (void)state;
    assert_int_equal(tail_rules_count(rs), 6);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(p, sizeof(p), "%s/schemas/logs/%s", iq_test_root(), files[i]);
        total += check_file(rs, p);
    }
    assert_true(total >= 15);
    tail_rules_destroy(&rs);
    assert_null(rs);
}

static void test_unparsed_and_hint(void **state)
{
    struct tail_rules *rs = load("schemas/logs");
    struct tail_line ll;
    const char *a = "10.0.0.7 - - [21/Oct/2026:13:42:07 +0000] \"GET / HTTP/1.1\" 502 0";
    const char *g = "ERROR boom";
    int hint = -1, h2;

    (void)state;
    assert_int_equal(tail_rules_match(rs, "just some words", 15, &hint, &ll), 0);
    assert_int_equal(tail_rules_match(rs, "", 0, &hint, &ll), 0);
    assert_int_equal(tail_rules_match(rs, "{not json", 9, &hint, &ll), 0);
    assert_int_equal(hint, -1);
    assert_int_equal(tail_rules_match(rs, a, strlen(a), &hint, &ll), 1);
    assert_string_equal(ll.rule, "nginx_access");
    assert_true(ll.is_event);
    h2 = hint;
    assert_int_equal(tail_rules_match(rs, g, strlen(g), &hint, &ll), 1);
    assert_string_equal(ll.rule, "generic_level");
    assert_int_not_equal(hint, h2);
    assert_true(span_is(ll.message, "boom"));
    tail_rules_destroy(&rs);
}

static void test_bad_pattern_error(void **state)
{
    struct tail_rules *rs = NULL;
    char err[IQ_ERR_MAX];

    (void)state;
    assert_int_equal(tail_rules_new(&rs), 0);
    assert_int_equal(tail_rules_load(rs, path_of("tests/data/logs/bad_pattern.json"), err,
                                     sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "bad_pattern.json: rule 'broken': pattern offset 33:"));
    assert_non_null(strstr(err, "missing closing parenthesis"));
    assert_int_equal(tail_rules_count(rs), 0);   /* nothing of the file was added */
    assert_int_equal(tail_rules_load(rs, path_of("tests/data/logs/bad_keys.json"), err,
                                     sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "rule 'typo': unknown key 'time_fromat'"));
    assert_int_equal(tail_rules_load(rs, path_of("tests/data/logs/none.json"), err,
                                     sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "none.json"));
    tail_rules_destroy(&rs);
}

static void test_select(void **state)
{
    struct tail_rules *rs = load("schemas/logs");
    struct tail_line ll;
    char err[IQ_ERR_MAX];
    int hint = -1;

    (void)state;
    assert_int_equal(tail_rules_select(rs, "nginx_access,nope", err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "'nope'"));
    assert_int_equal(tail_rules_count(rs), 6);
    assert_int_equal(tail_rules_select(rs, "nginx_error,generic_level", err, sizeof(err)), 0);
    assert_int_equal(tail_rules_count(rs), 2);
    assert_int_equal(tail_rules_match(rs, "{\"level\":\"error\"}", 17, &hint, &ll), 0);
    tail_rules_destroy(&rs);
}

static void test_time_formats(void **state)
{
    int64_t now = 1792590120000LL, t; /* 2026-10-21T13:42:00Z */
    char b[IQ_TIME_STRLEN];

    (void)state;
    assert_int_equal(tail_time_parse(TAIL_TIME_CLF, "21/Oct/2026:15:42:00 +0200", 26, now, &t), 0);
    assert_int_equal(t, now);
    assert_int_equal(tail_time_parse(TAIL_TIME_CLF, "21/Oct/2026:15:42:00", 20, now, &t), -EINVAL);
    assert_int_equal(tail_time_parse(TAIL_TIME_SYSLOG, "Oct 21 13:42:00", 15, now, &t), 0);
    assert_int_equal(t, now);
    /* a December line read in January belongs to the previous year */
    assert_int_equal(tail_time_parse(TAIL_TIME_SYSLOG, "Dec 31 23:59:59", 15, 1798761600000LL, &t),
                     0);
    iq_time_format(t, b, sizeof(b));
    assert_string_equal(b, "2026-12-31T23:59:59.000Z");
    assert_int_equal(tail_time_parse(TAIL_TIME_SYSLOG, "Oct  1 09:00:00", 15, now, &t), 0);
    assert_int_equal(tail_time_parse(TAIL_TIME_SYSLOG, "Foo 21 13:42:00", 15, now, &t), -EINVAL);
    assert_int_equal(tail_time_parse(TAIL_TIME_EPOCH, "1792590120", 10, now, &t), 0);
    assert_int_equal(t, now);
    assert_int_equal(tail_time_parse(TAIL_TIME_EPOCH, "1792590120.5", 12, now, &t), 0);
    assert_int_equal(t, now + 500);
    assert_int_equal(tail_time_parse(TAIL_TIME_EPOCH, "1792590120123", 13, now, &t), 0);
    assert_int_equal(t, now + 123);
    assert_int_equal(tail_time_parse(TAIL_TIME_EPOCH, "17x", 3, now, &t), -EINVAL);
    assert_int_equal(tail_time_parse(TAIL_TIME_NGINX_ERROR, "2026/10/21 13:42:00", 19, now, &t), 0);
    assert_int_equal(t, now);
    assert_int_equal(tail_time_parse(TAIL_TIME_NGINX_ERROR, "2026/13/21 13:42:00", 19, now, &t),
                     -EINVAL);
    assert_int_equal(tail_time_parse(TAIL_TIME_RFC3339, "2026-10-21T13:42:00Z", 20, now, &t), 0);
    assert_int_equal(t, now);
    assert_int_equal(tail_timefmt_lookup("clf"), TAIL_TIME_CLF);
    assert_int_equal(tail_timefmt_lookup("iso"), -1);
}

static void test_levels(void **state)
{
    (void)state;
    assert_int_equal(tail_level_parse("WARN", 4), TAIL_LEVEL_WARN);
    assert_int_equal(tail_level_parse("Warning", 7), TAIL_LEVEL_WARN);
    assert_int_equal(tail_level_parse("err", 3), TAIL_LEVEL_ERROR);
    assert_int_equal(tail_level_parse("FATAL", 5), TAIL_LEVEL_EMERGENCY);
    assert_int_equal(tail_level_parse("loud", 4), TAIL_LEVEL_NONE);
    assert_true(TAIL_LEVEL_CRITICAL > TAIL_LEVEL_ERROR);
    assert_string_equal(tail_level_name(TAIL_LEVEL_WARN), "warning");
    assert_null(tail_level_name(TAIL_LEVEL_NONE));
}

/* A catastrophic pattern on a long line stops at the match limit and
 * counts as "not parsed" instead of hanging or failing the stream. */
static void test_match_limit(void **state)
{
    struct tail_rules *rs = NULL;
    struct tail_line ll;
    char err[IQ_ERR_MAX], path[] = "/tmp/iq-logrule-XXXXXX";
    static char line[4096];
    int fd, hint = -1;
    FILE *f;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs("{\"name\":\"slow\",\"rules\":[{\"name\":\"slow\",\"pattern\":\"^(a+)+$\"}]}", f);
    fclose(f);
    assert_int_equal(tail_rules_new(&rs), 0);
    assert_int_equal(tail_rules_load(rs, path, err, sizeof(err)), 1);
    unlink(path);
    memset(line, 'a', sizeof(line) - 1);
    line[sizeof(line) - 2] = 'b';
    assert_int_equal(tail_rules_match(rs, line, sizeof(line) - 1, &hint, &ll), 0);
    tail_rules_destroy(&rs);
}

/* Events from lines: deterministic ids, cleaned strings, service order. */
static void test_line_event(void **state)
{
    struct tail_rules *rs = load("schemas/logs");
    struct tail_item it = { .what = TAIL_LINE, .path = "/var/log/app.log",
                            .fid = 0xabcdef, .offset = 4096 };
    const char *a = "10.0.0.7 - - [21/Oct/2026:13:42:07 +0000] \"GET /api/cart HTTP/1.1\" 503 1";
    const char *bad = "ERROR caf\xc3\xa9 \xff\x01" "broken\tline";
    struct iq_event *ev = NULL;
    struct tail_line ll;
    char err[IQ_ERR_MAX];
    int hint = -1;

    (void)state;
    it.line = a;
    it.len = strlen(a);
    assert_int_equal(tail_rules_match(rs, a, strlen(a), &hint, &ll), 1);
    assert_int_equal(tail_event_build(&ll, &it, NULL, 0, &ev, err, sizeof(err)), 0);
    assert_string_equal(iq_ev_id(ev), "log-0000000000abcdef-4096");
    assert_string_equal(iq_ev_kind(ev), "log");
    assert_string_equal(iq_ev_action(ev), "error_line");
    assert_string_equal(iq_ev_service(ev), "nginx");          /* the rule's default */
    assert_string_equal(ev->str[IQ_F_TITLE], "HTTP 503 on GET /api/cart");
    assert_string_equal(ev->str[IQ_F_SEVERITY], "error");
    assert_string_equal(iq_event_label(ev, "status"), "503");
    assert_string_equal(iq_event_label(ev, "offset"), "4096");
    assert_int_equal(ev->at, 1792590127000LL);
    iq_event_destroy(&ev);
    assert_int_equal(tail_event_build(&ll, &it, "shop-web", 0, &ev, err, sizeof(err)), 0);
    assert_string_equal(iq_ev_service(ev), "shop-web");       /* --service beats the default */
    iq_event_destroy(&ev);
    /* invalid UTF-8 and control characters cannot make the event invalid */
    it.line = bad;
    it.len = strlen(bad);
    it.truncated = true;
    it.fid = 0;
    assert_int_equal(tail_rules_match(rs, bad, strlen(bad), &hint, &ll), 1);
    assert_int_equal(tail_event_build(&ll, &it, NULL, 1792590120000LL, &ev, err, sizeof(err)), 0);
    assert_string_equal(ev->str[IQ_F_TITLE], "caf\xc3\xa9 ??broken line");
    assert_string_equal(iq_event_label(ev, "truncated"), "true");
    assert_string_equal(iq_event_label(ev, "time_source"), "read");
    assert_string_equal(iq_ev_service(ev), "unknown");
    assert_int_equal(ev->at, 1792590120000LL);
    assert_non_null(strstr(iq_ev_id(ev), "log-stdin-"));
    iq_event_destroy(&ev);
    /* a raw unparsed line */
    assert_int_equal(tail_event_build(NULL, &it, "svc", 5, &ev, err, sizeof(err)), 0);
    assert_string_equal(iq_ev_action(ev), "unparsed_line");
    iq_event_destroy(&ev);
    tail_rules_destroy(&rs);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_line_event),
    cmocka_unit_test(test_shipped_samples),
    cmocka_unit_test(test_unparsed_and_hint),
    cmocka_unit_test(test_bad_pattern_error),
    cmocka_unit_test(test_select),
    cmocka_unit_test(test_time_formats),
    cmocka_unit_test(test_levels),
    cmocka_unit_test(test_match_limit),
};

TEST_MAIN(tests)

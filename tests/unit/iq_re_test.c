/* iq_re_test.c - the pcre2 wrapper's limits as config values: a
 * catastrophic pattern under a small match limit (JIT) or depth limit
 * (interpreter) fails cleanly and fast with -ERANGE and a message naming
 * the limit, its value and its key; the "regex" section is checked whole
 * (range, unknown uses and keys, types) before any limit changes; limit
 * hits are logged at the 1st, 10th, 100th, ... */
#include "iq_test.h"
#include <errno.h>
#include <time.h>
#include "iq_re.h"

/* (a+)+$ on "aaaa...ab" backtracks through 2^n ways to split the a's. */
#define CATASTROPHIC "(a+)+$"

static char subject[64];

static const char *evil(void)
{
    memset(subject, 'a', 40);
    subject[40] = 'b';
    subject[41] = '\0';
    return subject;
}

/* Set the section given as JSON text; the return of iq_re_setup. */
static int setup_text(const char *text, char *err, size_t errsz)
{
    json_t *j = json_loads(text, 0, NULL);
    int r;

    assert_non_null(j);
    r = iq_re_setup(j, err, errsz);
    json_decref(j);
    return r;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Match with the context of lim; the pcre2 code. */
static int run(const char *pat, const char *s, const struct iq_re_limits *lim, uint32_t opts)
{
    struct iq_re_error e;
    pcre2_code *code = NULL;
    pcre2_match_context *mctx = iq_re_context_new(lim);
    pcre2_match_data *md;
    int rc;

    assert_non_null(mctx);
    assert_int_equal(iq_re_compile(pat, PCRE2_ZERO_TERMINATED, 0, &code, &e), 0);
    md = pcre2_match_data_create_from_pattern(code, NULL);
    rc = pcre2_match(code, (PCRE2_SPTR)s, strlen(s), 0, opts, md, mctx);
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    pcre2_match_context_free(mctx);
    return rc;
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(iq_re_limits_of(IQ_RE_LOGS)->match_limit, IQ_RE_MATCH_LIMIT);
    assert_int_equal(iq_re_limits_of(IQ_RE_CLASSES)->depth_limit, IQ_RE_DEPTH_LIMIT);
    assert_int_equal(iq_re_limits_of(IQ_RE_REDACTION)->match_limit, IQ_RE_REDACT_MATCH_LIMIT);
    assert_int_equal(iq_re_limits_of(IQ_RE_LINT)->match_limit, IQ_RE_LINT_MATCH_LIMIT);
    assert_string_equal(iq_re_limits_of(IQ_RE_LOGS)->key, "regex.logs");
}

/* A small match limit stops the catastrophic pattern (JIT or not) fast;
 * the same subject without the limit trips pcre2 only much later. */
static void test_match_limit(void **state)
{
    struct iq_re_limits lim = { 1000, 10000, "regex.logs" };
    char buf[200];
    double t0 = now_s();
    int rc = run(CATASTROPHIC, evil(), &lim, 0);

    (void)state;
    assert_int_equal(rc, PCRE2_ERROR_MATCHLIMIT);
    assert_true(now_s() - t0 < 1.0);
    assert_true(iq_re_is_limit(rc));
    assert_int_equal(iq_re_errno(rc), -ERANGE);
    assert_string_equal(iq_re_describe(rc, &lim, buf, sizeof(buf)),
                        "the pcre2 match limit (regex.logs.match_limit = 1000)");
    /* the same pattern on a subject it matches stays within the limit */
    assert_true(run(CATASTROPHIC, "aaab", &lim, 0) == PCRE2_ERROR_NOMATCH);
    assert_true(run(CATASTROPHIC, "aaaa", &lim, 0) > 0);
}

/* In the interpreter, the depth limit is what stops it first. */
static void test_depth_limit(void **state)
{
    struct iq_re_limits lim = { IQ_RE_MATCH_LIMIT_MAX, 10, "regex.classes" };
    char buf[200];
    int rc = run(CATASTROPHIC, evil(), &lim, PCRE2_NO_JIT);

    (void)state;
    assert_int_equal(rc, PCRE2_ERROR_DEPTHLIMIT);
    assert_int_equal(iq_re_errno(rc), -ERANGE);
    assert_string_equal(iq_re_describe(rc, &lim, buf, sizeof(buf)),
                        "the pcre2 depth limit (regex.classes.depth_limit = 10)");
    assert_non_null(strstr(iq_re_describe(PCRE2_ERROR_NOMEMORY, &lim, buf, sizeof(buf)),
                           "pcre2 error: "));
    assert_false(iq_re_is_limit(PCRE2_ERROR_NOMATCH));
}

/* The section sets the uses it names, keeps the others. */
static void test_setup(void **state)
{
    char err[300] = "";

    (void)state;
    assert_int_equal(iq_re_setup(NULL, err, sizeof(err)), 0);
    assert_int_equal(setup_text("{\"logs\": {\"match_limit\": 500}, \"redaction\": "
                                "{\"depth_limit\": 20, \"match_limit\": 2000000}}",
                                err, sizeof(err)), 0);
    assert_int_equal(iq_re_limits_of(IQ_RE_LOGS)->match_limit, 500);
    assert_int_equal(iq_re_limits_of(IQ_RE_LOGS)->depth_limit, IQ_RE_DEPTH_LIMIT);
    assert_int_equal(iq_re_limits_of(IQ_RE_REDACTION)->depth_limit, 20);
    assert_int_equal(iq_re_limits_of(IQ_RE_REDACTION)->match_limit, 2000000);
    assert_int_equal(iq_re_limits_of(IQ_RE_CLASSES)->match_limit, IQ_RE_MATCH_LIMIT);
    assert_int_equal(setup_text("{\"logs\": {\"match_limit\": 100000}, \"redaction\": "
                                "{\"match_limit\": 1000000, \"depth_limit\": 10000}}",
                                err, sizeof(err)), 0);
    assert_int_equal(iq_re_limits_of(IQ_RE_REDACTION)->depth_limit, IQ_RE_REDACT_DEPTH_LIMIT);
}

/* Every mistake names the key, and nothing is set when one is wrong. */
static void test_setup_errors(void **state)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        { "{\"logs\": {\"match_limit\": 5}}",
          "config 'regex.logs.match_limit': 5 is outside 10..1000000000" },
        { "{\"classes\": {\"depth_limit\": 20000000}}",
          "config 'regex.classes.depth_limit': 20000000 is outside 10..10000000" },
        { "{\"logs\": {\"match_limit\": \"1M\"}}",
          "config 'regex.logs.match_limit': expected an integer (10..1000000000)" },
        { "{\"logs\": {\"match_limt\": 100}}",
          "config 'regex.logs': unknown key \"match_limt\" (match_limit, depth_limit)" },
        { "{\"logs\": 100}", "config 'regex.logs': expected an object" },
        { "{\"lint\": {\"match_limit\": 100}}", "config 'regex': unknown key \"lint\"" },
        { "[1]", "config 'regex': expected an object" },
    };
    char err[300];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_int_equal(setup_text(bad[i].text, err, sizeof(err)), -EINVAL);
        if (strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0)
            fail_msg("%s: got \"%s\", want \"%s...\"", bad[i].text, err, bad[i].msg);
    }
    /* a valid use before the bad one is not applied either */
    assert_int_equal(setup_text("{\"classes\": {\"match_limit\": 777}, \"logs\": "
                                "{\"match_limit\": 1}}", err, sizeof(err)), -EINVAL);
    assert_int_equal(iq_re_limits_of(IQ_RE_CLASSES)->match_limit, IQ_RE_MATCH_LIMIT);
    assert_int_equal(iq_re_limits_of(IQ_RE_LOGS)->match_limit, IQ_RE_MATCH_LIMIT);
}

/* The limits of one use, parsed on their own (lint rules files). */
static void test_limits_parse(void **state)
{
    struct iq_re_limits lim = { 1, 2, "x.json: regex" };
    json_t *j = json_loads("{\"depth_limit\": 30, \"comment\": \"why\"}", 0, NULL);
    char err[200];

    (void)state;
    assert_int_equal(iq_re_limits_parse(j, &lim, err, sizeof(err)), 0);
    assert_int_equal(lim.match_limit, 1);
    assert_int_equal(lim.depth_limit, 30);
    json_decref(j);
    j = json_loads("{\"depth_limit\": 0}", 0, NULL);
    assert_int_equal(iq_re_limits_parse(j, &lim, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "config 'x.json: regex.depth_limit': 0 is outside 10..10000000");
    assert_int_equal(lim.depth_limit, 30);
    json_decref(j);
}

static void test_hit_rate(void **state)
{
    _Atomic uint64_t count = 0;
    unsigned logged = 0;
    uint64_t n = 0;

    (void)state;
    for (int i = 0; i < 1000; i++)
        logged += iq_re_hit(&count, &n);
    assert_int_equal(n, 1000);
    assert_int_equal(logged, 4);   /* 1, 10, 100, 1000 */
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_match_limit),
    cmocka_unit_test(test_depth_limit),
    cmocka_unit_test(test_setup),
    cmocka_unit_test(test_setup_errors),
    cmocka_unit_test(test_limits_parse),
    cmocka_unit_test(test_hit_rate),
};

TEST_MAIN(tests)

/* cor_text_test.c - the correlator's direct JSON writer (cor_text.h)
 * against jansson's own dump: awkward strings (every control character,
 * quotes, backslashes, slashes, non-ASCII text, DEL), integers, reals and
 * whole values, and the sticky error for text that is not UTF-8.  The
 * stored incidents must stay byte-identical to json_dumps(JSON_COMPACT |
 * JSON_SORT_KEYS), which is what rebuild determinism is checked against. */
#include "iq_test.h"
#include <errno.h>
#include "cor_text.h"

static void expect_same(json_t *v, const char *got)
{
    char *want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

    assert_non_null(want);
    assert_string_equal(got, want);
    free(want);
    json_decref(v);
}

static void test_strings(void **state)
{
    static const char *const cases[] = {
        "", "plain", "q\"uote", "back\\slash", "a/b", "tab\tnl\ncr\rff\fbs\b",
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5", "del\x7f", "end\x1f", NULL,
    };
    char all[32];

    (void)state;
    for (int i = 0; cases[i]; i++) {
        struct cor_text t = { 0 };
        char *out = NULL;

        cor_text_str(&t, cases[i]);
        assert_int_equal(cor_text_take(&t, &out), 0);
        expect_same(json_string(cases[i]), out);
        free(out);
    }
    for (int c = 1; c < 32; c++)
        all[c - 1] = (char)c;
    all[31] = '\0';
    {
        struct cor_text t = { 0 };
        char *out = NULL;

        cor_text_str(&t, all);
        assert_int_equal(cor_text_take(&t, &out), 0);
        expect_same(json_string(all), out);
        free(out);
    }
}

static void test_numbers_and_values(void **state)
{
    static const double reals[] = { 0, 0.8, 0.6, 0.333, 1, 0.001, 0.999 };
    static const int64_t ints[] = { -1234567890123LL, 0, 7, -1, INT64_MAX, INT64_MIN };
    struct cor_text t = { 0 };
    json_t *arr = json_pack("[s,{s:i,s:[]},n]", "x", "b", 1, "a");
    char *out = NULL;

    (void)state;
    for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
        cor_text_real(&t, reals[i]);
        assert_int_equal(cor_text_take(&t, &out), 0);
        expect_same(json_real(reals[i]), out);
        free(out);
    }
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        cor_text_int(&t, ints[i]);
        assert_int_equal(cor_text_take(&t, &out), 0);
        expect_same(json_integer(ints[i]), out);
        free(out);
    }
    cor_text_json(&t, arr);
    assert_int_equal(cor_text_take(&t, &out), 0);
    expect_same(arr, out);
    free(out);
}

static void test_invalid_utf8(void **state)
{
    struct cor_text t = { 0 };
    char *out = NULL;

    (void)state;
    cor_text_lit(&t, "[");
    cor_text_str_checked(&t, "cut \xe2\x82");
    cor_text_lit(&t, "]");
    assert_int_equal(cor_text_take(&t, &out), -EINVAL);
    assert_null(out);
    assert_null(json_string("cut \xe2\x82"));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_strings),
    cmocka_unit_test(test_numbers_and_values),
    cmocka_unit_test(test_invalid_utf8),
};

TEST_MAIN(tests)

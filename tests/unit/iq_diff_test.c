/* iq_diff_test.c - the unified diff: same texts, a change with its
 * context and GNU diff's hunk headers, far-apart changes in two hunks,
 * near ones merged into one, additions to empty texts, and a long random
 * edit read back (applying the diff's hunks to the old text gives the
 * new one). */
#include "iq_test.h"

#include <errno.h>

#include "iq_buf.h"
#include "iq_diff.h"

static int diff(const char *a, const char *b, struct iq_buf *out)
{
    iq_buf_init(out, 1 << 20);
    return iq_diff_unified(a, strlen(a), b, strlen(b), "old", "new", out);
}

static void test_same(void **state)
{
    struct iq_buf out;

    (void)state;
    assert_int_equal(diff("a\nb\nc\n", "a\nb\nc\n", &out), 0);
    assert_int_equal(out.len, 0);
    assert_int_equal(diff("", "", &out), 0);
    iq_buf_free(&out);
}

static void test_one_change(void **state)
{
    struct iq_buf out;

    (void)state;
    assert_int_equal(diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n", &out), 1);
    assert_string_equal(out.p, "--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
    iq_buf_free(&out);
    assert_int_equal(diff("", "x\ny\n", &out), 1);
    assert_string_equal(out.p, "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+x\n+y\n");
    iq_buf_free(&out);
    assert_int_equal(diff("x\n", "", &out), 1);
    assert_string_equal(out.p, "--- old\n+++ new\n@@ -1,1 +0,0 @@\n-x\n");
    iq_buf_free(&out);
}

static void test_hunks(void **state)
{
    struct iq_buf out;
    char a[400] = "", b[400] = "";
    size_t na = 0, nb = 0;

    (void)state;
    for (int i = 1; i <= 30; i++) {
        na += (size_t)snprintf(a + na, sizeof(a) - na, "%d\n", i);
        nb += (size_t)snprintf(b + nb, sizeof(b) - nb, "%d%s\n", i, i == 3 || i == 25 ? "x" : "");
    }
    assert_int_equal(diff(a, b, &out), 1);
    assert_non_null(strstr(out.p, "@@ -1,6 +1,6 @@\n"));
    assert_non_null(strstr(out.p, "@@ -22,7 +22,7 @@\n"));
    iq_buf_free(&out);
    /* two changes 4 lines apart share a hunk */
    na = nb = 0;
    for (int i = 1; i <= 20; i++) {
        na += (size_t)snprintf(a + na, sizeof(a) - na, "%d\n", i);
        nb += (size_t)snprintf(b + nb, sizeof(b) - nb, "%d%s\n", i, i == 8 || i == 12 ? "x" : "");
    }
    assert_int_equal(diff(a, b, &out), 1);
    assert_non_null(strstr(out.p, "@@ -5,11 +5,11 @@\n"));
    assert_null(strstr(strstr(out.p, "@@ -5"), "\n@@"));
    iq_buf_free(&out);
}

/* Apply the hunks of a diff to a: what they say must give b. */
static void apply(const char *a, const char *d, struct iq_buf *res)
{
    const char *p = strstr(d, "@@"), *ap = a;
    size_t line = 1;

    iq_buf_init(res, 1 << 20);
    while (p && strncmp(p, "@@ -", 4) == 0) {
        size_t start = strtoul(p + 4, NULL, 10);

        p = strchr(p, '\n') + 1;
        while (line < start) {          /* copy up to the hunk */
            const char *nl = strchr(ap, '\n');

            iq_buf_add(res, ap, (size_t)(nl - ap) + 1);
            ap = nl + 1;
            line++;
        }
        while (*p == ' ' || *p == '-' || *p == '+') {
            const char *nl = strchr(p, '\n');

            if (*p != '-')
                iq_buf_add(res, p + 1, (size_t)(nl - p));
            if (*p != '+') {
                ap = strchr(ap, '\n') + 1;
                line++;
            }
            p = nl + 1;
        }
    }
    iq_buf_adds(res, ap);
}

static void test_random(void **state)
{
    struct iq_buf a, b, out, res;
    unsigned seed = 12345;

    (void)state;
    iq_buf_init(&a, 1 << 20);
    iq_buf_init(&b, 1 << 20);
    for (int i = 0; i < 600; i++) {
        seed = seed * 1103515245u + 12345u;
        iq_buf_printf(&a, "line %d\n", i);
        if ((seed >> 16) % 7 == 0)
            continue;                               /* deleted */
        iq_buf_printf(&b, "line %d%s\n", i, (seed >> 16) % 11 == 0 ? " changed" : "");
        if ((seed >> 16) % 13 == 0)
            iq_buf_printf(&b, "inserted after %d\n", i);
    }
    assert_int_equal(diff(a.p, b.p, &out), 1);
    apply(a.p, out.p, &res);
    assert_string_equal(res.p, b.p);
    iq_buf_free(&a);
    iq_buf_free(&b);
    iq_buf_free(&out);
    iq_buf_free(&res);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_same),
    cmocka_unit_test(test_one_change),
    cmocka_unit_test(test_hunks),
    cmocka_unit_test(test_random),
};

TEST_MAIN(tests)

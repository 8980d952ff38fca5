/* rev_rules_test.c - unit tests for review/rev_rules.c, rev_re.c and
 * rev_file.c: the shipped rules load, and broken rules are refused with the
 * file, the rule id and (for patterns) the pcre2 offset in the message.
 * Also the schemas directory lookup order. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rev_file.h"
#include "rev_re.h"
#include "rev_test.h"

/* Load text as a rules file called "x.json"; returns the load result and
 * leaves the message in err. */
static int load_text(const char *text, char *err, size_t errsz)
{
    struct rev_rules *set = NULL;
    int r = rev_rules_load_buf("x.json", text, strlen(text), &set, err, errsz);

    rev_rules_destroy(&set);
    return r;
}

#define RULE_HEAD "{\"version\":1,\"rules\":[{\"id\":\"t.one\",\"category\":\"blame\"," \
                  "\"langs\":[\"en\"],\"message\":\"m\",\"suggestion\":\"s\","

static void shipped_rules_load(void **state)
{
    const struct rev_rules *rules = rev_test_rules();
    size_t per_cat[REV_CAT_N] = { 0 };

    (void)state;
    for (size_t i = 0; i < rev_rules_count(rules); i++)
        per_cat[rev_rules_at(rules, i)->cat]++;
    for (int c = 0; c < REV_CAT_N; c++)
        assert_true(per_cat[c] > 0);
    assert_non_null(rev_rules_section(rules, "action-items"));
    assert_non_null(rev_rules_section(rules, "checklist"));
    assert_non_null(rev_rules_find(rules, "blame.en.human-error"));
    assert_string_equal(rev_rules_find(rules, "blame.ja.judgement")->file, "blame.ja.json");
}

static void bad_pattern_names_offset(void **state)
{
    char err[512];

    (void)state;
    assert_int_equal(load_text(RULE_HEAD "\"patterns\":[\"ok\",\"a(b\"]}]}", err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, "x.json"));
    assert_non_null(strstr(err, "rule 't.one'"));
    assert_non_null(strstr(err, "\"patterns\"[1]"));
    assert_non_null(strstr(err, "offset 3"));
}

static void bad_exception_pattern(void **state)
{
    char err[512];

    (void)state;
    assert_int_equal(load_text(RULE_HEAD "\"patterns\":[\"a\"],\"unless\":[\"[z-a]\"]}]}", err,
                               sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "\"unless\"[0]"));
    assert_non_null(strstr(err, "pcre2 error at offset"));
}

static void unknown_key_refused(void **state)
{
    char err[512];

    (void)state;
    assert_int_equal(load_text(RULE_HEAD "\"patterns\":[\"a\"],\"strength\":\"tool\"}]}", err,
                               sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "unknown key \"strength\""));
    assert_int_equal(load_text("{\"version\":1,\"rulez\":[]}", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "rulez"));
}

static void missing_fields_refused(void **state)
{
    char err[512];

    (void)state;
    assert_int_equal(load_text("{\"version\":1,\"rules\":[{\"category\":\"blame\"}]}", err,
                               sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "rule #1"));
    assert_non_null(strstr(err, "\"id\""));
    assert_int_equal(load_text(RULE_HEAD "\"unless\":[\"a\"]}]}", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "missing \"patterns\""));
    assert_int_equal(load_text("{\"version\":1,\"rules\":[{\"id\":\"t.one\",\"category\":\"blame\","
                               "\"langs\":[\"en\",\"ja\"],\"message\":{\"en\":\"m\"},"
                               "\"suggestion\":\"s\",\"patterns\":[\"a\"]}]}",
                               err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "does not cover every language"));
}

static void duplicate_and_json_errors(void **state)
{
    char err[512];

    (void)state;
    assert_int_equal(load_text(RULE_HEAD "\"patterns\":[\"a\"]}," "{\"id\":\"t.one\",\"category\":"
                               "\"blame\",\"langs\":[\"en\"],\"message\":\"m\",\"suggestion\":\"s\","
                               "\"patterns\":[\"b\"]}]}", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "duplicate id"));
    assert_int_equal(load_text("{\"version\":1,\"rules\":[", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "x.json: line 1"));
    assert_int_equal(load_text("{\"version\":1,\"version\":1}", err, sizeof(err)), -EINVAL);
}

static void examples_are_checked(void **state)
{
    char err[512];

    (void)state;
    assert_int_equal(load_text(RULE_HEAD "\"patterns\":[\"\\\\bcareless\\\\b\"],"
                               "\"examples\":{\"match\":[\"a careless act\"],\"nomatch\":[\"carefully\"]}}]}",
                               err, sizeof(err)), 0);
    assert_int_equal(load_text(RULE_HEAD "\"patterns\":[\"\\\\bcareless\\\\b\"],"
                               "\"examples\":{\"match\":[\"carelessness\"]}}]}", err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, "should match but does not"));
}

static void structure_needs_known_section(void **state)
{
    char err[512];

    (void)state;
    assert_int_equal(load_text("{\"version\":1,\"rules\":[{\"id\":\"s.x\",\"category\":\"structure\","
                               "\"langs\":[\"en\"],\"message\":\"m\",\"suggestion\":\"s\","
                               "\"check\":\"section\",\"section\":\"nowhere\"}]}", err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, "no section of kind \"nowhere\""));
}

static void empty_dir_and_bad_file(void **state)
{
    char tmpl[] = "/tmp/rev-rules-XXXXXX", path[600], err[512];
    struct rev_rules *set = NULL;
    char *dir = mkdtemp(tmpl);
    FILE *f;

    (void)state;
    assert_non_null(dir);
    assert_int_equal(rev_rules_load_dir(dir, &set, err, sizeof(err)), -ENOENT);
    snprintf(path, sizeof(path), "%s/a.json", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(RULE_HEAD "\"patterns\":[\"(?<bad\"]}]}", f);
    fclose(f);
    assert_int_equal(rev_rules_load_dir(dir, &set, err, sizeof(err)), -EINVAL);
    assert_null(set);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "t.one"));
    unlink(path);
    rmdir(dir);
}

static void re_limits_and_value_group(void **state)
{
    struct rev_re *re = rev_re_new(iq_re_limits_of(IQ_RE_LINT));
    char err[200], big[REV_RE_PATTERN_MAX + 2];
    size_t a, b, va, vb;

    (void)state;
    assert_int_equal(rev_re_add(re, "owner:\\s*(?<value>\\w+)", true, err, sizeof(err)), 0);
    assert_int_equal(rev_re_search(re, "x OWNER: bob", 12, &a, &b, &va, &vb), 1);
    assert_int_equal(a, 2);
    assert_int_equal(va, 9);
    assert_int_equal(vb, 12);
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(rev_re_add(re, big, true, err, sizeof(err)), -E2BIG);
    assert_int_equal(rev_re_add(re, "(a+)+$", false, err, sizeof(err)), 0);
    {
        char subject[4000];

        memset(subject, 'a', sizeof(subject) - 1);
        subject[sizeof(subject) - 2] = 'b';
        subject[sizeof(subject) - 1] = '\0';
        assert_true(rev_re_any(re, subject, strlen(subject)) <= 0);
    }
    assert_int_equal(rev_re_search(re, "\xff", 1, &a, &b, NULL, NULL), -EILSEQ);
    rev_re_destroy(&re);
    assert_null(re);
}

/* A rules file's "regex" sets the limits of every pattern of the set; a
 * pattern that hits them fails the rule's examples at load, naming the
 * rule, the pattern, the limit and the file that set it; bad limits and
 * a second "regex" are refused. */
static void rules_file_limits(void **state)
{
    static const char head[] = "{\"version\":1,\"regex\":{\"match_limit\":%d},"
                               "\"rules\":[{\"id\":\"t.slow\",\"category\":\"blame\","
                               "\"langs\":[\"en\"],\"message\":\"m\",\"suggestion\":\"s\","
                               "\"patterns\":[\"(a+)+$\"],\"examples\":{\"nomatch\":"
                               "[\"aaaaaaaaaaaaaaaaab\"]}}]}";
    char text[600], err[512], tmpl[] = "/tmp/rev-limits-XXXXXX", path[600];
    struct rev_rules *set = NULL;
    char *dir = mkdtemp(tmpl);
    FILE *f;

    (void)state;
    snprintf(text, sizeof(text), head, 50);
    assert_int_equal(load_text(text, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "rule 't.slow'"));
    assert_non_null(strstr(err, "pattern \"(a+)+$\" hit the pcre2 match limit "
                                "(x.json: regex.match_limit = 50)"));
    snprintf(text, sizeof(text), head, 100000000);
    assert_int_equal(load_text(text, err, sizeof(err)), 0);
    snprintf(text, sizeof(text), head, 5);
    assert_int_equal(load_text(text, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "x.json: config 'regex.match_limit': 5 is outside 10..1000000000");
    /* in a directory: the limits of z.json hold for the rules of a.json,
     * and only one file may set them */
    assert_non_null(dir);
    snprintf(path, sizeof(path), "%s/a.json", dir);
    assert_non_null(f = fopen(path, "w"));
    fputs("{\"version\":1,\"rules\":[{\"id\":\"t.slow\",\"category\":\"blame\","
          "\"langs\":[\"en\"],\"message\":\"m\",\"suggestion\":\"s\","
          "\"patterns\":[\"(a+)+$\"],\"examples\":{\"nomatch\":"
          "[\"aaaaaaaaaaaaaaaaab\"]}}]}", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/z.json", dir);
    assert_non_null(f = fopen(path, "w"));
    fputs("{\"version\":1,\"regex\":{\"match_limit\":50,\"depth_limit\":100}}", f);
    fclose(f);
    assert_int_equal(rev_rules_load_dir(dir, &set, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "a.json: rule 't.slow'"));
    assert_non_null(strstr(err, "(z.json: regex.match_limit = 50)"));
    snprintf(path, sizeof(path), "%s/b.json", dir);
    assert_non_null(f = fopen(path, "w"));
    fputs("{\"version\":1,\"regex\":{\"match_limit\":60}}", f);
    fclose(f);
    assert_int_equal(rev_rules_load_dir(dir, &set, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "z.json: \"regex\" is set twice (also in b.json)"));
    unlink(path);
    snprintf(path, sizeof(path), "%s/z.json", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/a.json", dir);
    unlink(path);
    rmdir(dir);
}

static void schemas_lookup_order(void **state)
{
    char buf[4096], err[512], tmpl[] = "/tmp/rev-schemas-XXXXXX", sub[600];
    char *root = mkdtemp(tmpl);
    char *old = getenv(REV_SCHEMAS_ENV) ? strdup(getenv(REV_SCHEMAS_ENV)) : NULL;

    (void)state;
    assert_non_null(root);
    snprintf(sub, sizeof(sub), "%s/lint", root);
    assert_int_equal(mkdir(sub, 0700), 0);
    /* 1. an explicit directory wins, and must exist */
    assert_int_equal(rev_schemas_find(sub, "lint", buf, sizeof(buf), err, sizeof(err)), 0);
    assert_string_equal(buf, sub);
    assert_int_equal(rev_schemas_find("/nonexistent/x", "lint", buf, sizeof(buf), err,
                                      sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "/nonexistent/x"));
    /* 2. $INQUEST_SCHEMAS, authoritative when set */
    setenv(REV_SCHEMAS_ENV, root, 1);
    assert_int_equal(rev_schemas_find(NULL, "lint", buf, sizeof(buf), err, sizeof(err)), 0);
    assert_string_equal(buf, sub);
    setenv(REV_SCHEMAS_ENV, "/nonexistent", 1);
    assert_int_equal(rev_schemas_find(NULL, "lint", buf, sizeof(buf), err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, REV_SCHEMAS_ENV));
    /* 3. ./schemas relative to the current directory */
    unsetenv(REV_SCHEMAS_ENV);
    assert_int_equal(chdir(iq_test_root()), 0);
    assert_int_equal(rev_schemas_find(NULL, "lint", buf, sizeof(buf), err, sizeof(err)), 0);
    assert_string_equal(buf, "./schemas/lint");
    if (old)
        setenv(REV_SCHEMAS_ENV, old, 1);
    free(old);
    rmdir(sub);
    rmdir(root);
}

static void file_read_limits(void **state)
{
    char tmpl[] = "/tmp/rev-file-XXXXXX", err[512], *buf = NULL;
    int fd = mkstemp(tmpl);
    size_t len = 0;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    close(fd);
    assert_int_equal(rev_file_read(tmpl, 10, &buf, &len, err, sizeof(err)), 0);
    assert_int_equal(len, 10);
    assert_string_equal(buf, "0123456789");
    free(buf);
    buf = NULL;
    assert_int_equal(rev_file_read(tmpl, 9, &buf, &len, err, sizeof(err)), -E2BIG);
    assert_null(buf);
    assert_non_null(strstr(err, "over the limit"));
    unlink(tmpl);
    assert_int_equal(rev_file_read(tmpl, 9, &buf, &len, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, tmpl));
    assert_int_equal(rev_file_read("/tmp", 9, &buf, &len, err, sizeof(err)), -EISDIR);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(shipped_rules_load, rev_test_teardown),
    cmocka_unit_test(bad_pattern_names_offset),
    cmocka_unit_test(bad_exception_pattern),
    cmocka_unit_test(unknown_key_refused),
    cmocka_unit_test(missing_fields_refused),
    cmocka_unit_test(duplicate_and_json_errors),
    cmocka_unit_test(examples_are_checked),
    cmocka_unit_test(structure_needs_known_section),
    cmocka_unit_test(empty_dir_and_bad_file),
    cmocka_unit_test(re_limits_and_value_group),
    cmocka_unit_test(rules_file_limits),
    cmocka_unit_test(schemas_lookup_order),
    cmocka_unit_test(file_read_limits),
};

TEST_MAIN(tests)

/* iq_conf_test.c - config files as JSON with comments, and the generated
 * sample: line and block comments are ignored outside strings and kept
 * inside them, error positions still point into the file, an unclosed
 * comment is named by its line, null puts a key back to its default, and
 * iq_conf_print_config writes a file that loads back to the defaults. */
#include "iq_test.h"
#include <errno.h>
#include <stdbool.h>
#include "iq_conf.h"
#include "iq_event.h"

struct cfg {
    char *name;
    bool flag;
    int64_t count;
    size_t size;
    int64_t wait;
    json_t *section;
    char *unset;
};

#define OFF(f) offsetof(struct cfg, f)

static const struct iq_conf_item table[] = {
    { "name", IQ_CONF_STR, OFF(name), "inquest", 0, 0, "a string with a \"quote\" and // slashes" },
    { "flag", IQ_CONF_BOOL, OFF(flag), "true", 0, 0, "a boolean" },
    { "count", IQ_CONF_INT, OFF(count), "8", 1, 64, "a bounded integer, whose description is "
      "long enough to be wrapped over more than one comment line in the sample file" },
    { "size", IQ_CONF_SIZE, OFF(size), "1M", 0, 0, "a size" },
    { "wait", IQ_CONF_DURATION, OFF(wait), "30s", 0, 0, "a duration" },
    { "section", IQ_CONF_JSON, OFF(section), NULL, 0, 0, "a section" },
    { "unset", IQ_CONF_STR, OFF(unset), NULL, 0, 0, "a string without default" },
    { NULL, 0, 0, NULL, 0, 0, NULL },
};

/* Parse text (copied: comments are blanked in place). */
static int parse(const char *text, json_t **ret, char *err, size_t errsz)
{
    char *buf = strdup(text);
    int r = iq_conf_parse(buf, strlen(buf), "t.conf", ret, err, errsz);

    free(buf);
    return r;
}

static void test_comments(void **state)
{
    const char *text = "// leading comment\n"
                       "{\n"
                       "  /* a block\n"
                       "     over lines */ \"name\": \"a//b /* not a comment */\",\n"
                       "  \"count\": 3, // trailing\n"
                       "  \"section\": {\"k\": \"\\\" // still a string\"}\n"
                       "}\n";
    json_t *j = NULL;
    char err[IQ_ERR_MAX] = "";

    (void)state;
    assert_int_equal(parse(text, &j, err, sizeof(err)), 0);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "a//b /* not a comment */");
    assert_int_equal(json_integer_value(json_object_get(j, "count")), 3);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "section"), "k")),
                        "\" // still a string");
    json_decref(j);
}

static void test_errors_name_the_line(void **state)
{
    json_t *j = NULL;
    char err[IQ_ERR_MAX] = "";

    (void)state;
    /* a comment over two lines before the error: jansson's line is right */
    assert_int_equal(parse("{ /* one\n two */\n \"a\": 1,\n}", &j, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "t.conf:4:"));
    assert_int_equal(parse("{\n \"a\": 1 /* never closed\n}", &j, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "config t.conf:2: a comment opened here is never closed");
    assert_int_equal(parse("// only a comment\n[1]", &j, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "expected a JSON object at the top"));
    assert_null(j);
}

static void test_null_resets(void **state)
{
    struct cfg c = { 0 };
    json_t *j = NULL;
    char err[IQ_ERR_MAX] = "";

    (void)state;
    assert_int_equal(iq_conf_defaults(table, &c), 0);
    assert_int_equal(parse("{\"name\": \"x\", \"unset\": \"y\", \"count\": 9, \"section\": {}}", &j,
                           err, sizeof(err)), 0);
    assert_int_equal(iq_conf_apply(table, &c, j, err, sizeof(err)), 0);
    json_decref(j);
    assert_string_equal(c.name, "x");
    assert_int_equal(parse("{\"name\": null, \"unset\": null, \"count\": null, \"section\": null}",
                           &j, err, sizeof(err)), 0);
    assert_int_equal(iq_conf_apply(table, &c, j, err, sizeof(err)), 0);
    json_decref(j);
    assert_string_equal(c.name, "inquest");
    assert_null(c.unset);
    assert_int_equal(c.count, 8);
    assert_null(c.section);
    iq_conf_release(table, &c);
}

static void test_sample_loads_back(void **state)
{
    struct cfg def = { 0 }, got = { 0 };
    char *text = NULL, err[IQ_ERR_MAX] = "";
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    json_t *j = NULL;

    (void)state;
    iq_conf_print_config(f, table, "a header that is long enough to need two lines of comment "
                         "in the sample file, followed by the keys");
    fclose(f);
    assert_non_null(strstr(text, "// a bounded integer"));
    assert_int_equal(iq_conf_parse(text, len, "sample", &j, err, sizeof(err)), 0);
    assert_int_equal(json_object_size(j), 7);
    assert_int_equal(iq_conf_defaults(table, &def), 0);
    assert_int_equal(iq_conf_defaults(table, &got), 0);
    assert_int_equal(iq_conf_apply(table, &got, j, err, sizeof(err)), 0);
    assert_string_equal(got.name, def.name);
    assert_int_equal(got.flag, def.flag);
    assert_int_equal(got.count, def.count);
    assert_int_equal(got.size, def.size);
    assert_int_equal(got.wait, def.wait);
    assert_null(got.section);
    assert_null(got.unset);
    json_decref(j);
    free(text);
    iq_conf_release(table, &def);
    iq_conf_release(table, &got);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_comments),
    cmocka_unit_test(test_errors_name_the_line),
    cmocka_unit_test(test_null_resets),
    cmocka_unit_test(test_sample_loads_back),
};

TEST_MAIN(tests)

/* iq_yaml_test.c - the YAML loader: block and flow styles to the same
 * JSON, core-schema scalars, key lines for nested paths, errors with
 * their line (syntax, duplicate keys, tags, several documents, alias
 * bombs, depth), and the emitter read back to the same value. */
#include "iq_test.h"

#include <errno.h>

#include "iq_buf.h"
#include "iq_yaml.h"

static json_t *parse(const char *text, struct iq_yaml_pos **pos)
{
    char err[256] = "";
    json_t *v = NULL;
    int r = iq_yaml_parse(text, strlen(text), &v, pos, err, sizeof(err));

    if (r != 0)
        fail_msg("parse failed: %s", err);
    return v;
}

/* The JSON of text, compact with sorted keys, compared with want. */
static void same(const char *text, const char *want)
{
    json_t *v = parse(text, NULL), *w = json_loads(want, JSON_DECODE_ANY, NULL);

    assert_non_null(w);
    if (!json_equal(v, w)) {
        char *got = json_dumps(v, JSON_ENCODE_ANY | JSON_SORT_KEYS);

        fail_msg("%s\n  got %s\n want %s", text, got, want);
    }
    json_decref(v);
    json_decref(w);
}

/* text fails with an error containing want. */
static void refused(const char *text, const char *want)
{
    char err[256] = "";
    json_t *v = NULL;

    assert_int_equal(iq_yaml_parse(text, strlen(text), &v, NULL, err, sizeof(err)), -EINVAL);
    assert_null(v);
    if (!strstr(err, want))
        fail_msg("%s: error \"%s\" lacks \"%s\"", text, err, want);
}

static void test_scalars(void **state)
{
    (void)state;
    same("a: 1\nb: -7\nc: 0x1F\nd: 0o17\ne: 1.5\nf: 1e3\ng: .5\n",
         "{\"a\":1,\"b\":-7,\"c\":31,\"d\":15,\"e\":1.5,\"f\":1000.0,\"g\":0.5}");
    same("a: true\nb: False\nc: ~\nd:\ne: null\nf: yes\ng: on\n",
         "{\"a\":true,\"b\":false,\"c\":null,\"d\":null,\"e\":null,\"f\":\"yes\",\"g\":\"on\"}");
    same("a: \"1\"\nb: '2'\nc: !!str 3\nd: 30m\ne: 1G\nf: tcp://127.0.0.1:7701\n",
         "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\",\"d\":\"30m\",\"e\":\"1G\","
         "\"f\":\"tcp://127.0.0.1:7701\"}");
    same("a: \"tab\\there \\u00e9\"\nb: |\n  line one\n  line two\n",
         "{\"a\":\"tab\\there \\u00e9\",\"b\":\"line one\\nline two\\n\"}");
    same("", "null");
    same("# only a comment\n", "null");
    same("---\nx: 1\n...\n", "{\"x\":1}");
}

static void test_block_and_flow(void **state)
{
    const char *block =
        "correlate:\n"
        "  quiet_period: 30m        # a comment\n"
        "  linked_channels:\n"
        "    - \"#incidents\"\n"
        "    - C024BE91L\n"
        "access:\n"
        "  tokens:\n"
        "    - name: grafana\n"
        "      role: read\n";
    const char *flow = "{\"correlate\": {\"quiet_period\": \"30m\", \"linked_channels\": "
                       "[\"#incidents\", \"C024BE91L\"]}, \"access\": {\"tokens\": "
                       "[{\"name\": \"grafana\", \"role\": \"read\"}]}}";

    (void)state;
    same(block, flow);
    same(flow, flow);     /* JSON is YAML too */
    same("base: &b {a: 1, b: [x, y]}\ncopy: *b\n",
         "{\"base\":{\"a\":1,\"b\":[\"x\",\"y\"]},\"copy\":{\"a\":1,\"b\":[\"x\",\"y\"]}}");
}

static void test_positions(void **state)
{
    struct iq_yaml_pos *pos = NULL;
    json_t *v = parse("data: /var/lib/inquest\n"
                      "correlate:\n"
                      "  quiet_period: 30m\n"
                      "  components:\n"
                      "    Checkout API: checkout\n"
                      "access:\n"
                      "  tokens:\n"
                      "    - name: grafana\n"
                      "      role: read\n"
                      "    - name: ci\n"
                      "      role: write\n", &pos);
    int col = 0;

    (void)state;
    assert_non_null(pos);
    assert_int_equal(iq_yaml_pos_line(pos, "data", &col), 1);
    assert_int_equal(col, 1);
    assert_int_equal(iq_yaml_pos_line(pos, "correlate.quiet_period", &col), 3);
    assert_int_equal(col, 3);
    assert_int_equal(iq_yaml_pos_line(pos, "correlate.components.Checkout API", NULL), 5);
    assert_int_equal(iq_yaml_pos_line(pos, "access.tokens[1].role", NULL), 11);
    assert_int_equal(iq_yaml_pos_line(pos, "access.tokens[1]", NULL), 10);
    /* a key that is not there: its nearest enclosing key */
    assert_int_equal(iq_yaml_pos_line(pos, "access.tokens[1].sha256", NULL), 10);
    assert_int_equal(iq_yaml_pos_line(pos, "correlate.open_severity", NULL), 2);
    assert_int_equal(iq_yaml_pos_line(pos, "nothing", NULL), 0);
    assert_int_equal(iq_yaml_pos_line(NULL, "data", NULL), 0);
    iq_yaml_pos_free(&pos);
    assert_null(pos);
    json_decref(v);
}

static void test_errors(void **state)
{
    char deep[400];
    size_t n = 0;

    (void)state;
    refused("a: 1\nb: [1, 2\n", "3:1: ");
    refused("a: 1\nb:\n  c: 1\n  c: 2\n", "4:3: duplicate key 'b.c'");
    refused("a: !!binary aGVsbG8=\n", "1:4: unsupported tag");
    refused("a: !!int nope\n", "is not a int");
    refused("a: 1\n---\nb: 2\n", "2:1: more than one YAML document");
    refused("? [a, b]\n: 1\n", "a key must be a plain string");
    refused("a: *nope\n", "unknown alias");
    refused("a: .inf\n", "infinite");
    refused("a: 99999999999999999999\n", "integer out of range");
    refused("a: \"x\\0y\"\n", "NUL byte");
    refused("a:\tb\n  c: d\n", "2:4: mapping values are not allowed");
    for (int i = 0; i < 70; i++)
        deep[n++] = '[';
    deep[n] = '\0';
    refused(deep, "nested deeper than 64 levels");
    /* a billion laughs stops at the expanded size */
    refused("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
            "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n", "aliases expand to more than");
}

/* v emitted as YAML reads back as v. */
static void round_trip(const char *json)
{
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL), *back;
    struct iq_buf b;

    assert_non_null(v);
    iq_buf_init(&b, 1 << 20);
    assert_int_equal(iq_yaml_emit(&b, v, 0), 0);
    back = parse(b.p, NULL);
    if (!json_equal(v, back))
        fail_msg("%s emitted as\n%s", json, b.p);
    iq_buf_free(&b);
    json_decref(v);
    json_decref(back);
}

static void test_emit(void **state)
{
    struct iq_buf b;
    json_t *v;

    (void)state;
    round_trip("{\"a\": 1, \"b\": [1, \"two\", {\"c\": null, \"d\": [true, false]}], \"e\": {}, "
               "\"f\": [], \"g\": {\"h\": {\"i\": 2.5}}}");
    round_trip("{\"yes\": \"no\", \"1\": \"1\", \"true\": \"null\", \"# x\": \"- y\", "
               "\"a: b\": \"c #d\", \"\": \"\", \"multi\\nline\": \"q\\\"uote\\\\\"}");
    round_trip("[[1, 2], [], {}, [{\"a\": [1]}]]");
    round_trip("\"plain scalar\"");
    v = json_loads("{\"tokens\": [{\"name\": \"grafana\", \"role\": \"read\"}], \"n\": 3}", 0, NULL);
    iq_buf_init(&b, 4096);
    assert_int_equal(iq_yaml_emit(&b, v, 2), 0);
    assert_string_equal(b.p, "  tokens:\n    - name: \"grafana\"\n      role: \"read\"\n  n: 3\n");
    iq_buf_free(&b);
    json_decref(v);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_scalars),
    cmocka_unit_test(test_block_and_flow),
    cmocka_unit_test(test_positions),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_emit),
};

TEST_MAIN(tests)

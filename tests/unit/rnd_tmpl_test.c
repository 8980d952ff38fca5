/* rnd_tmpl_test.c - unit tests of the template language (render/rnd_tmpl*).
 *
 * Each case compiles a template, renders it over a small JSON context and
 * compares the exact output, or checks that a malformed template is refused
 * with the expected line and column.  Run one case with
 * `rnd_tmpl_test NAME` (a cmocka test filter). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rnd_tmpl.h"

/* Compile tmpl, render it over ctx_json with esc; return the output. */
static char *render(const char *tmpl, const char *ctx_json, enum rnd_escape esc)
{
    struct rnd_tmpl *t = NULL;
    char err[256] = "", *out = NULL;
    json_t *ctx = json_loads(ctx_json, 0, NULL);
    size_t n;

    assert_non_null(ctx);
    if (rnd_tmpl_compile(tmpl, strlen(tmpl), "t", &t, err, sizeof(err)) < 0)
        fail_msg("compile failed: %s", err);
    assert_int_equal(rnd_tmpl_render(t, ctx, esc, 0, &out, &n, err, sizeof(err)), 0);
    assert_int_equal(n, strlen(out));
    rnd_tmpl_destroy(&t);
    assert_null(t);
    json_decref(ctx);
    return out;
}

static void expect(const char *tmpl, const char *ctx, enum rnd_escape esc, const char *want)
{
    char *out = render(tmpl, ctx, esc);

    assert_string_equal(out, want);
    free(out);
}

/* Compile must fail with -EINVAL and a message containing want. */
static void expect_error(const char *tmpl, const char *want)
{
    struct rnd_tmpl *t = NULL;
    char err[256] = "";

    assert_int_equal(rnd_tmpl_compile(tmpl, strlen(tmpl), "bad", &t, err, sizeof(err)), -EINVAL);
    assert_null(t);
    if (!strstr(err, want))
        fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

static void variables(void **state)
{
    (void)state;
    expect("Hello {{name}}!", "{\"name\":\"checkout-api\"}", RND_ESC_NONE, "Hello checkout-api!");
    expect("{{n}} {{r}} {{b}} {{z}}", "{\"n\":42,\"r\":1.5,\"b\":true,\"z\":null}", RND_ESC_NONE,
           "42 1.5 true ");
    expect("{{ spaced }}", "{\"spaced\":\"ok\"}", RND_ESC_NONE, "ok");
}

static void missing_fields(void **state)
{
    (void)state;
    expect("[{{nope}}][{{a.b.c}}]", "{\"a\":{\"b\":{}}}", RND_ESC_MD, "[][]");
    expect("{{#nope}}x{{/nope}}{{^nope}}none{{/nope}}", "{}", RND_ESC_NONE, "none");
}

static void dotted_names(void **state)
{
    (void)state;
    expect("{{incident.service.name}}", "{\"incident\":{\"service\":{\"name\":\"db\"}}}",
           RND_ESC_NONE, "db");
    /* the first part found resolves the rest inside it, without falling back */
    expect("{{#inner}}{{a.x}}{{/inner}}", "{\"a\":{\"x\":\"outer\"},\"inner\":{\"a\":{}}}",
           RND_ESC_NONE, "");
}

static void escaping_markdown(void **state)
{
    (void)state;
    expect("| {{v}} |", "{\"v\":\"a|b *c* _d_ `e` [f](g) <h> #i\"}", RND_ESC_MD,
           "| a\\|b \\*c\\* \\_d\\_ \\`e\\` \\[f\\](g) \\<h\\> \\#i |");
    expect("{{v}}", "{\"v\":\"- not a list\\nline two\"}", RND_ESC_MD,
           "\\- not a list line two");
    expect("x {{v}}", "{\"v\":\"- mid\"}", RND_ESC_MD, "x - mid");
    expect("{{{v}}} {{& v}}", "{\"v\":\"*bold*\"}", RND_ESC_MD, "*bold* *bold*");
}

static void escaping_html(void **state)
{
    (void)state;
    expect("<p>{{v}}</p>", "{\"v\":\"<script>alert('x') & \\\"y\\\"</script>\"}", RND_ESC_HTML,
           "<p>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;</p>");
    expect("{{{v}}}", "{\"v\":\"<b>\"}", RND_ESC_HTML, "<b>");
}

static void sections_lists(void **state)
{
    (void)state;
    expect("{{#items}}[{{name}}]{{/items}}", "{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
           RND_ESC_NONE, "[a][b]");
    expect("{{#items}}{{.}},{{/items}}", "{\"items\":[1,\"two\",3]}", RND_ESC_NONE, "1,two,3,");
    expect("{{#items}}x{{/items}}{{^items}}empty{{/items}}", "{\"items\":[]}", RND_ESC_NONE,
           "empty");
}

static void sections_objects_and_values(void **state)
{
    (void)state;
    expect("{{#o}}{{k}}/{{top}}{{/o}}", "{\"o\":{\"k\":\"in\"},\"top\":\"up\"}", RND_ESC_NONE,
           "in/up");
    expect("{{#f}}yes{{/f}}{{^f}}no{{/f}}", "{\"f\":false}", RND_ESC_NONE, "no");
    expect("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\":\"\"}", RND_ESC_NONE, "no");
    expect("{{#s}}<{{.}}>{{/s}}", "{\"s\":\"v\"}", RND_ESC_NONE, "<v>");
}

static void nested_lists(void **state)
{
    (void)state;
    expect("{{#days}}# {{date}}\n{{#rows}}- {{t}} {{date}}\n{{/rows}}{{/days}}",
           "{\"days\":[{\"date\":\"d1\",\"rows\":[{\"t\":\"a\"},{\"t\":\"b\"}]},"
           "{\"date\":\"d2\",\"rows\":[{\"t\":\"c\"}]}]}",
           RND_ESC_NONE, "# d1\n- a d1\n- b d1\n# d2\n- c d2\n");
}

static void comments(void **state)
{
    (void)state;
    expect("a{{! a comment with {braces} }}b", "{}", RND_ESC_NONE, "ab");
}

static void standalone_lines(void **state)
{
    (void)state;
    expect("| h |\n|---|\n{{#rows}}\n| {{.}} |\n{{/rows}}\nend\n", "{\"rows\":[\"x\",\"y\"]}",
           RND_ESC_NONE, "| h |\n|---|\n| x |\n| y |\nend\n");
    expect("a\n  {{! note }}  \nb\n", "{}", RND_ESC_NONE, "a\nb\n");
    expect("a {{#t}}x{{/t}}\n", "{\"t\":true}", RND_ESC_NONE, "a x\n");
    expect("a\r\n{{#t}}\r\nx\r\n{{/t}}\r\n", "{\"t\":true}", RND_ESC_NONE, "a\r\nx\r\n");
}

static void utf8_text(void **state)
{
    (void)state;
    expect("## サマリ\n{{s}}\n", "{\"s\":\"影響は 42 分\"}", RND_ESC_MD, "## サマリ\n影響は 42 分\n");
}

static void malformed(void **state)
{
    (void)state;
    expect_error("line one\n  {{#open}}\nnever closed\n", "line 2 col 3: unclosed section 'open'");
    expect_error("{{#a}}{{#b}}\n{{/a}}{{/b}}", "line 2 col 1: closing tag '{{/a}}' does not match open section 'b'");
    expect_error("x\ny {{/a}}", "line 2 col 3: closing tag '{{/a}}' without an open section");
    expect_error("ab\n\n   {{name", "line 3 col 4: unclosed tag");
    expect_error("{{{raw}}", "line 1 col 1: unclosed tag: no '}}}'");
    expect_error("{{}}", "line 1 col 1: empty name");
    expect_error("日本 {{bad name}}", "line 1 col 4: invalid name 'bad name'");
    expect_error("{{a..b}}", "invalid name 'a..b'");
    expect_error("{{> partial}}", "partial tags are not supported");
    expect_error("{{=<% %>=}}", "set-delimiter tags are not supported");
}

static void depth_limit(void **state)
{
    char deep[RND_TMPL_DEPTH_MAX * 16 + 64];
    size_t n = 0;

    (void)state;
    for (int i = 0; i <= RND_TMPL_DEPTH_MAX; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{{#s%d}}", i);
    expect_error(deep, "nested deeper than 32");
}

static void output_cap(void **state)
{
    struct rnd_tmpl *t = NULL;
    char err[256], *out = NULL;
    json_t *ctx = json_pack("{s:[iiiiiiiiii]}", "l", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    size_t n = 0;

    (void)state;
    assert_int_equal(rnd_tmpl_compile("{{#l}}0123456789{{/l}}", 22, "cap", &t, err, sizeof(err)), 0);
    assert_int_equal(rnd_tmpl_render(t, ctx, RND_ESC_NONE, 100, &out, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 100);
    free(out);
    out = NULL;
    assert_int_equal(rnd_tmpl_render(t, ctx, RND_ESC_NONE, 99, &out, &n, err, sizeof(err)), -E2BIG);
    assert_null(out);
    assert_non_null(strstr(err, "output larger than the limit"));
    rnd_tmpl_destroy(&t);
    json_decref(ctx);
}

static void nul_and_size(void **state)
{
    struct rnd_tmpl *t = NULL;
    char err[256];
    char *big;

    (void)state;
    assert_int_equal(rnd_tmpl_compile("a\0b", 3, "nul", &t, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "line 1 col 2: NUL byte"));
    big = calloc(1, RND_TMPL_SRC_MAX + 1);
    assert_non_null(big);
    memset(big, 'x', RND_TMPL_SRC_MAX + 1);
    assert_int_equal(rnd_tmpl_compile(big, RND_TMPL_SRC_MAX + 1, "big", &t, err, sizeof(err)), -E2BIG);
    assert_null(t);
    free(big);
    rnd_tmpl_destroy(&t);   /* NULL-safe */
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(variables),
        cmocka_unit_test(missing_fields),
        cmocka_unit_test(dotted_names),
        cmocka_unit_test(escaping_markdown),
        cmocka_unit_test(escaping_html),
        cmocka_unit_test(sections_lists),
        cmocka_unit_test(sections_objects_and_values),
        cmocka_unit_test(nested_lists),
        cmocka_unit_test(comments),
        cmocka_unit_test(standalone_lines),
        cmocka_unit_test(utf8_text),
        cmocka_unit_test(malformed),
        cmocka_unit_test(depth_limit),
        cmocka_unit_test(output_cap),
        cmocka_unit_test(nul_and_size),
    };

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("rnd_tmpl", tests, NULL, NULL);
}

/* iq_json_test.c - iq_json differentially against jansson 2.14.
 *
 * The inputs: every *.json file and every line of every *.ndjson file
 * under tests/data, a built-in list of tricky texts (escapes, surrogates,
 * every class of invalid UTF-8, number limits, duplicates, trailing
 * commas, top-level scalars, nesting at the limit and over), and
 * mutations of the fixtures: truncation prefixes and a deterministic set
 * of single-byte replacements.  For each, with and without IQ_JSON_ANY:
 *  - iq_json_parse accepts exactly when json_loadb (JSON_REJECT_DUPLICATES,
 *    JSON_DECODE_ANY for IQ_JSON_ANY) accepts, except that a value nested
 *    deeper than IQ_JSON_DEPTH_MAX is refused with -E2BIG;
 *  - accepted values are json_equal, and iq_json_dump_compact of each is
 *    byte-identical to json_dumps(JSON_COMPACT | JSON_ENCODE_ANY);
 *  - a rejection names a non-empty reason at or before the byte jansson
 *    names (position and line).
 * The dump is also compared on values built by hand: reals of every
 * shape, integer limits, control characters, NUL, invalid UTF-8. */
#include "iq_test.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <jansson.h>
#include "iq_json.h"
#include "iq_paths.h"

#define C(s) { s, sizeof(s) - 1 }
#define TRUNC_MAX 400        /* truncation prefixes of one input, at most */
#define SUBST_POS 40         /* positions with single-byte replacements, per input */

struct counts {
    unsigned long inputs, accepted, rejected, deep, nul;
};

/* Nesting depth of arrays and objects in j. */
static int depth_of(json_t *j)
{
    int d = 0;

    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            int c = depth_of(json_array_get(j, i));

            d = c > d ? c : d;
        }
        return d + 1;
    }
    if (json_is_object(j)) {
        const char *k;
        json_t *v;

        json_object_foreach(j, k, v) {
            int c = depth_of(v);

            d = c > d ? c : d;
        }
        return d + 1;
    }
    return 0;
}

/* iq_json_dump_compact(j) must equal json_dumps(j, COMPACT | ENCODE_ANY). */
static void check_dump(const json_t *j, const char *what)
{
    char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    size_t n = 12345;
    char *got = iq_json_dump_compact(j, &n);

    if (!want || !got || strcmp(want, got) != 0 || n != strlen(got))
        fail_msg("dump differs for %s:\n jansson %s\n iq_json %s", what, want ? want : "(null)",
                 got ? got : "(null)");
    free(want);
    free(got);
}

/* One input, one flag set: the differential check. */
static void check_one(const char *buf, size_t len, unsigned flags, struct counts *c,
                      const char *what)
{
    size_t jflags = JSON_REJECT_DUPLICATES | (flags & IQ_JSON_ANY ? JSON_DECODE_ANY : 0);
    struct iq_json_error err = { .line = -1 };
    json_error_t je;
    json_t *want = json_loadb(buf, len, jflags, &je), *got = (json_t *)&err;
    char *exact = malloc(len ? len : 1);    /* so ASan sees a read past the end */
    int r;

    assert_non_null(exact);
    memcpy(exact, buf, len);
    r = iq_json_parse(exact, len, flags, &got, &err);
    free(exact);
    c->inputs++;
    if (want && depth_of(want) > IQ_JSON_DEPTH_MAX) {
        if (r != -E2BIG || strstr(err.text, "nesting deeper than") == NULL)
            fail_msg("%s: deep value not refused (r=%d): %.80s", what, r, buf);
        c->deep++;
        json_decref(want);
        return;
    }
    if (want && memchr(buf, '\0', len)) {
        /* jansson skips a NUL byte it has read ahead past a number or a
         * literal ("[1\0]" loads as [1]); iq_json refuses the byte */
        if (r != -EINVAL || strstr(err.text, "byte 0x00") == NULL)
            fail_msg("%s: NUL byte accepted by jansson, iq_json r=%d (%s)", what, r, err.text);
        c->nul++;
        json_decref(want);
        return;
    }
    if (!want) {
        if (r != -EINVAL)
            fail_msg("%s: jansson rejects (%s) but iq_json returns %d: %.*s", what, je.text, r,
                     (int)(len < 200 ? len : 200), buf);
        if (got != (json_t *)&err || err.text[0] == '\0' || err.position > len ||
            err.position > (size_t)je.position || err.line > je.line || err.line < 1)
            fail_msg("%s: error at %zu (line %d col %d: %s), jansson at %d (line %d col %d: %s)",
                     what, err.position, err.line, err.column, err.text, je.position, je.line,
                     je.column, je.text);
        c->rejected++;
        return;
    }
    if (r != 0 || !json_equal(want, got))
        fail_msg("%s: jansson accepts, iq_json r=%d (%s at %zu): %.*s", what, r, err.text,
                 err.position, (int)(len < 200 ? len : 200), buf);
    check_dump(want, what);
    check_dump(got, what);
    c->accepted++;
    json_decref(want);
    json_decref(got);
}

static void check_both(const char *buf, size_t len, struct counts *c, const char *what)
{
    check_one(buf, len, 0, c, what);
    check_one(buf, len, IQ_JSON_ANY, c, what);
}

/* Truncations and single-byte replacements of buf. */
static void check_mutations(const char *buf, size_t len, struct counts *c, const char *what)
{
    static const unsigned char subst[] = {
        '"', '\\', '{', '}', '[', ']', ',', ':', '0', '-', 'e', '.', ' ', '\n', 'u', 'x',
        0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF, '1',
    };
    size_t step = len / TRUNC_MAX + 1;
    char *m = malloc(len + 1);
    uint32_t seed = (uint32_t)len * 2654435761u;

    assert_non_null(m);
    for (size_t i = 0; i < len; i += (i < 64 || len - i < 64) ? 1 : step)
        check_one(buf, i, (unsigned)(i & 1), c, what);
    for (int k = 0; len && k < SUBST_POS; k++) {
        size_t pos;

        seed = seed * 1103515245u + 12345u;
        pos = (seed >> 8) % len;
        memcpy(m, buf, len);
        m[pos] = (char)subst[(seed >> 3) % sizeof(subst)];
        check_one(m, len, (unsigned)(k & 1), c, what);
        m[pos] = (char)subst[(seed >> 13) % sizeof(subst)];
        check_one(m, len, (unsigned)(~k & 1), c, what);
    }
    free(m);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Check one fixture file: whole, and per line for NDJSON; then mutate. */
static void check_file(const char *path, struct counts *c)
{
    size_t len = 0;
    char *buf = NULL;

    assert_int_equal(iq_read_file(path, 1 << 24, &buf, &len), 0);
    check_both(buf, len, c, path);
    if (ends_with(path, ".ndjson")) {
        for (char *p = buf, *nl; p < buf + len; p = nl + 1) {
            nl = memchr(p, '\n', (size_t)(buf + len - p));
            nl = nl ? nl : buf + len;
            check_both(p, (size_t)(nl - p), c, path);
            check_mutations(p, (size_t)(nl - p), c, path);
        }
    } else {
        check_mutations(buf, len, c, path);
    }
    free(buf);
}

static void walk(const char *dir, struct counts *c, unsigned long *files)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    assert_non_null(d);
    while ((e = readdir(d))) {
        char path[PATH_MAX];
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(path, c, files);
        } else if (ends_with(path, ".json") || ends_with(path, ".ndjson")) {
            check_file(path, c);
            (*files)++;
        }
    }
    closedir(d);
}

static void test_fixtures_against_jansson(void **state)
{
    char dir[PATH_MAX];
    struct counts c = { 0 };
    unsigned long files = 0;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/tests/data", iq_test_root());
    walk(dir, &c, &files);
    assert_true(files >= 10);
    print_message("fixtures: %lu files, %lu inputs: %lu accepted, %lu rejected, %lu too deep, "
                  "%lu NUL after a token\n",
                  files, c.inputs, c.accepted, c.rejected, c.deep, c.nul);
}

static const struct { const char *s; size_t n; } tricky[] = {
    C(""), C(" "), C("{}"), C("[]"), C(" \t\r\n[ ]\n"), C("{\"a\":1}"), C("[1,2,3]"),
    C("{} x"), C("{}{}"), C("[1,]"), C("{\"a\":1,}"), C("[,1]"), C("{,}"), C("[1 2]"),
    C("{\"a\" 1}"), C("{\"a\":}"), C("{1:2}"), C("{'a':1}"), C("[\"a\"\"b\"]"), C("[\f]"),
    C("{\"a\":1,\"a\":2}"), C("{\"a\":1,\"b\":{\"a\":2},\"a\":[x]}"), C("{\"a\":1,\"a\":}"),
    C("{\"a\":1,\"a\" 2}"), C("{\"\\u0061\":1,\"a\":2}"), C("{\"\":1,\"\":2}"),
    C("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]"), C("[\"\\x\"]"), C("[\"\\u00e9\\u20AC\"]"),
    C("[\"\\ud83d\\ude00\"]"), C("[\"\\ud83d\"]"), C("[\"\\ude00\"]"), C("[\"\\ud83dx\"]"),
    C("[\"\\ud83d\\u0041\"]"), C("[\"\\ud83d\\ud83d\"]"), C("[\"\\ud83d\\u12\"]"),
    C("[\"\\u0000\"]"), C("[\"a\\u0000b\"]"), C("[\"\\u12\"]"), C("[\"\\u12g4\"]"),
    C("[\"\\"), C("[\"abc"), C("[\"a\0b\"]"), C("[\"a\tb\"]"), C("[\"a\nb\"]"),
    C("[\"\x7f\"]"), C("[\"\xc3\xa9\"]"), C("[\"\xe2\x82\xac\"]"), C("[\"\xf0\x9f\x98\x80\"]"),
    C("[\"\x80\"]"), C("[\"\xbf\"]"), C("[\"\xc0\x80\"]"), C("[\"\xc1\xbf\"]"),
    C("[\"\xc3\"]"), C("[\"\xc3\x28\"]"), C("[\"\xe0\x80\xaf\"]"), C("[\"\xe0\x9f\xbf\"]"),
    C("[\"\xed\xa0\x80\"]"), C("[\"\xed\xbf\xbf\"]"), C("[\"\xed\x9f\xbf\"]"),
    C("[\"\xef\xbf\xbf\"]"), C("[\"\xf0\x80\x80\xaf\"]"), C("[\"\xf0\x8f\xbf\xbf\"]"),
    C("[\"\xf4\x8f\xbf\xbf\"]"), C("[\"\xf4\x90\x80\x80\"]"), C("[\"\xf5\x80\x80\x80\"]"),
    C("[\"\xff\"]"), C("[\"\xe2\x82\"]"), C("[\"\xf0\x9f\x98\"]"), C("[\xc3\xa9]"),
    C("\xef\xbb\xbf[]"), C("[1]\xff"),
    C("[0]"), C("[-0]"), C("[-0.0]"), C("[00]"), C("[01]"), C("[-01]"), C("[1.]"),
    C("[.5]"), C("[1.e5]"), C("[1e]"), C("[1e+]"), C("[1E+2]"), C("[1e5]"), C("[1e-5]"),
    C("[-]"), C("[+1]"), C("[- 1]"), C("[1.5e308]"), C("[1.0e400]"), C("[-1e400]"),
    C("[1e-400]"), C("[4.9e-324]"), C("[2.2250738585072014e-308]"), C("[0.1]"),
    C("[9223372036854775807]"), C("[9223372036854775808]"), C("[-9223372036854775808]"),
    C("[-9223372036854775809]"), C("[18446744073709551616]"), C("[123456789012345678901234]"),
    C("[9223372036854775807.0]"), C("[1e2, 1E2, 1.5E-2, 0e0, -0e-0]"), C("[0x10]"),
    C("[Infinity]"), C("[NaN]"), C("[1a]"), C("[1.5.5]"),
    C("[true,false,null]"), C("[tru]"), C("[truex]"), C("[nul]"), C("[True]"), C("[true1]"),
    C("[truefalse]"), C("[n]"), C("[f"), C("true"), C("false"), C("null"), C("1"), C("-1.5"),
    C("\"x\""), C("\"x\" "), C(" 1 "), C("1 2"), C("\"\\ud800\""), C("nulls"), C("[1"), C("{"),
    C("{\"a\""), C("{\"a\":"), C("{\"a\":1"), C("["), C("[\"a\":1]"), C("{\"a\":1]"),
    C("[1}"), C("[1]]"), C("\n\n  [1,\n  x]"), C("{\"\xc3\xa9\":\"\\u00e9\",\"\\u00e9\":1}"),
    C("[\"\\/\"]"), C("[\"/\"]"), C("{\"a\\u0000\":1}"), C("{\"k\":[{\"k\":{\"k\":[]}}]}"),
    C("[1\0]"), C("[true\0]"), C("7\0"), C("[1\0\0]"), C("[1.5e3\0,2]"), C("{\"a\":null\0}"),
};

static void test_tricky_cases(void **state)
{
    struct counts c = { 0 };

    (void)state;
    for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
        char what[32];

        snprintf(what, sizeof(what), "tricky[%zu]", i);
        check_both(tricky[i].s, tricky[i].n, &c, what);
        check_mutations(tricky[i].s, tricky[i].n, &c, what);
    }
    print_message("tricky: %lu inputs: %lu accepted, %lu rejected, %lu NUL after a token\n",
                  c.inputs, c.accepted, c.rejected, c.nul);
}

/* n nested arrays (or objects, each under key "k"), the innermost empty. */
static char *nested(int n, bool objects, size_t *len)
{
    size_t cap = (size_t)n * 6 + 8, o = 0;
    char *s = malloc(cap);

    assert_non_null(s);
    for (int i = 0; i < n - 1; i++) {
        memcpy(s + o, objects ? "{\"k\":" : "[", objects ? 5 : 1);
        o += objects ? 5 : 1;
    }
    for (int i = 0; i < n + 1; i++)
        s[o++] = i == 0 ? (objects ? '{' : '[') : objects ? '}' : ']';
    s[o] = '\0';
    *len = o;
    return s;
}

static void test_depth_limit(void **state)
{
    struct iq_json_error err;
    struct counts c = { 0 };
    json_t *j = NULL;
    size_t len;
    char *s;

    (void)state;
    for (int n = IQ_JSON_DEPTH_MAX - 1; n <= IQ_JSON_DEPTH_MAX + 2; n++) {
        for (int objects = 0; objects < 2; objects++) {
            s = nested(n, objects, &len);
            check_both(s, len, &c, "nested");
            free(s);
        }
    }
    assert_int_equal(c.deep, 8);
    s = nested(IQ_JSON_DEPTH_MAX + 1, false, &len);
    assert_int_equal(iq_json_parse(s, len, 0, &j, &err), -E2BIG);
    assert_string_equal(err.text, "nesting deeper than 64 levels");
    assert_int_equal(err.position, IQ_JSON_DEPTH_MAX);
    assert_int_equal(iq_json_parse(s, len, IQ_JSON_DEPTH(65), &j, &err), 0);
    json_decref(j);
    free(s);
    s = nested(2000, true, &len);
    assert_int_equal(iq_json_parse(s, len, IQ_JSON_DEPTH(2048), &j, &err), 0);
    check_dump(j, "2000 nested objects");
    json_decref(j);
    assert_int_equal(iq_json_parse(s, len, IQ_JSON_DEPTH(1999), &j, &err), -E2BIG);
    free(s);
}

static void test_error_reports(void **state)
{
    static const char text[] = "{\n  \"a\": 1,\n  \"b\": [tru]\n}";
    static const char dup[] = "{\"ab\":1,\"ab\":[1,}";
    struct iq_json_error err;
    json_t *j = (json_t *)&err;

    (void)state;
    assert_int_equal(iq_json_parse(text, strlen(text), 0, &j, &err), -EINVAL);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 9);
    assert_int_equal(err.position, 20);
    assert_string_equal(err.text, "invalid literal (expected true, false or null)");
    assert_int_equal(iq_json_parse(dup, strlen(dup), 0, &j, &err), -EINVAL);
    assert_string_equal(err.text, "duplicate object key \"ab\"");
    assert_int_equal(err.position, 8);
    assert_int_equal(iq_json_parse("[1", 2, 0, &j, &err), -EINVAL);
    assert_string_equal(err.text, "unexpected end of input (expected ',' or ']')");
    assert_int_equal(iq_json_parse("", 0, 0, &j, &err), -EINVAL);
    assert_int_equal(iq_json_parse("7", 1, 0, &j, &err), -EINVAL);
    assert_string_equal(err.text, "unexpected '7', expected '{' or '[' at top level");
    assert_int_equal(iq_json_parse("[\"\xc3\xa9\xff\"]", 6, 0, &j, NULL), -EINVAL);
    assert_int_equal(iq_json_parse(NULL, 3, 0, &j, &err), -EINVAL);
    assert_ptr_equal(j, (json_t *)&err);
    assert_int_equal(iq_json_parse("7", 1, IQ_JSON_ANY, &j, &err), 0);
    assert_int_equal(json_integer_value(j), 7);
    json_decref(j);
}

static void add(json_t *a, json_t *v)
{
    assert_non_null(v);
    assert_int_equal(json_array_append_new(a, v), 0);
}

static void test_dump_built_values(void **state)
{
    static const double reals[] = {
        0.0, -0.0, 0.1, 0.5, 1.0, -1.0, 100.0, 1e15, 1e16, 1e17, 1e20, 1e21, 1e22, 1e100,
        1e-5, 1e-7, 1.5e-300, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
        123456789012345678.0, 3.141592653589793, 2.0 / 3.0, -7e-10, 9007199254740993.0,
    };
    json_t *a = json_array(), *o = json_object();
    uint64_t bits = 0x9E3779B97F4A7C15ULL;
    char ctl[2] = { 0, 0 };

    (void)state;
    assert_non_null(a);
    for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
        add(a, json_real(reals[i]));
    for (int i = 0; i < 2000; i++) {
        double d;

        bits = bits * 6364136223846793005ULL + 1442695040888963407ULL;
        memcpy(&d, &bits, sizeof(d));
        if (isfinite(d))
            add(a, json_real(d));
    }
    add(a, json_integer(LLONG_MIN));
    add(a, json_integer(LLONG_MAX));
    add(a, json_integer(0));
    add(a, json_integer(-1));
    for (int ch = 0; ch < 0x80; ch++) {
        ctl[0] = (char)ch;
        add(a, json_stringn_nocheck(ctl, 1));
    }
    add(a, json_stringn_nocheck("a\0b\x1f\x7f/\xc3\xa9\xf0\x9f\x98\x80", 12));
    add(a, json_string(""));
    check_dump(a, "built array");
    check_dump(json_array_get(a, 0), "a real at top level");
    json_object_set_new(o, "z", json_null());
    json_object_set_new(o, "a", json_true());
    json_object_set_new(o, "m", json_false());
    json_object_setn_new_nocheck(o, "bad\n\xff key", 9, json_integer(1));
    json_object_set_new(o, "arr", a);
    check_dump(o, "object with a key that is not UTF-8");
    json_object_set_new(o, "v", json_stringn_nocheck("ok\n\xc3", 4));
    assert_null(json_dumps(o, JSON_COMPACT | JSON_ENCODE_ANY));
    assert_null(iq_json_dump_compact(o, NULL));
    assert_null(iq_json_dump_compact(NULL, NULL));
    json_decref(o);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_tricky_cases),
    cmocka_unit_test(test_depth_limit),
    cmocka_unit_test(test_error_reports),
    cmocka_unit_test(test_dump_built_values),
    cmocka_unit_test(test_fixtures_against_jansson),
};

TEST_MAIN(tests)

/* rev_golden_test.c - whole drafts against golden outputs.
 *
 * Each fixture tests/data/lint/NAME.md is linted as the CLI does it (name
 * "NAME.md", language detected) and printed in both formats; the output
 * must equal NAME.txt and NAME.json byte for byte.  tests/integration/
 * lint.sh checks that `inquest lint` prints exactly the same files.
 *
 * After an intended change of rules or output, regenerate the golden files
 * with REV_UPDATE_GOLDEN=1 build/tests/rev_golden_test and review the diff
 * before committing it.
 *
 * The last case lints every draft the renderer's own golden tests hold
 * (tests/data/render/golden): whatever the template or the scenario, a
 * fresh draft must carry no blame language and must have every section
 * the final review checklist needs, under headings the linter knows. */
#include <dirent.h>
#include <errno.h>

#include "rev_file.h"
#include "rev_report.h"
#include "rev_test.h"

/* Hand-written drafts, and snapshots of renderer output (render/,
 * tests/data/render/golden/sample-{default,ja}.md) taken when render/
 * landed: an unfilled draft has empty action item slots and unticked
 * boxes, and nothing else to report. */
static const char *const fixtures[] = { "en_bad", "en_good", "ja_bad", "ja_good",
                                        "render_en", "render_ja" };

/* Lint fixture name and print it in one format into a fresh buffer. */
static char *render(const char *name, bool json, size_t *ret_len)
{
    char path[4096], shown[64], err[512], *out = NULL;
    struct rev_result *res = NULL;
    struct rev_doc *doc = NULL;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s/%s.md", iq_test_root(), REV_TEST_DATA, name);
    snprintf(shown, sizeof(shown), "%s.md", name);
    if (rev_doc_load(path, shown, &doc, err, sizeof(err)) < 0 ||
        rev_lint_doc(doc, rev_test_rules(), NULL, &res, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    f = open_memstream(&out, ret_len);
    assert_non_null(f);
    if (json) {
        json_t *docs = json_array();

        assert_int_equal(json_array_append_new(docs, rev_report_json_doc(res)), 0);
        assert_int_equal(rev_report_json_write(f, docs), 0);
        json_decref(docs);
    } else {
        assert_int_equal(rev_report_text(f, res, true), 0);
    }
    assert_int_equal(fclose(f), 0);
    rev_result_destroy(&res);
    rev_doc_destroy(&doc);
    return out;
}

/* Compare out with the golden file, or rewrite it when asked to. */
static void check_golden(const char *name, const char *ext, const char *out, size_t len)
{
    char path[4096], err[512], *want = NULL;
    size_t wlen = 0;

    snprintf(path, sizeof(path), "%s/%s/%s.%s", iq_test_root(), REV_TEST_DATA, name, ext);
    if (getenv("REV_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        assert_int_equal(fwrite(out, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
        printf("updated %s\n", path);
        return;
    }
    if (rev_file_read(path, 1024 * 1024, &want, &wlen, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    if (wlen != len || memcmp(want, out, len) != 0) {
        size_t i = 0;

        while (i < len && i < wlen && want[i] == out[i])
            i++;
        printf("%s differs from the output at byte %zu; got:\n%s\n", path, i, out);
        free(want);
        fail_msg("golden mismatch: %s.%s", name, ext);
    }
    free(want);
}

static void golden_outputs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        for (int json = 0; json < 2; json++) {
            size_t len = 0;
            char *out = render(fixtures[i], json, &len);

            check_golden(fixtures[i], json ? "json" : "txt", out, len);
            free(out);
        }
    }
}

/* The good drafts are clean; the bad ones have findings of every kind. */
static void good_and_bad_drafts(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        char path[4096], err[512];
        struct rev_result *res = NULL;
        struct rev_doc *doc = NULL;
        bool bad = strstr(fixtures[i], "bad") != NULL;

        snprintf(path, sizeof(path), "%s/%s/%s.md", iq_test_root(), REV_TEST_DATA, fixtures[i]);
        assert_int_equal(rev_doc_load(path, fixtures[i], &doc, err, sizeof(err)), 0);
        assert_int_equal(rev_lint_doc(doc, rev_test_rules(), NULL, &res, err, sizeof(err)), 0);
        if (bad) {
            for (int c = REV_CAT_BLAME; c < REV_CAT_N; c++)
                if (c != REV_CAT_STRENGTH && c != REV_CAT_TYPE)
                    assert_true(rev_test_count(res, c, NULL) > 0);
        } else {
            assert_int_equal(rev_result_nfindings(res), 0);
        }
        assert_int_equal(rev_result_lang(res), fixtures[i][0] == 'j' ? REV_LANG_JA : REV_LANG_EN);
        assert_true(rev_result_nactions(res) >= 4);
        rev_result_destroy(&res);
        rev_doc_destroy(&doc);
    }
}

/* Lint one renderer draft and check the contract; returns 1 if linted. */
static int renderer_draft(const char *dir, const char *file)
{
    char path[8192], err[512];
    struct rev_result *res = NULL;
    struct rev_doc *doc = NULL;
    size_t len = strlen(file);

    if (len < 4 || strcmp(file + len - 3, ".md") != 0)
        return 0;
    if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
        fail_msg("path too long: %s/%s", dir, file);
    if (rev_doc_load(path, file, &doc, err, sizeof(err)) < 0 ||
        rev_lint_doc(doc, rev_test_rules(), NULL, &res, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    for (size_t i = 0; i < rev_result_nfindings(res); i++) {
        const struct rev_finding *f = rev_result_finding(res, i);

        if (f->rule->cat == REV_CAT_BLAME || strstr(f->rule->id, "-missing") ||
            f->rule->cat == REV_CAT_WEAK)
            fail_msg("%s:%u:%u: %s on renderer output: %s", path, f->line, f->col, f->rule->id,
                     f->excerpt);
    }
    rev_result_destroy(&res);
    rev_doc_destroy(&doc);
    return 1;
}

static void renderer_drafts_contract(void **state)
{
    static const char *const dirs[] = { "tests/data/render/golden",
                                        "tests/data/render/golden/scenarios" };
    unsigned n = 0;

    (void)state;
    for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
        char dir[4096];
        struct dirent *de;
        DIR *dp;

        rev_test_path(dir, sizeof(dir), dirs[d]);
        dp = opendir(dir);
        if (!dp)
            continue;
        while ((de = readdir(dp)))
            n += (unsigned)renderer_draft(dir, de->d_name);
        closedir(dp);
    }
    printf("renderer drafts linted: %u\n", n);
    if (n == 0)
        skip();
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(golden_outputs),
    cmocka_unit_test(good_and_bad_drafts),
    cmocka_unit_test_teardown(renderer_drafts_contract, rev_test_teardown),
};

TEST_MAIN(tests)

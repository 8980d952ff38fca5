/* fuzz_lint.c - libFuzzer harness of the Markdown lint (review/: rev_doc.c
 * parsing and masking, rev_lint.c and rev_action.c over schemas/lint/,
 * rev_report.c output).
 *
 * Each input is one postmortem document, parsed and linted as
 * `inquest lint` does (language detected per sentence), then reported as
 * text and as JSON.  An input that starts with '{' is a rules file instead
 * (schemas/lint/ syntax, rev_rules_load_buf); when it loads, it lints the
 * sample draft tests/data/lint/en_bad.md.
 *
 * Checked: a document is refused only as documented (not UTF-8, a NUL,
 * too large: -EILSEQ, -E2BIG) with a message; every masked line has the
 * length of its line, blanks where it differs; findings and action items
 * point at lines that exist; excerpts and item texts stay UTF-8 (cut at a
 * character); the JSON report is an object that serialises. */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "iq_event.h"
#include "rev_doc.h"
#include "rev_lint.h"
#include "rev_report.h"
#include "rev_rules.h"

static struct rev_rules *rules;
static struct rev_doc *sample;     /* tests/data/lint/en_bad.md */
static FILE *devnull;

static void setup(void)
{
    char dir[4096], err[512];

    fuzz_path("schemas/lint", dir, sizeof(dir));
    if (rev_rules_load_dir(dir, &rules, err, sizeof(err)) < 0)
        fuzz_setup_failed(dir, err);
    if (!(devnull = fopen("/dev/null", "w")))
        fuzz_setup_failed("/dev/null", "cannot open");
    fuzz_path("tests/data/lint/en_bad.md", dir, sizeof(dir));
    if (rev_doc_load(dir, "en_bad.md", &sample, err, sizeof(err)) < 0)
        fuzz_setup_failed(dir, err);
}

static void check_lines(const struct rev_doc *doc)
{
    for (size_t i = 0; i < rev_doc_nlines(doc); i++) {
        const struct rev_line *l = rev_doc_line(doc, i);

        FUZZ_CHECK(l->content <= l->content_end && l->content_end <= l->len);
        for (size_t k = 0; k < l->len; k++)
            FUZZ_CHECK(l->masked[k] == l->text[k] || l->masked[k] == ' ');
    }
}

static void check_result(const struct rev_result *res, size_t nlines)
{
    json_t *j;
    char *text;

    for (size_t i = 0; i < rev_result_nfindings(res); i++) {
        const struct rev_finding *f = rev_result_finding(res, i);

        FUZZ_CHECK(f->rule != NULL && f->excerpt != NULL);
        FUZZ_CHECK(iq_utf8_valid(f->excerpt, strlen(f->excerpt)));
        FUZZ_CHECK(f->line <= nlines + 1);
    }
    for (size_t i = 0; i < rev_result_nactions(res); i++) {
        const struct rev_action *a = rev_result_action(res, i);

        FUZZ_CHECK(a->text != NULL);
        FUZZ_CHECK(iq_utf8_valid(a->text, strlen(a->text)));
        FUZZ_CHECK(a->line >= 1 && a->line <= nlines);
    }
    FUZZ_CHECK(rev_report_text(devnull, res, true) == 0);
    j = rev_report_json_doc(res);
    FUZZ_CHECK(json_is_object(j));
    text = json_dumps(j, JSON_COMPACT);
    FUZZ_CHECK(text != NULL);
    free(text);
    json_decref(j);
}

/* Lint doc with set; 0 or the refusal rev_lint_doc may give. */
static void lint(struct rev_doc *doc, const struct rev_rules *set)
{
    struct rev_lint_opts opts = { .lang = REV_LANG_AUTO };
    struct rev_result *res = NULL;
    char err[512] = "";
    int r = rev_lint_doc(doc, set, &opts, &res, err, sizeof(err));

    FUZZ_CHECK(r == 0 || r == -ERANGE || r == -ENOMEM);
    FUZZ_CHECK(r == 0 || res == NULL);
    if (r == 0) {
        check_result(res, rev_doc_nlines(doc));
        rev_result_destroy(&res);
    }
}

static void check_rules_file(const uint8_t *data, size_t size)
{
    struct rev_rules *set = NULL;
    char err[512] = "";
    int r = rev_rules_load_buf("fuzz.json", (const char *)data, size, &set, err, sizeof(err));

    FUZZ_CHECK(r == 0 || r == -EINVAL || r == -E2BIG || r == -ENOMEM);
    if (r < 0) {
        FUZZ_CHECK(set == NULL && (r == -ENOMEM || strstr(err, "fuzz.json") != NULL));
        return;
    }
    lint(sample, set);
    rev_rules_destroy(&set);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rev_doc *doc = NULL;
    char err[512] = "";
    int r;

    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (!rules)
        setup();
    if (size && data[0] == '{') {
        check_rules_file(data, size);
        return 0;
    }
    r = rev_doc_parse("fuzz.md", (const char *)data, size, &doc, err, sizeof(err));
    FUZZ_CHECK(r == 0 || r == -EILSEQ || r == -E2BIG || r == -ENOMEM);
    if (r < 0) {
        FUZZ_CHECK(doc == NULL && err[0] != '\0');
        return 0;
    }
    check_lines(doc);
    lint(doc, rules);
    rev_doc_destroy(&doc);
    return 0;
}

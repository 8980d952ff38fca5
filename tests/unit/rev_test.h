/* rev_test.h - helpers shared by the review/ unit tests (rev_*_test.c).
 *
 * Loads the shipped rules from $IQ_ROOT/schemas/lint once per binary and
 * lints in-memory Markdown, so each test case is a few lines of input and
 * the assertions.  Fixtures are read through REV_TEST_DATA (tests/data/lint
 * under $IQ_ROOT, "." by default). */
#ifndef REV_TEST_H
#define REV_TEST_H

#include "iq_test.h"
#include "rev_doc.h"
#include "rev_lint.h"
#include "rev_rules.h"

#define REV_TEST_DATA "tests/data/lint"

static struct rev_rules *rev_test_rules_cache;

/* Write "$IQ_ROOT/rel" into buf. */
static inline void rev_test_path(char *buf, size_t size, const char *rel)
{
    snprintf(buf, size, "%s/%s", iq_test_root(), rel);
}

/* The shipped rule set (loaded on first use, freed by rev_test_teardown). */
static inline const struct rev_rules *rev_test_rules(void)
{
    char dir[4096], err[512];

    if (!rev_test_rules_cache) {
        rev_test_path(dir, sizeof(dir), "schemas/lint");
        if (rev_rules_load_dir(dir, &rev_test_rules_cache, err, sizeof(err)) < 0)
            fail_msg("loading %s: %s", dir, err);
    }
    return rev_test_rules_cache;
}

static inline int rev_test_teardown(void **state)
{
    (void)state;
    rev_rules_destroy(&rev_test_rules_cache);
    return 0;
}

/* Lint md (NUL-terminated) as document "t.md" with lang; caller destroys. */
static inline struct rev_result *rev_test_lint(const char *md, enum rev_lang lang)
{
    struct rev_lint_opts opts = { .lang = lang };
    struct rev_result *res = NULL;
    struct rev_doc *doc = NULL;
    char err[512];

    if (rev_doc_parse("t.md", md, strlen(md), &doc, err, sizeof(err)) < 0)
        fail_msg("parse: %s", err);
    if (rev_lint_doc(doc, rev_test_rules(), &opts, &res, err, sizeof(err)) < 0)
        fail_msg("lint: %s", err);
    rev_doc_destroy(&doc);
    return res;
}

/* Number of findings of category cat (or rule id prefix when id != NULL). */
static inline size_t rev_test_count(const struct rev_result *res, int cat, const char *id)
{
    size_t n = 0;

    for (size_t i = 0; i < rev_result_nfindings(res); i++) {
        const struct rev_finding *f = rev_result_finding(res, i);

        if ((cat < 0 || f->rule->cat == (enum rev_cat)cat) &&
            (!id || strncmp(f->rule->id, id, strlen(id)) == 0))
            n++;
    }
    return n;
}

/* First finding of category cat, or NULL.  Borrowed. */
static inline const struct rev_finding *rev_test_first(const struct rev_result *res, int cat)
{
    for (size_t i = 0; i < rev_result_nfindings(res); i++)
        if (rev_result_finding(res, i)->rule->cat == (enum rev_cat)cat)
            return rev_result_finding(res, i);
    return NULL;
}

#endif

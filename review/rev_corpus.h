/* rev_corpus.h - the labelled lint corpus: read it, and judge one row
 * through the real lint path.
 *
 * The corpus (tests/data/lint/corpus/{train,heldout}.tsv, format in
 * docs/lint.md) holds sentences labelled blame/ok and action items labelled
 * weak/strong, each with the phenomenon it illustrates.  Two programs use
 * it: the trainer (tools/lint_train.c) fits and calibrates the model on the
 * train split, and the scoring test (tests/unit/rev_heldout_test.c) measures
 * rules and model on both splits.  Both must see a row exactly as `inquest
 * lint` sees text in a draft, so this module holds that one definition:
 * a sentence row is a one-paragraph document, an action row is one list
 * item under an "Action items" heading ("アクションアイテム" for Japanese). */
#ifndef REV_CORPUS_H
#define REV_CORPUS_H

#include <stdbool.h>
#include <stddef.h>

#include "rev_lint.h"
#include "rev_rules.h"

#define REV_CORPUS_FILE_MAX (8u * 1024 * 1024)
#define REV_CORPUS_TEXT_MAX 2000   /* bytes of a row's text */

enum rev_row_kind { REV_ROW_SENTENCE = 0, REV_ROW_ACTION };

/* One row.  Borrowed; valid until rev_corpus_destroy. */
struct rev_corpus_row {
    const char *id, *category, *text;
    enum rev_lang lang;            /* REV_LANG_EN or REV_LANG_JA */
    enum rev_row_kind kind;
    bool positive;                 /* label blame (sentences) or weak (actions) */
    unsigned line;                 /* line in the file */
};

struct rev_corpus;

/* Read a corpus TSV file (id, lang, kind, label, category, text; '#' lines
 * are comments).  On success *ret is set (caller owns, rev_corpus_destroy).
 * On failure err names the file and line: -EINVAL, -E2BIG, -ENOMEM or the
 * errno of the read. */
int rev_corpus_load(const char *path, struct rev_corpus **ret, char *err, size_t errsz);
void rev_corpus_destroy(struct rev_corpus **pc);
size_t rev_corpus_count(const struct rev_corpus *c);
const struct rev_corpus_row *rev_corpus_row(const struct rev_corpus *c, size_t i);

/* What the linter made of a row. */
struct rev_verdict {
    bool rule;                     /* a pattern rule of the row's task fired */
    bool model;                    /* the model's rule fired */
    bool strong;                   /* action rows: ranked 1 to 4 (the model is not asked) */
    double score;                  /* the model's score; -1 when it did not run */
};

/* Lint row with rules and opts (opts->lang is ignored: auto) and report
 * the row's task: blame for sentences, weak-action for action items.
 * 0, or a negative errno with err set. */
int rev_corpus_judge(const struct rev_corpus_row *row, const struct rev_rules *rules,
                     const struct rev_lint_opts *opts, struct rev_verdict *ret,
                     char *err, size_t errsz);

/* The text the model scores for row: a sentence row's judged prose, masked
 * (quotes and code blanked, blockquotes left out), or an action row's item.
 * *ret is set (caller owns, free()); 0 or a negative errno. */
int rev_corpus_model_text(const struct rev_corpus_row *row, const struct rev_rules *rules,
                          char **ret, size_t *ret_len, char *err, size_t errsz);

#endif

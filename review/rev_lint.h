/* rev_lint.h - lint a postmortem draft: blame language, weak action items,
 * action item strength/type/owner/due, and the final review checklist.
 *
 * rev_lint_doc runs every pass over a parsed document with a loaded rule set
 * and returns a result: findings (each with a rule, a position and the text
 * that matched) sorted by position, and the action items it found with
 * their classification.  Printing lives in rev_report.h; the result and
 * the helpers the passes share are in rev_result.c.
 *
 *   struct rev_rules *rules;   rev_rules_load_dir("schemas/lint", &rules, ...)
 *   struct rev_doc *doc;       rev_doc_load("pm.md", "pm.md", &doc, ...)
 *   struct rev_result *res;    rev_lint_doc(doc, rules, NULL, &res, ...)
 *   rev_report_text(stdout, res, true);
 *   rev_result_destroy(&res); rev_doc_destroy(&doc); rev_rules_destroy(&rules); */
#ifndef REV_LINT_H
#define REV_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "rev_doc.h"
#include "rev_rules.h"

#define REV_FINDINGS_MAX 1000      /* findings kept per document by default */
#define REV_EXCERPT_MAX  160       /* bytes of a finding's excerpt */
#define REV_ACTION_TEXT_MAX 1000   /* bytes of an action item's text */

enum rev_severity { REV_SEV_ERROR = 0, REV_SEV_WARNING };

/* One finding.  Borrowed; valid until rev_result_destroy. */
struct rev_finding {
    unsigned line, col;            /* 1-based; col counts characters */
    const struct rev_rule *rule;   /* borrowed from the rule set */
    enum rev_lang lang;            /* language of the message to show */
    char *excerpt;                 /* the text that matched; "" for document checks */
    double score;                  /* model findings (rule->model): the model's score;
                                    * -1 for findings of pattern rules */
};

/* One action item.  Borrowed; valid until rev_result_destroy. */
struct rev_action {
    unsigned line, col;            /* where the item text starts */
    char *text;                    /* the item, as written (whitespace folded) */
    char *owner, *due, *ticket;    /* NULL when absent */
    enum rev_strength strength;    /* REV_STR_UNKNOWN when no rule matched */
    enum rev_type type;
    bool type_declared;            /* type taken from the table's Type column */
    bool weak;                     /* a weak-action rule fired */
    enum rev_lang lang;            /* language of the item text */
    const struct rev_rule *strength_rule; /* rule that set the strength, or NULL */
    const struct rev_rule *type_rule;     /* rule that set the type, or NULL */
    double weak_score;             /* the model's weak-action score, -1 when it did not run */
};

struct rev_lint_opts {
    enum rev_lang lang;            /* REV_LANG_AUTO: detect per sentence */
    size_t max_findings;           /* 0: REV_FINDINGS_MAX */
    bool no_model;                 /* rules only, even when the rule set has a model */
    double threshold[REV_MODEL_TASKS]; /* per task, in (0, 1]; 0: the rule set's */
};

struct rev_result;

/* Lint doc (its sections are assigned here) with rules.  opts may be NULL.
 * On success *ret is set (caller owns, rev_result_destroy).  Returns 0,
 * -ENOMEM, or -ERANGE when a rule pattern ran into a pcre2 limit (err
 * names the rule and the line where it knows them, the pattern, the limit
 * and where it is set: "regex" of a rules file).  *ret untouched on failure. */
int rev_lint_doc(struct rev_doc *doc, const struct rev_rules *rules,
                 const struct rev_lint_opts *opts, struct rev_result **ret,
                 char *err, size_t errsz);

/* Free the result and NULL the caller's pointer.  NULL-safe. */
void rev_result_destroy(struct rev_result **pres);

/* Borrowed: the document name, its language (detected or forced). */
const char *rev_result_name(const struct rev_result *res);
enum rev_lang rev_result_lang(const struct rev_result *res);
/* True when findings past max_findings were dropped. */
bool rev_result_truncated(const struct rev_result *res);

size_t rev_result_nfindings(const struct rev_result *res);
const struct rev_finding *rev_result_finding(const struct rev_result *res, size_t i);
size_t rev_result_nactions(const struct rev_result *res);
const struct rev_action *rev_result_action(const struct rev_result *res, size_t i);
/* Count findings of one severity. */
size_t rev_result_count(const struct rev_result *res, enum rev_severity sev);

/* Blame findings are errors; everything else is a warning. */
enum rev_severity rev_finding_severity(const struct rev_finding *f);
const char *rev_severity_name(enum rev_severity sev);

/* Language of a piece of text: REV_LANG_JA when it holds kana or CJK
 * ideographs, else REV_LANG_EN. */
enum rev_lang rev_detect_lang(const char *s, size_t len);

/* For review/ modules that produce findings (rev_lint.c, rev_action.c). */

/* Caller owns return value; NULL on OOM.  name is copied; max_findings 0
 * means REV_FINDINGS_MAX. */
struct rev_result *rev_result_new(const char *name, size_t max_findings);
void rev_result_set_lang(struct rev_result *res, enum rev_lang lang);
/* Sort findings by line, column, then rule id (stable output). */
void rev_result_sort(struct rev_result *res);

/* Add a finding; the excerpt (len bytes) is copied, folded and capped.
 * Duplicates (same rule and position) are dropped.  0 or -ENOMEM. */
int rev_result_add_finding(struct rev_result *res, const struct rev_rule *rule,
                           enum rev_lang lang, unsigned line, unsigned col,
                           const char *excerpt, size_t len);
/* The same for a finding of the model (rule->model) with its score. */
int rev_result_add_scored(struct rev_result *res, const struct rev_rule *rule,
                          enum rev_lang lang, unsigned line, unsigned col,
                          const char *excerpt, size_t len, double score);

/* The threshold task runs at for text in lang: opts's when set, else the
 * rule set's; 2 (never reached) when the model is off or absent. */
double rev_lint_threshold(const struct rev_rules *rules, const struct rev_lint_opts *opts,
                          enum rev_model_task task, enum rev_lang lang);

/* Append an action item.  Takes ownership of a's strings (and clears them
 * in *a) on success and on failure.  0 or -ENOMEM. */
int rev_result_add_action(struct rev_result *res, struct rev_action *a);

/* Copy len bytes of s with whitespace runs folded to one space, trimmed,
 * cut at a UTF-8 boundary to at most max bytes (plus "…").  Caller owns
 * return value; NULL on OOM. */
char *rev_fold(const char *s, size_t len, size_t max);

#endif

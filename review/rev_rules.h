/* rev_rules.h - lint rules loaded from the JSON files of schemas/lint/.
 *
 * A rule set is data: every rule has an id, a category, the languages it
 * applies to, pcre2 patterns (plus optional exceptions), a message and a
 * suggestion.  Section definitions (which headings open "Impact", "Action
 * items", ...) live in the same files.  The on-disk format is documented in
 * docs/lint.md; rev_rules_load_dir checks every key, compiles every pattern
 * and runs each rule's own examples, so a broken rule stops the load with
 * the file, the rule id and the pcre2 offset in the message.  One file
 * may set the pcre2 limits of every pattern of the set, "regex":
 * {"match_limit": N, "depth_limit": N} (defaults: IQ_RE_LINT's).
 *
 * The set is read-only once loaded and can be shared by several documents. */
#ifndef REV_RULES_H
#define REV_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "rev_model.h"
#include "rev_re.h"

#define REV_RULES_FILE_MAX   (1024 * 1024)  /* bytes of one rules file */
#define REV_RULES_FILES_MAX  64             /* *.json files in the directory */
#define REV_RULES_MAX        2000           /* rules in a set */
#define REV_RULE_PATTERNS_MAX 64            /* patterns in one list */
#define REV_RULE_ID_MAX      64             /* bytes of a rule id */

/* Languages, usable as a bit set.  REV_LANG_AUTO means "detect". */
enum rev_lang { REV_LANG_AUTO = 0, REV_LANG_EN = 1, REV_LANG_JA = 2 };
#define REV_LANG_ALL (REV_LANG_EN | REV_LANG_JA)

enum rev_cat {
    REV_CAT_BLAME = 0,    /* blame language in prose */
    REV_CAT_WEAK,         /* "weak-action": promise instead of a mechanism */
    REV_CAT_STRENGTH,     /* classifies an action item on the strength ladder */
    REV_CAT_TYPE,         /* classifies an action item as prevent/detect/... */
    REV_CAT_ACTION,       /* owner / due date present on an action item */
    REV_CAT_STRUCTURE,    /* document-level checks (final review checklist) */
    REV_CAT_N
};

/* The strength ladder, strongest first; the value is the rank. */
enum rev_strength {
    REV_STR_UNKNOWN = 0,
    REV_STR_MECHANISM,    /* makes the failure impossible */
    REV_STR_TOOL,         /* detects it automatically */
    REV_STR_RECOVERY,     /* recovers automatically */
    REV_STR_CONTAINMENT,  /* fail-safe, limited blast radius */
    REV_STR_RULE,         /* a rule people must follow */
    REV_STR_CHECKLIST,    /* a checklist people must run */
    REV_STR_PROMISE,      /* a promise to try harder (weak) */
    REV_STR_N
};

enum rev_type { REV_TYPE_UNKNOWN = 0, REV_TYPE_PREVENT, REV_TYPE_DETECT, REV_TYPE_MITIGATE,
                REV_TYPE_PROCESS, REV_TYPE_N };

enum rev_field { REV_FIELD_OWNER = 0, REV_FIELD_DUE };

enum rev_check {
    REV_CHECK_SECTION = 0,  /* a section of this kind exists */
    REV_CHECK_QUANTIFIED,   /* the section exists and matches a pattern (numbers) */
    REV_CHECK_SCHEDULED,    /* some prose line matches a pattern (a dated follow-up) */
    REV_CHECK_CHECKLIST,    /* the checklist section exists, every box ticked */
    REV_CHECK_ACTIONS,      /* the action items section exists and lists items */
};

/* Columns of the action items table (status: done, open, wontfix; read by
 * postmortem/, not judged by the linter). */
enum rev_col { REV_COL_ITEM = 0, REV_COL_TYPE, REV_COL_OWNER, REV_COL_DUE, REV_COL_TICKET,
               REV_COL_STATUS, REV_COL_N };

/* One rule.  Borrowed; valid until rev_rules_destroy. */
struct rev_rule {
    const char *id;
    const char *file;              /* base name of the file it came from */
    enum rev_cat cat;
    unsigned langs;                /* REV_LANG_EN | REV_LANG_JA bits */
    int kind;                      /* enum rev_strength, rev_type, rev_field or rev_check */
    int type_hint;                 /* strength rules: enum rev_type the item gets, or 0 */
    bool model;                    /* blame/weak-action: fired by the model (rev_model.h),
                                    * not by patterns; "unless" still excuses a text */
    const char *section;           /* structure rules: section kind, or NULL */
    struct rev_re *patterns;       /* never NULL; may be empty for some checks */
    struct rev_re *unless;         /* never NULL; often empty */
    struct rev_re *cell;           /* action rules: table-cell form; never NULL */
    const char **labels;           /* type rules: Type-column values; n_labels of them */
    size_t n_labels;
};

/* A section kind and the headings that open it.  Borrowed, as above. */
struct rev_section {
    const char *kind;              /* "impact", "action-items", ... */
    struct rev_re *headings;       /* matched against the heading text */
    struct rev_re *columns[REV_COL_N]; /* table header names; never NULL */
    struct rev_re *placeholders;   /* item texts that are empty template slots; never NULL */
};

struct rev_rules;

/* Load every *.json file of dir, in name order.  On success *ret is set
 * (caller owns, rev_rules_destroy).  On failure err names the file, the rule
 * and the problem, e.g. "lint/blame.en.json: rule 'blame.x': pattern 2:
 * pcre2 error at offset 7: missing closing parenthesis"; returns -EINVAL,
 * -ENOENT (no rule files), -E2BIG, -ENOMEM or the errno of a failed read. */
int rev_rules_load_dir(const char *dir, struct rev_rules **ret, char *err, size_t errsz);

/* The same with flags: REV_RULES_NO_MODEL checks a "model" object but does
 * not read its weights (rules only; the trainer and `lint --no-model`). */
#define REV_RULES_NO_MODEL 1u
int rev_rules_load_dir_flags(const char *dir, unsigned flags, struct rev_rules **ret,
                             char *err, size_t errsz);

/* Load one rules file held in memory (name is used in messages).  Same
 * contract as rev_rules_load_dir; for tests and embedders. */
int rev_rules_load_buf(const char *name, const char *buf, size_t len, struct rev_rules **ret,
                       char *err, size_t errsz);

/* Free the set and NULL the caller's pointer.  NULL-safe. */
void rev_rules_destroy(struct rev_rules **pset);

size_t rev_rules_count(const struct rev_rules *set);
/* Rule i (0-based, load order).  Borrowed. */
const struct rev_rule *rev_rules_at(const struct rev_rules *set, size_t i);
/* Rule by id, or NULL.  Borrowed. */
const struct rev_rule *rev_rules_find(const struct rev_rules *set, const char *id);

size_t rev_rules_nsections(const struct rev_rules *set);
/* Section i, or by kind (NULL if none).  Borrowed. */
const struct rev_section *rev_rules_section_at(const struct rev_rules *set, size_t i);
const struct rev_section *rev_rules_section(const struct rev_rules *set, const char *kind);

/* The statistical layer defined by a rules file's "model" object, or NULL.
 * Borrowed; valid until rev_rules_destroy. */
const struct rev_model *rev_rules_model(const struct rev_rules *set);
/* The rule (category blame or weak-action, "model": true) whose message the
 * model's findings carry (and whose "unless" excuses a text); NULL when no
 * file defines "model".  Also set when the weights were not loaded
 * (REV_RULES_NO_MODEL): the trainer applies its exceptions.  Borrowed. */
const struct rev_rule *rev_rules_model_rule(const struct rev_rules *set, enum rev_model_task t);
/* The threshold of task for text in lang (REV_LANG_EN or REV_LANG_JA):
 * "model"."threshold" in the rules file when given (for both languages),
 * else the one the trainer calibrated for lang (in the weights file). */
double rev_rules_model_threshold(const struct rev_rules *set, enum rev_model_task t,
                                 enum rev_lang lang);

/* Message and suggestion in lang, falling back to the other language when
 * the rule has only one.  Borrowed; never NULL. */
const char *rev_rule_message(const struct rev_rule *r, enum rev_lang lang);
const char *rev_rule_suggestion(const struct rev_rule *r, enum rev_lang lang);

/* Does the rule fire on s: a pattern matches and no exception matches the
 * same text?  1 and the match span (and "value" span) when it fires, 0 when
 * not, negative errno from rev_re_search. */
int rev_rule_match(const struct rev_rule *r, const char *s, size_t len, size_t *ret_start,
                   size_t *ret_end, size_t *ret_vstart, size_t *ret_vend);

/* Names used in the rules files and in the output ("blame", "tool", ...). */
const char *rev_cat_name(enum rev_cat c);
const char *rev_strength_name(enum rev_strength s);
const char *rev_type_name(enum rev_type t);
const char *rev_lang_name(enum rev_lang l);    /* "auto", "en", "ja" */
/* Parse "auto", "en" or "ja".  0 or -EINVAL. */
int rev_lang_parse(const char *s, enum rev_lang *ret);

#endif

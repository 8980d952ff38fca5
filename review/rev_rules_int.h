/* rev_rules_int.h - internals shared by rev_rules.c (the rule set: files,
 * directory, lookup) and rev_rules_parse.c (one JSON rule or section into
 * its validated, compiled form).  Not for use outside review/rev_rules*.c. */
#ifndef REV_RULES_INT_H
#define REV_RULES_INT_H

#include <jansson.h>

#include "rev_rules.h"

/* A rule with the texts only the accessors need. */
struct rule_impl {
    struct rev_rule pub;           /* first member: rev_rule * <-> rule_impl * */
    const char *message[2];        /* [0] English, [1] Japanese; borrowed from the JSON */
    const char *suggestion[2];
};

/* Where an error happened, to prefix messages with, and the set's pcre2
 * limits that the patterns compiled there match under. */
struct where {
    const char *file;              /* path as shown to the user */
    const struct iq_re_limits *limits; /* the set's (borrowed) */
    char what[REV_RULE_ID_MAX + 32]; /* "rule 'id'" or "section #3" */
    char *err;
    size_t errsz;
};

/* Write "FILE: WHAT: message" into w->err.  Returns -EINVAL. */
int rev_rules_fail(struct where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse rule number idx of a file (o) into ri, zeroed by the caller: keys,
 * id, category, languages, texts, patterns, then the rule's examples.
 * Strings stay borrowed from o; pattern lists and labels are owned by ri
 * (freed by rev_rules_destroy even when parsing failed half-way).
 * 0, -EINVAL (w->err set) or -ENOMEM. */
int rev_rules_parse_rule(struct where *w, json_t *o, size_t idx, struct rule_impl *ri);

/* Parse section number idx into sec, zeroed by the caller.  Same contract. */
int rev_rules_parse_section(struct where *w, json_t *o, size_t idx, struct rev_section *sec);

#endif

/* tail_rule_int.h - rule records shared by tail_rule.c (loading) and
 * tail_rule_match.c (matching).  Not for use outside those two files. */
#ifndef TAIL_RULE_INT_H
#define TAIL_RULE_INT_H

#include <jansson.h>

#include "tail_rule.h"
#include "iq_re.h"

#define RULE_JSON_KEYS_MAX 4      /* candidate keys per JSON field */
#define RULE_NUMBUF 48

/* The meaningful fields of a line, as indexes. */
enum rule_field { RF_TIME = 0, RF_LEVEL, RF_PRI, RF_SERVICE, RF_MESSAGE, RF_STATUS, RF_N };

extern const char *const tail_rule_field_names[RF_N];

struct rule_label {
    char *name;           /* label key */
    int group;            /* pcre2 group number (pattern rules) */
};

struct rule {
    char *name;
    bool json;                            /* JSON-lines rule */
    pcre2_code *code;                     /* pattern rules */
    int group[RF_N];                      /* group number, -1 absent */
    char *keys[RF_N][RULE_JSON_KEYS_MAX]; /* JSON rules: candidate keys */
    struct rule_label labels[TAIL_LINE_LABELS_MAX];
    uint32_t n_labels;
    int timefmt;                          /* enum tail_timefmt */
    char *service;                        /* default service or NULL */
    int min_level;                        /* TAIL_LEVEL_NONE: no level condition */
    int min_status;                       /* 0: no status condition */
    _Atomic uint64_t limit_hits;          /* lines that hit a pcre2 limit (logged 1, 10, ...) */
};

struct tail_rules {
    struct rule *rules;
    uint32_t n, cap;
    pcre2_match_data *md;
    uint32_t md_pairs;
    pcre2_match_context *mctx;            /* limits: iq_re_limits_of(IQ_RE_LOGS) */
    pcre2_jit_stack *jit_stack;
    json_t *scratch;                      /* the last JSON line, kept for its spans */
    char numbuf[RF_N + TAIL_LINE_LABELS_MAX][RULE_NUMBUF];
};

void tail_rule_release(struct rule *r);

#endif

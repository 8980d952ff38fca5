/* ana_classes_int.h - the compiled taxonomy, shared by ana_classes.c (load
 * and compile) and ana_classify.c (matching).  Not for other folders. */
#ifndef ANA_CLASSES_INT_H
#define ANA_CLASSES_INT_H

#include <stdatomic.h>

#include "ana_classes.h"
#include "iq_re.h"

#define ANA_LABELS_PER_RULE  8
#define ANA_ACTIONS_PER_COND 16

/* One pcre2 rule: matches when the pattern finds a match in any of the
 * listed fields of an event whose kind is in kinds (0: any kind). */
struct ana_rule {
    char *id;
    pcre2_code *re;
    uint32_t fields;                       /* bit i: iq_event str[i] */
    char *labels[ANA_LABELS_PER_RULE];     /* label names also examined */
    size_t n_labels;
    uint32_t kinds;                        /* bit i: iq_kinds[i]; 0 = any */
    double weight;                         /* (0, 1] */
    _Atomic uint64_t limit_hits;           /* texts that hit a pcre2 limit (logged 1, 10, ...) */
};

/* One condition: holds when an event of one of kinds (and, if given, one of
 * actions) happened within [impact - before_ms, impact + after_ms]. */
struct ana_cond {
    char *id;
    uint32_t kinds;
    char *actions[ANA_ACTIONS_PER_COND];
    size_t n_actions;
    int64_t before_ms, after_ms;
    double weight;
};

struct ana_class {
    char *name;
    char *title;
    double threshold;
    struct ana_rule *rules;
    size_t n_rules;
    struct ana_cond *conds;
    size_t n_conds;
};

struct ana_classes {
    struct ana_class *v;
    size_t n;
    pcre2_match_context *mctx;             /* limits: iq_re_limits_of(IQ_RE_CLASSES) */
    struct ana_memo *memo;                 /* classes computed with this taxonomy */
    _Atomic unsigned long refs;            /* ana_classes_ref; freed at 0 */
};

#endif

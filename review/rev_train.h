/* rev_train.h - fit the logistic regression of rev_model.h.
 *
 * The trainer (tools/lint_train.c) turns a labelled corpus into examples -
 * hashed features (rev_model_features) and a 0/1 label - and calls
 * rev_train_fit once per cross-validation fold and once on everything.
 * Fitting is deterministic: the same examples and parameters give the same
 * weights on every machine. */
#ifndef REV_TRAIN_H
#define REV_TRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rev_model.h"

struct rev_train_example {
    struct rev_feats f;            /* owned by the caller */
    bool y;                        /* the label */
    bool skip;                     /* left out of this fit (the held-in fold) */
};

struct rev_train_params {
    unsigned bits;                 /* hash space, as for rev_model_features */
    unsigned epochs;               /* passes over the examples (e.g. 30) */
    double rate;                   /* AdaGrad base learning rate (e.g. 0.5) */
    double l2;                     /* L2 penalty per example (e.g. 1e-4) */
    unsigned min_df;               /* buckets in fewer examples keep weight 0 (0, 1: all) */
    uint64_t seed;                 /* order of the examples in each pass */
};

/* Fit weights (2^bits floats, overwritten) and *ret_bias on the examples
 * not marked skip, by stochastic gradient descent on the logistic loss
 * with AdaGrad step sizes and an L2 penalty; positives and negatives are
 * weighted so that each class counts as much as the other.  A bucket that
 * occurs in fewer than p->min_df of the examples keeps weight 0: it cannot
 * generalise, and leaving it out keeps the weights file small.  0, -EINVAL (no
 * examples of one class) or -ENOMEM. */
int rev_train_fit(const struct rev_train_example *ex, size_t n,
                  const struct rev_train_params *p, float *w, double *ret_bias);

#endif

/* rev_model.h - the statistical layer of `inquest lint`: logistic regression
 * over hashed word and character n-grams.
 *
 * The rules (rev_rules.h) are precise but only know the phrasings they list;
 * the model scores any sentence for blame and any action item for being a
 * weak promise, so that recall does not depend on listing every phrasing.
 * Two tasks share one feature space:
 *
 *   REV_MODEL_BLAME  a sentence of judged prose (masked: quotes and code are
 *                    spaces) presents a person or a team as the cause;
 *   REV_MODEL_WEAK   an action item promises care instead of a mechanism.
 *
 * Features (rev_model_features) are computed from the text alone, with no
 * tokenizer, so they serve English and Japanese alike: ASCII letters folded
 * to lower case and digits to '0', whitespace runs folded to one space;
 * word unigrams and bigrams over runs of [a-z0-9']; character 2- to 4-grams
 * counted in Unicode characters over the folded text padded with a space;
 * with a lexicon (rev_lex.h), class features of the lexicon's words in
 * context and of the sentence's structure (rev_lexfeat.c).  Each feature string is hashed (FNV-1a, 32 bits) into 2^bits
 * buckets.  A text's score is sigmoid(bias + sum of the weights of its features /
 * sqrt(number of features)).
 *
 * The weights are data, written by the trainer (tools/lint_train.c, see
 * docs/lint.md) into a text file in schemas/lint/:
 *
 *   inquest-lint-model 3 bits 18
 *   lexicon role engineer sre intern 担当者 ...
 *   lexicon %agents role team ...
 *   task blame bias -1.25 threshold 0.55 0.61 scale 0.0123 weights 3
 *   1234:41 7:-3 98000:127
 *   task weak-action bias ... threshold EN JA scale ... weights N
 *   ...
 *
 * The "lexicon" lines (rev_lex.h) are the lexicon the weights were trained
 * with; the two thresholds are the trainer's calibration for English and
 * for Japanese text.  The version (3) changes whenever the features do:
 * weights of another version are refused, not scored with features they
 * were not fitted on.  Weights are quantised to integers Q in [-127, 127] (the weight is
 * Q * scale) and written as GAP:Q pairs, separated by spaces or newlines,
 * where GAP is the distance from the previous written index (from -1 for
 * the first), so the file stays small.  Lines starting with '#' are
 * comments.  The loaded model is read-only and
 * may be shared. */
#ifndef REV_MODEL_H
#define REV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define REV_MODEL_FILE_MAX (16u * 1024 * 1024) /* bytes of a weights file */
#define REV_MODEL_BITS_MIN 12
#define REV_MODEL_BITS_MAX 22
#define REV_MODEL_TEXT_MAX 4096               /* bytes of a text scored (rest ignored) */

enum rev_model_task { REV_MODEL_BLAME = 0, REV_MODEL_WEAK, REV_MODEL_TASKS };

/* The languages a threshold is calibrated for. */
enum rev_model_lang { REV_MODEL_EN = 0, REV_MODEL_JA, REV_MODEL_LANGS };

/* Hashed feature occurrences of one text (an index may repeat).  Value
 * type: zero it or rev_feats_init, then rev_feats_free. */
struct rev_feats {
    uint32_t *idx;
    size_t n, cap;
};

/* The vector's functions are in rev_lex.c (the lexicon fills it too). */
void rev_feats_init(struct rev_feats *f);
void rev_feats_free(struct rev_feats *f);

/* Hash feature kind+s[0..len) into mask and append it.  0 or -ENOMEM. */
int rev_feats_add(struct rev_feats *f, char kind, const char *s, size_t len, uint32_t mask);

struct rev_lex;

/* Replace f's contents with the features of s (len bytes of valid UTF-8;
 * only the first REV_MODEL_TEXT_MAX bytes count), hashed into 2^bits
 * buckets, with the class features of lex (borrowed; NULL for none).
 * 0, -EINVAL (bits out of range) or -ENOMEM. */
int rev_model_features(const char *s, size_t len, unsigned bits, const struct rev_lex *lex,
                       struct rev_feats *f);

struct rev_model;

/* Load a weights file.  On success *ret is set (caller owns,
 * rev_model_destroy).  On failure err names the file and the line:
 * -EINVAL (bad syntax, an index out of range, a task twice or missing),
 * -ENOMEM, or the errno of a failed read. */
int rev_model_load(const char *path, struct rev_model **ret, char *err, size_t errsz);

/* Free the model and NULL the caller's pointer.  NULL-safe. */
void rev_model_destroy(struct rev_model **pm);

unsigned rev_model_bits(const struct rev_model *m);
/* The lexicon of the weights file (borrowed; valid until destroy; NULL
 * when the file has none). */
const struct rev_lex *rev_model_lex(const struct rev_model *m);
/* The threshold the trainer calibrated for task in lang (0..1). */
double rev_model_threshold(const struct rev_model *m, enum rev_model_task task,
                           enum rev_model_lang lang);

/* Score s for task: probability in [0, 1] in *ret.  0 or -ENOMEM. */
int rev_model_score(const struct rev_model *m, enum rev_model_task task, const char *s,
                    size_t len, double *ret);

/* Score already computed features with explicit weights (2^bits floats)
 * and bias; the trainer's cross-validation uses this. */
double rev_model_score_feats(const float *w, double bias, const struct rev_feats *f);

/* "blame" or "weak-action"; parse the same names.  0 or -EINVAL. */
const char *rev_model_task_name(enum rev_model_task task);
int rev_model_task_parse(const char *s, enum rev_model_task *ret);

/* Write a weights file atomically: header comment line(s) `comment` (may
 * be NULL), the lexicon lex (may be NULL), then for each task its bias,
 * threshold and the weights with |w| >= min_abs, quantised to 8 bits.
 * w[task] holds 2^bits floats.  0 or -errno. */
int rev_model_write(const char *path, const char *comment, unsigned bits,
                    const struct rev_lex *lex, const float *const w[REV_MODEL_TASKS],
                    const double bias[REV_MODEL_TASKS],
                    const double threshold[REV_MODEL_TASKS][REV_MODEL_LANGS], double min_abs);


#endif

/* lint_train.c - train the statistical layer of `inquest lint` and
 * calibrate its thresholds.
 *
 *   build/lint-train [--rules DIR] [--out FILE] [--lexicon FILE|none] [--folds K]
 *                    [--repeats N]
 *                    [--precision P] [--bits B] [--epochs E] [--l2 L] [--rate R]
 *                    [--prune W] [--min-df N] [--seed S] [--no-search] [--errors]
 *                    [CORPUS.tsv...]
 *
 * Reads labelled corpora (default tests/data/lint/corpus/train.tsv; format
 * in docs/lint.md), fits one logistic regression per task (blame on
 * sentences, with action items as extra negatives; weak-action on action
 * items) over the hashed n-grams of review/rev_model.c, and writes the
 * weights file named by the rules directory's "model" object (default
 * DIR/model.weights).
 *
 * The thresholds of each task (one per language) are calibrated by K-fold
 * cross-validation on the same corpora: every row is scored by a model that
 * did not see it, combined with the rules exactly as `inquest lint`
 * combines them (the model only speaks when no rule of the task fired,
 * never on an action item the rules rank as a mechanism, tool, recovery or
 * containment, and never on a text its rule's "unless" excuses), and for
 * each language the threshold kept is the one with the best recall among
 * those whose precision reaches P (ties: the higher threshold).  A file
 * called *heldout* is refused: the held-out sets measure the result and
 * must never shape it.
 *
 * A thin main: the corpus and the lint path are review/rev_corpus.h, the
 * fit is review/rev_train.h, features and the file format review/rev_model.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "rev_corpus.h"
#include "rev_file.h"
#include "rev_lex.h"
#include "rev_train.h"

#define ERR_MAX 1024
#define FILES_MAX 16
#define USAGE "usage: lint-train [--rules DIR] [--out FILE] [--lexicon FILE|none] " \
              "[--folds K] [--repeats N] [--precision P] [--bits B] [--epochs E] [--l2 L] [--rate R] " \
              "[--prune W] [--min-df N] [--seed S] [--no-search] [--errors] [CORPUS.tsv...]\n"

/* The grid searched by cross-validation (unless --no-search): hash sizes
 * up to --bits, and L2 strengths. */
static const unsigned search_bits[] = { 16, 17, 18 };
static const double search_l2[] = { 3e-4, 1e-3, 3e-3, 1e-2 };
#define REPEATS_MAX 8

struct args {
    const char *rules, *out, *lexicon;
    const char *files[FILES_MAX];
    int nfiles;
    unsigned folds;
    unsigned repeats;            /* K-fold cross-validation runs, each with its own shuffle */
    double precision;
    bool errors;                 /* --errors: list the rows cross-validation gets wrong */
    bool search;                 /* choose bits and L2 by cross-validation */
    double prune;                /* weights below this are not written */
    struct rev_train_params p;
    double l2[REV_MODEL_TASKS];  /* per task, after the search */
};

/* One example of a task with what the rules said about its row. */
struct task_data {
    struct rev_train_example *ex;
    uint32_t **full;             /* features hashed at REV_MODEL_BITS_MAX */
    const struct rev_corpus_row **row;
    struct rev_verdict *v;       /* rules only */
    bool *excused;               /* the model rule's "unless" matches the text */
    double *oof;                 /* cross-validated scores: run k of example i at oof[k * cap + i] */
    unsigned runs;               /* runs held in oof */
    size_t n, cap;
};

static int number(const char *s, double lo, double hi, double *ret)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end || errno || v < lo || v > hi)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d = 0;
        int r = 0;

        if (strcmp(o, "--errors") == 0) {
            a->errors = true;
            continue;
        }
        if (strcmp(o, "--no-search") == 0) {
            a->search = false;
            continue;
        }
        if (o[0] != '-') {
            if (a->nfiles == FILES_MAX || strstr(o, "heldout"))
                return fprintf(stderr, "lint-train: %s: %s\n", o, a->nfiles == FILES_MAX ?
                               "too many corpus files" : "the held-out split is never trained "
                               "on"), -EINVAL;
            a->files[a->nfiles++] = o;
            continue;
        }
        if (!v)
            return fprintf(stderr, "lint-train: %s needs a value\n%s", o, USAGE), -EINVAL;
        i++;
        if (strcmp(o, "--rules") == 0)
            a->rules = v;
        else if (strcmp(o, "--out") == 0)
            a->out = v;
        else if (strcmp(o, "--lexicon") == 0)
            a->lexicon = v;
        else if (strcmp(o, "--prune") == 0 && (r = number(v, 0, 1, &d)) == 0)
            a->prune = d;
        else if (strcmp(o, "--min-df") == 0 && (r = number(v, 1, 255, &d)) == 0)
            a->p.min_df = (unsigned)d;
        else if (strcmp(o, "--folds") == 0 && (r = number(v, 2, 20, &d)) == 0)
            a->folds = (unsigned)d;
        else if (strcmp(o, "--repeats") == 0 && (r = number(v, 1, REPEATS_MAX, &d)) == 0)
            a->repeats = (unsigned)d;
        else if (strcmp(o, "--precision") == 0 && (r = number(v, 0.5, 1, &d)) == 0)
            a->precision = d;
        else if (strcmp(o, "--bits") == 0 && (r = number(v, REV_MODEL_BITS_MIN,
                                                         REV_MODEL_BITS_MAX, &d)) == 0)
            a->p.bits = (unsigned)d;
        else if (strcmp(o, "--l2") == 0 && (r = number(v, 0, 1, &d)) == 0)
            a->p.l2 = d;
        else if (strcmp(o, "--rate") == 0 && (r = number(v, 1e-4, 10, &d)) == 0)
            a->p.rate = d;
        else if (strcmp(o, "--epochs") == 0 && (r = number(v, 1, 1000, &d)) == 0)
            a->p.epochs = (unsigned)d;
        else if (strcmp(o, "--seed") == 0 && (r = number(v, 1, 4e9, &d)) == 0)
            a->p.seed = (uint64_t)d;
        else
            return fprintf(stderr, "lint-train: bad option or value: %s %s\n%s", o, v, USAGE),
                   -EINVAL;
        if (r < 0)
            return r;
    }
    if (a->nfiles == 0)
        a->files[a->nfiles++] = "tests/data/lint/corpus/train.tsv";
    return 0;
}

static void task_free(struct task_data *t)
{
    for (size_t i = 0; i < t->n; i++) {
        rev_feats_free(&t->ex[i].f);
        free(t->full ? t->full[i] : NULL);
    }
    free(t->full);
    free(t->ex);
    free(t->row);
    free(t->v);
    free(t->excused);
    free(t->oof);
}

/* Add row (with its rules verdict) to task t as an example labelled y. */
static int task_add(struct task_data *t, size_t cap, const struct rev_corpus_row *row,
                    const struct rev_verdict *v, bool y, const char *text, size_t len,
                    const struct rev_lex *lex, const struct rev_rule *mrule)
{
    struct rev_train_example *e;
    int r;

    if (!t->ex) {
        t->ex = calloc(cap, sizeof(*t->ex));
        t->full = calloc(cap, sizeof(*t->full));
        t->row = calloc(cap, sizeof(*t->row));
        t->v = calloc(cap, sizeof(*t->v));
        t->excused = calloc(cap, sizeof(*t->excused));
        t->oof = calloc(cap * REPEATS_MAX, sizeof(*t->oof));
        t->cap = cap;
        if (!t->ex || !t->full || !t->row || !t->v || !t->excused || !t->oof)
            return -ENOMEM;
    }
    e = &t->ex[t->n];
    rev_feats_init(&e->f);
    e->y = y;
    t->row[t->n] = row;
    t->v[t->n] = *v;
    r = mrule ? rev_re_any(mrule->unless, text, len) : 0;
    if (r < 0)
        return r;
    t->excused[t->n] = r > 0;
    t->n++;
    r = rev_model_features(text, len, REV_MODEL_BITS_MAX, lex, &e->f);
    if (r < 0)
        return r;
    t->full[t->n - 1] = malloc((e->f.n ? e->f.n : 1) * sizeof(uint32_t));
    if (!t->full[t->n - 1])
        return -ENOMEM;
    if (e->f.n)   /* a blockquote row leaves no text, and no features */
        memcpy(t->full[t->n - 1], e->f.idx, e->f.n * sizeof(uint32_t));
    return 0;
}

/* Re-hash every example of t into 2^bits buckets (from the full hashes). */
static void task_mask(struct task_data *t, unsigned bits)
{
    uint32_t mask = (1u << bits) - 1;

    for (size_t i = 0; i < t->n; i++)
        for (size_t k = 0; k < t->ex[i].f.n; k++)
            t->ex[i].f.idx[k] = t->full[i][k] & mask;
}

/* Turn every row of corpus c into examples of both tasks. */
static int collect(const struct rev_corpus *c, const struct rev_rules *rules,
                   const struct rev_lex *lex, size_t cap, struct task_data task[REV_MODEL_TASKS])
{
    struct rev_lint_opts rules_only = { .no_model = true };
    char err[ERR_MAX];

    for (size_t i = 0; i < rev_corpus_count(c); i++) {
        const struct rev_corpus_row *row = rev_corpus_row(c, i);
        struct rev_verdict v;
        char *text = NULL;
        size_t len = 0;
        int r = rev_corpus_judge(row, rules, &rules_only, &v, err, sizeof(err));

        if (r >= 0)
            r = rev_corpus_model_text(row, rules, &text, &len, err, sizeof(err));
        if (r < 0)
            return fprintf(stderr, "lint-train: %s\n", err), r;
        if (row->kind == REV_ROW_SENTENCE) {
            r = task_add(&task[REV_MODEL_BLAME], cap, row, &v, row->positive, text, len, lex,
                         rev_rules_model_rule(rules, REV_MODEL_BLAME));
        } else {
            struct rev_verdict none = { .score = -1 };

            r = task_add(&task[REV_MODEL_WEAK], cap, row, &v, row->positive, text, len, lex,
                         rev_rules_model_rule(rules, REV_MODEL_WEAK));
            if (r >= 0)   /* action items are prose too: never blame */
                r = task_add(&task[REV_MODEL_BLAME], cap, row, &none, false, text, len, lex,
                             NULL);
        }
        free(text);
        if (r < 0)
            return r;
    }
    return 0;
}

/* One run of K-fold cross-validation into oof (t->n scores): fold k holds
 * the examples whose position in a shuffle seeded by seed is k modulo K. */
static int cv_run(struct task_data *t, const struct args *a, const struct rev_train_params *p,
                  uint64_t seed, float *w, size_t *fold, double *oof)
{
    uint64_t s = seed ^ 0x5deece66dull;
    int r = 0;

    for (size_t i = 0; i < t->n; i++)
        fold[i] = i;
    for (size_t i = t->n; i > 1; i--) {
        size_t j, tmp;

        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        j = (size_t)(s % i);
        tmp = fold[i - 1], fold[i - 1] = fold[j], fold[j] = tmp;
    }
    for (unsigned k = 0; r == 0 && k < a->folds; k++) {
        double bias = 0;

        for (size_t i = 0; i < t->n; i++)
            t->ex[fold[i]].skip = i % a->folds == k;
        r = rev_train_fit(t->ex, t->n, p, w, &bias);
        for (size_t i = 0; r == 0 && i < t->n; i++)
            if (t->ex[i].skip)
                oof[i] = rev_model_score_feats(w, bias, &t->ex[i].f);
    }
    for (size_t i = 0; i < t->n; i++)
        t->ex[i].skip = false;
    return r;
}

/* Cross-validated scores: a->repeats runs of K-fold cross-validation, each
 * with its own shuffle (the first one's seed is the --seed), so that the
 * thresholds and the search see every example scored several times by
 * models that did not see it, not one draw of the folds. */
static int cross_validate(struct task_data *t, const struct args *a,
                          const struct rev_train_params *p)
{
    size_t nb = (size_t)1 << p->bits;
    float *w = malloc(nb * sizeof(*w));
    size_t *fold = malloc(t->n * sizeof(*fold));
    int r = w && fold ? 0 : -ENOMEM;

    t->runs = a->repeats;
    for (unsigned k = 0; r == 0 && k < a->repeats; k++)
        r = cv_run(t, a, p, p->seed + k * 0x9e3779b97f4a7c15ull, w, fold, t->oof + k * t->cap);
    free(w);
    free(fold);
    return r;
}

struct pr {
    unsigned tp, fp, fn;
};

static double prec(const struct pr *p)
{
    return p->tp + p->fp ? (double)p->tp / (p->tp + p->fp) : 1.0;
}

static double rec(const struct pr *p)
{
    return p->tp + p->fn ? (double)p->tp / (p->tp + p->fn) : 1.0;
}

/* Whether rules + model flag example i in cross-validation run k at the
 * thresholds th (above 1: rules alone), combined as the linter combines
 * them: a rule, or the model's score at the threshold on an item not
 * ranked strong and a text its rule's "unless" does not excuse. */
static bool flagged(const struct task_data *t, size_t i, unsigned k,
                    const double th[REV_MODEL_LANGS])
{
    int l = t->row[i]->lang == REV_LANG_JA ? REV_MODEL_JA : REV_MODEL_EN;

    return t->v[i].rule ||
           (!t->v[i].strong && !t->excused[i] && t->oof[k * t->cap + i] >= th[l]);
}

/* Precision/recall per language of rules + model at the thresholds th over
 * the rows of the task's own kind, pooled over the cross-validation runs. */
static void evaluate(const struct task_data *t, enum rev_model_task task,
                     const double th[REV_MODEL_LANGS], struct pr out[REV_MODEL_LANGS])
{
    memset(out, 0, REV_MODEL_LANGS * sizeof(*out));
    for (size_t i = 0; i < t->n; i++) {
        const struct rev_corpus_row *row = t->row[i];
        struct pr *p = &out[row->lang == REV_LANG_JA ? REV_MODEL_JA : REV_MODEL_EN];

        if ((task == REV_MODEL_BLAME) != (row->kind == REV_ROW_SENTENCE))
            continue;
        for (unsigned k = 0; k < t->runs; k++) {
            bool got = flagged(t, i, k, th);

            p->tp += got && row->positive;
            p->fp += got && !row->positive;
            p->fn += !got && row->positive;
        }
    }
}

static double f1(const struct pr *p)
{
    return 2 * prec(p) * rec(p) / (prec(p) + rec(p) + 1e-9);
}

/* For each language, the threshold with the best recall among those whose
 * precision reaches the target (ties: the higher threshold), else the one
 * with the best F1.  *ret_score: the worse language's recall, or its F1
 * minus 1 when a language misses the target (so that a model meeting the
 * target in both always scores higher). */
static void calibrate(const struct task_data *t, enum rev_model_task task, double target,
                      double th[REV_MODEL_LANGS], double *ret_score)
{
    double best[REV_MODEL_LANGS] = { -1, -1 };
    bool best_ok[REV_MODEL_LANGS] = { false, false };

    th[REV_MODEL_EN] = th[REV_MODEL_JA] = 0.5;
    for (int k = 95; k >= 5; k--) {
        double cand[REV_MODEL_LANGS] = { k / 100.0, k / 100.0 };
        struct pr p[REV_MODEL_LANGS];

        evaluate(t, task, cand, p);
        for (int l = 0; l < REV_MODEL_LANGS; l++) {
            bool ok = prec(&p[l]) >= target;
            double score = ok ? rec(&p[l]) : f1(&p[l]);

            if ((ok && !best_ok[l]) || (ok == best_ok[l] && score > best[l])) {
                best[l] = score;
                best_ok[l] = ok;
                th[l] = cand[l];
            }
        }
    }
    *ret_score = 2;
    for (int l = 0; l < REV_MODEL_LANGS; l++) {
        double s = best_ok[l] ? best[l] : best[l] - 1;

        *ret_score = s < *ret_score ? s : *ret_score;
    }
}

/* With --errors: every row of the task's kind that rules + model get wrong
 * in some cross-validation run, with its category, in how many runs, and
 * its mean score. */
static void list_errors(const struct task_data *t, enum rev_model_task task,
                        const double th[REV_MODEL_LANGS])
{
    for (size_t i = 0; i < t->n; i++) {
        const struct rev_corpus_row *row = t->row[i];
        unsigned wrong = 0;
        double sum = 0;

        if ((task == REV_MODEL_BLAME) != (row->kind == REV_ROW_SENTENCE))
            continue;
        for (unsigned k = 0; k < t->runs; k++) {
            wrong += flagged(t, i, k, th) != row->positive;
            sum += t->oof[k * t->cap + i];
        }
        if (wrong)
            printf("  %s %s %-16s %.2f %s %u/%u: %s\n", row->positive ? "FN" : "FP", row->id,
                   row->category, sum / t->runs, t->v[i].rule ? "rule" : t->excused[i] ?
                   "unless" : "model", wrong, t->runs, row->text);
    }
}

static void report(const struct task_data *t, enum rev_model_task task,
                   const double th[REV_MODEL_LANGS])
{
    static const char *const lang[REV_MODEL_LANGS] = { "en", "ja" };
    const double off[REV_MODEL_LANGS] = { 2, 2 };
    struct pr rules[REV_MODEL_LANGS], both[REV_MODEL_LANGS];

    evaluate(t, task, off, rules);
    evaluate(t, task, th, both);
    printf("%s: thresholds en %.2f, ja %.2f (cross-validated on the train split)\n",
           rev_model_task_name(task), th[REV_MODEL_EN], th[REV_MODEL_JA]);
    for (int l = 0; l < REV_MODEL_LANGS; l++)
        printf("  %s  rules alone: precision %.3f recall %.3f   rules + model: precision "
               "%.3f recall %.3f\n", lang[l], prec(&rules[l]), rec(&rules[l]), prec(&both[l]),
               rec(&both[l]));
}

/* Choose the hash size (shared) and each task's L2 strength by
 * cross-validation: the objective of a task is calibrate's score (the
 * worse language's recall at the precision target; below 0 when the target
 * is out of reach), summed over the tasks for the hash size.  Leaves the
 * examples hashed at the chosen size. */
static int search(struct task_data task[REV_MODEL_TASKS], struct args *a)
{
    double best_sum = -1e9;
    unsigned best_bits = a->p.bits;
    int r = 0;

    for (size_t b = 0; r == 0 && b < sizeof(search_bits) / sizeof(*search_bits); b++) {
        struct rev_train_params p = a->p;
        double sum = 0, l2[REV_MODEL_TASKS];

        if (search_bits[b] > a->p.bits)
            continue;
        p.bits = search_bits[b];
        for (int k = 0; r == 0 && k < REV_MODEL_TASKS; k++) {
            double best = -1e9;

            task_mask(&task[k], p.bits);
            for (size_t j = 0; r == 0 && j < sizeof(search_l2) / sizeof(*search_l2); j++) {
                double score;

                double th[REV_MODEL_LANGS];

                p.l2 = search_l2[j];
                r = cross_validate(&task[k], a, &p);
                if (r == 0)
                    calibrate(&task[k], (enum rev_model_task)k, a->precision, th, &score);
                if (r == 0 && score > best + 1e-9) {
                    best = score;
                    l2[k] = p.l2;
                }
                if (r == 0)
                    printf("  search: bits %u, %-11s l2 %-6g  cross-validated score %.3f\n",
                           p.bits, rev_model_task_name((enum rev_model_task)k), p.l2, score);
            }
            sum += best;
        }
        if (r == 0 && sum > best_sum + 1e-9) {
            best_sum = sum;
            best_bits = p.bits;
            memcpy(a->l2, l2, sizeof(l2));
        }
    }
    a->p.bits = best_bits;
    for (int k = 0; k < REV_MODEL_TASKS; k++)
        task_mask(&task[k], best_bits);
    printf("chosen: bits %u, l2 %g (blame) %g (weak-action)\n", best_bits, a->l2[0], a->l2[1]);
    return r;
}

/* Fit each task on everything and write the weights file. */
static int fit_and_write(struct task_data task[REV_MODEL_TASKS],
                         const double th[REV_MODEL_TASKS][REV_MODEL_LANGS],
                         const struct args *a, const struct rev_lex *lex, const char *out,
                         size_t nrows)
{
    size_t nb = (size_t)1 << a->p.bits;
    float *w[REV_MODEL_TASKS] = { NULL };
    double bias[REV_MODEL_TASKS] = { 0 };
    char comment[2048];
    size_t at;
    int r = 0;

    at = (size_t)snprintf(comment, sizeof(comment), "# Generated by tools/lint_train.c "
                          "(build/lint-train) from %zu rows of", nrows);
    for (int i = 0; i < a->nfiles && at < sizeof(comment); i++)
        at += (size_t)snprintf(comment + at, sizeof(comment) - at, " %s", a->files[i]);
    if (at < sizeof(comment))
        snprintf(comment + at, sizeof(comment) - at, ";\n# epochs %u, rate %g, l2 %g (blame) "
                 "%g (weak-action), seed %llu, %u folds x %u runs, precision target %.2f, "
                 "prune %g.\n# Do not edit: retrain.\n", a->p.epochs, a->p.rate, a->l2[0],
                 a->l2[1], (unsigned long long)a->p.seed, a->folds, a->repeats, a->precision,
                 a->prune);
    for (int k = 0; r == 0 && k < REV_MODEL_TASKS; k++) {
        struct rev_train_params p = a->p;

        p.l2 = a->l2[k];
        w[k] = malloc(nb * sizeof(float));
        r = w[k] ? rev_train_fit(task[k].ex, task[k].n, &p, w[k], &bias[k]) : -ENOMEM;
    }
    if (r == 0)
        r = rev_model_write(out, comment, a->p.bits, lex, (const float *const *)w, bias,
                            (const double (*)[REV_MODEL_LANGS])th, a->prune);
    for (int k = 0; k < REV_MODEL_TASKS; k++)
        free(w[k]);
    if (r < 0)
        fprintf(stderr, "lint-train: %s: %s\n", out, strerror(-r));
    return r;
}

/* The lexicon: --lexicon FILE, none with --lexicon none, else
 * DIR/model.lexicon when it exists. */
static int lexicon_load(const struct args *a, const char *dir, struct rev_lex **ret, char *err,
                        size_t errsz)
{
    char path[4200];

    if (a->lexicon && strcmp(a->lexicon, "none") == 0)
        return 0;
    if (a->lexicon)
        return rev_lex_load(a->lexicon, ret, err, errsz);
    snprintf(path, sizeof(path), "%s/model.lexicon", dir);
    return access(path, F_OK) == 0 ? rev_lex_load(path, ret, err, errsz) : 0;
}

/* Cross-validate and calibrate each task at the chosen parameters. */
static int calibrate_all(struct task_data task[REV_MODEL_TASKS], const struct args *a,
                         double th[REV_MODEL_TASKS][REV_MODEL_LANGS])
{
    int r = 0;

    for (int k = 0; r >= 0 && k < REV_MODEL_TASKS; k++) {
        struct rev_train_params p = a->p;
        double score;

        p.l2 = a->l2[k];
        r = cross_validate(&task[k], a, &p);
        if (r < 0)
            break;
        calibrate(&task[k], (enum rev_model_task)k, a->precision, th[k], &score);
        report(&task[k], (enum rev_model_task)k, th[k]);
        if (a->errors)
            list_errors(&task[k], (enum rev_model_task)k, th[k]);
    }
    return r;
}

int main(int argc, char **argv)
{
    struct args a = { .folds = 5, .repeats = 3, .precision = 0.95, .search = true, .prune = 0,
                      .p = { .bits = 18, .epochs = 10, .rate = 0.5, .l2 = 1e-3, .min_df = 3,
                            .seed = 16 } };
    struct task_data task[REV_MODEL_TASKS] = { { 0 } };
    struct rev_corpus *c[FILES_MAX] = { NULL };
    struct rev_rules *rules = NULL;
    struct rev_lex *lex = NULL;
    char dir[4096], out[4200], err[ERR_MAX];
    double th[REV_MODEL_TASKS][REV_MODEL_LANGS];
    size_t rows = 0;
    int r;

    if (parse_args(argc, argv, &a) < 0)
        return 2;
    a.l2[0] = a.l2[1] = a.p.l2;
    r = rev_schemas_find(a.rules, "lint", dir, sizeof(dir), err, sizeof(err));
    if (r >= 0)
        r = rev_rules_load_dir_flags(dir, REV_RULES_NO_MODEL, &rules, err, sizeof(err));
    if (r >= 0)
        r = lexicon_load(&a, dir, &lex, err, sizeof(err));
    for (int i = 0; r >= 0 && i < a.nfiles; i++) {
        r = rev_corpus_load(a.files[i], &c[i], err, sizeof(err));
        rows += r >= 0 ? rev_corpus_count(c[i]) : 0;
    }
    if (r < 0) {
        fprintf(stderr, "lint-train: %s\n", err);
        goto out;
    }
    for (int i = 0; r >= 0 && i < a.nfiles; i++)
        r = collect(c[i], rules, lex, 2 * rows, task);
    if (r >= 0 && a.search)
        r = search(task, &a);
    else
        for (int k = 0; r >= 0 && k < REV_MODEL_TASKS; k++)
            task_mask(&task[k], a.p.bits);
    if (r >= 0)
        r = calibrate_all(task, &a, th);
    snprintf(out, sizeof(out), "%s/model.weights", dir);
    if (r >= 0)
        r = fit_and_write(task, th, &a, lex, a.out ? a.out : out, rows);
    if (r >= 0)
        printf("wrote %s\n", a.out ? a.out : out);
    else if (r != -EINVAL)
        fprintf(stderr, "lint-train: %s\n", strerror(-r));
out:
    for (int k = 0; k < REV_MODEL_TASKS; k++)
        task_free(&task[k]);
    for (int i = 0; i < a.nfiles; i++)
        rev_corpus_destroy(&c[i]);
    rev_rules_destroy(&rules);
    rev_lex_destroy(&lex);
    return r < 0 ? 1 : 0;
}

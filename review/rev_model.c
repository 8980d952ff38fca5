/* rev_model.c - hashed n-gram features, and the logistic regression that
 * scores sentences for blame and action items for weak promises.
 *
 * The feature vector itself (rev_feats_*) is in rev_lex.c, which both
 * this file and the lexicon fill.
 *
 * This is the inference half of the statistical layer (the trainer is
 * rev_train.c with tools/lint_train.c): it turns a text into hashed feature
 * indices, loads the weights file the trainer wrote, and computes a
 * probability.  Everything is local and deterministic: no network, no
 * service, no tokenizer, the same code for training and for linting, so the
 * features the weights were fitted on are exactly the features seen at lint
 * time.
 *
 * Design notes:
 *  - Folding is ASCII-only on purpose (case and digits); other characters,
 *    kana and kanji included, are kept as they are and reach the model
 *    through character n-grams.
 *  - Word features have the prefix "w\x1f" (unigram) or "b\x1f" (bigram),
 *    character n-grams "c\x1f", so the three kinds never share a hash input.
 *  - Weights are kept dense (2^bits floats per task, 1 MiB at 18 bits):
 *    scoring is one lookup per feature occurrence.
 *  - The weights file is parsed with strtoul/strtod and an end check on
 *    every number; any junk is an error naming the line. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rev_file.h"
#include "rev_lex.h"
#include "rev_model.h"

#define NGRAM_MIN 2
#define NGRAM_MAX 4
#define GRAM_BYTES 64   /* longest hash input: prefix + 4 characters or 2 words */
#define WORD_MAX 24     /* bytes of a word kept for a feature */
#define QMAX 127        /* quantised weights are in [-QMAX, QMAX] */
#define PAIRS_PER_LINE 12
#define FORMAT_VERSION "3" /* the features and the file both changed with 3 */

struct rev_model {
    unsigned bits;
    struct rev_lex *lex;           /* NULL when the file has no lexicon */
    float *w[REV_MODEL_TASKS];
    double bias[REV_MODEL_TASKS];
    double threshold[REV_MODEL_TASKS][REV_MODEL_LANGS];
};

static const char *const task_names[REV_MODEL_TASKS] = { "blame", "weak-action" };


static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '\'';
}

static bool upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

/* Whether the ASCII word at s[0..len) reads as a name: capitalised, the
 * rest lower case (a trailing 's allowed), and not the first word of the
 * text or of a sentence (after '.', '!', '?' or ':'), unless it is a
 * possessive ("Nina's deploy"). */
static bool name_word(const char *s, size_t len, bool first)
{
    size_t n = len > 2 && s[len - 2] == '\'' && s[len - 1] == 's' ? len - 2 : len;

    if (n < 2 || !upper((unsigned char)s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!lower((unsigned char)s[i]))
            return false;
    return !first || n < len;
}

/* Fold s into out (room for len + 3 bytes): " " + folded text + " ".
 * cap (room for len + 3 bytes) marks the folded bytes where a name
 * starts (name_word).  Returns the folded length. */
static size_t fold(const char *s, size_t len, char *out, unsigned char *cap)
{
    bool first = true;
    size_t o = 0;

    out[o] = ' ';
    cap[o++] = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        cap[o] = 0;
        if (is_space(c)) {
            if (out[o - 1] != ' ')
                out[o++] = ' ';
            continue;
        }
        if (upper(c) && (i == 0 || !word_char((unsigned char)s[i - 1]))) {
            size_t e = i;

            while (e < len && word_char((unsigned char)s[e]))
                e++;
            cap[o] = name_word(s + i, e - i, first);
        }
        if (word_char(c))
            first = false;
        else if (c == '.' || c == '!' || c == '?' || c == ':')
            first = true;
        if (upper(c))
            c = (unsigned char)(c - 'A' + 'a');
        else if (c >= '0' && c <= '9')
            c = '0';
        out[o++] = (char)c;
    }
    if (out[o - 1] != ' ') {
        cap[o] = 0;
        out[o++] = ' ';
    }
    out[o] = '\0';
    return o;
}

static bool fold_word_char(unsigned char c)
{
    return lower(c) || c == '0' || c == '\'';
}

/* Word unigrams and bigrams of the folded text t: runs of [a-z0-9'], at
 * most WORD_MAX bytes each; a name (cap) becomes the placeholder "N"
 * (with its "'s"), so "by Priya" and "by Marcus" are one feature. */
static int word_features(const char *t, size_t len, const unsigned char *cap, uint32_t mask,
                         struct rev_feats *f)
{
    char prev[WORD_MAX], cur[WORD_MAX], gram[2 * WORD_MAX + 1];
    size_t plen = 0, i = 0;
    int r = 0;

    while (i < len && r >= 0) {
        size_t a, wl;

        while (i < len && !fold_word_char((unsigned char)t[i]))
            i++;
        a = i;
        while (i < len && fold_word_char((unsigned char)t[i]))
            i++;
        if (i == a)
            break;
        wl = i - a < WORD_MAX ? i - a : WORD_MAX;
        if (cap[a]) {
            size_t k = i - a > 2 && t[i - 2] == '\'' && t[i - 1] == 's' ? 2 : 0;

            cur[0] = 'N';
            memcpy(cur + 1, t + i - k, k);
            wl = 1 + k;
        } else {
            memcpy(cur, t + a, wl);
        }
        r = rev_feats_add(f, 'w', cur, wl, mask);
        if (r >= 0 && plen) {
            memcpy(gram, prev, plen);
            gram[plen] = ' ';
            memcpy(gram + plen + 1, cur, wl);
            r = rev_feats_add(f, 'b', gram, plen + 1 + wl, mask);
        }
        memcpy(prev, cur, wl);
        plen = wl;
    }
    return r;
}

/* Character n-grams (NGRAM_MIN..NGRAM_MAX characters) of the folded text. */
static int char_features(const char *t, size_t len, uint32_t mask, struct rev_feats *f)
{
    for (size_t i = 0; i < len; i++) {
        size_t end = i;

        if (((unsigned char)t[i] & 0xc0) == 0x80)
            continue;   /* not the first byte of a character */
        for (int n = 1; n <= NGRAM_MAX && end < len; n++) {
            int r;

            end++;
            while (end < len && ((unsigned char)t[end] & 0xc0) == 0x80)
                end++;
            if (n < NGRAM_MIN || end - i > GRAM_BYTES)
                continue;
            r = rev_feats_add(f, 'c', t + i, end - i, mask);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

int rev_model_features(const char *s, size_t len, unsigned bits, const struct rev_lex *lex,
                       struct rev_feats *f)
{
    unsigned char *cap;
    uint32_t mask;
    char *t;
    size_t tl;
    int r;

    if (bits < REV_MODEL_BITS_MIN || bits > REV_MODEL_BITS_MAX)
        return -EINVAL;
    mask = (1u << bits) - 1;
    if (len > REV_MODEL_TEXT_MAX) {
        len = REV_MODEL_TEXT_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
            len--;
    }
    t = malloc(2 * (len + 3));
    if (!t)
        return -ENOMEM;
    cap = (unsigned char *)t + len + 3;
    tl = fold(s, len, t, cap);
    rev_lex_unmark_names(lex, t, tl, cap);
    f->n = 0;
    r = word_features(t, tl, cap, mask, f);
    if (r >= 0)
        r = char_features(t, tl, mask, f);
    if (r >= 0)
        r = rev_lex_features(lex, t, tl, cap, mask, f);
    free(t);
    return r;
}

double rev_model_score_feats(const float *w, double bias, const struct rev_feats *f)
{
    double z = 0;

    for (size_t i = 0; i < f->n; i++)
        z += w[f->idx[i]];
    if (f->n)
        z /= sqrt((double)f->n);
    z += bias;
    return 1.0 / (1.0 + exp(-z));
}

int rev_model_score(const struct rev_model *m, enum rev_model_task task, const char *s,
                    size_t len, double *ret)
{
    struct rev_feats f;
    int r;

    rev_feats_init(&f);
    r = rev_model_features(s, len, m->bits, m->lex, &f);
    if (r >= 0)
        *ret = rev_model_score_feats(m->w[task], m->bias[task], &f);
    rev_feats_free(&f);
    return r;
}

const char *rev_model_task_name(enum rev_model_task task)
{
    return (unsigned)task < REV_MODEL_TASKS ? task_names[task] : "unknown";
}

int rev_model_task_parse(const char *s, enum rev_model_task *ret)
{
    for (int t = 0; t < REV_MODEL_TASKS; t++) {
        if (strcmp(s, task_names[t]) == 0) {
            *ret = (enum rev_model_task)t;
            return 0;
        }
    }
    return -EINVAL;
}

unsigned rev_model_bits(const struct rev_model *m)
{
    return m->bits;
}

const struct rev_lex *rev_model_lex(const struct rev_model *m)
{
    return m->lex;
}

double rev_model_threshold(const struct rev_model *m, enum rev_model_task task,
                           enum rev_model_lang lang)
{
    return m->threshold[task][lang];
}

void rev_model_destroy(struct rev_model **pm)
{
    struct rev_model *m = pm ? *pm : NULL;

    if (!m)
        return;
    for (int t = 0; t < REV_MODEL_TASKS; t++)
        free(m->w[t]);
    rev_lex_destroy(&m->lex);
    free(m);
    *pm = NULL;
}

/* ---- the weights file ---- */

struct parse {
    const char *path;
    unsigned line;
    char *err;
    size_t errsz;
    int task;                      /* the task being read, -1 before the first */
    unsigned long left;            /* weights still announced for it */
    long prev;                     /* last index written for it */
    double scale;
};

static int parse_fail(struct parse *p, const char *what)
{
    snprintf(p->err, p->errsz, "%s:%u: %s", p->path, p->line, what);
    return -EINVAL;
}

/* Read the word at *s (skipping blanks) and check it is `want`. */
static bool keyword(char **s, const char *want)
{
    size_t n = strlen(want);

    while (**s == ' ')
        (*s)++;
    if (strncmp(*s, want, n) != 0 || ((*s)[n] != ' ' && (*s)[n] != '\0'))
        return false;
    *s += n;
    return true;
}

/* An unsigned decimal at *s ending at the end of the string or at one of
 * the bytes of `ends`. */
static bool number_ul(char **s, unsigned long max, const char *ends, unsigned long *ret)
{
    char *end;
    unsigned long v;

    while (**s == ' ')
        (*s)++;
    if (**s < '0' || **s > '9')
        return false;
    errno = 0;
    v = strtoul(*s, &end, 10);
    if (errno || v > max || !strchr(ends, *end))
        return false;
    *s = end;
    *ret = v;
    return true;
}

static bool number_d(char **s, double *ret)
{
    char *end;
    double v;

    while (**s == ' ')
        (*s)++;
    errno = 0;
    v = strtod(*s, &end);
    if (end == *s || errno || !isfinite(v) || (*end != ' ' && *end != '\0'))
        return false;
    *s = end;
    *ret = v;
    return true;
}

/* "task NAME bias B threshold T_EN T_JA scale S weights N": start a task
 * section. */
static int parse_task(struct parse *p, struct rev_model *m, char *s)
{
    double th[REV_MODEL_LANGS];
    enum rev_model_task t;
    char *name;

    while (*s == ' ')
        s++;
    name = s;
    while (*s && *s != ' ')
        s++;
    if (*s)
        *s++ = '\0';
    if (rev_model_task_parse(name, &t) < 0)
        return parse_fail(p, "unknown task (blame or weak-action)");
    if (m->w[t])
        return parse_fail(p, "task given twice");
    if (!keyword(&s, "bias") || !number_d(&s, &m->bias[t]) || !keyword(&s, "threshold") ||
        !number_d(&s, &th[REV_MODEL_EN]) || !number_d(&s, &th[REV_MODEL_JA]) ||
        th[REV_MODEL_EN] < 0 || th[REV_MODEL_EN] > 1 || th[REV_MODEL_JA] < 0 ||
        th[REV_MODEL_JA] > 1 || !keyword(&s, "scale") || !number_d(&s, &p->scale) ||
        p->scale < 0 || !keyword(&s, "weights") || !number_ul(&s, 1ul << m->bits, "", &p->left))
        return parse_fail(p, "expected \"task NAME bias B threshold T_EN T_JA (0..1) "
                          "scale S weights N\"");
    memcpy(m->threshold[t], th, sizeof(th));
    m->w[t] = calloc((size_t)1 << m->bits, sizeof(float));
    if (!m->w[t])
        return -ENOMEM;
    p->task = (int)t;
    p->prev = -1;
    return 0;
}

/* A line of GAP:Q pairs of the current task. */
static int parse_weights(struct parse *p, struct rev_model *m, char *s)
{
    unsigned long max = (1ul << m->bits) - 1, gap, q;

    while (*s) {
        bool neg;

        if (p->task < 0 || p->left == 0)
            return parse_fail(p, "a weight outside a task, or more weights than announced");
        if (!number_ul(&s, max + 1, ":", &gap) || *s != ':' || gap == 0 ||
            (unsigned long)(p->prev + (long)gap) > max)
            return parse_fail(p, "expected GAP:Q with the index (previous + GAP) below 2^bits");
        s++;
        neg = *s == '-';
        s += neg;
        if (!number_ul(&s, QMAX, " ", &q) || q == 0)
            return parse_fail(p, "expected GAP:Q with Q a non-zero integer in [-127, 127]");
        p->prev += (long)gap;
        m->w[p->task][p->prev] = (float)((neg ? -(double)q : (double)q) * p->scale);
        p->left--;
        while (*s == ' ')
            s++;
    }
    return 0;
}

/* One line of the file. */
static int parse_line(struct parse *p, struct rev_model *m, char *s)
{
    unsigned long bits;
    char msg[256];
    int r;

    if (*s == '#' || *s == '\0')
        return 0;
    if (m->bits == 0) {
        if (keyword(&s, "inquest-lint-model") && !keyword(&s, FORMAT_VERSION))
            return parse_fail(p, "weights of another format version, made for other "
                              "features: retrain them (make lint-model)");
        if (!keyword(&s, "bits") || !number_ul(&s, REV_MODEL_BITS_MAX, "", &bits) ||
            bits < REV_MODEL_BITS_MIN)
            return parse_fail(p, "expected \"inquest-lint-model " FORMAT_VERSION
                              " bits N\" (N from 12 to 22)");
        m->bits = (unsigned)bits;
        return 0;
    }
    if (keyword(&s, "lexicon")) {
        if (p->task >= 0)
            return parse_fail(p, "\"lexicon\" lines come before the first task");
        if (!m->lex && !(m->lex = rev_lex_new()))
            return -ENOMEM;
        r = rev_lex_add_line(m->lex, s, msg, sizeof(msg));
        return r == -EINVAL ? parse_fail(p, msg) : r;
    }
    if (keyword(&s, "task")) {
        if (p->left)
            return parse_fail(p, "fewer weights than announced before the next task");
        return parse_task(p, m, s);
    }
    return parse_weights(p, m, s);
}

int rev_model_load(const char *path, struct rev_model **ret, char *err, size_t errsz)
{
    struct parse p = { .path = path, .err = err, .errsz = errsz, .task = -1 };
    struct rev_model *m = calloc(1, sizeof(*m));
    char *buf = NULL, *line;
    size_t len = 0;
    int r;

    if (!m)
        return -ENOMEM;
    r = rev_file_read(path, REV_MODEL_FILE_MAX, &buf, &len, err, errsz);
    for (line = buf; r >= 0 && line && *line;) {
        char *nl = strchr(line, '\n');

        if (nl)
            *nl = '\0';
        p.line++;
        r = parse_line(&p, m, line);
        line = nl ? nl + 1 : NULL;
    }
    if (r >= 0 && p.left)
        r = parse_fail(&p, "fewer weights than announced");
    for (int t = 0; r >= 0 && t < REV_MODEL_TASKS; t++) {
        if (!m->w[t]) {
            snprintf(err, errsz, "%s: no \"task %s\" section", path, task_names[t]);
            r = -EINVAL;
        }
    }
    free(buf);
    if (r < 0) {
        rev_model_destroy(&m);
        return r;
    }
    *ret = m;
    return 0;
}

/* The quantised value of w (0: not written). */
static long quantise(float w, double scale, double min_abs)
{
    if (fabs(w) < min_abs || scale <= 0)
        return 0;
    return lround(w / scale);
}

/* One task's section: header, then GAP:Q pairs. */
static void write_task(FILE *f, enum rev_model_task t, size_t nb, const float *w, double bias,
                       const double th[REV_MODEL_LANGS], double min_abs)
{
    double mx = 0, scale;
    size_t n = 0, k = 0;
    long prev = -1;

    for (size_t i = 0; i < nb; i++)
        mx = fabs(w[i]) > mx ? fabs(w[i]) : mx;
    scale = mx / QMAX;
    for (size_t i = 0; i < nb; i++)
        n += quantise(w[i], scale, min_abs) != 0;
    fprintf(f, "task %s bias %.6f threshold %.4f %.4f scale %.9g weights %zu\n", task_names[t],
            bias, th[REV_MODEL_EN], th[REV_MODEL_JA], scale, n);
    for (size_t i = 0; i < nb; i++) {
        long q = quantise(w[i], scale, min_abs);

        if (q == 0)
            continue;
        fprintf(f, "%ld:%ld%c", (long)i - prev, q, ++k % PAIRS_PER_LINE && k < n ? ' ' : '\n');
        prev = (long)i;
    }
}

int rev_model_write(const char *path, const char *comment, unsigned bits,
                    const struct rev_lex *lex, const float *const w[REV_MODEL_TASKS],
                    const double bias[REV_MODEL_TASKS],
                    const double threshold[REV_MODEL_TASKS][REV_MODEL_LANGS], double min_abs)
{
    char tmp[4096];
    FILE *f;
    int r = 0;

    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    f = fopen(tmp, "w");
    if (!f)
        return -errno;
    if (comment)
        fprintf(f, "%s", comment);
    fprintf(f, "inquest-lint-model " FORMAT_VERSION " bits %u\n", bits);
    r = rev_lex_write(lex, f, "lexicon");
    for (int t = 0; t < REV_MODEL_TASKS; t++)
        write_task(f, (enum rev_model_task)t, (size_t)1 << bits, w[t], bias[t], threshold[t],
                   min_abs);
    if (ferror(f))
        r = -EIO;
    if (fclose(f) != 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) != 0)
        r = -errno;
    if (r < 0)
        unlink(tmp);
    return r;
}

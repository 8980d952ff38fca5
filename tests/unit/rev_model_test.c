/* rev_model_test.c - unit tests for the lint model: review/rev_lex.c (the
 * lexicon and its directives), rev_lexfeat.c (class and structure
 * features), rev_model.c (features, the weights file) and rev_train.c (the
 * fit).
 *
 * Features are hashed, so a test asks whether the hash of one named
 * feature ("k" + "~careless") is among a text's features, built the way
 * rev_lexfeat.c builds it (class, 0x1f, context).  The lexicon here is a
 * small one of the test's own, so the tests do not move when the shipped
 * lexicon (schemas/lint/model.lexicon) grows. */
#include <errno.h>
#include <math.h>
#include <unistd.h>

#include "iq_test.h"
#include "rev_lex.h"
#include "rev_model.h"
#include "rev_train.h"

#define BITS 18

static const char *const test_lexicon[] = {
    "role engineer engineers sre contractor 担当者 エンジニア",
    "team team チーム",
    "name さん",
    "system redis check cache キャッシュミス",
    "neg not no nobody ない ではない",
    "careless careless 不注意",
    "cause caused 原因",
    "failed forgot 忘れ",
    "harm took_down",
    "%agents role team name system",
    "%negation neg",
    "%negatable careless cause failed",
    "%capitalised name",
};

static struct rev_lex *lexicon(void)
{
    struct rev_lex *lx = rev_lex_new();
    char err[256];

    assert_non_null(lx);
    for (size_t i = 0; i < sizeof(test_lexicon) / sizeof(*test_lexicon); i++)
        if (rev_lex_add_line(lx, test_lexicon[i], err, sizeof(err)) < 0)
            fail_msg("lexicon line %zu: %s", i, err);
    return lx;
}

/* Whether the features of text hold feature kind "a" 0x1f "b" (a class
 * feature as rev_lexfeat.c hashes it). */
static bool has(const struct rev_lex *lx, const char *text, char kind, const char *a,
                const char *b)
{
    struct rev_feats f, want;
    char buf[128];
    size_t al = strlen(a), bl = strlen(b);
    bool found = false;

    rev_feats_init(&f);
    rev_feats_init(&want);
    assert_int_equal(rev_model_features(text, strlen(text), BITS, lx, &f), 0);
    memcpy(buf, a, al);
    buf[al] = 0x1f;
    memcpy(buf + al + 1, b, bl);
    assert_int_equal(rev_feats_add(&want, kind, buf, al + 1 + bl, (1u << BITS) - 1), 0);
    for (size_t i = 0; i < f.n && !found; i++)
        found = f.idx[i] == want.idx[0];
    rev_feats_free(&f);
    rev_feats_free(&want);
    return found;
}

static void lexicon_lines(void **state)
{
    struct rev_lex *lx = lexicon(), *again = rev_lex_new();
    char err[256], *out1 = NULL, *out2 = NULL, line[1024];
    size_t n1 = 0, n2 = 0;
    FILE *f1 = open_memstream(&out1, &n1), *f2 = open_memstream(&out2, &n2);

    (void)state;
    assert_int_equal(rev_lex_size(lx), 25);
    /* written back (directives and '_' included) and read again: the same text */
    assert_int_equal(rev_lex_write(lx, f1, ""), 0);
    fclose(f1);
    assert_non_null(strstr(out1, "took_down"));
    assert_non_null(strstr(out1, "%negatable careless cause failed"));
    for (char *s = out1, *nl; (nl = strchr(s, '\n')); s = nl + 1) {
        snprintf(line, sizeof(line), "%.*s", (int)(nl - s), s);
        assert_int_equal(rev_lex_add_line(again, line, err, sizeof(err)), 0);
    }
    assert_int_equal(rev_lex_write(again, f2, ""), 0);
    fclose(f2);
    assert_string_equal(out1, out2);
    /* refused lines */
    assert_int_equal(rev_lex_add_line(lx, "%subjects role", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "unknown directive"));
    assert_int_equal(rev_lex_add_line(lx, "Role engineer", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "bad class name"));
    assert_int_equal(rev_lex_add_line(lx, "%capitalised role", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "one class"));
    free(out1);
    free(out2);
    rev_lex_destroy(&lx);
    rev_lex_destroy(&again);
    rev_lex_destroy(&lx);   /* NULL-safe */
}

static void negation_scope(void **state)
{
    struct rev_lex *lx = lexicon();

    (void)state;
    assert_true(has(lx, "The engineer was careless.", 'k', "careless", ""));
    assert_false(has(lx, "The engineer was careless.", 'k', "~careless", ""));
    assert_true(has(lx, "The engineer was not careless.", 'k', "~careless", ""));
    assert_false(has(lx, "The engineer was not careless.", 'k', "careless", ""));
    assert_true(has(lx, "Nobody forgot anything.", 'k', "~failed", ""));
    /* too far, or in another clause: not covered */
    assert_true(has(lx, "It was not the database, and the engineer forgot the step.", 'k',
                    "failed", ""));
    assert_true(has(lx, "Not one of the many, many engineers forgot it.", 'k', "failed", ""));
    /* Japanese: the negation follows */
    assert_true(has(lx, "担当者が不注意だったわけではない。", 'k', "~careless", ""));
    assert_true(has(lx, "担当者の不注意が原因だ。", 'k', "careless", ""));
    /* a class that is not %negatable keeps its name */
    assert_true(has(lx, "No engineer was careless.", 'k', "role", ""));
    rev_lex_destroy(&lx);
}

static void names_and_subjects(void **state)
{
    struct rev_lex *lx = lexicon();

    (void)state;
    assert_true(has(lx, "The outage was caused by Priya.", 'k', "name", ""));
    assert_true(has(lx, "The outage was caused by Priya.", 'o', "cause", "name"));
    /* a capitalised word the lexicon knows is not a name */
    assert_false(has(lx, "The outage was caused by Redis.", 'k', "name", ""));
    assert_true(has(lx, "The outage was caused by Redis.", 'k', "system", ""));
    /* the first word of a sentence is not a name, unless possessive */
    assert_false(has(lx, "Caused by memory pressure.", 'k', "name", ""));
    assert_true(has(lx, "Nina's deploy took down search.", 'k', "name", ""));
    assert_true(has(lx, "Nina's deploy took down search.", 'k', "harm", ""));
    /* subjects: the first agent; in Japanese the one a particle follows */
    assert_true(has(lx, "The engineer forgot the check.", 's', "role", ""));
    assert_true(has(lx, "The engineer forgot the check.", 's', "role", "failed"));
    assert_true(has(lx, "The check forgot its lease.", 's', "system", "failed"));
    assert_true(has(lx, "キャッシュミスの後、田中さんが忘れた。", 's', "name", ""));
    assert_true(has(lx, "The team forgot.", 'q', "team", "failed"));
    rev_lex_destroy(&lx);
}

static void features_without_lexicon(void **state)
{
    struct rev_feats f;

    (void)state;
    rev_feats_init(&f);
    assert_int_equal(rev_model_features("ab", 2, BITS, NULL, &f), 0);
    /* words "ab"; characters " a", "ab", "b ", " ab", "ab ", " ab " */
    assert_int_equal(f.n, 7);
    assert_int_equal(rev_model_features("ab", 2, REV_MODEL_BITS_MAX + 1, NULL, &f), -EINVAL);
    rev_feats_free(&f);
}

/* Write a weights file into a temporary directory; returns its path. */
static void write_file(char *path, size_t size, const char *text)
{
    char tmpl[] = "/tmp/rev-model-XXXXXX";
    int fd = mkstemp(tmpl);
    FILE *f;

    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    snprintf(path, size, "%s", tmpl);
}

static int load_text(const char *text, char *err, size_t errsz)
{
    struct rev_model *m = NULL;
    char path[64];
    int r;

    write_file(path, sizeof(path), text);
    r = rev_model_load(path, &m, err, errsz);
    unlink(path);
    rev_model_destroy(&m);
    return r;
}

static void weights_file_errors(void **state)
{
    char err[512];

    (void)state;
    assert_int_equal(load_text("inquest-lint-model 2 bits 12\n", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, ":1: weights of another format version"));
    assert_int_equal(load_text("inquest-lint-model 3 bits 30\n", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "N from 12 to 22"));
    assert_int_equal(load_text("inquest-lint-model 3 bits 12\n"
                               "task blame bias 0 threshold 0.5 scale 1 weights 0\n", err,
                               sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, ":2: expected \"task NAME bias B threshold T_EN T_JA"));
    assert_int_equal(load_text("inquest-lint-model 3 bits 12\n"
                               "task blame bias 0 threshold 0.5 1.5 scale 1 weights 0\n", err,
                               sizeof(err)), -EINVAL);
    assert_int_equal(load_text("inquest-lint-model 3 bits 12\n"
                               "task blame bias 0 threshold 0.5 0.6 scale 1 weights 0\n", err,
                               sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "no \"task weak-action\" section"));
    assert_int_equal(load_text("inquest-lint-model 3 bits 12\n"
                               "task blame bias 0 threshold 0.5 0.6 scale 1 weights 1\n"
                               "1:3 2:4\n", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, ":3: a weight outside a task, or more weights"));
    assert_int_equal(load_text("inquest-lint-model 3 bits 12\n"
                               "lexicon %bogus role\n", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, ":2: unknown directive"));
}

static void weights_round_trip(void **state)
{
    size_t nb = (size_t)1 << 12;
    float *w[REV_MODEL_TASKS];
    const double bias[REV_MODEL_TASKS] = { -0.5, 0.25 };
    const double th[REV_MODEL_TASKS][REV_MODEL_LANGS] = { { 0.61, 0.56 }, { 0.4, 0.45 } };
    struct rev_lex *lx = lexicon();
    struct rev_model *m = NULL;
    struct rev_feats f;
    char path[64], err[512];
    double got, want, scale = 2.0 / 127;

    (void)state;
    for (int t = 0; t < REV_MODEL_TASKS; t++) {
        w[t] = calloc(nb, sizeof(float));
        assert_non_null(w[t]);
        for (size_t i = 0; i < nb; i += 7)
            w[t][i] = (float)((double)((i * 37 + (size_t)t) % 255) / 127.0 - 1.0);
        w[t][5] = 2.0f;   /* the largest: the scale is 2/127 */
    }
    write_file(path, sizeof(path), "");
    assert_int_equal(rev_model_write(path, "# test\n", 12, lx, (const float *const *)w, bias,
                                     th, 0), 0);
    assert_int_equal(rev_model_load(path, &m, err, sizeof(err)), 0);
    assert_int_equal(rev_model_bits(m), 12);
    assert_true(fabs(rev_model_threshold(m, REV_MODEL_BLAME, REV_MODEL_EN) - 0.61) < 1e-9);
    assert_true(fabs(rev_model_threshold(m, REV_MODEL_BLAME, REV_MODEL_JA) - 0.56) < 1e-9);
    assert_true(fabs(rev_model_threshold(m, REV_MODEL_WEAK, REV_MODEL_JA) - 0.45) < 1e-9);
    assert_int_equal(rev_lex_size(rev_model_lex(m)), rev_lex_size(lx));
    /* the loaded model scores as the written weights did, to the quantisation */
    rev_feats_init(&f);
    assert_int_equal(rev_model_features("The engineer was not careless.", 30, 12, lx, &f), 0);
    want = rev_model_score_feats(w[REV_MODEL_BLAME], bias[REV_MODEL_BLAME], &f);
    assert_int_equal(rev_model_score(m, REV_MODEL_BLAME, "The engineer was not careless.", 30,
                                     &got), 0);
    assert_true(fabs(got - want) < scale);
    rev_feats_free(&f);
    unlink(path);
    rev_model_destroy(&m);
    rev_model_destroy(&m);   /* NULL-safe */
    rev_lex_destroy(&lx);
    for (int t = 0; t < REV_MODEL_TASKS; t++)
        free(w[t]);
}

/* Toy examples: feature 1 in every positive, feature 2 in every negative,
 * feature 3 everywhere. */
static void toy(struct rev_train_example *ex, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rev_feats_init(&ex[i].f);
        ex[i].y = i % 3 == 0;
        ex[i].skip = false;
        assert_int_equal(rev_feats_add(&ex[i].f, 'w', ex[i].y ? "pos" : "neg", 3, 0xfff), 0);
        assert_int_equal(rev_feats_add(&ex[i].f, 'w', "all", 3, 0xfff), 0);
    }
}

static void fit_is_deterministic(void **state)
{
    struct rev_train_example ex[60];
    struct rev_train_params p = { .bits = 12, .epochs = 5, .rate = 0.5, .l2 = 1e-3,
                                  .min_df = 3, .seed = 16 };
    float *w1 = calloc(4096, sizeof(float)), *w2 = calloc(4096, sizeof(float));
    struct rev_feats pos;
    double b1 = 0, b2 = 0;

    (void)state;
    assert_non_null(w1);
    assert_non_null(w2);
    toy(ex, 60);
    assert_int_equal(rev_train_fit(ex, 60, &p, w1, &b1), 0);
    assert_int_equal(rev_train_fit(ex, 60, &p, w2, &b2), 0);
    assert_memory_equal(w1, w2, 4096 * sizeof(float));
    assert_true(b1 == b2);
    /* it learnt the toy problem */
    rev_feats_init(&pos);
    assert_int_equal(rev_feats_add(&pos, 'w', "pos", 3, 0xfff), 0);
    assert_true(w1[pos.idx[0]] > 0);
    assert_true(rev_model_score_feats(w1, b1, &ex[0].f) > 0.5);
    assert_true(rev_model_score_feats(w1, b1, &ex[1].f) < 0.5);
    /* one class only: refused */
    for (size_t i = 0; i < 60; i++)
        ex[i].skip = ex[i].y;
    assert_int_equal(rev_train_fit(ex, 60, &p, w1, &b1), -EINVAL);
    rev_feats_free(&pos);
    for (size_t i = 0; i < 60; i++)
        rev_feats_free(&ex[i].f);
    free(w1);
    free(w2);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(lexicon_lines),
    cmocka_unit_test(negation_scope),
    cmocka_unit_test(names_and_subjects),
    cmocka_unit_test(features_without_lexicon),
    cmocka_unit_test(weights_file_errors),
    cmocka_unit_test(weights_round_trip),
    cmocka_unit_test(fit_is_deterministic),
};

TEST_MAIN(tests)

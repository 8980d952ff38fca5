/* rev_corpus_test.c - score the lint rules on the labelled set
 * tests/data/lint/labelled.tsv and fail below 0.9.
 *
 * Every row is linted through the real path (Markdown parsing, masking,
 * language detection, rules): a sentence as a one-paragraph document, an
 * action item as a list item under an "Action items" heading.  The test
 * prints precision and recall per language and category - blame,
 * weak-action, and every strength and type label - and lists the rows it
 * got wrong, so a rule change shows its effect in the log. */
#include "rev_file.h"
#include "rev_test.h"

#define MIN_PRECISION 0.9
#define MIN_RECALL    0.9
#define MIN_SENTENCES 60
#define MIN_ACTIONS   40

struct score {
    const char *lang;
    char name[40];
    unsigned tp, fp, fn;
};

struct tally {
    struct score s[64];
    size_t n;
    unsigned sentences[2], actions[2];
};

static struct score *score_of(struct tally *t, const char *lang, const char *cat, const char *label)
{
    char name[40];

    snprintf(name, sizeof(name), "%s%s%s", cat, label ? ":" : "", label ? label : "");
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->s[i].lang, lang) == 0 && strcmp(t->s[i].name, name) == 0)
            return &t->s[i];
    assert_true(t->n < sizeof(t->s) / sizeof(t->s[0]));
    t->s[t->n].lang = lang;
    memcpy(t->s[t->n].name, name, sizeof(name));
    return &t->s[t->n++];
}

/* Count one binary decision. */
static void count(struct tally *t, const char *lang, const char *cat, const char *label,
                  bool expected, bool predicted)
{
    struct score *s = score_of(t, lang, cat, label);

    s->tp += expected && predicted;
    s->fp += !expected && predicted;
    s->fn += expected && !predicted;
}

/* Count a multi-class decision as one binary decision per class. */
static void count_class(struct tally *t, const char *lang, const char *cat, const char *expected,
                        const char *predicted)
{
    count(t, lang, cat, expected, true, strcmp(expected, predicted) == 0);
    if (strcmp(expected, predicted) != 0)
        count(t, lang, cat, predicted, false, true);
}

static void sentence_row(struct tally *t, const char *lang, const char *expected, const char *text)
{
    struct rev_result *res = rev_test_lint(text, REV_LANG_AUTO);
    bool want = strcmp(expected, "blame") == 0;
    bool got = rev_test_count(res, REV_CAT_BLAME, NULL) > 0;

    count(t, lang, "blame", NULL, want, got);
    if (want != got)
        printf("  MISS %s sentence: expected %s, got %s: %s\n", lang, expected,
               got ? "blame" : "ok", text);
    t->sentences[strcmp(lang, "ja") == 0]++;
    rev_result_destroy(&res);
}

/* Split "weak/tool/detect" into three fields of at most 15 bytes. */
static int split3(const char *s, char f[3][16])
{
    for (int k = 0; k < 3; k++) {
        size_t n = strcspn(s, "/");

        if (n == 0 || n >= 16 || (k < 2 && s[n] != '/'))
            return -1;
        memcpy(f[k], s, n);
        f[k][n] = '\0';
        s += n + (k < 2);
    }
    return *s ? -1 : 0;
}

static void action_row(struct tally *t, const char *lang, const char *expected, const char *text)
{
    char md[2048], f[3][16];
    const char *want_weak = f[0], *want_str = f[1], *want_type = f[2];
    struct rev_result *res;
    const struct rev_action *a;
    const char *got_str, *got_type;

    snprintf(md, sizeof(md), "## %s\n\n- %s\n",
             strcmp(lang, "ja") ? "Action items" : "アクションアイテム", text);
    if (split3(expected, f) < 0)
        fail_msg("bad label \"%s\" for: %s", expected, text);
    res = rev_test_lint(md, REV_LANG_AUTO);
    assert_int_equal(rev_result_nactions(res), 1);
    a = rev_result_action(res, 0);
    got_str = rev_strength_name(a->strength);
    got_type = rev_type_name(a->type);
    count(t, lang, "weak-action", NULL, strcmp(want_weak, "weak") == 0, a->weak);
    count_class(t, lang, "strength", want_str, got_str);
    count_class(t, lang, "type", want_type, got_type);
    if ((strcmp(want_weak, "weak") == 0) != a->weak || strcmp(want_str, got_str) ||
        strcmp(want_type, got_type))
        printf("  MISS %s action: expected %s, got %s/%s/%s: %s\n", lang, expected,
               a->weak ? "weak" : "ok", got_str, got_type, text);
    t->actions[strcmp(lang, "ja") == 0]++;
    rev_result_destroy(&res);
}

/* Parse one TSV line in place and score it. */
static void score_line(struct tally *t, char *line)
{
    char *field[4];
    size_t n = 0;

    if (line[0] == '#' || line[0] == '\0')
        return;
    for (char *p = line; n < 4; n++) {
        field[n] = p;
        p = n < 3 ? strchr(p, '\t') : NULL;
        if (n < 3 && !p)
            fail_msg("labelled.tsv: expected 4 tab-separated fields: %s", line);
        if (p)
            *p++ = '\0';
    }
    if (strcmp(field[0], "en") && strcmp(field[0], "ja"))
        fail_msg("labelled.tsv: bad language \"%s\"", field[0]);
    field[0] = strcmp(field[0], "en") == 0 ? "en" : "ja";
    if (strcmp(field[1], "sentence") == 0)
        sentence_row(t, field[0], field[2], field[3]);
    else if (strcmp(field[1], "action") == 0)
        action_row(t, field[0], field[2], field[3]);
    else
        fail_msg("labelled.tsv: bad kind \"%s\"", field[1]);
}

/* Print the table; returns the number of figures below the bar. */
static int report(const struct tally *t)
{
    int low = 0;

    printf("%-22s %-4s %7s %4s %4s %4s %9s %7s\n", "category", "lang", "support", "tp", "fp", "fn",
           "precision", "recall");
    for (size_t i = 0; i < t->n; i++) {
        const struct score *s = &t->s[i];
        double p = s->tp + s->fp ? (double)s->tp / (s->tp + s->fp) : 1.0;
        double r = s->tp + s->fn ? (double)s->tp / (s->tp + s->fn) : 1.0;
        bool bad = p < MIN_PRECISION || r < MIN_RECALL;

        printf("%-22s %-4s %7u %4u %4u %4u %9.3f %7.3f%s\n", s->name, s->lang, s->tp + s->fn,
               s->tp, s->fp, s->fn, p, r, bad ? "  << below 0.9" : "");
        low += bad;
    }
    return low;
}

static void labelled_set(void **state)
{
    char path[4096], err[512], *buf = NULL, *line;
    struct tally t = { .n = 0 };
    size_t len = 0;

    (void)state;
    rev_test_path(path, sizeof(path), REV_TEST_DATA "/labelled.tsv");
    if (rev_file_read(path, 1024 * 1024, &buf, &len, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    for (line = buf; line && *line;) {
        char *nl = strchr(line, '\n');

        if (nl)
            *nl = '\0';
        score_line(&t, line);
        line = nl ? nl + 1 : NULL;
    }
    free(buf);
    printf("labelled set: en %u sentences, %u action items; ja %u sentences, %u action items\n",
           t.sentences[0], t.actions[0], t.sentences[1], t.actions[1]);
    assert_true(t.sentences[0] >= MIN_SENTENCES && t.sentences[1] >= MIN_SENTENCES);
    assert_true(t.actions[0] >= MIN_ACTIONS && t.actions[1] >= MIN_ACTIONS);
    assert_int_equal(report(&t), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_teardown(labelled_set, rev_test_teardown),
};

TEST_MAIN(tests)

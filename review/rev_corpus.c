/* rev_corpus.c - read the labelled lint corpus and judge its rows through
 * the real lint path (see rev_corpus.h for why this is one module).
 *
 * The file is read whole (bounded by REV_CORPUS_FILE_MAX) and split in
 * place: rows borrow their strings from the buffer the corpus keeps.  Every
 * field is checked, so a typo in a label stops the trainer and the test
 * with the file and line instead of silently counting as a negative.
 *
 * Judging a row builds the same Markdown a draft would hold and runs
 * rev_lint_doc on it; the verdict separates pattern rules from the model so
 * that the trainer can calibrate the model on what the rules leave. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_buf.h"
#include "rev_corpus.h"
#include "rev_file.h"

struct rev_corpus {
    char *buf;
    struct rev_corpus_row *rows;
    size_t n, cap;
};

void rev_corpus_destroy(struct rev_corpus **pc)
{
    struct rev_corpus *c = pc ? *pc : NULL;

    if (!c)
        return;
    free(c->buf);
    free(c->rows);
    free(c);
    *pc = NULL;
}

size_t rev_corpus_count(const struct rev_corpus *c)
{
    return c->n;
}

const struct rev_corpus_row *rev_corpus_row(const struct rev_corpus *c, size_t i)
{
    return i < c->n ? &c->rows[i] : NULL;
}

/* Check the fields of one split line and fill row.  0 or a message. */
static const char *parse_fields(char *f[6], struct rev_corpus_row *row)
{
    if (strcmp(f[1], "en") == 0)
        row->lang = REV_LANG_EN;
    else if (strcmp(f[1], "ja") == 0)
        row->lang = REV_LANG_JA;
    else
        return "lang must be en or ja";
    if (strcmp(f[2], "sentence") == 0) {
        row->kind = REV_ROW_SENTENCE;
        if (strcmp(f[3], "blame") && strcmp(f[3], "ok"))
            return "a sentence's label must be blame or ok";
        row->positive = strcmp(f[3], "blame") == 0;
    } else if (strcmp(f[2], "action") == 0) {
        row->kind = REV_ROW_ACTION;
        if (strcmp(f[3], "weak") && strcmp(f[3], "strong"))
            return "an action item's label must be weak or strong";
        row->positive = strcmp(f[3], "weak") == 0;
    } else {
        return "kind must be sentence or action";
    }
    if (!*f[0] || !*f[4] || !*f[5])
        return "id, category and text must not be empty";
    if (strlen(f[5]) > REV_CORPUS_TEXT_MAX)
        return "text longer than 2000 bytes";
    row->id = f[0];
    row->category = f[4];
    row->text = f[5];
    return NULL;
}

/* Split line into 6 tab-separated fields and append the row. */
static int add_line(struct rev_corpus *c, char *line, unsigned lineno, const char *path,
                    char *err, size_t errsz)
{
    struct rev_corpus_row row = { .line = lineno }, *nr;
    const char *msg = NULL;
    char *f[6], *p = line;
    size_t k;

    for (k = 0; k < 6 && p; k++) {
        f[k] = p;
        p = strchr(p, '\t');
        if (p)
            *p++ = '\0';
    }
    if (k < 6 || p)
        msg = "expected 6 tab-separated fields: id, lang, kind, label, category, text";
    if (!msg)
        msg = parse_fields(f, &row);
    if (msg) {
        snprintf(err, errsz, "%s:%u: %s", path, lineno, msg);
        return -EINVAL;
    }
    if (!(nr = iq_array_grow(c->rows, c->n, &c->cap, sizeof(*nr), 256)))
        return -ENOMEM;
    c->rows = nr;
    c->rows[c->n++] = row;
    return 0;
}

int rev_corpus_load(const char *path, struct rev_corpus **ret, char *err, size_t errsz)
{
    struct rev_corpus *c = calloc(1, sizeof(*c));
    unsigned lineno = 0;
    size_t len = 0;
    char *line;
    int r;

    if (!c)
        return -ENOMEM;
    r = rev_file_read(path, REV_CORPUS_FILE_MAX, &c->buf, &len, err, errsz);
    for (line = c->buf; r >= 0 && line && *line;) {
        char *nl = strchr(line, '\n');

        if (nl)
            *nl = '\0';
        lineno++;
        if (nl && nl > line && nl[-1] == '\r')
            nl[-1] = '\0';
        if (*line && *line != '#')
            r = add_line(c, line, lineno, path, err, errsz);
        line = nl ? nl + 1 : NULL;
    }
    if (r >= 0 && c->n == 0) {
        snprintf(err, errsz, "%s: no rows", path);
        r = -EINVAL;
    }
    if (r < 0) {
        rev_corpus_destroy(&c);
        return r;
    }
    *ret = c;
    return 0;
}

/* The Markdown a row stands for.  Caller owns; NULL on OOM. */
static char *row_markdown(const struct rev_corpus_row *row, size_t *ret_len)
{
    const char *head = row->lang == REV_LANG_JA ? "## アクションアイテム\n\n- "
                                                : "## Action items\n\n- ";
    size_t hl = row->kind == REV_ROW_ACTION ? strlen(head) : 0, tl = strlen(row->text);
    char *md = malloc(hl + tl + 2);

    if (!md)
        return NULL;
    memcpy(md, head, hl);
    memcpy(md + hl, row->text, tl);
    md[hl + tl] = '\n';
    md[hl + tl + 1] = '\0';
    *ret_len = hl + tl + 1;
    return md;
}

static int parse_row(const struct rev_corpus_row *row, struct rev_doc **ret, char *err,
                     size_t errsz)
{
    size_t len = 0;
    char *md = row_markdown(row, &len);
    int r;

    if (!md)
        return -ENOMEM;
    r = rev_doc_parse(row->id, md, len, ret, err, errsz);
    free(md);
    return r;
}

/* Fill v from the findings (sentences) or the action item (actions). */
static void verdict_of(const struct rev_corpus_row *row, const struct rev_result *res,
                       struct rev_verdict *v)
{
    enum rev_cat cat = row->kind == REV_ROW_SENTENCE ? REV_CAT_BLAME : REV_CAT_WEAK;
    const struct rev_action *a = rev_result_action(res, 0);

    for (size_t i = 0; i < rev_result_nfindings(res); i++) {
        const struct rev_finding *f = rev_result_finding(res, i);

        if (f->rule->cat != cat)
            continue;
        if (f->rule->model) {
            v->model = true;
            v->score = f->score > v->score ? f->score : v->score;
        } else {
            v->rule = true;
        }
    }
    if (row->kind == REV_ROW_ACTION && a) {
        v->strong = a->strength != REV_STR_UNKNOWN && a->strength < REV_STR_RULE;
        v->score = a->weak_score;
    }
}

int rev_corpus_judge(const struct rev_corpus_row *row, const struct rev_rules *rules,
                     const struct rev_lint_opts *opts, struct rev_verdict *ret,
                     char *err, size_t errsz)
{
    struct rev_lint_opts o = *opts;
    struct rev_verdict v = { .score = -1 };
    struct rev_result *res = NULL;
    struct rev_doc *doc = NULL;
    int r;

    o.lang = REV_LANG_AUTO;
    r = parse_row(row, &doc, err, errsz);
    if (r >= 0)
        r = rev_lint_doc(doc, rules, &o, &res, err, errsz);
    if (r >= 0 && row->kind == REV_ROW_ACTION && rev_result_nactions(res) != 1) {
        snprintf(err, errsz, "%s: %s: the item is not read as one action item", row->id,
                 row->text);
        r = -EINVAL;
    }
    if (r >= 0) {
        verdict_of(row, res, &v);
        *ret = v;
    }
    rev_result_destroy(&res);
    rev_doc_destroy(&doc);
    return r;
}

/* rev_doc_units callback: append a unit's masked text to the iq_buf ud,
 * space-separated. */
static int join_unit(const struct rev_text *t, void *ud)
{
    struct iq_buf *j = ud;
    int r = 0;

    if (j->len)
        r = iq_buf_addc(j, ' ');
    if (r == 0)
        r = iq_buf_add(j, t->s, t->len);
    return r == -ENOBUFS ? -ENOMEM : r;
}

int rev_corpus_model_text(const struct rev_corpus_row *row, const struct rev_rules *rules,
                          char **ret, size_t *ret_len, char *err, size_t errsz)
{
    struct iq_buf j;
    struct rev_doc *doc = NULL;
    char *text = NULL;
    int r;

    iq_buf_init(&j, SIZE_MAX / 2);   /* the row's text is bounded already */
    if (row->kind == REV_ROW_ACTION) {
        r = iq_buf_adds(&j, row->text) == 0 ? 0 : -ENOMEM;
    } else {
        r = parse_row(row, &doc, err, errsz);
        if (r >= 0)
            r = rev_doc_sections(doc, rules);
        if (r >= 0)
            r = rev_doc_units(doc, join_unit, &j);
    }
    rev_doc_destroy(&doc);
    if (r >= 0 && !(text = iq_buf_take(&j, ret_len)))
        r = -ENOMEM;
    iq_buf_free(&j);
    if (r < 0) {
        if (r == -ENOMEM)
            snprintf(err, errsz, "out of memory");
        return r;
    }
    *ret = text;
    return 0;
}

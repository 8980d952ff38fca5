/* rev_result.c - the result of linting one document, and the helpers
 * that both lint passes share.
 *
 * The blame and structure passes (rev_lint.c) and the action-item pass
 * (rev_action.c) add findings and action items to one struct rev_result;
 * rev_lint.c sorts it at the end and the report (rev_report.c) reads it.
 * This file also holds what the passes share besides the result: folding
 * an excerpt to one bounded line (rev_fold), the language of a sentence
 * from its characters (rev_detect_lang) and the model threshold in effect
 * for a task (rev_lint_threshold).  Keeping them here, below both passes,
 * means rev_lint.c uses rev_action.c and never the other way round (make
 * check-layers).
 *
 * Design notes:
 *  - The result owns copies of everything it shows (excerpts, item text,
 *    owners, due dates) and borrows only the rules, so the document can be
 *    freed right after linting.
 *  - Findings past the per-document cap are dropped and the result says
 *    "truncated"; rev_result_sort orders them by position and rule id so
 *    the output does not depend on the order the passes ran in.
 *  Contracts are in rev_lint.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rev_action.h"
#include "iq_buf.h"
#include "rev_lint.h"

/* ---- the result ---- */

struct rev_result {
    char *name;
    enum rev_lang lang;
    bool truncated;
    size_t max;
    struct rev_finding *f;
    size_t nf, capf;
    struct rev_action *a;
    size_t na, capa;
};

struct rev_result *rev_result_new(const char *name, size_t max_findings)
{
    struct rev_result *res = calloc(1, sizeof(*res));

    if (!res)
        return NULL;
    res->name = strdup(name);
    if (!res->name) {
        free(res);
        return NULL;
    }
    res->max = max_findings ? max_findings : REV_FINDINGS_MAX;
    res->lang = REV_LANG_EN;
    return res;
}

static void action_free(struct rev_action *a)
{
    free(a->text);
    free(a->owner);
    free(a->due);
    free(a->ticket);
    a->text = a->owner = a->due = a->ticket = NULL;
}

void rev_result_destroy(struct rev_result **pres)
{
    struct rev_result *res = pres ? *pres : NULL;

    if (!res)
        return;
    for (size_t i = 0; i < res->nf; i++)
        free(res->f[i].excerpt);
    for (size_t i = 0; i < res->na; i++)
        action_free(&res->a[i]);
    free(res->f);
    free(res->a);
    free(res->name);
    free(res);
    *pres = NULL;
}

void rev_result_set_lang(struct rev_result *res, enum rev_lang lang)
{
    res->lang = lang;
}

const char *rev_result_name(const struct rev_result *res)
{
    return res->name;
}

enum rev_lang rev_result_lang(const struct rev_result *res)
{
    return res->lang;
}

bool rev_result_truncated(const struct rev_result *res)
{
    return res->truncated;
}

size_t rev_result_nfindings(const struct rev_result *res)
{
    return res->nf;
}

const struct rev_finding *rev_result_finding(const struct rev_result *res, size_t i)
{
    return i < res->nf ? &res->f[i] : NULL;
}

size_t rev_result_nactions(const struct rev_result *res)
{
    return res->na;
}

const struct rev_action *rev_result_action(const struct rev_result *res, size_t i)
{
    return i < res->na ? &res->a[i] : NULL;
}

enum rev_severity rev_finding_severity(const struct rev_finding *f)
{
    return f->rule->cat == REV_CAT_BLAME ? REV_SEV_ERROR : REV_SEV_WARNING;
}

const char *rev_severity_name(enum rev_severity sev)
{
    return sev == REV_SEV_ERROR ? "error" : "warning";
}

size_t rev_result_count(const struct rev_result *res, enum rev_severity sev)
{
    size_t n = 0;

    for (size_t i = 0; i < res->nf; i++)
        n += rev_finding_severity(&res->f[i]) == sev;
    return n;
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

char *rev_fold(const char *s, size_t len, size_t max)
{
    char *out = malloc((len < max ? len : max) + 4);
    size_t o = 0, i = 0;
    bool cut = false;

    if (!out)
        return NULL;
    while (i < len && is_ws((unsigned char)s[i]))
        i++;
    for (; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (is_ws(c) && (o == 0 || out[o - 1] == ' '))
            continue;
        if (o >= max) {
            cut = true;
            break;
        }
        out[o++] = is_ws(c) ? ' ' : (char)c;
    }
    if (cut && ((unsigned char)s[i] & 0xc0) == 0x80) {
        /* The cut falls inside a character: drop its first bytes too. */
        while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
            o--;
        if (o > 0)
            o--;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    if (cut) {
        memcpy(out + o, "\xe2\x80\xa6", 3);   /* … */
        o += 3;
    }
    out[o] = '\0';
    return out;
}

int rev_result_add_finding(struct rev_result *res, const struct rev_rule *rule,
                           enum rev_lang lang, unsigned line, unsigned col,
                           const char *excerpt, size_t len)
{
    return rev_result_add_scored(res, rule, lang, line, col, excerpt, len, -1);
}

int rev_result_add_scored(struct rev_result *res, const struct rev_rule *rule,
                          enum rev_lang lang, unsigned line, unsigned col,
                          const char *excerpt, size_t len, double score)
{
    struct rev_finding *f;

    for (size_t i = 0; i < res->nf; i++)
        if (res->f[i].rule == rule && res->f[i].line == line && res->f[i].col == col)
            return 0;
    if (res->nf >= res->max) {
        res->truncated = true;
        return 0;
    }
    if (!(f = iq_array_grow(res->f, res->nf, &res->capf, sizeof(*f), 16)))
        return -ENOMEM;
    res->f = f;
    f = &res->f[res->nf];
    f->excerpt = rev_fold(excerpt, len, REV_EXCERPT_MAX);
    if (!f->excerpt)
        return -ENOMEM;
    f->line = line;
    f->col = col;
    f->rule = rule;
    f->lang = lang;
    f->score = score;
    res->nf++;
    return 0;
}

int rev_result_add_action(struct rev_result *res, struct rev_action *a)
{
    struct rev_action *na = iq_array_grow(res->a, res->na, &res->capa, sizeof(*na), 8);

    if (!na) {
        action_free(a);
        return -ENOMEM;
    }
    res->a = na;
    res->a[res->na++] = *a;
    a->text = a->owner = a->due = a->ticket = NULL;
    return 0;
}

static int cmp_finding(const void *pa, const void *pb)
{
    const struct rev_finding *a = pa, *b = pb;

    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->col != b->col)
        return a->col < b->col ? -1 : 1;
    return strcmp(a->rule->id, b->rule->id);
}

void rev_result_sort(struct rev_result *res)
{
    if (res->nf > 1)
        qsort(res->f, res->nf, sizeof(*res->f), cmp_finding);
}

/* Decode the code point at s[*i] (valid UTF-8 assumed) and advance *i. */
static unsigned next_cp(const unsigned char *s, size_t len, size_t *i)
{
    unsigned c = s[*i], cp, n;

    if (c < 0x80) {
        (*i)++;
        return c;
    }
    n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
    cp = c & (0x3f >> n);
    for (unsigned k = 1; k <= n && *i + k < len; k++)
        cp = (cp << 6) | (s[*i + k] & 0x3f);
    *i += n + 1;
    return cp;
}

enum rev_lang rev_detect_lang(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned cp = next_cp((const unsigned char *)s, len, &i);

        if ((cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
            (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xff66 && cp <= 0xff9f) ||
            (cp >= 0x31f0 && cp <= 0x31ff))
            return REV_LANG_JA;
    }
    return REV_LANG_EN;
}

/* ---- shared by the passes ---- */

double rev_lint_threshold(const struct rev_rules *rules, const struct rev_lint_opts *opts,
                          enum rev_model_task task, enum rev_lang lang)
{
    if (opts->no_model || !rev_rules_model(rules))
        return 2.0;
    return opts->threshold[task] > 0 ? opts->threshold[task]
                                     : rev_rules_model_threshold(rules, task, lang);
}

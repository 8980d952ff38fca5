/* rev_lint.c - the lint passes over one document.
 *
 * Three passes, all driven by the rule set:
 *  1. Blame: every unit of judged prose (heading, paragraph, list item,
 *     table cell; masked so quotes and code do not count) is split into
 *     sentences, each sentence gets a language (forced by --lang, else
 *     detected from its characters), and every "blame" rule of that
 *     language runs on it.  A rule fires at most once per sentence.
 *  2. Action items (rev_action.c): classification, weak actions, owners and
 *     due dates.
 *  3. Structure: the document-level checks behind the final review
 *     checklist - sections present, impact quantified, a dated follow-up,
 *     every checklist box ticked, action items listed.
 *
 * Design notes:
 *  - Sentences end at ". ", "! ", "? " (not after "e.g." and friends) and
 *    at 。！？; rules see one sentence at a time, so an exception pattern
 *    ("unless") only ever excuses the sentence it appears in.
 *  - The document language (for messages of document-level findings) is
 *    the language of the majority of its judged lines.
 *  - The result (rev_result.c) owns copies of everything it shows
 *    (excerpts, item text, owners, due dates) and borrows only the rules,
 *    so the document can be freed right after linting.  Findings are capped per document (past
 *    the cap they are dropped and the result says "truncated") and sorted
 *    by position and rule id, so the output does not depend on the order
 *    the passes ran in; the golden tests rely on that. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rev_action.h"
#include "rev_lint.h"

/* ---- the passes (the result they fill is in rev_result.c) ---- */

struct ctx {
    const struct rev_doc *doc;
    const struct rev_rules *rules;
    const struct rev_lint_opts *opts;
    enum rev_lang force;
    struct rev_result *res;
    char *err;
    size_t errsz;
};

/* Does the '.' at s[dot] end an abbreviation such as "e.g." or "vs."? */
static bool abbreviation(const char *s, size_t from, size_t dot)
{
    static const char *const abbr[] = { "e.g", "i.e", "etc", "vs", "approx", "incl", "cf",
                                        "mr", "mrs", "ms", "dr", "no", "fig", "min", NULL };
    size_t k = dot;

    while (k > from && (isalpha((unsigned char)s[k - 1]) || s[k - 1] == '.'))
        k--;
    for (size_t i = 0; abbr[i]; i++)
        if (dot - k == strlen(abbr[i]) && strncasecmp(s + k, abbr[i], dot - k) == 0)
            return true;
    return false;
}

/* End (exclusive) of the sentence starting at s[from]. */
static size_t sentence_end(const char *s, size_t from, size_t len)
{
    static const char *const full_stops[] = { "\xe3\x80\x82", "\xef\xbc\x81", "\xef\xbc\x9f" };

    for (size_t i = from; i < len; i++) {
        char c = s[i];

        if ((c == '.' || c == '!' || c == '?') && (i + 1 == len || s[i + 1] == ' ')) {
            if (c == '.' && abbreviation(s, from, i))
                continue;
            return i + 1;
        }
        for (size_t k = 0; k < 3; k++)
            if (len - i >= 3 && memcmp(s + i, full_stops[k], 3) == 0)
                return i + 3;
    }
    return len;
}

/* Report a pcre2 limit or other match error for rule at text offset at. */
static int match_failed(struct ctx *c, const struct rev_rule *rule, const struct rev_text *t,
                        size_t at, int r)
{
    unsigned line = 1, col = 1;
    char why[300];

    if (t)
        rev_text_locate(t, c->doc, at, &line, &col);
    snprintf(c->err, c->errsz, "%s:%u: rule '%s' (%s): %s", rev_doc_name(c->doc), line,
             rule->id, rule->file,
             r == -ERANGE ? rev_re_failure(why, sizeof(why)) : strerror(-r));
    return r;
}

/* The model was trained on sentences: it judges those of paragraphs and
 * list items (not checklist boxes), not headings or table cells, and only a sentence with at
 * least MODEL_MIN_WORDS words (English) or MODEL_MIN_CHARS characters
 * (Japanese), below which a score says little. */
#define MODEL_MIN_WORDS 4
#define MODEL_MIN_CHARS 10
static bool model_judges(const struct ctx *c, const struct rev_text *t, size_t a, size_t b,
                         enum rev_lang lang)
{
    const struct rev_line *l = t->n ? rev_doc_line(c->doc, t->pieces[0].line) : NULL;
    size_t n = 0;

    if (!l || (l->kind != REV_LINE_TEXT && l->kind != REV_LINE_LIST) ||
        (l->kind == REV_LINE_LIST && l->checkbox >= 0))
        return false;   /* checklist boxes state facts about the draft */
    for (size_t i = a; i < b; i++) {
        unsigned char ch = (unsigned char)t->s[i];

        if (lang == REV_LANG_JA)
            n += (ch & 0xc0) != 0x80 && ch != ' ';
        else
            n += ch != ' ' && (i == a || t->s[i - 1] == ' ');
    }
    return n >= (lang == REV_LANG_JA ? MODEL_MIN_CHARS : MODEL_MIN_WORDS);
}

/* When no rule fired on the sentence t->s[a..b): score it with the model
 * and report it at its start when the score reaches the threshold and the
 * model rule's exceptions do not excuse it. */
static int blame_model(struct ctx *c, const struct rev_text *t, size_t a, size_t b,
                       enum rev_lang lang)
{
    const struct rev_rule *rule = rev_rules_model_rule(c->rules, REV_MODEL_BLAME);
    double th = rev_lint_threshold(c->rules, c->opts, REV_MODEL_BLAME, lang), score;
    unsigned line, col;
    int r;

    while (b > a && t->s[b - 1] == ' ')
        b--;
    if (th > 1 || !rule || !(rule->langs & lang) || !model_judges(c, t, a, b, lang))
        return 0;
    r = rev_model_score(rev_rules_model(c->rules), REV_MODEL_BLAME, t->s + a, b - a, &score);
    if (r < 0 || score < th)
        return r;
    r = rev_re_any(rule->unless, t->s + a, b - a);
    if (r != 0)
        return r < 0 ? match_failed(c, rule, t, a, r) : 0;
    rev_text_locate(t, c->doc, a, &line, &col);
    return rev_result_add_scored(c->res, rule, lang, line, col, t->s + a, b - a, score);
}

/* Run the blame rules of the sentence's language on t->s[a..b), then the
 * model when no rule fired. */
static int blame_sentence(struct ctx *c, const struct rev_text *t, size_t a, size_t b)
{
    enum rev_lang lang;
    bool fired = false;

    while (a < b && t->s[a] == ' ')
        a++;
    if (a == b)
        return 0;
    lang = c->force ? c->force : rev_detect_lang(t->s + a, b - a);
    for (size_t i = 0; i < rev_rules_count(c->rules); i++) {
        const struct rev_rule *rule = rev_rules_at(c->rules, i);
        unsigned line, col;
        size_t ms, me;
        int r;

        if (rule->cat != REV_CAT_BLAME || rule->model || !(rule->langs & lang))
            continue;
        r = rev_rule_match(rule, t->s + a, b - a, &ms, &me, NULL, NULL);
        if (r < 0)
            return match_failed(c, rule, t, a, r);
        if (r == 0)
            continue;
        fired = true;
        rev_text_locate(t, c->doc, a + ms, &line, &col);
        r = rev_result_add_finding(c->res, rule, lang, line, col, t->s + a + ms, me - ms);
        if (r < 0)
            return r;
    }
    return fired ? 0 : blame_model(c, t, a, b, lang);
}

static int blame_unit(const struct rev_text *t, void *ud)
{
    struct ctx *c = ud;

    for (size_t a = 0; a < t->len;) {
        size_t b = sentence_end(t->s, a, t->len);
        int r = blame_sentence(c, t, a, b);

        if (r < 0)
            return r;
        a = b;
    }
    return 0;
}

static bool judged(const struct rev_line *l)
{
    return l->kind == REV_LINE_TEXT || l->kind == REV_LINE_HEADING ||
           l->kind == REV_LINE_LIST || l->kind == REV_LINE_TABLE;
}

/* Language of most judged lines; English on a tie. */
static enum rev_lang doc_lang(const struct rev_doc *doc)
{
    size_t ja = 0, en = 0;

    for (size_t i = 0; i < rev_doc_nlines(doc); i++) {
        const struct rev_line *l = rev_doc_line(doc, i);

        if (!judged(l))
            continue;
        if (rev_detect_lang(l->masked + l->content, l->content_end - l->content) == REV_LANG_JA)
            ja++;
        else
            en++;
    }
    return ja > en ? REV_LANG_JA : REV_LANG_EN;
}

/* First heading line of section kind, or -1. */
static long find_heading(const struct rev_doc *doc, const struct rev_section *sec)
{
    for (size_t i = 0; sec && i < rev_doc_nlines(doc); i++) {
        const struct rev_line *l = rev_doc_line(doc, i);

        if (l->kind == REV_LINE_HEADING && l->section == sec)
            return (long)i;
    }
    return -1;
}

/* Does rule match some judged line (of section sec, or any when NULL)?
 * 1, 0 or negative errno. */
static int lines_match(struct ctx *c, const struct rev_rule *rule, const struct rev_section *sec)
{
    for (size_t i = 0; i < rev_doc_nlines(c->doc); i++) {
        const struct rev_line *l = rev_doc_line(c->doc, i);
        size_t a, b;
        int r;

        if (!judged(l) || (sec && l->section != sec))
            continue;
        r = rev_rule_match(rule, l->text + l->content, l->content_end - l->content, &a, &b,
                           NULL, NULL);
        if (r != 0)
            return r < 0 ? match_failed(c, rule, NULL, 0, r) : 1;
    }
    return 0;
}

/* Add a document-level finding at the start of line idx (or 1:1). */
static int doc_finding(struct ctx *c, const struct rev_rule *rule, enum rev_lang lang, long idx)
{
    const struct rev_line *l = idx >= 0 ? rev_doc_line(c->doc, (size_t)idx) : NULL;
    unsigned col = l ? rev_line_column(l, l->content) : 1;
    const char *ex = l ? l->text + l->content : "";
    size_t exlen = l ? l->content_end - l->content : 0;

    return rev_result_add_finding(c->res, rule, lang, l ? (unsigned)idx + 1 : 1, col, ex, exlen);
}

/* Report every unticked box of the checklist section. */
static int unticked(struct ctx *c, const struct rev_rule *rule, enum rev_lang lang,
                    const struct rev_section *sec)
{
    for (size_t i = 0; i < rev_doc_nlines(c->doc); i++) {
        const struct rev_line *l = rev_doc_line(c->doc, i);
        int r;

        if (l->section != sec || l->kind != REV_LINE_LIST || l->checkbox != 0)
            continue;
        r = doc_finding(c, rule, lang, (long)i);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Run one structure rule. */
static int structure_rule(struct ctx *c, const struct rev_rule *rule, enum rev_lang lang)
{
    const struct rev_section *sec = rule->section ? rev_rules_section(c->rules, rule->section)
                                                  : NULL;
    long h = find_heading(c->doc, sec);
    int r;

    switch ((enum rev_check)rule->kind) {
    case REV_CHECK_SECTION:
        return h < 0 ? doc_finding(c, rule, lang, -1) : 0;
    case REV_CHECK_QUANTIFIED:
        if (h < 0)
            return 0;
        r = lines_match(c, rule, sec);
        return r == 0 ? doc_finding(c, rule, lang, h) : r < 0 ? r : 0;
    case REV_CHECK_SCHEDULED:
        r = lines_match(c, rule, NULL);
        return r == 0 ? doc_finding(c, rule, lang, -1) : r < 0 ? r : 0;
    case REV_CHECK_CHECKLIST:
        return h < 0 ? 0 : unticked(c, rule, lang, sec);
    case REV_CHECK_ACTIONS:
        return h >= 0 && rev_result_nactions(c->res) == 0 ? doc_finding(c, rule, lang, h) : 0;
    }
    return 0;
}

static int structure_pass(struct ctx *c, enum rev_lang lang)
{
    for (size_t i = 0; i < rev_rules_count(c->rules); i++) {
        const struct rev_rule *rule = rev_rules_at(c->rules, i);
        int r;

        if (rule->cat != REV_CAT_STRUCTURE || !(rule->langs & lang))
            continue;
        r = structure_rule(c, rule, lang);
        if (r < 0)
            return r;
    }
    return 0;
}

int rev_lint_doc(struct rev_doc *doc, const struct rev_rules *rules,
                 const struct rev_lint_opts *opts, struct rev_result **ret,
                 char *err, size_t errsz)
{
    struct rev_lint_opts none = { 0 };
    struct ctx c = { .doc = doc, .rules = rules, .err = err, .errsz = errsz };
    enum rev_lang lang;
    int r;

    if (!opts)
        opts = &none;
    c.opts = opts;
    c.force = opts->lang;
    c.res = rev_result_new(rev_doc_name(doc), opts->max_findings);
    if (!c.res)
        return -ENOMEM;
    err[0] = '\0';
    r = rev_doc_sections(doc, rules);
    lang = opts->lang ? opts->lang : doc_lang(doc);
    rev_result_set_lang(c.res, lang);
    if (r >= 0)
        r = rev_doc_units(doc, blame_unit, &c);
    if (r >= 0)
        r = rev_action_scan(doc, rules, opts, lang, c.res);
    if (r >= 0)
        r = structure_pass(&c, lang);
    if (r < 0) {
        char why[300];

        if (!err[0])
            snprintf(err, errsz, "%s: %s", rev_doc_name(doc),
                     r == -ERANGE ? rev_re_failure(why, sizeof(why)) : strerror(-r));
        rev_result_destroy(&c.res);
        return r;
    }
    rev_result_sort(c.res);
    *ret = c.res;
    return 0;
}

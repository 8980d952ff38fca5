/* rev_report.c - text and JSON output of lint results.
 *
 * The JSON form is an interface: CI jobs parse it, so its keys, their order
 * and their types are fixed by docs/lint.md and checked byte for byte by the
 * golden tests.  Absent values are JSON null, never a missing key.  The
 * text form is for people and may change; it mirrors compiler diagnostics
 * ("FILE:LINE:COL: error: ...") so editors can jump to each finding.
 *
 * Messages and suggestions come from the rule, in the language of the text
 * that was judged (blame, weak actions) or of the document (structure,
 * owner and due date). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rev_report.h"

#define TEXT_ITEM_MAX 120   /* bytes of an action item shown in text output */

static int print_finding(FILE *f, const char *name, const struct rev_finding *fd)
{
    const struct rev_rule *r = fd->rule;

    if (r->model)
        fprintf(f, "%s:%u:%u: %s: %s (score %.2f): %s\n", name, fd->line, fd->col,
                rev_severity_name(rev_finding_severity(fd)), r->id, fd->score,
                rev_rule_message(r, fd->lang));
    else
        fprintf(f, "%s:%u:%u: %s: %s: %s\n", name, fd->line, fd->col,
                rev_severity_name(rev_finding_severity(fd)), r->id, rev_rule_message(r, fd->lang));
    if (fd->excerpt[0])
        fprintf(f, "    | %s\n", fd->excerpt);
    return fprintf(f, "    suggestion: %s\n", rev_rule_suggestion(r, fd->lang)) < 0 ? -EIO : 0;
}

static int cmp_strength(const void *pa, const void *pb)
{
    const struct rev_action *a = *(const struct rev_action *const *)pa;
    const struct rev_action *b = *(const struct rev_action *const *)pb;
    unsigned ra = a->strength ? (unsigned)a->strength : REV_STR_N;
    unsigned rb = b->strength ? (unsigned)b->strength : REV_STR_N;

    if (ra != rb)
        return ra < rb ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static int print_action(FILE *f, const char *name, const struct rev_action *a)
{
    char *text = rev_fold(a->text, strlen(a->text), TEXT_ITEM_MAX);
    int n;

    if (!text)
        return -ENOMEM;
    n = fprintf(f, "  %s:%u: %s, %s%s; owner %s; due %s: %s\n", name, a->line,
                rev_strength_name(a->strength), rev_type_name(a->type),
                a->type_declared ? " (declared)" : "", a->owner ? a->owner : "missing",
                a->due ? a->due : "missing", text);
    free(text);
    return n < 0 ? -EIO : 0;
}

/* The action items, strongest first (document order within a strength). */
static int print_actions(FILE *f, const struct rev_result *res)
{
    size_t n = rev_result_nactions(res);
    const struct rev_action **order;
    int r = 0;

    if (n == 0)
        return 0;
    order = calloc(n, sizeof(*order));
    if (!order)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = rev_result_action(res, i);
    qsort(order, n, sizeof(*order), cmp_strength);
    if (fprintf(f, "%s: action items, strongest first:\n", rev_result_name(res)) < 0)
        r = -EIO;
    for (size_t i = 0; i < n && r >= 0; i++)
        r = print_action(f, rev_result_name(res), order[i]);
    free(order);
    return r;
}

int rev_report_text(FILE *f, const struct rev_result *res, bool actions)
{
    const char *name = rev_result_name(res);
    size_t nf = rev_result_nfindings(res), na = rev_result_nactions(res);
    int r = 0;

    for (size_t i = 0; i < nf && r >= 0; i++)
        r = print_finding(f, name, rev_result_finding(res, i));
    if (r >= 0 && actions)
        r = print_actions(f, res);
    if (r < 0)
        return r;
    if (nf == 0)
        fprintf(f, "%s: no findings, %zu action item%s\n", name, na, na == 1 ? "" : "s");
    else
        fprintf(f, "%s: %zu finding%s (%zu error%s, %zu warning%s), %zu action item%s%s\n",
                name, nf, nf == 1 ? "" : "s", rev_result_count(res, REV_SEV_ERROR),
                rev_result_count(res, REV_SEV_ERROR) == 1 ? "" : "s",
                rev_result_count(res, REV_SEV_WARNING),
                rev_result_count(res, REV_SEV_WARNING) == 1 ? "" : "s", na, na == 1 ? "" : "s",
                rev_result_truncated(res) ? "; more findings were dropped" : "");
    return ferror(f) ? -EIO : 0;
}

/* json string or null. */
/* A model score, rounded to 3 decimals so outputs stay stable. */
static json_t *score_json(double score)
{
    return json_real(floor(score * 1000 + 0.5) / 1000);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *finding_json(const struct rev_finding *fd)
{
    json_t *o = json_object();
    int bad = !o;

    if (bad)
        return NULL;
    bad |= json_object_set_new(o, "line", json_integer(fd->line));
    bad |= json_object_set_new(o, "column", json_integer(fd->col));
    bad |= json_object_set_new(o, "rule", json_string(fd->rule->id));
    bad |= json_object_set_new(o, "category", json_string(rev_cat_name(fd->rule->cat)));
    bad |= json_object_set_new(o, "severity",
                               json_string(rev_severity_name(rev_finding_severity(fd))));
    bad |= json_object_set_new(o, "lang", json_string(rev_lang_name(fd->lang)));
    bad |= json_object_set_new(o, "message", json_string(rev_rule_message(fd->rule, fd->lang)));
    bad |= json_object_set_new(o, "suggestion",
                               json_string(rev_rule_suggestion(fd->rule, fd->lang)));
    bad |= json_object_set_new(o, "excerpt", json_string(fd->excerpt));
    bad |= json_object_set_new(o, "source", json_string(fd->rule->model ? "model" : "rule"));
    bad |= json_object_set_new(o, "score", fd->rule->model ? score_json(fd->score) : json_null());
    if (bad)
        json_decref(o);
    return bad ? NULL : o;
}

static json_t *action_json(const struct rev_action *a)
{
    json_t *o = json_object();
    int bad = !o;

    if (bad)
        return NULL;
    bad |= json_object_set_new(o, "line", json_integer(a->line));
    bad |= json_object_set_new(o, "column", json_integer(a->col));
    bad |= json_object_set_new(o, "text", json_string(a->text));
    bad |= json_object_set_new(o, "strength", json_string(rev_strength_name(a->strength)));
    bad |= json_object_set_new(o, "rank", json_integer(a->strength));
    bad |= json_object_set_new(o, "type", json_string(rev_type_name(a->type)));
    bad |= json_object_set_new(o, "type_declared", json_boolean(a->type_declared));
    bad |= json_object_set_new(o, "weak", json_boolean(a->weak));
    bad |= json_object_set_new(o, "owner", str_or_null(a->owner));
    bad |= json_object_set_new(o, "due", str_or_null(a->due));
    bad |= json_object_set_new(o, "ticket", str_or_null(a->ticket));
    bad |= json_object_set_new(o, "lang", json_string(rev_lang_name(a->lang)));
    bad |= json_object_set_new(o, "strength_rule",
                               str_or_null(a->strength_rule ? a->strength_rule->id : NULL));
    bad |= json_object_set_new(o, "type_rule", str_or_null(a->type_rule ? a->type_rule->id : NULL));
    bad |= json_object_set_new(o, "weak_score",
                               a->weak_score >= 0 ? score_json(a->weak_score) : json_null());
    if (bad)
        json_decref(o);
    return bad ? NULL : o;
}

static json_t *summary_json(const struct rev_result *res)
{
    json_t *o = json_object();
    int bad = !o;

    if (bad)
        return NULL;
    bad |= json_object_set_new(o, "findings", json_integer((json_int_t)rev_result_nfindings(res)));
    bad |= json_object_set_new(o, "errors",
                               json_integer((json_int_t)rev_result_count(res, REV_SEV_ERROR)));
    bad |= json_object_set_new(o, "warnings",
                               json_integer((json_int_t)rev_result_count(res, REV_SEV_WARNING)));
    bad |= json_object_set_new(o, "action_items",
                               json_integer((json_int_t)rev_result_nactions(res)));
    bad |= json_object_set_new(o, "truncated", json_boolean(rev_result_truncated(res)));
    if (bad)
        json_decref(o);
    return bad ? NULL : o;
}

json_t *rev_report_json_doc(const struct rev_result *res)
{
    json_t *o = json_object(), *fa = json_array(), *aa = json_array();
    int bad = !o || !fa || !aa;

    for (size_t i = 0; !bad && i < rev_result_nfindings(res); i++)
        bad |= json_array_append_new(fa, finding_json(rev_result_finding(res, i)));
    for (size_t i = 0; !bad && i < rev_result_nactions(res); i++)
        bad |= json_array_append_new(aa, action_json(rev_result_action(res, i)));
    if (!bad) {
        bad |= json_object_set_new(o, "file", json_string(rev_result_name(res)));
        bad |= json_object_set_new(o, "lang", json_string(rev_lang_name(rev_result_lang(res))));
        bad |= json_object_set_new(o, "summary", summary_json(res));
        bad |= json_object_set(o, "findings", fa);
        bad |= json_object_set(o, "action_items", aa);
    }
    json_decref(fa);
    json_decref(aa);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rev_report_json_error(const char *file, const char *message)
{
    json_t *o = json_object();
    int bad = !o;

    if (bad)
        return NULL;
    bad |= json_object_set_new(o, "file", json_string(file));
    bad |= json_object_set_new(o, "error", json_string(message));
    if (bad)
        json_decref(o);
    return bad ? NULL : o;
}

int rev_report_json_write(FILE *f, json_t *documents)
{
    json_t *root = json_object();
    int r = -ENOMEM;

    if (!root)
        return -ENOMEM;
    if (json_object_set_new(root, "version", json_integer(REV_JSON_VERSION)) < 0 ||
        json_object_set(root, "documents", documents) < 0)
        goto out;
    r = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 || fputc('\n', f) == EOF
            ? -EIO : 0;
out:
    json_decref(root);
    return r;
}

int rev_report_rules(FILE *f, const struct rev_rules *rules)
{
    for (size_t i = 0; i < rev_rules_count(rules); i++) {
        const struct rev_rule *r = rev_rules_at(rules, i);
        const char *langs = r->langs == REV_LANG_ALL ? "en,ja"
                            : r->langs == REV_LANG_JA ? "ja" : "en";

        if (fprintf(f, "%-40s %-12s %-6s %s\n", r->id, rev_cat_name(r->cat), langs, r->file) < 0)
            return -EIO;
    }
    return 0;
}

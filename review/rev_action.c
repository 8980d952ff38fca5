/* rev_action.c - find the action items of a draft and judge each one.
 *
 * Action items are where a postmortem changes the system, so each one is
 * placed on the strength ladder (mechanism > tool > automatic recovery >
 * containment > rule > checklist, with "promise" below them all), given a
 * type (prevent, detect, mitigate, process), and checked for an owner and a
 * due date.  Items that only promise more care ("be more careful", 注意を
 * 徹底) are reported by the "weak-action" rules, unless a stronger
 * classification shows the item names a real mechanism.
 *
 * Where items come from:
 *  - a pipe table in the "action-items" section; its header cells are
 *    matched against the section's "columns" patterns (Item, Type, Owner,
 *    Due, Ticket, and their Japanese names), the item column defaulting to
 *    the first unnamed one;
 *  - list items in that section, each with its continuation lines and
 *    nested sub-items (where "Owner: ..." and "Due: ..." often sit).
 * The item text is the original text (not masked): a command in backticks
 * is often exactly the mechanism the item names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rev_action.h"

#define FIELD_MAX 200   /* bytes kept of an owner, due date or ticket */

struct scan_ctx {
    const struct rev_doc *doc;
    const struct rev_rules *rules;
    const struct rev_section *sec;
    enum rev_lang force, doc_lang;
    const struct rev_lint_opts *opts; /* the model's threshold comes from these */
    struct rev_result *res;
};

/* One item being judged: its text and, for table rows, its cells. */
struct item {
    struct rev_text t;           /* original text with positions */
    bool table;
    const struct rev_line *row;  /* table rows: the line */
    struct rev_cell cell[REV_COL_N];
    bool has[REV_COL_N];         /* the table has this column and the row the cell */
};

enum rev_type rev_action_default_type(enum rev_strength s)
{
    switch (s) {
    case REV_STR_MECHANISM:
        return REV_TYPE_PREVENT;
    case REV_STR_TOOL:
        return REV_TYPE_DETECT;
    case REV_STR_RECOVERY:
    case REV_STR_CONTAINMENT:
        return REV_TYPE_MITIGATE;
    case REV_STR_RULE:
    case REV_STR_CHECKLIST:
    case REV_STR_PROMISE:
        return REV_TYPE_PROCESS;
    default:
        return REV_TYPE_UNKNOWN;
    }
}

/* Strongest strength rule matching s.  Sets a->strength and rule. */
static int judge_strength(struct scan_ctx *c, const char *s, size_t len, struct rev_action *a)
{
    for (size_t i = 0; i < rev_rules_count(c->rules); i++) {
        const struct rev_rule *rule = rev_rules_at(c->rules, i);
        size_t ms, me;
        int r;

        if (rule->cat != REV_CAT_STRENGTH || !(rule->langs & a->lang))
            continue;
        if (a->strength != REV_STR_UNKNOWN && rule->kind >= (int)a->strength)
            continue;
        r = rev_rule_match(rule, s, len, &ms, &me, NULL, NULL);
        if (r < 0)
            return r;
        if (r) {
            a->strength = (enum rev_strength)rule->kind;
            a->strength_rule = rule;
        }
    }
    return 0;
}

/* Is the type cell one of rule's labels (ASCII case-insensitive)? */
static bool label_of(const struct rev_rule *rule, const char *s, size_t len)
{
    for (size_t i = 0; i < rule->n_labels; i++)
        if (strlen(rule->labels[i]) == len && strncasecmp(rule->labels[i], s, len) == 0)
            return true;
    return false;
}

/* Type: declared in the Type column, else the hint of the strength rule,
 * else the first matching type rule, else a default from the strength. */
static int judge_type(struct scan_ctx *c, const struct item *it, struct rev_action *a)
{
    const struct rev_cell *tc = &it->cell[REV_COL_TYPE];

    for (size_t i = 0; it->has[REV_COL_TYPE] && i < rev_rules_count(c->rules); i++) {
        const struct rev_rule *rule = rev_rules_at(c->rules, i);

        if (rule->cat == REV_CAT_TYPE && label_of(rule, it->row->text + tc->off, tc->len)) {
            a->type = (enum rev_type)rule->kind;
            a->type_declared = true;
            return 0;
        }
    }
    if (a->strength_rule && a->strength_rule->type_hint) {
        a->type = (enum rev_type)a->strength_rule->type_hint;
        a->type_rule = a->strength_rule;
        return 0;
    }
    for (size_t i = 0; i < rev_rules_count(c->rules); i++) {
        const struct rev_rule *rule = rev_rules_at(c->rules, i);
        size_t ms, me;
        int r;

        if (rule->cat != REV_CAT_TYPE || !(rule->langs & a->lang))
            continue;
        r = rev_rule_match(rule, it->t.s, it->t.len, &ms, &me, NULL, NULL);
        if (r < 0)
            return r;
        if (r) {
            a->type = (enum rev_type)rule->kind;
            a->type_rule = rule;
            return 0;
        }
    }
    a->type = rev_action_default_type(a->strength);
    return 0;
}

/* The model's weak-action score for an item no weak-action rule caught;
 * reports the whole item when the score reaches the threshold. */
static int judge_weak_model(struct scan_ctx *c, const struct item *it, struct rev_action *a)
{
    const struct rev_rule *rule = rev_rules_model_rule(c->rules, REV_MODEL_WEAK);
    double th = rev_lint_threshold(c->rules, c->opts, REV_MODEL_WEAK, a->lang);
    int r;

    if (th > 1 || !rule || !(rule->langs & a->lang))
        return 0;
    r = rev_model_score(rev_rules_model(c->rules), REV_MODEL_WEAK, it->t.s, it->t.len,
                        &a->weak_score);
    if (r < 0 || a->weak_score < th)
        return r;
    r = rev_re_any(rule->unless, it->t.s, it->t.len);
    if (r != 0)
        return r < 0 ? r : 0;
    a->weak = true;
    if (a->strength == REV_STR_UNKNOWN) {
        a->strength = REV_STR_PROMISE;
        a->strength_rule = rule;
    }
    return rev_result_add_scored(c->res, rule, a->lang, a->line, a->col, it->t.s, it->t.len,
                                 a->weak_score);
}

/* Weak-action rules: the match that starts first is reported (ties: rule
 * order), unless the item already names something stronger than a rule.
 * When no rule fires, the model may (judge_weak_model). */
static int judge_weak(struct scan_ctx *c, const struct item *it, struct rev_action *a)
{
    const struct rev_rule *best = NULL;
    size_t best_s = 0, best_e = 0;
    unsigned line, col;

    if (a->strength != REV_STR_UNKNOWN && a->strength < REV_STR_RULE)
        return 0;
    for (size_t i = 0; i < rev_rules_count(c->rules); i++) {
        const struct rev_rule *rule = rev_rules_at(c->rules, i);
        size_t ms, me;
        int r;

        if (rule->cat != REV_CAT_WEAK || rule->model || !(rule->langs & a->lang))
            continue;
        r = rev_rule_match(rule, it->t.s, it->t.len, &ms, &me, NULL, NULL);
        if (r < 0)
            return r;
        if (r && (!best || ms < best_s)) {
            best = rule;
            best_s = ms;
            best_e = me;
        }
    }
    if (!best)
        return judge_weak_model(c, it, a);
    a->weak = true;
    if (a->strength == REV_STR_UNKNOWN) {
        a->strength = REV_STR_PROMISE;
        a->strength_rule = best;
    }
    rev_text_locate(&it->t, c->doc, best_s, &line, &col);
    return rev_result_add_finding(c->res, best, a->lang, line, col, it->t.s + best_s,
                                  best_e - best_s);
}

/* Look for the field of an "action" rule.  1 present (value span set),
 * 0 absent, negative errno. */
static int field_present(const struct rev_rule *rule, const struct item *it, const char **ret_v,
                         size_t *ret_vlen)
{
    int col = rule->kind == REV_FIELD_OWNER ? REV_COL_OWNER : REV_COL_DUE;
    size_t ms, me, va, vb;
    int r;

    if (it->table) {
        const char *v = it->row->text + it->cell[col].off;
        size_t vlen = it->cell[col].len;

        if (!it->has[col] || vlen == 0)
            return 0;
        r = rev_re_count(rule->cell) ? rev_re_any(rule->cell, v, vlen) : 1;
        if (r == 1)
            r = rev_re_any(rule->unless, v, vlen) == 0;
        *ret_v = v;
        *ret_vlen = vlen;
        return r;
    }
    r = rev_rule_match(rule, it->t.s, it->t.len, &ms, &me, &va, &vb);
    if (r == 1) {
        *ret_v = it->t.s + va;
        *ret_vlen = vb - va;
    }
    return r;
}

/* Owner and due date: record the values, report what is missing. */
static int judge_fields(struct scan_ctx *c, const struct item *it, struct rev_action *a)
{
    for (size_t i = 0; i < rev_rules_count(c->rules); i++) {
        const struct rev_rule *rule = rev_rules_at(c->rules, i);
        char **slot = rule->kind == REV_FIELD_OWNER ? &a->owner : &a->due;
        const char *v = NULL;
        size_t vlen = 0;
        int r;

        if (rule->cat != REV_CAT_ACTION || !(rule->langs & a->lang) || *slot)
            continue;
        r = field_present(rule, it, &v, &vlen);
        if (r < 0)
            return r;
        if (r == 0) {
            r = rev_result_add_finding(c->res, rule, c->doc_lang, a->line, a->col, it->t.s,
                                       it->t.len);
            if (r < 0)
                return r;
            continue;
        }
        *slot = rev_fold(v, vlen, FIELD_MAX);
        if (!*slot)
            return -ENOMEM;
    }
    return 0;
}

/* Judge one assembled item and add it to the result. */
static int judge(struct scan_ctx *c, struct item *it)
{
    struct rev_action a = { .weak_score = -1 };
    int r;

    if (it->t.len == 0 || it->t.n == 0)
        return 0;
    r = rev_re_any(c->sec->placeholders, it->t.s, it->t.len);
    if (r != 0)   /* an empty slot of the template, not an item yet */
        return r < 0 ? r : 0;
    rev_text_locate(&it->t, c->doc, 0, &a.line, &a.col);
    a.lang = c->force ? c->force : rev_detect_lang(it->t.s, it->t.len);
    r = judge_strength(c, it->t.s, it->t.len, &a);
    if (r >= 0)
        r = judge_weak(c, it, &a);
    if (r >= 0)
        r = judge_type(c, it, &a);
    if (r >= 0)
        r = judge_fields(c, it, &a);
    if (r >= 0 && it->table && it->has[REV_COL_TICKET] && it->cell[REV_COL_TICKET].len) {
        a.ticket = rev_fold(it->row->text + it->cell[REV_COL_TICKET].off,
                            it->cell[REV_COL_TICKET].len, FIELD_MAX);
        r = a.ticket ? 0 : -ENOMEM;
    }
    if (r >= 0) {
        a.text = rev_fold(it->t.s, it->t.len, REV_ACTION_TEXT_MAX);
        r = a.text ? 0 : -ENOMEM;
    }
    if (r < 0) {
        free(a.owner);
        free(a.due);
        free(a.ticket);
        free(a.text);
        return r;
    }
    return rev_result_add_action(c->res, &a);
}

/* Map header cells to columns: colmap[cell] = enum rev_col or -1. */
static int map_columns(struct scan_ctx *c, const struct rev_line *hdr, int *colmap,
                       size_t *ret_ncells)
{
    struct rev_cell cells[REV_TABLE_COLS_MAX];
    size_t nc = rev_table_cells(hdr, cells, REV_TABLE_COLS_MAX);
    bool have_item = false;

    for (size_t i = 0; i < nc; i++) {
        colmap[i] = -1;
        for (int k = 0; k < REV_COL_N && colmap[i] < 0; k++) {
            int r = rev_re_any(c->sec->columns[k], hdr->text + cells[i].off, cells[i].len);

            if (r < 0)
                return r;
            if (r)
                colmap[i] = k;
        }
        have_item |= colmap[i] == REV_COL_ITEM;
    }
    for (size_t i = 0; i < nc && !have_item; i++) {
        if (colmap[i] < 0) {
            colmap[i] = REV_COL_ITEM;
            have_item = true;
        }
    }
    *ret_ncells = nc;
    return 0;
}

/* Judge every row of the table whose header is line h; returns the index
 * of the first line after the table, or a negative errno. */
static long scan_table(struct scan_ctx *c, size_t h, struct item *it)
{
    int colmap[REV_TABLE_COLS_MAX];
    size_t nh, i = h + 2;
    int r = map_columns(c, rev_doc_line(c->doc, h), colmap, &nh);

    for (; r >= 0 && i < rev_doc_nlines(c->doc); i++) {
        const struct rev_line *l = rev_doc_line(c->doc, i);
        struct rev_cell cells[REV_TABLE_COLS_MAX];
        size_t nc;

        if (l->kind != REV_LINE_TABLE)
            break;
        nc = rev_table_cells(l, cells, REV_TABLE_COLS_MAX);
        memset(it->has, 0, sizeof(it->has));
        it->table = true;
        it->row = l;
        for (size_t k = 0; k < nc && k < nh; k++) {
            if (colmap[k] < 0 || it->has[colmap[k]])
                continue;
            it->cell[colmap[k]] = cells[k];
            it->has[colmap[k]] = true;
        }
        rev_text_clear(&it->t);
        if (it->has[REV_COL_ITEM])
            r = rev_text_add(&it->t, c->doc, i, it->cell[REV_COL_ITEM].off,
                             it->cell[REV_COL_ITEM].len, false);
        if (r >= 0)
            r = judge(c, it);
    }
    return r < 0 ? r : (long)i;
}

/* Does line j continue the list item whose marker has indent base? */
static bool continues(const struct rev_line *l, const struct rev_line *prev, size_t base)
{
    if (l->kind == REV_LINE_LIST)
        return l->indent >= base + 2;
    if (l->kind == REV_LINE_TEXT)
        return l->indent > base || prev->kind != REV_LINE_BLANK;
    return false;
}

/* Judge the list item at line i with its continuation; returns the index
 * of the first line after it, or a negative errno. */
static long scan_list_item(struct scan_ctx *c, size_t i, struct item *it)
{
    const struct rev_line *l = rev_doc_line(c->doc, i);
    size_t base = l->indent, j = i + 1;
    int r;

    memset(it->has, 0, sizeof(it->has));
    it->table = false;
    it->row = NULL;
    rev_text_clear(&it->t);
    r = rev_text_add(&it->t, c->doc, i, l->content, l->content_end - l->content, false);
    for (; r >= 0 && j < rev_doc_nlines(c->doc); j++) {
        const struct rev_line *m = rev_doc_line(c->doc, j);

        if (!continues(m, rev_doc_line(c->doc, j - 1), base))
            break;
        r = rev_text_add(&it->t, c->doc, j, m->content, m->content_end - m->content, false);
    }
    if (r >= 0)
        r = judge(c, it);
    return r < 0 ? r : (long)j;
}

int rev_action_scan(const struct rev_doc *doc, const struct rev_rules *rules,
                    const struct rev_lint_opts *opts, enum rev_lang doc_lang,
                    struct rev_result *res)
{
    struct scan_ctx c = { .doc = doc, .rules = rules, .force = opts->lang, .doc_lang = doc_lang,
                          .res = res, .sec = rev_rules_section(rules, "action-items"),
                          .opts = opts };
    struct item it = { .table = false };
    size_t i = 0;
    long next = 0;

    if (!c.sec)
        return 0;
    rev_text_init(&it.t);
    while (i < rev_doc_nlines(doc) && next >= 0) {
        const struct rev_line *l = rev_doc_line(doc, i);
        const struct rev_line *nl = rev_doc_line(doc, i + 1);

        if (l->section != c.sec) {
            i++;
            continue;
        }
        if (l->kind == REV_LINE_TABLE && nl && nl->kind == REV_LINE_TABLE_RULE)
            next = scan_table(&c, i, &it);
        else if (l->kind == REV_LINE_LIST)
            next = scan_list_item(&c, i, &it);
        else
            next = (long)i + 1;
        if (next >= 0)
            i = (size_t)next;
    }
    rev_text_free(&it.t);
    return next < 0 ? (int)next : 0;
}

/* pm_md.c - sections and action items of a finished postmortem from the
 * cmark-gfm syntax tree (see pm_md.h).
 *
 * Design notes:
 * - Only the document's top-level blocks are walked: headings inside a
 *   quote or a list do not open sections, as in review/rev_doc.c, whose
 *   rule this follows (a heading that is no section kind keeps a deeper
 *   heading in its parent's section).
 * - A labelled paragraph ("**Root causes:** the promotion step ...") adds
 *   the text after its label to that section; a paragraph that is only a
 *   label ("**Root cause**" or "Root cause:") acts as a heading one level
 *   below every real one, so the next heading ends it.
 * - cmark-gfm names its extension nodes by type string: "table",
 *   "table_header" and "table_row" rows, "table_cell", and "tasklist" for
 *   a list item with a task box.
 * - Text is the nodes' literal text (code spans and blocks included, link
 *   targets not), one line per block, capped at PM_TEXT_MAX.  A block that
 *   is a template's prompt (it matches the action-items section's
 *   "placeholders", e.g. "✍️ For humans: ...") is not the team's text. */
#include "pm_md.h"
#include "iq_buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iq_md.h"
#include "pm_words.h"
#include "rev_re.h"

#define LABEL_MAX 64          /* bytes of a field label ("Root causes") */
#define CELL_MAX 1024         /* bytes of a table cell read for its state */
#define COLS_MAX 32

struct walk {
    const struct rev_rules *rules;
    const struct rev_section *rc, *cf, *ai;   /* root-cause, contributing, action items */
    const struct rev_section *cur;
    int cur_level;
    struct pm_md *md;
};

static bool is_type(cmark_node *n, const char *name)
{
    const char *t = cmark_node_get_type_string(n);

    return t && strcmp(t, name) == 0;
}

/* Append the literal text of node and its children to b: one line per
 * block.  Past the cap the rest is dropped. */
static int node_text(cmark_node *node, struct iq_buf *b)
{
    cmark_iter *it = cmark_iter_new(node);
    cmark_event_type ev;
    int r = 0;

    if (!it)
        return -ENOMEM;
    while (r != -ENOMEM && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        cmark_node_type t = cmark_node_get_type(n);
        const char *lit;

        if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE ||
                                        t == CMARK_NODE_CODE_BLOCK) &&
            (lit = cmark_node_get_literal(n)))
            r = iq_buf_adds(b, lit);
        else if (ev == CMARK_EVENT_ENTER && (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK))
            r = iq_buf_addc(b, ' ');
        else if (ev == CMARK_EVENT_EXIT && n != node && is_type(n, "table_cell"))
            r = iq_buf_adds(b, " | ");
        else if (ev == CMARK_EVENT_EXIT && (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_HEADING ||
                                            is_type(n, "table_row") || is_type(n, "table_header")) &&
                 iq_buf_last(b) != '\n' && b->len)
            r = iq_buf_addc(b, '\n');
    }
    cmark_iter_free(it);
    return r == -ENOMEM ? r : 0;
}

/* The plain text of node into a fresh buffer of at most max bytes,
 * trimmed.  Caller frees b. */
static int plain(cmark_node *node, size_t max, struct iq_buf *b)
{
    iq_buf_init(b, max);
    int r = node_text(node, b);

    while (r == 0 && b->len && strchr(" \t\n", b->p[b->len - 1])) {
        b->len--;
        b->p[b->len] = '\0';
    }
    return r;
}

/* Which section the text s (a heading or a label) opens, or NULL. */
static int section_of(struct walk *w, const char *s, size_t len, const struct rev_section **ret)
{
    size_t i = 0;

    while (i < len && (strchr("0123456789.) \t", s[i]) && s[i]))   /* numbering "3.1 " */
        i++;
    while (len > i && strchr(" \t:*_", s[len - 1]))
        len--;
    if (len > i + 3 && memcmp(s + len - 3, "：", 3) == 0)
        len -= 3;
    *ret = NULL;
    for (size_t k = 0; k < rev_rules_nsections(w->rules); k++) {
        const struct rev_section *sec = rev_rules_section_at(w->rules, k);
        int m = rev_re_any(sec->headings, s + i, len - i);

        if (m < 0)
            return m;
        if (m) {
            *ret = sec;
            return 0;
        }
    }
    return 0;
}

static int add_section_text(struct walk *w, const struct rev_section *sec, const char *s,
                            size_t len, unsigned line)
{
    struct iq_buf *b = sec == w->rc ? &w->md->root_cause : &w->md->contributing;
    unsigned *at = sec == w->rc ? &w->md->root_line : &w->md->contributing_line;

    if (sec != w->rc && sec != w->cf)
        return 0;
    if (!*at)
        *at = line;
    while (len && strchr(" \t\n", *s)) {
        s++;
        len--;
    }
    if (b->len && iq_buf_addc(b, '\n') == -ENOMEM)
        return -ENOMEM;
    return iq_buf_add(b, s, len) == -ENOMEM ? -ENOMEM : 0;
}

/* A labelled block: "Label: text" where Label names a section.  Returns 1
 * when it was one (its text added, or a pseudo-heading opened), 0 when
 * not, or a negative errno. */
static int labelled(struct walk *w, cmark_node *node, bool may_open)
{
    struct iq_buf b;
    const struct rev_section *sec = NULL;
    size_t cut = 0;
    int r = plain(node, PM_TEXT_MAX, &b);

    for (size_t i = 0; r == 0 && i < b.len && i < LABEL_MAX && !cut; i++) {
        if (b.p[i] == ':')
            cut = i + 1;
        else if (i + 3 <= b.len && memcmp(b.p + i, "：", 3) == 0)
            cut = i + 3;
    }
    if (r == 0 && b.len && !cut && b.len < LABEL_MAX && may_open &&
        cmark_node_get_type(cmark_node_first_child(node)) == CMARK_NODE_STRONG)
        cut = b.len;   /* "**Root cause**" alone */
    if (r == 0 && cut)
        r = section_of(w, b.p, cut, &sec);
    if (r == 0 && sec && (sec == w->rc || sec == w->cf)) {
        if (cut < b.len)
            r = add_section_text(w, sec, b.p + cut, b.len - cut,
                                 (unsigned)cmark_node_get_start_line(node));
        else if (may_open) {
            w->cur = sec;
            w->cur_level = 7;
        }
        r = r < 0 ? r : 1;
    }
    iq_buf_free(&b);
    return r;
}

static struct pm_md_item *new_item(struct pm_md *md, cmark_node *node)
{
    struct pm_md_item *v = iq_array_grow(md->items, md->n_items, &md->cap, sizeof(*v), 16);

    if (!v)
        return NULL;
    md->items = v;
    md->items[md->n_items] = (struct pm_md_item){
        .line = (unsigned)cmark_node_get_start_line(node), .checked = -1, .state = -1 };
    return &md->items[md->n_items++];
}

/* Items of a list in the action-items section. */
static int list_items(struct walk *w, cmark_node *list)
{
    for (cmark_node *it = cmark_node_first_child(list); it; it = cmark_node_next(it)) {
        struct pm_md_item *item = new_item(w->md, it);
        struct iq_buf b;
        size_t off = 0, len = 0;
        int r;

        if (!item)
            return -ENOMEM;
        if (is_type(it, "tasklist"))
            item->checked = cmark_gfm_extensions_get_tasklist_item_checked(it) ? 1 : 0;
        if ((r = plain(it, PM_TEXT_MAX, &b)) < 0) {
            iq_buf_free(&b);
            return r;
        }
        item->state = b.len ? pm_status_label(b.p, b.len, &off, &len) : -1;
        if (len && !(item->state_text = strndup(b.p + off, len < 80 ? len : 80)))
            r = -ENOMEM;
        iq_buf_free(&b);
        if (r < 0)
            return r;
    }
    return 0;
}

/* The index of the Status column in the table's header row, or -1. */
static int status_column(struct walk *w, cmark_node *hdr)
{
    int i = 0;

    for (cmark_node *c = cmark_node_first_child(hdr); c; c = cmark_node_next(c), i++) {
        struct iq_buf b;
        int r = plain(c, CELL_MAX, &b);

        if (r == 0)
            r = rev_re_any(w->ai->columns[REV_COL_STATUS], b.p ? b.p : "", b.len);
        iq_buf_free(&b);
        if (r != 0)
            return r < 0 ? r : i;
    }
    return -1;
}

static int table_rows(struct walk *w, cmark_node *table)
{
    cmark_node *row = cmark_node_first_child(table);
    int col = row ? status_column(w, row) : -1;

    if (col < -1)
        return col;
    for (row = row ? cmark_node_next(row) : NULL; row; row = cmark_node_next(row)) {
        struct pm_md_item *item = new_item(w->md, row);
        cmark_node *cell = cmark_node_first_child(row);
        struct iq_buf b;
        int r;

        if (!item)
            return -ENOMEM;
        for (int i = 0; cell && i < col; i++)
            cell = cmark_node_next(cell);
        if (col < 0 || !cell)
            continue;
        if ((r = plain(cell, CELL_MAX, &b)) == 0 && b.len) {
            item->state = pm_state_parse(b.p, b.len);
            if (!(item->state_text = strndup(b.p, b.len < 80 ? b.len : 80)))
                r = -ENOMEM;
        }
        iq_buf_free(&b);
        if (r < 0)
            return r;
    }
    return 0;
}

static int heading(struct walk *w, cmark_node *node)
{
    const struct rev_section *sec;
    int level = cmark_node_get_heading_level(node);
    struct iq_buf b;
    int r = plain(node, 512, &b);

    if (r == 0)
        r = section_of(w, b.p ? b.p : "", b.len, &sec);
    iq_buf_free(&b);
    if (r < 0)
        return r;
    if (sec || !w->cur || level <= w->cur_level) {
        w->cur = sec;
        w->cur_level = level;
    }
    return 0;
}

/* One top-level block. */
static int block(struct walk *w, cmark_node *node)
{
    cmark_node_type t = cmark_node_get_type(node);
    struct iq_buf b;
    int r;

    if (t == CMARK_NODE_HEADING)
        return heading(w, node);
    if (t == CMARK_NODE_PARAGRAPH && (r = labelled(w, node, true)) != 0)
        return r < 0 ? r : 0;
    if (t == CMARK_NODE_LIST && w->cur != w->ai) {
        for (cmark_node *it = cmark_node_first_child(node); it; it = cmark_node_next(it))
            if (cmark_node_first_child(it) && (r = labelled(w, cmark_node_first_child(it), false)) < 0)
                return r;
    }
    if (w->cur && w->cur == w->ai) {
        if (t == CMARK_NODE_LIST)
            return list_items(w, node);
        return is_type(node, "table") ? table_rows(w, node) : 0;
    }
    if (!w->cur || (w->cur != w->rc && w->cur != w->cf))
        return 0;
    if ((r = plain(node, PM_TEXT_MAX, &b)) == 0 && w->ai && b.len)
        r = rev_re_any(w->ai->placeholders, b.p, b.len);   /* a template's prompt */
    if (r == 0)
        r = add_section_text(w, w->cur, b.p ? b.p : "", b.len,
                             (unsigned)cmark_node_get_start_line(node));
    iq_buf_free(&b);
    return r < 0 ? r : 0;
}

int pm_md_read(const char *text, size_t len, const struct rev_rules *rules, struct pm_md *ret)
{
    struct walk w = { .rules = rules, .md = ret };
    cmark_parser *parser;
    cmark_node *doc = NULL;
    int r = -ENOMEM;

    memset(ret, 0, sizeof(*ret));
    iq_buf_init(&ret->root_cause, PM_TEXT_MAX);
    iq_buf_init(&ret->contributing, PM_TEXT_MAX);
    w.rc = rev_rules_section(rules, "root-cause");
    w.cf = rev_rules_section(rules, "contributing-factors");
    w.ai = rev_rules_section(rules, "action-items");
    if (!(parser = iq_md_parser_new(CMARK_OPT_DEFAULT)))
        return -ENOMEM;
    cmark_parser_feed(parser, text, len);
    doc = cmark_parser_finish(parser);
    if (doc) {
        r = 0;
        for (cmark_node *n = cmark_node_first_child(doc); n && r == 0; n = cmark_node_next(n))
            r = block(&w, n);
    }
    cmark_node_free(doc);
    cmark_parser_free(parser);
    return r;
}

void pm_md_clear(struct pm_md *md)
{
    for (size_t i = 0; i < md->n_items; i++)
        free(md->items[i].state_text);
    free(md->items);
    md->items = NULL;
    md->n_items = md->cap = 0;
    iq_buf_free(&md->root_cause);
    iq_buf_free(&md->contributing);
}

const struct pm_md_item *pm_md_item_at(const struct pm_md *md, unsigned line)
{
    for (size_t i = 0; i < md->n_items; i++)
        if (md->items[i].line == line)
            return &md->items[i];
    return NULL;
}

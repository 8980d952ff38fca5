/* rev_doc.c - split a Markdown draft into classified, masked lines.
 *
 * Postmortem drafts are Markdown written by people and by the renderer.
 * The linter must not flag what a document quotes: chat pasted as a
 * blockquote, log lines in a fenced block, a command in backticks, a person
 * quoted in double quotes or 「」.  So this module classifies every line
 * (heading, list item, table row, quote, code, comment, ...) and keeps a
 * masked copy of the text in which inline code, quoted speech, HTML
 * comments, link targets and bare URLs are blanked out with spaces.  Both
 * copies have the same byte offsets, so a match found in the masked text is
 * reported at the right line and column of the original.
 *
 * Design notes:
 *  - This is not a CommonMark parser: it handles the constructs drafts use
 *    (ATX headings, fenced code, "- [ ]" task items, pipe tables with
 *    leading pipes, blockquotes, front matter, HTML comments) and says so in
 *    docs/lint.md.  Indented code blocks are treated as text.
 *  - Input is untrusted: size and line count are capped, every line must be
 *    UTF-8 without NUL bytes, and all scanning is bounded by the line. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_buf.h"
#include "rev_doc.h"
#include "rev_file.h"

struct rev_doc {
    char *name;
    char *buf;            /* original text, owned */
    char *mask;           /* masked copy, same offsets, owned */
    size_t len;
    struct rev_line *lines;
    size_t n;
};

/* Scanner state carried from line to line. */
struct scan {
    bool in_fence;
    char fence_ch;
    size_t fence_len;
    bool in_comment;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Leading whitespace of l: columns (tab = 4) and the byte offset after it. */
static size_t indent_of(const struct rev_line *l, size_t *ret_off)
{
    size_t cols = 0, i = 0;

    for (; i < l->len && is_space(l->text[i]); i++)
        cols = l->text[i] == '\t' ? (cols / 4 + 1) * 4 : cols + 1;
    *ret_off = i;
    return cols;
}

/* Trim trailing whitespace: the end offset of l->text[from..]. */
static size_t rtrim(const char *s, size_t from, size_t end)
{
    while (end > from && is_space(s[end - 1]))
        end--;
    return end;
}

/* Length of a run of c at s[i..len). */
static size_t run_of(const char *s, size_t i, size_t len, char c)
{
    size_t k = i;

    while (k < len && s[k] == c)
        k++;
    return k - i;
}

/* A thematic break: three or more of the same '-', '*' or '_' and spaces. */
static bool is_break(const char *s, size_t off, size_t len)
{
    size_t count = 0;
    char c = s[off];

    if (c != '-' && c != '*' && c != '_')
        return false;
    for (size_t i = off; i < len; i++) {
        if (s[i] == c)
            count++;
        else if (!is_space(s[i]))
            return false;
    }
    return count >= 3;
}

/* List marker at s[off]: returns the byte offset after marker and space,
 * or 0 when the line is not a list item. */
static size_t list_marker(const char *s, size_t off, size_t len)
{
    size_t i = off;

    if (s[i] == '-' || s[i] == '*' || s[i] == '+') {
        i++;
    } else {
        size_t d = 0;

        while (i < len && s[i] >= '0' && s[i] <= '9' && d < 9) {
            i++;
            d++;
        }
        if (d == 0 || i >= len || (s[i] != '.' && s[i] != ')'))
            return 0;
        i++;
    }
    if (i < len && !is_space(s[i]))
        return 0;
    while (i < len && is_space(s[i]))
        i++;
    return i;
}

/* Classify a table line: a delimiter row holds only '|', ':', '-' and
 * spaces, with at least one '-'. */
static enum rev_line_kind table_kind(const char *s, size_t off, size_t len)
{
    bool dash = false;

    for (size_t i = off; i < len; i++) {
        if (s[i] == '-')
            dash = true;
        else if (s[i] != '|' && s[i] != ':' && !is_space(s[i]))
            return REV_LINE_TABLE;
    }
    return dash ? REV_LINE_TABLE_RULE : REV_LINE_TABLE;
}

/* Heading: set level and content range.  Returns false if not a heading. */
static bool classify_heading(struct rev_line *l, size_t off)
{
    size_t hashes = run_of(l->text, off, l->len, '#'), end;

    if (hashes == 0 || hashes > 6 || (off + hashes < l->len && !is_space(l->text[off + hashes])))
        return false;
    l->kind = REV_LINE_HEADING;
    l->level = (int)hashes;
    l->content = off + hashes;
    while (l->content < l->len && is_space(l->text[l->content]))
        l->content++;
    end = rtrim(l->text, l->content, l->len);
    /* Closing sequence: " ##" at the end. */
    while (end > l->content && l->text[end - 1] == '#')
        end--;
    if (end == l->content || is_space(l->text[end - 1]))
        l->content_end = rtrim(l->text, l->content, end);
    else
        l->content_end = rtrim(l->text, l->content, l->len);
    return true;
}

/* List item: content after the marker and an optional task box. */
static void classify_list(struct rev_line *l, size_t content)
{
    const char *s = l->text;

    l->kind = REV_LINE_LIST;
    if (content + 3 <= l->len && s[content] == '[' && s[content + 2] == ']' &&
        (s[content + 1] == ' ' || s[content + 1] == 'x' || s[content + 1] == 'X') &&
        (content + 3 == l->len || is_space(s[content + 3]))) {
        l->checkbox = s[content + 1] != ' ';
        content += 3;
        while (content < l->len && is_space(s[content]))
            content++;
    }
    l->content = content;
    l->content_end = rtrim(s, content, l->len);
}

/* Classify a line outside fences and comments. */
static void classify(struct rev_line *l, struct scan *st)
{
    size_t off, item;

    l->indent = indent_of(l, &off);
    l->content = off;
    l->content_end = rtrim(l->text, off, l->len);
    l->checkbox = -1;
    if (off == l->len || is_break(l->text, off, l->len)) {
        l->kind = REV_LINE_BLANK;
        return;
    }
    if (l->indent <= 3 && (l->text[off] == '`' || l->text[off] == '~') &&
        run_of(l->text, off, l->len, l->text[off]) >= 3) {
        l->kind = REV_LINE_FENCE;
        st->in_fence = true;
        st->fence_ch = l->text[off];
        st->fence_len = run_of(l->text, off, l->len, l->text[off]);
        return;
    }
    if (l->indent <= 3 && classify_heading(l, off))
        return;
    if (l->indent <= 3 && l->text[off] == '>') {
        l->kind = REV_LINE_QUOTE;
        return;
    }
    if (l->text[off] == '|') {
        l->kind = table_kind(l->text, off, l->len);
        return;
    }
    item = list_marker(l->text, off, l->len);
    if (item) {
        classify_list(l, item);
        return;
    }
    l->kind = REV_LINE_TEXT;
}

/* Inside a fence: is this the closing fence? */
static bool closes_fence(const struct rev_line *l, const struct scan *st)
{
    size_t off, n;

    if (indent_of(l, &off) > 3)
        return false;
    n = run_of(l->text, off, l->len, st->fence_ch);
    return n >= st->fence_len && rtrim(l->text, off + n, l->len) == off + n;
}

static void blank(char *m, size_t from, size_t to)
{
    memset(m + from, ' ', to - from);
}

/* Find needle (nlen bytes) in s[from..len); returns its offset or len. */
static size_t find(const char *s, size_t from, size_t len, const char *needle, size_t nlen)
{
    for (size_t i = from; i + nlen <= len; i++)
        if (memcmp(s + i, needle, nlen) == 0)
            return i;
    return len;
}

/* Pairs masked with their content: quote marks and CJK brackets. */
static const struct { const char *open, *close; } pairs[] = {
    { "\"", "\"" },
    { "\xe2\x80\x9c", "\xe2\x80\x9d" },   /* “ ” */
    { "\xe3\x80\x8c", "\xe3\x80\x8d" },   /* 「 」 */
    { "\xe3\x80\x8e", "\xe3\x80\x8f" },   /* 『 』 */
};

/* Try to mask a construct starting at s[i]; returns the offset to continue
 * from (i when nothing started here). */
static size_t mask_at(const char *s, char *m, size_t i, size_t len, bool *in_comment)
{
    size_t j;

    if (s[i] == '`') {
        size_t n = run_of(s, i, len, '`');

        for (j = i + n; j < len; j += run_of(s, j, len, '`') ? run_of(s, j, len, '`') : 1)
            if (s[j] == '`' && run_of(s, j, len, '`') == n)
                break;
        if (j >= len)
            return i + n;
        blank(m, i, j + n);
        return j + n;
    }
    if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
        j = find(s, i + 4, len, "-->", 3);
        *in_comment = j == len;
        j = j == len ? len : j + 3;
        blank(m, i, j);
        return j;
    }
    if (len - i >= 2 && s[i] == ']' && s[i + 1] == '(') {
        j = find(s, i + 2, len, ")", 1);
        if (j < len)
            blank(m, i + 1, j + 1);
        return j < len ? j + 1 : i + 1;
    }
    if ((len - i >= 7 && memcmp(s + i, "http://", 7) == 0) ||
        (len - i >= 8 && memcmp(s + i, "https://", 8) == 0)) {
        for (j = i; j < len && !is_space(s[j]); j++)
            ;
        blank(m, i, j);
        return j;
    }
    for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
        size_t ol = strlen(pairs[p].open), cl = strlen(pairs[p].close);

        if (len - i < ol || memcmp(s + i, pairs[p].open, ol) != 0)
            continue;
        j = find(s, i + ol, len, pairs[p].close, cl);
        if (j == len)
            return i + ol;
        blank(m, i, j + cl);
        return j + cl;
    }
    return i;
}

/* Is '_' at s[i] an emphasis delimiter (at a word edge) rather than part of
 * an identifier such as replication_lag_seconds? */
static bool emphasis_underscore(const char *s, size_t i, size_t len)
{
    bool before = i > 0 && ((unsigned char)s[i - 1] >= 0x80 || isalnum((unsigned char)s[i - 1]));
    bool after = i + 1 < len &&
                 ((unsigned char)s[i + 1] >= 0x80 || isalnum((unsigned char)s[i + 1]));

    return !(before && after);
}

/* Mask inline constructs of a judged line.  Returns true when the line
 * touched an HTML comment. */
static bool mask_inline(const struct rev_line *l, char *m, struct scan *st)
{
    const char *s = l->text;
    bool had_comment = false;
    size_t i = 0;

    if (st->in_comment) {
        size_t j = find(s, 0, l->len, "-->", 3);

        had_comment = true;
        st->in_comment = j == l->len;
        i = j == l->len ? l->len : j + 3;
        blank(m, 0, i);
    }
    while (i < l->len) {
        size_t next;

        if (l->len - i >= 4 && memcmp(s + i, "<!--", 4) == 0)
            had_comment = true;
        next = mask_at(s, m, i, l->len, &st->in_comment);
        if (next != i) {
            i = next;
            continue;
        }
        if (s[i] == '*' || (s[i] == '_' && emphasis_underscore(s, i, l->len)))
            m[i] = ' ';
        i++;
    }
    return had_comment;
}

static bool all_blank(const char *m, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_space(m[i]))
            return false;
    return true;
}

/* Classify and mask line i, given the scanner state. */
static void scan_line(struct rev_doc *doc, size_t i, struct scan *st)
{
    struct rev_line *l = &doc->lines[i];
    char *m = doc->mask + (l->text - doc->buf);

    l->checkbox = -1;
    if (st->in_fence) {
        l->kind = closes_fence(l, st) ? REV_LINE_FENCE : REV_LINE_CODE;
        if (l->kind == REV_LINE_FENCE)
            st->in_fence = false;
        return;
    }
    if (st->in_comment) {
        size_t j = find(l->text, 0, l->len, "-->", 3);

        if (j == l->len || all_blank(l->text + j + 3, l->len - j - 3)) {
            l->kind = REV_LINE_COMMENT;
            st->in_comment = j == l->len;
            blank(m, 0, l->len);
            return;
        }
    }
    classify(l, st);
    if (l->kind == REV_LINE_FENCE || l->kind == REV_LINE_QUOTE || l->kind == REV_LINE_BLANK ||
        l->kind == REV_LINE_TABLE_RULE)
        return;
    if (mask_inline(l, m, st) && l->kind == REV_LINE_TEXT && all_blank(m, l->len))
        l->kind = REV_LINE_COMMENT;
}

/* Front matter: a first line "---" closed by "---" or "..." within the
 * first 200 lines.  Marks those lines and returns how many. */
static size_t front_matter(struct rev_doc *doc)
{
    const struct rev_line *first = &doc->lines[0];

    if (doc->n < 2 || first->len != 3 || memcmp(first->text, "---", 3) != 0)
        return 0;
    for (size_t i = 1; i < doc->n && i < 200; i++) {
        const struct rev_line *l = &doc->lines[i];

        if (l->len == 3 && (memcmp(l->text, "---", 3) == 0 || memcmp(l->text, "...", 3) == 0)) {
            for (size_t k = 0; k <= i; k++) {
                doc->lines[k].kind = REV_LINE_META;
                doc->lines[k].checkbox = -1;
            }
            return i + 1;
        }
    }
    return 0;
}

/* Split doc->buf into lines and check each is UTF-8. */
static int split_lines(struct rev_doc *doc, size_t start, char *err, size_t errsz)
{
    size_t n = 0, i = start;

    for (size_t k = start; k < doc->len; k++)
        n += doc->buf[k] == '\n';
    n += doc->len > start && doc->buf[doc->len - 1] != '\n';
    if (n > REV_DOC_LINES_MAX) {
        snprintf(err, errsz, "%s: more than %d lines", doc->name, REV_DOC_LINES_MAX);
        return -E2BIG;
    }
    doc->lines = calloc(n ? n : 1, sizeof(*doc->lines));
    if (!doc->lines)
        return -ENOMEM;
    while (i < doc->len) {
        const char *nl = memchr(doc->buf + i, '\n', doc->len - i);
        size_t end = nl ? (size_t)(nl - doc->buf) : doc->len;
        struct rev_line *l = &doc->lines[doc->n];

        l->text = doc->buf + i;
        l->masked = doc->mask + i;
        l->len = end - i;
        if (l->len && l->text[l->len - 1] == '\r')
            l->len--;
        if (!iq_utf8_valid(l->text, l->len)) {
            snprintf(err, errsz, "%s:%zu: not valid UTF-8 text (or holds a NUL byte)",
                     doc->name, doc->n + 1);
            return -EILSEQ;
        }
        doc->n++;
        i = end + 1;
    }
    return 0;
}

int rev_doc_parse(const char *name, const char *buf, size_t len, struct rev_doc **ret,
                  char *err, size_t errsz)
{
    struct rev_doc *doc;
    struct scan st = { 0 };
    size_t start = 0, first;
    int r;

    if (len > REV_DOC_MAX) {
        snprintf(err, errsz, "%s: %zu bytes, over the limit of %u bytes", name, len,
                 REV_DOC_MAX);
        return -E2BIG;
    }
    doc = calloc(1, sizeof(*doc));
    if (!doc)
        return -ENOMEM;
    doc->name = strdup(name);
    doc->buf = malloc(len + 1);
    doc->mask = malloc(len + 1);
    r = -ENOMEM;
    if (!doc->name || !doc->buf || !doc->mask)
        goto fail;
    memcpy(doc->buf, buf, len);
    memcpy(doc->mask, buf, len);
    doc->buf[len] = doc->mask[len] = '\0';
    doc->len = len;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        start = 3;
    r = split_lines(doc, start, err, errsz);
    if (r < 0)
        goto fail;
    first = front_matter(doc);
    for (size_t i = first; i < doc->n; i++)
        scan_line(doc, i, &st);
    *ret = doc;
    return 0;
fail:
    if (r == -ENOMEM)
        snprintf(err, errsz, "%s: out of memory", name);
    rev_doc_destroy(&doc);
    return r;
}

int rev_doc_load(const char *path, const char *name, struct rev_doc **ret, char *err,
                 size_t errsz)
{
    char *buf = NULL;
    size_t len = 0;
    int r = rev_file_read(path, REV_DOC_MAX, &buf, &len, err, errsz);

    if (r < 0)
        return r;
    r = rev_doc_parse(name, buf, len, ret, err, errsz);
    free(buf);
    return r;
}

void rev_doc_destroy(struct rev_doc **pdoc)
{
    struct rev_doc *doc = pdoc ? *pdoc : NULL;

    if (!doc)
        return;
    free(doc->name);
    free(doc->buf);
    free(doc->mask);
    free(doc->lines);
    free(doc);
    *pdoc = NULL;
}

const char *rev_doc_name(const struct rev_doc *doc)
{
    return doc->name;
}

size_t rev_doc_nlines(const struct rev_doc *doc)
{
    return doc->n;
}

const struct rev_line *rev_doc_line(const struct rev_doc *doc, size_t i)
{
    return i < doc->n ? &doc->lines[i] : NULL;
}

void rev_line_heading_text(const struct rev_line *l, size_t *ret_off, size_t *ret_len)
{
    const char *s = l->text;
    size_t a = l->content, b = l->content_end, k = a;

    while (k < b && ((s[k] >= '0' && s[k] <= '9') || s[k] == '.'))
        k++;
    if (k > a && k < b && is_space(s[k]))
        a = k;
    while (a < b && (is_space(s[a]) || s[a] == '*' || s[a] == '_'))
        a++;
    while (b > a && (is_space(s[b - 1]) || s[b - 1] == '*' || s[b - 1] == '_' || s[b - 1] == ':'))
        b--;
    if (b - a >= 3 && memcmp(s + b - 3, "\xef\xbc\x9a", 3) == 0)   /* full-width colon */
        b -= 3;
    *ret_off = a;
    *ret_len = b - a;
}

/* The section a heading opens, or NULL.  Negative errno on match errors. */
static int heading_section(const struct rev_line *l, const struct rev_rules *rules,
                           const struct rev_section **ret)
{
    size_t off, len;

    rev_line_heading_text(l, &off, &len);
    *ret = NULL;
    for (size_t i = 0; i < rev_rules_nsections(rules); i++) {
        const struct rev_section *sec = rev_rules_section_at(rules, i);
        int m = rev_re_any(sec->headings, l->text + off, len);

        if (m < 0)
            return m;
        if (m) {
            *ret = sec;
            return 0;
        }
    }
    return 0;
}

int rev_doc_sections(struct rev_doc *doc, const struct rev_rules *rules)
{
    const struct rev_section *cur = NULL;
    int cur_level = 0;

    for (size_t i = 0; i < doc->n; i++) {
        struct rev_line *l = &doc->lines[i];

        if (l->kind == REV_LINE_HEADING) {
            const struct rev_section *sec;
            int r = heading_section(l, rules, &sec);

            if (r < 0)
                return r;
            if (sec || !cur || l->level <= cur_level) {
                cur = sec;
                cur_level = l->level;
            }
        }
        l->section = cur;
    }
    return 0;
}

unsigned rev_line_column(const struct rev_line *l, size_t off)
{
    unsigned col = 1;

    for (size_t i = 0; i < off && i < l->len; i++)
        col += ((unsigned char)l->text[i] & 0xc0) != 0x80;
    return col;
}

size_t rev_table_cells(const struct rev_line *l, struct rev_cell *cells, size_t max)
{
    const char *s = l->text;
    size_t i = l->content, end = l->content_end, n = 0, start;

    if (i < end && s[i] == '|')
        i++;
    if (end > i && s[end - 1] == '|' && !(end >= 2 && s[end - 2] == '\\'))
        end--;
    start = i;
    for (; i <= end && n < max; i++) {
        size_t a = start, b = i;

        if (i < end && (s[i] != '|' || s[i - 1] == '\\'))
            continue;
        while (a < b && is_space(s[a]))
            a++;
        while (b > a && is_space(s[b - 1]))
            b--;
        cells[n].off = a;
        cells[n].len = b - a;
        n++;
        start = i + 1;
    }
    return n;
}

void rev_text_init(struct rev_text *t)
{
    memset(t, 0, sizeof(*t));
}

void rev_text_clear(struct rev_text *t)
{
    t->len = 0;
    t->n = 0;
    if (t->s)
        t->s[0] = '\0';
}

void rev_text_free(struct rev_text *t)
{
    free(t->s);
    free(t->pieces);
    rev_text_init(t);
}

int rev_text_add(struct rev_text *t, const struct rev_doc *doc, size_t line, size_t off,
                 size_t len, bool masked)
{
    const struct rev_line *l = &doc->lines[line];
    size_t need = t->len + len + 2;
    struct rev_piece *np;

    if (need > t->cap) {
        size_t ncap = need * 2;
        char *ns = realloc(t->s, ncap);

        if (!ns)
            return -ENOMEM;
        t->s = ns;
        t->cap = ncap;
    }
    if (!(np = iq_array_grow(t->pieces, t->n, &t->pcap, sizeof(*np), 8)))
        return -ENOMEM;
    t->pieces = np;
    if (t->len)
        t->s[t->len++] = ' ';
    t->pieces[t->n++] = (struct rev_piece){ .line = line, .off = off, .len = len, .at = t->len };
    memcpy(t->s + t->len, (masked ? l->masked : l->text) + off, len);
    t->len += len;
    t->s[t->len] = '\0';
    return 0;
}

void rev_text_locate(const struct rev_text *t, const struct rev_doc *doc, size_t at,
                     unsigned *ret_line, unsigned *ret_col)
{
    const struct rev_piece *p = t->pieces;
    size_t k;

    if (t->n == 0) {
        *ret_line = 1;
        *ret_col = 1;
        return;
    }
    for (size_t i = 1; i < t->n && t->pieces[i].at <= at; i++)
        p = &t->pieces[i];
    k = at < p->at ? 0 : at - p->at;
    if (k > p->len)
        k = p->len;
    *ret_line = (unsigned)p->line + 1;
    *ret_col = rev_line_column(&doc->lines[p->line], p->off + k);
}

/* Emit one table row's cells as units. */
static int table_units(const struct rev_doc *doc, size_t i, struct rev_text *t, rev_unit_fn fn,
                       void *ud)
{
    struct rev_cell cells[REV_TABLE_COLS_MAX];
    size_t nc = rev_table_cells(&doc->lines[i], cells, REV_TABLE_COLS_MAX);

    for (size_t c = 0; c < nc; c++) {
        int r;

        rev_text_clear(t);
        r = rev_text_add(t, doc, i, cells[c].off, cells[c].len, true);
        if (r >= 0)
            r = fn(t, ud);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Emit the unit starting at line *pi (heading, paragraph or list item) and
 * advance *pi past it. */
static int block_unit(const struct rev_doc *doc, size_t *pi, struct rev_text *t, rev_unit_fn fn,
                      void *ud)
{
    const struct rev_line *l = &doc->lines[*pi];
    int r;

    rev_text_clear(t);
    r = rev_text_add(t, doc, *pi, l->content, l->content_end - l->content, true);
    (*pi)++;
    if (l->kind != REV_LINE_HEADING) {
        while (r >= 0 && *pi < doc->n && doc->lines[*pi].kind == REV_LINE_TEXT) {
            const struct rev_line *c = &doc->lines[*pi];

            r = rev_text_add(t, doc, *pi, c->content, c->content_end - c->content, true);
            (*pi)++;
        }
    }
    return r < 0 ? r : fn(t, ud);
}

int rev_doc_units(const struct rev_doc *doc, rev_unit_fn fn, void *ud)
{
    struct rev_text t;
    size_t i = 0;
    int r = 0;

    rev_text_init(&t);
    while (i < doc->n && r >= 0) {
        enum rev_line_kind k = doc->lines[i].kind;

        if (k == REV_LINE_HEADING || k == REV_LINE_TEXT || k == REV_LINE_LIST) {
            r = block_unit(doc, &i, &t, fn, ud);
            continue;
        }
        if (k == REV_LINE_TABLE)
            r = table_units(doc, i, &t, fn, ud);
        i++;
    }
    rev_text_free(&t);
    return r < 0 ? r : 0;
}

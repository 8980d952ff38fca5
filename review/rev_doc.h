/* rev_doc.h - a postmortem draft as classified, masked Markdown lines.
 *
 * The linter needs just enough Markdown to know what it may judge: prose,
 * headings, list items (with task boxes) and table rows are judged; fenced
 * code, blockquotes (quoted chat), HTML comments and front matter are not.
 * Inside judged lines, inline code, double-quoted or 「」-quoted speech,
 * link targets and URLs are "masked" (replaced by spaces in a copy of the
 * line of the same length), so byte offsets in the masked copy are offsets
 * in the original line too.
 *
 * A rev_text is a piece of text assembled from one or more line ranges
 * (a paragraph, a list item with its continuation lines, a table cell) that
 * still knows where each byte came from, for line:column positions. */
#ifndef REV_DOC_H
#define REV_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "rev_rules.h"

#define REV_DOC_MAX       (4u * 1024 * 1024)  /* bytes of one document */
#define REV_DOC_LINES_MAX 200000              /* lines of one document */
#define REV_TABLE_COLS_MAX 32                 /* cells per table row */

enum rev_line_kind {
    REV_LINE_BLANK = 0,   /* empty or whitespace, or a thematic break */
    REV_LINE_TEXT,        /* paragraph text */
    REV_LINE_HEADING,     /* ATX heading "## ..." */
    REV_LINE_LIST,        /* list item "- ", "* ", "1. ", with optional "[ ]" */
    REV_LINE_TABLE,       /* table row "| a | b |" */
    REV_LINE_TABLE_RULE,  /* table delimiter row "|---|:--|" */
    REV_LINE_QUOTE,       /* blockquote "> ..." (quoted chat) */
    REV_LINE_FENCE,       /* ``` or ~~~ fence line */
    REV_LINE_CODE,        /* inside a fenced code block */
    REV_LINE_COMMENT,     /* wholly inside an HTML comment */
    REV_LINE_META,        /* YAML front matter */
};

/* One line.  Borrowed; valid until rev_doc_destroy. */
struct rev_line {
    const char *text;     /* original bytes, without the line terminator */
    const char *masked;   /* same length; masked spans are spaces */
    size_t len;
    enum rev_line_kind kind;
    int level;            /* headings: 1 to 6 */
    size_t indent;        /* leading whitespace in columns (tab = 4) */
    size_t content;       /* byte offset of the content (after '#', marker, box) */
    size_t content_end;   /* byte offset past the content (trailing space, '#'s cut) */
    int checkbox;         /* list items: -1 none, 0 "[ ]", 1 "[x]" */
    const struct rev_section *section; /* enclosing section, after rev_doc_sections */
};

struct rev_doc;

/* Parse len bytes of buf (copied) as the document called name.  Rejects
 * text that is not UTF-8 or holds a NUL byte ("NAME:LINE: not valid UTF-8
 * text"), over REV_DOC_MAX bytes or REV_DOC_LINES_MAX lines (-E2BIG).
 * A leading byte order mark is skipped and CR before LF is dropped.
 * On success *ret is set (caller owns); returns 0, -EILSEQ, -E2BIG or
 * -ENOMEM with err set.  *ret untouched on failure. */
int rev_doc_parse(const char *name, const char *buf, size_t len, struct rev_doc **ret,
                  char *err, size_t errsz);

/* Read path ("-" for standard input) with the REV_DOC_MAX cap and parse it;
 * name is used in messages.  Errors as rev_file_read and rev_doc_parse. */
int rev_doc_load(const char *path, const char *name, struct rev_doc **ret, char *err,
                 size_t errsz);

/* Free the document and NULL the caller's pointer.  NULL-safe. */
void rev_doc_destroy(struct rev_doc **pdoc);

/* Borrowed: the name given at parse time. */
const char *rev_doc_name(const struct rev_doc *doc);
size_t rev_doc_nlines(const struct rev_doc *doc);
/* Line i (0-based).  Borrowed. */
const struct rev_line *rev_doc_line(const struct rev_doc *doc, size_t i);

/* Assign each line the section it belongs to: the heading that opened it,
 * matched against the rule set's section headings; deeper sub-headings stay
 * in their parent's section.  Returns 0 or a negative errno from matching. */
int rev_doc_sections(struct rev_doc *doc, const struct rev_rules *rules);

/* The heading text of a heading line, without numbering ("3.1 ") or
 * emphasis marks.  Sets *ret_off and *ret_len (bytes within l->text). */
void rev_line_heading_text(const struct rev_line *l, size_t *ret_off, size_t *ret_len);

/* 1-based column of byte offset off in l, counted in Unicode characters. */
unsigned rev_line_column(const struct rev_line *l, size_t off);

/* A table cell: byte range within the line, trimmed. */
struct rev_cell {
    size_t off;
    size_t len;
};

/* Split a table row into at most max cells (outer pipes dropped, "\|"
 * kept inside a cell).  Returns the number of cells. */
size_t rev_table_cells(const struct rev_line *l, struct rev_cell *cells, size_t max);

/* Where one stretch of a rev_text came from. */
struct rev_piece {
    size_t line;          /* 0-based line index */
    size_t off;           /* byte offset in that line */
    size_t len;
    size_t at;            /* byte offset in the text */
};

/* Text assembled from line ranges, joined by single spaces.  Value type:
 * rev_text_init before use, rev_text_free after. */
struct rev_text {
    char *s;              /* NUL-terminated; owned */
    size_t len, cap;
    struct rev_piece *pieces; /* owned */
    size_t n, pcap;
};

void rev_text_init(struct rev_text *t);
/* Empty the text, keeping its memory. */
void rev_text_clear(struct rev_text *t);
void rev_text_free(struct rev_text *t);

/* Append len bytes of line `line` from offset off, from the masked or the
 * original text, preceded by a space when the text is not empty.
 * 0 or -ENOMEM. */
int rev_text_add(struct rev_text *t, const struct rev_doc *doc, size_t line, size_t off,
                 size_t len, bool masked);

/* The 1-based line and column of text offset at. */
void rev_text_locate(const struct rev_text *t, const struct rev_doc *doc, size_t at,
                     unsigned *ret_line, unsigned *ret_col);

/* Call fn for every unit of judged prose, in document order, built from
 * masked text: each heading, paragraph, list item (with its continuation
 * lines) and table cell.  Stops at and returns the first negative value fn
 * returns; otherwise 0 (or -ENOMEM). */
typedef int (*rev_unit_fn)(const struct rev_text *t, void *ud);
int rev_doc_units(const struct rev_doc *doc, rev_unit_fn fn, void *ud);

#endif

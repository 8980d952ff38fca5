/* rev_doc_test.c - unit tests for review/rev_doc.c: line classification,
 * masking of quoted text, positions, and the input limits (size, lines,
 * UTF-8, NUL bytes) a draft must respect. */
#include <errno.h>

#include "rev_test.h"

static struct rev_doc *parse(const char *md)
{
    struct rev_doc *doc = NULL;
    char err[512];

    if (rev_doc_parse("t.md", md, strlen(md), &doc, err, sizeof(err)) < 0)
        fail_msg("parse: %s", err);
    return doc;
}

static enum rev_line_kind kind(const struct rev_doc *doc, size_t i)
{
    return rev_doc_line(doc, i)->kind;
}

static void classifies_lines(void **state)
{
    struct rev_doc *doc = parse("# Title\n"
                                "Some text\n"
                                "\n"
                                "- [x] done item\n"
                                "3. numbered\n"
                                "> quoted chat\n"
                                "| a | b |\n"
                                "|---|:-:|\n"
                                "```sh\n"
                                "echo careless\n"
                                "```\n"
                                "---\n"
                                "####### not a heading\n");

    (void)state;
    assert_int_equal(rev_doc_nlines(doc), 13);
    assert_int_equal(kind(doc, 0), REV_LINE_HEADING);
    assert_int_equal(rev_doc_line(doc, 0)->level, 1);
    assert_int_equal(kind(doc, 1), REV_LINE_TEXT);
    assert_int_equal(kind(doc, 2), REV_LINE_BLANK);
    assert_int_equal(kind(doc, 3), REV_LINE_LIST);
    assert_int_equal(rev_doc_line(doc, 3)->checkbox, 1);
    assert_int_equal(rev_doc_line(doc, 3)->content, 6);
    assert_int_equal(kind(doc, 4), REV_LINE_LIST);
    assert_int_equal(rev_doc_line(doc, 4)->checkbox, -1);
    assert_int_equal(kind(doc, 5), REV_LINE_QUOTE);
    assert_int_equal(kind(doc, 6), REV_LINE_TABLE);
    assert_int_equal(kind(doc, 7), REV_LINE_TABLE_RULE);
    assert_int_equal(kind(doc, 8), REV_LINE_FENCE);
    assert_int_equal(kind(doc, 9), REV_LINE_CODE);
    assert_int_equal(kind(doc, 10), REV_LINE_FENCE);
    assert_int_equal(kind(doc, 11), REV_LINE_BLANK);
    assert_int_equal(kind(doc, 12), REV_LINE_TEXT);
    rev_doc_destroy(&doc);
    assert_null(doc);
}

static void masks_quotes_code_comments(void **state)
{
    struct rev_doc *doc = parse("He said \"I broke it\" and `rm -rf` ran; see [x](http://a/b).\n"
                                "田中さんは「確認不足でした」と言った。\n"
                                "before <!-- a\n"
                                "hidden careless text\n"
                                "--> after\n");
    const struct rev_line *l = rev_doc_line(doc, 0);

    (void)state;
    assert_int_equal(strlen(l->masked) >= l->len, 1);
    assert_memory_equal(l->masked, "He said              and          ran; see [x] ", 47);
    assert_null(memmem(rev_doc_line(doc, 1)->masked, rev_doc_line(doc, 1)->len, "確認不足", 12));
    assert_non_null(memmem(rev_doc_line(doc, 1)->masked, rev_doc_line(doc, 1)->len, "と言った", 12));
    assert_int_equal(kind(doc, 2), REV_LINE_TEXT);
    assert_memory_equal(rev_doc_line(doc, 2)->masked, "before      ", 12);
    assert_int_equal(kind(doc, 3), REV_LINE_COMMENT);
    assert_int_equal(kind(doc, 4), REV_LINE_TEXT);
    assert_memory_equal(rev_doc_line(doc, 4)->masked, "    after", 9);
    rev_doc_destroy(&doc);
}

static void keeps_identifiers_unmasked(void **state)
{
    struct rev_doc *doc = parse("Alert on replication_lag_seconds, not **bold** or _em_.\n");
    const struct rev_line *l = rev_doc_line(doc, 0);

    (void)state;
    assert_memory_equal(l->masked, "Alert on replication_lag_seconds, not   bold   or  em .",
                        l->len);
    rev_doc_destroy(&doc);
}

static void front_matter_and_crlf_bom(void **state)
{
    struct rev_doc *doc = parse("\xef\xbb\xbf---\r\ntitle: x\r\n---\r\n# H\r\ntext\r\n");

    (void)state;
    assert_int_equal(rev_doc_nlines(doc), 5);
    assert_int_equal(kind(doc, 0), REV_LINE_META);
    assert_int_equal(kind(doc, 2), REV_LINE_META);
    assert_int_equal(kind(doc, 3), REV_LINE_HEADING);
    assert_int_equal(rev_doc_line(doc, 4)->len, 4);
    rev_doc_destroy(&doc);
}

static void rejects_bad_utf8_and_nul(void **state)
{
    struct rev_doc *doc = NULL;
    char err[512];

    (void)state;
    assert_int_equal(rev_doc_parse("bad.md", "ok\nalso ok\nbad \xc3\x28 byte\n", 22, &doc, err,
                                   sizeof(err)), -EILSEQ);
    assert_null(doc);
    assert_string_equal(err, "bad.md:3: not valid UTF-8 text (or holds a NUL byte)");
    assert_int_equal(rev_doc_parse("nul.md", "a\0b\n", 4, &doc, err, sizeof(err)), -EILSEQ);
    assert_non_null(strstr(err, "nul.md:1:"));
}

static void rejects_oversized(void **state)
{
    size_t big = REV_DOC_MAX + 1;
    char *buf = malloc(big), err[512];
    struct rev_doc *doc = NULL;

    (void)state;
    assert_non_null(buf);
    memset(buf, 'a', big);
    assert_int_equal(rev_doc_parse("big.md", buf, big, &doc, err, sizeof(err)), -E2BIG);
    assert_non_null(strstr(err, "big.md"));
    assert_non_null(strstr(err, "over the limit"));
    memset(buf, '\n', REV_DOC_LINES_MAX + 1);
    assert_int_equal(rev_doc_parse("lines.md", buf, REV_DOC_LINES_MAX + 1, &doc, err,
                                   sizeof(err)), -E2BIG);
    assert_non_null(strstr(err, "lines"));
    assert_null(doc);
    free(buf);
}

static void load_reports_path(void **state)
{
    struct rev_doc *doc = NULL;
    char err[512];

    (void)state;
    assert_int_equal(rev_doc_load("/nonexistent/pm.md", "pm.md", &doc, err, sizeof(err)),
                     -ENOENT);
    assert_non_null(strstr(err, "/nonexistent/pm.md"));
    assert_int_equal(rev_doc_load("/", "root", &doc, err, sizeof(err)), -EISDIR);
}

static void table_cells_and_heading_text(void **state)
{
    struct rev_doc *doc = parse("| a \\| b |  c  ||\n## 3.2 Action items: ##\n");
    struct rev_cell cells[8];
    size_t n = rev_table_cells(rev_doc_line(doc, 0), cells, 8), off, len;

    (void)state;
    assert_int_equal(n, 3);
    assert_int_equal(cells[0].len, 6);
    assert_memory_equal(rev_doc_line(doc, 0)->text + cells[1].off, "c", 1);
    assert_int_equal(cells[2].len, 0);
    rev_line_heading_text(rev_doc_line(doc, 1), &off, &len);
    assert_int_equal(len, 12);
    assert_memory_equal(rev_doc_line(doc, 1)->text + off, "Action items", 12);
    rev_doc_destroy(&doc);
}

static int collect_unit(const struct rev_text *t, void *ud)
{
    unsigned *count = ud;

    assert_true(t->len > 0);
    (*count)++;
    return 0;
}

static void units_and_positions(void **state)
{
    struct rev_doc *doc = parse("# Head\n"
                                "first line of a\n"
                                "paragraph 日本語 here\n"
                                "\n"
                                "- item\n"
                                "  continued\n"
                                "| c1 | c2 |\n");
    struct rev_text t;
    unsigned line, col, count = 0;

    (void)state;
    rev_text_init(&t);
    assert_int_equal(rev_text_add(&t, doc, 1, 0, rev_doc_line(doc, 1)->len, true), 0);
    assert_int_equal(rev_text_add(&t, doc, 2, 0, rev_doc_line(doc, 2)->len, true), 0);
    assert_string_equal(t.s, "first line of a paragraph 日本語 here");
    rev_text_locate(&t, doc, (size_t)(strstr(t.s, "here") - t.s), &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 15);   /* characters, not bytes */
    rev_text_locate(&t, doc, 0, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 1);
    rev_text_free(&t);
    assert_int_equal(rev_doc_units(doc, collect_unit, &count), 0);
    assert_int_equal(count, 5);   /* heading, paragraph, list item, two cells */
    rev_doc_destroy(&doc);
}

static void detects_language(void **state)
{
    (void)state;
    assert_int_equal(rev_detect_lang("plain English", 13), REV_LANG_EN);
    assert_int_equal(rev_detect_lang("ログ", 6), REV_LANG_JA);
    assert_int_equal(rev_detect_lang("DB 障害", 9), REV_LANG_JA);
}

static void folds_and_caps_text(void **state)
{
    char *s = rev_fold("  a \t b\n c  ", 12, 100);
    char *cut = rev_fold("日本語テキスト", 21, 7);

    (void)state;
    assert_string_equal(s, "a b c");
    assert_string_equal(cut, "日本\xe2\x80\xa6");
    free(s);
    free(cut);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(classifies_lines),
    cmocka_unit_test(masks_quotes_code_comments),
    cmocka_unit_test(keeps_identifiers_unmasked),
    cmocka_unit_test(front_matter_and_crlf_bom),
    cmocka_unit_test(rejects_bad_utf8_and_nul),
    cmocka_unit_test(rejects_oversized),
    cmocka_unit_test(load_reports_path),
    cmocka_unit_test(table_cells_and_heading_text),
    cmocka_unit_test(units_and_positions),
    cmocka_unit_test(detects_language),
    cmocka_unit_test(folds_and_caps_text),
};

TEST_MAIN(tests)

/* rnd_html.c - Markdown to a standalone HTML page with libcmark-gfm.
 *
 * The draft is written once, in Markdown; `--format html` and
 * GET /api/v1/incidents/ID/draft.html show the same document rendered by a
 * real CommonMark implementation, so what reviewers see in a browser is
 * what the Markdown says.  The page embeds a small stylesheet (readable
 * width, bordered tables, highlighted "for humans" prompts) and the
 * visual timeline (rnd_svg.h) inline, and needs no network access.
 *
 * Design notes:
 *  - The parser and its extensions come from common/iq_md.h, which fills
 *    cmark-gfm's global registry once, so the daemon's HTTP threads can
 *    render concurrently.
 *  - CMARK_OPT_UNSAFE is not set: raw HTML and javascript: links in event
 *    text (already escaped by the template) cannot reach the page. */
#include "rnd_html.h"
#include "iq_buf.h"
#include "rnd_svg.h"
#include "iq_md.h"
#include "rnd_tmpl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char stylesheet[] =
    "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,'Noto Sans','Noto Sans CJK JP',"
    "sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1f2328}\n"
    "h1{border-bottom:1px solid #d0d7de;padding-bottom:.3rem}\n"
    "h2{border-bottom:1px solid #eaecef;padding-bottom:.2rem;margin-top:2rem}\n"
    "table{border-collapse:collapse;margin:1rem 0;display:block;overflow-x:auto}\n"
    "th,td{border:1px solid #d0d7de;padding:.3rem .7rem;vertical-align:top}\n"
    "th{background:#f6f8fa}\n"
    "tr:nth-child(2n) td{background:#fbfcfd}\n"
    "blockquote{margin:1rem 0;padding:.4rem 1rem;border-left:.25rem solid #d4a72c;"
    "background:#fff8c5;color:#3b2300}\n"
    "code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}\n"
    "ul.contains-task-list,li.task-list-item{list-style:none}\n"
    "a{color:#0969da}\n"
    "figure.iq-timeline-wrap{margin:1rem 0;overflow-x:auto}\n"
    "@media print{figure.iq-timeline-wrap{overflow:visible}}\n";

/* Parse md with the extensions and render the body. Caller frees. */
static char *md_to_body(const char *md, size_t len)
{
    cmark_parser *parser;
    cmark_node *doc;
    char *html = NULL;

    parser = iq_md_parser_new(CMARK_OPT_DEFAULT);
    if (!parser)
        return NULL;
    cmark_parser_feed(parser, md, len);
    doc = cmark_parser_finish(parser);
    if (doc)
        html = cmark_render_html(doc, CMARK_OPT_DEFAULT, cmark_parser_get_syntax_extensions(parser));
    cmark_node_free(doc);
    cmark_parser_free(parser);
    return html;
}

/* The article: body with the timeline in place of its block (or first);
 * without a timeline, the block dropped. */
static int add_article(struct iq_buf *b, const char *body, const char *svg, size_t svg_len)
{
    static const char block[] = "<pre><code class=\"language-" RND_HTML_TIMELINE_LANG "\"></code></pre>\n";
    const char *at = strstr(body, block);
    size_t head = at ? (size_t)(at - body) : svg ? 0 : strlen(body);
    int r;

    if ((r = iq_buf_add(b, body, head)) < 0)
        return r;
    if (svg && ((r = iq_buf_adds(b, "<figure class=\"iq-timeline-wrap\">")) < 0 ||
                (r = iq_buf_add(b, svg, svg_len)) < 0 || (r = iq_buf_adds(b, "</figure>\n")) < 0))
        return r;
    if (at)
        return iq_buf_adds(b, at + strlen(block));
    return svg ? iq_buf_adds(b, body) : 0;
}

int rnd_html_article(struct iq_buf *b, const char *md, size_t len, const char *svg,
                     size_t svg_len)
{
    char *body = md_to_body(md, len);
    int r;

    if (!body)
        return -ENOMEM;
    r = add_article(b, body, svg, svg_len);
    free(body);
    return r;
}

int rnd_html_page(const char *md, size_t len, const char *title, const char *svg, size_t svg_len,
                  size_t max_out, char **ret, size_t *ret_len)
{
    const char *t = title ? title : "Postmortem draft";
    struct iq_buf b;
    char *page;
    int r;

    iq_buf_init(&b, max_out ? max_out : RND_OUT_MAX_DEFAULT);
    if ((r = iq_buf_adds(&b, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
                              "<meta name=\"viewport\" content=\"width=device-width, "
                              "initial-scale=1\">\n<title>")) < 0 ||
        (r = rnd_xml_escape(&b, t, strlen(t))) < 0 ||
        (r = iq_buf_adds(&b, "</title>\n<style>\n")) < 0 ||
        (r = iq_buf_adds(&b, stylesheet)) < 0 ||
        (r = iq_buf_adds(&b, "</style>\n</head>\n<body>\n<article>\n")) < 0 ||
        (r = rnd_html_article(&b, md, len, svg, svg_len)) < 0 ||
        (r = iq_buf_adds(&b, "</article>\n</body>\n</html>\n")) < 0) {
        if (r == -ENOBUFS)
            r = -E2BIG;   /* the page is over max_out (rnd_html.h) */
        goto out;
    }
    r = -ENOMEM;
    if (!(page = iq_buf_take(&b, ret_len)))
        goto out;
    *ret = page;
    r = 0;
out:
    iq_buf_free(&b);
    return r;
}

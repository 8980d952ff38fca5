/* rnd_html.h - a draft's Markdown as a standalone HTML page.
 *
 * Rendered by libcmark-gfm with the GitHub extensions (tables, task lists,
 * strikethrough, autolinks), wrapped in a page with a small embedded
 * stylesheet.  Raw HTML inside the Markdown is not passed through. */
#ifndef RND_HTML_H
#define RND_HTML_H

#include <stddef.h>

/* The fenced block a template writes where the visual timeline goes in
 * the HTML draft: ```iq-timeline followed by ``` (event text cannot make
 * one: the Markdown escaping folds newlines and escapes backticks). */
#define RND_HTML_TIMELINE_LANG "iq-timeline"

struct iq_buf;

/* Append to b the article of a draft: len bytes of Markdown md rendered
 * (the body of rnd_html_page, without the page around it), with svg
 * (svg_len bytes) in place of the template's iq-timeline block, or first
 * when it has none; svg NULL drops the block (a page that shows the
 * timeline elsewhere: the web UI).  0, -ENOBUFS past b's cap, -ENOMEM. */
int rnd_html_article(struct iq_buf *b, const char *md, size_t len, const char *svg,
                     size_t svg_len);

/* Render len bytes of Markdown md as a full HTML page titled title
 * (borrowed, escaped).  svg (svg_len bytes, may be NULL) is the visual
 * timeline's inline markup, put in place of the template's iq-timeline
 * block, or at the top of the page when the template has none.  Caller
 * owns *ret (NUL-terminated, free()).  -ENOMEM, -E2BIG (over max_out
 * bytes; 0 for the default cap). */
int rnd_html_page(const char *md, size_t len, const char *title, const char *svg, size_t svg_len,
                  size_t max_out, char **ret, size_t *ret_len);

#endif

/* rnd_html.h - a draft's Markdown as a standalone HTML page.
 *
 * Rendered by libcmark-gfm with the GitHub extensions (tables, task lists,
 * strikethrough, autolinks), wrapped in a page with a small embedded
 * stylesheet.  Raw HTML inside the Markdown is not passed through. */
#ifndef RND_HTML_H
#define RND_HTML_H

#include <stddef.h>

/* Render len bytes of Markdown md as a full HTML page titled title
 * (borrowed, escaped).  Caller owns *ret (NUL-terminated, free()).
 * -ENOMEM, -E2BIG (over max_out bytes; 0 for the default cap). */
int rnd_html_page(const char *md, size_t len, const char *title, size_t max_out, char **ret,
                  size_t *ret_len);

#endif

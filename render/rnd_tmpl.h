/* rnd_tmpl.h - a small logic-less template language (a subset of Mustache)
 * over a JSON context.
 *
 * Supported (docs/templates.md has the full description):
 *   {{name}} {{a.b.c}} {{.}}   variable, escaped for the output format
 *   {{{name}}} {{& name}}      variable, unescaped
 *   {{#name}}...{{/name}}      section: once per list item, once for an
 *                              object or other truthy value (pushed on the
 *                              context stack), skipped when falsy
 *   {{^name}}...{{/name}}      inverted section: rendered when falsy
 *   {{! comment }}             comment
 * Falsy: missing, null, false, "", [] .  Names are looked up through the
 * context stack, innermost first; a dotted name resolves its first part
 * that way and the rest inside it.  Section, inverted, closing and comment
 * tags alone on a line remove that whole line ("standalone" tags), so a
 * Markdown table can be written one row per line.  Partials and
 * set-delimiter tags are refused at compile time.
 *
 * A compiled template is immutable and may be rendered concurrently. */
#ifndef RND_TMPL_H
#define RND_TMPL_H

#include <stddef.h>
#include <jansson.h>

struct rnd_tmpl;

enum rnd_escape {
    RND_ESC_NONE = 0,   /* values copied as they are */
    RND_ESC_MD,         /* Markdown: punctuation backslash-escaped, newlines folded */
    RND_ESC_HTML,       /* HTML: & < > " ' as entities */
};

#define RND_TMPL_SRC_MAX   (1024 * 1024)   /* bytes of template text */
#define RND_TMPL_DEPTH_MAX 32              /* nesting of sections */
#define RND_OUT_MAX_DEFAULT (16 * 1024 * 1024)

/* Compile len bytes of src.  name (borrowed, copied) is used in messages.
 * On success *ret is set (caller owns, rnd_tmpl_destroy).  On a malformed
 * template returns -EINVAL and writes e.g.
 *   "template 'default' line 12 col 3: unclosed section 'timeline'"
 * to err; -E2BIG for a template over RND_TMPL_SRC_MAX; -ENOMEM. */
int rnd_tmpl_compile(const char *src, size_t len, const char *name, struct rnd_tmpl **ret,
                     char *err, size_t errsz);

/* Read a template file (bounded) and compile it; name is the path. */
int rnd_tmpl_load_file(const char *path, struct rnd_tmpl **ret, char *err, size_t errsz);

/* Render with ctx (borrowed) as the root of the context stack.  The output
 * is capped at max_out bytes (0: RND_OUT_MAX_DEFAULT).  On success *ret
 * (caller owns, NUL-terminated) and *ret_len are set.  -E2BIG when the
 * output would pass the cap (err says so), -ENOMEM. */
int rnd_tmpl_render(const struct rnd_tmpl *t, const json_t *ctx, enum rnd_escape esc,
                    size_t max_out, char **ret, size_t *ret_len, char *err, size_t errsz);

/* Free; NULLs the caller's pointer.  NULL-safe. */
void rnd_tmpl_destroy(struct rnd_tmpl **pt);

#endif

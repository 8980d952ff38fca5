/* rnd_tmpl_render.c - renders a compiled template over a JSON context.
 *
 * Walks the token array of rnd_tmpl_int.h with a context stack of JSON
 * values (borrowed from the caller's tree, never copied) and writes into a
 * capped buffer, escaping every value for the output format: Markdown
 * (backslash before the punctuation that could start emphasis, code, links,
 * HTML, headings, lists or end a table cell; newlines folded to spaces so a
 * value stays inside its table row) or HTML (entities).  Text written by
 * the template itself is copied as it is.
 *
 * Design notes:
 *  - Missing names render as nothing and are falsy; a template made for a
 *    richer context still renders against a poorer one.
 *  - The stack depth is bounded by the compiler's nesting limit, so render
 *    needs no allocation besides the output. */
#include "rnd_tmpl.h"
#include "rnd_tmpl_int.h"
#include "iq_buf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct render {
    const struct rnd_tmpl *t;
    const json_t *stack[RND_TMPL_DEPTH_MAX + 1];
    unsigned depth;
    enum rnd_escape esc;
    struct iq_buf out;
};

/* Find key [k, k+kl) in object o (jansson keys are NUL-terminated). */
static json_t *get_n(const json_t *o, const char *k, size_t kl)
{
    char key[256];

    if (!json_is_object(o) || kl >= sizeof(key))
        return NULL;
    memcpy(key, k, kl);
    key[kl] = '\0';
    return json_object_get(o, key);
}

/* Resolve a possibly dotted name through the context stack. */
static const json_t *lookup(const struct render *r, const char *name, size_t nl)
{
    const char *dot = memchr(name, '.', nl);
    size_t first = dot ? (size_t)(dot - name) : nl;
    const json_t *v = NULL;

    if (nl == 1 && name[0] == '.')
        return r->stack[r->depth - 1];
    for (unsigned i = r->depth; i-- > 0 && !v;)
        v = get_n(r->stack[i], name, first);
    while (v && dot) {
        const char *part = dot + 1;
        size_t left = nl - (size_t)(part - name);

        dot = memchr(part, '.', left);
        v = get_n(v, part, dot ? (size_t)(dot - part) : left);
    }
    return v;
}

static bool truthy(const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return false;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    return true;
}

/* Markdown: escape so the value reads literally wherever it lands. */
static int put_md(struct iq_buf *b, const char *s, size_t n)
{
    bool line_start = b->len == 0 || iq_buf_last(b) == '\n';
    int r = 0;

    for (size_t i = 0; i < n && r == 0; i++) {
        char c = s[i];

        if (c == '\n' || c == '\r' || c == '\t') {
            r = iq_buf_addc(b, ' ');
        } else if (strchr("\\`*_[]<>|#&~!", c) ||
                   (line_start && strchr("-+=", c))) {
            r = iq_buf_addc(b, '\\');
            if (r == 0)
                r = iq_buf_addc(b, c);
        } else {
            r = iq_buf_addc(b, c);
        }
        line_start = false;
    }
    return r;
}

static int put_html(struct iq_buf *b, const char *s, size_t n)
{
    int r = 0;

    for (size_t i = 0; i < n && r == 0; i++) {
        switch (s[i]) {
        case '&': r = iq_buf_adds(b, "&amp;"); break;
        case '<': r = iq_buf_adds(b, "&lt;"); break;
        case '>': r = iq_buf_adds(b, "&gt;"); break;
        case '"': r = iq_buf_adds(b, "&quot;"); break;
        case '\'': r = iq_buf_adds(b, "&#39;"); break;
        default: r = iq_buf_addc(b, s[i]); break;
        }
    }
    return r;
}

/* Write a scalar value; lists, objects and null write nothing. */
static int put_value(struct render *r, const json_t *v, bool raw)
{
    char num[64];
    const char *s = NULL;
    size_t n = 0;

    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_integer(v)) {
        n = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = num;
    } else if (json_is_real(v)) {
        n = (size_t)snprintf(num, sizeof(num), "%g", json_real_value(v));
        s = num;
    } else if (json_is_boolean(v)) {
        s = json_is_true(v) ? "true" : "false";
        n = strlen(s);
    }
    if (!s)
        return 0;
    if (raw || r->esc == RND_ESC_NONE)
        return iq_buf_add(&r->out, s, n);
    return r->esc == RND_ESC_MD ? put_md(&r->out, s, n) : put_html(&r->out, s, n);
}

static int render_range(struct render *r, size_t from, size_t to);

/* Render a section's body once with v pushed on the stack. */
static int render_with(struct render *r, const json_t *v, size_t from, size_t to)
{
    int rc;

    if (r->depth > RND_TMPL_DEPTH_MAX)
        return -ELOOP;   /* unreachable: the compiler bounds nesting */
    r->stack[r->depth++] = v;
    rc = render_range(r, from, to);
    r->depth--;
    return rc;
}

static int render_section(struct render *r, const struct rnd_tok *tk, size_t i)
{
    const json_t *v = lookup(r, r->t->src + tk->off, tk->len);
    int rc = 0;

    if (tk->type == RND_TOK_INVERTED)
        return truthy(v) ? 0 : render_range(r, i + 1, tk->end);
    if (!truthy(v))
        return 0;
    if (!json_is_array(v))
        return render_with(r, v, i + 1, tk->end);
    for (size_t k = 0; k < json_array_size(v) && rc == 0; k++)
        rc = render_with(r, json_array_get(v, k), i + 1, tk->end);
    return rc;
}

static int render_range(struct render *r, size_t from, size_t to)
{
    const struct rnd_tmpl *t = r->t;
    int rc = 0;

    for (size_t i = from; i < to && rc == 0;) {
        const struct rnd_tok *tk = &t->toks[i];

        switch (tk->type) {
        case RND_TOK_TEXT:
            rc = iq_buf_add(&r->out, t->src + tk->off, tk->len);
            i++;
            break;
        case RND_TOK_VAR:
        case RND_TOK_RAW:
            rc = put_value(r, lookup(r, t->src + tk->off, tk->len), tk->type == RND_TOK_RAW);
            i++;
            break;
        case RND_TOK_SECTION:
        case RND_TOK_INVERTED:
            rc = render_section(r, tk, i);
            i = tk->end;
            break;
        }
    }
    return rc;
}

int rnd_tmpl_render(const struct rnd_tmpl *t, const json_t *ctx, enum rnd_escape esc,
                    size_t max_out, char **ret, size_t *ret_len, char *err, size_t errsz)
{
    struct render r = { .t = t, .esc = esc };
    char *s;
    int rc;

    iq_buf_init(&r.out, max_out ? max_out : RND_OUT_MAX_DEFAULT);
    r.stack[r.depth++] = ctx;
    rc = render_range(&r, 0, t->n);
    if (rc == -ENOBUFS)
        rc = -E2BIG;   /* the output is over max_out (rnd_tmpl.h) */
    if (rc < 0) {
        if (err && errsz)
            snprintf(err, errsz, "template '%s': %s", t->name,
                     rc == -E2BIG ? "output larger than the limit" : strerror(-rc));
        iq_buf_free(&r.out);
        return rc;
    }
    s = iq_buf_take(&r.out, ret_len);
    if (!s)
        return -ENOMEM;
    *ret = s;
    return 0;
}

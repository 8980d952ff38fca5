/* rnd_tmpl.c - compiler of the Mustache-subset template language.
 *
 * Turns template text into the flat token array of rnd_tmpl_int.h and
 * refuses anything malformed with the line and column of the offending
 * tag: an unclosed tag, an unclosed section, a closing tag that does not
 * match the open section, an empty or invalid name, a partial or a
 * set-delimiter tag, or sections nested deeper than RND_TMPL_DEPTH_MAX.
 * Templates are given by teams (`--template FILE`), so they are untrusted
 * input: the size is capped and no error leaves a half-built template.
 *
 * Design notes:
 *  - Standalone tags (section, inverted, closing, comment alone on a line
 *    with only blanks around them) swallow their line, as the Mustache
 *    specification says; without that a Markdown table written with one
 *    section per line would get blank lines that end the table.
 *  - Names are kept as offsets into the owned copy of the source, so a
 *    token is three integers and the renderer never allocates for names. */
#include "rnd_tmpl.h"
#include "rnd_tmpl_int.h"
#include "iq_buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    struct rnd_tmpl *t;
    size_t open[RND_TMPL_DEPTH_MAX];   /* token index of each open section */
    size_t open_at[RND_TMPL_DEPTH_MAX];/* source offset of its tag */
    unsigned depth;
    char *err;
    size_t errsz;
};

/* Write "template 'NAME' line L col C: MSG" for source offset off. */
static int fail_at(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(struct parser *p, size_t off, const char *fmt, ...)
{
    unsigned line = 1, col = 1;
    char msg[256];
    va_list ap;

    for (size_t i = 0; i < off && i < p->t->src_len; i++) {
        if (p->t->src[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)p->t->src[i] & 0xC0) != 0x80) {
            col++;   /* count characters, not UTF-8 continuation bytes */
        }
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (p->err && p->errsz)
        snprintf(p->err, p->errsz, "template '%s' line %u col %u: %s", p->t->name, line, col, msg);
    return -EINVAL;
}

static int push_tok(struct rnd_tmpl *t, enum rnd_tok_type type, size_t off, size_t len)
{
    struct rnd_tok *nt = iq_array_grow(t->toks, t->n, &t->cap, sizeof(*nt), 64);

    if (!nt)
        return -ENOMEM;
    t->toks = nt;
    t->toks[t->n++] = (struct rnd_tok){ .type = type, .off = off, .len = len, .end = 0 };
    return 0;
}

static bool name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c >= 0x80;
}

/* A name is "." or dot-separated non-empty parts of name characters. */
static bool valid_name(const char *s, size_t n)
{
    bool part = false;

    if (n == 1 && s[0] == '.')
        return true;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (!part)
                return false;
            part = false;
        } else if (name_char((unsigned char)s[i])) {
            part = true;
        } else {
            return false;
        }
    }
    return part;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* If the tag [ts, te) is alone on its line, set *line_start and *next (the
 * offset after its newline) and return true.  pos is where the pending text
 * began: a line start before pos means another tag shares the line. */
static bool standalone(const struct rnd_tmpl *t, size_t pos, size_t ts, size_t te,
                       size_t *line_start, size_t *next)
{
    size_t i = ts, j = te;

    while (i > pos && blank(t->src[i - 1]))
        i--;
    if (i > 0 && t->src[i - 1] != '\n')
        return false;
    while (j < t->src_len && blank(t->src[j]))
        j++;
    if (j < t->src_len && t->src[j] == '\r' && j + 1 < t->src_len && t->src[j + 1] == '\n')
        j++;
    if (j < t->src_len && t->src[j] != '\n')
        return false;
    *line_start = i;
    *next = j < t->src_len ? j + 1 : j;
    return true;
}

/* Handle the section-structure tags: #, ^ and /.  name at [no, no+nl). */
static int structure_tag(struct parser *p, char sigil, size_t ts, size_t no, size_t nl)
{
    struct rnd_tmpl *t = p->t;
    size_t idx;
    int r;

    if (sigil == '/') {
        if (p->depth == 0)
            return fail_at(p, ts, "closing tag '{{/%.*s}}' without an open section", (int)nl,
                           t->src + no);
        idx = p->open[p->depth - 1];
        if (t->toks[idx].len != nl || memcmp(t->src + t->toks[idx].off, t->src + no, nl) != 0)
            return fail_at(p, ts, "closing tag '{{/%.*s}}' does not match open section '%.*s'",
                           (int)nl, t->src + no, (int)t->toks[idx].len, t->src + t->toks[idx].off);
        t->toks[idx].end = t->n;
        p->depth--;
        return 0;
    }
    if (p->depth == RND_TMPL_DEPTH_MAX)
        return fail_at(p, ts, "sections nested deeper than %d", RND_TMPL_DEPTH_MAX);
    r = push_tok(t, sigil == '#' ? RND_TOK_SECTION : RND_TOK_INVERTED, no, nl);
    if (r < 0)
        return r;
    p->open[p->depth] = t->n - 1;
    p->open_at[p->depth] = ts;
    p->depth++;
    return 0;
}

/* A parsed tag: its sigil ('\0' for a plain variable) and name. */
struct tag {
    char sigil;
    size_t no, nl;       /* name offset and length in the source */
};

/* Parse the tag starting at ts ("{{").  Sets *ret_next to where parsing
 * continues and may shorten the pending text [pos, ts) to *ret_text_end.
 * Variables become tokens here; for section-structure tags returns 1 with
 * *tag filled, so the caller can add the pending text first. */
static int parse_tag(struct parser *p, size_t pos, size_t ts, size_t *ret_text_end,
                     size_t *ret_next, struct tag *tag)
{
    struct rnd_tmpl *t = p->t;
    const char *s = t->src, *close;
    size_t cs = ts + 2, te, no, nl, ls, nx;
    char sigil = cs < t->src_len ? s[cs] : '\0';
    bool triple = sigil == '{';

    close = memmem(s + cs, t->src_len - cs, triple ? "}}}" : "}}", triple ? 3 : 2);
    if (!close)
        return fail_at(p, ts, "unclosed tag: no '%s' after '{{'", triple ? "}}}" : "}}");
    te = (size_t)(close - s) + (triple ? 3 : 2);
    if (strchr("{&#^/!", sigil) && sigil)
        cs++;
    else if (sigil == '>' || sigil == '=')
        return fail_at(p, ts, "%s tags are not supported", sigil == '>' ? "partial" : "set-delimiter");
    else
        sigil = '\0';
    no = cs;
    nl = (size_t)(close - s) - cs;
    while (nl && (blank(s[no]) || s[no] == '\n' || s[no] == '\r')) {
        no++;
        nl--;
    }
    while (nl && (blank(s[no + nl - 1]) || s[no + nl - 1] == '\n' || s[no + nl - 1] == '\r'))
        nl--;
    *ret_text_end = ts;
    *ret_next = te;
    if (sigil == '!' || sigil == '#' || sigil == '^' || sigil == '/') {
        if (standalone(t, pos, ts, te, &ls, &nx)) {
            *ret_text_end = ls;
            *ret_next = nx;
        }
    }
    if (sigil == '!')
        return 0;
    if (!valid_name(s + no, nl))
        return fail_at(p, ts, nl ? "invalid name '%.*s' in tag" : "empty name in tag%.*s",
                       (int)nl, s + no);
    if (sigil == '#' || sigil == '^' || sigil == '/') {
        *tag = (struct tag){ .sigil = sigil, .no = no, .nl = nl };
        return 1;
    }
    return push_tok(t, sigil ? RND_TOK_RAW : RND_TOK_VAR, no, nl);
}

static int parse(struct parser *p)
{
    struct rnd_tmpl *t = p->t;
    size_t pos = 0, text_end = 0, next = 0;
    struct tag tag = { 0 };
    const char *open;
    int r;

    while (pos < t->src_len) {
        open = memmem(t->src + pos, t->src_len - pos, "{{", 2);
        if (!open) {
            if ((r = push_tok(t, RND_TOK_TEXT, pos, t->src_len - pos)) < 0)
                return r;
            break;
        }
        size_t ts = (size_t)(open - t->src);
        size_t pending = t->n;

        /* Reserve the text token's place before the tag's own token. */
        if ((r = push_tok(t, RND_TOK_TEXT, pos, 0)) < 0)
            return r;
        r = parse_tag(p, pos, ts, &text_end, &next, &tag);
        if (r < 0)
            return r;
        t->toks[pending].len = text_end - pos;
        if (r == 1 && (r = structure_tag(p, tag.sigil, ts, tag.no, tag.nl)) < 0)
            return r;
        pos = next;
    }
    if (p->depth)
        return fail_at(p, p->open_at[p->depth - 1], "unclosed section '%.*s'",
                       (int)t->toks[p->open[p->depth - 1]].len,
                       t->src + t->toks[p->open[p->depth - 1]].off);
    return 0;
}

int rnd_tmpl_compile(const char *src, size_t len, const char *name, struct rnd_tmpl **ret,
                     char *err, size_t errsz)
{
    struct parser p = { .err = err, .errsz = errsz };
    struct rnd_tmpl *t = NULL;
    int r = -ENOMEM;

    if (len > RND_TMPL_SRC_MAX) {
        if (err && errsz)
            snprintf(err, errsz, "template '%s': larger than %d bytes", name, RND_TMPL_SRC_MAX);
        return -E2BIG;
    }
    t = calloc(1, sizeof(*t));
    if (!t)
        goto out;
    t->name = strdup(name ? name : "(template)");
    t->src = malloc(len + 1);
    if (!t->name || !t->src)
        goto out;
    memcpy(t->src, src, len);
    t->src[len] = '\0';
    t->src_len = len;
    if (memchr(src, '\0', len)) {
        p.t = t;
        r = fail_at(&p, (size_t)((const char *)memchr(src, '\0', len) - src), "NUL byte in template");
        goto out;
    }
    p.t = t;
    if ((r = parse(&p)) < 0)
        goto out;
    *ret = t;
    t = NULL;
    r = 0;
out:
    if (r == -ENOMEM && err && errsz)
        snprintf(err, errsz, "template '%s': out of memory", name ? name : "(template)");
    rnd_tmpl_destroy(&t);
    return r;
}

int rnd_tmpl_load_file(const char *path, struct rnd_tmpl **ret, char *err, size_t errsz)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0;
    int r;

    if (!f) {
        r = -errno;
        snprintf(err, errsz, "template '%s': %s", path, strerror(errno));
        return r;
    }
    buf = malloc(RND_TMPL_SRC_MAX + 1);
    if (!buf) {
        r = -ENOMEM;
        snprintf(err, errsz, "template '%s': out of memory", path);
        goto out;
    }
    n = fread(buf, 1, RND_TMPL_SRC_MAX + 1, f);
    if (ferror(f)) {
        r = -EIO;
        snprintf(err, errsz, "template '%s': read error", path);
        goto out;
    }
    r = rnd_tmpl_compile(buf, n, path, ret, err, errsz);
out:
    free(buf);
    fclose(f);
    return r;
}

void rnd_tmpl_destroy(struct rnd_tmpl **pt)
{
    struct rnd_tmpl *t;

    if (!pt || !*pt)
        return;
    t = *pt;
    free(t->name);
    free(t->src);
    free(t->toks);
    free(t);
    *pt = NULL;
}

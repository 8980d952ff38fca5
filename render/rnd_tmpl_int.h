/* rnd_tmpl_int.h - compiled form of a template, shared by the compiler
 * (rnd_tmpl.c) and the renderer (rnd_tmpl_render.c).  Not for other
 * modules.
 *
 * A template compiles to a flat array of tokens.  A section token at index
 * i owns the tokens i+1 .. end-1; the closing tag leaves no token. */
#ifndef RND_TMPL_INT_H
#define RND_TMPL_INT_H

#include <stddef.h>
#include <stdint.h>

enum rnd_tok_type {
    RND_TOK_TEXT = 0,   /* literal text src[off, off+len) */
    RND_TOK_VAR,        /* escaped variable; name is src[off, off+len) */
    RND_TOK_RAW,        /* unescaped variable */
    RND_TOK_SECTION,    /* {{#name}} */
    RND_TOK_INVERTED,   /* {{^name}} */
};

struct rnd_tok {
    enum rnd_tok_type type;
    size_t off, len;
    size_t end;         /* sections: index just past the section's tokens */
};

struct rnd_tmpl {
    char *name;
    char *src;              /* owned copy of the template text */
    size_t src_len;
    struct rnd_tok *toks;
    size_t n, cap;
};

#endif

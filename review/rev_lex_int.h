/* rev_lex_int.h - internals shared by rev_lex.c (the lexicon: parse,
 * write, find an entry in a text) and rev_lexfeat.c (the class features of
 * a text).  Not for use outside review/rev_lex*.c. */
#ifndef REV_LEX_INT_H
#define REV_LEX_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rev_lex.h"

#define LEX_CLASS_NAME_MAX 16

struct lex_entry {
    char s[REV_LEX_ENTRY_MAX + 1]; /* folded; '_' of the file became ' ' */
    unsigned char len;
    unsigned char cls;
    bool word;                     /* ASCII alnum start: whole words only */
};

struct rev_lex {
    char cls[REV_LEX_CLASSES_MAX][LEX_CLASS_NAME_MAX + 1];
    unsigned ncls;
    struct lex_entry *e;           /* sorted by first byte, entry, class */
    size_t n;
    size_t start[257];             /* entries of first byte b: [start[b], start[b+1]) */
    uint32_t agents;               /* %agents: classes that can be a subject */
    uint32_t negation;             /* %negation: classes that negate */
    uint32_t negatable;            /* %negatable: classes a negation can cover */
    int capitalised;               /* %capitalised: the class names join, or -1 */
};

/* ASCII lower-case letter or digit (the folded word characters). */
static inline bool lex_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The longest entry matching folded text t (len bytes) at i, or NULL; the
 * entries of the same text in other classes follow it in lx->e. */
const struct lex_entry *lex_match(const struct rev_lex *lx, const char *t, size_t len,
                                  size_t i);

/* Bytes of the n UTF-8 characters starting at t[i] (fewer at the end),
 * and of the n characters ending before t[i]. */
size_t lex_chars_fwd(const char *t, size_t len, size_t i, int n);
size_t lex_chars_back(const char *t, size_t i, int n);

#endif

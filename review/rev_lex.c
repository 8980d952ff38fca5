/* rev_lex.c - word classes for the lint model: parse the lexicon, find its
 * entries in a text, and turn each occurrence into class features.
 *
 * The lexicon is small (a few hundred entries) and texts are sentences, so
 * matching is a scan of the text with, at each character, a look at the
 * entries that start with that byte (entries are kept sorted by first byte,
 * with an index of where each byte's run starts); the longest entry wins
 * and the scan resumes after it.  No allocation per text beyond the
 * features themselves.
 *
 * Features of an occurrence of class C (each hashed with its own kind byte,
 * see rev_feats_add):
 *   'k'  C                      the class is present
 *   'r'  C + next 1..3 chars    "ROLE's", "ROLE fo", "ROLEのせ"
 *   'l'  prev 1..2 chars + C    "によ"+nothing: "by ROLE" as " by "+C
 *   'n'  C + next word          English: "ROLE forgot"
 *   'p'  previous word + C      English: "by ROLE"
 * and, once per text, 'q' Ca + Cb for every pair of classes present. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rev_file.h"
#include "rev_lex.h"

/* ---- the feature vector (rev_model.h), filled by the lexicon and by
 * rev_model.c ---- */

/* FNV-1a over the prefix byte, a separator and len bytes of s. */
static uint32_t hash(char prefix, const char *s, size_t len)
{
    uint32_t h = 2166136261u;

    h = (h ^ (unsigned char)prefix) * 16777619u;
    h = (h ^ 0x1fu) * 16777619u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

void rev_feats_init(struct rev_feats *f)
{
    f->idx = NULL;
    f->n = f->cap = 0;
}

void rev_feats_free(struct rev_feats *f)
{
    free(f->idx);
    rev_feats_init(f);
}

static int feats_push(struct rev_feats *f, uint32_t idx)
{
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 256;
        uint32_t *ni = realloc(f->idx, ncap * sizeof(*ni));

        if (!ni)
            return -ENOMEM;
        f->idx = ni;
        f->cap = ncap;
    }
    f->idx[f->n++] = idx;
    return 0;
}

int rev_feats_add(struct rev_feats *f, char kind, const char *s, size_t len, uint32_t mask)
{
    return feats_push(f, hash(kind, s, len) & mask);
}

#define CLASS_NAME_MAX 16
#define CTX_WORD_MAX 24

struct entry {
    char s[REV_LEX_ENTRY_MAX + 1];
    unsigned char len;
    unsigned char cls;
    bool word;                      /* ASCII alnum start: whole words only */
};

struct rev_lex {
    char cls[REV_LEX_CLASSES_MAX][CLASS_NAME_MAX + 1];
    unsigned ncls;
    struct entry *e;                /* sorted by first byte after each add */
    size_t n;
    size_t start[257];              /* entries of first byte b: [start[b], start[b+1]) */
};

static bool alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

struct rev_lex *rev_lex_new(void)
{
    return calloc(1, sizeof(struct rev_lex));
}

void rev_lex_destroy(struct rev_lex **plx)
{
    if (!plx || !*plx)
        return;
    free((*plx)->e);
    free(*plx);
    *plx = NULL;
}

size_t rev_lex_size(const struct rev_lex *lx)
{
    return lx ? lx->n : 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = (unsigned char)x->s[0] - (unsigned char)y->s[0];

    return c ? c : strcmp(x->s, y->s);
}

static void reindex(struct rev_lex *lx)
{
    size_t i = 0;

    qsort(lx->e, lx->n, sizeof(*lx->e), cmp_entry);
    for (unsigned b = 0; b <= 256; b++) {
        while (i < lx->n && (unsigned char)lx->e[i].s[0] < b)
            i++;
        lx->start[b] = i;
    }
}

/* The class id of name, adding it when new; -1 when there are too many. */
static int class_id(struct rev_lex *lx, const char *name, size_t len)
{
    for (unsigned i = 0; i < lx->ncls; i++)
        if (strlen(lx->cls[i]) == len && memcmp(lx->cls[i], name, len) == 0)
            return (int)i;
    if (lx->ncls == REV_LEX_CLASSES_MAX)
        return -1;
    memcpy(lx->cls[lx->ncls], name, len);
    lx->cls[lx->ncls][len] = '\0';
    return (int)lx->ncls++;
}

static bool class_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > CLASS_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '-'))
            return false;
    return true;
}

/* Count the entries of line s (after the class name). */
static size_t count_words(const char *s)
{
    size_t n = 0;

    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        n++;
        while (*s && *s != ' ' && *s != '\t')
            s++;
    }
    return n;
}

int rev_lex_add_line(struct rev_lex *lx, const char *line, char *err, size_t errsz)
{
    const char *s = line, *name;
    size_t nl, add, at;
    struct entry *ne;
    int cls;

    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0' || *s == '#')
        return 0;
    name = s;
    while (*s && *s != ' ' && *s != '\t')
        s++;
    nl = (size_t)(s - name);
    if (!class_name_ok(name, nl))
        return snprintf(err, errsz, "bad class name (1 to 16 of [a-z-])"), -EINVAL;
    add = count_words(s);
    if (lx->n + add > REV_LEX_ENTRIES_MAX)
        return snprintf(err, errsz, "more than %d entries", REV_LEX_ENTRIES_MAX), -EINVAL;
    cls = class_id(lx, name, nl);
    if (cls < 0)
        return snprintf(err, errsz, "more than %d classes", REV_LEX_CLASSES_MAX), -EINVAL;
    ne = realloc(lx->e, (lx->n + add + 1) * sizeof(*ne));
    if (!ne)
        return -ENOMEM;
    lx->e = ne;
    at = lx->n;
    while (*s) {
        const char *w;
        size_t wl;

        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        w = s;
        while (*s && *s != ' ' && *s != '\t')
            s++;
        wl = (size_t)(s - w);
        if (wl > REV_LEX_ENTRY_MAX)
            return snprintf(err, errsz, "entry longer than %d bytes", REV_LEX_ENTRY_MAX),
                   -EINVAL;
        for (size_t i = 0; i < wl; i++)
            ne[at].s[i] = w[i] >= 'A' && w[i] <= 'Z' ? (char)(w[i] - 'A' + 'a') : w[i];
        ne[at].s[wl] = '\0';
        ne[at].len = (unsigned char)wl;
        ne[at].cls = (unsigned char)cls;
        ne[at].word = alnum((unsigned char)ne[at].s[0]);
        at++;
    }
    lx->n = at;
    reindex(lx);
    return 0;
}

int rev_lex_load(const char *path, struct rev_lex **ret, char *err, size_t errsz)
{
    struct rev_lex *lx = rev_lex_new();
    char *buf = NULL, *line, msg[256];
    unsigned no = 0;
    size_t len = 0;
    int r;

    if (!lx)
        return -ENOMEM;
    r = rev_file_read(path, REV_LEX_FILE_MAX, &buf, &len, err, errsz);
    for (line = buf; r >= 0 && line && *line;) {
        char *nl = strchr(line, '\n');

        if (nl)
            *nl = '\0';
        no++;
        r = rev_lex_add_line(lx, line, msg, sizeof(msg));
        if (r == -EINVAL)
            snprintf(err, errsz, "%s:%u: %s", path, no, msg);
        line = nl ? nl + 1 : NULL;
    }
    free(buf);
    if (r < 0) {
        rev_lex_destroy(&lx);
        return r;
    }
    *ret = lx;
    return 0;
}

int rev_lex_write(const struct rev_lex *lx, FILE *f, const char *prefix)
{
    for (unsigned c = 0; lx && c < lx->ncls; c++) {
        fprintf(f, "%s%s%s", prefix, *prefix ? " " : "", lx->cls[c]);
        for (size_t i = 0; i < lx->n; i++)
            if (lx->e[i].cls == c)
                fprintf(f, " %s", lx->e[i].s);
        fputc('\n', f);
    }
    return ferror(f) ? -EIO : 0;
}

/* The longest entry matching t at i, or NULL. */
static const struct entry *match_at(const struct rev_lex *lx, const char *t, size_t len,
                                    size_t i)
{
    unsigned char b = (unsigned char)t[i];
    const struct entry *best = NULL;

    for (size_t k = lx->start[b]; k < lx->start[b + 1]; k++) {
        const struct entry *e = &lx->e[k];

        if (e->len > len - i || (best && e->len <= best->len) ||
            memcmp(t + i, e->s, e->len) != 0)
            continue;
        if (e->word && ((i > 0 && alnum((unsigned char)t[i - 1])) ||
                        (i + e->len < len && alnum((unsigned char)t[i + e->len]))))
            continue;
        best = e;
    }
    return best;
}

/* Bytes of the n characters starting at t[i] (fewer at the end). */
static size_t chars_fwd(const char *t, size_t len, size_t i, int n)
{
    size_t j = i;

    for (int k = 0; k < n && j < len; k++) {
        j++;
        while (j < len && ((unsigned char)t[j] & 0xc0) == 0x80)
            j++;
    }
    return j - i;
}

/* Bytes of the n characters ending before t[i]. */
static size_t chars_back(const char *t, size_t i, int n)
{
    size_t j = i;

    for (int k = 0; k < n && j > 0; k++) {
        j--;
        while (j > 0 && ((unsigned char)t[j] & 0xc0) == 0x80)
            j--;
    }
    return i - j;
}

/* Add feature kind of "a" + "\x1f" + "b". */
static int add2(struct rev_feats *f, char kind, const char *a, size_t al, const char *b,
                size_t bl, uint32_t mask)
{
    char buf[CLASS_NAME_MAX + 2 + 4 * CTX_WORD_MAX];

    if (al + 1 + bl > sizeof(buf))
        bl = sizeof(buf) - al - 1;
    memcpy(buf, a, al);
    buf[al] = 0x1f;
    memcpy(buf + al + 1, b, bl);
    return rev_feats_add(f, kind, buf, al + 1 + bl, mask);
}

/* The ASCII word after (dir > 0, from i) or before (dir < 0, ending at i)
 * a match, skipping one run of spaces: *ret_a and the length. */
static size_t ctx_word(const char *t, size_t len, size_t i, int dir, size_t *ret_a)
{
    size_t a, b;

    if (dir > 0) {
        while (i < len && t[i] == ' ')
            i++;
        a = b = i;
        while (b < len && (alnum((unsigned char)t[b]) || t[b] == '\'') && b - a < CTX_WORD_MAX)
            b++;
    } else {
        while (i > 0 && t[i - 1] == ' ')
            i--;
        a = b = i;
        while (a > 0 && (alnum((unsigned char)t[a - 1]) || t[a - 1] == '\'') &&
               b - a < CTX_WORD_MAX)
            a--;
    }
    *ret_a = a;
    return b - a;
}

/* The features of one occurrence of e at t[i]. */
static int occurrence(const struct rev_lex *lx, const struct entry *e, const char *t,
                      size_t len, size_t i, uint32_t mask, struct rev_feats *f)
{
    const char *c = lx->cls[e->cls];
    size_t cl = strlen(c), end = i + e->len, a, wl;
    int r = rev_feats_add(f, 'k', c, cl, mask);

    for (int n = 1; r >= 0 && n <= 3; n++) {
        size_t fw = chars_fwd(t, len, end, n);

        if (fw && (n == 1 || fw != chars_fwd(t, len, end, n - 1)))
            r = add2(f, 'r', c, cl, t + end, fw, mask);
    }
    for (int n = 1; r >= 0 && n <= 2; n++) {
        size_t bw = chars_back(t, i, n);

        if (bw && (n == 1 || bw != chars_back(t, i, n - 1)))
            r = add2(f, 'l', t + i - bw, bw, c, cl, mask);
    }
    if (r >= 0 && (wl = ctx_word(t, len, end, 1, &a)) > 0)
        r = add2(f, 'n', c, cl, t + a, wl, mask);
    if (r >= 0 && (wl = ctx_word(t, len, i, -1, &a)) > 0)
        r = add2(f, 'p', t + a, wl, c, cl, mask);
    return r;
}

int rev_lex_features(const struct rev_lex *lx, const char *t, size_t len, uint32_t mask,
                     struct rev_feats *f)
{
    uint32_t seen = 0;
    int r = 0;

    if (!lx || lx->n == 0)
        return 0;
    for (size_t i = 0; r >= 0 && i < len;) {
        const struct entry *e = match_at(lx, t, len, i);

        if (!e) {
            i += chars_fwd(t, len, i, 1);
            continue;
        }
        seen |= 1u << e->cls;
        r = occurrence(lx, e, t, len, i, mask, f);
        i += e->len;
    }
    for (unsigned a = 0; r >= 0 && a < lx->ncls; a++)
        for (unsigned b = a + 1; r >= 0 && b < lx->ncls; b++)
            if ((seen >> a & 1) && (seen >> b & 1))
                r = add2(f, 'q', lx->cls[a], strlen(lx->cls[a]), lx->cls[b],
                         strlen(lx->cls[b]), mask);
    return r;
}

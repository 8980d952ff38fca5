/* rev_lexfeat.c - the feature vector of the lint model, and the class
 * features of a text: where the lexicon's words occur, what surrounds them,
 * which of them a negation covers, and which one is the subject.
 *
 * rev_model.c hashes a text's word and character n-grams into a
 * rev_feats; this file adds what the lexicon (rev_lex.c) sees in the same
 * folded text.  The n-grams know words; the class features know roles:
 * "the contractor forgot" and "the intern forgot" share "role > failed",
 * 「新人が忘れた」 shares "role" + "が" and "failed".
 *
 * Features of an occurrence of class C (each hashed with its own kind byte,
 * see rev_feats_add):
 *   'k'  C                      the class is present
 *   'r'  C + next 1..3 chars    "ROLE's", "ROLE fo", "ROLEのせ"
 *   'l'  prev 1..2 chars + C    "によ"+ROLE, " by"+ROLE
 *   'n'  C + next word          English: "ROLE forgot"
 *   'p'  previous word + C      English: "by ROLE"
 * and, once per text:
 *   'q'  Ca + Cb                every pair of classes present;
 *   'o'  Ca > Cb                ordered pairs of occurrences in one clause,
 *                               at most PAIR_SPAN occurrences apart;
 *   's'  S, S + C               the subject's class, alone and with each
 *                               other class present.
 * A negatable class (%negatable: blame cues such as "careless", "forgot",
 * "caused") under a negation (%negation) becomes "~C" in all of these, so
 * "was not careless" does not count as "careless".  In English a negation
 * covers the next NEG_WORDS words of its clause ("nobody forgot", "did not
 * ignore"); in Japanese the NEG_CHARS characters before it in its clause
 * (「不注意だったわけではない」).  The subject is the first occurrence of an
 * agent class (%agents) that a Japanese subject particle follows, else the
 * first one.  Clauses end at , ; : . ! ? ( ) and 、。，：；！？（）「」.
 *
 * Class features are added LEX_WEIGHT times: a text has a few dozen of
 * them against hundreds of n-grams, and counting them twice (a feature
 * value of 2) gave the best cross-validated recall at the precision
 * target.  Occurrences past OCC_MAX in one text are ignored. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rev_lex_int.h"
#include "iq_buf.h"

#define LEX_WEIGHT 2
#define OCC_MAX 96
#define PAIR_SPAN 6
#define NEG_WORDS 4
#define NEG_CHARS 10
#define CTX_WORD_MAX 24
#define NAME_MAX (LEX_CLASS_NAME_MAX + 2)

/* ---- the feature vector (rev_model.h) ---- */

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
    uint32_t *ni = iq_array_grow(f->idx, f->n, &f->cap, sizeof(*ni), 256);

    if (!ni)
        return -ENOMEM;
    f->idx = ni;
    f->idx[f->n++] = idx;
    return 0;
}

int rev_feats_add(struct rev_feats *f, char kind, const char *s, size_t len, uint32_t mask)
{
    return feats_push(f, hash(kind, s, len) & mask);
}

/* ---- class features ---- */

/* One occurrence of a class in the folded text. */
struct occ {
    size_t a, b;                   /* bytes of the folded text */
    unsigned char cls;
    bool neg;                      /* under a negation */
    unsigned short clause;
};

struct scan {
    const struct rev_lex *lx;
    const char *t;                 /* the folded text */
    size_t len;
    uint32_t mask;
    struct rev_feats *f;
    struct occ o[OCC_MAX];
    unsigned n;
};

/* Feature kind of "a" + 0x1f + "b", LEX_WEIGHT times. */
static int add2(struct scan *sc, char kind, const char *a, size_t al, const char *b,
                size_t bl)
{
    char buf[2 * NAME_MAX + 4 * CTX_WORD_MAX];
    uint32_t idx;

    if (al > NAME_MAX + 4 * CTX_WORD_MAX)
        al = NAME_MAX + 4 * CTX_WORD_MAX;
    if (al + 1 + bl > sizeof(buf))
        bl = sizeof(buf) - al - 1;
    memcpy(buf, a, al);
    buf[al] = 0x1f;
    memcpy(buf + al + 1, b, bl);
    idx = hash(kind, buf, al + 1 + bl) & sc->mask;
    for (int k = 0; k < LEX_WEIGHT; k++)
        if (feats_push(sc->f, idx) < 0)
            return -ENOMEM;
    return 0;
}

/* The name an occurrence counts as: its class, or "~class" when negated. */
static size_t occ_name(const struct scan *sc, const struct occ *o, char out[NAME_MAX])
{
    const char *c = sc->lx->cls[o->cls];
    size_t n = strlen(c);

    if (!o->neg) {
        memcpy(out, c, n);
        return n;
    }
    out[0] = '~';
    memcpy(out + 1, c, n);
    return n + 1;
}

/* The ASCII word after (dir > 0, from i) or before (dir < 0, ending at i)
 * an occurrence, skipping one run of spaces: *ret_a and the length. */
static size_t ctx_word(const char *t, size_t len, size_t i, int dir, size_t *ret_a)
{
    size_t a = i, b = i;

    if (dir > 0) {
        while (a < len && t[a] == ' ')
            a++;
        b = a;
        while (b < len && (lex_alnum((unsigned char)t[b]) || t[b] == '\'') &&
               b - a < CTX_WORD_MAX)
            b++;
    } else {
        while (b > 0 && t[b - 1] == ' ')
            b--;
        a = b;
        while (a > 0 && (lex_alnum((unsigned char)t[a - 1]) || t[a - 1] == '\'') &&
               b - a < CTX_WORD_MAX)
            a--;
    }
    *ret_a = a;
    return b - a;
}

/* The features of one occurrence and its immediate context. */
static int occ_features(struct scan *sc, const struct occ *o)
{
    const char *t = sc->t;
    char c[NAME_MAX];
    size_t cl = occ_name(sc, o, c), a, wl;
    int r = add2(sc, 'k', c, cl, "", 0);

    for (int n = 1; r >= 0 && n <= 3; n++) {
        size_t fw = lex_chars_fwd(t, sc->len, o->b, n);

        if (fw && (n == 1 || fw != lex_chars_fwd(t, sc->len, o->b, n - 1)))
            r = add2(sc, 'r', c, cl, t + o->b, fw);
    }
    for (int n = 1; r >= 0 && n <= 2; n++) {
        size_t bw = lex_chars_back(t, o->a, n);

        if (bw && (n == 1 || bw != lex_chars_back(t, o->a, n - 1)))
            r = add2(sc, 'l', t + o->a - bw, bw, c, cl);
    }
    if (r >= 0 && (wl = ctx_word(t, sc->len, o->b, 1, &a)) > 0)
        r = add2(sc, 'n', c, cl, t + a, wl);
    if (r >= 0 && (wl = ctx_word(t, sc->len, o->a, -1, &a)) > 0)
        r = add2(sc, 'p', t + a, wl, c, cl);
    return r;
}

/* Bytes of the clause boundary at t[i] (0: none). */
static size_t clause_break(const char *t, size_t len, size_t i)
{
    static const char *const ja[] = { "、", "。", "，", "：", "；", "！", "？", "（", "）",
                                      "「", "」" };

    if (t[i] && strchr(",;:.!?()", t[i]))
        return 1;
    for (size_t k = 0; k < sizeof(ja) / sizeof(*ja); k++)
        if (i + 3 <= len && memcmp(t + i, ja[k], 3) == 0)
            return 3;
    return 0;
}

static void push_occ(struct scan *sc, size_t a, size_t b, unsigned cls, unsigned clause)
{
    if (sc->n < OCC_MAX)
        sc->o[sc->n++] = (struct occ){ .a = a, .b = b, .cls = (unsigned char)cls,
                                       .clause = (unsigned short)clause };
}

/* Find the occurrences of the lexicon's entries, and (with cap) of names
 * as the %capitalised class, in document order. */
static void find_occurrences(struct scan *sc, const unsigned char *cap)
{
    const struct rev_lex *lx = sc->lx;
    unsigned clause = 0;

    for (size_t i = 0; i < sc->len;) {
        const struct lex_entry *e = lex_match(lx, sc->t, sc->len, i);
        size_t k;

        if (e) {
            for (const struct lex_entry *x = e; x < lx->e + lx->n && strcmp(x->s, e->s) == 0;
                 x++)
                push_occ(sc, i, i + e->len, x->cls, clause);
            i += e->len;
        } else if (cap && cap[i] && lx->capitalised >= 0) {
            for (k = i; k < sc->len && (lex_alnum((unsigned char)sc->t[k]) ||
                                        sc->t[k] == '\''); k++)
                ;
            push_occ(sc, i, k, (unsigned)lx->capitalised, clause);
            i = k;
        } else if ((k = clause_break(sc->t, sc->len, i)) > 0) {
            clause++;
            i += k;
        } else {
            i += lex_chars_fwd(sc->t, sc->len, i, 1);
        }
    }
}

/* Whether negation occurrence ng covers occurrence o (same clause):
 * English, ng before o by at most NEG_WORDS words; Japanese, ng after o by
 * at most NEG_CHARS characters. */
static bool covers(const struct scan *sc, const struct occ *ng, const struct occ *o)
{
    size_t words = 0;

    if (ng->clause != o->clause)
        return false;
    if ((unsigned char)sc->t[o->a] < 0x80) {
        if (ng->b > o->a)
            return false;
        for (size_t i = ng->b; i < o->a; i++)
            words += sc->t[i] == ' ';
        return words <= NEG_WORDS;
    }
    if (ng->a < o->b)
        return false;
    for (size_t i = o->b; i < ng->a; i += lex_chars_fwd(sc->t, sc->len, i, 1))
        words++;
    return words <= NEG_CHARS;
}

static void mark_negated(struct scan *sc)
{
    const struct rev_lex *lx = sc->lx;

    for (unsigned i = 0; i < sc->n; i++) {
        if (!(lx->negatable >> sc->o[i].cls & 1))
            continue;
        for (unsigned j = 0; j < sc->n && !sc->o[i].neg; j++)
            if (j != i && (lx->negation >> sc->o[j].cls & 1) && covers(sc, &sc->o[j], &sc->o[i]))
                sc->o[i].neg = true;
    }
}

/* The subject: the first agent occurrence that が, は or も follows, else the
 * first agent occurrence; -1 when there is none. */
static int subject_of(const struct scan *sc)
{
    int first = -1;

    for (unsigned k = 0; k < sc->n; k++) {
        const char *p = sc->t + sc->o[k].b;
        bool particle = sc->o[k].b + 3 <= sc->len &&
                        (memcmp(p, "が", 3) == 0 || memcmp(p, "は", 3) == 0 ||
                         memcmp(p, "も", 3) == 0);

        if (!(sc->lx->agents >> sc->o[k].cls & 1))
            continue;
        if (first < 0)
            first = (int)k;
        if (particle)
            return (int)k;
    }
    return first;
}

/* The effective class of o: its class, plus REV_LEX_CLASSES_MAX when negated. */
static unsigned eff(const struct occ *o)
{
    return o->cls + (o->neg ? REV_LEX_CLASSES_MAX : 0u);
}

/* 'q': every pair of effective classes present (in class order). */
static int pairs(struct scan *sc)
{
    unsigned char present[2 * REV_LEX_CLASSES_MAX] = { 0 };
    const struct occ *rep[2 * REV_LEX_CLASSES_MAX];
    int r = 0;

    for (unsigned k = 0; k < sc->n; k++) {
        present[eff(&sc->o[k])] = 1;
        rep[eff(&sc->o[k])] = &sc->o[k];
    }
    for (unsigned a = 0; r >= 0 && a < 2 * REV_LEX_CLASSES_MAX; a++) {
        char na[NAME_MAX], nb[NAME_MAX];
        size_t la;

        if (!present[a])
            continue;
        la = occ_name(sc, rep[a], na);
        for (unsigned b = a + 1; r >= 0 && b < 2 * REV_LEX_CLASSES_MAX; b++)
            if (present[b])
                r = add2(sc, 'q', na, la, nb, occ_name(sc, rep[b], nb));
    }
    return r;
}

/* 'o' ordered pairs within a clause, and 's' the subject with the rest. */
static int structure(struct scan *sc)
{
    unsigned char with[2 * REV_LEX_CLASSES_MAX] = { 0 };
    char na[NAME_MAX], nb[NAME_MAX], ns[NAME_MAX];
    int s = subject_of(sc), r = pairs(sc);
    size_t ls;

    for (unsigned i = 0; r >= 0 && i < sc->n; i++)
        for (unsigned j = i + 1; r >= 0 && j < sc->n && j <= i + PAIR_SPAN; j++)
            if (sc->o[i].clause == sc->o[j].clause) {
                size_t la = occ_name(sc, &sc->o[i], na);

                r = add2(sc, 'o', na, la, nb, occ_name(sc, &sc->o[j], nb));
            }
    if (s < 0 || r < 0)
        return r;
    ls = occ_name(sc, &sc->o[s], ns);
    r = add2(sc, 's', ns, ls, "", 0);
    for (unsigned k = 0; r >= 0 && k < sc->n; k++) {
        if ((int)k == s || with[eff(&sc->o[k])])
            continue;
        with[eff(&sc->o[k])] = 1;
        r = add2(sc, 's', ns, ls, nb, occ_name(sc, &sc->o[k], nb));
    }
    return r;
}

void rev_lex_unmark_names(const struct rev_lex *lx, const char *t, size_t len,
                          unsigned char *cap)
{
    for (size_t i = 0; lx && i < len; i++) {
        const struct lex_entry *e = cap[i] ? lex_match(lx, t, len, i) : NULL;
        size_t k = i;

        while (k < len && (lex_alnum((unsigned char)t[k]) || t[k] == '\''))
            k++;
        if (e && (i + e->len == k || (i + e->len + 2 == k && t[k - 2] == '\'')))
            cap[i] = 0;
    }
}

int rev_lex_features(const struct rev_lex *lx, const char *t, size_t len,
                     const unsigned char *cap, uint32_t mask, struct rev_feats *f)
{
    struct scan *sc;
    int r = 0;

    if (!lx || (lx->n == 0 && lx->capitalised < 0))
        return 0;
    sc = malloc(sizeof(*sc));
    if (!sc)
        return -ENOMEM;
    *sc = (struct scan){ .lx = lx, .t = t, .len = len, .mask = mask, .f = f };
    find_occurrences(sc, cap);
    mark_negated(sc);
    for (unsigned k = 0; r >= 0 && k < sc->n; k++)
        r = occ_features(sc, &sc->o[k]);
    if (r >= 0)
        r = structure(sc);
    free(sc);
    return r;
}

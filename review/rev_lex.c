/* rev_lex.c - word classes for the lint model: parse the lexicon, write it
 * back, and find its entries in a text (the features they give are
 * rev_lexfeat.c's).
 *
 * The lexicon is small (a few hundred entries) and texts are sentences, so
 * matching is a scan of the text with, at each character, a look at the
 * entries that start with that byte (entries are kept sorted by first byte,
 * with an index of where each byte's run starts); the longest entry wins
 * and the scan resumes after it.  An entry listed in several classes is
 * one occurrence of each.  No allocation per text.
 *
 * Directive lines ("%agents role team", "%negatable cause failed",
 * "%capitalised name") give classes a role in the structure features;
 * they are kept with the lexicon, so the weights file carries them too. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rev_file.h"
#include "rev_lex_int.h"

struct rev_lex *rev_lex_new(void)
{
    struct rev_lex *lx = calloc(1, sizeof(struct rev_lex));

    if (lx)
        lx->capitalised = -1;
    return lx;
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
    const struct lex_entry *x = a, *y = b;
    int c = (unsigned char)x->s[0] - (unsigned char)y->s[0];

    if (c == 0)
        c = strcmp(x->s, y->s);
    return c ? c : (int)x->cls - (int)y->cls;
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
    if (len == 0 || len > LEX_CLASS_NAME_MAX)
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

/* The directives: each names classes that get a role in rev_lexfeat.c. */
enum directive { DIR_AGENTS, DIR_NEGATION, DIR_NEGATABLE, DIR_CAPITALISED, DIRS };
static const char *const dir_names[DIRS] = { "%agents", "%negation", "%negatable",
                                             "%capitalised" };

/* "%DIRECTIVE CLASS..." (s after the leading blanks). */
static int add_directive(struct rev_lex *lx, const char *s, char *err, size_t errsz)
{
    size_t nl = strcspn(s, " \t");
    int d = 0;

    while (d < DIRS && (strlen(dir_names[d]) != nl || memcmp(s, dir_names[d], nl) != 0))
        d++;
    if (d == DIRS)
        return snprintf(err, errsz, "unknown directive (%%agents, %%negation, %%negatable "
                        "or %%capitalised)"), -EINVAL;
    for (s += nl; *s;) {
        size_t wl;
        int cls;

        s += strspn(s, " \t");
        wl = strcspn(s, " \t");
        if (wl == 0)
            break;
        if (!class_name_ok(s, wl))
            return snprintf(err, errsz, "bad class name (1 to 16 of [a-z-])"), -EINVAL;
        cls = class_id(lx, s, wl);
        if (cls < 0)
            return snprintf(err, errsz, "more than %d classes", REV_LEX_CLASSES_MAX), -EINVAL;
        if (d == DIR_AGENTS)
            lx->agents |= 1u << cls;
        else if (d == DIR_NEGATION)
            lx->negation |= 1u << cls;
        else if (d == DIR_NEGATABLE)
            lx->negatable |= 1u << cls;
        else if (lx->capitalised >= 0 && lx->capitalised != cls)
            return snprintf(err, errsz, "%%capitalised names one class"), -EINVAL;
        else
            lx->capitalised = cls;
        s += wl;
    }
    return 0;
}

int rev_lex_add_line(struct rev_lex *lx, const char *line, char *err, size_t errsz)
{
    const char *s = line, *name;
    size_t nl, add, at;
    struct lex_entry *ne;
    int cls;

    while (*s == ' ' || *s == '\t')
        s++;
    if (*s == '\0' || *s == '#')
        return 0;
    if (*s == '%')
        return add_directive(lx, s, err, errsz);
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
            ne[at].s[i] = w[i] >= 'A' && w[i] <= 'Z' ? (char)(w[i] - 'A' + 'a') :
                          w[i] == '_' ? ' ' : w[i];
        ne[at].s[wl] = '\0';
        ne[at].len = (unsigned char)wl;
        ne[at].cls = (unsigned char)cls;
        ne[at].word = lex_alnum((unsigned char)ne[at].s[0]);
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

/* " entry", with its spaces written back as '_'. */
static void write_entry(FILE *f, const char *s)
{
    fputc(' ', f);
    for (; *s; s++)
        fputc(*s == ' ' ? '_' : *s, f);
}

/* One directive line, when it names some class. */
static void write_directive(const struct rev_lex *lx, FILE *f, const char *prefix,
                            enum directive d)
{
    uint32_t set = d == DIR_AGENTS ? lx->agents : d == DIR_NEGATION ? lx->negation :
                   d == DIR_NEGATABLE ? lx->negatable :
                   lx->capitalised >= 0 ? 1u << lx->capitalised : 0;

    if (!set)
        return;
    fprintf(f, "%s%s%s", prefix, *prefix ? " " : "", dir_names[d]);
    for (unsigned c = 0; c < lx->ncls; c++)
        if (set >> c & 1)
            fprintf(f, " %s", lx->cls[c]);
    fputc('\n', f);
}

int rev_lex_write(const struct rev_lex *lx, FILE *f, const char *prefix)
{
    for (unsigned c = 0; lx && c < lx->ncls; c++) {
        fprintf(f, "%s%s%s", prefix, *prefix ? " " : "", lx->cls[c]);
        for (size_t i = 0; i < lx->n; i++)
            if (lx->e[i].cls == c)
                write_entry(f, lx->e[i].s);
        fputc('\n', f);
    }
    for (int d = 0; lx && d < DIRS; d++)
        write_directive(lx, f, prefix, (enum directive)d);
    return ferror(f) ? -EIO : 0;
}

const struct lex_entry *lex_match(const struct rev_lex *lx, const char *t, size_t len,
                                  size_t i)
{
    unsigned char b = (unsigned char)t[i];
    const struct lex_entry *best = NULL;

    for (size_t k = lx->start[b]; k < lx->start[b + 1]; k++) {
        const struct lex_entry *e = &lx->e[k];

        if (e->len > len - i || (best && e->len <= best->len) ||
            memcmp(t + i, e->s, e->len) != 0)
            continue;
        if (e->word && ((i > 0 && lex_alnum((unsigned char)t[i - 1])) ||
                        (i + e->len < len && lex_alnum((unsigned char)t[i + e->len]))))
            continue;
        best = e;
    }
    return best;
}

size_t lex_chars_fwd(const char *t, size_t len, size_t i, int n)
{
    size_t j = i;

    for (int k = 0; k < n && j < len; k++) {
        j++;
        while (j < len && ((unsigned char)t[j] & 0xc0) == 0x80)
            j++;
    }
    return j - i;
}

size_t lex_chars_back(const char *t, size_t i, int n)
{
    size_t j = i;

    for (int k = 0; k < n && j > 0; k++) {
        j--;
        while (j > 0 && ((unsigned char)t[j] & 0xc0) == 0x80)
            j--;
    }
    return i - j;
}

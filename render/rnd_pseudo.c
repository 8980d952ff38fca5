/* rnd_pseudo.c - stable pseudonyms for people named in a draft.
 *
 * Blameless by construction: a postmortem reviewed outside the responding
 * team reads "responder B acknowledged the page", not a name.  Pseudonyms
 * are assigned in order of first appearance while the view model walks the
 * timeline, so the same incident always gets the same mapping; then every
 * string of the context is rewritten, so a chat line that mentions
 * "@alice" says "@responder A" as the timeline row does.
 *
 * Design notes:
 *  - A linear table: a document names a handful of people, and the cap
 *    RND_PSEUDO_MAX bounds the worst case.
 *  - Mentions are replaced on word boundaries only (an actor "al" does not
 *    touch "alert"), longest name first so "alice.b" wins over "alice".
 *  - Members named "link" are left alone: they are URLs (a repository
 *    under a person's login), and a rewritten URL leads nowhere. */
#include "rnd_pseudo.h"
#include "iq_buf.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_DEPTH_MAX 64

struct person {
    char *name;
    char *alias;
    size_t len;
};

struct rnd_pseudo {
    char *role;
    struct person *people;
    size_t n, cap;
    size_t *by_len;      /* indexes of people, longest name first */
};

struct rnd_pseudo *rnd_pseudo_new(const char *role)
{
    struct rnd_pseudo *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->role = strdup(role ? role : "responder");
    if (!p->role)
        rnd_pseudo_destroy(&p);
    return p;
}

/* "A".."Z", then "AA", "AB", ... for index i. */
static void letters(size_t i, char *buf, size_t size)
{
    char tmp[16];
    size_t n = 0;

    do {
        tmp[n++] = (char)('A' + i % 26);
        i = i / 26;
    } while (i-- > 0 && n < sizeof(tmp));
    for (size_t k = 0; k < n && k + 1 < size; k++)
        buf[k] = tmp[n - 1 - k];
    buf[n < size ? n : size - 1] = '\0';
}

const char *rnd_pseudo_name(struct rnd_pseudo *p, const char *name)
{
    struct person *np;
    size_t *nb, cap;
    char let[16], alias[160];

    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->people[i].name, name) == 0)
            return p->people[i].alias;
    if (p->n == RND_PSEUDO_MAX)
        return NULL;
    cap = p->cap;   /* two arrays of one capacity: p->cap moves with the second */
    if (!(np = iq_array_grow(p->people, p->n, &cap, sizeof(*np), 16)))
        return NULL;
    p->people = np;
    if (!(nb = iq_array_grow(p->by_len, p->n, &p->cap, sizeof(*nb), 16)))
        return NULL;
    p->by_len = nb;
    letters(p->n, let, sizeof(let));
    snprintf(alias, sizeof(alias), "%s %s", p->role, let);
    np = &p->people[p->n];
    np->name = strdup(name);
    np->alias = strdup(alias);
    np->len = strlen(name);
    if (!np->name || !np->alias) {
        free(np->name);
        free(np->alias);
        return NULL;
    }
    /* keep by_len sorted, longest first (insertion) */
    size_t k = p->n;
    while (k > 0 && p->people[p->by_len[k - 1]].len < np->len) {
        p->by_len[k] = p->by_len[k - 1];
        k--;
    }
    p->by_len[k] = p->n;
    p->n++;
    return np->alias;
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || (unsigned char)c >= 0x80;
}

/* Is s[at, at+len) a whole word in s[0, n)? */
static bool bounded(const char *s, size_t n, size_t at, size_t len)
{
    size_t e = at + len;

    if (at > 0 && (word_char(s[at - 1]) || s[at - 1] == '.'))
        return false;
    if (e < n && (word_char(s[e]) || s[e] == '@'))
        return false;
    if (e + 1 < n && s[e] == '.' && word_char(s[e + 1]))
        return false;   /* a host or file name goes on */
    return true;
}

/* Rewrite one string; *ret is NULL when nothing matched. */
static int rewrite(const struct rnd_pseudo *p, const char *s, size_t n, char **ret,
                   size_t *ret_len)
{
    struct iq_buf b;
    size_t i = 0;
    int count = 0;

    iq_buf_init(&b, n * 8 + 1024);
    while (i < n) {
        const struct person *hit = NULL;

        for (size_t k = 0; k < p->n && !hit; k++) {
            const struct person *pe = &p->people[p->by_len[k]];

            if (pe->len && pe->len <= n - i && memcmp(s + i, pe->name, pe->len) == 0 &&
                bounded(s, n, i, pe->len))
                hit = pe;
        }
        if (hit ? iq_buf_adds(&b, hit->alias) : iq_buf_addc(&b, s[i])) {
            iq_buf_free(&b);
            return -ENOMEM;
        }
        count += hit != NULL;
        i += hit ? hit->len : 1;
    }
    *ret = NULL;
    if (count)
        *ret = iq_buf_take(&b, ret_len);
    iq_buf_free(&b);
    if (count && !*ret)
        return -ENOMEM;
    return count;
}

static int walk(const struct rnd_pseudo *p, json_t *v, int depth)
{
    const char *key;
    json_t *child;
    char *out = NULL;
    size_t out_len = 0, i;
    int rc, total = 0;

    if (depth > JSON_DEPTH_MAX)
        return -ELOOP;
    if (json_is_string(v)) {
        rc = rewrite(p, json_string_value(v), json_string_length(v), &out, &out_len);
        if (rc > 0 && json_string_setn(v, out, out_len) < 0)
            rc = -ENOMEM;
        free(out);
        return rc;
    }
    if (json_is_object(v)) {
        json_object_foreach(v, key, child) {
            if (strcmp(key, "link") == 0)
                continue;   /* a URL stays followable (github.com/LOGIN/repo/...) */
            if ((rc = walk(p, child, depth + 1)) < 0)
                return rc;
            total += rc;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, child) {
            if ((rc = walk(p, child, depth + 1)) < 0)
                return rc;
            total += rc;
        }
    }
    return total;
}

int rnd_pseudo_json(const struct rnd_pseudo *p, json_t *root)
{
    return p->n ? walk(p, root, 0) : 0;
}

size_t rnd_pseudo_count(const struct rnd_pseudo *p)
{
    return p->n;
}

void rnd_pseudo_destroy(struct rnd_pseudo **pp)
{
    struct rnd_pseudo *p;

    if (!pp || !*pp)
        return;
    p = *pp;
    for (size_t i = 0; i < p->n; i++) {
        free(p->people[i].name);
        free(p->people[i].alias);
    }
    free(p->people);
    free(p->by_len);
    free(p->role);
    free(p);
    *pp = NULL;
}

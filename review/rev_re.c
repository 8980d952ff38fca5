/* rev_re.c - ordered lists of compiled pcre2 patterns.
 *
 * Every lint rule is a handful of regular expressions written by people, so
 * this module is the boundary between pcre2's conventions and ours: pcre2
 * compile errors become -EINVAL plus a message with the error offset, and
 * negative match codes become negative errno values (-ERANGE for a pattern
 * that ran into its match or depth limit, -EILSEQ for bad UTF-8).
 *
 * Design notes:
 *  - Patterns compile with PCRE2_UTF | PCRE2_UCP so \w, \b and caseless
 *    matching understand non-ASCII text, and are JIT-compiled when the
 *    platform supports it; when JIT is unavailable pcre2 falls back to its
 *    interpreter and the results are the same.
 *  - One match context per list carries the rule set's limits (borrowed
 *    from the set, which reads them from its files' "regex"); match data
 *    is created per search, so a list can be shared read-only.
 *  - A failed match records, per thread, the pattern and pcre2's code, so
 *    the caller can name the pattern and the limit (rev_re_failure)
 *    without every search growing an error out-parameter; errno works the
 *    same way.
 *  - A named group "value" lets a rule point at the interesting part of a
 *    match (the owner's name after "owner:"), without the caller knowing the
 *    group's number. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_re.h"
#include "iq_buf.h"
#include "rev_re.h"

struct rev_pat {
    pcre2_code *code;
    char *text;               /* the pattern as written, for messages */
    int value_group;          /* number of group "value", or 0 */
};

struct rev_re {
    struct rev_pat *pats;
    size_t n, cap;
    const struct iq_re_limits *lim;   /* borrowed */
    pcre2_match_context *mctx;
};

/* This thread's last failed match, for rev_re_failure. */
static _Thread_local struct {
    int rc;                   /* pcre2 code; 0 none */
    char pattern[96];         /* the pattern, cut */
    struct iq_re_limits lim;
} last;

struct rev_re *rev_re_new(const struct iq_re_limits *lim)
{
    struct rev_re *re = calloc(1, sizeof(*re));

    if (!re)
        return NULL;
    re->lim = lim;
    re->mctx = iq_re_context_new(lim);
    if (!re->mctx) {
        free(re);
        return NULL;
    }
    return re;
}

void rev_re_destroy(struct rev_re **pre)
{
    struct rev_re *re = pre ? *pre : NULL;

    if (!re)
        return;
    for (size_t i = 0; i < re->n; i++) {
        pcre2_code_free(re->pats[i].code);
        free(re->pats[i].text);
    }
    free(re->pats);
    pcre2_match_context_free(re->mctx);
    free(re);
    *pre = NULL;
}

size_t rev_re_count(const struct rev_re *re)
{
    return re ? re->n : 0;
}

/* Make room for one more pattern.  0 or -ENOMEM. */
static int grow(struct rev_re *re)
{
    struct rev_pat *np = iq_array_grow(re->pats, re->n, &re->cap, sizeof(*np), 4);

    if (!np)
        return -ENOMEM;
    re->pats = np;
    return 0;
}

int rev_re_add(struct rev_re *re, const char *pattern, bool caseless, char *err, size_t errsz)
{
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | (caseless ? PCRE2_CASELESS : 0);
    size_t len = strlen(pattern);
    struct iq_re_error e;
    pcre2_code *code;
    int r, group;

    if (len == 0 || len > REV_RE_PATTERN_MAX) {
        snprintf(err, errsz, "pattern is %s (1 to %d bytes)", len ? "too long" : "empty",
                 REV_RE_PATTERN_MAX);
        return len ? -E2BIG : -EINVAL;
    }
    if (grow(re) < 0)
        return -ENOMEM;
    if ((r = iq_re_compile(pattern, len, opts, &code, &e)) < 0) {
        if (e.jit)
            snprintf(err, errsz, "pcre2 JIT compilation failed: %s", e.msg);
        else
            snprintf(err, errsz, "pcre2 error at offset %zu: %s", e.offset, e.msg);
        return r;
    }
    group = pcre2_substring_number_from_name(code, (PCRE2_SPTR) "value");
    if (!(re->pats[re->n].text = strdup(pattern))) {
        pcre2_code_free(code);
        return -ENOMEM;
    }
    re->pats[re->n].code = code;
    re->pats[re->n].value_group = group > 0 ? group : 0;
    re->n++;
    return 0;
}

/* Run one pattern.  1 with the spans set, 0 no match, negative errno. */
static int match_one(const struct rev_re *re, const struct rev_pat *p, const char *s, size_t len,
                     size_t span[4])
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->code, NULL);
    PCRE2_SIZE *ov;
    int rc;

    if (!md)
        return -ENOMEM;
    rc = pcre2_match(p->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
    if (rc == PCRE2_ERROR_NOMATCH) {
        rc = 0;
        goto out;
    }
    if (rc < 0) {
        last.rc = rc;
        snprintf(last.pattern, sizeof(last.pattern), "%s", p->text);
        last.lim = *re->lim;
        rc = iq_re_errno(rc);
        goto out;
    }
    ov = pcre2_get_ovector_pointer(md);
    span[0] = ov[0];
    span[1] = ov[1];
    span[2] = ov[0];
    span[3] = ov[1];
    if (p->value_group && (uint32_t)p->value_group < pcre2_get_ovector_count(md) &&
        ov[2 * p->value_group] != PCRE2_UNSET) {
        span[2] = ov[2 * p->value_group];
        span[3] = ov[2 * p->value_group + 1];
    }
    rc = 1;
out:
    pcre2_match_data_free(md);
    return rc;
}

int rev_re_search(const struct rev_re *re, const char *s, size_t len,
                  size_t *ret_start, size_t *ret_end, size_t *ret_vstart, size_t *ret_vend)
{
    size_t best[4] = { 0, 0, 0, 0 };
    bool found = false;

    for (size_t i = 0; re && i < re->n; i++) {
        size_t span[4];
        int r = match_one(re, &re->pats[i], s, len, span);

        if (r < 0)
            return r;
        if (r == 1 && (!found || span[0] < best[0])) {
            memcpy(best, span, sizeof(best));
            found = true;
        }
    }
    if (!found)
        return 0;
    *ret_start = best[0];
    *ret_end = best[1];
    if (ret_vstart)
        *ret_vstart = best[2];
    if (ret_vend)
        *ret_vend = best[3];
    return 1;
}

int rev_re_any(const struct rev_re *re, const char *s, size_t len)
{
    for (size_t i = 0; re && i < re->n; i++) {
        size_t span[4];
        int r = match_one(re, &re->pats[i], s, len, span);

        if (r != 0)
            return r;
    }
    return 0;
}

const char *rev_re_failure(char *buf, size_t size)
{
    char what[160];
    size_t n = strlen(last.pattern);

    if (!last.rc) {
        snprintf(buf, size, "no pattern failed");
        return buf;
    }
    snprintf(buf, size, "pattern \"%s%s\" hit %s", last.pattern,
             n + 1 == sizeof(last.pattern) ? "..." : "",
             iq_re_describe(last.rc, &last.lim, what, sizeof(what)));
    return buf;
}

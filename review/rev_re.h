/* rev_re.h - ordered lists of compiled pcre2 patterns.
 *
 * A rule carries a few pattern lists (what to match, exceptions, table-cell
 * forms); each list compiles its patterns once, in UTF-8 mode with Unicode
 * properties, JIT-compiles them when the platform allows, and matches them
 * under a match context with match and depth limits.  Patterns are config:
 * a bad one is reported with its pcre2 error offset at load time, never at
 * match time. */
#ifndef REV_RE_H
#define REV_RE_H

#include <stdbool.h>
#include <stddef.h>

#include "iq_re.h"

#define REV_RE_PATTERN_MAX 4096      /* bytes of one pattern */

struct rev_re;

/* A list whose patterns match under lim's limits (borrowed: it must
 * outlive the list; the rule set's).  Caller owns return value; NULL only
 * on OOM. */
struct rev_re *rev_re_new(const struct iq_re_limits *lim);

/* Free the list and NULL the caller's pointer.  NULL-safe. */
void rev_re_destroy(struct rev_re **pre);

/* Compile pattern (UTF-8, PCRE2_UTF|PCRE2_UCP, plus PCRE2_CASELESS when
 * caseless) and append it.  Returns 0, -ENOMEM, -E2BIG (pattern too long)
 * or -EINVAL with err set to e.g. "pcre2 error at offset 7: missing closing
 * parenthesis".  A pattern with a named group "value" reports that group's
 * span through rev_re_search's value out-params. */
int rev_re_add(struct rev_re *re, const char *pattern, bool caseless, char *err, size_t errsz);

/* Number of patterns in the list. */
size_t rev_re_count(const struct rev_re *re);

/* Search s (len bytes of valid UTF-8) with every pattern; the match that
 * starts earliest wins (ties: earlier pattern).  Returns 1 and sets
 * *ret_start and *ret_end (the whole match) and, when not NULL,
 * *ret_vstart and *ret_vend (group "value" if the pattern has one and it took
 * part, else the whole match); 0 when nothing matches; -ERANGE when a
 * pattern hit the match or depth limit; -ENOMEM; -EILSEQ on invalid UTF-8.
 * Outputs are untouched unless 1 is returned. */
int rev_re_search(const struct rev_re *re, const char *s, size_t len,
                  size_t *ret_start, size_t *ret_end, size_t *ret_vstart, size_t *ret_vend);

/* Does any pattern match s?  1 yes, 0 no, negative as rev_re_search. */
int rev_re_any(const struct rev_re *re, const char *s, size_t len);

/* What the last failed search of this thread ran into, into buf:
 * "pattern \"(a+)+$\" hit the pcre2 match limit (lint rules:
 * regex.match_limit = 200000)".  Returns buf. */
const char *rev_re_failure(char *buf, size_t size);

#endif

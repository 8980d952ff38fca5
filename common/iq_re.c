/* iq_re.c - the one pcre2 wrapper: patterns compiled with JIT, match
 * contexts with limits from the config, pcre2 codes as negative errno and
 * as messages.
 *
 * Every module that matches patterns from config (ingest/ log rules,
 * analyze/ classes, review/ lint rules, render/ redaction) compiles them
 * here and matches through a context from iq_re_context_new, so no
 * pattern runs without a match and a depth limit.  The limits of each use
 * are one table (limits[]), defaults in iq_re.h, which iq_re_setup alone
 * writes, once at startup, from the config's "regex" section.
 *
 * Design notes:
 *  - JIT is an optimisation.  PCRE2_ERROR_JIT_BADOPTION (no JIT on this
 *    platform, or an option JIT cannot do) leaves the pattern to the
 *    interpreter; any other JIT failure (out of memory) fails the compile,
 *    so a rule set is either fully loaded or refused.
 *  - A limit hit is the pattern's fault (catastrophic backtracking) or
 *    the limit's (a legitimately long subject): the message names which
 *    limit, its value and the key that raises it, and the caller adds the
 *    rule.  Callers that match per line log the 1st, 10th, 100th, ... hit
 *    (iq_re_hit), never every one. */
#include "iq_re.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The names of the uses in the "regex" section, indexed by enum
 * iq_re_use; NULL for a use set elsewhere (lint: the rules files). */
static const char *const use_names[IQ_RE_USES] = {
    [IQ_RE_LOGS] = "logs",
    [IQ_RE_CLASSES] = "classes",
    [IQ_RE_REDACTION] = "redaction",
    [IQ_RE_LINT] = NULL,
};

static struct iq_re_limits limits[IQ_RE_USES] = {
    [IQ_RE_LOGS] = { IQ_RE_MATCH_LIMIT, IQ_RE_DEPTH_LIMIT, "regex.logs" },
    [IQ_RE_CLASSES] = { IQ_RE_MATCH_LIMIT, IQ_RE_DEPTH_LIMIT, "regex.classes" },
    [IQ_RE_REDACTION] = { IQ_RE_REDACT_MATCH_LIMIT, IQ_RE_REDACT_DEPTH_LIMIT,
                          "regex.redaction" },
    [IQ_RE_LINT] = { IQ_RE_LINT_MATCH_LIMIT, IQ_RE_LINT_DEPTH_LIMIT, "lint rules: regex" },
};

const struct iq_re_limits *iq_re_limits_of(enum iq_re_use use)
{
    return &limits[use < IQ_RE_USES ? use : IQ_RE_LOGS];
}

/* obj[name] as a limit in [min, max] into *ret (untouched when absent). */
static int limit_value(const json_t *obj, const char *key, const char *name, uint32_t min,
                       uint32_t max, uint32_t *ret, char *err, size_t errsz)
{
    const json_t *v = json_object_get(obj, name);
    json_int_t n;

    if (!v)
        return 0;
    if (!json_is_integer(v)) {
        snprintf(err, errsz, "config '%s.%s': expected an integer (%u..%u)", key, name, min,
                 max);
        return -EINVAL;
    }
    n = json_integer_value(v);
    if (n < min || n > max) {
        snprintf(err, errsz, "config '%s.%s': %lld is outside %u..%u", key, name, (long long)n,
                 min, max);
        return -EINVAL;
    }
    *ret = (uint32_t)n;
    return 0;
}

int iq_re_limits_parse(const json_t *obj, struct iq_re_limits *lim, char *err, size_t errsz)
{
    struct iq_re_limits l = *lim;
    const char *k;
    json_t *v;
    int r;

    if (!json_is_object(obj)) {
        snprintf(err, errsz, "config '%s': expected an object {\"match_limit\": N, "
                 "\"depth_limit\": N}", lim->key);
        return -EINVAL;
    }
    json_object_foreach((json_t *)obj, k, v) {
        if (strcmp(k, "match_limit") && strcmp(k, "depth_limit") && strcmp(k, "comment")) {
            snprintf(err, errsz, "config '%s': unknown key \"%s\" (match_limit, depth_limit)",
                     lim->key, k);
            return -EINVAL;
        }
    }
    if ((r = limit_value(obj, lim->key, "match_limit", IQ_RE_MATCH_LIMIT_MIN,
                         IQ_RE_MATCH_LIMIT_MAX, &l.match_limit, err, errsz)) < 0 ||
        (r = limit_value(obj, lim->key, "depth_limit", IQ_RE_DEPTH_LIMIT_MIN,
                         IQ_RE_DEPTH_LIMIT_MAX, &l.depth_limit, err, errsz)) < 0)
        return r;
    *lim = l;
    return 0;
}

int iq_re_setup(const json_t *section, char *err, size_t errsz)
{
    struct iq_re_limits next[IQ_RE_USES];
    const char *k;
    json_t *v;
    int r;

    if (!section || json_is_null(section))
        return 0;
    if (!json_is_object(section)) {
        snprintf(err, errsz, "config 'regex': expected an object with logs, classes, "
                 "redaction");
        return -EINVAL;
    }
    memcpy(next, limits, sizeof(next));
    json_object_foreach((json_t *)section, k, v) {
        int use = -1;

        for (int u = 0; u < IQ_RE_USES && use < 0; u++)
            if (use_names[u] && strcmp(use_names[u], k) == 0)
                use = u;
        if (strcmp(k, "comment") == 0)
            continue;
        if (use < 0) {
            snprintf(err, errsz, "config 'regex': unknown key \"%s\" (logs, classes, "
                     "redaction; lint limits are set in the lint rules files)", k);
            return -EINVAL;
        }
        if ((r = iq_re_limits_parse(v, &next[use], err, errsz)) < 0)
            return r;
    }
    memcpy(limits, next, sizeof(limits));
    return 0;
}

pcre2_match_context *iq_re_context_new(const struct iq_re_limits *lim)
{
    pcre2_match_context *mctx = pcre2_match_context_create(NULL);

    if (!mctx)
        return NULL;
    pcre2_set_match_limit(mctx, lim->match_limit);
    pcre2_set_depth_limit(mctx, lim->depth_limit);
    return mctx;
}

/* Fill e with pcre2's text for code (or "error N" when it has none). */
static void error_text(struct iq_re_error *e, int code, size_t offset, int jit)
{
    e->offset = offset;
    e->jit = jit;
    if (pcre2_get_error_message(code, (PCRE2_UCHAR *)e->msg, sizeof(e->msg)) < 0)
        snprintf(e->msg, sizeof(e->msg), "error %d", code);
}

int iq_re_compile(const char *pat, size_t len, uint32_t opts, pcre2_code **ret,
                  struct iq_re_error *reterr)
{
    PCRE2_SIZE off = 0;
    pcre2_code *code;
    int ec = 0, jr;

    code = pcre2_compile((PCRE2_SPTR)pat, len, opts, &ec, &off, NULL);
    if (!code) {
        error_text(reterr, ec, (size_t)off, 0);
        return ec == PCRE2_ERROR_NOMEMORY ? -ENOMEM : -EINVAL;
    }
    jr = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    if (jr < 0 && jr != PCRE2_ERROR_JIT_BADOPTION) {
        error_text(reterr, jr, 0, 1);
        pcre2_code_free(code);
        return -ENOMEM;
    }
    *ret = code;
    return 0;
}

bool iq_re_is_limit(int rc)
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
           rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

int iq_re_errno(int rc)
{
    if (iq_re_is_limit(rc))
        return -ERANGE;
    if (rc == PCRE2_ERROR_NOMEMORY)
        return -ENOMEM;
    if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
        return -EILSEQ;
    return -EINVAL;
}

const char *iq_re_describe(int rc, const struct iq_re_limits *lim, char *buf, size_t size)
{
    struct iq_re_error e;

    if (rc == PCRE2_ERROR_MATCHLIMIT && lim)
        snprintf(buf, size, "the pcre2 match limit (%s.match_limit = %u)", lim->key,
                 lim->match_limit);
    else if (rc == PCRE2_ERROR_DEPTHLIMIT && lim)
        snprintf(buf, size, "the pcre2 depth limit (%s.depth_limit = %u)", lim->key,
                 lim->depth_limit);
    else if (rc == PCRE2_ERROR_HEAPLIMIT)
        snprintf(buf, size, "the pcre2 heap limit (pcre2's default)");
    else if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        snprintf(buf, size, "the pcre2 JIT stack limit (the pattern nests too deeply)");
    else {
        error_text(&e, rc, 0, 0);
        snprintf(buf, size, "pcre2 error: %s", e.msg);
    }
    return buf;
}

bool iq_re_hit(_Atomic uint64_t *count, uint64_t *ret_n)
{
    uint64_t n = atomic_fetch_add(count, 1) + 1, p = 1;

    if (ret_n)
        *ret_n = n;
    while (p < n && p <= UINT64_MAX / 10)
        p *= 10;
    return p == n;
}

/* iq_re.c - the one pcre2 wrapper: patterns compiled with JIT, match
 * contexts with caller-given limits, pcre2 codes as negative errno.
 *
 * Every module that matches patterns from config (ingest/ log rules,
 * analyze/ classes, review/ lint rules, render/ redaction) compiles them
 * here and matches through a context from iq_re_context_new, so no
 * pattern runs without a match and a depth limit.  The limits each use
 * passes are named together in iq_re.h.
 *
 * Design notes: JIT is an optimisation.  PCRE2_ERROR_JIT_BADOPTION (no
 * JIT on this platform, or an option JIT cannot do) leaves the pattern to
 * the interpreter; any other JIT failure (out of memory) fails the
 * compile, so a rule set is either fully loaded or refused. */
#include "iq_re.h"

#include <errno.h>
#include <stdio.h>

pcre2_match_context *iq_re_context_new(uint32_t match_limit, uint32_t depth_limit)
{
    pcre2_match_context *mctx = pcre2_match_context_create(NULL);

    if (!mctx)
        return NULL;
    pcre2_set_match_limit(mctx, match_limit);
    pcre2_set_depth_limit(mctx, depth_limit);
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

int iq_re_errno(int rc)
{
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
        return -ERANGE;
    if (rc == PCRE2_ERROR_NOMEMORY)
        return -ENOMEM;
    if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
        return -EILSEQ;
    return -EINVAL;
}

/* iq_re.h - the one place that includes <pcre2.h>, and the one pcre2
 * wrapper: compile (with JIT), a match context with limits, and pcre2's
 * negative codes as negative errno.
 *
 * pcre2 needs PCRE2_CODE_UNIT_WIDTH defined before its header; defining it
 * here, once, keeps every module on the same 8-bit (UTF-8) API.  Patterns
 * are config (log rules, classes, lint rules, redaction), compiled and
 * checked at load time, never per event. */
#ifndef IQ_RE_H
#define IQ_RE_H

#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Match and backtracking-depth limits per use, in one place.  A caller
 * passes its pair to iq_re_context_new. */
#define IQ_RE_MATCH_LIMIT         100000u   /* log rules, classes */
#define IQ_RE_DEPTH_LIMIT         10000u
#define IQ_RE_LINT_MATCH_LIMIT    200000u   /* review/ lint patterns per search */
#define IQ_RE_LINT_DEPTH_LIMIT    2000u
#define IQ_RE_REDACT_MATCH_LIMIT  1000000u  /* render/ redaction over a whole field */
#define IQ_RE_REDACT_DEPTH_LIMIT  10000u

/* Why a pattern did not compile: pcre2's message, and the offset in the
 * pattern (compile errors) or jit set (JIT compilation failed). */
struct iq_re_error {
    size_t offset;
    int jit;
    char msg[160];
};

/* A match context with pcre2_set_match_limit(match_limit) and
 * pcre2_set_depth_limit(depth_limit).  Caller owns the return value
 * (pcre2_match_context_free); NULL only on OOM. */
pcre2_match_context *iq_re_context_new(uint32_t match_limit, uint32_t depth_limit);

/* Compile len bytes of pat (PCRE2_ZERO_TERMINATED for a C string) with
 * pcre2 options opts, then JIT-compile it (where the platform has no JIT,
 * pcre2 interprets the pattern).  0 and *ret (caller owns,
 * pcre2_code_free); -EINVAL for a bad pattern, -ENOMEM, each with *reterr
 * filled; *ret untouched on failure. */
int iq_re_compile(const char *pat, size_t len, uint32_t opts, pcre2_code **ret,
                  struct iq_re_error *reterr);

/* A negative pcre2 match code as a negative errno: -ERANGE for a match,
 * depth, heap or JIT-stack limit, -ENOMEM, -EILSEQ for invalid UTF-8,
 * -EINVAL otherwise. */
int iq_re_errno(int rc);

#endif

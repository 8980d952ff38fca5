/* iq_re.h - the one place that includes <pcre2.h>, and the one pcre2
 * wrapper: compile (with JIT), match contexts with limits from the
 * config, pcre2 codes as negative errno and as messages.
 *
 * pcre2 needs PCRE2_CODE_UNIT_WIDTH defined before its header; defining it
 * here, once, keeps every module on the same 8-bit (UTF-8) API.  Patterns
 * are config (log rules, classes, lint rules, redaction), compiled and
 * checked at load time, never per event.
 *
 * Limits: each use of patterns has a match limit and a depth limit
 * (struct iq_re_limits), built-in defaults below.  The binaries set them
 * once at startup from the config's "regex" section with iq_re_setup (the
 * one writer, before any thread or pattern set exists); the modules read
 * them with iq_re_limits_of when they build a pattern set.  Lint rules
 * carry their own limits in the rules files (review/rev_rules.c), starting
 * from IQ_RE_LINT's. */
#ifndef IQ_RE_H
#define IQ_RE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* The uses of patterns, each with its own limits. */
enum iq_re_use {
    IQ_RE_LOGS = 0,       /* log rules (ingest/in_tail): "regex"."logs" */
    IQ_RE_CLASSES,        /* failure classes (analyze/): "regex"."classes" */
    IQ_RE_REDACTION,      /* redaction over a whole field (render/): "regex"."redaction" */
    IQ_RE_LINT,           /* lint rules (review/): "regex" of a rules file */
    IQ_RE_USES
};

/* Defaults, per use. */
#define IQ_RE_MATCH_LIMIT         100000u   /* log rules, classes */
#define IQ_RE_DEPTH_LIMIT         10000u
#define IQ_RE_LINT_MATCH_LIMIT    200000u   /* lint patterns per search */
#define IQ_RE_LINT_DEPTH_LIMIT    2000u
#define IQ_RE_REDACT_MATCH_LIMIT  1000000u  /* redaction over a whole field */
#define IQ_RE_REDACT_DEPTH_LIMIT  10000u

/* Accepted ranges (inclusive) of the config values. */
#define IQ_RE_MATCH_LIMIT_MIN     10u
#define IQ_RE_MATCH_LIMIT_MAX     1000000000u
#define IQ_RE_DEPTH_LIMIT_MIN     10u
#define IQ_RE_DEPTH_LIMIT_MAX     10000000u

/* The limits of one use.  match_limit bounds the work of one match
 * (pcre2_set_match_limit, also under JIT); depth_limit bounds
 * backtracking depth where pcre2 interprets the pattern
 * (pcre2_set_depth_limit; JIT code is bounded by its stack instead).
 * key names where they are set, for messages ("regex.logs"); static or
 * owned by whoever owns the limits. */
struct iq_re_limits {
    uint32_t match_limit;
    uint32_t depth_limit;
    const char *key;
};

/* Why a pattern did not compile: pcre2's message, and the offset in the
 * pattern (compile errors) or jit set (JIT compilation failed). */
struct iq_re_error {
    size_t offset;
    int jit;
    char msg[160];
};

/* The limits of use: the defaults, or what iq_re_setup set.  Borrowed,
 * static. */
const struct iq_re_limits *iq_re_limits_of(enum iq_re_use use);

/* The one writer of the limits: apply the config's "regex" section,
 * {"logs": {"match_limit": N, "depth_limit": N}, "classes": {...},
 * "redaction": {...}} (a use or key left out keeps its default; NULL
 * keeps every default).  Call once at startup, before any thread starts or
 * any pattern set is built.  Everything is checked before anything is
 * set: 0, or -EINVAL with err naming the key ("config
 * 'regex.logs.match_limit': 5 is outside 10..1000000000"). */
int iq_re_setup(const json_t *section, char *err, size_t errsz);

/* Parse {"match_limit": N, "depth_limit": N} (either may be left out)
 * over *lim, whose key names obj in messages.  0, or -EINVAL with err
 * set and *lim untouched. */
int iq_re_limits_parse(const json_t *obj, struct iq_re_limits *lim, char *err, size_t errsz);

/* A match context with lim's match and depth limits.  Caller owns the
 * return value (pcre2_match_context_free); NULL only on OOM. */
pcre2_match_context *iq_re_context_new(const struct iq_re_limits *lim);

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

/* Is rc (a pcre2 match code) one of the limits? */
bool iq_re_is_limit(int rc);

/* What a failed match (negative pcre2 code rc) ran into, into buf:
 * "the pcre2 match limit (regex.logs.match_limit = 100000)", "the pcre2
 * depth limit (regex.logs.depth_limit = 10000)", "the pcre2 JIT stack
 * limit (the pattern nests too deeply)", or pcre2's message for any other
 * code.  lim (may be NULL) gives the values and the key.  Returns buf. */
const char *iq_re_describe(int rc, const struct iq_re_limits *lim, char *buf, size_t size);

/* Count one limit hit in *count (shared across threads); true when this
 * hit should be logged: the 1st, 10th, 100th, ... so a pattern that hits
 * its limit on every line is reported without flooding the log. */
bool iq_re_hit(_Atomic uint64_t *count, uint64_t *ret_n);

#endif

/* rnd_redact.c - pcre2 redaction rules applied to a draft's context.
 *
 * A postmortem shared outside the team must not carry personal data or
 * secrets that arrived inside alerts, chat lines and deploy messages.  The
 * rules live in schemas/redaction.json so a team can tighten them without
 * rebuilding; each has a name, a human label used in the document's
 * redaction notice, a pattern and a literal replacement.
 *
 * Design notes:
 *  - Rules run in file order, each over the output of the previous one:
 *    private keys and JWTs come before e-mail addresses so a token is
 *    replaced whole rather than in pieces.
 *  - Patterns compile once, with PCRE2_UTF, and run under one match
 *    context carrying match and depth limits (rules are config, input is
 *    untrusted): regex.redaction of the daemon's config.  A rule that
 *    hits a limit fails the draft (an unredacted secret is worse than no
 *    draft), and the stats name the rule and the pcre2 code.  pcre2_substitute does the global replacement and returns
 *    the count; '$' in a replacement is doubled at load so replacements are
 *    literal.
 *  - Values are rewritten in place with json_string_setn, so the tree's
 *    shape and the caller's references stay valid. */
#include "rnd_redact.h"
#include "iq_event.h"
#include "iq_file.h"
#include "iq_re.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_DEPTH_MAX 64

struct rule {
    char *name;
    char *label;
    char *replacement;        /* with '$' doubled */
    pcre2_code *code;
};

struct rnd_redact {
    struct rule rules[RND_REDACT_RULES_MAX];
    size_t n;
    pcre2_match_context *mctx;
};

/* Copy s doubling every '$' so pcre2_substitute inserts it literally. */
static char *literal_replacement(const char *s)
{
    size_t n = strlen(s), d = 0;
    char *out;

    for (size_t i = 0; i < n; i++)
        d += s[i] == '$';
    out = malloc(n + d + 1);
    if (!out)
        return NULL;
    d = 0;
    for (size_t i = 0; i < n; i++) {
        out[d++] = s[i];
        if (s[i] == '$')
            out[d++] = '$';
    }
    out[d] = '\0';
    return out;
}

static int add_rule(struct rnd_redact *rd, const json_t *jr, size_t idx, const char *where,
                    char *err, size_t errsz)
{
    const char *name = json_string_value(json_object_get(jr, "name"));
    const char *label = json_string_value(json_object_get(jr, "label"));
    const char *pat = json_string_value(json_object_get(jr, "pattern"));
    const char *repl = json_string_value(json_object_get(jr, "replacement"));
    struct rule *r = &rd->rules[rd->n];
    struct iq_re_error e;
    int ec;

    if (!json_is_object(jr) || !name || !pat || !repl) {
        snprintf(err, errsz, "%s: rules[%zu]: needs string members name, pattern, replacement",
                 where, idx);
        return -EINVAL;
    }
    if ((ec = iq_re_compile(pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &r->code,
                            &e)) < 0) {
        if (e.jit)
            snprintf(err, errsz, "%s: rule '%s': pattern JIT compilation failed: %s", where,
                     name, e.msg);
        else
            snprintf(err, errsz, "%s: rule '%s': pattern error at offset %zu: %s", where, name,
                     e.offset, e.msg);
        return ec;
    }
    rd->n++;   /* owned from here: destroy frees a half-built rule */
    r->name = strdup(name);
    r->label = strdup(label ? label : name);
    r->replacement = literal_replacement(repl);
    if (!r->name || !r->label || !r->replacement) {
        snprintf(err, errsz, "%s: out of memory", where);
        return -ENOMEM;
    }
    return 0;
}

int rnd_redact_from_json(const json_t *doc, const char *where, struct rnd_redact **ret,
                         char *err, size_t errsz)
{
    const json_t *rules = json_object_get(doc, "rules");
    struct rnd_redact *rd = NULL;
    int r = -EINVAL;

    if (!json_is_array(rules)) {
        snprintf(err, errsz, "%s: expected an object with an array \"rules\"", where);
        goto out;
    }
    if (json_array_size(rules) > RND_REDACT_RULES_MAX) {
        snprintf(err, errsz, "%s: more than %d rules", where, RND_REDACT_RULES_MAX);
        r = -E2BIG;
        goto out;
    }
    rd = calloc(1, sizeof(*rd));
    if (!rd || !(rd->mctx = iq_re_context_new(iq_re_limits_of(IQ_RE_REDACTION)))) {
        snprintf(err, errsz, "%s: out of memory", where);
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < json_array_size(rules); i++)
        if ((r = add_rule(rd, json_array_get(rules, i), i, where, err, errsz)) < 0)
            goto out;
    *ret = rd;
    rd = NULL;
    r = 0;
out:
    rnd_redact_destroy(&rd);
    return r;
}

int rnd_redact_load(const char *path, struct rnd_redact **ret, char *err, size_t errsz)
{
    char sub[IQ_ERR_MAX];
    json_t *doc;
    int r;

    if ((r = iq_file_load_json(path, RND_REDACT_FILE_MAX, &doc, sub, sizeof(sub))) < 0) {
        snprintf(err, errsz, "redaction rules %s", sub);
        return r;
    }
    r = rnd_redact_from_json(doc, path, ret, err, errsz);
    json_decref(doc);
    return r;
}

/* Apply one rule to [in, in+len).  On replacements *out is a new string.
 * Returns the count (0: *out untouched) or a negative errno; a failed
 * match leaves pcre2's code in *ret_pcre. */
static int apply_rule(const struct rnd_redact *rd, const struct rule *ru, const char *in,
                      size_t len, char **out, size_t *out_len, int *ret_pcre)
{
    PCRE2_SIZE cap = len + len / 2 + 128, got;
    char *buf = NULL;
    int rc;

    for (int attempt = 0; attempt < 2; attempt++) {
        free(buf);
        if (!(buf = malloc(cap)))
            return -ENOMEM;
        got = cap;
        rc = pcre2_substitute(ru->code, (PCRE2_SPTR)in, len, 0,
                              PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, NULL,
                              rd->mctx, (PCRE2_SPTR)ru->replacement, PCRE2_ZERO_TERMINATED,
                              (PCRE2_UCHAR *)buf, &got);
        if (rc != PCRE2_ERROR_NOMEMORY)
            break;
        cap = got + 1;
    }
    if (rc <= 0) {
        free(buf);
        if (rc < 0)
            *ret_pcre = rc;
        return rc == 0 ? 0 : iq_re_errno(rc);
    }
    *out = buf;
    *out_len = got;
    return rc;
}

int rnd_redact_string(const struct rnd_redact *rd, const char *s, size_t len, char **ret,
                      size_t *ret_len, struct rnd_redact_stats *st)
{
    char *cur = NULL, *next = NULL;
    size_t cur_len = len, next_len = 0;
    int total = 0, rc;

    for (size_t i = 0; i < rd->n; i++) {
        int pcre_rc = 0;

        rc = apply_rule(rd, &rd->rules[i], cur ? cur : s, cur_len, &next, &next_len, &pcre_rc);
        if (rc < 0) {
            if (st && pcre_rc) {
                st->fail_rc = pcre_rc;
                st->fail_rule = i;
            }
            free(cur);
            return rc;
        }
        if (rc == 0)
            continue;
        free(cur);
        cur = next;
        cur_len = next_len;
        total += rc;
        if (st) {
            st->count[i] += (unsigned long)rc;
            st->total += (unsigned long)rc;
        }
    }
    *ret = cur;
    if (cur && ret_len)
        *ret_len = cur_len;
    return total;
}

static int walk(const struct rnd_redact *rd, json_t *v, struct rnd_redact_stats *st, int depth)
{
    const char *key;
    json_t *child;
    char *red = NULL;
    size_t red_len = 0, i;
    int total = 0, rc = 0;

    if (depth > JSON_DEPTH_MAX)
        return -ELOOP;
    if (json_is_string(v)) {
        rc = rnd_redact_string(rd, json_string_value(v), json_string_length(v), &red, &red_len, st);
        if (rc > 0 && json_string_setn(v, red, red_len) < 0)
            rc = -ENOMEM;
        free(red);
        return rc;
    }
    if (json_is_object(v)) {
        json_object_foreach(v, key, child) {
            if ((rc = walk(rd, child, st, depth + 1)) < 0)
                return rc;
            total += rc;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, child) {
            if ((rc = walk(rd, child, st, depth + 1)) < 0)
                return rc;
            total += rc;
        }
    }
    return total;
}

int rnd_redact_json(const struct rnd_redact *rd, json_t *root, struct rnd_redact_stats *st)
{
    return walk(rd, root, st, 0);
}

size_t rnd_redact_n_rules(const struct rnd_redact *rd)
{
    return rd->n;
}

const char *rnd_redact_rule_name(const struct rnd_redact *rd, size_t i)
{
    return i < rd->n ? rd->rules[i].name : NULL;
}

const char *rnd_redact_rule_label(const struct rnd_redact *rd, size_t i)
{
    return i < rd->n ? rd->rules[i].label : NULL;
}

const char *rnd_redact_failure(const struct rnd_redact *rd, const struct rnd_redact_stats *st,
                               int r, char *buf, size_t size)
{
    char what[160];

    if (st && st->fail_rc < 0 && st->fail_rule < rd->n)
        snprintf(buf, size, "rule '%s' hit %s", rd->rules[st->fail_rule].name,
                 iq_re_describe(st->fail_rc, iq_re_limits_of(IQ_RE_REDACTION), what,
                                sizeof(what)));
    else
        snprintf(buf, size, "%s", strerror(-r));
    return buf;
}

json_t *rnd_redact_summary(const struct rnd_redact *rd, const struct rnd_redact_stats *st)
{
    json_t *items = json_array(), *sum;

    for (size_t i = 0; items && i < rd->n; i++) {
        if (!st->count[i])
            continue;
        json_array_append_new(items, json_pack("{s:s, s:s, s:I}", "name", rd->rules[i].name,
                                               "label", rd->rules[i].label, "count",
                                               (json_int_t)st->count[i]));
    }
    sum = json_pack("{s:b, s:I, s:o*}", "applied", 1, "total", (json_int_t)st->total, "items",
                    items);
    return sum;
}

void rnd_redact_destroy(struct rnd_redact **prd)
{
    struct rnd_redact *rd;

    if (!prd || !*prd)
        return;
    rd = *prd;
    for (size_t i = 0; i < rd->n; i++) {
        free(rd->rules[i].name);
        free(rd->rules[i].label);
        free(rd->rules[i].replacement);
        pcre2_code_free(rd->rules[i].code);
    }
    pcre2_match_context_free(rd->mctx);
    free(rd);
    *prd = NULL;
}

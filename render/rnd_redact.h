/* rnd_redact.h - redaction of personal data and secrets in a draft.
 *
 * Rules are pcre2 patterns in schemas/redaction.json (e-mail addresses, IP
 * addresses, bearer tokens, AWS keys, Slack tokens, JWTs, private keys,
 * phone numbers), compiled once at load.  Applied to every string value of
 * the draft's context before rendering; the counts per rule go into the
 * document so readers know redaction happened and how much. */
#ifndef RND_REDACT_H
#define RND_REDACT_H

#include <stddef.h>
#include <jansson.h>

struct rnd_redact;

#define RND_REDACT_RULES_MAX 64
#define RND_REDACT_FILE_MAX  (256 * 1024)

/* Per-rule counts of one redaction pass, and what made it fail. */
struct rnd_redact_stats {
    unsigned long count[RND_REDACT_RULES_MAX];
    unsigned long total;
    int fail_rc;              /* pcre2 code of a failed match, 0 none */
    size_t fail_rule;         /* the rule it failed in, when fail_rc < 0 */
};

/* Compile the rules of a redaction document {"rules": [{"name", "label",
 * "pattern", "replacement"}]}.  where (borrowed) names the document in
 * messages.  Caller owns *ret.  -EINVAL with err naming the rule and the
 * pattern offset of a compile error, -E2BIG over RND_REDACT_RULES_MAX. */
int rnd_redact_from_json(const json_t *doc, const char *where, struct rnd_redact **ret,
                         char *err, size_t errsz);

/* Read and compile a redaction file. */
int rnd_redact_load(const char *path, struct rnd_redact **ret, char *err, size_t errsz);

/* Redact len bytes of s.  When something was replaced, *ret is a new
 * NUL-terminated string (caller owns) and *ret_len its length; otherwise
 * *ret is NULL.  Adds to st.  Returns the number of items replaced, or
 * -ERANGE (a pattern hit its match limit), -ENOMEM, -EILSEQ. */
int rnd_redact_string(const struct rnd_redact *rd, const char *s, size_t len, char **ret,
                      size_t *ret_len, struct rnd_redact_stats *st);

/* Redact every string value (not keys) of the tree in place.  Returns the
 * number of items replaced, or a negative errno as rnd_redact_string. */
int rnd_redact_json(const struct rnd_redact *rd, json_t *root, struct rnd_redact_stats *st);

/* Why a pass failed with r (negative errno) into buf: "rule 'jwt' hit
 * the pcre2 match limit (regex.redaction.match_limit = 1000000)" when a
 * rule's match failed (st records it), else strerror.  Returns buf. */
const char *rnd_redact_failure(const struct rnd_redact *rd, const struct rnd_redact_stats *st,
                               int r, char *buf, size_t size);

/* Number of rules, and rule i's name ("email") and label ("e-mail address").
 * Borrowed; valid while rd lives. */
size_t rnd_redact_n_rules(const struct rnd_redact *rd);
const char *rnd_redact_rule_name(const struct rnd_redact *rd, size_t i);
const char *rnd_redact_rule_label(const struct rnd_redact *rd, size_t i);

/* A JSON summary for the draft: {"applied": true, "total": N,
 * "items": [{"label", "name", "count"}] (rules with count > 0)}.  Caller owns. */
json_t *rnd_redact_summary(const struct rnd_redact *rd, const struct rnd_redact_stats *st);

/* Free; NULLs the caller's pointer.  NULL-safe. */
void rnd_redact_destroy(struct rnd_redact **prd);

#endif

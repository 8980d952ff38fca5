/* rnd_pseudo.h - stable pseudonyms for the people named in a draft.
 *
 * With --pseudonymize, every actor (chat user, acknowledger, deployer)
 * becomes "responder A", "responder B", ... in order of first appearance,
 * and the same mapping is applied to every mention of those names in the
 * document's text, so one person has one pseudonym throughout. */
#ifndef RND_PSEUDO_H
#define RND_PSEUDO_H

#include <stddef.h>
#include <jansson.h>

struct rnd_pseudo;

#define RND_PSEUDO_MAX 4096   /* distinct people per document */

/* New empty mapping; role (borrowed, copied) prefixes the pseudonyms, e.g.
 * "responder".  Caller owns; NULL on OOM. */
struct rnd_pseudo *rnd_pseudo_new(const char *role);

/* The pseudonym of name, assigning the next one on first sight.  Borrowed;
 * valid while p lives.  NULL on OOM or past RND_PSEUDO_MAX people. */
const char *rnd_pseudo_name(struct rnd_pseudo *p, const char *name);

/* Replace every whole-word mention of a known name in the string values of
 * root (longest names first).  Returns the number of replacements, or
 * -ENOMEM. */
int rnd_pseudo_json(const struct rnd_pseudo *p, json_t *root);

/* Number of people mapped. */
size_t rnd_pseudo_count(const struct rnd_pseudo *p);

/* Free; NULLs the caller's pointer.  NULL-safe. */
void rnd_pseudo_destroy(struct rnd_pseudo **pp);

#endif

/* rnd_people.h - who the people of a draft are: chat user ids resolved to
 * the names people know, then optionally replaced by pseudonyms.
 *
 * A Slack event names its author by an opaque id (U0123ABCD).  A draft
 * shows the display name instead: the event's own `user_name` label (from
 * the Events API's user_profile or a slack-export import), else a
 * directory (the `slack:user:ID` entries a slack-export import stores, and
 * the configured `slack_users` map), else a neutral "a responder".  A raw
 * id is never shown.  With pseudonyms on, the shown name is replaced by
 * "responder A", ... (rnd_pseudo.h), so mentions of the display name in
 * text are rewritten too. */
#ifndef RND_PEOPLE_H
#define RND_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct iq_event;
struct rnd_pseudo;

struct rnd_people;

#define RND_PEOPLE_UNKNOWN "a responder"   /* an id nobody could resolve */
#define RND_PEOPLE_BOT     "an integration" /* an unresolved Slack bot id */

/* New resolver.  directory: {"U0123": "Ana", ...} (borrowed, may be NULL;
 * must outlive the resolver).  With pseudonymize, names become pseudonyms.
 * Caller owns; NULL on OOM. */
struct rnd_people *rnd_people_new(const json_t *directory, bool pseudonymize);

#define RND_PEOPLE_MAP_MAX 100000   /* entries of a configured map */

/* Check a configured map (the `slack_users` key of the "drafts" config):
 * NULL, or an object of Slack ids ("U0123ABCD") to non-empty names of at
 * most 200 bytes, at most RND_PEOPLE_MAP_MAX entries.  0, or -EINVAL with
 * err naming the bad entry. */
int rnd_people_check_map(const json_t *map, char *err, size_t errsz);

/* Free; NULLs the caller's pointer.  NULL-safe. */
void rnd_people_destroy(struct rnd_people **pp);

/* Is s a Slack user, bot or workspace id ("U0123ABCD", "W…", "B…")? */
bool rnd_people_is_slack_id(const char *s);

/* The name to show for ev's actor, or NULL when it has none.  Borrowed;
 * valid while p lives.  Never a raw Slack id.  The first call for a
 * person assigns their pseudonym (in the order calls are made). */
const char *rnd_people_actor(struct rnd_people *p, const struct iq_event *ev);

/* ev's text with Slack mention markup (<@U0123>, <@U0123|name>) written
 * as "@Name" (the resolved name, or "a responder"); NULL when ev has no
 * text.  Caller owns the result; NULL also on OOM (*ret_oom set). */
char *rnd_people_text(struct rnd_people *p, const struct iq_event *ev, bool *ret_oom);

/* The pseudonym table (NULL without pseudonyms).  Borrowed. */
struct rnd_pseudo *rnd_people_pseudo(struct rnd_people *p);

#endif

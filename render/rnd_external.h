/* rnd_external.h - the external audience's view of a draft: no chat, no
 * audit notes, links to allowed hosts only, no machine names from alert
 * labels, no raw incident copy.  rnd_draft.c calls these when the
 * audience is external (and forces pseudonyms for people). */
#ifndef RND_EXTERNAL_H
#define RND_EXTERNAL_H

#include <stddef.h>
#include <jansson.h>

struct iq_event;

#define RND_EXTERNAL_HOSTS_MAX 256   /* entries of an allow-list */

/* The events an external reader may see: evs (borrowed, time order)
 * without chat messages and audit notes.  *ret is a new array of the
 * same borrowed pointers (caller frees the array only).  0 or -ENOMEM. */
int rnd_external_events(struct iq_event *const *evs, size_t n, struct iq_event ***ret,
                        size_t *ret_n);

/* Rewrite the context ctx in place for an external audience: members
 * "link" and "draft" whose host is not allowed are removed, other URLs in
 * text leading to a host not allowed become "[internal link]", the host
 * names of the alert events' labels become "host A", ..., and the member
 * "incident" is removed.  allow (borrowed) is an array of host names,
 * "*.domain" or "status-page" (the hosts of the status events' links in
 * evs); NULL means ["status-page"].  evs (borrowed) are all the draft's
 * events.  0, -ENOMEM, -ELOOP (nesting too deep). */
int rnd_external_apply(json_t *ctx, struct iq_event *const *evs, size_t n, const json_t *allow);

/* Check an allow-list from configuration: NULL/null, or an array of at
 * most RND_EXTERNAL_HOSTS_MAX entries, each a host name, "*.domain" or
 * "status-page".  0, or -EINVAL with err naming the bad entry. */
int rnd_external_check(const json_t *allow, char *err, size_t errsz);

#endif

/* rnd_people.c - people in a draft by the names their colleagues know.
 *
 * Chat sources identify authors by opaque ids: a Slack message says
 * "U06NU4E26M9", which means nothing to a reader and is not something a
 * postmortem should print.  This module decides, once per person, what the
 * draft calls them:
 *
 *   1. the event's `user_name` label: the Events API mapping fills it from
 *      the message's user_profile (display name, then real name, then
 *      user name) and bot messages' `username`; a slack-export import
 *      fills it from users.json;
 *   2. the directory: id -> name, built by the caller from the
 *      `slack:user:ID` entries a slack-export import stores and from the
 *      configured `slack_users` map (rnd_draft_store.c);
 *   3. otherwise a neutral "a responder" ("an integration" for a bot id).
 *
 * With pseudonyms on, the chosen name goes through rnd_pseudo, so "Ana"
 * becomes "responder A" everywhere, mentions in text included; a person
 * nobody could name still gets a pseudonym of their own (keyed by the id,
 * which is never printed).
 *
 * Design notes:
 *  - Only events whose source is "slack" are treated as carrying Slack
 *    ids: other sources (PagerDuty agents, Git logins) already name people
 *    and are shown as they are.
 *  - Mention markup in message text (<@U0123> or <@U0123|legacy name>)
 *    is written "@Name" with the same resolution, so the text never leaks
 *    an id either. */
#include "rnd_people.h"
#include "iq_buf.h"
#include "rnd_pseudo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"

#define TEXT_MAX (1u << 20)   /* bytes of one rewritten message */
#define ID_MAX   32           /* Slack ids are 9 to 11 characters */

struct rnd_people {
    const json_t *dir;          /* borrowed */
    struct rnd_pseudo *pseudo;  /* NULL without pseudonyms */
};

struct rnd_people *rnd_people_new(const json_t *directory, bool pseudonymize)
{
    struct rnd_people *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->dir = json_is_object(directory) ? directory : NULL;
    if (pseudonymize && !(p->pseudo = rnd_pseudo_new("responder")))
        rnd_people_destroy(&p);
    return p;
}

void rnd_people_destroy(struct rnd_people **pp)
{
    if (!pp || !*pp)
        return;
    rnd_pseudo_destroy(&(*pp)->pseudo);
    free(*pp);
    *pp = NULL;
}

bool rnd_people_is_slack_id(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n < 7 || n > ID_MAX || (s[0] != 'U' && s[0] != 'W' && s[0] != 'B'))
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n;
}

int rnd_people_check_map(const json_t *map, char *err, size_t errsz)
{
    const char *id;
    const json_t *v;

    if (!map)
        return 0;
    if (!json_is_object(map) || json_object_size(map) > RND_PEOPLE_MAP_MAX) {
        snprintf(err, errsz, "slack_users: expected an object of at most %d \"USER_ID\": \"name\" "
                 "entries", RND_PEOPLE_MAP_MAX);
        return -EINVAL;
    }
    json_object_foreach((json_t *)map, id, v) {
        const char *name = json_string_value(v);

        if (!rnd_people_is_slack_id(id) || !name || !*name || strlen(name) > 200) {
            snprintf(err, errsz, "slack_users: entry \"%.40s\": expected a Slack user id "
                     "(U0123ABCD) and a name of 1 to 200 bytes", id);
            return -EINVAL;
        }
    }
    return 0;
}

static bool from_slack(const struct iq_event *ev)
{
    return iq_ev_source(ev) && strcmp(iq_ev_source(ev), "slack") == 0;
}

/* A usable name: non-empty and not itself an id. */
static const char *usable(const char *name)
{
    return name && *name && !rnd_people_is_slack_id(name) ? name : NULL;
}

/* The shown name of Slack id `id`; hint is the event's own name or NULL. */
static const char *shown_id(struct rnd_people *p, const char *id, const char *hint)
{
    const char *name = usable(hint);

    if (!name)
        name = usable(json_string_value(json_object_get(p->dir, id)));
    if (p->pseudo)
        return rnd_pseudo_name(p->pseudo, name ? name : id);
    if (name)
        return name;
    return id[0] == 'B' ? RND_PEOPLE_BOT : RND_PEOPLE_UNKNOWN;
}

const char *rnd_people_actor(struct rnd_people *p, const struct iq_event *ev)
{
    const char *a = ev->str[IQ_F_ACTOR];

    if (!a || !*a)
        return NULL;
    if (from_slack(ev) && rnd_people_is_slack_id(a))
        return shown_id(p, a, iq_event_label(ev, "user_name"));
    return p->pseudo ? rnd_pseudo_name(p->pseudo, a) : a;
}

/* Length of a mention "<@ID>" or "<@ID|name>" at s, or 0; the id goes to id. */
static size_t mention_at(const char *s, char *id, size_t idsz)
{
    const char *end, *bar;
    size_t n;

    if (s[0] != '<' || s[1] != '@' || !(end = strchr(s + 2, '>')))
        return 0;
    bar = memchr(s + 2, '|', (size_t)(end - s - 2));
    n = (size_t)((bar ? bar : end) - (s + 2));
    if (n == 0 || n >= idsz)
        return 0;
    memcpy(id, s + 2, n);
    id[n] = '\0';
    return rnd_people_is_slack_id(id) ? (size_t)(end - s) + 1 : 0;
}

char *rnd_people_text(struct rnd_people *p, const struct iq_event *ev, bool *ret_oom)
{
    const char *t = ev->str[IQ_F_TEXT], *s;
    struct iq_buf b;
    char id[ID_MAX + 1], *out;
    int r = 0;

    *ret_oom = false;
    if (!t)
        return NULL;
    iq_buf_init(&b, TEXT_MAX);
    for (s = t; *s && r == 0;) {
        size_t n = from_slack(ev) ? mention_at(s, id, sizeof(id)) : 0;

        if (n) {
            const char *name = shown_id(p, id, NULL);

            r = name ? iq_buf_printf(&b, "@%s", name) : -ENOMEM;
            s += n;
        } else {
            r = iq_buf_addc(&b, *s++);
        }
    }
    /* past TEXT_MAX (longer than any message) the text is cut there */
    out = r == 0 || r == -ENOBUFS ? iq_buf_take(&b, NULL) : NULL;
    iq_buf_free(&b);
    *ret_oom = out == NULL;
    return out;
}

struct rnd_pseudo *rnd_people_pseudo(struct rnd_people *p)
{
    return p->pseudo;
}

/* ana_import_slack.c - a Slack workspace export directory into chat events.
 *
 * An export holds channels.json (an array of {id, name, ...}), users.json
 * (an array of {id, name, real_name, profile}) and one directory per
 * channel, named after it, with one <YYYY-MM-DD>.json file per day: an
 * array of messages.  Each message becomes a chat event with the id the
 * Events API mapping gives it (schemas/sources/slack.json, prefixed with
 * the source by ingest): "slack:<channel id>:<ts>", `at` from ts (epoch seconds with microseconds, cut
 * to milliseconds), actor the user id (the bot id for bots), labels
 * channel (id), channel_name, user, user_name, ts, thread_ts, subtype.
 *
 * users.json also becomes a directory: one event per user with a name,
 * id "slack:user:<user id>", kind note, source slack, action "user",
 * labels user, user_name (display name, else real name, else name),
 * team, at the user's `updated` time (else the export's first message,
 * else the epoch).  They name no service, incident key or channel, so the
 * correlator attaches them to nothing; the renderer reads them by id to
 * show Slack users by name in drafts (render/rnd_draft_store.c), also
 * for messages that arrived by webhook before the import.  Like every
 * import event they deduplicate: the first import's name stays.
 *
 * Design notes:
 * - Channel names come from an untrusted file and become path components:
 *   a name with '/', a leading '.', or over 80 bytes is refused.
 * - Day files are read in name (that is, date) order, so the events come
 *   out in time order per channel.
 * - Entries that are not messages (no "type": "message") are skipped, as
 *   the Events API mapping ignores other event types; a message without a
 *   valid ts is an error naming the file and index. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_import.h"
#include "iq_event.h"
#include "iq_time.h"

#define DAYS_MAX 100000   /* day files per channel */

struct sl_ctx {
    const char *dir;
    char *err;
    size_t errsz;
    json_t *users;        /* id -> display name */
    json_t *users_doc;    /* users.json as read, for the directory entries */
    struct iq_evvec out;
};

static int sl_fail(struct sl_ctx *c, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int sl_fail(struct sl_ctx *c, int r, const char *fmt, ...)
{
    char msg[IQ_ERR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(c->err, c->errsz, "%s: %s", c->dir, msg);
    return r;
}

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* "1516454398.000069" -> ms; -EINVAL on anything else. */
static int parse_ts(const char *s, int64_t *ret)
{
    int64_t sec = 0, ms = 0;
    const char *p = s;
    int digits = 0;

    if (!s || !*s)
        return -EINVAL;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        if (digits > 12)
            return -EINVAL;
        else
            sec = sec * 10 + (*p - '0');
    if (digits == 0)
        return -EINVAL;
    if (*p == '.') {
        int f = 0;

        for (p++; *p >= '0' && *p <= '9'; p++, f++)
            if (f < 3)
                ms = ms * 10 + (*p - '0');
        for (; f < 3; f++)
            ms *= 10;
    }
    if (*p)
        return -EINVAL;
    *ret = sec * 1000 + ms;
    return 0;
}

static const char *map_subtype(const char *st)
{
    static const char *const map[][2] = {
        { "message_changed", "edited" }, { "message_deleted", "deleted" },
        { "channel_join", "joined" }, { "channel_leave", "left" },
    };

    for (size_t i = 0; st && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(st, map[i][0]) == 0)
            return map[i][1];
    return "posted";
}

/* users.json (optional) into an id -> name object. */
static int load_users(struct sl_ctx *c)
{
    char path[4096], err[IQ_ERR_MAX];
    json_t *doc = NULL, *u;
    size_t i;
    int r;

    if (!(c->users = json_object()))
        return -ENOMEM;
    snprintf(path, sizeof(path), "%s/users.json", c->dir);
    r = ana_json_load_file(path, &doc, err, sizeof(err));
    if (r == -ENOENT)
        return 0;
    if (r < 0) {
        snprintf(c->err, c->errsz, "%s", err);
        return r;
    }
    if (!json_is_array(doc)) {
        json_decref(doc);
        return sl_fail(c, -EINVAL, "users.json: not an array of users");
    }
    json_array_foreach(doc, i, u) {
        const json_t *prof = json_object_get(u, "profile");
        const char *id = jstr(u, "id"), *name = jstr(prof, "display_name");

        if (!name || !*name)
            name = jstr(u, "real_name");
        if (!name || !*name)
            name = jstr(u, "name");
        if (id && name && json_object_set_new(c->users, id, json_string(name)) < 0) {
            json_decref(doc);
            return -ENOMEM;
        }
    }
    c->users_doc = doc;
    return 0;
}

/* One directory entry: user u (borrowed) named name, at time at. */
static int add_user(struct sl_ctx *c, const json_t *u, const char *id, const char *name,
                    int64_t at, size_t ix)
{
    struct iq_event *ev;
    char eid[IQ_ID_MAX + 1], title[200], verr[IQ_ERR_MAX];
    json_int_t upd = json_integer_value(json_object_get(u, "updated"));
    int r = 0;

    if (snprintf(eid, sizeof(eid), "slack:user:%s", id) >= (int)sizeof(eid) || strlen(id) > 64)
        return sl_fail(c, -EINVAL, "users.json[%zu]: user id too long", ix);
    if (!(ev = iq_event_new()))
        return -ENOMEM;
    ev->at = upd > 0 && upd < 100000000000LL ? (int64_t)upd * 1000 : at;
    snprintf(title, sizeof(title), "Slack user %.150s", name);
    r |= iq_event_set_str(ev, IQ_F_ID, eid);
    r |= iq_event_set_str(ev, IQ_F_SOURCE, "slack");
    r |= iq_event_set_str(ev, IQ_F_KIND, "note");
    r |= iq_event_set_str(ev, IQ_F_ACTION, "user");
    r |= ana_set_field_cut(ev, IQ_F_TITLE, title);
    r |= iq_event_set_label(ev, "user", id);
    r |= iq_event_set_label(ev, "user_name", name);
    r |= iq_event_set_label(ev, "imported", "slack-export");
    if (jstr(u, "team_id"))
        r |= iq_event_set_label(ev, "team", jstr(u, "team_id"));
    if (r) {
        iq_event_destroy(&ev);
        return -ENOMEM;
    }
    if (iq_event_validate(ev, verr, sizeof(verr)) < 0) {
        iq_event_destroy(&ev);
        return sl_fail(c, -EINVAL, "users.json[%zu]: %s", ix, verr);
    }
    if ((r = ana_evvec_push(&c->out, &ev)) == -E2BIG)
        return sl_fail(c, r, "more than %u events", ANA_IMPORT_EVENTS_MAX);
    return r;
}

/* The directory entries of users.json, after the messages. */
static int add_users(struct sl_ctx *c)
{
    int64_t first = c->out.n ? c->out.v[0]->at : 0;
    const json_t *u;
    size_t i;
    int r = 0;

    for (i = 0; i < c->out.n; i++)
        if (c->out.v[i]->at < first)
            first = c->out.v[i]->at;
    json_array_foreach(c->users_doc, i, u) {
        const char *id = jstr(u, "id");
        const char *name = id ? json_string_value(json_object_get(c->users, id)) : NULL;

        if (name && (r = add_user(c, u, id, name, first, i)) < 0)
            return r;
    }
    return 0;
}

static int msg_fields(struct sl_ctx *c, struct iq_event *ev, const json_t *m, const char *chid,
                      const char *chname)
{
    const char *user = jstr(m, "user"), *bot = jstr(m, "bot_id"), *st = jstr(m, "subtype");
    const char *uname = user ? json_string_value(json_object_get(c->users, user)) : NULL;
    char title[160];
    int r = 0;

    snprintf(title, sizeof(title), "Message in #%.80s", chname);
    r |= iq_event_set_str(ev, IQ_F_SOURCE, "slack");
    r |= iq_event_set_str(ev, IQ_F_KIND, "chat");
    r |= iq_event_set_str(ev, IQ_F_ACTION, map_subtype(st));
    r |= iq_event_set_str(ev, IQ_F_TITLE, title);
    r |= ana_set_field_cut(ev, IQ_F_TEXT, jstr(m, "text"));
    r |= ana_set_field_cut(ev, IQ_F_ACTOR, user ? user : bot ? bot : jstr(m, "username"));
    r |= iq_event_set_label(ev, "channel", chid);
    r |= iq_event_set_label(ev, "channel_name", chname);
    r |= iq_event_set_label(ev, "ts", jstr(m, "ts"));
    r |= iq_event_set_label(ev, "imported", "slack-export");
    if (user)
        r |= iq_event_set_label(ev, "user", user);
    if (uname)
        r |= iq_event_set_label(ev, "user_name", uname);
    if (jstr(m, "thread_ts"))
        r |= iq_event_set_label(ev, "thread_ts", jstr(m, "thread_ts"));
    if (st)
        r |= iq_event_set_label(ev, "subtype", st);
    if (bot || (st && strcmp(st, "bot_message") == 0))
        r |= iq_event_set_label(ev, "bot", "true");
    if (iq_event_set_raw_json(ev, m) == -ENOMEM)
        r = -ENOMEM;
    return r ? -ENOMEM : 0;
}

static int add_message(struct sl_ctx *c, const json_t *m, const char *chid, const char *chname,
                       const char *where)
{
    struct iq_event *ev;
    char id[IQ_ID_MAX + 1], verr[IQ_ERR_MAX];
    int64_t at;
    int r;

    if (parse_ts(jstr(m, "ts"), &at) < 0)
        return sl_fail(c, -EINVAL, "%s: no valid 'ts'", where);
    if (snprintf(id, sizeof(id), "slack:%s:%s", chid, jstr(m, "ts")) >= (int)sizeof(id))
        return sl_fail(c, -EINVAL, "%s: channel id and ts too long for an event id", where);
    if (!(ev = iq_event_new()))
        return -ENOMEM;
    ev->at = at;
    if ((r = iq_event_set_str(ev, IQ_F_ID, id)) < 0 ||
        (r = msg_fields(c, ev, m, chid, chname)) < 0) {
        iq_event_destroy(&ev);
        return r;
    }
    if (iq_event_validate(ev, verr, sizeof(verr)) < 0) {
        iq_event_destroy(&ev);
        return sl_fail(c, -EINVAL, "%s: %s", where, verr);
    }
    if ((r = ana_evvec_push(&c->out, &ev)) == -E2BIG)
        return sl_fail(c, r, "more than %u events", ANA_IMPORT_EVENTS_MAX);
    return r;
}

static int read_day(struct sl_ctx *c, const char *chid, const char *chname, const char *day)
{
    char path[4096], where[4200];
    json_t *doc = NULL, *m;
    size_t i;
    int r;

    snprintf(path, sizeof(path), "%s/%s/%s", c->dir, chname, day);
    if ((r = ana_json_load_file(path, &doc, c->err, c->errsz)) < 0)
        return r;
    if (!json_is_array(doc)) {
        json_decref(doc);
        return sl_fail(c, -EINVAL, "%s/%s: not an array of messages", chname, day);
    }
    json_array_foreach(doc, i, m) {
        const char *type = jstr(m, "type");

        if (!json_is_object(m) || !type || strcmp(type, "message") != 0)
            continue;
        snprintf(where, sizeof(where), "%s/%s[%zu]", chname, day, i);
        if ((r = add_message(c, m, chid, chname, where)) < 0)
            break;
    }
    json_decref(doc);
    return r < 0 ? r : 0;
}

static bool day_name(const char *s)
{
    static const char pat[] = "dddd-dd-dd.json";

    if (strlen(s) != sizeof(pat) - 1)
        return false;
    for (size_t i = 0; pat[i]; i++)
        if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
            return false;
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The day files of one channel directory, sorted.  A channel without a
 * directory had no messages in the export: 0 days. */
static int list_days(struct sl_ctx *c, const char *chname, char ***ret, size_t *n)
{
    char path[4096], **v = NULL;
    struct dirent *de;
    size_t cnt = 0;
    DIR *d;
    int r = 0;

    snprintf(path, sizeof(path), "%s/%s", c->dir, chname);
    if (!(d = opendir(path)))
        return errno == ENOENT ? 0 : sl_fail(c, -errno, "%s: %s", chname, strerror(errno));
    if (!(v = calloc(DAYS_MAX, sizeof(*v)))) {
        closedir(d);
        return -ENOMEM;
    }
    while ((de = readdir(d)) && r == 0) {
        if (!day_name(de->d_name))
            continue;
        if (cnt >= DAYS_MAX)
            r = sl_fail(c, -E2BIG, "%s: more than %d day files", chname, DAYS_MAX);
        else if (!(v[cnt++] = strdup(de->d_name)))
            r = -ENOMEM;
    }
    closedir(d);
    qsort(v, cnt, sizeof(*v), cmp_str);
    *ret = v;
    *n = cnt;
    return r;
}

static int read_channel(struct sl_ctx *c, const json_t *ch, size_t ix)
{
    const char *chid = jstr(ch, "id"), *name = jstr(ch, "name");
    char **days = NULL;
    size_t n = 0;
    int r;

    if (!chid || !*chid || strlen(chid) > 64 || !name || !*name || strlen(name) > 80 ||
        strchr(name, '/') || name[0] == '.')
        return sl_fail(c, -EINVAL, "channels.json[%zu]: needs an 'id' and a 'name' usable as "
                       "a directory name", ix);
    r = list_days(c, name, &days, &n);
    for (size_t i = 0; r == 0 && i < n; i++)
        r = read_day(c, chid, name, days[i]);
    for (size_t i = 0; days && i < n; i++)
        free(days[i]);
    free(days);
    return r;
}

int ana_import_slack(const char *dir, struct iq_evvec *out, char *err, size_t errsz)
{
    struct sl_ctx c = { .dir = dir, .err = err, .errsz = errsz };
    char path[4096];
    json_t *chans = NULL, *ch;
    size_t i;
    int r;

    snprintf(path, sizeof(path), "%s/channels.json", dir);
    if ((r = ana_json_load_file(path, &chans, err, errsz)) < 0) {
        if (r == -ENOENT)
            sl_fail(&c, r, "no channels.json (not a Slack workspace export?)");
        return r;
    }
    if (!json_is_array(chans)) {
        r = sl_fail(&c, -EINVAL, "channels.json: not an array of channels");
        goto out;
    }
    if ((r = load_users(&c)) < 0)
        goto out;
    json_array_foreach(chans, i, ch)
        if ((r = read_channel(&c, ch, i)) < 0)
            goto out;
    if ((r = add_users(&c)) < 0)
        goto out;
    r = (int)c.out.n;
    if (ana_evvec_move(out, &c.out) < 0)
        r = -ENOMEM;
out:
    if (r == -ENOMEM)
        sl_fail(&c, r, "out of memory");
    json_decref(chans);
    json_decref(c.users);
    json_decref(c.users_doc);
    iq_evvec_clear(&c.out);
    return r;
}

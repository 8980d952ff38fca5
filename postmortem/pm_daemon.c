/* pm_daemon.c - inquestd's postmortems stage: watch postmortems_dir, remind
 * of overdue follow-ups, serve GET /api/v1/followups (see pm_daemon.h).
 *
 * Design notes:
 * - Watching is polling: every `poll` the tree's fingerprint (names, sizes,
 *   modification times of its Markdown files, pm_sync_fingerprint) is
 *   compared with the last one, and the tree is synced when it changed.
 *   Polling works on every filesystem (network mounts, bind mounts of a
 *   git checkout) where inotify does not, and a sync of an unchanged file
 *   writes nothing (pm_sync.c), so a spurious change costs one read.
 * - The first pass syncs at start, so a daemon that was down while the
 *   directory changed catches up.  The fingerprint also covers the stored
 *   incidents, so a document that named an incident the correlator had
 *   not derived yet is read again once it is there.
 * - Reminders run on the same thread after the sync, at most once per
 *   poll; what was sent is in the store, so the thread holds no state a
 *   restart could lose.
 * - The thread is an iq_worker (common/iq_worker.h): stop wakes it at
 *   once; a pass in progress (including a webhook's retries) finishes
 *   first.
 * - "now" in the section fixes the clock (tests, and replays of a past
 *   day); by default the system clock.
 * - Reminders are the rows of pm_followups with the overdue filter, so a
 *   reminder is sent for exactly what `inquest followups --overdue` lists
 *   (items and reviews; late postmortems are listed, not reminded of).
 * - The mark of a reminder is "<receiver>:<kind>:<incident>:<item>", the
 *   receiver and the item each as 16 hex digits of a sha256 (of the URL,
 *   and of the item's text, or of the review's day count): editing an
 *   item's text makes it a new item, changing a receiver's URL a new
 *   receiver.  Marks are per UTC day of the pass's clock.
 * - A mark is written only after the receiver answered 2xx, so a receiver
 *   that is down gets the reminder on a later pass of the same day; the
 *   cost is a possible duplicate if the daemon dies between the answer and
 *   the mark. */
#include "pm_daemon.h"
#include "pm_api.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_store.h"
#include "http.h"
#include "iq_conf.h"
#include "iq_event.h"   /* IQ_ERR_MAX */
#include "iq_hook.h"
#include "iq_log.h"
#include "iq_time.h"
#include "iq_worker.h"
#include "pm_doc.h"
#include "pm_follow.h"
#include "pm_store.h"
#include "pm_words.h"
#include "pm_sync.h"

static const char *rowstr(const json_t *row, const char *key, const char *alt)
{
    const char *s = json_string_value(json_object_get(row, key));

    return s ? s : alt;
}

json_t *pm_remind_payload(enum iq_hook_shape shape, const json_t *row)
{
    bool review = strcmp(rowstr(row, "kind", ""), "review") == 0;
    long long days = (long long)json_integer_value(json_object_get(row, "days_overdue"));
    json_t *j;

    if (shape == IQ_HOOK_SLACK) {
        char *text = NULL;
        int n = review
            ? asprintf(&text, "Follow-up review of %s is due: %s on %s (%lld days ago), owner %s.",
                       rowstr(row, "incident", ""), rowstr(row, "item", ""), rowstr(row, "due", ""), days,
                       rowstr(row, "owner", "not named"))
            : asprintf(&text, "Overdue action item of %s (%lld days, due %s, owner %s%s%s): %s",
                       rowstr(row, "incident", ""), days, rowstr(row, "due", ""),
                       rowstr(row, "owner", "not named"), json_object_get(row, "ticket") &&
                       !json_is_null(json_object_get(row, "ticket")) ? ", " : "",
                       rowstr(row, "ticket", ""), rowstr(row, "item", ""));

        if (n < 0)
            return NULL;
        j = json_pack("{s:s}", "text", text);
        free(text);
        return j;
    }
    j = json_deep_copy(row);
    if (j && (json_object_set_new(j, "type", json_string(review ? "inquest.followup.review_due"
                                                                 : "inquest.followup.overdue")) < 0 ||
              json_object_del(j, "kind") < 0)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static void hex16(const char *s, size_t len, char out[17])
{
    char h[PM_HASH_HEX];

    pm_hash(s, len, h);
    memcpy(out, h, 16);
    out[16] = '\0';
}

/* The mark of row for receiver url. */
static void mark_of(const json_t *row, const char *url, char *buf, size_t size)
{
    const char *item = rowstr(row, "item", "");
    char rcv[17], it[17];

    hex16(url, strlen(url), rcv);
    hex16(item, strlen(item), it);
    snprintf(buf, size, "%s:%s:%s:%s", rcv, rowstr(row, "kind", ""), rowstr(row, "incident", ""), it);
}

/* Send row to hook h unless already sent today.  Counts into s. */
static int remind_one(struct store *st, const struct pm_remind_opts *o, const struct iq_hook *h,
                      const json_t *row, int64_t day, struct pm_remind_stats *s)
{
    char key[400], err[256], *body;
    json_t *p;
    int r;

    mark_of(row, h->url, key, sizeof(key));
    s->due++;
    if ((r = pm_store_mark_get(st, day, key)) != 0) {
        s->already += r == 1;
        return r < 0 ? r : 0;
    }
    if (!(p = pm_remind_payload(h->shape, row)))
        return -ENOMEM;
    body = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    if (!body)
        return -ENOMEM;
    r = iq_hook_post(h->url, body, strlen(body), o->retries, o->backoff_ms, o->timeout_ms, err,
                     sizeof(err));
    free(body);
    if (r < 0) {
        s->failed++;
        iq_warn("postmortems", "reminder for %s to %s failed: %s; trying again later",
                rowstr(row, "incident", ""), h->url, err);
        return 0;
    }
    s->sent++;
    return pm_store_mark_put(st, day, key);
}

int pm_remind_pass(struct store *st, const struct pm_remind_opts *o, int64_t now,
                   struct pm_remind_stats *ret)
{
    struct pm_remind_stats s = { 0 };
    struct pm_follow_query q;
    int64_t day = pm_day_of(now);
    json_t *res = NULL;
    const json_t *row;
    size_t i;
    int r = 0;

    pm_follow_query_init(&q);
    q.now = now;
    q.overdue = true;
    q.unpublished_after = o->unpublished_after;
    if (o->n_hooks == 0 || (r = pm_followups(st, &q, &res)) < 0) {
        *ret = s;
        return r;
    }
    json_array_foreach(json_object_get(res, "followups"), i, row) {
        if (strcmp(rowstr(row, "kind", ""), "unpublished") == 0)
            continue;
        for (size_t k = 0; k < o->n_hooks && r == 0; k++)
            r = remind_one(st, o, &o->hooks[k], row, day, &s);
    }
    json_decref(res);
    if (r == 0)
        r = pm_store_marks_prune(st, day - PM_MARKS_KEEP_DAYS * PM_DAY_MS);
    *ret = s;
    return r;
}

#define ROUTE "/api/v1/followups"
#define QUERY_MAX 2048
#define VALUE_MAX 256
#define PARAMS_MAX 8

/* The "postmortems" section of inquestd's configuration. */
struct pm_conf {
    int64_t poll;
    char *webhooks;
    bool remind;
    int64_t unpublished_after;
    int64_t retries;
    int64_t retry_backoff;
    char *rules;
    char *now;
};

#define POFF(f) offsetof(struct pm_conf, f)

static const struct iq_conf_item pm_conf_items[] = {
    { "poll", IQ_CONF_DURATION, POFF(poll), "10s", 50, 3600000,
      "how often postmortems_dir is checked for changes and reminders are looked for" },
    { "webhooks", IQ_CONF_STR, POFF(webhooks), NULL, 0, 0,
      "receivers of reminders, \"slack=URL,generic=URL\" (default: the drafts section's)" },
    { "remind", IQ_CONF_BOOL, POFF(remind), "true", 0, 0,
      "send one reminder a day per overdue action item and due follow-up review" },
    { "unpublished_after", IQ_CONF_DURATION, POFF(unpublished_after), "7d", 0, 365LL * 86400000,
      "a postmortem not published this long after resolution is late (followups)" },
    { "retries", IQ_CONF_INT, POFF(retries), "3", 0, 20, "webhook retries after the first try" },
    { "retry_backoff", IQ_CONF_DURATION, POFF(retry_backoff), "500ms", 10, 60000,
      "wait before the first retry, doubled for each next one" },
    { "rules", IQ_CONF_STR, POFF(rules), NULL, 0, 0,
      "lint rules directory used to judge action items (default: the schemas lookup)" },
    { "now", IQ_CONF_STR, POFF(now), NULL, 0, 0,
      "a fixed clock (RFC 3339) for reminders and follow-ups, for tests and replays" },
    { NULL, 0, 0, NULL, 0, 0, NULL },
};

struct pm_daemon {
    struct store *st;          /* borrowed */
    struct pm_reader *rd;          /* NULL without a directory */
    char *dir;
    struct iq_hook *hooks;
    size_t n_hooks;
    struct pm_remind_opts ro;
    int64_t poll_ms, now;          /* now: IQ_TIME_NONE for the clock */
    int64_t unpublished_after;
    uint64_t fingerprint;
    bool synced_once;
    struct iq_worker *worker;      /* NULL when there is nothing to watch or remind */
};

static int64_t clock_now(const struct pm_daemon *d)
{
    return d->now != IQ_TIME_NONE ? d->now : iq_time_now_ms();
}

static void on_file(void *ud, const struct pm_file_report *rep)
{
    const struct pm_problem *p = rep->prob;

    (void)ud;
    if (rep->outcome == PM_SYNC_PROBLEM)
        iq_warn("postmortems", "%s:%u: %s; ignoring the file", rep->path, p ? p->line : 0,
                p ? p->msg : "unreadable");
    else if (rep->outcome == PM_SYNC_NEW || rep->outcome == PM_SYNC_UPDATED)
        iq_info("postmortems", "%s: %s postmortem of %s", rep->path,
                rep->outcome == PM_SYNC_NEW ? "new" : "updated", rep->incident);
}

/* A digest of the stored incidents' ids and opening times: a document
 * naming an incident the correlator had not derived yet is read again
 * once it has. */
static uint64_t incidents_digest(struct store *st)
{
    struct cor_span *spans = NULL;
    size_t n = 0;
    uint64_t h = 1469598103934665603ULL;

    if (cor_store_spans(st, &spans, &n) < 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        for (const char *p = spans[i].id; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        h = (h ^ (uint64_t)spans[i].opened_at) * 1099511628211ULL;
    }
    free(spans);
    return h;
}

static void sync_if_changed(struct pm_daemon *d)
{
    struct pm_sync_stats s;
    uint64_t fp = 0;
    int r = pm_sync_fingerprint(d->dir, &fp);

    fp ^= incidents_digest(d->st);
    if (r < 0) {
        if (!d->synced_once || fp != d->fingerprint)
            iq_warn("postmortems", "postmortems_dir %s: %s", d->dir, strerror(-r));
        d->fingerprint = fp;
        d->synced_once = true;
        return;
    }
    if (d->synced_once && fp == d->fingerprint)
        return;
    r = pm_sync_dir(d->rd, d->st, d->dir, clock_now(d), on_file, NULL, &s);
    if (r < 0) {
        iq_warn("postmortems", "sync of %s: %s; trying again next poll", d->dir, strerror(-r));
        return;   /* fingerprint not kept: the next poll retries */
    }
    if (s.created || s.updated || s.problems)
        iq_info("postmortems", "synced %s: %u new, %u updated, %u unchanged, %u skipped, "
                "%u with problems", d->dir, s.created, s.updated, s.unchanged, s.skipped,
                s.problems);
    d->fingerprint = fp;
    d->synced_once = true;
}

static void remind(struct pm_daemon *d)
{
    struct pm_remind_stats s;
    int r = pm_remind_pass(d->st, &d->ro, clock_now(d), &s);

    if (r < 0)
        iq_warn("postmortems", "reminders: %s", strerror(-r));
    else if (s.sent)
        iq_info("postmortems", "reminders: %u sent, %u sent earlier today, %u failed", s.sent,
                s.already, s.failed);
}

/* One pass of the watcher: sync on change, then remind. */
static void pass(void *ud, const struct iq_worker *w)
{
    struct pm_daemon *d = ud;

    if (d->dir)
        sync_if_changed(d);
    if (d->n_hooks && !iq_worker_stopping(w))
        remind(d);
}

static int reply_error(struct http_response *resp, int status, const char *msg)
{
    return http_reply_json(resp, status, json_pack("{s:s}", "error", msg));
}

/* GET /api/v1/followups?overdue=1&owner=O&service=S&unpublished_after=7d&now=T */
static int followups_get(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct pm_daemon *d = ud;
    struct pm_follow_query q;
    char vals[PARAMS_MAX][VALUE_MAX], key[64], err[160];
    const char *cur = rq->query;
    json_t *res = NULL;
    size_t n = 0;
    int r;

    if (strcmp(rq->path, ROUTE) != 0)
        return reply_error(resp, 404, "not found: use " ROUTE);
    if (rq->query && strlen(rq->query) > QUERY_MAX)
        return reply_error(resp, 400, "query string too long");
    pm_follow_query_init(&q);
    q.now = d->now;
    q.unpublished_after = d->unpublished_after;
    while ((r = http_query_next(&cur, key, sizeof(key), vals[n], VALUE_MAX)) > 0) {
        if (n + 1 == PARAMS_MAX)
            return reply_error(resp, 400, "too many parameters");
        if (pm_follow_query_set(&q, key, vals[n], err, sizeof(err)) < 0)
            return reply_error(resp, 400, err);
        n++;
    }
    if (r < 0)
        return reply_error(resp, 400, "malformed query string");
    if ((r = pm_followups(d->st, &q, &res)) < 0)
        return reply_error(resp, 500, strerror(-r));
    return http_reply_json(resp, 200, res);
}

/* The section's values into d; errors logged. */
static int configure(struct pm_daemon *d, const struct pm_daemon_opts *o, struct pm_conf *c)
{
    const char *hooks;
    char err[IQ_ERR_MAX];
    int r;

    if (o->section && !json_is_object(o->section)) {
        iq_error("postmortems", "config 'postmortems': expected an object");
        return -EINVAL;
    }
    if (iq_conf_defaults(pm_conf_items, c) < 0 ||
        (o->section && iq_conf_apply(pm_conf_items, c, o->section, err, sizeof(err)) < 0)) {
        iq_error("postmortems", "config 'postmortems': %s", err);
        return -EINVAL;
    }
    if (c->now && iq_time_parse_rfc3339(c->now, strlen(c->now), &d->now) < 0) {
        iq_error("postmortems", "config 'postmortems': 'now': not an RFC 3339 time");
        return -EINVAL;
    }
    hooks = c->webhooks ? c->webhooks : json_string_value(json_object_get(o->drafts, "webhooks"));
    if (c->remind && (r = iq_hooks_parse(hooks, &d->hooks, &d->n_hooks, err, sizeof(err))) < 0) {
        iq_error("postmortems", "config 'postmortems': webhooks: %s", err);
        return r;
    }
    d->poll_ms = c->poll;
    d->unpublished_after = c->unpublished_after;
    d->ro = (struct pm_remind_opts){ .hooks = d->hooks, .n_hooks = d->n_hooks,
                                     .retries = (unsigned)c->retries,
                                     .backoff_ms = c->retry_backoff, .timeout_ms = 10000,
                                     .unpublished_after = c->unpublished_after };
    if (o->dir && *o->dir) {
        if (!(d->dir = strdup(o->dir)))
            return -ENOMEM;
        if ((r = pm_reader_new(c->rules, &d->rd, err, sizeof(err))) < 0) {
            iq_error("postmortems", "lint rules for postmortems_dir: %s", err);
            return r;
        }
    }
    return 0;
}

int pm_daemon_start(const struct pm_daemon_opts *o, struct store *st, struct http_server *http,
                    struct pm_daemon **ret)
{
    struct pm_conf c = { 0 };
    struct pm_daemon *d = calloc(1, sizeof(*d));
    int r = -ENOMEM;

    *ret = NULL;
    if (!d)
        return -ENOMEM;
    d->st = st;
    d->now = IQ_TIME_NONE;
    if ((r = configure(d, o, &c)) < 0)
        goto fail;
    if (http && ((r = http_add_route(http, ROUTE, followups_get, d)) < 0 ||
                 (r = pm_api_add(http, st)) < 0)) {
        iq_error("postmortems", "routes %s, /api/v1/postmortems: %s", ROUTE, strerror(-r));
        goto fail;
    }
    if ((d->dir || d->n_hooks) && (r = iq_worker_start(d->poll_ms, pass, d, &d->worker)) < 0) {
        iq_error("postmortems", "cannot start the postmortems watcher: %s", strerror(-r));
        goto fail;
    }
    if (d->worker)
        iq_info("postmortems", "%s%s%s, %zu reminder receiver%s", d->dir ? "watching " : "",
                d->dir ? d->dir : "no postmortems_dir", d->dir ? " for postmortems" : "",
                d->n_hooks, d->n_hooks == 1 ? "" : "s");
    iq_conf_release(pm_conf_items, &c);
    *ret = d;
    return 0;
fail:
    iq_conf_release(pm_conf_items, &c);
    pm_daemon_stop(&d);
    return r;
}

void pm_daemon_stop(struct pm_daemon **pd)
{
    struct pm_daemon *d;

    if (!pd || !*pd)
        return;
    d = *pd;
    iq_worker_stop(&d->worker);
    iq_hooks_free(&d->hooks, d->n_hooks);
    pm_reader_destroy(&d->rd);
    free(d->dir);
    free(d);
    *pd = NULL;
}

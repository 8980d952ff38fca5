/* rnd_watch.c - the drafts watcher of inquestd: drafts of closed
 * incidents written to the drafts directory, with notices to outbound
 * webhooks.
 *
 * A thread notices incidents the correlator has closed, writes each one's
 * draft (Markdown and HTML) and its visual timeline (ID.svg, referenced
 * from ID.md) to the drafts directory and posts a notice to
 * the configured webhooks (Slack shape or generic JSON, with retries).
 * rnd_watch_start configures it from the daemon's "drafts" section (one
 * iq_conf table); the drafts served over HTTP are rnd_api.c's.
 *
 * Design notes:
 *  - The correlator offers no "incident closed" callback, so the watcher
 *    polls its span index (cor_store_spans: ids with opened/closed times,
 *    no JSON parsing) every poll_ms; each closed incident is compared with
 *    the state key "rnd.drafted.<id>" holding the closing time last
 *    drafted.  That makes delivery idempotent across restarts and redrafts
 *    an incident the correlator re-derived with a new closing time.
 *  - The thread is an iq_worker (common/iq_worker.h): destroy wakes it at
 *    once; a draft in progress (including webhook retries) finishes first.
 *  - Files are written as NAME.tmp then renamed: a reader of the drafts
 *    directory never sees half a document.
 *  - People edit ID.md (and perhaps ID.html): a file that no longer holds
 *    what the watcher last wrote is never overwritten; the new version
 *    goes beside it as ID.next.md (rnd_keep.c), logged and counted in
 *    inquest_drafts_kept_total.  ID.svg, which nobody edits, is replaced.
 *  - Metrics: inquest_drafts_written_total, _kept_total, _failed_total,
 *    _notifications_total{result="sent|failed"}.
 *  - Failures are logged once per incident and the watcher goes on: a
 *    broken receiver must not stop drafts from being written. */
#include "rnd_watch.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cor_store.h"
#include "store.h"
#include "iq_conf.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_metrics.h"
#include "iq_paths.h"
#include "iq_time.h"
#include "rnd_api.h"
#include "iq_worker.h"
#include "rnd_draft.h"
#include "iq_tz.h"
#include "rnd_external.h"
#include "rnd_local.h"
#include "rnd_people.h"
#include "rnd_keep.h"
#include "rnd_notify.h"

#define STATE_PREFIX "rnd.drafted."

struct rnd_watch {
    struct store *st;
    char *dir;
    char *public_url;
    char *tmpl;
    char *schemas_dir;
    bool pseudonymize;
    json_t *people;          /* configured slack_users, or NULL */
    struct iq_tz *tz;        /* drafts.tz for the template, or NULL */
    int64_t poll_ms, backoff_ms;
    unsigned retries;
    struct iq_hook *hooks;
    size_t n_hooks;
    struct iq_worker *worker;
    unsigned long written, notified;
    struct iq_metric *m_written, *m_kept, *m_failed; /* or NULL */
    struct iq_metric *m_notices[2];     /* NOTICE_SENT, NOTICE_FAILED; or NULL */
};

enum { NOTICE_SENT = 0, NOTICE_FAILED };

static int write_file(const char *dir, const char *id, const char *ext, const char *doc, size_t len)
{
    char path[PATH_MAX];

    if ((size_t)snprintf(path, sizeof(path), "%s/%s.%s", dir, id, ext) >= sizeof(path))
        return -ENAMETOOLONG;
    return iq_write_atomic(path, doc, len);
}

/* Post the notice to every hook; count deliveries. */
static void notify(struct rnd_watch *d, const json_t *ctx, const char *id)
{
    char url[PATH_MAX] = "", path[PATH_MAX], err[256];

    if (d->public_url)
        snprintf(url, sizeof(url), "%s" RND_API_INCIDENTS "%s/draft.html", d->public_url, id);
    snprintf(path, sizeof(path), "%s/%s.md", d->dir, id);
    for (size_t i = 0; i < d->n_hooks; i++) {
        json_t *p = rnd_notice_payload(d->hooks[i].shape, ctx, url[0] ? url : NULL, path);
        char *body = p ? json_dumps(p, JSON_COMPACT) : NULL;
        int r = body ? iq_hook_post(d->hooks[i].url, body, strlen(body), d->retries,
                                       d->backoff_ms, 10000, err, sizeof(err))
                     : -ENOMEM;

        if (r < 0) {
            iq_metric_inc(d->m_notices[NOTICE_FAILED]);
            iq_warn("drafts", "notice for %s to %s failed: %s; ignoring", id, d->hooks[i].url,
                    r == -ENOMEM ? "out of memory" : err);
        } else {
            iq_metric_inc(d->m_notices[NOTICE_SENT]);
            __atomic_add_fetch(&d->notified, 1, __ATOMIC_RELAXED);
        }
        free(body);
        json_decref(p);
    }
}

/* A draft file edited by hand was kept (rnd_keep_write): log it, and
 * count the draft once in inquest_drafts_kept_total. */
static void kept_log(struct rnd_watch *d, const char *id, const char *ext, bool *kept)
{
    if (!*kept)
        iq_metric_inc(d->m_kept);
    *kept = true;
    iq_warn_kv("drafts", IQ_KVS(IQ_KV_S("incident", id), IQ_KV_S("dir", d->dir)),
               "draft of %s: %s/%s.%s was edited since inquestd wrote it: kept as it is, the "
               "new version is %s/%s.next.%s (inquest draft %s --diff FILE shows what changed "
               "in the facts)", id, d->dir, id, ext, d->dir, id, ext, id);
}

/* Draft incident id: files, then notices.  Returns 0 or negative errno. */
static int deliver(struct rnd_watch *d, const char *id)
{
    struct rnd_draft_opts o = { .tmpl = d->tmpl, .pseudonymize = d->pseudonymize,
                                .schemas_dir = d->schemas_dir, .tz = d->tz };
    struct iq_event **evs = NULL;
    json_t *inc = NULL, *ctx = NULL, *rec = NULL, *people = NULL;
    char err[512], svg[RND_API_ID_MAX + 8], *doc = NULL;
    size_t n = 0, len = 0;
    bool kept = false;
    int r;

    snprintf(svg, sizeof(svg), "%s.svg", id);   /* beside ID.md */
    o.svg_ref = svg;
    if ((r = rnd_draft_load(d->st, id, &inc, &evs, &n, err, sizeof(err))) < 0 ||
        (r = rnd_draft_recurrence(d->st, inc, &rec, err, sizeof(err))) < 0)
        goto fail;
    if ((r = rnd_draft_people(d->st, evs, n, d->people, &people)) < 0) {
        snprintf(err, sizeof(err), "names of chat users: %s", strerror(-r));
        goto fail;
    }
    o.recurrence = rec;
    o.people = people;
    for (int f = RND_FORMAT_MD; f <= RND_FORMAT_SVG; f++) {
        if ((o.format = (enum rnd_format)f) == RND_FORMAT_JSON)
            continue;
        if ((r = rnd_draft_render(inc, evs, n, &o, &doc, &len, err, sizeof(err))) < 0)
            goto fail;
        if (o.format == RND_FORMAT_SVG)   /* the chart: nobody edits it */
            r = write_file(d->dir, id, rnd_format_ext(o.format), doc, len);
        else if ((r = rnd_keep_write(d->st, d->dir, id, rnd_format_ext(o.format), doc, len)) > 0)
            kept_log(d, id, rnd_format_ext(o.format), &kept);
        free(doc);
        doc = NULL;
        if (r < 0) {
            snprintf(err, sizeof(err), "writing to %s: %s", d->dir, strerror(-r));
            goto fail;
        }
    }
    __atomic_add_fetch(&d->written, 1, __ATOMIC_RELAXED);
    iq_metric_inc(d->m_written);
    if (!kept)
        iq_info_kv("drafts", IQ_KVS(IQ_KV_S("incident", id), IQ_KV_S("dir", d->dir)),
                   "draft of %s written to %s/%s.md", id, d->dir, id);
    if (d->n_hooks && rnd_draft_context(inc, evs, n, &o, &ctx, err, sizeof(err)) == 0)
        notify(d, ctx, id);
    r = 0;
    goto out;
fail:
    iq_metric_inc(d->m_failed);
    iq_warn_kv("drafts", IQ_KVS(IQ_KV_S("incident", id), IQ_KV_S("error", err)),
               "draft of %s not written: %s", id, err);
out:
    json_decref(ctx);
    json_decref(rec);
    json_decref(people);
    rnd_draft_events_free(&evs, n);
    json_decref(inc);
    return r;
}

/* One pass over the spans: draft every closed incident not drafted at
 * its current closing time. */
static void poll_once(void *ud, const struct iq_worker *w)
{
    struct rnd_watch *d = ud;
    struct cor_span *spans = NULL;
    size_t n = 0;
    char key[sizeof(STATE_PREFIX) + RND_API_ID_MAX + 1], val[32], *old;
    size_t old_len;

    if (cor_store_spans(d->st, &spans, &n) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        int vl;

        if (spans[i].closed_at == IQ_TIME_NONE ||
            !rnd_api_valid_id(spans[i].id, strlen(spans[i].id)))
            continue;
        snprintf(key, sizeof(key), STATE_PREFIX "%s", spans[i].id);
        vl = snprintf(val, sizeof(val), "%lld", (long long)spans[i].closed_at);
        old = NULL;
        if (store_kv_get(d->st, STORE_CF_STATE, key, strlen(key), &old, &old_len) == 0 &&
            old_len == (size_t)vl && memcmp(old, val, old_len) == 0) {
            free(old);
            continue;
        }
        free(old);
        if (iq_worker_stopping(w))
            break;
        /* remembered even when drafting failed: the failure is logged once */
        deliver(d, spans[i].id);
        store_kv_put(d->st, STORE_CF_STATE, key, strlen(key), val, (size_t)vl);
    }
    free(spans);
}

static char *dup_opt(const char *s, bool *oom)
{
    char *p;

    if (!s || !*s)
        return NULL;
    if (!(p = strdup(s)))
        *oom = true;
    return p;
}

static const char *const notice_results[2] = { "sent", "failed" };   /* NOTICE_* */

/* The renderer's families (inquest_drafts_*), in exposition order. */
static const struct iq_metric_def families[] = {
    { IQ_METRIC_COUNTER, "inquest_drafts_written_total",
      "Drafts of closed incidents written to the drafts directory.",
      .off = offsetof(struct rnd_watch, m_written) },
    { IQ_METRIC_COUNTER, "inquest_drafts_kept_total",
      "Drafts edited by hand and left alone: the new version was written beside them as "
      "ID.next.md.", .off = offsetof(struct rnd_watch, m_kept) },
    { IQ_METRIC_COUNTER, "inquest_drafts_failed_total", "Drafts that could not be written.",
      .off = offsetof(struct rnd_watch, m_failed) },
    { IQ_METRIC_COUNTER, "inquest_drafts_notifications_total",
      "Draft notices to outbound webhooks, by result (after retries).", .label = "result",
      .values = notice_results, .n = 2, .off = offsetof(struct rnd_watch, m_notices) },
};

int rnd_watch_new(struct store *st, const struct rnd_watch_opts *o, struct rnd_watch **ret)
{
    struct rnd_watch *d;
    char err[256];
    bool oom = false;
    int r;

    *ret = NULL;
    if (!o->dir || !*o->dir || strcmp(o->dir, "off") == 0)
        return 0;
    if (!(d = calloc(1, sizeof(*d))))
        return -ENOMEM;
    d->st = st;
    d->dir = dup_opt(o->dir, &oom);
    d->public_url = dup_opt(o->public_url, &oom);
    d->tmpl = dup_opt(o->tmpl, &oom);
    d->schemas_dir = dup_opt(o->schemas_dir, &oom);
    d->pseudonymize = o->pseudonymize;
    d->people = json_incref((json_t *)o->people);
    d->poll_ms = o->poll_ms > 0 ? o->poll_ms : 1000;
    d->backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : 500;
    d->retries = o->retries;
    r = -ENOMEM;
    if (oom ||
        iq_metrics_register_table(o->metrics, families, IQ_METRICS_TABLE_N(families), d) < 0)
        goto fail;
    if (o->tz && (r = iq_tz_load(o->tz, false, &d->tz, err, sizeof(err))) < 0) {
        iq_error("drafts", "config 'drafts.tz': %s", err);
        goto fail;
    }
    if (d->tz && iq_tz_is_utc(d->tz))
        iq_tz_free(&d->tz);
    if ((r = iq_hooks_parse(o->webhooks, &d->hooks, &d->n_hooks, err, sizeof(err))) < 0) {
        iq_error("drafts", "config 'draft_webhooks': %s", err);
        goto fail;
    }
    if (mkdir(d->dir, 0750) < 0 && errno != EEXIST) {
        r = -errno;
        iq_error("drafts", "cannot create drafts directory %s: %s", d->dir, strerror(errno));
        goto fail;
    }
    if ((r = iq_worker_start(d->poll_ms, poll_once, d, &d->worker)) < 0) {
        iq_error("drafts", "cannot start the draft watcher: %s", strerror(-r));
        goto fail;
    }
    iq_info("drafts", "drafts of closed incidents go to %s (%zu webhook%s)", d->dir, d->n_hooks,
            d->n_hooks == 1 ? "" : "s");
    *ret = d;
    return 0;
fail:
    rnd_watch_destroy(&d);
    return r;
}

unsigned long rnd_watch_written(const struct rnd_watch *d)
{
    return d ? __atomic_load_n(&d->written, __ATOMIC_RELAXED) : 0;
}

unsigned long rnd_watch_notified(const struct rnd_watch *d)
{
    return d ? __atomic_load_n(&d->notified, __ATOMIC_RELAXED) : 0;
}

void rnd_watch_destroy(struct rnd_watch **pd)
{
    struct rnd_watch *d;

    if (!pd || !*pd)
        return;
    d = *pd;
    iq_worker_stop(&d->worker);
    iq_hooks_free(&d->hooks, d->n_hooks);
    iq_tz_free(&d->tz);
    free(d->dir);
    free(d->public_url);
    free(d->tmpl);
    free(d->schemas_dir);
    json_decref(d->people);
    free(d);
    *pd = NULL;
}

/* The "drafts" section of inquestd's configuration. */
struct drafts_conf {
    char *dir;
    char *webhooks;
    char *public_url;
    char *tmpl;
    bool pseudonymize;
    json_t *slack_users;
    json_t *external_links;
    json_t *tz;
    int64_t poll;
    int64_t retries;
    int64_t retry_backoff;
};

#define DOFF(f) offsetof(struct drafts_conf, f)

static const struct iq_conf_item drafts_conf[] = {
    { "dir", IQ_CONF_STR, DOFF(dir), NULL, 0, 0,
      "directory for drafts of closed incidents (default DATA/drafts; \"off\" disables)" },
    { "webhooks", IQ_CONF_STR, DOFF(webhooks), NULL, 0, 0,
      "notified when a draft is written: \"slack=URL,generic=URL\"" },
    { "public_url", IQ_CONF_STR, DOFF(public_url), NULL, 0, 0,
      "base URL of the HTTP API used in notices (default http://LISTEN_HTTP)" },
    { "template", IQ_CONF_STR, DOFF(tmpl), "default", 0, 0, "template name or file" },
    { "pseudonymize", IQ_CONF_BOOL, DOFF(pseudonymize), "false", 0, 0,
      "show people as responder A, B, ... in written drafts" },
    { "slack_users", IQ_CONF_JSON, DOFF(slack_users), NULL, 0, 0,
      "names of Slack users not in a slack-export import: {\"U0123ABCD\": \"Ana\"}" },
    { "external_links", IQ_CONF_JSON, DOFF(external_links), NULL, 0, 0,
      "hosts external drafts may link to: [\"status-page\", \"docs.example.com\", \"*.example.org\"]" },
    { "tz", IQ_CONF_JSON, DOFF(tz), NULL, 0, 0,
      "local times beside UTC: a zone (\"Asia/Tokyo\"), or one by template: "
      "{\"ja\": \"Asia/Tokyo\", \"*\": \"Europe/Berlin\"}" },
    { "poll", IQ_CONF_DURATION, DOFF(poll), "1s", 50, 60000, "how often closed incidents are looked for" },
    { "retries", IQ_CONF_INT, DOFF(retries), "5", 0, 20, "webhook retries after the first try" },
    { "retry_backoff", IQ_CONF_DURATION, DOFF(retry_backoff), "500ms", 10, 60000,
      "wait before the first retry, doubled for each next one" },
    { NULL, 0, 0, NULL, 0, 0, NULL },
};

/* The section (may be NULL) into c (defaults first; c to release either
 * way): 0, or -EINVAL with err "config 'drafts...': what". */
static int settings(const json_t *section, struct drafts_conf *c, char *err, size_t errsz)
{
    char sub[IQ_ERR_MAX];

    if (section && !json_is_null(section) && !json_is_object(section)) {
        snprintf(err, errsz, "config 'drafts': expected an object");
        return -EINVAL;
    }
    if (iq_conf_defaults(drafts_conf, c) < 0)
        return -EINVAL;
    if (section && !json_is_null(section) &&
        iq_conf_apply_section(drafts_conf, c, section, "drafts", err, errsz) < 0)
        return -EINVAL;
    if (rnd_people_check_map(c->slack_users, sub, sizeof(sub)) < 0 ||
        rnd_external_check(c->external_links, sub, sizeof(sub)) < 0 ||
        rnd_local_check(c->tz, sub, sizeof(sub)) < 0) {
        snprintf(err, errsz, "config 'drafts': %s", sub);
        return -EINVAL;
    }
    return 0;
}

int rnd_watch_check(const json_t *section, char *err, size_t errsz)
{
    struct drafts_conf c = { 0 };
    struct iq_hook *hooks = NULL;
    char sub[IQ_ERR_MAX];
    size_t n = 0;
    int r = settings(section, &c, err, errsz);

    if (r == 0 && (r = iq_hooks_parse(c.webhooks, &hooks, &n, sub, sizeof(sub))) < 0)
        snprintf(err, errsz, "config 'drafts.webhooks': %s", sub);
    if (r == 0 && (r = rnd_draft_template_check(c.tmpl, NULL, sub, sizeof(sub))) < 0)
        snprintf(err, errsz, "config 'drafts.template': %s", sub);
    iq_hooks_free(&hooks, n);
    iq_conf_release(drafts_conf, &c);
    return r;
}

const struct iq_conf_item *rnd_watch_conf_table(size_t *ret_size)
{
    *ret_size = sizeof(struct drafts_conf);
    return drafts_conf;
}

int rnd_watch_start(const json_t *section, const char *data_dir, const char *api_url,
                    struct store *st, struct iq_metrics *metrics, struct rnd_watch **ret)
{
    struct drafts_conf c = { 0 };
    struct rnd_watch_opts o = { 0 };
    char err[IQ_CONF_MSG_MAX], dir[PATH_MAX];
    int r = -EINVAL;

    *ret = NULL;
    if (settings(section, &c, err, sizeof(err)) < 0) {
        iq_error("drafts", "%s", err);
        goto out;
    }
    if (!c.dir && (size_t)snprintf(dir, sizeof(dir), "%s/drafts", data_dir) >= sizeof(dir)) {
        r = -ENAMETOOLONG;
        goto out;
    }
    o.dir = c.dir ? c.dir : dir;
    o.webhooks = c.webhooks;
    o.public_url = c.public_url ? c.public_url : api_url;
    o.tmpl = c.tmpl;
    o.pseudonymize = c.pseudonymize;
    o.people = c.slack_users;
    o.tz = rnd_local_zone_for(c.tz, c.tmpl);
    o.poll_ms = c.poll;
    o.retries = (unsigned)c.retries;
    o.backoff_ms = c.retry_backoff;
    o.metrics = metrics;
    r = rnd_watch_new(st, &o, ret);
out:
    iq_conf_release(drafts_conf, &c);
    return r;
}

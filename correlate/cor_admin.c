/* cor_admin.c - inquestd's data lifecycle: backups and retention,
 * through the admin API and a periodic job.
 *
 * Routes (admin tokens only: http/http_access.c requires the admin role
 * for every path under /api/v1/admin/, and the handler checks it again):
 *   POST /api/v1/admin/backup     {"dir": "/absolute/path"}: a consistent
 *        checkpoint of the running store (store_backup), taken by the
 *        daemon because it holds the store's lock.  200 {"status": "ok",
 *        "dir", "files", "bytes", "took_ms", "format"}; 400 a bad body or
 *        path, 409 the directory exists and is not empty, 500 RocksDB.
 *   POST /api/v1/admin/retention  (empty body or {}): one retention pass
 *        now (cor_retention_run), answered once the correlator has rebuilt
 *        the incidents after it.  200 with the pass's figures; 400 when
 *        the "retention" section sets no cutoff.
 * The periodic job runs the same pass every retention.interval, the first
 * one an interval after start, when a cutoff is set.  Passes never
 * overlap.  Before a pass the correlator is given up to 30 s to catch up
 * (the kept set comes from the stored incidents); after one that removed
 * events it rebuilds every incident, as a restart would. */
#include "cor_admin.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cor_live.h"
#include "cor_retention.h"
#include "http_access.h"
#include "http.h"
#include "store.h"
#include "iq_event.h"
#include "iq_json.h"
#include "iq_log.h"
#include "iq_time.h"

#define ADMIN_PREFIX "/api/v1/admin/"
#define IDLE_BEFORE_MS 30000
#define IDLE_AFTER_MS 120000

struct cor_admin {
    struct store *st;            /* borrowed */
    struct cor_live *live;           /* borrowed, may be NULL */
    struct cor_retention_config rc;
    pthread_mutex_t run_lock;        /* one pass at a time */
    pthread_mutex_t lock;            /* the job's stop flag */
    pthread_cond_t cond;
    bool stop, started;
    pthread_t job;
};

static int reply_error(struct http_response *resp, int status, const char *msg)
{
    return http_reply_json(resp, status, json_pack("{s:s,s:i}", "error", msg,
                                                       "status", status));
}

static json_t *time_or_null(int64_t t)
{
    char ts[IQ_TIME_STRLEN];

    if (t == IQ_TIME_NONE)
        return json_null();
    iq_time_format(t, ts, sizeof(ts));
    return json_string(ts);
}

/* One retention pass; by names who asked ("schedule" or a token). */
static int run_pass(struct cor_admin *a, const char *by, struct cor_retention_stats *ret)
{
    struct cor_live *live = a->live;
    const struct store_retention_stats *s = &ret->store;
    char eb[IQ_TIME_STRLEN] = "none", rb[IQ_TIME_STRLEN] = "none";
    int r;

    pthread_mutex_lock(&a->run_lock);
    if (live && cor_live_wait_idle(live, IDLE_BEFORE_MS) < 0)
        iq_warn("retention", "the correlator is still busy after %d s; using the incidents "
                "stored now", IDLE_BEFORE_MS / 1000);
    r = cor_retention_run(a->st, &a->rc, iq_time_now_ms(), ret);
    if (r == 0 && s->events_removed && live) {
        cor_live_request_full(live);
        cor_live_wait_idle(live, IDLE_AFTER_MS);
    }
    pthread_mutex_unlock(&a->run_lock);
    if (r < 0) {
        iq_error("retention", "pass failed: %s", strerror(-r));
        return r;
    }
    if (ret->events_before != IQ_TIME_NONE)
        iq_time_format(ret->events_before, eb, sizeof(eb));
    if (ret->raw_before != IQ_TIME_NONE)
        iq_time_format(ret->raw_before, rb, sizeof(rb));
    iq_info_kv("retention",
               IQ_KVS(IQ_KV_S("by", by), IQ_KV_S("events_before", eb), IQ_KV_S("raw_before", rb),
                      IQ_KV_U("events_removed", s->events_removed),
                      IQ_KV_U("raws_dropped", s->raws_dropped), IQ_KV_U("raw_bytes", s->raw_bytes),
                      IQ_KV_U("kept_events", s->kept_events), IQ_KV_U("kept_raws", s->kept_raws),
                      IQ_KV_U("incidents_kept", ret->incidents_kept),
                      IQ_KV_I("took_ms", s->took_ms)),
               "pass by %s: %llu events removed (before %s), %llu raw payloads dropped (%llu "
               "bytes, before %s), %llu events and %llu raw payloads kept for %zu incidents, "
               "in %lld ms", by, (unsigned long long)s->events_removed, eb,
               (unsigned long long)s->raws_dropped, (unsigned long long)s->raw_bytes, rb,
               (unsigned long long)s->kept_events, (unsigned long long)s->kept_raws,
               ret->incidents_kept, (long long)s->took_ms);
    return 0;
}

static int api_retention(struct cor_admin *a, const struct http_request *rq,
                         struct http_response *resp)
{
    struct cor_retention_stats s;
    const struct store_retention_stats *t = &s.store;
    struct iq_json_error jerr;
    json_t *j = NULL;

    if (rq->body_len && (iq_json_parse(rq->body, rq->body_len, 0, &j, &jerr) < 0 ||
                         !json_is_object(j) || json_object_size(j))) {
        json_decref(j);
        return reply_error(resp, 400, "body: expected nothing or {}");
    }
    json_decref(j);
    if (!cor_retention_enabled(&a->rc))
        return reply_error(resp, 400, "retention is off: set retention.events_after or "
                           "retention.raw_after in the config (docs/operations.md)");
    if (run_pass(a, rq->caller->name, &s) < 0)
        return reply_error(resp, 500, "the retention pass failed (see the daemon's log)");
    j = json_pack("{s:s,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "status", "ok",
                  "events_before", time_or_null(s.events_before),
                  "raw_before", time_or_null(s.raw_before),
                  "scanned", (json_int_t)t->scanned, "events_removed", (json_int_t)t->events_removed,
                  "raws_dropped", (json_int_t)t->raws_dropped, "raw_bytes", (json_int_t)t->raw_bytes,
                  "kept_events", (json_int_t)t->kept_events, "kept_raws", (json_int_t)t->kept_raws,
                  "incidents_kept", (json_int_t)s.incidents_kept,
                  "unreadable", (json_int_t)t->unreadable, "took_ms", (json_int_t)t->took_ms);
    return http_reply_json(resp, 200, j);
}

/* The "dir" of a backup request body into *ret (borrowed from j). */
static const char *backup_dir(const struct http_request *rq, json_t **j)
{
    struct iq_json_error jerr;
    const char *key;
    json_t *v;

    if (iq_json_parse(rq->body, rq->body_len, 0, j, &jerr) < 0 || !json_is_object(*j))
        return NULL;
    json_object_foreach(*j, key, v)
        if (strcmp(key, "dir") != 0 || !json_is_string(v))
            return NULL;
    return json_string_value(json_object_get(*j, "dir"));
}

static int backup_status(int r)
{
    return r == -EEXIST ? 409 : r == -EIO || r == -ENOMEM || r == -ENOSPC ? 500 : 400;
}

static int api_backup(struct cor_admin *a, const struct http_request *rq,
                      struct http_response *resp)
{
    struct store_backup_info info;
    char msg[600];
    json_t *j = NULL;
    const char *dir = backup_dir(rq, &j);
    int r;

    if (!dir) {
        json_decref(j);
        return reply_error(resp, 400, "body: expected {\"dir\": \"/absolute/path\"}");
    }
    r = store_backup(a->st, dir, &info);
    if (r < 0) {
        snprintf(msg, sizeof(msg), "backup to %.400s: %s", dir, store_backup_strerror(r));
        iq_warn("backup", "%s (asked by %s)", msg, rq->caller->name);
        json_decref(j);
        return reply_error(resp, backup_status(r), msg);
    }
    iq_info_kv("backup", IQ_KVS(IQ_KV_S("dir", dir), IQ_KV_U("files", info.files),
                                IQ_KV_U("bytes", info.bytes), IQ_KV_I("took_ms", info.took_ms),
                                IQ_KV_S("by", rq->caller->name)),
               "checkpoint written to %s: %llu files, %llu bytes, in %lld ms (asked by %s)", dir,
               (unsigned long long)info.files, (unsigned long long)info.bytes,
               (long long)info.took_ms, rq->caller->name);
    r = http_reply_json(resp, 200, json_pack("{s:s,s:s,s:I,s:I,s:I,s:i}", "status", "ok",
                                                 "dir", dir, "files", (json_int_t)info.files,
                                                 "bytes", (json_int_t)info.bytes,
                                                 "took_ms", (json_int_t)info.took_ms,
                                                 "format", info.format));
    json_decref(j);
    return r;
}

static int api_admin(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct cor_admin *a = ud;
    const char *what = rq->path + strlen(ADMIN_PREFIX);

    if (!(rq->caller->roles & HTTP_ROLE_ADMIN))
        return reply_error(resp, 403, "the admin API needs an admin token");
    if (strcmp(what, "backup") == 0)
        return api_backup(a, rq, resp);
    if (strcmp(what, "retention") == 0)
        return api_retention(a, rq, resp);
    return reply_error(resp, 404, "no such admin action (backup, retention)");
}

/* The periodic job: a pass every interval until stopped. */
static void *job_main(void *arg)
{
    struct cor_admin *a = arg;
    struct cor_retention_stats s;
    struct timespec until;

    pthread_mutex_lock(&a->lock);
    while (!a->stop) {
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)(a->rc.interval / 1000);
        until.tv_nsec += (long)(a->rc.interval % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!a->stop && pthread_cond_timedwait(&a->cond, &a->lock, &until) != ETIMEDOUT)
            ;
        if (a->stop)
            break;
        pthread_mutex_unlock(&a->lock);
        run_pass(a, "schedule", &s);
        pthread_mutex_lock(&a->lock);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

static int start_job(struct cor_admin *a)
{
    int r;

    if (!cor_retention_enabled(&a->rc))
        return 0;
    r = pthread_create(&a->job, NULL, job_main, a);
    if (r != 0)
        return -r;
    a->started = true;
    iq_info("retention", "raw payloads after %llds, events after %llds (0: kept), a pass "
            "every %llds", (long long)(a->rc.raw_after / 1000),
            (long long)(a->rc.events_after / 1000), (long long)(a->rc.interval / 1000));
    return 0;
}

int cor_admin_start(const json_t *retention, struct store *st, struct http_server *http,
                    struct cor_live *live, struct cor_admin **ret)
{
    struct cor_admin *a = calloc(1, sizeof(*a));
    pthread_condattr_t ca;
    char err[IQ_ERR_MAX];
    int r;

    if (!a)
        return -ENOMEM;
    a->st = st;
    a->live = live;
    pthread_mutex_init(&a->run_lock, NULL);
    pthread_mutex_init(&a->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&a->cond, &ca);
    pthread_condattr_destroy(&ca);
    r = cor_retention_config_load(retention, &a->rc, err, sizeof(err));
    if (r < 0)
        iq_error("daemon", "%s", err);
    if (r == 0 && http && (r = http_add_post_route(http, ADMIN_PREFIX, api_admin, a)) < 0)
        iq_error("daemon", "admin API: %s", strerror(-r));
    if (r == 0)
        r = start_job(a);
    if (r < 0) {
        cor_admin_stop(&a);
        return r;
    }
    *ret = a;
    return 0;
}

void cor_admin_stop(struct cor_admin **pa)
{
    struct cor_admin *a = pa ? *pa : NULL;

    if (!a)
        return;
    if (a->started) {
        pthread_mutex_lock(&a->lock);
        a->stop = true;
        pthread_cond_broadcast(&a->cond);
        pthread_mutex_unlock(&a->lock);
        pthread_join(a->job, NULL);
    }
    pthread_cond_destroy(&a->cond);
    pthread_mutex_destroy(&a->lock);
    pthread_mutex_destroy(&a->run_lock);
    free(a);
    *pa = NULL;
}

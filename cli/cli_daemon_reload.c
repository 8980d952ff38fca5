/* cli_daemon_reload.c - SIGHUP and POST /-/reload: check the new
 * configuration whole, then swap it in.
 *
 * Steps, under one mutex (a SIGHUP and a POST never run two reloads at
 * once, and the stages never stop under one):
 *   1. read the configuration again as at start (cli_daemon.c's loader,
 *      handed to iqd_reload_new: defaults, the --config file, the flags)
 *      and check every section as
 *      --check-config does (cli_daemon_check.c, each stage's own code,
 *      the secure defaults included); any problem ends the reload, each
 *      one logged with the file, the line and the key: nothing changed;
 *   2. keys that need a restart (everything but the reloadable ones
 *      below) are compared with the running values: a change is logged
 *      as needing a restart, and the running value is kept;
 *   3. put each part in use.  The webhook sources and the access table
 *      become the HTTP server's new configuration version (a request
 *      finishes with the version it started with, which is freed after
 *      its last request); the correlator takes its new rules between two
 *      updates (then rebuilds every incident, only when they changed);
 *      the failure classes (query API and web UI) and the drafts API's
 *      and web UI's settings are swapped under their locks, each request
 *      keeping a reference on what it started with; the drafts
 *      watcher and the log collector are stopped (the collector saves
 *      its checkpoint) and started again on their settings, so their
 *      template and rule files are read again.
 * The outcome goes to the log, to the caller of POST /-/reload, and to
 * inquest_config_last_reload_successful and
 * inquest_config_last_reload_success_timestamp_seconds (Prometheus' own
 * names; the start counts as a successful load).
 *
 * SIGHUP: the handler writes one byte to a pipe (async-signal-safe); the
 * reload thread reads it and reloads.  That thread blocks every signal, so
 * SIGTERM still reaches the main thread. */
#include "cli_daemon_reload.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ana_http.h"
#include "cli_daemon.h"
#include "cli_daemon_check.h"
#include "cli_daemon_http.h"
#include "cli_daemon_tail.h"
#include "cor_daemon.h"
#include "http.h"
#include "http_access.h"
#include "iq_conf.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_metrics.h"
#include "iq_time.h"
#include "rnd_api.h"
#include "rnd_ui.h"
#include "rnd_watch.h"

#define RELOAD_MSG_MAX 8192

/* The keys a reload applies; every other key needs a restart. */
static const char *const reloadable[] = {
    "log_level", "log_format", "sources_dir", "sources", "sources_enabled", "access", "correlate",
    "classes", "drafts", "logs", NULL,
};

struct iqd_reload {
    int argc;
    char **argv;
    iqd_config_load_fn load;
    const struct iq_conf_item *table;  /* the daemon's keys */
    pthread_mutex_t lock;            /* one reload at a time; arm and disarm */
    bool armed;
    struct iqd_reload_targets t;
    struct iqd_config *cur;          /* the configuration after the last reload, or NULL:
                                        t.cfg */
    struct iq_metric *ok, *ok_time, *results[2];
    pthread_t thread;
    bool started;
};

static int hup_pipe[2] = { -1, -1 };   /* for the signal handler */

static void on_hup(int sig)
{
    int saved = errno, fd = hup_pipe[1];

    (void)sig;
    if (fd >= 0 && write(fd, "h", 1) < 0)
        (void)0;        /* a full pipe: a reload is pending anyway */
    errno = saved;
}

/* ---- one reload --------------------------------------------------------- */

/* Problems of a reload: each logged and appended to the answer. */
struct collect {
    char *buf;
    size_t size, used;
};

static void log_problem(void *ud, const char *msg)
{
    struct collect *c = ud;

    iq_error("reload", "%s", msg);
    if (c->used < c->size)
        c->used += (size_t)snprintf(c->buf + c->used, c->size - c->used, "%s%s",
                                    c->used ? "\n" : "", msg);
}

static bool is_reloadable(const char *name)
{
    for (size_t i = 0; reloadable[i]; i++)
        if (strcmp(reloadable[i], name) == 0)
            return true;
    return false;
}

/* Does item it hold the same value in a and b? */
static bool item_equal(const struct iq_conf_item *it, const void *a, const void *b)
{
    const char *pa = (const char *)a + it->offset, *pb = (const char *)b + it->offset;

    switch (it->type) {
    case IQ_CONF_STR: {
        const char *sa = *(char *const *)pa, *sb = *(char *const *)pb;

        return sa == sb || (sa && sb && strcmp(sa, sb) == 0);
    }
    case IQ_CONF_JSON: {
        const json_t *ja = *(json_t *const *)pa, *jb = *(json_t *const *)pb;

        return ja == jb || (ja && jb && json_equal((json_t *)ja, (json_t *)jb));
    }
    case IQ_CONF_BOOL:
        return *(const bool *)pa == *(const bool *)pb;
    case IQ_CONF_SIZE:
        return *(const size_t *)pa == *(const size_t *)pb;
    default:
        return *(const int64_t *)pa == *(const int64_t *)pb;
    }
}

/* Set item it of to to its value in from.  0 or -ENOMEM. */
static int item_copy(const struct iq_conf_item *it, void *to, const void *from)
{
    char *pt = (char *)to + it->offset;
    const char *pf = (const char *)from + it->offset;

    switch (it->type) {
    case IQ_CONF_STR: {
        const char *s = *(char *const *)pf;
        char *dup = s ? strdup(s) : NULL;

        if (s && !dup)
            return -ENOMEM;
        free(*(char **)pt);
        *(char **)pt = dup;
        return 0;
    }
    case IQ_CONF_JSON:
        json_decref(*(json_t **)pt);
        *(json_t **)pt = json_incref(*(json_t *const *)pf);
        return 0;
    case IQ_CONF_BOOL:
        *(bool *)pt = *(const bool *)pf;
        return 0;
    case IQ_CONF_SIZE:
        *(size_t *)pt = *(const size_t *)pf;
        return 0;
    default:
        *(int64_t *)pt = *(const int64_t *)pf;
        return 0;
    }
}

/* Keep the running value of every key that needs a restart; the names of
 * those that changed into names.  0 or -ENOMEM. */
static int keep_restart_keys(const struct iq_conf_item *table, const struct iqd_config *run,
                             struct iqd_config *nc, char *names, size_t size)
{
    size_t used = 0;

    names[0] = '\0';
    for (const struct iq_conf_item *it = table; it->name; it++) {
        if (is_reloadable(it->name) || item_equal(it, run, nc))
            continue;
        if (used < size)
            used += (size_t)snprintf(names + used, size - used, "%s%s", used ? ", " : "",
                                     it->name);
        if (item_copy(it, nc, run) < 0)
            return -ENOMEM;
    }
    return 0;
}

static bool section_changed(const json_t *a, const json_t *b)
{
    return !(a == b || (a && b && json_equal((json_t *)a, (json_t *)b)));
}

/* The drafts watcher and the log collector: stopped, started again on
 * nc (their files are read again).  A start that fails is logged: the
 * stage stays off until the next reload. */
static void restart_threads(struct iqd_reload *r, const struct iqd_config *nc)
{
    const struct iqd_reload_targets *t = &r->t;

    if (t->drafts) {
        rnd_watch_destroy(t->drafts);
        if (rnd_watch_start(nc->drafts, nc->data, t->api_url, t->store, t->metrics,
                            t->drafts) < 0)
            iq_error("reload", "the drafts watcher did not start again (see above)");
    }
    if (t->tail) {
        tail_daemon_stop(t->tail);
        if (iqd_tail_start(nc, t->zctx, t->tail_endpoint, t->metrics, t->tail) < 0)
            iq_error("reload", "the log collector did not start again (see above)");
    }
}

/* Step 3: every part in use.  The HTTP side first: when it cannot load
 * (a mapping file changed since the check), nothing changes. */
static int use_all(struct iqd_reload *r, const struct iqd_config *run,
                   const struct iqd_config *nc, struct collect *c)
{
    struct wh_daemon_opts o;
    char err[IQ_CONF_MSG_MAX];

    iqd_http_opts(nc, r->t.metrics, &o);
    if (wh_daemon_reload(r->t.http, &o, err, sizeof(err)) < 0) {
        log_problem(c, err);
        return -EINVAL;
    }
    iq_log_set_level(nc->log_level);
    if (section_changed(run->correlate, nc->correlate) &&
        cor_daemon_use(r->t.cor, nc->correlate, err, sizeof(err)) < 0)
        iq_error("reload", "correlator rules kept: %s", err);
    if (ana_http_query_use(r->t.query, nc->classes, err, sizeof(err)) < 0)
        iq_error("reload", "failure classes kept: %s", err);
    if (rnd_api_use(r->t.drafts_api, nc->drafts, err, sizeof(err)) < 0 ||
        rnd_ui_use(r->t.ui, nc->drafts, err, sizeof(err)) < 0)
        iq_error("reload", "drafts API or web UI settings kept: %s", err);
    restart_threads(r, nc);
    return 0;
}

static void count(struct iqd_reload *r, bool ok)
{
    iq_metric_set(r->ok, ok ? 1 : 0);
    iq_metric_inc(r->results[ok ? 0 : 1]);
    if (ok)
        iq_metric_set(r->ok_time, (double)iq_time_now_ms() / 1000.0);
}

static void free_config(const struct iq_conf_item *table, struct iqd_config **pc)
{
    if (*pc) {
        iq_conf_release(table, *pc);
        free(*pc);
        *pc = NULL;
    }
}

/* Steps 1 to 3 (lock held). */
static int reload_locked(struct iqd_reload *r, char *msg, size_t msgsz)
{
    struct collect c = { .buf = msg, .size = msgsz };
    struct iqd_problems p = { .emit = log_problem, .ud = &c };
    const struct iqd_config *run = r->cur ? r->cur : r->t.cfg;
    struct iqd_config *nc = calloc(1, sizeof(*nc));
    struct iq_conf_file file = { 0 };
    char restart[1024] = "";
    int n, ret = -EINVAL;

    msg[0] = '\0';
    if (!nc)
        return snprintf(msg, msgsz, "out of memory"), -ENOMEM;
    n = r->load(nc, r->argc, r->argv, &file, &p);
    if (n >= 0 && (n == 0 || p.file))   /* the file parsed: every section's problems too */
        n += iqd_check(nc, &p);
    if (n == 0 && keep_restart_keys(r->table, run, nc, restart, sizeof(restart)) < 0)
        n = (log_problem(&c, "out of memory"), 1);
    if (n == 0)
        ret = use_all(r, run, nc, &c);
    if (ret < 0) {
        iq_log_set_format(run->log_format);   /* loading the file set it */
        n = n > 0 ? n : 1;
        iq_error("reload", "reload refused (%d problem%s): the running configuration stays", n,
                 n == 1 ? "" : "s");
        free_config(r->table, &nc);
        iq_conf_file_release(&file);
        return ret;
    }
    if (restart[0])
        iq_warn("reload", "changed, but only a restart applies them (running values kept): %s",
                restart);
    free_config(r->table, &r->cur);
    r->cur = nc;
    snprintf(msg, msgsz, "configuration reloaded%s%s%s%s", file.path ? " from " : "",
             file.path ? file.path : "", restart[0] ? "; needs a restart: " : "", restart);
    iq_info("reload", "%s", msg);
    iq_conf_file_release(&file);
    return 0;
}

int iqd_reload_run(struct iqd_reload *r, char *msg, size_t msgsz)
{
    int ret;

    pthread_mutex_lock(&r->lock);
    if (!r->armed) {
        snprintf(msg, msgsz, "inquestd is starting or stopping: not reloading now");
        ret = -EAGAIN;
    } else {
        ret = reload_locked(r, msg, msgsz);
        count(r, ret == 0);
    }
    pthread_mutex_unlock(&r->lock);
    return ret;
}

/* ---- SIGHUP thread, HTTP route ------------------------------------------- */

static void *hup_thread(void *arg)
{
    struct iqd_reload *r = arg;
    struct pollfd pfd = { .fd = hup_pipe[0], .events = POLLIN };
    char c, *msg = malloc(RELOAD_MSG_MAX);
    sigset_t all;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (;;) {
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
            break;
        if (read(hup_pipe[0], &c, 1) != 1)
            continue;
        if (c == 'q')
            break;
        iq_info("reload", "SIGHUP: reloading the configuration");
        if (!msg)
            iq_error("reload", "SIGHUP: out of memory");
        else if (iqd_reload_run(r, msg, RELOAD_MSG_MAX) == -EAGAIN)
            iq_warn("reload", "SIGHUP: %s", msg);
    }
    free(msg);
    return NULL;
}

/* The problems of msg (one per line) as a JSON array. */
static json_t *lines(const char *msg)
{
    json_t *a = json_array();

    while (a && *msg) {
        size_t n = strcspn(msg, "\n");

        json_array_append_new(a, json_stringn(msg, n));
        msg += n + (msg[n] == '\n');
    }
    return a;
}

static int on_post(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct iqd_reload *r = ud;
    char *msg;
    int ret;

    if (strcmp(rq->path, "/-/reload") != 0)
        return http_reply_json(resp, 404, json_pack("{s:s}", "error", "not found"));
    if (!(msg = malloc(RELOAD_MSG_MAX)))
        return -ENOMEM;
    iq_info("reload", "POST /-/reload by %s", rq->caller->name);
    ret = iqd_reload_run(r, msg, RELOAD_MSG_MAX);
    if (ret == 0)
        ret = http_reply_json(resp, 200, json_pack("{s:s,s:s}", "status", "success", "message",
                                                   msg));
    else
        ret = http_reply_json(resp, ret == -EINVAL ? 400 : ret == -EAGAIN ? 503 : 500,
                              json_pack("{s:s,s:o}", "status", "error", "errors", lines(msg)));
    free(msg);
    return ret;
}

int iqd_reload_route(struct iqd_reload *r, struct http_server *h)
{
    return r && h ? http_add_post_route(h, "/-/reload", on_post, r) : 0;
}

static const char *const reload_results[2] = { "success", "failure" };

/* The reloader's families (inquest_config_*), in exposition order. */
static const struct iq_metric_def families[] = {
    { IQ_METRIC_GAUGE, "inquest_config_last_reload_successful",
      "Whether the last configuration reload attempt was successful.",
      .off = offsetof(struct iqd_reload, ok) },
    { IQ_METRIC_GAUGE, "inquest_config_last_reload_success_timestamp_seconds",
      "Timestamp of the last successful configuration reload (or of the start).",
      .off = offsetof(struct iqd_reload, ok_time) },
    { IQ_METRIC_COUNTER, "inquest_config_reloads_total", "Configuration reloads by result.",
      .label = "result", .values = reload_results, .n = 2,
      .off = offsetof(struct iqd_reload, results) },
};

static int register_metrics(struct iqd_reload *r, struct iq_metrics *reg)
{
    int e;

    if (!reg || r->ok)
        return 0;
    if ((e = iq_metrics_register_table(reg, families, IQ_METRICS_TABLE_N(families), r)) < 0)
        return e;
    iq_metric_set(r->ok, 1);
    iq_metric_set(r->ok_time, (double)iq_time_now_ms() / 1000.0);
    return 0;
}

int iqd_reload_new(int argc, char **argv, iqd_config_load_fn load,
                   const struct iq_conf_item *table, struct iqd_reload **ret)
{
    struct iqd_reload *r = calloc(1, sizeof(*r));
    struct sigaction sa;
    int e = 0;

    if (!r)
        return -ENOMEM;
    r->argc = argc;
    r->argv = argv;
    r->load = load;
    r->table = table;
    pthread_mutex_init(&r->lock, NULL);
    if (pipe2(hup_pipe, O_CLOEXEC) < 0 || fcntl(hup_pipe[1], F_SETFL, O_NONBLOCK) < 0 ||
        (e = -pthread_create(&r->thread, NULL, hup_thread, r)) < 0) {
        e = e < 0 ? e : -errno;
        iq_error("reload", "cannot start the reload thread: %s", strerror(-e));
        iqd_reload_free(&r);
        return e;
    }
    r->started = true;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_hup;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &sa, NULL);
    *ret = r;
    return 0;
}

int iqd_reload_arm(struct iqd_reload *r, const struct iqd_reload_targets *t)
{
    int e;

    if (!r)
        return 0;
    pthread_mutex_lock(&r->lock);
    r->t = *t;
    e = register_metrics(r, t->metrics);
    r->armed = e == 0;
    pthread_mutex_unlock(&r->lock);
    return e;
}

void iqd_reload_disarm(struct iqd_reload *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    r->armed = false;
    pthread_mutex_unlock(&r->lock);
}

void iqd_reload_free(struct iqd_reload **pr)
{
    struct iqd_reload *r = pr ? *pr : NULL;
    int fd;

    if (!r)
        return;
    signal(SIGHUP, SIG_IGN);
    if (r->started && write(hup_pipe[1], "q", 1) == 1)
        pthread_join(r->thread, NULL);
    fd = hup_pipe[1];
    hup_pipe[1] = -1;         /* the handler writes nowhere from now on */
    if (fd >= 0)
        close(fd);
    if (hup_pipe[0] >= 0)
        close(hup_pipe[0]);
    hup_pipe[0] = -1;
    free_config(r->table, &r->cur);
    pthread_mutex_destroy(&r->lock);
    free(r);
    *pr = NULL;
}

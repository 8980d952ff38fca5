/* tail_daemon.c - the `logs` section of inquestd: the log collector on a
 * thread of the daemon.
 *
 *   "logs": {
 *     "files": ["/var/log/nginx/access.log", "/var/log/nginx/error.log"],
 *     "rules": ["/usr/local/share/inquest/schemas/logs"],
 *     "rule": "nginx_access,nginx_error",
 *     "service": "shop-web",
 *     "error_threshold": 20
 *   }
 * Keys, defaults and bounds are the table of tail_config.c, the same as
 * the options of `inquest tail`; unknown keys are refused.
 *
 * Design notes: the thread runs tail_run, exactly the loop of the
 * command, connected to the daemon's own ingest over ZeroMQ's inproc
 * transport (ing_server_local_endpoint: no TCP, no CurveZMQ handshake).
 * Going through the acknowledged protocol rather than the local sink
 * keeps one code path for checkpoints (advanced after the ack, which is
 * sent once the store made the batch durable) and for deduplication.
 * The checkpoint is a state file in the data directory, written
 * atomically.  The rules are loaded once here before the thread starts,
 * so a bad rule stops the daemon at start with the file, rule and offset
 * named.  The thread blocks all signals: SIGTERM reaches the main
 * thread, which stops the ingest and then this stage. */
#include "tail_daemon.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_log.h"
#include "iq_paths.h"
#include "tail.h"
#include "tail_config.h"
#include "tail_rule.h"
#include "tail_run.h"

#define PATHS_MAX TAIL_FILES_MAX

struct tail_daemon {
    struct tail_conf lc;
    struct tail_run_opts o;
    const char *paths[PATHS_MAX];
    const char *rules[PATHS_MAX];
    char rules_default[4096];
    char state[4096];
    char endpoint[512];
    pthread_t thread;
    bool started;
    volatile sig_atomic_t stop;
};

/* A JSON array of strings into ret (borrowed from the JSON). */
static int string_list(const json_t *v, const char *key, const char **ret, uint32_t *n,
                       char *err, size_t errsz)
{
    size_t i;
    json_t *e;

    if (json_is_string(v)) {
        ret[0] = json_string_value(v);
        *n = 1;
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > PATHS_MAX) {
        snprintf(err, errsz, "config 'logs.%s': an array of 1 to %d paths", key, PATHS_MAX);
        return -EINVAL;
    }
    json_array_foreach(v, i, e) {
        if (!json_is_string(e) || json_string_length(e) == 0) {
            snprintf(err, errsz, "config 'logs.%s[%zu]': not a path", key, i);
            return -EINVAL;
        }
        ret[i] = json_string_value(e);
    }
    *n = (uint32_t)json_array_size(v);
    return 0;
}

static int check_rules(struct tail_daemon *t, char *err, size_t errsz)
{
    struct tail_rules *rs = NULL;
    char sub[IQ_ERR_MAX];
    int r = tail_rules_new(&rs);

    for (uint32_t i = 0; r >= 0 && i < t->o.n_rules; i++)
        r = tail_rules_load(rs, t->o.rules[i], sub, sizeof(sub));
    if (r >= 0 && t->o.rule_names)
        r = tail_rules_select(rs, t->o.rule_names, sub, sizeof(sub));
    if (r < 0)
        snprintf(err, errsz, "config 'logs.rules': %s", r == -ENOMEM ? "out of memory" : sub);
    tail_rules_destroy(&rs);
    return r < 0 ? r : 0;
}

/* The section and its rules into t, without starting; err names the key. */
static int configure(struct tail_daemon *t, const json_t *logs, const char *data_dir,
                     const char *endpoint, char *err, size_t errsz)
{
    char sub[IQ_ERR_MAX];
    int r;

    if (!json_is_object(logs)) {
        snprintf(err, errsz, "config 'logs': must be an object");
        return -EINVAL;
    }
    tail_conf_defaults(&t->lc);
    if (tail_conf_apply(&t->lc, logs, sub, sizeof(sub)) < 0) {
        snprintf(err, errsz, "config 'logs': %s", sub);
        return -EINVAL;
    }
    if (!t->lc.files) {
        snprintf(err, errsz, "config 'logs.files': required");
        return -EINVAL;
    }
    if ((r = string_list(t->lc.files, "files", t->paths, &t->o.n_paths, err, errsz)) < 0)
        return r;
    if (t->lc.rules) {
        if ((r = string_list(t->lc.rules, "rules", t->rules, &t->o.n_rules, err, errsz)) < 0)
            return r;
    } else {
        if (iq_schemas_find("logs", t->rules_default, sizeof(t->rules_default), sub,
                            sizeof(sub)) < 0) {
            snprintf(err, errsz, "config 'logs.rules': %s", sub);
            return -ENOENT;
        }
        t->rules[t->o.n_rules++] = t->rules_default;
    }
    snprintf(t->state, sizeof(t->state), "%s/tail.state", data_dir);
    snprintf(t->endpoint, sizeof(t->endpoint), "%s", endpoint);
    t->o.paths = t->paths;
    t->o.rules = t->rules;
    tail_conf_to_run(&t->lc, &t->o);
    t->o.state_path = t->lc.state ? t->lc.state : t->state;
    t->o.endpoint = t->endpoint;
    return check_rules(t, err, errsz);
}

static void *tail_thread(void *arg)
{
    struct tail_daemon *t = arg;
    struct tail_run_stats st;
    char err[IQ_ERR_MAX];
    sigset_t all;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    if (tail_run(&t->o, &t->stop, &st, err, sizeof(err)) < 0)
        iq_error("tail", "log collector stopped: %s", err);
    else
        iq_info("tail", "log collector stopped: %llu lines, %llu events, %llu stored",
                (unsigned long long)st.lines, (unsigned long long)st.events,
                (unsigned long long)st.stored);
    return NULL;
}

int tail_daemon_start(const json_t *logs, const char *data_dir, void *zctx, const char *endpoint,
                      struct iq_metrics *metrics, struct tail_daemon **ret)
{
    struct tail_daemon *t;
    char err[IQ_ERR_MAX];
    int r;

    *ret = NULL;
    if (!logs || json_is_null(logs))
        return 0;
    t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->o.zctx = zctx;
    t->o.metrics = metrics;
    if ((r = configure(t, logs, data_dir, endpoint, err, sizeof(err))) < 0) {
        iq_error("daemon", "%s", err);
        goto fail;
    }
    if ((r = -pthread_create(&t->thread, NULL, tail_thread, t)) < 0) {
        iq_error("daemon", "cannot start the log collector: %s", strerror(-r));
        goto fail;
    }
    t->started = true;
    iq_info("daemon", "log collector: %u files, checkpoint %s", t->o.n_paths, t->o.state_path);
    *ret = t;
    return 0;
fail:
    tail_daemon_stop(&t);
    return r;
}

int tail_daemon_check(const json_t *logs, const char *data_dir, char *err, size_t errsz)
{
    struct tail_daemon *t;
    int r;

    if (!logs || json_is_null(logs))
        return 0;
    if (!(t = calloc(1, sizeof(*t)))) {
        snprintf(err, errsz, "out of memory");
        return -ENOMEM;
    }
    r = configure(t, logs, data_dir, "inproc://check", err, errsz);
    tail_daemon_stop(&t);
    return r;
}

void tail_daemon_stop(struct tail_daemon **pt)
{
    struct tail_daemon *t;

    if (!pt || !*pt)
        return;
    t = *pt;
    if (t->started) {
        t->stop = 1;
        pthread_join(t->thread, NULL);
    }
    tail_conf_release(&t->lc);
    free(t);
    *pt = NULL;
}

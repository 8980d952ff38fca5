/* cli_daemon_tail.c - the `logs` section of inquestd: the log collector
 * on a thread of the daemon.
 *
 *   "logs": {
 *     "files": ["/var/log/nginx/access.log", "/var/log/nginx/error.log"],
 *     "rules": ["/usr/local/share/inquest/schemas/logs"],
 *     "rule": "nginx_access,nginx_error",
 *     "service": "shop-web",
 *     "error_threshold": 20
 *   }
 * Keys and defaults are the table below (the same options as
 * `inquest tail`); unknown keys are refused.
 *
 * Design notes: the thread runs ing_tail_run, exactly the loop of the
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
#include "cli_daemon_tail.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_daemon.h"
#include "ing_logrule.h"
#include "ing_tail.h"
#include "ing_tail_run.h"
#include "iq_conf.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_paths.h"

struct logs_conf {
    json_t *files;
    json_t *rules;
    char *rule;
    char *service;
    char *state;
    int64_t error_threshold;
    int64_t error_grace;
    size_t line_max;
    bool from_end;
    bool send_unparsed;
    int64_t poll;
};

#define LOFF(f) offsetof(struct logs_conf, f)

static const struct iq_conf_item logs_conf_items[] = {
    { "files", IQ_CONF_JSON, LOFF(files), NULL, 0, 0, "log files to follow (array of paths)" },
    { "rules", IQ_CONF_JSON, LOFF(rules), NULL, 0, 0,
      "rule files or directories (array; default $INQUEST_SCHEMAS/logs or ./schemas/logs)" },
    { "rule", IQ_CONF_STR, LOFF(rule), NULL, 0, 0, "use only these rules (comma-separated)" },
    { "service", IQ_CONF_STR, LOFF(service), NULL, 0, 0, "service of lines that name none" },
    { "state", IQ_CONF_STR, LOFF(state), NULL, 0, 0, "checkpoint file (default DATA/tail.state)" },
    { "error_threshold", IQ_CONF_INT, LOFF(error_threshold), "10", 1, 100000000,
      "error lines per service and minute that raise error_rate_rise" },
    { "error_grace", IQ_CONF_DURATION, LOFF(error_grace), "10s", 0, 3600000,
      "a minute's error count closes this long after the minute ends" },
    { "line_max", IQ_CONF_SIZE, LOFF(line_max), "64k", 64, 16 << 20,
      "longer lines are cut to this size and marked truncated" },
    { "from_end", IQ_CONF_BOOL, LOFF(from_end), "false", 0, 0,
      "files without a checkpoint start at their end" },
    { "send_unparsed", IQ_CONF_BOOL, LOFF(send_unparsed), "false", 0, 0,
      "send lines that no rule parses as raw events" },
    { "poll", IQ_CONF_DURATION, LOFF(poll), "250ms", 10, 60000, "wait between polls when idle" },
    { NULL, 0, 0, NULL, 0, 0, NULL },
};

#define PATHS_MAX ING_TAIL_FILES_MAX

struct iqd_tail {
    struct logs_conf lc;
    struct ing_tail_run_opts o;
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
static int string_list(const json_t *v, const char *key, const char **ret, uint32_t *n)
{
    size_t i;
    json_t *e;

    if (json_is_string(v)) {
        ret[0] = json_string_value(v);
        *n = 1;
        return 0;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > PATHS_MAX) {
        iq_error("daemon", "config 'logs.%s': an array of 1 to %d paths", key, PATHS_MAX);
        return -EINVAL;
    }
    json_array_foreach(v, i, e) {
        if (!json_is_string(e) || json_string_length(e) == 0) {
            iq_error("daemon", "config 'logs.%s[%zu]': not a path", key, i);
            return -EINVAL;
        }
        ret[i] = json_string_value(e);
    }
    *n = (uint32_t)json_array_size(v);
    return 0;
}

static int check_rules(struct iqd_tail *t)
{
    struct ing_logrules *rs = NULL;
    char err[IQ_ERR_MAX];
    int r = ing_logrules_new(&rs);

    for (uint32_t i = 0; r >= 0 && i < t->o.n_rules; i++)
        r = ing_logrules_load(rs, t->o.rules[i], err, sizeof(err));
    if (r >= 0 && t->o.rule_names)
        r = ing_logrules_select(rs, t->o.rule_names, err, sizeof(err));
    if (r < 0)
        iq_error("daemon", "config 'logs': %s", r == -ENOMEM ? "out of memory" : err);
    ing_logrules_destroy(&rs);
    return r < 0 ? r : 0;
}

static int configure(struct iqd_tail *t, const struct iqd_config *cfg, const char *endpoint)
{
    char err[IQ_ERR_MAX];
    int r;

    if (!json_is_object(cfg->logs)) {
        iq_error("daemon", "config 'logs': must be an object");
        return -EINVAL;
    }
    iq_conf_defaults(logs_conf_items, &t->lc);
    if (iq_conf_apply(logs_conf_items, &t->lc, cfg->logs, err, sizeof(err)) < 0) {
        iq_error("daemon", "config 'logs': %s", err);
        return -EINVAL;
    }
    if (!t->lc.files) {
        iq_error("daemon", "config 'logs.files': required");
        return -EINVAL;
    }
    if ((r = string_list(t->lc.files, "files", t->paths, &t->o.n_paths)) < 0)
        return r;
    if (t->lc.rules) {
        if ((r = string_list(t->lc.rules, "rules", t->rules, &t->o.n_rules)) < 0)
            return r;
    } else {
        if (iq_schemas_find("logs", t->rules_default, sizeof(t->rules_default), err,
                            sizeof(err)) < 0) {
            iq_error("daemon", "config 'logs.rules': %s", err);
            return -ENOENT;
        }
        t->rules[t->o.n_rules++] = t->rules_default;
    }
    snprintf(t->state, sizeof(t->state), "%s/tail.state", cfg->data);
    snprintf(t->endpoint, sizeof(t->endpoint), "%s", endpoint);
    t->o.paths = t->paths;
    t->o.rules = t->rules;
    t->o.rule_names = t->lc.rule;
    t->o.service = t->lc.service;
    t->o.state_path = t->lc.state ? t->lc.state : t->state;
    t->o.endpoint = t->endpoint;
    t->o.error_threshold = (uint32_t)t->lc.error_threshold;
    t->o.error_grace_ms = t->lc.error_grace;
    t->o.line_max = t->lc.line_max;
    t->o.from_end = t->lc.from_end;
    t->o.send_unparsed = t->lc.send_unparsed;
    t->o.poll_ms = t->lc.poll;
    return check_rules(t);
}

static void *tail_thread(void *arg)
{
    struct iqd_tail *t = arg;
    struct ing_tail_run_stats st;
    char err[IQ_ERR_MAX];
    sigset_t all;

    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    if (ing_tail_run(&t->o, &t->stop, &st, err, sizeof(err)) < 0)
        iq_error("tail", "log collector stopped: %s", err);
    else
        iq_info("tail", "log collector stopped: %llu lines, %llu events, %llu stored",
                (unsigned long long)st.lines, (unsigned long long)st.events,
                (unsigned long long)st.stored);
    return NULL;
}

int iqd_tail_start(const struct iqd_config *cfg, void *zctx, const char *endpoint,
                   struct iqd_tail **ret)
{
    struct iqd_tail *t;
    int r;

    *ret = NULL;
    if (!cfg->logs || json_is_null(cfg->logs))
        return 0;
    t = calloc(1, sizeof(*t));
    if (!t)
        return -ENOMEM;
    t->o.zctx = zctx;
    if ((r = configure(t, cfg, endpoint)) < 0)
        goto fail;
    if ((r = -pthread_create(&t->thread, NULL, tail_thread, t)) < 0) {
        iq_error("daemon", "cannot start the log collector: %s", strerror(-r));
        goto fail;
    }
    t->started = true;
    iq_info("daemon", "log collector: %u files, checkpoint %s", t->o.n_paths, t->o.state_path);
    *ret = t;
    return 0;
fail:
    iqd_tail_stop(&t);
    return r;
}

void iqd_tail_stop(struct iqd_tail **pt)
{
    struct iqd_tail *t;

    if (!pt || !*pt)
        return;
    t = *pt;
    if (t->started) {
        t->stop = 1;
        pthread_join(t->thread, NULL);
    }
    iq_conf_release(logs_conf_items, &t->lc);
    free(t);
    *pt = NULL;
}

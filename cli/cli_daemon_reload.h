/* cli_daemon_reload.h - reloading inquestd's configuration on SIGHUP and
 * POST /-/reload, as Prometheus does.
 *
 * A reload reads the command line's config file and flags again, checks
 * the whole result as --check-config does (cli_daemon_check.h), and only
 * then puts the reloadable parts in use: webhook mappings, their secrets
 * and sources_enabled with the API tokens (one version per request), the
 * correlator rules, the failure classes, the drafts settings and
 * template, the log collector and its rules, the log level and format.
 * A bad file keeps the running configuration and logs every problem
 * with its line.  Keys that need a
 * restart (listen addresses, the data directory, ...) are reported and
 * left as they run.  inquest_config_last_reload_successful and
 * inquest_config_last_reload_success_timestamp_seconds report the
 * outcome. */
#ifndef CLI_DAEMON_RELOAD_H
#define CLI_DAEMON_RELOAD_H

#include <stddef.h>

struct iqd_config;
struct iqd_reload;
struct iq_metrics;
struct wh_daemon;
struct http_server;
struct store;
struct cor_daemon;
struct rnd_api;
struct rnd_ui;
struct ana_http_query;
struct rnd_watch;
struct tail_daemon;

/* What a reload changes: the running stages (each NULL when absent).
 * drafts and tail point at the stage table's own pointers: a reload
 * stops and starts the drafts watcher and the log collector on their new
 * settings.  All borrowed, valid while armed. */
struct iqd_reload_targets {
    const struct iqd_config *cfg;      /* the configuration the daemon started with */
    struct iq_metrics *metrics;        /* the daemon's registry */
    struct wh_daemon *http;
    struct cor_daemon *cor;
    struct rnd_api *drafts_api;
    struct ana_http_query *query;      /* the failure classes of the query API and the UI */
    struct rnd_ui *ui;
    struct rnd_watch **drafts;
    struct tail_daemon **tail;
    struct store *store;
    void *zctx;                        /* for the log collector */
    const char *tail_endpoint;
    const char *api_url;               /* for the drafts' links; NULL without a listener */
};

/* How the daemon loads its configuration (cli_daemon.c): defaults, the
 * --config file of argv, argv's flags, each problem reported to p with
 * its line; *file the file read (iq_conf_file_release).  Returns the
 * number of problems, or -1 for a usage error. */
struct iq_conf_file;
struct iq_conf_item;
struct iqd_problems;
typedef int (*iqd_config_load_fn)(struct iqd_config *cfg, int argc, char **argv,
                                  struct iq_conf_file *file, struct iqd_problems *p);

/* The reloader for the command line argc/argv (borrowed for the
 * process's life), loading with load into configurations of table (the
 * daemon's keys; borrowed), with the thread that serves SIGHUP (the
 * signal handler only writes to a pipe).  Not armed: reloads are refused
 * ("starting") until iqd_reload_arm.  Caller owns *ret.  0 or a negative
 * errno (logged). */
int iqd_reload_new(int argc, char **argv, iqd_config_load_fn load,
                   const struct iq_conf_item *table, struct iqd_reload **ret);

/* Serve POST /-/reload on h (before it listens; NULL: nothing): 200
 * {"status": "success"}, 400 {"status": "error", "errors": [...]} for a
 * bad configuration, 503 while starting or stopping, 500 otherwise.  The
 * access table asks for an admin token.  0 or the error of http_add. */
int iqd_reload_route(struct iqd_reload *r, struct http_server *h);

/* Allow reloads of t (copied; registers the reload metrics into
 * t->metrics the first time) once every stage runs; disarm before the
 * stages stop (waits for a reload in progress).  NULL-safe.  arm: 0 or
 * -ENOMEM. */
int iqd_reload_arm(struct iqd_reload *r, const struct iqd_reload_targets *t);
void iqd_reload_disarm(struct iqd_reload *r);

/* Reload now.  0 with msg a summary; -EINVAL (the running configuration
 * kept; msg the problems, one per line), -EAGAIN (not armed), -ENOMEM. */
int iqd_reload_run(struct iqd_reload *r, char *msg, size_t msgsz);

/* Stop the thread, free, NULL *pr.  NULL-safe. */
void iqd_reload_free(struct iqd_reload **pr);

#endif

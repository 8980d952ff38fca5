/* cli_daemon_stages.c - inquestd's stages as {name, start, stop} rows: one
 * const table per mode, started in order, stopped in reverse.
 *
 * Each row's start and stop are thin adapters: they hand the stage its own
 * config section (or values) and the shared objects it needs, all held in
 * one daemon context (struct iqd_ctx): the store, the sink that HTTP
 * deliveries go to, the HTTP server and its URL, the ZeroMQ context and
 * the ingest endpoint.  The stages know nothing of the daemon's config
 * struct (correlate/, analyze/ and render/ include nothing from cli/).
 *
 * Two modes, two tables:
 *  - central: the metrics registry (every stage registers its series into
 *    it; it outlives them), the store, CurveZMQ keys, the HTTP server (routes may be
 *    added until it listens), the correlator and the APIs and the web UI
 *    that register on it, the ZeroMQ ingest, the listener, the log collector, the drafts
 *    watcher (which needs the listener's URL), the ports file.  The
 *    ingest then runs on the main thread until the stop signal.
 *  - collector (--collector --forward): no store; the metrics registry, the
 *    spool (DATA/spool) and its forwarder, the HTTP
 *    server, the listener, the ports file, the reloader (webhooks and
 *    tokens); the main thread waits for the stop signal.
 * Once every row started, the run function tells /readyz the daemon is
 * ready (503 "starting" until then), and "stopping" before any row stops.
 * Order matters both ways.  A stage that writes events (HTTP, ZeroMQ, the
 * log collector) starts after the correlator that reads them and stops
 * before it.  Route owners (incidents, query and drafts APIs, web UI) start
 * before the listener and stop after it: the listener's stop shuts the
 * HTTP server down, so no handler runs on a freed context.  A failed start
 * cleans up after itself, and the rows started before it are stopped in
 * reverse.
 *
 * Exit status: 0 after a clean stop; 1 when a stage cannot start; 2 when
 * the collector's configuration cannot be used (no --forward, CurveZMQ
 * keys given by halves or unreadable), as before. */
#include "cli_daemon_stages.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "ana_http.h"
#include "cli_daemon.h"
#include "cli_daemon_http.h"
#include "cli_daemon_reload.h"
#include "cli_daemon_secure.h"
#include "cli_daemon_tail.h"
#include "cli_note_send.h"
#include "cor_admin.h"
#include "cor_api.h"
#include "cli_daemon_stats.h"
#include "cor_daemon.h"
#include "pm_daemon.h"
#include "ing_curve.h"
#include "store_disk.h"
#include "ing_forward.h"
#include "ing_keyring.h"
#include "http.h"
#include "ing_server.h"
#include "ing_sink.h"
#include "store.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_metrics.h"
#include "iq_paths.h"
#include "iq_version.h"
#include "rnd_api.h"
#include "rnd_ui.h"
#include "rnd_watch.h"

/* Everything the rows share.  Each pointer is owned by the row that set
 * it and released by that row's stop; the HTTP server, created by the
 * webhooks row, is shut down by the listener's stop (then the webhooks
 * row's stop finds NULL). */
struct iqd_ctx {
    const struct iqd_config *cfg;      /* borrowed */
    int fail_status;                   /* exit status when a start fails */
    struct iq_metrics *metrics;        /* the registry every stage registers into */
    struct store *store;           /* central: the store */
    struct ing_sink sink;              /* where HTTP deliveries go: the store or the forwarder */
    bool use_curve;                    /* collector: forwarding over CurveZMQ */
    struct ing_keyring *keys;          /* central: CurveZMQ clients, or NULL */
    char curve_secret[ING_Z85_KEY_LEN + 1];   /* central: "" without CurveZMQ */
    struct wh_daemon *http;             /* NULL when listen_http is off */
    char api_url[300];                 /* its base URL once listening, else "" */
    void *zctx;                        /* central: the ZeroMQ context */
    struct ing_server *srv;            /* central: the ZeroMQ ingest */
    struct cor_daemon *cor;
    struct cor_api *incidents;         /* NULL without HTTP */
    struct ana_http_query *query;      /* NULL without HTTP */
    struct rnd_api *drafts_api;        /* NULL without HTTP */
    struct cor_admin *admin;           /* backup and retention */
    struct pm_daemon *pm;              /* finished postmortems, follow-ups */
    struct rnd_ui *ui;                 /* the web UI; NULL without HTTP */
    struct tail_daemon *tail;             /* NULL without a logs section */
    struct rnd_watch *drafts;          /* NULL with drafts.dir off */
    struct iqd_reload *reload;         /* borrowed; may be NULL */
};

/* One stage of the daemon.  start: 0, or a negative errno (logged) after
 * undoing its own part; stop: release what start set (NULL-safe). */
struct iqd_stage {
    const char *name;
    int (*start)(struct iqd_ctx *d);
    void (*stop)(struct iqd_ctx *d);
};

/* The metrics registry with the process_* series and inquest_build_info;
 * freed last, after every stage that counts into it stopped. */
static int start_metrics(struct iqd_ctx *d)
{
    static const char *const labels[] = { "version", "protocol", "data_format", NULL };
    char proto[16], format[16];
    const char *values[] = { IQ_VERSION, proto, format };
    struct iq_metric_family *f;
    int r;

    snprintf(proto, sizeof(proto), "%d", IQ_PROTO_VERSION);
    snprintf(format, sizeof(format), "%d", STORE_FORMAT);
    if ((r = iq_metrics_new(&d->metrics)) < 0 ||
        (r = iq_metrics_process_register(d->metrics)) < 0)
        return r;
    f = iq_metrics_family(d->metrics, IQ_METRIC_GAUGE, "inquest_build_info",
                          "The version of inquestd running, as labels; always 1.", labels, NULL,
                          0);
    if (!f)
        return -ENOMEM;
    iq_metric_set(iq_metric_get(f, values), 1);
    return 0;
}

static void stop_metrics(struct iqd_ctx *d)
{
    iq_metrics_destroy(&d->metrics);
}

/* /readyz: ready once every row started, not ready again when stopping. */
static void set_ready(struct iqd_ctx *d, bool ready)
{
    http_server_set_phase(wh_daemon_server(d->http),
                          ready ? HTTP_PHASE_SERVING : HTTP_PHASE_STOPPING);
}

/* The data directory path, created with the missing parents (0750) and
 * itself 0700. */
static int mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof(buf))
        return -ENAMETOOLONG;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        buf[i] = '\0';
        if (mkdir(buf, i == n ? 0700 : 0750) < 0 && errno != EEXIST)
            return -errno;
        buf[i] = i == n ? '\0' : '/';
    }
    return 0;
}

/* Create dir if needed and make it private (0700 whatever it was: it
 * holds transcripts, names and credentials).  Errors are logged. */
static int private_dir(const char *dir)
{
    unsigned old = 0;
    int r;

    if ((r = mkdir_p(dir)) < 0) {
        iq_error("daemon", "cannot create data directory %s: %s", dir, strerror(-r));
        return r;
    }
    r = iq_force_mode(-1, dir, 0700, &old);
    if (r < 0) {
        iq_error("daemon", "data directory %s: cannot make it private: %s", dir, strerror(-r));
        return r;
    }
    if (r > 0)
        iq_warn("daemon", "data directory %s had mode %04o: changed to 0700 (it holds "
                "transcripts, names and credentials)", dir, old);
    return 0;
}

/* The data directory, private, and the store in it with its free-space
 * guard and memory settings (docs/scaling.md). */
static int start_store(struct iqd_ctx *d)
{
    const struct iqd_config *cfg = d->cfg;
    struct store_disk_opts dopts = { .reserve = (int64_t)cfg->disk_reserve };
    struct store_opts sopts = { .fsync = cfg->fsync, .disk = &dopts,
                                .log_dir = cfg->rocksdb_log_dir,
                                .log_level = store_log_level_parse(cfg->rocksdb_log_level),
                                .write_buffer = cfg->write_buffer_size,
                                .max_write_buffers = (int)cfg->max_write_buffers,
                                .write_buffer_total = cfg->db_write_buffer_size,
                                .block_cache = cfg->block_cache_size,
                                .max_open_files = (int)cfg->max_open_files,
                                .metrics = d->metrics };
    char err[IQ_ERR_MAX];
    int r;

    if (store_disk_limit_parse(cfg->min_free_disk, &dopts.min_free, err, sizeof(err)) < 0) {
        iq_error("daemon", "config %s", err);
        return -EINVAL;
    }
    if ((r = private_dir(cfg->data)) < 0)
        return r;
    r = store_open(cfg->data, &sopts, &d->store);
    if (r == -ENOSPC)
        iq_error("daemon", "%s: the disk is full even without the reserve: free some space "
                 "and start again", cfg->data);
    if (r == 0)
        d->sink = ing_sink_store(d->store);
    return r;
}

static void stop_store(struct iqd_ctx *d)
{
    store_close(&d->store);
}

int iqd_conf_pair(const char *ka, const char *va, const char *kb, const char *vb)
{
    if (!va && !vb)
        return 0;
    if (va && vb)
        return 1;
    iq_error("daemon", "config '%s' needs '%s' too (CurveZMQ, see docs/security.md)",
             va ? ka : kb, va ? kb : ka);
    return -EINVAL;
}

/* CurveZMQ of the ingest: the secret key and the authorized keys, both or
 * neither (curve_secret left empty when off). */
static int start_keys(struct iqd_ctx *d)
{
    const struct iqd_config *cfg = d->cfg;
    char pub[ING_Z85_KEY_LEN + 1], err[IQ_ERR_MAX];
    int r;

    d->curve_secret[0] = '\0';
    r = iqd_conf_pair("zmq_curve_key", cfg->zmq_curve_key, "zmq_authorized_keys",
                      cfg->zmq_authorized_keys);
    if (r <= 0)
        return r;
    if ((r = ing_curve_read_pair(cfg->zmq_curve_key, pub, d->curve_secret, err,
                                 sizeof(err))) < 0 ||
        (r = ing_keyring_load(cfg->zmq_authorized_keys, &d->keys, err, sizeof(err))) < 0) {
        iq_error("daemon", "CurveZMQ: %s", r == -ENOMEM ? "out of memory" : err);
        memset(d->curve_secret, 0, sizeof(d->curve_secret));
        return r;
    }
    iq_info("daemon", "CurveZMQ public key of this ingest: %s", pub);
    return 0;
}

static void stop_keys(struct iqd_ctx *d)
{
    ing_keyring_destroy(&d->keys);
    memset(d->curve_secret, 0, sizeof(d->curve_secret));
}

/* The HTTP server (not listening yet, so the APIs can add routes) on
 * d->sink, after the secure-defaults check of everything exposed. */
static int start_http(struct iqd_ctx *d)
{
    int r = iqd_http_new(d->cfg, d->sink, d->metrics, &d->http);

    http_server_set_phase(wh_daemon_server(d->http), HTTP_PHASE_STARTING);
    if (r == 0)
        r = iqd_check_exposure(d->cfg, d->http);
    if (r < 0)
        wh_daemon_destroy(&d->http);
    return r;
}

static void stop_http(struct iqd_ctx *d)
{
    wh_daemon_destroy(&d->http);
}

/* Collector mode serves nothing but HTTP: a listener is required. */
static int start_collector_http(struct iqd_ctx *d)
{
    int r = iqd_http_new(d->cfg, d->sink, d->metrics, &d->http);

    http_server_set_phase(wh_daemon_server(d->http), HTTP_PHASE_STARTING);
    if (!d->http) {
        iq_error("daemon", "collector mode needs an HTTP listener (listen_http)");
        return r < 0 ? r : -EINVAL;
    }
    if ((r = iqd_check_exposure(d->cfg, d->http)) < 0)
        wh_daemon_destroy(&d->http);
    return r;
}

static int start_correlator(struct iqd_ctx *d)
{
    return cor_daemon_start(d->cfg->correlate, d->store, d->metrics, &d->cor);
}

static void stop_correlator(struct iqd_ctx *d)
{
    cor_daemon_stop(&d->cor);
}

/* GET /api/v1/incidents[/ID], /api/v1/unattached and POST
 * /api/v1/incidents/ID/notes, with every stage's note actions. */
static int start_incidents_api(struct iqd_ctx *d)
{
    struct http_server *h = wh_daemon_server(d->http);

    return h ? cor_api_add(h, d->store, cli_note_tables, &d->incidents) : 0;
}

static void stop_incidents_api(struct iqd_ctx *d)
{
    cor_api_free(&d->incidents);
}

/* GET /api/v1/query (analyze/) with the "classes" section. */
static int start_query_api(struct iqd_ctx *d)
{
    struct http_server *h = wh_daemon_server(d->http);
    const char *warning;
    int r;

    if (!h)
        return 0;
    r = ana_http_query_add(h, d->store, d->cfg->classes, &d->query);
    if (r < 0) {
        iq_error("daemon", "query API: %s", strerror(-r));
        return r;
    }
    warning = ana_http_query_warning(d->query);
    if (warning && *warning)
        iq_warn("daemon", "query API: %s", warning);
    return 0;
}

static void stop_query_api(struct iqd_ctx *d)
{
    ana_http_query_free(&d->query);
}

/* POST /api/v1/admin/ (backup, retention) and the periodic retention
 * job, with the "retention" section.  Stopped after the listener, before
 * the correlator and the store. */
static int start_admin(struct iqd_ctx *d)
{
    return cor_admin_start(d->cfg->retention, d->store, wh_daemon_server(d->http),
                           cor_daemon_live(d->cor), &d->admin);
}

static void stop_admin(struct iqd_ctx *d)
{
    cor_admin_stop(&d->admin);
}

/* Finished postmortems read back (postmortems_dir), reminders and
 * GET /api/v1/followups, with the "postmortems" section (the "drafts"
 * section's webhooks are the default receivers).  Stopped after the
 * listener: its handler uses the stage. */
static int start_postmortems(struct iqd_ctx *d)
{
    const struct pm_daemon_opts o = { d->cfg->postmortems_dir, d->cfg->postmortems,
                                      d->cfg->drafts };

    return pm_daemon_start(&o, d->store, wh_daemon_server(d->http), &d->pm);
}

static void stop_postmortems(struct iqd_ctx *d)
{
    pm_daemon_stop(&d->pm);
}

/* GET /api/v1/incidents/ID/draft.* (render/), below the incidents API,
 * with the "drafts" section. */
static int start_drafts_api(struct iqd_ctx *d)
{
    return d->incidents ? rnd_api_add(d->incidents, d->cfg->drafts, d->store, &d->drafts_api)
                        : 0;
}

static void stop_drafts_api(struct iqd_ctx *d)
{
    rnd_api_free(&d->drafts_api);
}

/* GET /ui/... and the redirect of / (render/), reading as the query API
 * (its taxonomy) and the drafts API (the "drafts" section's names) do. */
static int start_ui(struct iqd_ctx *d)
{
    struct http_server *h = wh_daemon_server(d->http);
    char err[IQ_ERR_MAX];
    int r;

    if (!h)
        return 0;
    r = rnd_ui_new(d->store, d->query, d->cfg->drafts, &d->ui, err,
                   sizeof(err));
    if (r == -EINVAL)
        iq_error("daemon", "web UI: config 'drafts': %s", err);
    if (r == 0 && (r = rnd_ui_add(h, d->ui)) < 0)
        rnd_ui_free(&d->ui);
    return r;
}

static void stop_ui(struct iqd_ctx *d)
{
    rnd_ui_free(&d->ui);
}

/* The ZeroMQ ingest on listen_zmq, into the store (its socket thread runs
 * in the central mode's run, on the main thread). */
static int start_ingest(struct iqd_ctx *d)
{
    struct ing_server_opts o = { .endpoint = d->cfg->listen_zmq, .max_frame = d->cfg->max_frame,
                                 .curve_secret = d->curve_secret[0] ? d->curve_secret : NULL,
                                 .keys = d->keys, .metrics = d->metrics };
    int r = -ENOMEM;

    d->zctx = zmq_ctx_new();
    if (d->zctx && (r = ing_server_new(d->zctx, &o, ing_sink_store(d->store), &d->srv)) == 0)
        return 0;
    if (d->zctx)
        zmq_ctx_term(d->zctx);
    d->zctx = NULL;
    return r;
}

static void stop_ingest(struct iqd_ctx *d)
{
    ing_server_destroy(&d->srv);
    if (d->zctx)
        zmq_ctx_term(d->zctx);
    d->zctx = NULL;
}

/* The HTTP server starts listening (when on); its URL is known from then.
 * On failure the server is shut down here, before the route owners go. */
static int start_listener(struct iqd_ctx *d)
{
    int r = wh_daemon_start(d->http);

    if (r == 0 && d->http)
        r = wh_daemon_url(d->http, d->api_url, sizeof(d->api_url));
    if (r < 0)
        wh_daemon_destroy(&d->http);
    return r;
}

/* Stop serving before the route owners (the rows before) are freed. */
static void stop_listener(struct iqd_ctx *d)
{
    wh_daemon_destroy(&d->http);
    d->api_url[0] = '\0';
}

/* The log collector ("logs" section), sending to the ingest's inproc
 * endpoint in the daemon's ZeroMQ context. */
static int start_log_collector(struct iqd_ctx *d)
{
    return iqd_tail_start(d->cfg, d->zctx, ing_server_local_endpoint(d->srv), d->metrics,
                          &d->tail);
}

static void stop_log_collector(struct iqd_ctx *d)
{
    tail_daemon_stop(&d->tail);
}

/* The drafts watcher ("drafts" section), linking notices to the API URL. */
static int start_drafts(struct iqd_ctx *d)
{
    return rnd_watch_start(d->cfg->drafts, d->cfg->data, d->http ? d->api_url : NULL, d->store,
                           d->metrics, &d->drafts);
}

static void stop_drafts(struct iqd_ctx *d)
{
    rnd_watch_destroy(&d->drafts);
}

/* The port of a "tcp://HOST:PORT" endpoint as written, or NULL (ipc://,
 * inproc://). */
static const char *tcp_port(const char *endpoint)
{
    const char *colon = strrchr(endpoint, ':');

    return strncmp(endpoint, "tcp://", 6) == 0 && colon && colon[1] ? colon + 1 : NULL;
}

/* Write cfg->ports_file (nothing when unset) atomically once every
 * listener is bound: "pid=", "zmq=" the bound ingest endpoint and
 * "zmq_port=" its port when it is tcp://, "http=" the base URL and
 * "http_port=" when http_url is not NULL.  zmq_endpoint may be NULL
 * (collector mode).  0 or negative errno, logged. */
static int ports_write(const struct iqd_config *cfg, const char *zmq_endpoint,
                       const char *http_url, unsigned http_port)
{
    char buf[1024];
    size_t n;
    int r;

    if (!cfg->ports_file || !*cfg->ports_file)
        return 0;
    n = (size_t)snprintf(buf, sizeof(buf), "pid=%ld\n", (long)getpid());
    if (zmq_endpoint && n < sizeof(buf))
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "zmq=%s\n", zmq_endpoint);
    if (zmq_endpoint && tcp_port(zmq_endpoint) && n < sizeof(buf))
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "zmq_port=%s\n", tcp_port(zmq_endpoint));
    if (http_url && n < sizeof(buf))
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "http=%s\nhttp_port=%u\n", http_url,
                              http_port);
    r = n < sizeof(buf) ? iq_write_atomic(cfg->ports_file, buf, n) : -ENAMETOOLONG;
    if (r < 0)
        iq_error("daemon", "cannot write ports_file %s: %s", cfg->ports_file, strerror(-r));
    return r;
}

/* Remove cfg->ports_file on exit (a failure is logged and ignored). */
static void ports_remove(const struct iqd_config *cfg)
{
    if (cfg->ports_file && *cfg->ports_file && unlink(cfg->ports_file) < 0 && errno != ENOENT)
        iq_warn("daemon", "cannot remove ports_file %s: %s, ignoring", cfg->ports_file,
                strerror(errno));
}

/* ports_file, once every listener is bound. */
static int start_ports(struct iqd_ctx *d)
{
    return ports_write(d->cfg, d->srv ? ing_server_endpoint(d->srv) : NULL,
                       d->http ? d->api_url : NULL, wh_daemon_port(d->http));
}

static void stop_ports(struct iqd_ctx *d)
{
    ports_remove(d->cfg);
}

/* The collector's spool directory DATA/spool into dir (both private) and
 * its free-space guard (min_free_disk, no reserve file) into dopts.  0,
 * -EINVAL (config) or a negative errno; logged. */
static int spool_place(const struct iqd_config *cfg, char *dir, size_t size,
                       struct store_disk_opts *dopts)
{
    char err[IQ_ERR_MAX];
    int r;

    if (store_disk_limit_parse(cfg->min_free_disk, &dopts->min_free, err, sizeof(err)) < 0) {
        iq_error("daemon", "config %s", err);
        return -EINVAL;
    }
    if ((size_t)snprintf(dir, size, "%s/spool", cfg->data) >= size) {
        iq_error("daemon", "data directory %s: path too long", cfg->data);
        return -ENAMETOOLONG;
    }
    if ((r = private_dir(cfg->data)) < 0 || (r = private_dir(dir)) < 0)
        return r;
    return 0;
}

/* Collector mode: the spool in DATA/spool and its forwarder to --forward,
 * with the collector's CurveZMQ keys (zmq_key and zmq_server_key, both or
 * neither).  A configuration it cannot use exits 2. */
static int start_forwarder(struct iqd_ctx *d)
{
    const struct iqd_config *cfg = d->cfg;
    struct store_disk_opts dopts = { .reserve = 0 };
    struct ing_forward_opts fo = { .endpoint = cfg->forward, .spool_max = cfg->spool_max,
                                   .fsync = cfg->fsync, .disk = &dopts };
    struct ing_curve_client curve;
    char err[IQ_ERR_MAX], dir[4096];
    int r = iqd_conf_pair("zmq_key", cfg->zmq_key, "zmq_server_key", cfg->zmq_server_key);

    d->fail_status = 2;
    if (r < 0)
        return r;
    if (!cfg->forward || strncmp(cfg->forward, "tcp://", 6) != 0) {
        iq_error("daemon", "collector mode needs --forward tcp://HOST:PORT (the central ingest)");
        return -EINVAL;
    }
    if (r > 0 && ing_curve_client_load(cfg->zmq_key, cfg->zmq_server_key, &curve, err,
                                       sizeof(err)) < 0) {
        memset(&curve, 0, sizeof(curve));
        iq_error("daemon", "CurveZMQ: %s", err);
        return -EINVAL;
    }
    d->use_curve = r > 0;
    fo.curve = d->use_curve ? &curve : NULL;
    fo.spool_dir = dir;
    r = spool_place(cfg, dir, sizeof(dir), &dopts);
    if (r != -EINVAL)
        d->fail_status = 1;
    if (r == 0 && (r = ing_sink_forward_new(&fo, &d->sink)) < 0)
        iq_error("daemon", "cannot open the spool in %s: %s", dir, strerror(-r));
    memset(&curve, 0, sizeof(curve));   /* the forwarder keeps its own copy */
    return r;
}

static void stop_forwarder(struct iqd_ctx *d)
{
    ing_sink_forward_destroy(&d->sink);
}

/* Central mode, once every row started: the ZeroMQ ingest on this thread
 * until *stop. */
static int run_central(struct iqd_ctx *d, volatile sig_atomic_t *stop)
{
    int r;

    iq_info_kv("daemon", IQ_KVS(IQ_KV_S("version", IQ_VERSION), IQ_KV_S("data", d->cfg->data),
                                IQ_KV_S("zmq", ing_server_endpoint(d->srv)),
                                IQ_KV_S("http", d->http ? d->api_url : NULL)),
               "inquestd %s ready: data %s, ingest %s%s%s%s", IQ_VERSION, d->cfg->data,
               ing_server_endpoint(d->srv), d->http ? ", http " : "", d->api_url,
               d->cfg->fsync ? ", fsync on" : "");
    set_ready(d, true);
    r = ing_server_run(d->srv, stop);
    set_ready(d, false);
    if (r < 0)
        return 1;
    iqd_log_stopped(d->store, d->srv, d->http);
    return 0;
}

/* Collector mode: the HTTP threads spool, the forwarder sends; wait for
 * *stop. */
static int run_collector(struct iqd_ctx *d, volatile sig_atomic_t *stop)
{
    struct timespec ts = { 0, 100 * 1000 * 1000 };

    iq_info("daemon", "inquestd %s collector ready: http %s, spool %s/spool, forwarding to %s%s",
            IQ_VERSION, d->api_url, d->cfg->data, d->cfg->forward,
            d->use_curve ? " (CurveZMQ)" : "");
    set_ready(d, true);
    while (!*stop)
        nanosleep(&ts, NULL);
    set_ready(d, false);
    return 0;
}

/* POST /-/reload on the server, before it listens. */
static int start_reload_route(struct iqd_ctx *d)
{
    return iqd_reload_route(d->reload, wh_daemon_server(d->http));
}

static void stop_nothing(struct iqd_ctx *d)
{
    (void)d;
}

/* Reloads are allowed once every stage runs (the last row), refused
 * again before any stops (a reload in progress is waited for). */
static int start_reload(struct iqd_ctx *d)
{
    const struct iqd_reload_targets t = {
        .cfg = d->cfg, .metrics = d->metrics, .http = d->http, .cor = d->cor,
        .drafts_api = d->drafts_api, .query = d->query, .ui = d->ui, .drafts = d->cfg->collector ? NULL : &d->drafts,
        .tail = d->cfg->collector ? NULL : &d->tail, .store = d->store, .zctx = d->zctx,
        .tail_endpoint = d->srv ? ing_server_local_endpoint(d->srv) : NULL,
        .api_url = d->http ? d->api_url : NULL,
    };

    return iqd_reload_arm(d->reload, &t);
}

static void stop_reload(struct iqd_ctx *d)
{
    iqd_reload_disarm(d->reload);
}

/* The central daemon, in start order. */
static const struct iqd_stage central_stages[] = {
    { "metrics", start_metrics, stop_metrics },
    { "store", start_store, stop_store },
    { "CurveZMQ keys", start_keys, stop_keys },
    { "webhooks", start_http, stop_http },
    { "reload route", start_reload_route, stop_nothing },
    { "correlator", start_correlator, stop_correlator },
    { "incidents API", start_incidents_api, stop_incidents_api },
    { "query API", start_query_api, stop_query_api },
    { "drafts API", start_drafts_api, stop_drafts_api },
    { "admin API", start_admin, stop_admin },
    { "postmortems", start_postmortems, stop_postmortems },
    { "web UI", start_ui, stop_ui },
    { "ZeroMQ ingest", start_ingest, stop_ingest },
    { "HTTP listener", start_listener, stop_listener },
    { "log collector", start_log_collector, stop_log_collector },
    { "drafts", start_drafts, stop_drafts },
    { "ports file", start_ports, stop_ports },
    { "reload", start_reload, stop_reload },
};

/* Collector mode (--collector --forward), in start order. */
static const struct iqd_stage collector_stages[] = {
    { "metrics", start_metrics, stop_metrics },
    { "forwarder", start_forwarder, stop_forwarder },
    { "webhooks", start_collector_http, stop_http },
    { "reload route", start_reload_route, stop_nothing },
    { "HTTP listener", start_listener, stop_listener },
    { "ports file", start_ports, stop_ports },
    { "reload", start_reload, stop_reload },
};

struct iqd_mode {
    const struct iqd_stage *stages;
    size_t n;
    int (*run)(struct iqd_ctx *d, volatile sig_atomic_t *stop);  /* exit status */
};

static const struct iqd_mode central = {
    central_stages, sizeof(central_stages) / sizeof(central_stages[0]), run_central
};
static const struct iqd_mode collector = {
    collector_stages, sizeof(collector_stages) / sizeof(collector_stages[0]), run_collector
};

int iqd_stages_run(const struct iqd_config *cfg, struct iqd_reload *reload,
                   volatile sig_atomic_t *stop)
{
    const struct iqd_mode *m = cfg->collector ? &collector : &central;
    struct iqd_ctx d = { .cfg = cfg, .fail_status = 1, .reload = reload };
    size_t started = 0;
    int status;

    while (started < m->n && m->stages[started].start(&d) == 0) {
        iq_debug("daemon", "started %s", m->stages[started].name);
        started++;
    }
    status = started == m->n ? m->run(&d, stop) : d.fail_status;
    if (started < m->n)
        iq_debug("daemon", "%s did not start", m->stages[started].name);
    while (started > 0) {
        started--;
        m->stages[started].stop(&d);
        iq_debug("daemon", "stopped %s", m->stages[started].name);
    }
    return status;
}

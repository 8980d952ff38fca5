/* cli_daemon.c - inquestd: parse configuration, start the stages, wait for
 * a signal, stop them in reverse order.
 *
 * Stages started here: the RocksDB store (its data directory forced to
 * 0700, its free-space guard configured) and the ZeroMQ ingest server
 * (which runs on the main thread).  Before any socket is bound the secure
 * defaults are checked (cli_daemon_secure.c): a non-loopback listener
 * without tokens and secrets stops the start, unless --insecure.  On
 * SIGTERM or SIGINT the ingest stops accepting, answers the batches already queued, the store flushes its WAL
 * and closes, and the process exits 0.  Collector mode (collector_run)
 * opens no store: the HTTP side (cli_daemon_http.c) forwards to a central
 * ingest until the stop signal. */
#include "cli_daemon.h"
#include "cli_daemon_http.h"
#include "cli_daemon_cor.h"
#include "cli_daemon_rnd.h"
#include "cli_daemon_secure.h"
#include "cli_daemon_tail.h"
#include "ana_http.h"
#include "pm_daemon.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>
#include <zmq.h>

#include "ing_curve.h"
#include "ing_keyring.h"
#include "ing_disk.h"
#include "ing_forward.h"
#include "ing_proto.h"
#include "ing_server.h"
#include "ing_sink.h"
#include "ing_store.h"
#include "iq_conf.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_paths.h"
#include "iq_version.h"

#define OFF(f) offsetof(struct iqd_config, f)

static const struct iq_conf_item daemon_conf[] = {
    { "data", IQ_CONF_STR, OFF(data), "./inquest-data", 0, 0, "data directory (RocksDB)" },
    { "listen_zmq", IQ_CONF_STR, OFF(listen_zmq), "tcp://127.0.0.1:7701", 0, 0,
      "ZeroMQ ingest endpoint (ROUTER)" },
    { "ports_file", IQ_CONF_STR, OFF(ports_file), NULL, 0, 0,
      "once every listener is bound, write their addresses here as key=value lines "
      "(pid, zmq, zmq_port, http, http_port), atomically; removed on exit.  With port 0 "
      "in listen_zmq or listen_http the kernel picks a free port and this file names it" },
    { "fsync", IQ_CONF_BOOL, OFF(fsync), "false", 0, 0,
      "fsync the WAL before each acknowledgement (power-loss durability)" },
    { "max_frame", IQ_CONF_SIZE, OFF(max_frame), "16M", 4096, 1LL << 30,
      "largest ZeroMQ frame accepted; larger ones are refused with a reason" },
    { "log_level", IQ_CONF_STR, OFF(log_level), "info", 0, 0, "error, warn, info or debug" },
    { "min_free_disk", IQ_CONF_STR, OFF(min_free_disk), ING_DISK_MIN_FREE_DEFAULT, 0, 0,
      "below this much free space on the data filesystem new events are answered busy "
      "(ZeroMQ) or 503 (HTTP): a size, a percentage, or both (whichever is smaller); 0 off" },
    { "disk_reserve", IQ_CONF_SIZE, OFF(disk_reserve), ING_DISK_RESERVE_DEFAULT, 0, 1LL << 40,
      "space held in DATA/inquest.reserve and released when the disk fills, so the store "
      "can recover; 0 none" },
    { "rocksdb_log_level", IQ_CONF_STR, OFF(rocksdb_log_level), "off", 0, 0,
      "RocksDB's own LOG: off, fatal, error, warn, info or debug (keep it off on the data "
      "filesystem: RocksDB aborts when that LOG meets a full disk)" },
    { "rocksdb_log_dir", IQ_CONF_STR, OFF(rocksdb_log_dir), NULL, 0, 0,
      "directory for RocksDB's LOG files (default the data directory); 4 files of 16 MiB at most" },
    { "write_buffer_size", IQ_CONF_SIZE, OFF(write_buffer_size), "64M", 1 << 20, 1LL << 30,
      "RocksDB memtable size per column family (memory use, flush size)" },
    { "listen_http", IQ_CONF_STR, OFF(listen_http), "127.0.0.1:7700", 0, 0,
      "HTTP listener for webhooks, /healthz, /metrics and the API (HOST:PORT, or off)" },
    { "collector", IQ_CONF_BOOL, OFF(collector), "false", 0, 0,
      "collector mode: no store, forward webhook events to --forward" },
    { "forward", IQ_CONF_STR, OFF(forward), NULL, 0, 0,
      "central ingest endpoint in collector mode, e.g. tcp://10.0.0.5:7701" },
    { "record", IQ_CONF_STR, OFF(record), NULL, 0, 0,
      "append every webhook delivery to this NDJSON file (for inquest replay)" },
    { "sources_dir", IQ_CONF_STR, OFF(sources_dir), NULL, 0, 0,
      "source mapping files (default ./schemas/sources, $INQUEST_SCHEMAS/sources, "
      "/usr/local/share/inquest/schemas/sources)" },
    { "max_body", IQ_CONF_SIZE, OFF(max_body), "1M", 1024, 1LL << 30,
      "largest webhook body accepted; larger ones get 413" },
    { "http_conn_limit", IQ_CONF_INT, OFF(http_conn_limit), "1024", 1, 65536,
      "concurrent HTTP connections" },
    { "http_conn_reserve", IQ_CONF_INT, OFF(http_conn_reserve), "10", 0, 50,
      "percent of http_conn_limit kept for new clients: while fewer are free, the oldest "
      "connections still waiting for a request are cut (0: off)" },
    { "http_per_ip_limit", IQ_CONF_INT, OFF(http_per_ip_limit), "256", 1, 65536,
      "concurrent HTTP connections per client address (behind a trusted proxy: concurrent "
      "requests per X-Forwarded-For client)" },
    { "trusted_proxies", IQ_CONF_STR, OFF(trusted_proxies), NULL, 0, 0,
      "reverse proxies whose X-Forwarded-For names the client, as addresses and CIDR ranges, "
      "e.g. \"127.0.0.1, 10.0.0.0/8\"" },
    { "http_timeout", IQ_CONF_DURATION, OFF(http_timeout), "30s", 1000, 3600000,
      "idle HTTP connection timeout (and forwarding deadline in collector mode)" },
    { "http_header_timeout", IQ_CONF_DURATION, OFF(http_header_timeout), "10s", 100, 3600000,
      "deadline for a request line and headers, however active the client: cut past it" },
    { "http_body_timeout", IQ_CONF_DURATION, OFF(http_body_timeout), "60s", 100, 3600000,
      "deadline for a request body after its headers: cut past it" },
    { "http_max_headers", IQ_CONF_INT, OFF(http_max_headers), "100", 8, 10000,
      "header fields per HTTP request; more get 431" },
    { "http_threads", IQ_CONF_INT, OFF(http_threads), "8", 1, 64, "HTTP worker threads" },
    { "sources", IQ_CONF_JSON, OFF(sources), NULL, 0, 0,
      "per-source secrets: {\"github\": {\"secret\": \"...\"}, \"alertmanager\": {\"token\": \"...\"}}" },
    { "sources_enabled", IQ_CONF_STR, OFF(sources_enabled), NULL, 0, 0,
      "serve only these webhook sources, e.g. \"alertmanager,events\" (default: every mapping)" },
    { "access", IQ_CONF_JSON, OFF(access), NULL, 0, 0,
      "API tokens (see docs/security.md): {\"tokens\": [{\"name\": \"grafana\", \"token\": "
      "\"...\", \"role\": \"read\"}]}; also INQUEST_READ_TOKEN, INQUEST_WRITE_TOKEN, "
      "INQUEST_ADMIN_TOKEN" },
    { "insecure", IQ_CONF_BOOL, OFF(insecure), "false", 0, 0,
      "start on a non-loopback address even without API tokens and source secrets" },
    { "tls_cert_file", IQ_CONF_STR, OFF(tls_cert_file), NULL, 0, 0,
      "PEM certificate file: serve HTTPS instead of HTTP (with tls_key_file)" },
    { "tls_key_file", IQ_CONF_STR, OFF(tls_key_file), NULL, 0, 0,
      "PEM private key file of tls_cert_file" },
    { "correlate", IQ_CONF_JSON, OFF(correlate), NULL, 0, 0,
      "correlator rules (see docs/correlation.md), e.g. {\"quiet_period\": \"30m\"}" },
    { "logs", IQ_CONF_JSON, OFF(logs), NULL, 0, 0,
      "log collector (see docs/logs.md), e.g. {\"files\": [\"/var/log/nginx/access.log\"]}" },
    { "classes", IQ_CONF_JSON, OFF(classes), NULL, 0, 0,
      "failure classes added to or overriding schemas/classes.json (see docs/analysis.md)" },
    { "drafts", IQ_CONF_JSON, OFF(drafts), NULL, 0, 0,
      "postmortem drafts of closed incidents (see docs/render.md), e.g. {\"webhooks\": \"slack=https://hooks.slack.com/...\"}" },
    { "postmortems_dir", IQ_CONF_STR, OFF(postmortems_dir), NULL, 0, 0,
      "directory tree of finished postmortems (Markdown), synced whenever a file changes "
      "(see docs/followups.md)" },
    { "postmortems", IQ_CONF_JSON, OFF(postmortems), NULL, 0, 0,
      "follow-up reminders and the watch (see docs/followups.md), e.g. {\"poll\": \"10s\"}" },
    { "zmq_curve_key", IQ_CONF_STR, OFF(zmq_curve_key), NULL, 0, 0,
      "CurveZMQ: this ingest's secret key file (inquest keygen); with zmq_authorized_keys, "
      "only listed clients get in (see docs/security.md)" },
    { "zmq_authorized_keys", IQ_CONF_STR, OFF(zmq_authorized_keys), NULL, 0, 0,
      "CurveZMQ: directory of client public keys NAME.pub (admin/NAME.pub: may send audit notes)" },
    { "zmq_key", IQ_CONF_STR, OFF(zmq_key), NULL, 0, 0,
      "collector mode: this collector's CurveZMQ secret key file, to reach --forward" },
    { "zmq_server_key", IQ_CONF_STR, OFF(zmq_server_key), NULL, 0, 0,
      "collector mode: the central ingest's CurveZMQ public key file (.pub)" },
    { NULL, 0, 0, NULL, 0, 0, NULL },
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

/* The port of a "tcp://HOST:PORT" endpoint as written, or NULL (ipc://,
 * inproc://). */
static const char *tcp_port(const char *endpoint)
{
    const char *colon = strrchr(endpoint, ':');

    return strncmp(endpoint, "tcp://", 6) == 0 && colon && colon[1] ? colon + 1 : NULL;
}

int iqd_ports_write(const struct iqd_config *cfg, const char *zmq_endpoint,
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

void iqd_ports_remove(const struct iqd_config *cfg)
{
    if (cfg->ports_file && *cfg->ports_file && unlink(cfg->ports_file) < 0 && errno != ENOENT)
        iq_warn("daemon", "cannot remove ports_file %s: %s, ignoring", cfg->ports_file,
                strerror(errno));
}

static void usage(FILE *f)
{
    fprintf(f, "usage: inquestd [--config FILE] [--KEY VALUE ...]\n\n"
               "Every configuration key is also a flag (underscores as dashes).\n"
               "Boolean flags take no value.  Keys and defaults:\n\n");
    iq_conf_print_sample(f, daemon_conf, 2);
}

/* Apply argv flags over the config.  Returns 0 or 2 (usage error). */
static int parse_flags(struct iqd_config *cfg, int argc, char **argv)
{
    char err[IQ_ERR_MAX], key[64];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        size_t k;

        if (strcmp(a, "--config") == 0) {
            i++;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || strlen(a + 2) >= sizeof(key)) {
            fprintf(stderr, "inquestd: unexpected argument '%s'\n", a);
            return 2;
        }
        for (k = 0; a[2 + k]; k++)
            key[k] = a[2 + k] == '-' ? '_' : a[2 + k];
        key[k] = '\0';
        val = "true";
        if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
            for (const struct iq_conf_item *it = daemon_conf; it->name; it++)
                if (strcmp(it->name, key) == 0 && it->type != IQ_CONF_BOOL)
                    val = argv[++i];
        }
        if (iq_conf_set(daemon_conf, cfg, key, val, err, sizeof(err)) < 0) {
            fprintf(stderr, "inquestd: %s (see --help)\n", err);
            return 2;
        }
    }
    return 0;
}

/* Defaults, then the config file, then flags. */
static int load_config(struct iqd_config *cfg, int argc, char **argv)
{
    struct ing_disk_limit lim;
    char err[IQ_ERR_MAX];
    json_t *file = NULL;
    int r;

    iq_conf_defaults(daemon_conf, cfg);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("inquestd %s (protocol %d)\n", IQ_VERSION, IQ_PROTO_VERSION);
            return 1;
        }
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            if (iq_conf_load_file(argv[i + 1], &file, err, sizeof(err)) < 0 ||
                iq_conf_apply(daemon_conf, cfg, file, err, sizeof(err)) < 0) {
                fprintf(stderr, "inquestd: %s\n", err);
                json_decref(file);
                return 2;
            }
            json_decref(file);
        }
    }
    r = parse_flags(cfg, argc, argv);
    if (r)
        return r;
    if (iq_log_set_level(cfg->log_level) < 0) {
        fprintf(stderr, "inquestd: config 'log_level': unknown level \"%s\"\n", cfg->log_level);
        return 2;
    }
    if (ing_disk_limit_parse(cfg->min_free_disk, &lim, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquestd: config %s\n", err);
        return 2;
    }
    if (ing_store_log_level_parse(cfg->rocksdb_log_level) < 0) {
        fprintf(stderr, "inquestd: config 'rocksdb_log_level': unknown level \"%s\" (off, "
                "fatal, error, warn, info or debug)\n", cfg->rocksdb_log_level);
        return 2;
    }
    return 0;
}

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

/* RocksDB's LOG beside the data on one filesystem, at a level that writes
 * after open, can abort the daemon when that filesystem fills. */
static void warn_log_placement(const struct iqd_config *cfg, int level)
{
    struct stat a, b;
    const char *dir = cfg->rocksdb_log_dir && *cfg->rocksdb_log_dir ? cfg->rocksdb_log_dir
                                                                     : cfg->data;

    if (level == ING_STORE_LOG_OFF || stat(cfg->data, &a) < 0 || stat(dir, &b) < 0 ||
        a.st_dev != b.st_dev)
        return;
    iq_warn("daemon", "rocksdb_log_level %s writes RocksDB's LOG on the data filesystem: RocksDB "
            "aborts the daemon when that LOG meets a full disk; set rocksdb_log_dir to another "
            "filesystem", cfg->rocksdb_log_level);
}

/* The data directory, private (0700 whatever it was), and the store in it
 * with its free-space guard. */
static int open_store(const struct iqd_config *cfg, struct ing_store **ret)
{
    struct ing_disk_opts dopts = { .reserve = (int64_t)cfg->disk_reserve };
    struct ing_store_opts sopts = { .fsync = cfg->fsync, .disk = &dopts,
                                    .log_dir = cfg->rocksdb_log_dir,
                                    .log_level = ing_store_log_level_parse(cfg->rocksdb_log_level),
                                    .write_buffer = cfg->write_buffer_size };
    char err[IQ_ERR_MAX];
    unsigned old = 0;
    int r;

    if (ing_disk_limit_parse(cfg->min_free_disk, &dopts.min_free, err, sizeof(err)) < 0) {
        iq_error("daemon", "config %s", err);
        return -EINVAL;
    }
    if ((r = mkdir_p(cfg->data)) < 0) {
        iq_error("daemon", "cannot create data directory %s: %s", cfg->data, strerror(-r));
        return r;
    }
    r = iq_force_mode(-1, cfg->data, 0700, &old);
    if (r < 0) {
        iq_error("daemon", "data directory %s: cannot make it private: %s", cfg->data,
                 strerror(-r));
        return r;
    }
    if (r > 0)
        iq_warn("daemon", "data directory %s had mode %04o: changed to 0700 (it holds "
                "transcripts, names and credentials)", cfg->data, old);
    warn_log_placement(cfg, sopts.log_level);
    r = ing_store_open(cfg->data, &sopts, ret);
    if (r == -ENOSPC)
        iq_error("daemon", "%s: the disk is full even without the reserve: free some space "
                 "and start again", cfg->data);
    return r;
}

static void install_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* CurveZMQ of the ingest: the secret key and the authorized keys, both or
 * neither.  Errors are logged.  0 (curve_secret left empty when off) or
 * negative errno. */
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

static int load_curve(const struct iqd_config *cfg, char *secret, struct ing_keyring **ret)
{
    char pub[ING_Z85_KEY_LEN + 1], err[IQ_ERR_MAX];
    int r;

    secret[0] = '\0';
    r = iqd_conf_pair("zmq_curve_key", cfg->zmq_curve_key, "zmq_authorized_keys",
                      cfg->zmq_authorized_keys);
    if (r <= 0)
        return r;
    if ((r = ing_curve_read_pair(cfg->zmq_curve_key, pub, secret, err, sizeof(err))) < 0 ||
        (r = ing_keyring_load(cfg->zmq_authorized_keys, ret, err, sizeof(err))) < 0) {
        iq_error("daemon", "CurveZMQ: %s", r == -ENOMEM ? "out of memory" : err);
        return r;
    }
    iq_info("daemon", "CurveZMQ public key of this ingest: %s", pub);
    return 0;
}

/* GET /api/v1/query (analyze/), when the HTTP listener is on. */
static int start_query_api(const struct iqd_config *cfg, struct ing_store *store,
                           struct iqd_http *http, struct ana_http_query **ret)
{
    struct ing_http *h = iqd_http_server(http);
    const char *warning;
    int r;

    if (!h)
        return 0;
    r = ana_http_query_add(h, store, cfg->classes, ret);
    if (r < 0) {
        iq_error("daemon", "query API: %s", strerror(-r));
        return r;
    }
    warning = ana_http_query_warning(*ret);
    if (warning && *warning)
        iq_warn("daemon", "query API: %s", warning);
    return 0;
}

/* The collector's CurveZMQ keys (zmq_key and zmq_server_key, both or
 * neither) into *ret; *use says whether there are any.  Errors logged. */
static int collector_curve(const struct iqd_config *cfg, struct ing_curve_client *ret, bool *use)
{
    char err[IQ_ERR_MAX];
    int r = iqd_conf_pair("zmq_key", cfg->zmq_key, "zmq_server_key", cfg->zmq_server_key);

    *use = false;
    if (r <= 0)
        return r;
    if (ing_curve_client_load(cfg->zmq_key, cfg->zmq_server_key, ret, err, sizeof(err)) < 0) {
        iq_error("daemon", "CurveZMQ: %s", err);
        return -EINVAL;
    }
    *use = true;
    return 0;
}

/* Collector mode: no store; HTTP deliveries are forwarded to cfg->forward
 * and acknowledged once the central ingest acknowledged.  Runs until
 * *stop is set.  Returns the process exit status. */
static int collector_run(const struct iqd_config *cfg, volatile sig_atomic_t *stop)
{
    struct ing_forward_opts fo = { .endpoint = cfg->forward, .give_up_ms = cfg->http_timeout };
    struct ing_curve_client curve;
    struct ing_sink sink = { 0 };
    struct iqd_http *d = NULL;
    struct timespec ts = { 0, 100 * 1000 * 1000 };
    char url[300];
    bool use_curve;
    int status = 1;

    if (collector_curve(cfg, &curve, &use_curve) < 0)
        return 2;
    fo.curve = use_curve ? &curve : NULL;
    if (!cfg->forward || ing_sink_forward_new(&fo, &sink) < 0) {
        iq_error("daemon", "collector mode needs --forward tcp://HOST:PORT (the central ingest)");
        return 2;
    }
    if (iqd_http_new(cfg, sink, &d) < 0 || !d || iqd_check_exposure(cfg, d) < 0 ||
        iqd_http_start(d) < 0) {
        if (!d)
            iq_error("daemon", "collector mode needs an HTTP listener (listen_http)");
        goto out;
    }
    memset(&curve, 0, sizeof(curve));
    if (iqd_http_url(d, url, sizeof(url)) < 0 || iqd_ports_write(cfg, NULL, url, iqd_http_port(d)) < 0)
        goto out;
    iq_info("daemon", "inquestd %s collector ready: http %s, forwarding to %s%s", IQ_VERSION,
            url, cfg->forward, use_curve ? " (CurveZMQ)" : "");
    while (!*stop)
        nanosleep(&ts, NULL);
    iqd_ports_remove(cfg);
    status = 0;
out:
    iqd_http_destroy(&d);
    ing_sink_forward_destroy(&sink);
    return status;
}

int cli_daemon_main(int argc, char **argv)
{
    struct iqd_config cfg = { 0 };
    struct ing_server_opts zopts = { 0 };
    struct ing_store *store = NULL;
    struct ing_server *srv = NULL;
    struct iqd_http *http = NULL;
    struct iqd_drafts *drafts = NULL;
    struct ana_http_query *query = NULL;
    struct iqd_cor *cor = NULL;
    struct iqd_tail *tail = NULL;
    struct pm_daemon *pm = NULL;
    struct ing_server_stats st;
    char api_url[300] = "";
    struct ing_keyring *keys = NULL;
    char curve_secret[ING_Z85_KEY_LEN + 1];
    void *zctx = NULL;
    bool ports_written = false;
    int r, status = 1;

    iq_log_set_program("inquestd");
    r = load_config(&cfg, argc, argv);
    if (r) {
        status = r == 1 ? 0 : r;
        goto out;
    }
    install_signals();
    if (cfg.collector) {
        status = collector_run(&cfg, &stop_flag);
        goto out;
    }
    if (open_store(&cfg, &store) < 0 || load_curve(&cfg, curve_secret, &keys) < 0)
        goto out;
    if (iqd_http_new(&cfg, ing_sink_store(store), &http) < 0 ||
        iqd_check_exposure(&cfg, http) < 0)
        goto out;
    zctx = zmq_ctx_new();
    zopts.endpoint = cfg.listen_zmq;
    zopts.max_frame = cfg.max_frame;
    zopts.curve_secret = curve_secret[0] ? curve_secret : NULL;
    zopts.keys = keys;
    if (!zctx || ing_server_new(zctx, &zopts, ing_sink_store(store), &srv) < 0)
        goto out;
    if (iqd_cor_start(&cfg, store, iqd_http_server(http), &cor) < 0 ||
        start_query_api(&cfg, store, http, &query) < 0 ||
        pm_daemon_start(&(struct pm_daemon_opts){ cfg.postmortems_dir, cfg.postmortems, cfg.drafts },
                        store, iqd_http_server(http), &pm) < 0 || iqd_http_start(http) < 0)
        goto out;
    if (iqd_tail_start(&cfg, zctx, ing_server_local_endpoint(srv), &tail) < 0)
        goto out;
    if (http && iqd_http_url(http, api_url, sizeof(api_url)) < 0)
        goto out;
    if (iqd_drafts_start(cfg.drafts, cfg.data, http ? api_url : NULL, store, &drafts) < 0)
        goto out;
    if (iqd_ports_write(&cfg, ing_server_endpoint(srv), http ? api_url : NULL,
                        iqd_http_port(http)) < 0)
        goto out;
    ports_written = true;
    iq_info("daemon", "inquestd %s ready: data %s, ingest %s%s%s%s", IQ_VERSION, cfg.data,
            ing_server_endpoint(srv), http ? ", http " : "", api_url,
            cfg.fsync ? ", fsync on" : "");
    if (ing_server_run(srv, &stop_flag) < 0)
        goto out;
    ing_server_stats(srv, &st);
    iq_info("daemon", "stopped: %llu batches, %llu stored, %llu duplicates, %llu rejected "
            "(%llu audit notes refused), CurveZMQ handshakes %llu allowed, %llu refused",
            (unsigned long long)st.batches, (unsigned long long)st.stored,
            (unsigned long long)st.duplicates, (unsigned long long)st.rejected,
            (unsigned long long)st.refused_notes, (unsigned long long)st.curve_allowed,
            (unsigned long long)st.curve_refused);
    status = 0;
out:
    if (ports_written)
        iqd_ports_remove(&cfg);
    iqd_drafts_destroy(&drafts);
    iqd_tail_stop(&tail);
    iqd_http_destroy(&http);
    pm_daemon_stop(&pm);
    ana_http_query_free(&query);
    ing_server_destroy(&srv);
    iqd_cor_stop(&cor);
    if (zctx)
        zmq_ctx_term(zctx);
    ing_store_close(&store);
    ing_keyring_destroy(&keys);
    memset(curve_secret, 0, sizeof(curve_secret));
    iq_conf_release(daemon_conf, &cfg);
    return status;
}

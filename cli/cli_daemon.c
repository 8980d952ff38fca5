/* cli_daemon.c - inquestd: parse configuration, start the stages, wait for
 * a signal, stop them in reverse order.
 *
 * The daemon's settings are one table (daemon_conf): defaults, then the
 * config file (--config), then flags (--some-key VALUE sets "some_key"),
 * so flags, config keys and the generated --help always agree.  The
 * stages themselves are rows of cli_daemon_stages.c, started by
 * iqd_stages_run; this file only parses and installs the signal
 * handlers.  On SIGTERM or SIGINT the
 * ingest stops accepting, answers the batches already queued, every stage
 * stops in reverse order (the store flushes its WAL and closes) and the
 * process exits 0. */
#include "cli_daemon.h"
#include "cli_daemon_stages.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "store_disk.h"
#include "ing_proto.h"
#include "store.h"
#include "iq_conf.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_re.h"
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
    { "log_format", IQ_CONF_STR, OFF(log_format), "text", 0, 0,
      "log lines on stderr: text, logfmt or json (docs/operations.md, \"Logs\")" },
    { "min_free_disk", IQ_CONF_STR, OFF(min_free_disk), STORE_DISK_MIN_FREE_DEFAULT, 0, 0,
      "below this much free space on the data filesystem new events are answered busy "
      "(ZeroMQ) or 503 (HTTP): a size, a percentage, or both (whichever is smaller); 0 off" },
    { "disk_reserve", IQ_CONF_SIZE, OFF(disk_reserve), STORE_DISK_RESERVE_DEFAULT, 0, 1LL << 40,
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
    { "regex", IQ_CONF_JSON, OFF(regex), NULL, 0, 0,
      "pcre2 limits per use of patterns: logs, classes, redaction (see docs/operations.md), "
      "e.g. {\"logs\": {\"match_limit\": 100000, \"depth_limit\": 10000}}" },
    { "retention", IQ_CONF_JSON, OFF(retention), NULL, 0, 0,
      "age out events and raw payloads (see docs/operations.md), e.g. {\"raw_after\": \"30d\", "
      "\"events_after\": \"400d\", \"interval\": \"1h\"}" },
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

static void usage(FILE *f)
{
    fprintf(f, "usage: inquestd [--config FILE] [--KEY VALUE ...]\n"
               "       inquestd --print-sample-config | --version\n\n"
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
    struct store_disk_limit lim;
    char err[IQ_ERR_MAX];
    json_t *file = NULL;
    int r;

    iq_conf_defaults(daemon_conf, cfg);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 1;
        }
        if (strcmp(argv[i], "--print-sample-config") == 0) {
            iq_conf_print_config(stdout, daemon_conf, "inquestd configuration, every key with its "
                                 "default (inquestd " IQ_VERSION " --print-sample-config). JSON "
                                 "with comments; a key left out keeps its default, null unsets "
                                 "it. Sections are described in docs/*.md.");
            return 1;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("inquestd %s (protocol %d, data format %d)\n", IQ_VERSION, IQ_PROTO_VERSION,
                   STORE_FORMAT);
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
    if (iq_log_set_format(cfg->log_format) < 0) {
        fprintf(stderr, "inquestd: config 'log_format': unknown format \"%s\" (text, logfmt "
                "or json)\n", cfg->log_format);
        return 2;
    }
    if (store_disk_limit_parse(cfg->min_free_disk, &lim, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquestd: config %s\n", err);
        return 2;
    }
    if (iq_re_setup(cfg->regex, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquestd: %s\n", err);
        return 2;
    }
    if (store_log_level_parse(cfg->rocksdb_log_level) < 0) {
        fprintf(stderr, "inquestd: config 'rocksdb_log_level': unknown level \"%s\" (off, "
                "fatal, error, warn, info or debug)\n", cfg->rocksdb_log_level);
        return 2;
    }
    return 0;
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

int cli_daemon_main(int argc, char **argv)
{
    struct iqd_config cfg = { 0 };
    int r, status;

    iq_log_set_program("inquestd");
    r = load_config(&cfg, argc, argv);
    if (r) {
        status = r == 1 ? 0 : r;
        goto out;
    }
    install_signals();
    status = iqd_stages_run(&cfg, &stop_flag);
out:
    iq_conf_release(daemon_conf, &cfg);
    return status;
}

/* cli_daemon.c - inquestd: parse configuration, start the stages, wait for
 * a signal, stop them in reverse order.
 *
 * The daemon's settings are one table (daemon_conf): defaults, then the
 * config file (--config, YAML or JSON with comments: iq_conf_file_load),
 * then flags (--some-key VALUE sets "some_key"), so flags, config keys and
 * the generated --help always agree.  Every problem is reported, each
 * with the file and the key's line (cli_daemon_check.h).  --check-config
 * FILE checks the file and every section as the stages would at start,
 * starting nothing (cli_daemon_check.c); --print-config prints the
 * effective configuration as YAML that loads back to the same values.  The
 * stages themselves are rows of cli_daemon_stages.c, started by
 * iqd_stages_run; this file only parses and installs the signal
 * handlers (SIGHUP reloads: cli_daemon_reload.c).  On SIGTERM or SIGINT the
 * ingest stops accepting, answers the batches already queued, every stage
 * stops in reverse order (the store flushes its WAL and closes) and the
 * process exits 0. */
#include "cli_daemon.h"
#include "cli_daemon_check.h"
#include "cli_daemon_reload.h"
#include "cli_daemon_stages.h"

#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cor_config.h"
#include "rnd_watch.h"
#include "store_disk.h"
#include "tail_config.h"
#include "ing_proto.h"
#include "ing_spool.h"
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
    { "write_buffer_size", IQ_CONF_SIZE, OFF(write_buffer_size), "16M", 1 << 20, 1LL << 30,
      "RocksDB memtable size per column family: the size of a flush (docs/scaling.md)" },
    { "max_write_buffers", IQ_CONF_INT, OFF(max_write_buffers), "2", 2, 64,
      "RocksDB memtables per column family, the one written and those waiting for their flush" },
    { "db_write_buffer_size", IQ_CONF_SIZE, OFF(db_write_buffer_size), "32M", 4 << 20, 1LL << 40,
      "memtables of all column families together: past it RocksDB flushes the largest "
      "(memory use)" },
    { "block_cache_size", IQ_CONF_SIZE, OFF(block_cache_size), "32M", 1 << 20, 1LL << 40,
      "RocksDB block cache shared by every column family: data, index and filter blocks "
      "(memory use, read speed)" },
    { "max_open_files", IQ_CONF_INT, OFF(max_open_files), "512", 16, 1 << 20,
      "RocksDB table files kept open (one file descriptor each)" },
    { "malloc_arenas", IQ_CONF_INT, OFF(malloc_arenas), "2", 0, 1024,
      "glibc malloc arenas (M_ARENA_MAX): fewer keep less freed memory between threads; "
      "0 leaves glibc's default, 8 per core" },
    { "malloc_mmap_threshold", IQ_CONF_SIZE, OFF(malloc_mmap_threshold), "0", 0, 32 << 20,
      "glibc M_MMAP_THRESHOLD: allocations from this size on get their own pages, given back "
      "when freed; 0 (the default) keeps glibc's sliding threshold: a fixed one makes long "
      "store scans (full rebuilds) tens of times slower (docs/scaling.md)" },
    { "listen_http", IQ_CONF_STR, OFF(listen_http), "127.0.0.1:7700", 0, 0,
      "HTTP listener for webhooks, /healthz, /metrics and the API (HOST:PORT, or off)" },
    { "collector", IQ_CONF_BOOL, OFF(collector), "false", 0, 0,
      "collector mode: no store; webhook events go to a spool in DATA/spool, then to --forward" },
    { "forward", IQ_CONF_STR, OFF(forward), NULL, 0, 0,
      "central ingest endpoint in collector mode, e.g. tcp://10.0.0.5:7701" },
    { "spool_max", IQ_CONF_SIZE, OFF(spool_max), ING_SPOOL_MAX_DEFAULT, 1 << 20, 1LL << 42,
      "collector mode: bytes of events the spool holds while the central ingest is away; "
      "past it webhooks get 503 with Retry-After" },
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
      "idle HTTP connection timeout" },
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
               "       inquestd --check-config FILE [--KEY VALUE ...]\n"
               "       inquestd [--config FILE] [--KEY VALUE ...] --print-config\n"
               "       inquestd --print-sample-config | --version\n\n"
               "FILE is YAML, or JSON with comments.  Every configuration key is also a flag\n"
               "(underscores as dashes); boolean flags take no value.  --check-config checks\n"
               "FILE and every section without starting (exit 0 when valid, 1 listing each\n"
               "problem with its line); --print-config prints the effective configuration as\n"
               "YAML that loads back.  SIGHUP (or POST /-/reload with an admin token) reloads\n"
               "the configuration; a bad file is refused whole.  Keys and defaults, as a YAML\n"
               "config file:\n\n");
    iq_conf_print_sample(f, daemon_conf, 0);
}

/* An option of the command line that is not a setting: 1 when it takes a
 * value (--config, --check-config), 0 when alone, -1 when not one. */
static int command_option(const char *a)
{
    if (strcmp(a, "--config") == 0 || strcmp(a, "--check-config") == 0)
        return 1;
    if (strcmp(a, "--print-config") == 0)
        return 0;
    return -1;
}

/* Apply argv flags over the config.  0, or -1 after reporting a usage
 * error. */
static int parse_flags(struct iqd_config *cfg, int argc, char **argv, struct iqd_problems *p)
{
    char err[IQ_ERR_MAX], key[64], msg[IQ_CONF_MSG_MAX];

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        size_t k;

        if (command_option(a) >= 0) {
            i += command_option(a);
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || strlen(a + 2) >= sizeof(key)) {
            snprintf(msg, sizeof(msg), "unexpected argument '%.200s' (see --help)", a);
            iqd_problem(p, msg, NULL);
            return -1;
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
            snprintf(msg, sizeof(msg), "%s (see --help)", err);
            iqd_problem(p, msg, NULL);
            return -1;
        }
    }
    return 0;
}

static void report_to_problems(void *ud, const char *msg)
{
    iqd_problem(ud, msg, NULL);
}

/* The values the table cannot check: log level and format, the
 * free-space limit, the pattern limits (applied: iq_re_setup), RocksDB's
 * log level. */
static void check_values(const struct iqd_config *cfg, struct iqd_problems *p)
{
    struct store_disk_limit lim;
    char err[IQ_ERR_MAX], msg[IQ_CONF_MSG_MAX];

    if (iq_log_level_valid(cfg->log_level) < 0) {
        snprintf(msg, sizeof(msg), "config 'log_level': unknown level \"%.40s\" (error, warn, "
                 "info or debug)", cfg->log_level);
        iqd_problem(p, msg, NULL);
    }
    if (iq_log_set_format(cfg->log_format) < 0) {
        snprintf(msg, sizeof(msg), "config 'log_format': unknown format \"%.40s\" (text, logfmt "
                 "or json)", cfg->log_format);
        iqd_problem(p, msg, NULL);
    }
    if (store_disk_limit_parse(cfg->min_free_disk, &lim, err, sizeof(err)) < 0) {
        snprintf(msg, sizeof(msg), "config %s", err);
        iqd_problem(p, msg, NULL);
    }
    if (iq_re_setup(cfg->regex, err, sizeof(err)) < 0)
        iqd_problem(p, err, NULL);
    if (store_log_level_parse(cfg->rocksdb_log_level) < 0) {
        snprintf(msg, sizeof(msg), "config 'rocksdb_log_level': unknown level \"%.40s\" (off, "
                 "fatal, error, warn, info or debug)", cfg->rocksdb_log_level);
        iqd_problem(p, msg, NULL);
    }
}

/* The file named by --config or --check-config, or NULL. */
static const char *config_path(int argc, char **argv)
{
    const char *path = NULL;

    for (int i = 1; i + 1 < argc; i++)
        if (command_option(argv[i]) == 1)
            path = argv[++i];
    return path;
}

/* Defaults, then the config file (YAML or JSON, every problem reported
 * with its line), then flags, then the values the table cannot check.
 * *file holds the file read (iq_conf_file_release).  Returns the number
 * of problems, or -1 for a usage error. */
static int load_config(struct iqd_config *cfg, int argc, char **argv,
                       struct iq_conf_file *file, struct iqd_problems *p)
{
    const char *path = config_path(argc, argv);
    char err[IQ_CONF_MSG_MAX];
    int before = p->n;

    memset(file, 0, sizeof(*file));
    iq_conf_defaults(daemon_conf, cfg);
    if (path) {
        if (iq_conf_file_load(path, file, err, sizeof(err)) < 0) {
            iqd_problem(p, err, NULL);
            return p->n - before;
        }
        p->file = file;
        iq_conf_apply_each(daemon_conf, cfg, file->root, NULL, report_to_problems, p);
    }
    if (parse_flags(cfg, argc, argv, p) < 0)
        return -1;
    check_values(cfg, p);
    return p->n - before;
}

/* --print-config: the effective configuration as YAML; the sections with
 * a table of their own key by key with their defaults. */
static int print_config(const struct iqd_config *cfg)
{
    struct iq_conf_sub subs[3] = {
        { "correlate", cor_config_table(), sizeof(struct cor_config), true },
        { "drafts", NULL, 0, true },
        { "logs", tail_conf_items, sizeof(struct tail_conf), false },
    };

    subs[1].table = rnd_watch_conf_table(&subs[1].size);
    printf("# inquestd %s: the effective configuration (inquestd --print-config)\n", IQ_VERSION);
    if (iq_conf_print_yaml(stdout, daemon_conf, cfg, subs, 3) < 0 || fflush(stdout) != 0) {
        fprintf(stderr, "inquestd: cannot print the configuration\n");
        return 1;
    }
    return 0;
}

/* --check-config FILE: every problem of the file, the flags and the
 * sections.  0 valid, 1 problems, 2 usage. */
static int check_config(int argc, char **argv, struct iqd_config *cfg, struct iqd_problems *p)
{
    const char *path = config_path(argc, argv);
    struct iq_conf_file file;
    int n = load_config(cfg, argc, argv, &file, p);

    if (n < 0) {
        iq_conf_file_release(&file);
        return 2;
    }
    if (file.path)
        n += iqd_check(cfg, p);
    iq_conf_file_release(&file);
    if (n)
        printf("%s: %d problem%s\n", path, n, n == 1 ? "" : "s");
    else
        printf("%s: valid\n", path);
    return n ? 1 : 0;
}

/* What runs instead of the daemon: --help, --version,
 * --print-sample-config (their exit status), --check-config (3); -1 when
 * none; *print for --print-config. */
static int special(int argc, char **argv, bool *print)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--print-sample-config") == 0) {
            iq_conf_print_config(stdout, daemon_conf, "inquestd configuration, every key with its "
                                 "default (inquestd " IQ_VERSION " --print-sample-config). JSON "
                                 "with comments (YAML works too); a key left out keeps its "
                                 "default, null unsets it. Sections are described in docs/*.md.");
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("inquestd %s (protocol %d, data format %d)\n", IQ_VERSION, IQ_PROTO_VERSION,
                   STORE_FORMAT);
            return 0;
        }
        if (command_option(argv[i]) == 1 && i + 1 >= argc) {
            fprintf(stderr, "inquestd: %s needs a file (see --help)\n", argv[i]);
            return 2;
        }
        if (strcmp(argv[i], "--check-config") == 0)
            return 3;
        *print |= strcmp(argv[i], "--print-config") == 0;
    }
    return -1;
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
    struct iqd_problems p = { .emit = iqd_problem_stderr };
    struct iq_conf_file file;
    struct iqd_reload *reload = NULL;
    bool print = false;
    int status;

    iq_log_set_program("inquestd");
    status = special(argc, argv, &print);
    if (status == 3) {
        status = check_config(argc, argv, &cfg, &p);
        goto out;
    }
    if (status >= 0)
        return status;
    status = load_config(&cfg, argc, argv, &file, &p) != 0 ? 2 : 0;
    iq_conf_file_release(&file);
    if (status)
        goto out;
    iq_log_set_level(cfg.log_level);
    if (print) {
        status = print_config(&cfg);
        goto out;
    }
    install_signals();
    if (cfg.malloc_arenas > 0)        /* before any thread starts */
        mallopt(M_ARENA_MAX, (int)cfg.malloc_arenas);
    if (cfg.malloc_mmap_threshold > 0)
        mallopt(M_MMAP_THRESHOLD, (int)cfg.malloc_mmap_threshold);
    if (iqd_reload_new(argc, argv, load_config, daemon_conf, &reload) < 0) {
        status = 1;
        goto out;
    }
    status = iqd_stages_run(&cfg, reload, &stop_flag);
    iqd_reload_free(&reload);
out:
    iq_conf_release(daemon_conf, &cfg);
    return status;
}

/* cli_daemon.h - inquestd: configuration and wiring of the stages.
 *
 * The daemon's own settings are one table (cli_daemon.c); each flag
 * "--some-key VALUE" sets the key "some_key", so flags, config file keys
 * and the generated --help always agree.  The struct stays the daemon's:
 * the stage rows (cli_daemon_stages.c) hand each stage only its own
 * section or values. */
#ifndef CLI_DAEMON_H
#define CLI_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct iqd_config {
    char *data;            /* data directory */
    char *listen_zmq;      /* ingest endpoint */
    char *ports_file;      /* bound listeners, key=value lines; NULL none */
    bool fsync;            /* sync WAL per batch */
    size_t max_frame;      /* largest accepted ZeroMQ frame */
    char *log_level;
    char *log_format;      /* text, logfmt or json */
    /* disk and store (docs/security.md, "Disk and resources") */
    char *min_free_disk;   /* "1G,5%": refuse events below this much free space */
    size_t disk_reserve;   /* reserve file released for recovery; 0 none */
    char *rocksdb_log_level; /* RocksDB's own LOG: off, fatal, error, warn, info, debug */
    char *rocksdb_log_dir; /* where that LOG goes; NULL the data directory */
    size_t write_buffer_size; /* RocksDB memtable size per column family */
    int64_t max_write_buffers; /* memtables per column family */
    size_t db_write_buffer_size; /* memtables of all families together */
    size_t block_cache_size;  /* the shared block cache */
    int64_t max_open_files;   /* table files kept open */
    int64_t malloc_arenas;    /* M_ARENA_MAX; 0: glibc's default */
    size_t malloc_mmap_threshold; /* M_MMAP_THRESHOLD; 0: glibc's sliding one */
    /* HTTP collectors (cli_daemon_http.c -> ingest/in_webhook/wh_daemon.c) */
    char *listen_http;     /* "HOST:PORT" or "off" */
    bool collector;        /* no store: forward to a central ingest */
    char *forward;         /* central ingest endpoint in collector mode */
    size_t spool_max;      /* collector mode: bytes of events the spool holds */
    char *record;          /* NDJSON file of every delivery, or NULL */
    char *sources_dir;     /* mapping files; NULL = default search */
    size_t max_body;       /* largest webhook body */
    int64_t http_conn_limit, http_per_ip_limit, http_threads;
    int64_t http_timeout;  /* ms */
    /* slow clients and limits (http/http_guard.c) */
    int64_t http_header_timeout, http_body_timeout;   /* ms */
    int64_t http_conn_reserve;                         /* % of http_conn_limit; 0 off */
    int64_t http_max_headers;
    char *trusted_proxies; /* CIDR list, or NULL */
    json_t *sources;       /* per-source secrets */
    char *sources_enabled; /* "alertmanager,events": serve only these; NULL = all */
    /* access control (cli_daemon_http.c, cli_daemon_secure.c, http/http_access.c) */
    json_t *access;        /* "access" section: {"tokens": [...]} */
    bool insecure;         /* start on non-loopback addresses without auth */
    char *tls_cert_file;   /* PEM certificate: HTTPS */
    char *tls_key_file;    /* PEM private key */
    json_t *correlate;     /* "correlate" section (correlate/cor_daemon.c, cor_config.c) */
    json_t *logs;          /* "logs" section: the log collector (cli_daemon_tail.c) */
    json_t *classes;       /* "classes" section: failure classes (analyze/) */
    json_t *regex;         /* "regex" section: pcre2 limits (common/iq_re.c, iq_re_setup) */
    json_t *drafts;        /* "drafts" section: draft delivery (render/rnd_watch.c, rnd_api.c) */
    json_t *retention;     /* "retention" section (correlate/cor_admin.c, cor_retention.c) */
    char *postmortems_dir; /* finished postmortems to watch (postmortem/pm_daemon.c) */
    json_t *postmortems;   /* "postmortems" section: reminders, follow-ups */
    /* CurveZMQ (docs/security.md) */
    char *zmq_curve_key;        /* this ingest's secret key file, or NULL: plain ZMTP */
    char *zmq_authorized_keys;  /* directory of client public keys */
    char *zmq_key;              /* collector mode: this collector's secret key file */
    char *zmq_server_key;       /* collector mode: the central ingest's public key file */
};

/* Two settings that go together (CurveZMQ key files): 1 when both keys
 * ka and kb have values (va, vb), 0 when neither has, -EINVAL (logged,
 * naming both) when only one has.  (cli_daemon_stages.c) */
int iqd_conf_pair(const char *ka, const char *va, const char *kb, const char *vb);

/* Run inquestd with argv: parse, then iqd_stages_run
 * (cli_daemon_stages.h); returns the exit status. */
int cli_daemon_main(int argc, char **argv);

#endif

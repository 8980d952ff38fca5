/* cli_daemon.h - inquestd: configuration and wiring of the stages.
 *
 * The daemon's own settings are one table (cli_daemon.c); each flag
 * "--some-key VALUE" sets the key "some_key", so flags, config file keys
 * and the generated --help always agree. */
#ifndef CLI_DAEMON_H
#define CLI_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct iqd_config {
    char *data;            /* data directory */
    char *listen_zmq;      /* ingest endpoint */
    bool fsync;            /* sync WAL per batch */
    size_t max_frame;      /* largest accepted ZeroMQ frame */
    char *log_level;
    /* HTTP collectors (cli_daemon_http.c) */
    char *listen_http;     /* "HOST:PORT" or "off" */
    bool collector;        /* no store: forward to a central ingest */
    char *forward;         /* central ingest endpoint in collector mode */
    char *record;          /* NDJSON file of every delivery, or NULL */
    char *sources_dir;     /* mapping files; NULL = default search */
    size_t max_body;       /* largest webhook body */
    int64_t http_conn_limit, http_per_ip_limit, http_threads;
    int64_t http_timeout;  /* ms */
    /* slow clients and limits (ingest/ing_http_guard.c) */
    int64_t http_header_timeout, http_body_timeout;   /* ms */
    int64_t http_conn_reserve;                         /* % of http_conn_limit; 0 off */
    int64_t http_max_headers;
    char *trusted_proxies; /* CIDR list, or NULL */
    json_t *sources;       /* per-source secrets */
    char *sources_enabled; /* "alertmanager,events": serve only these; NULL = all */
    /* access control (cli_daemon_http.c, cli_daemon_secure.c, ingest/ing_access.c) */
    json_t *access;        /* "access" section: {"tokens": [...]} */
    bool insecure;         /* start on non-loopback addresses without auth */
    char *tls_cert_file;   /* PEM certificate: HTTPS */
    char *tls_key_file;    /* PEM private key */
    json_t *correlate;     /* "correlate" section (cli_daemon_cor.c, correlate/cor_config.c) */
    json_t *logs;          /* "logs" section: the log collector (cli_daemon_tail.c) */
    json_t *classes;       /* "classes" section: failure classes (analyze/) */
    json_t *drafts;        /* "drafts" section: draft delivery (cli_daemon_rnd.c) */
    /* CurveZMQ (docs/security.md) */
    char *zmq_curve_key;        /* this ingest's secret key file, or NULL: plain ZMTP */
    char *zmq_authorized_keys;  /* directory of client public keys */
    char *zmq_key;              /* collector mode: this collector's secret key file */
    char *zmq_server_key;       /* collector mode: the central ingest's public key file */
};

/* Two settings that go together (CurveZMQ key files): 1 when both keys
 * ka and kb have values (va, vb), 0 when neither has, -EINVAL (logged,
 * naming both) when only one has. */
int iqd_conf_pair(const char *ka, const char *va, const char *kb, const char *vb);

/* Run inquestd with argv; returns the exit status. */
int cli_daemon_main(int argc, char **argv);

#endif

/* cli_daemon_http.c - inquestd's HTTP side: mapping files, recorder, HTTP
 * server (collector mode, which uses them without a store, is in
 * cli_daemon.c).
 *
 * Design notes.  The daemon's main (cli_daemon.c) stays a list of calls:
 * iqd_http_new with the store's sink, optional routes from other stages,
 * iqd_http_start, and iqd_http_destroy before the store closes, so no
 * request is answered by a closed store.  In collector mode no store is
 * opened at all: the sink is ing_forward's, and cli_daemon.c's loop just
 * waits for the stop signal while MHD's threads do the work.  The mapping
 * directory is, in order: config sources_dir, ./schemas/sources,
 * $INQUEST_SCHEMAS/sources, /usr/local/share/inquest/schemas/sources.
 * The access table (API tokens) and the TLS certificate and key are loaded
 * here too and live as long as the server, which borrows them. */
#include "cli_daemon_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cli_daemon.h"
#include "ing_access.h"
#include "ing_http.h"
#include "ing_record.h"
#include "ing_source.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_file.h"
#include "iq_paths.h"

struct iqd_http {
    struct ing_sources *sources;
    struct ing_access *access;
    struct ing_record *rec;
    struct ing_http *http;
    char *tls_cert, *tls_key;    /* PEM text */
    const char *listen;
};

#define PEM_MAX (1024 * 1024)

static bool is_dir(const char *p)
{
    struct stat st;

    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The mapping directory to use, in buf: sources_dir, or the schemas
 * tree's (iq_paths.h).  -ENOENT if none exists. */
static int sources_dir(const struct iqd_config *cfg, char *buf, size_t size)
{
    if (cfg->sources_dir && *cfg->sources_dir) {
        snprintf(buf, size, "%s", cfg->sources_dir);
        return 0;
    }
    return iq_schemas_find("sources", buf, size, NULL, 0) == 0 && is_dir(buf) ? 0 : -ENOENT;
}

size_t iqd_http_open_sources(const struct iqd_http *d, char *names, size_t size)
{
    const struct ing_sources *s = d->sources;
    bool writers = ing_access_grants(d->access, ING_ROLE_WRITE);
    size_t used = 0, n = 0;

    names[0] = '\0';
    for (size_t i = 0; i < ing_sources_count(s); i++) {
        if (!ing_sources_enabled(s, i) || ing_sources_has_secret(s, i) ||
            (writers && ing_sources_canonical(s, i)))
            continue;
        n++;
        if (used < size)
            used += (size_t)snprintf(names + used, size - used, "%s%s", used ? ", " : "",
                                     ing_sources_name(s, i));
    }
    return n;
}

/* One warning naming the sources whose deliveries go unauthenticated. */
static void warn_open_sources(const struct iqd_http *d)
{
    char names[1024];

    if (iqd_http_open_sources(d, names, sizeof(names)))
        iq_warn("http", "no secret configured for %s: accepting their deliveries unauthenticated "
                "(set sources.NAME.secret in the config or INQUEST_NAME_SECRET, or leave them "
                "out with sources_enabled)", names);
}

/* Raise the soft open-file limit so that http_conn_limit connections fit
 * beside the store and the other sockets, as far as the hard limit
 * allows (Redis does the same for maxclients). */
static void raise_fd_limit(unsigned conns)
{
    rlim_t want = (rlim_t)conns + 256;
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
        iq_warn("http", "open-file limit is %llu: http_conn_limit %u may not be reached "
                "(raise it with ulimit -n or LimitNOFILE=)", (unsigned long long)rl.rlim_cur,
                conns);
}

void iqd_http_destroy(struct iqd_http **pd)
{
    struct iqd_http *d = *pd;

    if (!d)
        return;
    ing_http_destroy(&d->http);
    ing_record_close(&d->rec);
    ing_sources_destroy(&d->sources);
    ing_access_destroy(&d->access);
    free(d->tls_cert);
    if (d->tls_key)
        memset(d->tls_key, 0, strlen(d->tls_key));
    free(d->tls_key);
    free(d);
    *pd = NULL;
}

/* Read the TLS certificate and key (both or neither). */
static int load_tls(const struct iqd_config *cfg, struct iqd_http *d)
{
    const char *cert = cfg->tls_cert_file, *key = cfg->tls_key_file;
    const char *which = cert;
    struct stat st;
    size_t n;
    int r;

    if (!cert && !key)
        return 0;
    if (!cert || !key) {
        iq_error("http", "config: tls_cert_file and tls_key_file go together (%s is missing)",
                 cert ? "tls_key_file" : "tls_cert_file");
        return -EINVAL;
    }
    if ((r = iq_read_file(cert, PEM_MAX, &d->tls_cert, &n)) == 0) {
        which = key;
        r = iq_read_file(key, PEM_MAX, &d->tls_key, &n);
    }
    if (r < 0) {
        iq_error("http", "cannot read %s: %s", which, r == -EFBIG ? "over 1 MiB" : strerror(-r));
        return r;
    }
    if (stat(key, &st) == 0 && (st.st_mode & 077))
        iq_warn("http", "tls_key_file %s is readable by other users (mode %03o): chmod 600 it",
                key, (unsigned)(st.st_mode & 0777));
    return 0;
}

int iqd_http_new(const struct iqd_config *cfg, struct ing_sink sink, struct iqd_http **ret)
{
    struct ing_http_opts o = {
        .listen = cfg->listen_http, .max_body = cfg->max_body,
        .conn_limit = (unsigned)cfg->http_conn_limit, .per_ip_limit = (unsigned)cfg->http_per_ip_limit,
        .timeout_s = (unsigned)((cfg->http_timeout + 999) / 1000), .threads = (unsigned)cfg->http_threads,
        .header_timeout_ms = (uint64_t)cfg->http_header_timeout,
        .body_timeout_ms = (uint64_t)cfg->http_body_timeout,
        .conn_reserve_pct = cfg->http_conn_reserve ? (int)cfg->http_conn_reserve : -1,
        .max_headers = (unsigned)cfg->http_max_headers, .trusted_proxies = cfg->trusted_proxies,
    };
    struct iqd_http *d;
    char dir[4096], err[IQ_ERR_MAX + 256];
    int r;

    *ret = NULL;
    if (!cfg->listen_http || !strcmp(cfg->listen_http, "off") || !*cfg->listen_http)
        return 0;
    if ((r = ing_http_opts_check(&o, err, sizeof(err))) < 0) {
        iq_error("http", "%s", err);
        return r;
    }
    raise_fd_limit((unsigned)cfg->http_conn_limit);
    if ((r = sources_dir(cfg, dir, sizeof(dir))) < 0) {
        iq_error("http", "no source mapping directory (set sources_dir, or INQUEST_SCHEMAS)");
        return r;
    }
    d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    d->listen = cfg->listen_http;
    r = ing_sources_load(dir, cfg->sources, &d->sources, err, sizeof(err));
    if (r == 0 && cfg->sources_enabled)
        r = ing_sources_enable(d->sources, cfg->sources_enabled, err, sizeof(err));
    if (r == 0)
        r = ing_access_load(cfg->access, &d->access, err, sizeof(err));
    if (r < 0) {
        iq_error("http", "%s", err);
        goto out;
    }
    if ((r = load_tls(cfg, d)) < 0)
        goto out;
    o.access = d->access;
    o.tls_cert = d->tls_cert;
    o.tls_key = d->tls_key;
    warn_open_sources(d);
    if (cfg->record && (r = ing_record_open(cfg->record, &d->rec)) < 0) {
        iq_error("http", "cannot open recording %s: %s", cfg->record, strerror(-r));
        goto out;
    }
    r = ing_http_new(&o, d->sources, sink, d->rec, &d->http);
out:
    if (r < 0) {
        iqd_http_destroy(&d);
        return r;
    }
    *ret = d;
    return 0;
}

struct ing_http *iqd_http_server(struct iqd_http *d)
{
    return d ? d->http : NULL;
}

const struct ing_sources *iqd_http_sources(const struct iqd_http *d)
{
    return d ? d->sources : NULL;
}

const struct ing_access *iqd_http_access(const struct iqd_http *d)
{
    return d ? d->access : NULL;
}

bool iqd_http_tls(const struct iqd_http *d)
{
    return d && d->tls_cert;
}

unsigned iqd_http_port(const struct iqd_http *d)
{
    return d ? (unsigned)ing_http_port(d->http) : 0;
}

int iqd_http_url(const struct iqd_http *d, char *buf, size_t size)
{
    const char *colon = d ? strrchr(d->listen, ':') : NULL;

    if (!colon || size == 0)
        return -EINVAL;
    if ((size_t)snprintf(buf, size, "%s://%.*s:%u", d->tls_cert ? "https" : "http",
                         (int)(colon - d->listen), d->listen, iqd_http_port(d)) >= size)
        return -ENAMETOOLONG;
    return 0;
}

int iqd_http_start(struct iqd_http *d)
{
    char url[300];
    int r;

    if (!d)
        return 0;
    r = ing_http_start(d->http);
    if (r < 0) {
        iq_error("http", "cannot listen on %s: %s", d->listen,
                 r == -EINVAL ? "expected HOST:PORT" :
                 r == -ENOTSUP ? "this libmicrohttpd has no TLS support" :
                 d->tls_cert ? "address in use or not available, or the TLS certificate or key "
                               "was refused (see above)" : "address in use or not available");
        return r;
    }
    if (iqd_http_url(d, url, sizeof(url)) < 0)
        snprintf(url, sizeof(url), "%s", d->listen);
    iq_info_kv("http", IQ_KVS(IQ_KV_S("url", url), IQ_KV_U("sources", ing_sources_count(d->sources)),
                              IQ_KV_U("tokens", ing_access_count(d->access))),
               "webhooks on %s, %zu sources%s, %zu API tokens", url,
               ing_sources_count(d->sources), d->rec ? ", recording deliveries" : "",
               ing_access_count(d->access));
    return 0;
}

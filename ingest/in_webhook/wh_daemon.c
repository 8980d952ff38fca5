/* wh_daemon.c - the webhook plugin in inquestd: mapping files, recorder,
 * access table, TLS and the HTTP server with the /hooks/ endpoints.
 *
 * Design notes.  The daemon's main (cli/cli_daemon.c) stays a list of
 * calls: iqd_http_new (cli/cli_daemon_http.c, the config's keys into
 * struct wh_daemon_opts) with the store's sink, optional routes from other
 * stages on wh_daemon_server, wh_daemon_start, and wh_daemon_destroy
 * before the store closes, so no request is answered by a closed store.
 * In collector mode no store is opened at all: the sink is ing_forward's,
 * and the daemon's loop just waits for the stop signal while MHD's threads
 * do the work.  The mapping directory is, in order: sources_dir,
 * ./schemas/sources, $INQUEST_SCHEMAS/sources,
 * /usr/local/share/inquest/schemas/sources.  The access table (API tokens)
 * and the TLS certificate and key are loaded here too and live as long as
 * the server, which borrows them.  A reload (wh_daemon_reload) loads the
 * mapping files and tokens again and publishes them as the server's new
 * configuration version (wh_hooks_swap): the start's stay here until
 * wh_daemon_destroy, the reloaded ones are freed by their last request. */
#include "wh_daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "http.h"
#include "http_access.h"
#include "iq_event.h"
#include "iq_file.h"
#include "iq_log.h"
#include "iq_paths.h"
#include "wh_hooks.h"
#include "wh_record.h"
#include "wh_source.h"

struct wh_daemon {
    struct wh_sources *sources;
    struct http_access *access;
    struct wh_record *rec;
    struct http_server *http;
    struct wh_hooks *hooks;      /* borrowed: the server owns it */
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
static int sources_dir(const struct wh_daemon_opts *o, char *buf, size_t size)
{
    if (o->sources_dir && *o->sources_dir) {
        snprintf(buf, size, "%s", o->sources_dir);
        return 0;
    }
    return iq_schemas_find("sources", buf, size, NULL, 0) == 0 && is_dir(buf) ? 0 : -ENOENT;
}

size_t wh_daemon_open_sources(const struct wh_daemon *d, char *names, size_t size)
{
    return wh_open_sources(d->sources, d->access, names, size);
}

size_t wh_open_sources(const struct wh_sources *s, const struct http_access *a, char *names,
                       size_t size)
{
    bool writers = http_access_grants(a, HTTP_ROLE_WRITE);
    size_t used = 0, n = 0;

    names[0] = '\0';
    for (size_t i = 0; i < wh_sources_count(s); i++) {
        if (!wh_sources_enabled(s, i) || wh_sources_has_secret(s, i) ||
            (writers && wh_sources_canonical(s, i)))
            continue;
        n++;
        if (used < size)
            used += (size_t)snprintf(names + used, size - used, "%s%s", used ? ", " : "",
                                     wh_sources_name(s, i));
    }
    return n;
}

/* One warning naming the sources whose deliveries go unauthenticated. */
static void warn_open_sources(const struct wh_daemon *d)
{
    char names[1024];

    if (wh_daemon_open_sources(d, names, sizeof(names)))
        iq_warn("http", "no secret configured for %s: accepting their deliveries unauthenticated "
                "(set sources.NAME.secret in the config or INQUEST_NAME_SECRET, or leave them "
                "out with sources_enabled)", names);
}

/* Raise the soft open-file limit so that http_conn_limit connections fit
 * beside the store and the other sockets, as far as the hard limit
 * allows (Redis does the same for maxclients).  A plain-HTTP connection
 * takes three descriptors (the client and the relay's socketpair to
 * libmicrohttpd, http/http_relay.c). */
static void raise_fd_limit(unsigned conns)
{
    rlim_t want = (rlim_t)conns * 3 + 256;
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < want)
        iq_warn("http", "open-file limit is %llu: http_conn_limit %u may not be reached "
                "(raise it with ulimit -n or LimitNOFILE=)", (unsigned long long)rl.rlim_cur,
                conns);
}

void wh_daemon_destroy(struct wh_daemon **pd)
{
    struct wh_daemon *d = *pd;

    if (!d)
        return;
    http_server_destroy(&d->http);
    wh_record_close(&d->rec);
    wh_sources_destroy(&d->sources);
    http_access_destroy(&d->access);
    free(d->tls_cert);
    if (d->tls_key)
        memset(d->tls_key, 0, strlen(d->tls_key));
    free(d->tls_key);
    free(d);
    *pd = NULL;
}

/* Read the TLS certificate and key (both or neither). */
static int load_tls(const struct wh_daemon_opts *o, struct wh_daemon *d)
{
    const char *cert = o->tls_cert_file, *key = o->tls_key_file;
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

/* The mapping files of dir with their secrets and sources_enabled, and
 * the access table, as opts says.  0, or a negative errno with err. */
static int load_conf(const struct wh_daemon_opts *opts, const char *dir,
                     struct wh_sources **ret_s, struct http_access **ret_a, char *err,
                     size_t errsz)
{
    int r = wh_sources_load(dir, opts->sources, ret_s, err, errsz);

    if (r == 0 && opts->sources_enabled)
        r = wh_sources_enable(*ret_s, opts->sources_enabled, err, errsz);
    if (r == 0)
        r = http_access_load(opts->access, ret_a, err, errsz);
    if (r < 0) {
        wh_sources_destroy(ret_s);
        http_access_destroy(ret_a);
    }
    return r;
}

int wh_daemon_reload(struct wh_daemon *d, const struct wh_daemon_opts *opts, char *err,
                     size_t errsz)
{
    struct wh_sources *s = NULL;
    struct http_access *a = NULL;
    char dir[4096], names[1024];
    int r;

    if (!d)
        return 0;
    if ((r = sources_dir(opts, dir, sizeof(dir))) < 0) {
        snprintf(err, errsz, "config 'sources_dir': no source mapping directory (set "
                 "sources_dir, or INQUEST_SCHEMAS)");
        return r;
    }
    if ((r = load_conf(opts, dir, &s, &a, err, errsz)) < 0)
        return r;
    if (wh_open_sources(s, a, names, sizeof(names)))
        iq_warn("http", "no secret configured for %s: accepting their deliveries "
                "unauthenticated", names);
    if ((r = wh_hooks_swap(d->http, d->hooks, a, s)) < 0) {
        wh_sources_destroy(&s);
        http_access_destroy(&a);
        snprintf(err, errsz, "out of memory");
        return r;
    }
    iq_info("http", "reloaded: %zu sources, %zu API tokens", wh_sources_count(s),
            http_access_count(a));
    return 0;
}

int wh_daemon_new(const struct wh_daemon_opts *opts, struct ing_sink sink, struct wh_daemon **ret)
{
    struct http_server_opts o = opts->http;
    struct wh_daemon *d;
    char dir[4096], err[IQ_ERR_MAX + 256];
    int r;

    *ret = NULL;
    if (!o.listen || !strcmp(o.listen, "off") || !*o.listen)
        return 0;
    if ((r = http_server_opts_check(&o, err, sizeof(err))) < 0) {
        iq_error("http", "%s", err);
        return r;
    }
    raise_fd_limit(o.conn_limit);
    if ((r = sources_dir(opts, dir, sizeof(dir))) < 0) {
        iq_error("http", "no source mapping directory (set sources_dir, or INQUEST_SCHEMAS)");
        return r;
    }
    d = calloc(1, sizeof(*d));
    if (!d)
        return -ENOMEM;
    d->listen = o.listen;
    if ((r = load_conf(opts, dir, &d->sources, &d->access, err, sizeof(err))) < 0) {
        iq_error("http", "%s", err);
        goto out;
    }
    if ((r = load_tls(opts, d)) < 0)
        goto out;
    o.access = d->access;
    o.tls_cert = d->tls_cert;
    o.tls_key = d->tls_key;
    warn_open_sources(d);
    if (opts->record && (r = wh_record_open(opts->record, &d->rec)) < 0) {
        iq_error("http", "cannot open recording %s: %s", opts->record, strerror(-r));
        goto out;
    }
    r = wh_server_new(&o, d->sources, sink, d->rec, &d->http, &d->hooks);
out:
    if (r < 0) {
        wh_daemon_destroy(&d);
        return r;
    }
    *ret = d;
    return 0;
}

void wh_daemon_totals(const struct wh_daemon *d, struct wh_totals *ret)
{
    memset(ret, 0, sizeof(*ret));
    if (d && d->hooks)
        wh_hooks_totals(d->hooks, ret);
}

struct http_server *wh_daemon_server(struct wh_daemon *d)
{
    return d ? d->http : NULL;
}

const struct wh_sources *wh_daemon_sources(const struct wh_daemon *d)
{
    return d ? d->sources : NULL;
}

const struct http_access *wh_daemon_access(const struct wh_daemon *d)
{
    return d ? d->access : NULL;
}

bool wh_daemon_tls(const struct wh_daemon *d)
{
    return d && d->tls_cert;
}

unsigned wh_daemon_port(const struct wh_daemon *d)
{
    return d ? (unsigned)http_server_port(d->http) : 0;
}

int wh_daemon_url(const struct wh_daemon *d, char *buf, size_t size)
{
    const char *colon = d ? strrchr(d->listen, ':') : NULL;

    if (!colon || size == 0)
        return -EINVAL;
    if ((size_t)snprintf(buf, size, "%s://%.*s:%u", d->tls_cert ? "https" : "http",
                         (int)(colon - d->listen), d->listen, wh_daemon_port(d)) >= size)
        return -ENAMETOOLONG;
    return 0;
}

int wh_daemon_start(struct wh_daemon *d)
{
    char url[300];
    int r;

    if (!d)
        return 0;
    r = http_server_start(d->http);
    if (r < 0) {
        iq_error("http", "cannot listen on %s: %s", d->listen,
                 r == -EINVAL ? "expected HOST:PORT" :
                 r == -ENOTSUP ? "this libmicrohttpd has no TLS support" :
                 d->tls_cert ? "address in use or not available, or the TLS certificate or key "
                               "was refused (see above)" : "address in use or not available");
        return r;
    }
    if (wh_daemon_url(d, url, sizeof(url)) < 0)
        snprintf(url, sizeof(url), "%s", d->listen);
    iq_info_kv("http", IQ_KVS(IQ_KV_S("url", url), IQ_KV_U("sources", wh_sources_count(d->sources)),
                              IQ_KV_U("tokens", http_access_count(d->access))),
               "webhooks on %s, %zu sources%s, %zu API tokens", url,
               wh_sources_count(d->sources), d->rec ? ", recording deliveries" : "",
               http_access_count(d->access));
    return 0;
}

/* wh_daemon.h - the webhook plugin in inquestd: the mapping files, the
 * recorder, the access table, TLS and the HTTP server with the /hooks/
 * endpoints, wired to a sink (the local store, or in collector mode a
 * forwarder to a central ingest).  Other stages add their routes to the
 * server between wh_daemon_new and wh_daemon_start. */
#ifndef WH_DAEMON_H
#define WH_DAEMON_H

#include <stdbool.h>
#include <jansson.h>

#include "http.h"
#include "ing_sink.h"

struct wh_daemon;
struct wh_sources;
struct http_access;

/* What the daemon's configuration says of the HTTP side.  Everything is
 * borrowed and must outlive the wh_daemon. */
struct wh_daemon_opts {
    struct http_server_opts http;   /* listen ("off", "" or NULL: no server), limits,
                                       trusted proxies; access and TLS are set here */
    const char *sources_dir;        /* mapping files; NULL or "": the schemas tree's */
    const json_t *sources;          /* per-source secrets (wh_sources_load), or NULL */
    const char *sources_enabled;    /* serve only these sources, or NULL */
    const json_t *access;           /* API tokens (http_access_load), or NULL */
    const char *tls_cert_file;      /* PEM files: HTTPS; both or neither */
    const char *tls_key_file;
    const char *record;             /* append every delivery to this file, or NULL */
};

/* Load the mapping files (sources_dir or the default search), the access
 * table and the TLS files, open the recording and create the server on
 * http.listen.  o and sink->ctx are borrowed and must outlive the result.
 * *ret is NULL (and 0 returned) when there is no listener.  Errors are
 * logged.  Caller owns *ret.  Negative errno. */
int wh_daemon_new(const struct wh_daemon_opts *o, struct ing_sink sink, struct wh_daemon **ret);

/* The server, for http_add_route between wh_daemon_new and
 * wh_daemon_start.  Borrowed; NULL when d is NULL. */
struct http_server *wh_daemon_server(struct wh_daemon *d);

/* What the webhook endpoints took since start (wh_hooks.h); zeros when d
 * is NULL or serves nothing. */
struct wh_totals;
void wh_daemon_totals(const struct wh_daemon *d, struct wh_totals *ret);

/* The sources and access table loaded at start (borrowed, valid until
 * wh_daemon_destroy; NULL when d is NULL; a reload does not change
 * them), and whether it serves HTTPS. */
const struct wh_sources *wh_daemon_sources(const struct wh_daemon *d);
const struct http_access *wh_daemon_access(const struct wh_daemon *d);
bool wh_daemon_tls(const struct wh_daemon *d);

/* The enabled sources that accept deliveries without any credential (no
 * secret of their own, and for the canonical source no write token
 * either): their names, comma-separated, into names (truncated to size);
 * returns how many. */
size_t wh_daemon_open_sources(const struct wh_daemon *d, char *names, size_t size);

/* The same for sources s and access table a not (yet) served: for a
 * config check that loads them without a server. */
size_t wh_open_sources(const struct wh_sources *s, const struct http_access *a, char *names,
                       size_t size);

/* Load the mapping files, their secrets, sources_enabled and the access
 * table of opts again (o->http, TLS and record are not read: they need a
 * restart) and put them in use for the requests that arrive from now on;
 * requests in progress finish with the previous ones.  Any thread.  0
 * (also when d is NULL), or a negative errno with err naming the key;
 * then nothing changed. */
int wh_daemon_reload(struct wh_daemon *d, const struct wh_daemon_opts *opts, char *err,
                     size_t errsz);

/* Start listening.  NULL-safe (0).  Errors are logged. */
int wh_daemon_start(struct wh_daemon *d);

/* The port the server listens on once started (the kernel's choice when
 * the listen address asked for port 0); 0 when d is NULL or not started. */
unsigned wh_daemon_port(const struct wh_daemon *d);

/* The server's base URL once started, "http://HOST:PORT" (https with
 * TLS), with the bound port, into buf.  0, -EINVAL (d NULL) or
 * -ENAMETOOLONG. */
int wh_daemon_url(const struct wh_daemon *d, char *buf, size_t size);

/* Stop serving (in-flight requests finish), free, NULL *pd.  NULL-safe. */
void wh_daemon_destroy(struct wh_daemon **pd);

#endif

/* cli_daemon_http.h - inquestd's HTTP collectors: wiring of the mapping
 * files, the recorder and the HTTP server to a sink (the local store, or
 * in collector mode a forwarder to a central ingest). */
#ifndef CLI_DAEMON_HTTP_H
#define CLI_DAEMON_HTTP_H

#include <stdbool.h>

#include "ing_sink.h"

struct iqd_config;
struct iqd_http;
struct ing_http;
struct wh_sources;
struct ing_access;

/* Load the mapping files (cfg->sources_dir or the default search), open
 * the recording (cfg->record) and create the server on cfg->listen_http.
 * cfg and sink->ctx are borrowed and must outlive the result.  *ret is
 * NULL (and 0 returned) when listen_http is "off".  Errors are logged.
 * Caller owns *ret.  Negative errno. */
int iqd_http_new(const struct iqd_config *cfg, struct ing_sink sink, struct iqd_http **ret);

/* The server, for ing_http_add_route between iqd_http_new and
 * iqd_http_start.  Borrowed; NULL when d is NULL. */
struct ing_http *iqd_http_server(struct iqd_http *d);

/* The loaded sources and access table (borrowed, valid until
 * iqd_http_destroy; NULL when d is NULL), and whether it serves HTTPS. */
const struct wh_sources *iqd_http_sources(const struct iqd_http *d);
const struct ing_access *iqd_http_access(const struct iqd_http *d);
bool iqd_http_tls(const struct iqd_http *d);

/* The enabled sources that accept deliveries without any credential (no
 * secret of their own, and for the canonical source no write token
 * either): their names, comma-separated, into names (truncated to size);
 * returns how many. */
size_t iqd_http_open_sources(const struct iqd_http *d, char *names, size_t size);

/* Start listening.  NULL-safe (0).  Errors are logged. */
int iqd_http_start(struct iqd_http *d);

/* The port the server listens on once started (the kernel's choice when
 * listen_http asked for port 0); 0 when d is NULL or not started. */
unsigned iqd_http_port(const struct iqd_http *d);

/* The server's base URL once started, "http://HOST:PORT" (https with
 * TLS), with the bound port, into buf.  0, -EINVAL (d NULL) or
 * -ENAMETOOLONG. */
int iqd_http_url(const struct iqd_http *d, char *buf, size_t size);

/* Stop serving (in-flight requests finish), free, NULL *pd.  NULL-safe. */
void iqd_http_destroy(struct iqd_http **pd);

#endif

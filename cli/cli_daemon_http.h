/* cli_daemon_http.h - inquestd's HTTP side: its configuration keys into
 * the webhook plugin (ingest/in_webhook/wh_daemon.h), which holds the
 * server, the mapping files and the recorder. */
#ifndef CLI_DAEMON_HTTP_H
#define CLI_DAEMON_HTTP_H

#include "ing_sink.h"
#include "wh_daemon.h"

struct iqd_config;
struct iq_metrics;

/* wh_daemon_new with the keys of cfg (listen_http, the http_* limits,
 * sources_dir, sources, sources_enabled, access, tls_*_file, record).
 * cfg and sink->ctx are borrowed and must outlive the result.  *ret is
 * NULL (and 0 returned) when listen_http is "off".  GET /metrics renders
 * metrics (the daemon's registry, borrowed; may be NULL) first.  Errors
 * are logged.  Caller owns *ret (wh_daemon_destroy).  Negative errno. */
int iqd_http_new(const struct iqd_config *cfg, struct ing_sink sink, struct iq_metrics *metrics,
                 struct wh_daemon **ret);

/* The wh_daemon_opts of cfg's keys (all borrowed from cfg), for
 * wh_daemon_new and a reload's wh_daemon_reload. */
void iqd_http_opts(const struct iqd_config *cfg, struct iq_metrics *metrics,
                   struct wh_daemon_opts *ret);

#endif

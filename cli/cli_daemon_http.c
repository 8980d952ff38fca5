/* cli_daemon_http.c - inquestd's HTTP side: the daemon's configuration
 * keys handed to the webhook plugin (ingest/in_webhook/wh_daemon.c).
 *
 * Design notes.  Only the translation lives here: struct iqd_config is the
 * daemon's table (cli_daemon.c), and the plugin takes plain options, so
 * that neither knows the other's layout.  Durations in the table are
 * milliseconds; the idle timeout of libmicrohttpd is whole seconds,
 * rounded up.  A reserve of 0 turns the reserve off (-1 for the server,
 * whose 0 means its default). */
#include "cli_daemon_http.h"

#include "cli_daemon.h"

void iqd_http_opts(const struct iqd_config *cfg, struct iq_metrics *metrics,
                   struct wh_daemon_opts *ret)
{
    *ret = (struct wh_daemon_opts){
        .http = {
            .listen = cfg->listen_http, .max_body = cfg->max_body,
            .conn_limit = (unsigned)cfg->http_conn_limit,
            .per_ip_limit = (unsigned)cfg->http_per_ip_limit,
            .timeout_s = (unsigned)((cfg->http_timeout + 999) / 1000),
            .threads = (unsigned)cfg->http_threads,
            .header_timeout_ms = (uint64_t)cfg->http_header_timeout,
            .body_timeout_ms = (uint64_t)cfg->http_body_timeout,
            .conn_reserve_pct = cfg->http_conn_reserve ? (int)cfg->http_conn_reserve : -1,
            .max_headers = (unsigned)cfg->http_max_headers,
            .trusted_proxies = cfg->trusted_proxies,
            .metrics = metrics,
        },
        .sources_dir = cfg->sources_dir, .sources = cfg->sources,
        .sources_enabled = cfg->sources_enabled, .access = cfg->access,
        .tls_cert_file = cfg->tls_cert_file, .tls_key_file = cfg->tls_key_file,
        .record = cfg->record,
    };
}

int iqd_http_new(const struct iqd_config *cfg, struct ing_sink sink, struct iq_metrics *metrics,
                 struct wh_daemon **ret)
{
    struct wh_daemon_opts o;

    iqd_http_opts(cfg, metrics, &o);
    return wh_daemon_new(&o, sink, ret);
}

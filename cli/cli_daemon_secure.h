/* cli_daemon_secure.h - inquestd's secure defaults: a non-loopback
 * listener needs API tokens and source secrets, unless --insecure. */
#ifndef CLI_DAEMON_SECURE_H
#define CLI_DAEMON_SECURE_H

struct iqd_config;
struct wh_daemon;

/* Check what cfg exposes beyond loopback: the HTTP listener (http, NULL
 * when off) and the ZeroMQ ingest.  0 when everything exposed is
 * authenticated, or with cfg->insecure (each gap logged as a warning);
 * -EACCES otherwise, each missing piece logged as an error naming the
 * setting that fixes it. */
int iqd_check_exposure(const struct iqd_config *cfg, const struct wh_daemon *http);

#endif

/* cli_daemon_secure.h - inquestd's secure defaults: a non-loopback
 * listener needs API tokens and source secrets, unless --insecure. */
#ifndef CLI_DAEMON_SECURE_H
#define CLI_DAEMON_SECURE_H

struct iqd_config;
struct wh_daemon;
struct http_access;
struct wh_sources;

/* Check what cfg exposes beyond loopback: the HTTP listener (http, NULL
 * when off) and the ZeroMQ ingest.  0 when everything exposed is
 * authenticated, or with cfg->insecure (each gap logged as a warning);
 * -EACCES otherwise, each missing piece logged as an error naming the
 * setting that fixes it. */
int iqd_check_exposure(const struct iqd_config *cfg, const struct wh_daemon *http);

/* The same questions for an access table and sources loaded without a
 * server (src NULL: no HTTP listener): report(ud, msg) for each gap,
 * nothing logged.  Returns how many. */
int iqd_exposure_problems(const struct iqd_config *cfg, const struct http_access *access,
                          const struct wh_sources *src, void (*report)(void *ud, const char *msg),
                          void *ud);

#endif

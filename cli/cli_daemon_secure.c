/* cli_daemon_secure.c - inquestd's secure defaults: refuse to start on a
 * non-loopback address unless every door there has a lock.
 *
 * inquestd holds chat transcripts, names and timelines, and its audit
 * notes rewrite incidents, so the quick start (no tokens, no secrets) is
 * only allowed where nobody else can connect: loopback HTTP and ZeroMQ
 * endpoints (127.0.0.0/8, ::1, ipc://).  On any other address the daemon
 * checks, before it opens a socket:
 *   - HTTP: the API has at least one token (access.tokens or the
 *     INQUEST_*_TOKEN variables; not needed in collector mode, which serves
 *     no API), and every enabled webhook source has a secret of its own
 *     (the canonical source: or write tokens);
 *   - ZeroMQ: CurveZMQ is configured (zmq_curve_key and
 *     zmq_authorized_keys); without it a non-loopback listen_zmq is refused.
 * Each missing piece is named in one error line with the key that fixes
 * it.  --insecure starts anyway and logs every missing piece as a warning
 * saying that anyone who reaches the port can read or write. */
#include "cli_daemon_secure.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli_daemon.h"
#include "cli_daemon_http.h"
#include "http_access.h"
#include "iq_log.h"

#define PROBLEMS_MAX 3

struct problems {
    char text[PROBLEMS_MAX][1200];
    int n;
};

static void add(struct problems *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct problems *p, const char *fmt, ...)
{
    va_list ap;

    if (p->n == PROBLEMS_MAX)
        return;
    va_start(ap, fmt);
    vsnprintf(p->text[p->n++], sizeof(p->text[0]), fmt, ap);
    va_end(ap);
}

static void check_http(const struct iqd_config *cfg, const struct http_access *access,
                       const struct wh_sources *src, struct problems *p)
{
    char names[1024];

    if (!src || http_access_listen_is_loopback(cfg->listen_http))
        return;
    if (!cfg->collector && http_access_count(access) == 0)
        add(p, "the HTTP API on %s has no token: anyone who reaches it reads every incident "
            "(set access.tokens, or INQUEST_READ_TOKEN and INQUEST_ADMIN_TOKEN)",
            cfg->listen_http);
    if (wh_open_sources(src, access, names, sizeof(names)))
        add(p, "webhook sources without a secret on %s: %s (set sources.NAME.secret or "
            "INQUEST_NAME_SECRET, INQUEST_WRITE_TOKEN for events, or serve only the sources you "
            "use with sources_enabled)", cfg->listen_http, names);
}

static void check_zmq(const struct iqd_config *cfg, struct problems *p)
{
    if (cfg->collector || http_access_zmq_is_loopback(cfg->listen_zmq) ||
        (cfg->zmq_curve_key && cfg->zmq_authorized_keys))
        return;
    add(p, "ZeroMQ ingest on %s accepts events from any sender: configure CurveZMQ "
        "(zmq_curve_key and zmq_authorized_keys, keys from 'inquest keygen'), or listen on "
        "loopback (tcp://127.0.0.1:PORT) or an ipc:// path", cfg->listen_zmq);
}

int iqd_exposure_problems(const struct iqd_config *cfg, const struct http_access *access,
                          const struct wh_sources *src, void (*report)(void *ud, const char *msg),
                          void *ud)
{
    struct problems p = { .n = 0 };

    check_http(cfg, access, src, &p);
    check_zmq(cfg, &p);
    for (int i = 0; i < p.n; i++)
        report(ud, p.text[i]);
    return p.n;
}

int iqd_check_exposure(const struct iqd_config *cfg, const struct wh_daemon *http)
{
    struct problems p = { .n = 0 };

    check_http(cfg, wh_daemon_access(http), wh_daemon_sources(http), &p);
    check_zmq(cfg, &p);
    if (p.n == 0)
        return 0;
    for (int i = 0; i < p.n; i++) {
        if (cfg->insecure)
            iq_warn("daemon", "INSECURE (--insecure): %s", p.text[i]);
        else
            iq_error("daemon", "refusing to start: %s", p.text[i]);
    }
    if (cfg->insecure) {
        iq_warn("daemon", "INSECURE (--insecure): inquestd is serving non-loopback addresses "
                "without authentication; anyone who can reach them can read and write");
        return 0;
    }
    iq_error("daemon", "fix the above, listen on 127.0.0.1 only, or pass --insecure to start "
             "anyway (docs/security.md)");
    return -EACCES;
}

/* cli_daemon_check.c - inquestd --check-config: each section checked by
 * the code of the stage that reads it, nothing started.
 *
 * Every stage already refuses a bad section at start with a message that
 * names the key ("config 'correlate.quiet_period': ..."); here each is
 * asked the same question without starting (a mapping directory loaded
 * and freed, a config struct filled and released, a template compiled
 * and dropped), so --check-config accepts exactly what a start accepts.
 * iqd_problem puts the config file and the line of that key in front
 * (iq_conf_file_where), or the line of the section when the message names
 * no key (a mapping file's own error, say).  Unlike a start, which stops
 * at the first refusal, every section is checked and every problem
 * listed.  The secure defaults (cli_daemon_secure.c: what a non-loopback
 * listener exposes without tokens or secrets) are judged on the sources
 * and tokens loaded here, unless insecure is set. */
#include "cli_daemon_check.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_classes.h"
#include "cli_daemon.h"
#include "cli_daemon_secure.h"
#include "cor_config.h"
#include "cor_retention.h"
#include "http_access.h"
#include "ing_curve.h"
#include "ing_keyring.h"
#include "iq_conf.h"
#include "iq_event.h"
#include "iq_file.h"
#include "iq_paths.h"
#include "rnd_watch.h"
#include "tail_daemon.h"
#include "wh_source.h"

#define PEM_MAX (1024 * 1024)

void iqd_problem(struct iqd_problems *p, const char *msg, const char *fallback)
{
    char out[IQ_CONF_MSG_MAX + 256];

    iq_conf_file_where(p->file, msg, fallback, out, sizeof(out));
    p->n++;
    p->emit(p->ud, out);
}

void iqd_problem_stderr(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "inquestd: %s\n", msg);
}

/* A checker's refusal: its message (prefixed when it names no key), or
 * out of memory. */
static void failed(struct iqd_problems *p, int r, const char *err, const char *section)
{
    char msg[IQ_CONF_MSG_MAX];

    if (r == -ENOMEM)
        snprintf(msg, sizeof(msg), "config '%s': out of memory", section);
    else if (strncmp(err, "config ", 7) == 0)
        snprintf(msg, sizeof(msg), "%s", err);
    else
        snprintf(msg, sizeof(msg), "config '%s': %s", section, err);
    iqd_problem(p, msg, section);
}

static bool http_on(const struct iqd_config *cfg)
{
    return cfg->listen_http && *cfg->listen_http && strcmp(cfg->listen_http, "off") != 0;
}

/* The webhook mapping files with their secrets, sources_enabled and the
 * API tokens, as the webhooks stage loads them, into *s and *a (NULL
 * where they could not be loaded). */
static void check_http(const struct iqd_config *cfg, struct wh_sources **ps,
                       struct http_access **pa, struct iqd_problems *p)
{
    char dir[4096], err[IQ_CONF_MSG_MAX];
    struct wh_sources *s = NULL;
    int r;

    if (cfg->sources_dir && *cfg->sources_dir) {
        snprintf(dir, sizeof(dir), "%s", cfg->sources_dir);
    } else if (iq_schemas_find("sources", dir, sizeof(dir), NULL, 0) < 0) {
        iqd_problem(p, "config 'sources_dir': no source mapping directory (set sources_dir, or "
                    "INQUEST_SCHEMAS)", NULL);
        dir[0] = '\0';
    }
    if (dir[0] && (r = wh_sources_load(dir, cfg->sources, &s, err, sizeof(err))) < 0)
        failed(p, r, err, "sources");
    else if (s && cfg->sources_enabled &&
             (r = wh_sources_enable(s, cfg->sources_enabled, err, sizeof(err))) < 0)
        failed(p, r, err, "sources_enabled");
    *ps = s;
    if (!cfg->collector && (r = http_access_load(cfg->access, pa, err, sizeof(err))) < 0)
        failed(p, r, err, "access");
}

static void exposure_report(void *ud, const char *msg)
{
    iqd_problem(ud, msg, "listen_http");
}

/* Two keys that go together: both or neither. */
static bool pair(struct iqd_problems *p, const char *ka, const char *va, const char *kb,
                 const char *vb)
{
    char msg[IQ_CONF_MSG_MAX];

    if (!va == !vb)
        return va != NULL;
    snprintf(msg, sizeof(msg), "config '%s': needs '%s' too", va ? ka : kb, va ? kb : ka);
    iqd_problem(p, msg, NULL);
    return false;
}

static void check_file(struct iqd_problems *p, const char *key, const char *path)
{
    char msg[IQ_CONF_MSG_MAX], err[IQ_ERR_MAX], *text = NULL;
    size_t n = 0;

    if (iq_file_read(path, PEM_MAX, &text, &n, err, sizeof(err)) < 0) {
        snprintf(msg, sizeof(msg), "config '%s': %s", key, err);
        iqd_problem(p, msg, NULL);
    }
    if (text)
        memset(text, 0, n);
    free(text);
}

/* The key files a start reads: TLS, and CurveZMQ for the ingest or, in
 * collector mode, for forwarding. */
static void check_keys(const struct iqd_config *cfg, struct iqd_problems *p)
{
    char pub[ING_Z85_KEY_LEN + 1], sec[ING_Z85_KEY_LEN + 1], err[IQ_ERR_MAX];
    char msg[IQ_CONF_MSG_MAX];
    struct ing_keyring *kr = NULL;
    struct ing_curve_client cc;

    if (pair(p, "tls_cert_file", cfg->tls_cert_file, "tls_key_file", cfg->tls_key_file)) {
        check_file(p, "tls_cert_file", cfg->tls_cert_file);
        check_file(p, "tls_key_file", cfg->tls_key_file);
    }
    if (!cfg->collector && pair(p, "zmq_curve_key", cfg->zmq_curve_key, "zmq_authorized_keys",
                                cfg->zmq_authorized_keys)) {
        if (ing_curve_read_pair(cfg->zmq_curve_key, pub, sec, err, sizeof(err)) < 0 ||
            ing_keyring_load(cfg->zmq_authorized_keys, &kr, err, sizeof(err)) < 0) {
            snprintf(msg, sizeof(msg), "config 'zmq_curve_key': CurveZMQ: %s", err);
            iqd_problem(p, msg, NULL);
        }
        ing_keyring_destroy(&kr);
        memset(sec, 0, sizeof(sec));
    }
    if (cfg->collector && pair(p, "zmq_key", cfg->zmq_key, "zmq_server_key",
                               cfg->zmq_server_key) &&
        ing_curve_client_load(cfg->zmq_key, cfg->zmq_server_key, &cc, err, sizeof(err)) < 0) {
        snprintf(msg, sizeof(msg), "config 'zmq_key': CurveZMQ: %s", err);
        iqd_problem(p, msg, NULL);
    }
    memset(&cc, 0, sizeof(cc));
}

/* The sections of the central daemon's stages. */
static void check_sections(const struct iqd_config *cfg, struct iqd_problems *p)
{
    struct cor_config cc;
    struct cor_retention_config rc;
    struct ana_classes *classes = NULL;
    char err[IQ_CONF_MSG_MAX];
    int r;

    cor_config_init(&cc);
    if (cfg->correlate && !json_is_null(cfg->correlate) &&
        (r = cor_config_apply(&cc, cfg->correlate, err, sizeof(err))) < 0)
        failed(p, r, err, "correlate");
    cor_config_release(&cc);
    if ((r = rnd_watch_check(cfg->drafts, err, sizeof(err))) < 0)
        failed(p, r, err, "drafts");
    if ((r = ana_classes_load(NULL, cfg->classes, &classes, err, sizeof(err))) < 0)
        failed(p, r, err, "classes");
    ana_classes_destroy(&classes);
    if ((r = tail_daemon_check(cfg->logs, cfg->data, err, sizeof(err))) < 0)
        failed(p, r, err, "logs");
    if ((r = cor_retention_config_load(cfg->retention, &rc, err, sizeof(err))) < 0)
        failed(p, r, err, "retention");
}

int iqd_check(const struct iqd_config *cfg, struct iqd_problems *p)
{
    struct wh_sources *s = NULL;
    struct http_access *a = NULL;
    int before = p->n, loaded;

    if (cfg->collector && !cfg->forward)
        iqd_problem(p, "config 'collector': collector mode needs 'forward' (the central "
                    "ingest, tcp://HOST:PORT)", NULL);
    if (cfg->collector && !http_on(cfg))
        iqd_problem(p, "config 'listen_http': collector mode needs an HTTP listener", NULL);
    check_keys(cfg, p);
    if (http_on(cfg))
        check_http(cfg, &s, &a, p);
    loaded = p->n == before;         /* exposure is judged on what loaded */
    if (loaded && !cfg->insecure)
        iqd_exposure_problems(cfg, a, s, exposure_report, p);
    wh_sources_destroy(&s);
    http_access_destroy(&a);
    if (!cfg->collector)
        check_sections(cfg, p);
    return p->n - before;
}

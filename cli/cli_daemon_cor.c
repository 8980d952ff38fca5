/* cli_daemon_cor.c - wiring of the correlator into inquestd.
 *
 * Reads the "correlate" section of the daemon's config through the
 * correlator's own table (correlate/cor_config.c), starts cor_live on the
 * store (a full catch-up rebuild, then an update shortly after every stored
 * batch) and serves the incidents over HTTP:
 *   GET /api/v1/incidents       JSON array of every incident, opening order
 *   GET /api/v1/incidents/ID    one incident (schemas/incident.schema.json),
 *                               404 with {"error": ...} when unknown
 *   POST /api/v1/incidents/ID/notes  an audit note from an admin token
 *                               (cli_daemon_notes.c)
 *   GET /api/v1/unattached      JSON array of the evidence that could belong
 *                               to several open incidents and joined none
 * The handlers read the store directly (RocksDB is thread-safe) and take
 * the store as their context, so they do not depend on this stage's
 * lifetime. */
#include "cli_daemon_cor.h"
#include "cli_daemon_notes.h"
#include "cli_daemon_rnd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli_daemon.h"
#include "cor_config.h"
#include "cor_incident.h"
#include "cor_live.h"
#include "cor_unattached.h"
#include "ing_http.h"
#include "ing_store.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"
#include "rnd_external.h"
#include "rnd_people.h"

#define COR_DEBOUNCE_MS 50
#define API_PREFIX "/api/v1/incidents"
#define API_UNATTACHED "/api/v1/unattached"

struct iqd_cor {
    struct cor_config cfg;
    struct cor_live *live;
    struct ing_store *st;     /* borrowed */
    json_t *people;           /* drafts.slack_users, or NULL */
    json_t *external_links;   /* drafts.external_links, or NULL */
};

/* GET /api/v1/incidents[?since=T] (unattached false) or
 * GET /api/v1/unattached[?since=T]: T is RFC 3339 or "-2h" style. */
static int list_incidents(struct ing_store *st, const char *query, bool unattached,
                          struct ing_http_response *resp)
{
    int64_t since = IQ_TIME_NONE;
    char v[64];
    json_t *j = NULL;
    int r = ing_http_query_get(query, "since", v, sizeof(v));

    if (r > 0 && iq_time_parse_arg(v, &since) < 0)
        r = -EINVAL;
    if (r < 0)
        return ing_http_reply_json(resp, 400, json_pack("{s:s}", "error",
                                   "bad query: since=RFC 3339 time or -DURATION"));
    r = unattached ? cor_unattached_list(st, since, &j) : cor_incident_list(st, since, &j);
    return r < 0 ? r : ing_http_reply_json(resp, 200, j);
}

static int api_unattached(void *ud, const struct ing_http_request *rq,
                          struct ing_http_response *resp)
{
    struct iqd_cor *c = ud;
    const char *rest = rq->path + strlen(API_UNATTACHED);

    if (*rest != '\0' && strcmp(rest, "/") != 0)
        return ing_http_reply_json(resp, 404, json_pack("{s:s}", "error", "not found"));
    return list_incidents(c->st, rq->query, true, resp);
}

static int api_incidents(void *ud, const struct ing_http_request *rq,
                         struct ing_http_response *resp)
{
    struct iqd_cor *c = ud;
    struct ing_store *st = c->st;
    const char *rest = rq->path + strlen(API_PREFIX);
    json_t *j = NULL;
    int r;

    if (*rest == '\0' || strcmp(rest, "/") == 0)
        return list_incidents(st, rq->query, false, resp);
    if (rest[0] == '/' && strstr(rest + 1, "/draft."))
        return iqd_drafts_http_get(st, c->people, c->external_links, rq, resp);
    if (rest[0] != '/' || strchr(rest + 1, '/'))
        return ing_http_reply_json(resp, 404, json_pack("{s:s}", "error", "not found"));
    r = cor_incident_load(st, rest + 1, &j);
    if (r == -ENOENT)
        return ing_http_reply_json(resp, 404, json_pack("{s:s}", "error", "no such incident"));
    return r < 0 ? r : ing_http_reply_json(resp, 200, j);
}

int iqd_cor_start(const struct iqd_config *cfg, struct ing_store *st, struct ing_http *http,
                  struct iqd_cor **ret)
{
    struct iqd_cor *c = calloc(1, sizeof(*c));
    char err[IQ_ERR_MAX];
    int r = -ENOMEM;

    if (!c)
        goto fail;
    c->st = st;
    cor_config_init(&c->cfg);
    /* checked by iqd_drafts_start, which refuses the configuration */
    if (rnd_people_check_map(json_object_get(cfg->drafts, "slack_users"), err, sizeof(err)) == 0)
        c->people = json_incref(json_object_get(cfg->drafts, "slack_users"));
    if (rnd_external_check(json_object_get(cfg->drafts, "external_links"), err, sizeof(err)) == 0)
        c->external_links = json_incref(json_object_get(cfg->drafts, "external_links"));
    if (cfg->correlate && (r = cor_config_apply(&c->cfg, cfg->correlate, err, sizeof(err))) < 0) {
        iq_error("correlate", "%s", err);
        goto fail;
    }
    if (http && ((r = ing_http_add_route(http, API_PREFIX, api_incidents, c)) < 0 ||
                 (r = ing_http_add_route(http, API_UNATTACHED, api_unattached, c)) < 0 ||
                 (r = iqd_notes_add_route(http, c->st)) < 0)) {
        iq_error("correlate", "cannot register %s: %s", API_PREFIX, strerror(-r));
        goto fail;
    }
    if ((r = cor_live_new(st, &c->cfg, COR_DEBOUNCE_MS, &c->live)) < 0 ||
        (r = cor_live_start(c->live)) < 0) {
        iq_error("correlate", "cannot start the correlator: %s", strerror(-r));
        goto fail;
    }
    iq_info("correlate", "correlator started (quiet period %llds, look-back %llds)",
            (long long)(c->cfg.quiet_ms / 1000), (long long)(c->cfg.lookback_ms / 1000));
    *ret = c;
    return 0;
fail:
    iqd_cor_stop(&c);
    return r;
}

struct cor_live *iqd_cor_live(struct iqd_cor *c)
{
    return c ? c->live : NULL;
}

void iqd_cor_stop(struct iqd_cor **pc)
{
    struct cor_live_stats s;

    if (!pc || !*pc)
        return;
    if ((*pc)->live) {
        cor_live_stats((*pc)->live, &s);
        cor_live_destroy(&(*pc)->live);
        iq_info_kv("correlate", IQ_KVS(IQ_KV_U("events", s.events), IQ_KV_U("partial", s.partial),
                                       IQ_KV_U("full", s.full), IQ_KV_U("failed", s.failures)),
                   "stopped: %llu events, %llu partial and %llu full rebuilds, %llu failed",
                   (unsigned long long)s.events, (unsigned long long)s.partial,
                   (unsigned long long)s.full, (unsigned long long)s.failures);
    }
    cor_config_release(&(*pc)->cfg);
    json_decref((*pc)->people);
    json_decref((*pc)->external_links);
    free(*pc);
    *pc = NULL;
}

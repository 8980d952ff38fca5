/* cor_api.c - the incidents over inquestd's HTTP API: the list, one
 * incident, the unattached evidence, and the hand-off of sub-resources
 * (a draft) to the stage that serves them.
 *
 *   GET /api/v1/incidents       JSON array of every incident, opening order
 *   GET /api/v1/incidents/ID    one incident (schemas/incident.schema.json),
 *                               404 with {"error": ...} when unknown
 *   GET /api/v1/incidents/ID/...INFIX...  a sub-resource's handler
 *                               (cor_api_add_sub; render/ adds "/draft.")
 *   GET /api/v1/unattached      JSON array of the evidence that could belong
 *                               to several open incidents and joined none
 * Both lists take ?since=T (RFC 3339 or "-2h" style).  The handlers read
 * the store directly (RocksDB is thread-safe) and run on the HTTP
 * server's threads; their context is the cor_api, which owns nothing but
 * the sub-resource table and does not depend on the correlator's thread,
 * so the API answers from the stored incidents even while a rebuild runs.
 * Sub-resources are a table filled before the server starts and only read
 * afterwards: the correlator needs no knowledge of the stages above it. */
#include "cor_api.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cor_incident.h"
#include "cor_unattached.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

#define API_PREFIX "/api/v1/incidents"
#define API_UNATTACHED "/api/v1/unattached"

struct sub {
    char infix[32];
    ing_http_handler fn;
    void *ud;
};

struct cor_api {
    struct ing_store *st;     /* borrowed */
    struct sub subs[COR_API_SUBS_MAX];
    size_t n_subs;
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
    struct cor_api *a = ud;
    const char *rest = rq->path + strlen(API_UNATTACHED);

    if (*rest != '\0' && strcmp(rest, "/") != 0)
        return ing_http_reply_json(resp, 404, json_pack("{s:s}", "error", "not found"));
    return list_incidents(a->st, rq->query, true, resp);
}

static int api_incidents(void *ud, const struct ing_http_request *rq,
                         struct ing_http_response *resp)
{
    struct cor_api *a = ud;
    const char *rest = rq->path + strlen(API_PREFIX);
    json_t *j = NULL;
    int r;

    if (*rest == '\0' || strcmp(rest, "/") == 0)
        return list_incidents(a->st, rq->query, false, resp);
    for (size_t i = 0; rest[0] == '/' && i < a->n_subs; i++)
        if (strstr(rest + 1, a->subs[i].infix))
            return a->subs[i].fn(a->subs[i].ud, rq, resp);
    if (rest[0] != '/' || strchr(rest + 1, '/'))
        return ing_http_reply_json(resp, 404, json_pack("{s:s}", "error", "not found"));
    r = cor_incident_load(a->st, rest + 1, &j);
    if (r == -ENOENT)
        return ing_http_reply_json(resp, 404, json_pack("{s:s}", "error", "no such incident"));
    return r < 0 ? r : ing_http_reply_json(resp, 200, j);
}

int cor_api_add(struct ing_http *http, struct ing_store *st, struct cor_api **ret)
{
    struct cor_api *a = calloc(1, sizeof(*a));
    int r = -ENOMEM;

    if (!a)
        goto fail;
    a->st = st;
    if ((r = ing_http_add_route(http, API_PREFIX, api_incidents, a)) < 0 ||
        (r = ing_http_add_route(http, API_UNATTACHED, api_unattached, a)) < 0)
        goto fail;
    *ret = a;
    return 0;
fail:
    iq_error("correlate", "cannot register %s: %s", API_PREFIX, strerror(-r));
    cor_api_free(&a);
    return r;
}

int cor_api_add_sub(struct cor_api *api, const char *infix, ing_http_handler fn, void *ud)
{
    struct sub *s;

    if (!*infix)
        return -EINVAL;
    if (api->n_subs == COR_API_SUBS_MAX || strlen(infix) >= sizeof(s->infix))
        return -E2BIG;
    s = &api->subs[api->n_subs++];
    memcpy(s->infix, infix, strlen(infix) + 1);
    s->fn = fn;
    s->ud = ud;
    return 0;
}

void cor_api_free(struct cor_api **pa)
{
    if (!pa || !*pa)
        return;
    free(*pa);
    *pa = NULL;
}

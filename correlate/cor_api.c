/* cor_api.c - the incidents over inquestd's HTTP API: the list, one
 * incident, the unattached evidence, audit notes, and the hand-off of
 * sub-resources (a draft) to the stage that serves them.
 *
 *   GET /api/v1/incidents       JSON array of every incident, opening order
 *   GET /api/v1/incidents/ID    one incident (schemas/incident.schema.json),
 *                               404 with {"error": ...} when unknown
 *   GET /api/v1/incidents/ID/...INFIX...  a sub-resource's handler
 *                               (cor_api_add_sub; render/ adds "/draft.")
 *   GET /api/v1/unattached      JSON array of the evidence that could belong
 *                               to several open incidents and joined none
 *   POST /api/v1/incidents/ID/notes  an audit note from an admin token
 *   GET /api/v1/events          the stored events, NDJSON (cor_api_events.c)
 * Both lists take ?since=T (RFC 3339 or "-2h" style).  The handlers read
 * the store directly (RocksDB is thread-safe) and run on the HTTP
 * server's threads; their context is the cor_api, which owns nothing but
 * the sub-resource table and does not depend on the correlator's thread,
 * so the API answers from the stored incidents even while a rebuild runs.
 * Sub-resources are a table filled before the server starts and only read
 * afterwards: the correlator needs no knowledge of the stages above it.
 *
 * Audit notes: the only HTTP path that creates events of the audit-note
 * source.  The access table (http/http_access.c) already required an
 * admin token before the body was read; the handler checks the role
 * again, so a change of rules cannot open it by accident.  The body is a
 * note request (cor_note.h); the incident named in the path, and for a
 * merge the other one, must exist in the store (404 otherwise); for an
 * attach the event must exist (404) and be attachable
 * (cor_note_check_attach, 400).  The note is built by the same code as the
 * CLI's, from the action tables the daemon passed (the correlator's and
 * analyze's class note), labelled "by" with the token's name, and stored
 * through the store's sink like any event, so the correlator applies it
 * within a second and a rebuild replays it.  Answers:
 *   201 {"status": "ok", "note": ID, "incident": ID, "by": NAME}
 *   400 bad JSON or request (the reason), 403 not admin, 404 unknown
 *   incident or event, 503 the store could not make it durable (retry). */
#include "cor_api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_incident.h"
#include "cor_note.h"
#include "cor_unattached.h"
#include "http_access.h"
#include "ing_sink.h"
#include "store.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"

#define API_PREFIX "/api/v1/incidents"
#define API_UNATTACHED "/api/v1/unattached"
#define NOTES_PREFIX "/api/v1/incidents/"
#define NOTES_SUFFIX "/notes"
#define ID_MAX 128

struct sub {
    char infix[32];
    http_handler_fn fn;
    void *ud;
};

struct cor_api {
    struct store *st;     /* borrowed */
    const struct cor_note_action *const *notes;   /* borrowed */
    struct sub subs[COR_API_SUBS_MAX];
    size_t n_subs;
};

/* GET /api/v1/incidents[?since=T] (unattached false) or
 * GET /api/v1/unattached[?since=T]: T is RFC 3339 or "-2h" style. */
static int list_incidents(struct store *st, const char *query, bool unattached,
                          struct http_response *resp)
{
    int64_t since = IQ_TIME_NONE;
    char v[64];
    json_t *j = NULL;
    int r = http_query_get(query, "since", v, sizeof(v));

    if (r > 0 && iq_time_parse_arg(v, &since) < 0)
        r = -EINVAL;
    if (r < 0)
        return http_reply_json(resp, 400, json_pack("{s:s}", "error",
                                   "bad query: since=RFC 3339 time or -DURATION"));
    r = unattached ? cor_unattached_list(st, since, &j) : cor_incident_list(st, since, &j);
    return r < 0 ? r : http_reply_json(resp, 200, j);
}

static int api_unattached(void *ud, const struct http_request *rq,
                          struct http_response *resp)
{
    struct cor_api *a = ud;
    const char *rest = rq->path + strlen(API_UNATTACHED);

    if (*rest != '\0' && strcmp(rest, "/") != 0)
        return http_reply_json(resp, 404, json_pack("{s:s}", "error", "not found"));
    return list_incidents(a->st, rq->query, true, resp);
}

static int api_incidents(void *ud, const struct http_request *rq,
                         struct http_response *resp)
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
        return http_reply_json(resp, 404, json_pack("{s:s}", "error", "not found"));
    r = cor_incident_load(a->st, rest + 1, &j);
    if (r == -ENOENT)
        return http_reply_json(resp, 404, json_pack("{s:s}", "error", "no such incident"));
    return r < 0 ? r : http_reply_json(resp, 200, j);
}

static int reply_error(struct http_response *resp, int status, const char *msg)
{
    return http_reply_json(resp, status, json_pack("{s:s,s:i}", "error", msg,
                                                       "status", status));
}

/* The incident id of path into buf, or -ENOENT when path is not
 * /api/v1/incidents/ID/notes with a plausible ID. */
static int path_id(const char *path, char *buf, size_t size)
{
    const char *id = path + strlen(NOTES_PREFIX), *slash;
    size_t n;

    if (strncmp(path, NOTES_PREFIX, strlen(NOTES_PREFIX)) != 0 || !(slash = strchr(id, '/')) ||
        strcmp(slash, NOTES_SUFFIX) != 0)
        return -ENOENT;
    n = (size_t)(slash - id);
    if (n == 0 || n > ID_MAX || n >= size)
        return -ENOENT;
    memcpy(buf, id, n);
    buf[n] = '\0';
    return 0;
}

/* 0 when incident id exists, else an answer is filled (404 or the error). */
static int exists(struct store *st, const char *id, struct http_response *resp, int *ret)
{
    json_t *inc = NULL;
    char msg[200];
    int r = cor_incident_load(st, id, &inc);

    json_decref(inc);
    if (r == 0)
        return 0;
    snprintf(msg, sizeof(msg), "no incident \"%.64s\"", id);
    *ret = r == -ENOENT ? reply_error(resp, 404, msg) : r;
    return -1;
}

/* 0 when the attach of req (if it is one) may go ahead, else an answer is
 * filled: 404 unknown event, 400 refused with the reason. */
static int attachable(struct store *st, const char *id, const json_t *req,
                      struct http_response *resp, int *ret)
{
    const char *action = json_string_value(json_object_get(req, "action"));
    const char *event = json_string_value(json_object_get(req, "event"));
    char err[IQ_ERR_MAX];
    int r;

    if (!action || strcmp(action, "attach") != 0 || !event)
        return 0;
    r = cor_note_check_attach(st, id, event, err, sizeof(err));
    if (r == 0)
        return 0;
    *ret = r == -ENOENT ? reply_error(resp, 404, err) : r == -EINVAL ? reply_error(resp, 400, err)
                                                                     : r;
    return -1;
}

/* Store ev and fill the answer. */
static int store(struct store *st, struct iq_event *ev, const char *by,
                 struct http_response *resp)
{
    struct ing_sink sink = ing_sink_store(st);
    uint8_t out = STORE_REJECTED;
    int r = ing_sink_submit(&sink, &ev, 1, &out);

    if (r < 0)
        return reply_error(resp, 503, "the note could not be made durable; retry");
    if (out == STORE_REJECTED)
        return reply_error(resp, 400, "the note was rejected by the store");
    iq_info("api", "audit note %s (%s on %s) by %s", iq_ev_id(ev), iq_ev_action(ev),
            iq_event_label(ev, "incident"), by);
    return http_reply_json(resp, 201, json_pack("{s:s,s:s,s:s,s:s}", "status", "ok",
                                                    "note", iq_ev_id(ev), "incident",
                                                    iq_event_label(ev, "incident"), "by", by));
}

/* POST /api/v1/incidents/ID/notes (an http_handler_fn; ud the cor_api). */
static int api_notes(void *ud, const struct http_request *rq,
                     struct http_response *resp)
{
    const struct cor_api *a = ud;
    struct store *st = a->st;
    struct iq_event *ev = NULL;
    char id[ID_MAX + 1], err[IQ_ERR_MAX];
    const char *other;
    json_error_t je;
    json_t *req = NULL;
    int r = 0;

    if (path_id(rq->path, id, sizeof(id)) < 0)
        return reply_error(resp, 404, "not found: POST /api/v1/incidents/ID/notes");
    if (!(rq->caller->roles & HTTP_ROLE_ADMIN))
        return reply_error(resp, 403, "audit notes need an admin token");
    req = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(req)) {
        snprintf(err, sizeof(err), "body: %s", req ? "expected a JSON object" : je.text);
        r = reply_error(resp, 400, err);
        goto out;
    }
    other = json_string_value(json_object_get(req, "other"));
    if (exists(st, id, resp, &r) < 0 || (other && exists(st, other, resp, &r) < 0))
        goto out;
    if (cor_note_build(a->notes, id, req, rq->caller->name, &ev, err, sizeof(err)) < 0) {
        r = reply_error(resp, 400, err);
        goto out;
    }
    if (attachable(st, id, req, resp, &r) < 0)
        goto out;
    r = store(st, ev, rq->caller->name, resp);
out:
    iq_event_destroy(&ev);
    json_decref(req);
    return r;
}

int cor_api_add(struct http_server *http, struct store *st,
                const struct cor_note_action *const *notes, struct cor_api **ret)
{
    struct cor_api *a = calloc(1, sizeof(*a));
    int r = -ENOMEM;

    if (!a)
        goto fail;
    a->st = st;
    a->notes = notes;
    if ((r = http_add_route(http, API_PREFIX, api_incidents, a)) < 0 ||
        (r = http_add_route(http, API_UNATTACHED, api_unattached, a)) < 0 ||
        (r = http_add_post_route(http, NOTES_PREFIX, api_notes, a)) < 0 ||
        (r = cor_api_events_add(http, st)) < 0)
        goto fail;
    *ret = a;
    return 0;
fail:
    iq_error("correlate", "cannot register %s: %s", API_PREFIX, strerror(-r));
    cor_api_free(&a);
    return r;
}

int cor_api_add_sub(struct cor_api *api, const char *infix, http_handler_fn fn, void *ud)
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

/* cli_daemon_notes.c - POST /api/v1/incidents/ID/notes: audit notes made
 * through inquestd's HTTP API.
 *
 * The only HTTP path that creates events of the audit-note source.  The
 * access table (http/http_access.c) already required an admin token
 * before the body was read; the handler checks the role again, so a
 * change of rules cannot open it by accident.  The body is a note request
 * (cli/cli_note.h); the incident named in the path, and for a merge the
 * other one, must exist in the store (404 otherwise); for an attach the
 * event must exist (404) and be attachable (cli_note_check_attach, 400).  The note is built
 * by the same code as the CLI's, labelled "by" with the token's name, and
 * stored through the store's sink like any event, so the correlator
 * applies it within a second and a rebuild replays it.  Answers:
 *   201 {"status": "ok", "note": ID, "incident": ID, "by": NAME}
 *   400 bad JSON or request (the reason), 403 not admin, 404 unknown
 *   incident or event, 503 the store could not make it durable (retry). */
#include "cli_daemon_notes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_note.h"
#include "cor_incident.h"
#include "http_access.h"
#include "http.h"
#include "ing_sink.h"
#include "store.h"
#include "iq_event.h"
#include "iq_log.h"

#define NOTES_PREFIX "/api/v1/incidents/"
#define NOTES_SUFFIX "/notes"
#define ID_MAX 128

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
    r = cli_note_check_attach(st, id, event, err, sizeof(err));
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

int iqd_notes_http_post(void *ud, const struct http_request *rq,
                        struct http_response *resp)
{
    struct store *st = ud;
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
    if (cli_note_build(id, req, rq->caller->name, &ev, err, sizeof(err)) < 0) {
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

int iqd_notes_add_route(struct http_server *http, struct store *st)
{
    return http_add_post_route(http, NOTES_PREFIX, iqd_notes_http_post, st);
}

/* pm_api.c - GET /api/v1/postmortems and /api/v1/postmortems/ID: the
 * finished postmortems synced into the store (see pm_api.h), for
 * `inquest --http URL postmortems list|show`, which prints them with the
 * same code as from the data directory (postmortem/pm_print.c).
 *
 * Read-only: the handlers run on the HTTP server's threads and only read
 * the store (thread-safe).  An id is checked before it is looked up: at
 * most ID_MAX bytes of [A-Za-z0-9._-], so a path never reaches the store
 * as anything but an incident id. */
#include "pm_api.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pm_store.h"

#define PREFIX "/api/v1/postmortems"
#define ID_MAX 128

static int reply_error(struct http_response *resp, int status, const char *msg)
{
    return http_reply_json(resp, status, json_pack("{s:s}", "error", msg));
}

static bool valid_id(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n <= ID_MAX && s[0] != '.' &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* GET /api/v1/postmortems/ID */
static int show(struct store *st, const char *id, struct http_response *resp)
{
    json_t *rec = NULL, *hist = NULL;
    char msg[200];
    int r;

    if (!valid_id(id))
        return reply_error(resp, 404, "not found: use " PREFIX "/ID with an incident id");
    r = pm_store_get(st, id, &rec);
    if (r == 0)
        r = pm_store_history(st, id, &hist);
    if (r == -ENOENT) {
        snprintf(msg, sizeof(msg), "no postmortem synced for incident %s", id);
        return reply_error(resp, 404, msg);
    }
    if (r < 0) {
        json_decref(rec);
        return r;
    }
    return http_reply_json(resp, 200, json_pack("{s:o,s:o}", "postmortem", rec, "history", hist));
}

static int api_postmortems(void *ud, const struct http_request *rq, struct http_response *resp)
{
    const char *rest = rq->path + strlen(PREFIX);
    json_t *all = NULL;
    int r;

    if (*rest == '/' && rest[1])
        return show(ud, rest + 1, resp);
    if (*rest != '\0' && strcmp(rest, "/") != 0)
        return reply_error(resp, 404, "not found: use " PREFIX " or " PREFIX "/ID");
    if ((r = pm_store_all(ud, &all)) < 0)
        return r;
    return http_reply_json(resp, 200, all);
}

int pm_api_add(struct http_server *http, struct store *st)
{
    return http_add_route(http, PREFIX, api_postmortems, st);
}

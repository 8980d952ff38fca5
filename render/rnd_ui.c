/* rnd_ui.c - inquestd's web UI: its routes, what they answer, and its life
 * cycle (see rnd_ui.h for the pages).
 *
 * Two GET routes on the daemon's HTTP server: "/ui" for the pages and "/"
 * for the redirect of the bare root to /ui/.  The root route is the
 * shortest prefix, so every other route keeps its paths; a path it gets
 * that is not "/" is answered as the server answers an unknown path (a
 * JSON 404), so adding the UI changes nothing for API clients.
 *
 * Design notes:
 *  - The handlers run on the HTTP server's threads and only read: the
 *    store (RocksDB is thread-safe), the taxonomy (compiled once,
 *    read-only) and the configured names.  A page is built in one capped
 *    buffer (RND_UI_PAGE_MAX) and handed to the server.
 *  - Access is decided before a handler runs, by the server's access
 *    table (http/http_access.c): the paths need the read role and are not
 *    open to an external-audience token, which only reaches the drafts.
 *    The UI has no login of its own: behind tokens it is meant to be
 *    reached through a reverse proxy that adds the Authorization header
 *    (docs/ui.md); without one a browser gets the server's 401.
 *  - Paths are matched exactly; an incident id is checked as the drafts
 *    API checks it (rnd_api_valid_id) before the store is asked. */
#include "rnd_ui_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "iq_buf.h"
#include "iq_log.h"
#include "rnd_api.h"
#include "rnd_people.h"
#include "rnd_svg.h"

#define INCIDENTS RND_UI_PREFIX "/incidents/"

static const struct http_header to_list[] = {
    { "Location", RND_UI_PREFIX "/" },
    { "Cache-Control", "no-store" },
};

static const struct http_header css_headers[] = {
    { "Cache-Control", "max-age=300" },
    { "X-Content-Type-Options", "nosniff" },
};

/* 302 to /ui/, with a body saying where for clients that show it. */
static int redirect(struct http_response *resp)
{
    static const char body[] = "<!DOCTYPE html>\n<title>inquest</title>\n"
                               "<p><a href=\"" RND_UI_PREFIX "/\">" RND_UI_PREFIX "/</a></p>\n";
    char *b = strdup(body);

    if (!b)
        return -ENOMEM;
    *resp = (struct http_response){ .status = 302, .content_type = "text/html; charset=utf-8",
                                    .body = b, .len = strlen(b), .headers = to_list,
                                    .n_headers = sizeof(to_list) / sizeof(to_list[0]) };
    return 0;
}

/* GET /ui/assets/ui.css: the UI's rules and the timeline's. */
static int stylesheet(struct http_response *resp)
{
    struct iq_buf b;
    size_t len = 0;
    char *body;

    iq_buf_init(&b, 1u << 20);
    if (iq_buf_adds(&b, rnd_ui_stylesheet()) < 0 || iq_buf_adds(&b, rnd_svg_stylesheet()) < 0 ||
        iq_buf_addc(&b, '\n') < 0 || !(body = iq_buf_take(&b, &len))) {
        iq_buf_free(&b);
        return -ENOMEM;
    }
    *resp = (struct http_response){ .status = 200, .content_type = "text/css; charset=utf-8",
                                    .body = body, .len = len, .headers = css_headers,
                                    .n_headers = sizeof(css_headers) / sizeof(css_headers[0]) };
    return 0;
}

/* GET /ui/incidents/ID: the id checked, then the page. */
static int incident(struct rnd_ui *ui, const struct http_request *rq, struct http_response *resp)
{
    const char *id = rq->path + strlen(INCIDENTS);
    char msg[200];

    if (!*id)
        return redirect(resp);
    if (!rnd_api_valid_id(id, strlen(id))) {
        snprintf(msg, sizeof(msg), "an incident id is 1 to %d letters, digits, '.', '_' or '-'",
                 RND_API_ID_MAX);
        return rnd_ui_error(resp, 404, "No such incident", msg);
    }
    return rnd_ui_incident_page(ui, id, rq, resp);
}

int rnd_ui_get(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct rnd_ui *ui = ud;
    const char *path = rq->path;

    if (strcmp(path, "/") == 0 || strcmp(path, RND_UI_PREFIX) == 0 ||
        strcmp(path, RND_UI_PREFIX "/incidents") == 0)
        return redirect(resp);
    if (strncmp(path, RND_UI_PREFIX "/", strlen(RND_UI_PREFIX "/")) != 0)
        return http_reply_json(resp, 404, json_pack("{s:s,s:i}", "error", "not found",
                                                    "status", 404));
    if (strcmp(path, RND_UI_PREFIX "/") == 0)
        return rnd_ui_list_page(ui, rq, resp);
    if (strcmp(path, RND_UI_PREFIX "/query") == 0)
        return rnd_ui_query_page(ui, rq, resp);
    if (strcmp(path, RND_UI_PREFIX "/assets/ui.css") == 0)
        return stylesheet(resp);
    if (strncmp(path, INCIDENTS, strlen(INCIDENTS)) == 0)
        return incident(ui, rq, resp);
    return rnd_ui_error(resp, 404, "Not found",
                        "the pages are " RND_UI_PREFIX "/ (incidents), " RND_UI_PREFIX
                        "/incidents/ID and " RND_UI_PREFIX "/query (analytics)");
}

int rnd_ui_new(struct store *st, const struct ana_classes *classes, const json_t *section,
               struct rnd_ui **ret, char *err, size_t errsz)
{
    json_t *people = json_object_get(section, "slack_users");
    struct rnd_ui *ui;

    if (rnd_people_check_map(people, err, errsz) < 0)
        return -EINVAL;
    if (!(ui = calloc(1, sizeof(*ui))))
        return -ENOMEM;
    ui->st = st;
    ui->classes = classes;
    ui->people = json_incref(people);
    *ret = ui;
    return 0;
}

int rnd_ui_add(struct http_server *http, struct rnd_ui *ui)
{
    int r;

    if ((r = http_add_route(http, RND_UI_PREFIX, rnd_ui_get, ui)) < 0 ||
        (r = http_add_route(http, "/", rnd_ui_get, ui)) < 0)
        iq_error("ui", "cannot serve the web UI: %s", strerror(-r));
    return r;
}

void rnd_ui_free(struct rnd_ui **pui)
{
    if (!pui || !*pui)
        return;
    json_decref((*pui)->people);
    free(*pui);
    *pui = NULL;
}

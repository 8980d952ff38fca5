/* rnd_ui.c - inquestd's web UI: its routes, what they answer, its
 * stylesheet and its life cycle (see rnd_ui.h for the pages).
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
 *    API checks it (rnd_api_valid_id) before the store is asked.
 *  - The stylesheet is a C string compiled into the binary, served at
 *    /ui/assets/ui.css followed by the visual timeline's own rules
 *    (rnd_svg_stylesheet), which the inline charts need: they are written
 *    without their <style> element under the strict policy.  Browsers may
 *    keep it five minutes. */
#include "rnd_ui_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_classes.h"
#include "ana_http.h"
#include "http.h"
#include "iq_buf.h"
#include "iq_log.h"
#include "rnd_api.h"
#include "rnd_people.h"
#include "rnd_svg.h"

#define INCIDENTS RND_UI_PREFIX "/incidents/"

/* The UI's rules, served at /ui/assets/ui.css before the timeline's. */
static const char stylesheet[] =
    ":root{--fg:#1f2328;--muted:#59636e;--line:#d0d7de;--soft:#f6f8fa;--link:#0969da;"
    "--mark:#fff8c5}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "color:var(--fg);background:#fff;line-height:1.45}\n"
    "a{color:var(--link)}\n"
    "header.top{display:flex;flex-wrap:wrap;gap:.4rem 1.5rem;align-items:center;"
    "padding:.6rem 1rem;border-bottom:1px solid var(--line);background:var(--soft)}\n"
    "header.top .brand{font-weight:700;color:var(--fg);text-decoration:none}\n"
    "nav a{margin-right:1rem}\n"
    "nav a[aria-current=page]{font-weight:700;color:var(--fg);text-decoration:none}\n"
    "main{max-width:84rem;margin:0 auto;padding:.5rem 1rem 2rem}\n"
    "footer{max-width:84rem;margin:0 auto;padding:1rem;font-size:.8rem}\n"
    "h1{font-size:1.45rem;margin:.6rem 0 .3rem;overflow-wrap:anywhere}\n"
    "h2{font-size:1.15rem;margin:1.8rem 0 .5rem;padding-bottom:.2rem;"
    "border-bottom:1px solid var(--line)}\n"
    ".muted{color:var(--muted)}\n"
    ".small{font-size:.8rem}\n"
    ".error{padding:.6rem .8rem;border-left:.3rem solid #D55E00;background:#fbeee6}\n"
    ".scroll{overflow-x:auto;max-width:100%}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9rem}\n"
    "th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;"
    "vertical-align:top}\n"
    "th{background:var(--soft);white-space:nowrap}\n"
    "th a{color:inherit}\n"
    ".num{text-align:right;white-space:nowrap}\n"
    "td.id{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.8rem}\n"
    "tr:target{background:var(--mark)}\n"
    "tr.milestone td{font-weight:600}\n"
    "form.filters{display:flex;flex-wrap:wrap;gap:.5rem .9rem;align-items:flex-end;"
    "margin:.6rem 0 1rem;padding:.7rem;background:var(--soft);border:1px solid var(--line);"
    "border-radius:6px}\n"
    "form.filters label{display:flex;flex-direction:column;font-size:.8rem;color:var(--muted)}\n"
    "input,select,button{font:inherit;font-size:.9rem;padding:.25rem .4rem;max-width:100%}\n"
    "button{cursor:pointer}\n"
    ".badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.8rem;"
    "border:1px solid var(--line);border-left-width:.35rem;white-space:nowrap;background:#fff}\n"
    ".status-open,.severity-critical{border-color:#D55E00}\n"
    ".status-mitigated,.severity-error{border-color:#E69F00}\n"
    ".severity-warning{border-color:#F0E442}\n"
    ".status-resolved{border-color:#009E73}\n"
    ".severity-info,.severity-minor{border-color:#0072B2}\n"
    ".status-stale{border-color:#999999}\n"
    ".pager{display:flex;flex-wrap:wrap;gap:1rem;margin:1rem 0;align-items:center}\n"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.5rem 0}\n"
    "dl.facts dt{color:var(--muted)}\n"
    "dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
    ".downloads{display:flex;flex-wrap:wrap;gap:.4rem;margin:.6rem 0}\n"
    ".downloads a{padding:.3rem .7rem;border:1px solid var(--line);border-radius:6px;"
    "background:var(--soft);text-decoration:none}\n"
    "figure{margin:0}\n"
    "figure.timeline,figure.chart{overflow-x:auto;max-width:100%}\n"
    "figcaption{font-size:.85rem;color:var(--muted);margin:.3rem 0}\n"
    ".chart-pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1rem;"
    "align-items:start}\n"
    "svg.iq-chart{width:100%;height:auto;min-width:600px}\n"
    "article.draft{border:1px solid var(--line);border-radius:6px;padding:0 1rem 1rem;"
    "overflow-wrap:anywhere}\n"
    "article.draft table{display:block;overflow-x:auto}\n"
    "article.draft blockquote{margin:1rem 0;padding:.4rem 1rem;border-left:.25rem solid #d4a72c;"
    "background:var(--mark)}\n"
    "@media (max-width:52rem){.chart-pair{grid-template-columns:minmax(0,1fr)}"
    "main{padding:.5rem .6rem 2rem}}\n"
    "@media print{header.top,form.filters,.pager,.downloads{display:none}"
    "figure.timeline,figure.chart,.scroll{overflow:visible}svg.iq-chart{min-width:0}}\n";

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
static int serve_css(struct http_response *resp)
{
    struct iq_buf b;
    size_t len = 0;
    char *body;

    iq_buf_init(&b, 1u << 20);
    if (iq_buf_adds(&b, stylesheet) < 0 || iq_buf_adds(&b, rnd_svg_stylesheet()) < 0 ||
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

/* The pages, on view. */
static int dispatch(struct rnd_ui *ui, const struct http_request *rq,
                    struct http_response *resp)
{
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
        return serve_css(resp);
    if (strncmp(path, INCIDENTS, strlen(INCIDENTS)) == 0)
        return incident(ui, rq, resp);
    return rnd_ui_error(resp, 404, "Not found",
                        "the pages are " RND_UI_PREFIX "/ (incidents), " RND_UI_PREFIX
                        "/incidents/ID and " RND_UI_PREFIX "/query (analytics)");
}

int rnd_ui_get(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct rnd_ui *ui = ud;
    struct ana_classes *classes = ana_http_query_classes_hold(ui->query);
    struct rnd_ui view = { .st = ui->st, .classes = classes };
    int r;

    pthread_mutex_lock(ui->lock);
    view.people = json_incref(ui->people);
    pthread_mutex_unlock(ui->lock);
    r = dispatch(&view, rq, resp);
    json_decref(view.people);
    ana_classes_destroy(&classes);
    return r;
}

int rnd_ui_new(struct store *st, struct ana_http_query *query, const json_t *section,
               struct rnd_ui **ret, char *err, size_t errsz)
{
    json_t *people = json_object_get(section, "slack_users");
    struct rnd_ui *ui;

    if (rnd_people_check_map(people, err, errsz) < 0)
        return -EINVAL;
    if (!(ui = calloc(1, sizeof(*ui))) || !(ui->lock = malloc(sizeof(*ui->lock)))) {
        free(ui);
        return -ENOMEM;
    }
    pthread_mutex_init(ui->lock, NULL);
    ui->st = st;
    ui->query = query;
    ui->people = json_incref(people);
    *ret = ui;
    return 0;
}

int rnd_ui_use(struct rnd_ui *ui, const json_t *section, char *err, size_t errsz)
{
    json_t *people = json_object_get(section, "slack_users"), *old;

    if (!ui)
        return 0;
    if (rnd_people_check_map(people, err, errsz) < 0)
        return -EINVAL;
    pthread_mutex_lock(ui->lock);
    old = ui->people;
    ui->people = json_incref(people);
    pthread_mutex_unlock(ui->lock);
    json_decref(old);
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
    pthread_mutex_destroy((*pui)->lock);
    free((*pui)->lock);
    free(*pui);
    *pui = NULL;
}

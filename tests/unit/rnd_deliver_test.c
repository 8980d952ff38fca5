/* rnd_deliver_test.c - inquestd's draft delivery (render/rnd_watch.c,
 * render/rnd_notify.c, render/rnd_api.c) against a real RocksDB store and
 * a real HTTP receiver.
 *
 * The store gets the sample incident (closed) and its events; the watcher
 * must write the Markdown and HTML drafts, post a Slack-shaped notice and a
 * generic notice to a libmicrohttpd receiver on a loopback port (the
 * generic one answering 503 twice, so the retries are exercised), and must
 * not deliver again after a restart.  The HTTP handler of
 * /api/v1/incidents/ID/draft.* is called on the same store. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>

#include "rnd_api.h"
#include "rnd_watch.h"
#include "cor_store.h"
#include "iq_test_store.h"
#include "http_access.h"
#include "http.h"
#include "store.h"
#include "iq_event.h"
#include "iq_paths.h"
#include "iq_time.h"
#include "rnd_notify.h"

#define INC_ID "inc-20261021-3fa2c19e"
#define MAX_REQ 16

struct receiver {
    struct MHD_Daemon *mhd;
    uint16_t port;
    pthread_mutex_t mu;
    char *path[MAX_REQ];
    char *body[MAX_REQ];
    int n, flaky_failures;
};

struct conn {
    char buf[65536];
    size_t len;
};

static struct receiver rx = { .mu = PTHREAD_MUTEX_INITIALIZER };
static char root[4096], tmp[4096];

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    struct receiver *r = cls;
    struct conn *k = *con_cls;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    int status = 200;

    (void)method;
    (void)version;
    if (!k) {
        *con_cls = calloc(1, sizeof(struct conn));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*size) {
        size_t take = *size < sizeof(k->buf) - 1 - k->len ? *size : sizeof(k->buf) - 1 - k->len;

        memcpy(k->buf + k->len, data, take);
        k->len += take;
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&r->mu);
    if (r->n < MAX_REQ) {
        r->path[r->n] = strdup(url);
        r->body[r->n] = strndup(k->buf, k->len);
        r->n++;
    }
    if (strcmp(url, "/flaky") == 0 && r->flaky_failures > 0) {
        r->flaky_failures--;
        status = 503;
    }
    pthread_mutex_unlock(&r->mu);
    resp = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    const char *r = getenv("IQ_ROOT");
    struct store_opts so = { 0 };
    struct store *st = NULL;
    struct sockaddr_in sa = { .sin_family = AF_INET };
    char dir[4200];

    snprintf(root, sizeof(root), "%s", r && *r ? r : ".");
    snprintf(tmp, sizeof(tmp), "%s/rnd-deliver.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmp))
        return -1;
    snprintf(dir, sizeof(dir), "%s/data", tmp);
    if (store_open(dir, &so, &st) < 0)
        return -1;
    iq_test_store_sample(st, root);
    rx.flaky_failures = 2;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rx.mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, &rx,
                              MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                              MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
    if (!rx.mhd)
        return -1;
    rx.port = MHD_get_daemon_info(rx.mhd, MHD_DAEMON_INFO_BIND_PORT)->port;
    *state = st;
    return 0;
}

static int teardown(void **state)
{
    struct store *st = *state;

    store_close(&st);
    if (rx.mhd)
        MHD_stop_daemon(rx.mhd);
    for (int i = 0; i < rx.n; i++) {
        free(rx.path[i]);
        free(rx.body[i]);
    }
    nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static char *slurp(const char *path)
{
    char *buf = NULL;
    size_t len;

    return iq_read_file(path, 1 << 20, &buf, &len) == 0 ? buf : NULL;
}

static void watcher_delivers(void **state)
{
    struct store *st = *state;
    struct rnd_watch *d = NULL;
    char hooks[256], dir[4200], sch[4200], path[4300], *md, *html;
    struct rnd_watch_opts o = { .dir = dir, .webhooks = hooks, .public_url = "http://drafts.example",
                                 .schemas_dir = sch, .poll_ms = 50, .retries = 3,
                                 .backoff_ms = 20 };
    int flaky = 0, slack = -1, generic = -1;

    snprintf(dir, sizeof(dir), "%s/drafts", tmp);
    snprintf(sch, sizeof(sch), "%s/schemas", root);
    snprintf(hooks, sizeof(hooks), "slack=http://127.0.0.1:%u/slack, generic=http://127.0.0.1:%u/flaky",
             rx.port, rx.port);
    assert_int_equal(rnd_watch_new(st, &o, &d), 0);
    assert_non_null(d);
    for (int i = 0; i < 200 && rnd_watch_notified(d) < 2; i++)
        usleep(50000);
    assert_int_equal(rnd_watch_written(d), 1);
    assert_int_equal(rnd_watch_notified(d), 2);
    rnd_watch_destroy(&d);
    assert_null(d);

    snprintf(path, sizeof(path), "%s/" INC_ID ".md", dir);
    md = slurp(path);
    assert_non_null(md);
    assert_non_null(strstr(md, "# Postmortem: HighErrorRate on checkout"));
    assert_non_null(strstr(md, "**MITIGATED** Deploy rolled back"));
    snprintf(path, sizeof(path), "%s/" INC_ID ".html", dir);
    html = slurp(path);
    assert_non_null(html);
    assert_non_null(strstr(html, "<th>Time (UTC)</th>"));
    snprintf(path, sizeof(path), "%s/" INC_ID ".md.tmp", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    free(md);
    free(html);

    pthread_mutex_lock(&rx.mu);
    for (int i = 0; i < rx.n; i++) {
        if (strcmp(rx.path[i], "/flaky") == 0) {
            flaky++;
            generic = i;
        } else if (strcmp(rx.path[i], "/slack") == 0) {
            slack = i;
        }
    }
    pthread_mutex_unlock(&rx.mu);
    assert_int_equal(flaky, 3);   /* 503, 503, then 200 */
    assert_true(slack >= 0);
    assert_non_null(strstr(rx.body[slack], "\"text\":\"Postmortem draft ready for "
                                           "<http://drafts.example/api/v1/incidents/" INC_ID
                                           "/draft.html|" INC_ID ">: HighErrorRate on checkout"));
    json_t *g = json_loads(rx.body[generic], 0, NULL);
    assert_non_null(g);
    assert_string_equal(json_string_value(json_object_get(g, "type")), "inquest.draft.ready");
    assert_string_equal(json_string_value(json_object_get(g, "id")), INC_ID);
    assert_non_null(strstr(json_string_value(json_object_get(g, "summary")), "partial outage for 32 min"));
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(g, "draft"), "path")),
                           "/drafts/" INC_ID ".md"));
    json_decref(g);

    /* a restart does not deliver again */
    assert_int_equal(rnd_watch_new(st, &o, &d), 0);
    usleep(400000);
    assert_int_equal(rnd_watch_written(d), 0);
    rnd_watch_destroy(&d);
}

/* The handler as the server calls it, for an internal reader. */
static int drafts_get(struct store *st, const char *path, const char *query,
                      struct http_response *resp)
{
    struct http_caller who = { .name = "test", .roles = HTTP_ROLE_READ };
    struct http_request rq = { .method = "GET", .path = path, .query = query, .caller = &who };

    return rnd_api_draft_get(st, NULL, NULL, &rq, resp);
}

/* A token limited to the external audience gets the external, pseudonymised
 * draft even when it asks for the internal one. */
static void http_handler_external_caller(void **state)
{
    struct store *st = *state;
    struct http_caller who = { .name = "status-page", .roles = HTTP_ROLE_READ, .external = true };
    struct http_request rq = { .method = "GET", .path = "/api/v1/incidents/" INC_ID "/draft.json",
                               .query = "audience=internal&pseudonymize=0", .caller = &who };
    struct http_response resp = { 0 };
    char sch[4200];

    snprintf(sch, sizeof(sch), "%s/schemas", root);
    setenv("INQUEST_SCHEMAS", sch, 1);
    assert_int_equal(rnd_api_draft_get(st, NULL, NULL, &rq, &resp), 0);
    assert_int_equal(resp.status, 200);
    assert_null(strstr(resp.body, "bob@example.com"));
    assert_non_null(strstr(resp.body, "\"pseudonymized\": true"));
    assert_non_null(strstr(resp.body, "\"audience\": \"external\""));
    free(resp.body);
}

static void http_handler(void **state)
{
    struct store *st = *state;
    struct http_response resp = { 0 };
    char sch[4200];

    snprintf(sch, sizeof(sch), "%s/schemas", root);
    setenv("INQUEST_SCHEMAS", sch, 1);
    assert_int_equal(drafts_get(st, "/api/v1/incidents/" INC_ID "/draft.md", NULL, &resp), 0);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.content_type, "text/markdown; charset=utf-8");
    assert_non_null(strstr(resp.body, "| Item | Type | Owner | Due | Ticket |"));
    assert_non_null(strstr(resp.body, "bob@example.com"));
    free(resp.body);
    assert_int_equal(drafts_get(st, "/api/v1/incidents/" INC_ID "/draft.json",
                                "audience=external&pseudonymize=1", &resp), 0);
    assert_int_equal(resp.status, 200);
    assert_null(strstr(resp.body, "bob@example.com"));
    assert_non_null(strstr(resp.body, "\"pseudonymized\": true"));
    free(resp.body);
    assert_int_equal(drafts_get(st, "/api/v1/incidents/" INC_ID "/draft.html", "template=ja", &resp), 0);
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "アクションアイテム"));
    free(resp.body);
    assert_int_equal(drafts_get(st, "/api/v1/incidents/inc-20990101-00000000/draft.md", NULL, &resp), 0);
    assert_int_equal(resp.status, 404);
    free(resp.body);
    assert_int_equal(drafts_get(st, "/api/v1/incidents/" INC_ID "/draft.pdf", NULL, &resp), 0);
    assert_int_equal(resp.status, 404);
    free(resp.body);
    assert_int_equal(drafts_get(st, "/api/v1/incidents/" INC_ID "/draft.md", "template=../../x", &resp), 0);
    assert_int_equal(resp.status, 400);
    free(resp.body);
    assert_int_equal(drafts_get(st, "/api/v1/incidents/" INC_ID "/draft.md", "audience=all", &resp), 0);
    assert_int_equal(resp.status, 400);
    free(resp.body);
}

static void hook_specs(void **state)
{
    struct iq_hook *h = NULL;
    size_t n = 0;
    char err[256];

    (void)state;
    assert_int_equal(iq_hooks_parse("slack=https://hooks.slack.com/x, http://a/b", &h, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 2);
    assert_int_equal(h[0].shape, IQ_HOOK_SLACK);
    assert_string_equal(h[1].url, "http://a/b");
    assert_int_equal(h[1].shape, IQ_HOOK_GENERIC);
    iq_hooks_free(&h, n);
    assert_null(h);
    assert_int_equal(iq_hooks_parse("teams=https://x/y", &h, &n, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "shape must be slack or generic"));
    assert_int_equal(iq_hooks_parse("generic=ftp://x/y", &h, &n, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not an http or https URL"));
    assert_int_equal(iq_hooks_parse("", &h, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 0);
    iq_hooks_free(&h, n);
}

static void config_section(void **state)
{
    struct store *st = *state;
    struct rnd_watch *d = (struct rnd_watch *)&d;
    json_t *sec;

    sec = json_pack("{s:s}", "dir", "off");
    assert_int_equal(rnd_watch_start(sec, tmp, "http://127.0.0.1:7700", st, NULL, &d), 0);
    assert_null(d);
    json_decref(sec);
    sec = json_pack("{s:s}", "webhooks", "teams=https://x/y");
    assert_int_equal(rnd_watch_start(sec, tmp, NULL, st, NULL, &d), -EINVAL);
    assert_null(d);
    json_decref(sec);
    sec = json_pack("{s:s}", "colour", "blue");
    assert_true(rnd_watch_start(sec, tmp, NULL, st, NULL, &d) < 0);
    json_decref(sec);
    sec = json_pack("{s:s}", "poll", "1ms");
    assert_true(rnd_watch_start(sec, tmp, NULL, st, NULL, &d) < 0);
    json_decref(sec);
    /* defaults: DATA/drafts; the incident was drafted by watcher_delivers */
    assert_int_equal(rnd_watch_start(NULL, tmp, "http://127.0.0.1:7700", st, NULL, &d), 0);
    assert_non_null(d);
    rnd_watch_destroy(&d);
}

static void refused_and_unreachable(void **state)
{
    char url[128], err[256];

    (void)state;
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", rx.port);
    /* the receiver answers 200 here; a closed port is retried then fails */
    assert_int_equal(iq_hook_post(url, "{}", 2, 0, 10, 2000, err, sizeof(err)), 0);
    assert_int_equal(iq_hook_post("http://127.0.0.1:1/x", "{}", 2, 2, 10, 2000, err, sizeof(err)), -EIO);
    assert_true(strlen(err) > 0);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(watcher_delivers),
        cmocka_unit_test(http_handler),
        cmocka_unit_test(http_handler_external_caller),
        cmocka_unit_test(hook_specs),
        cmocka_unit_test(config_section),
        cmocka_unit_test(refused_and_unreachable),
    };

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("rnd_deliver", tests, setup, teardown);
}

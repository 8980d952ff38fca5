/* http_access_test.c - the access table (http/http_access.c): config
 * validation, roles, audiences, the path rules, webhook decisions, the
 * environment tokens and the loopback test of the secure defaults. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "http_access.h"

#define READ_TOK "read-token-0123456789abcdef"
#define ADMIN_TOK "admin-token-0123456789abcdef"
#define EXT_TOK "status-page-0123456789abcdef"
/* any 64 hex digits (config shape tests only) */
#define EXT_SHA "3b1e8a4c8a9b3b8e1d5d5d0b0a0b1e8f0e7b9f0d5f1e2a3b4c5d6e7f8091a2b3"

static char err[512];

static struct http_access *load(const char *json)
{
    struct http_access *a = NULL;
    json_t *conf = json ? json_loads(json, 0, NULL) : NULL;
    int r;

    assert_true(!json || conf);
    r = http_access_load(conf, &a, err, sizeof(err));
    json_decref(conf);
    if (r < 0)
        return NULL;
    return a;
}

static void refuses(const char *json, const char *msg)
{
    struct http_access *a = load(json);

    if (a || !strstr(err, msg))
        fail_msg("config %s: want an error with \"%s\", got %s", json, msg, a ? "success" : err);
    http_access_destroy(&a);
}

static void bad_config(void **state)
{
    (void)state;
    refuses("[]", "expected an object");
    refuses("{\"token\": []}", "unknown key 'token'");
    refuses("{\"tokens\": {}}", "expected an array");
    refuses("{\"tokens\": [1]}", "tokens[0]': expected an object");
    refuses("{\"tokens\": [{\"token\": \"" READ_TOK "\", \"role\": \"read\"}]}", "'name' is required");
    refuses("{\"tokens\": [{\"name\": \"a b\", \"token\": \"" READ_TOK "\", \"role\": \"read\"}]}",
            "'name' is required");
    refuses("{\"tokens\": [{\"name\": \"a\", \"token\": \"" READ_TOK "\"}]}", "'role' must be");
    refuses("{\"tokens\": [{\"name\": \"a\", \"token\": \"" READ_TOK "\", \"role\": \"root\"}]}",
            "'role' must be");
    refuses("{\"tokens\": [{\"name\": \"a\", \"token\": \"short\", \"role\": \"read\"}]}",
            "shorter than 16");
    refuses("{\"tokens\": [{\"name\": \"a\", \"role\": \"read\"}]}", "exactly one of");
    refuses("{\"tokens\": [{\"name\": \"a\", \"token\": \"" READ_TOK "\", \"sha256\": \"" EXT_SHA
            "\", \"role\": \"read\"}]}", "exactly one of");
    refuses("{\"tokens\": [{\"name\": \"a\", \"sha256\": \"abc\", \"role\": \"read\"}]}",
            "64 hex digits");
    refuses("{\"tokens\": [{\"name\": \"a\", \"token\": \"" READ_TOK "\", \"role\": \"read\", "
            "\"audience\": \"public\"}]}", "'audience' must be");
    refuses("{\"tokens\": [{\"name\": \"a\", \"token\": \"" ADMIN_TOK "\", \"role\": \"admin\", "
            "\"audience\": \"external\"}]}", "for read tokens only");
    refuses("{\"tokens\": [{\"name\": \"a\", \"token\": \"" READ_TOK "\", \"role\": \"read\"},"
            "{\"name\": \"a\", \"token\": \"" ADMIN_TOK "\", \"role\": \"admin\"}]}", "used twice");
    refuses("{\"tokens\": [{\"name\": \"a\", \"token\": \"" READ_TOK "\", \"role\": \"read\"},"
            "{\"name\": \"b\", \"token\": \"" READ_TOK "\", \"role\": \"admin\"}]}", "same token");
    refuses("{\"tokens\": [{\"name\": \"a\", \"token\": \"" READ_TOK "\", \"role\": \"read\", "
            "\"colour\": \"red\"}]}", "unknown key or not a string 'colour'");
}

static const char conf[] =
    "{\"tokens\": [{\"name\": \"grafana\", \"token\": \"" READ_TOK "\", \"role\": \"read\"},"
    "{\"name\": \"ops\", \"token\": \"" ADMIN_TOK "\", \"role\": \"admin\"},"
    "{\"name\": \"status-page\", \"sha256\": \"%s\", \"role\": \"read\", "
    "\"audience\": \"external\"}]}";

/* The table above, with the external token's real digest. */
static struct http_access *table(void)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1], json[1024];
    struct http_access *a;

    crypto_hash_sha256(d, (const unsigned char *)EXT_TOK, strlen(EXT_TOK));
    sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
    snprintf(json, sizeof(json), conf, hex);
    a = load(json);
    assert_non_null(a);
    return a;
}

static int check(const struct http_access *a, const char *method, const char *path,
                 const char *authz, struct http_caller *who)
{
    return http_access_check(a, method, path, authz, who, err, sizeof(err));
}

static void roles(void **state)
{
    struct http_access *a = table();
    struct http_caller who;

    (void)state;
    assert_int_equal(http_access_count(a), 3);
    assert_true(http_access_grants(a, HTTP_ROLE_READ));
    assert_true(http_access_grants(a, HTTP_ROLE_ADMIN | HTTP_ROLE_WRITE));
    assert_int_equal(check(a, "GET", "/api/v1/incidents", NULL, &who), -EACCES);
    assert_non_null(strstr(err, "missing credentials"));
    assert_int_equal(check(a, "GET", "/api/v1/incidents", "Bearer nope-0123456789abcdef", &who),
                     -EACCES);
    assert_int_equal(check(a, "GET", "/api/v1/incidents", "Basic " READ_TOK, &who), -EACCES);
    assert_int_equal(check(a, "GET", "/api/v1/incidents", "Bearer " READ_TOK "x", &who), -EACCES);
    assert_int_equal(check(a, "GET", "/api/v1/incidents", "bearer  " READ_TOK, &who), 0);
    assert_string_equal(who.name, "grafana");
    assert_false(who.roles & HTTP_ROLE_ADMIN);
    assert_int_equal(check(a, "GET", "/api/v1/anything-new", "Bearer " READ_TOK, &who), 0);
    assert_int_equal(check(a, "GET", "/ui/", NULL, &who), -EACCES);
    assert_int_equal(check(a, "GET", "/healthz", NULL, &who), 0);
    assert_int_equal(check(a, "GET", "/metrics", NULL, &who), 0);
    /* notes: admin only */
    assert_int_equal(check(a, "POST", "/api/v1/incidents/inc-1/notes", "Bearer " READ_TOK, &who),
                     -EPERM);
    assert_non_null(strstr(err, "needs admin"));
    assert_int_equal(check(a, "POST", "/api/v1/incidents/inc-1/notes", "Bearer " ADMIN_TOK, &who), 0);
    assert_string_equal(who.name, "ops");
    assert_true(who.roles & HTTP_ROLE_ADMIN);
    assert_int_equal(check(a, "GET", "/api/v1/incidents", "Bearer " ADMIN_TOK, &who), 0);
    /* the admin API (backup, retention): admin only, whatever the method */
    assert_int_equal(check(a, "POST", "/api/v1/admin/backup", "Bearer " READ_TOK, &who), -EPERM);
    assert_non_null(strstr(err, "needs admin"));
    assert_int_equal(check(a, "GET", "/api/v1/admin/retention", "Bearer " READ_TOK, &who), -EPERM);
    assert_int_equal(check(a, "POST", "/api/v1/admin/retention", NULL, &who), -EACCES);
    assert_int_equal(check(a, "POST", "/api/v1/admin/backup", "Bearer " ADMIN_TOK, &who), 0);
    http_access_destroy(&a);
    assert_null(a);
}

static void external(void **state)
{
    struct http_access *a = table();
    struct http_caller who;

    (void)state;
    assert_int_equal(check(a, "GET", "/api/v1/incidents/inc-1/draft.md", "Bearer " EXT_TOK, &who), 0);
    assert_string_equal(who.name, "status-page");
    assert_true(who.external);
    assert_int_equal(check(a, "GET", "/api/v1/incidents/inc-1/draft.json", "Bearer " EXT_TOK, &who), 0);
    assert_int_equal(check(a, "GET", "/api/v1/incidents/inc-1/timeline.svg", "Bearer " EXT_TOK, &who), 0);
    assert_int_equal(check(a, "GET", "/api/v1/incidents/inc-1/timeline.svg.x", "Bearer " EXT_TOK, &who),
                     -EPERM);
    assert_int_equal(check(a, "GET", "/api/v1/incidents/inc-1", "Bearer " EXT_TOK, &who), -EPERM);
    assert_non_null(strstr(err, "external audience"));
    assert_int_equal(check(a, "GET", "/api/v1/incidents", "Bearer " EXT_TOK, &who), -EPERM);
    assert_int_equal(check(a, "GET", "/api/v1/query", "Bearer " EXT_TOK, &who), -EPERM);
    assert_int_equal(check(a, "GET", "/api/v1/incidents/a/b/draft.md", "Bearer " EXT_TOK, &who),
                     -EPERM);
    http_access_destroy(&a);
}

/* The web UI: the same read access as the API; an external-audience
 * token gets none of it (it shows internal incidents and drafts). */
static void web_ui(void **state)
{
    static const char *const paths[] = { "/", "/ui", "/ui/", "/ui/query", "/ui/incidents/inc-1",
                                          "/ui/assets/ui.css" };
    struct http_access *a = table(), *open = load(NULL);
    struct http_caller who;

    (void)state;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        assert_int_equal(check(a, "GET", paths[i], NULL, &who), -EACCES);
        assert_int_equal(check(a, "GET", paths[i], "Bearer " READ_TOK, &who), 0);
        assert_int_equal(check(a, "HEAD", paths[i], "Bearer " ADMIN_TOK, &who), 0);
        assert_int_equal(check(a, "GET", paths[i], "Bearer " EXT_TOK, &who), -EPERM);
        assert_non_null(strstr(err, "web UI"));
        assert_int_equal(check(open, "GET", paths[i], NULL, &who), 0);
    }
    http_access_destroy(&a);
    http_access_destroy(&open);
}

static void open_table(void **state)
{
    struct http_access *a = load(NULL);
    struct http_caller who;

    (void)state;
    assert_non_null(a);
    assert_int_equal(http_access_count(a), 0);
    assert_int_equal(check(a, "GET", "/api/v1/incidents", NULL, &who), 0);
    assert_string_equal(who.name, "anonymous");
    assert_int_equal(check(NULL, "GET", "/api/v1/incidents", NULL, &who), 0);
    /* no admin exists, so nobody may make notes */
    assert_int_equal(check(a, "POST", "/api/v1/incidents/inc-1/notes", NULL, &who), -EPERM);
    assert_non_null(strstr(err, "none is configured"));
    assert_int_equal(check(a, "POST", "/api/v1/admin/backup", NULL, &who), -EPERM);
    assert_int_equal(http_access_check_hook(a, true, false, NULL, &who, err, sizeof(err)), 0);
    http_access_destroy(&a);
}

static void hooks(void **state)
{
    struct http_access *a = table(), *w;
    struct http_caller who;

    (void)state;
    /* not the canonical source: its own secret decides */
    assert_int_equal(http_access_check_hook(a, false, false, NULL, &who, err, sizeof(err)), 0);
    assert_int_equal(http_access_check_hook(a, true, false, "Bearer " ADMIN_TOK, &who, err,
                                            sizeof(err)), 1);
    assert_string_equal(who.name, "ops");
    assert_int_equal(http_access_check_hook(a, true, false, "Bearer " READ_TOK, &who, err,
                                            sizeof(err)), -EPERM);
    assert_int_equal(http_access_check_hook(a, true, false, NULL, &who, err, sizeof(err)), -EACCES);
    assert_non_null(strstr(err, "write token"));
    /* the source's own token may still be the bearer */
    assert_int_equal(http_access_check_hook(a, true, true, "Bearer other-secret", &who, err,
                                            sizeof(err)), 0);
    http_access_destroy(&a);
    /* read-only tables leave the canonical source to its own secret */
    w = load("{\"tokens\": [{\"name\": \"r\", \"token\": \"" READ_TOK "\", \"role\": \"read\"}]}");
    assert_int_equal(http_access_check_hook(w, true, false, NULL, &who, err, sizeof(err)), 0);
    http_access_destroy(&w);
}

static void environment(void **state)
{
    struct http_access *a;
    struct http_caller who;

    (void)state;
    setenv("INQUEST_WRITE_TOKEN", "env-write-0123456789abcdef", 1);
    setenv("INQUEST_ADMIN_TOKEN", ADMIN_TOK, 1);
    a = load(NULL);
    assert_non_null(a);
    assert_int_equal(http_access_count(a), 2);
    assert_int_equal(http_access_check_hook(a, true, false, "Bearer env-write-0123456789abcdef",
                                            &who, err, sizeof(err)), 1);
    assert_string_equal(who.name, "env-write");
    assert_int_equal(check(a, "GET", "/api/v1/incidents", "Bearer env-write-0123456789abcdef",
                           &who), -EPERM);
    assert_int_equal(check(a, "POST", "/api/v1/incidents/x/notes", "Bearer " ADMIN_TOK, &who), 0);
    assert_string_equal(who.name, "env-admin");
    http_access_destroy(&a);
    /* the same token in the config and the environment is ambiguous */
    a = load("{\"tokens\": [{\"name\": \"ops\", \"token\": \"" ADMIN_TOK "\", \"role\": \"admin\"}]}");
    assert_null(a);
    assert_non_null(strstr(err, "same token"));
    setenv("INQUEST_READ_TOKEN", "short", 1);
    assert_null(load(NULL));
    assert_non_null(strstr(err, "INQUEST_READ_TOKEN is shorter"));
    unsetenv("INQUEST_READ_TOKEN");
    unsetenv("INQUEST_WRITE_TOKEN");
    unsetenv("INQUEST_ADMIN_TOKEN");
}

static void loopback(void **state)
{
    (void)state;
    assert_true(http_access_listen_is_loopback("127.0.0.1:7700"));
    assert_true(http_access_listen_is_loopback("127.1.2.3:7700"));
    assert_true(http_access_listen_is_loopback("[::1]:7700"));
    assert_true(http_access_listen_is_loopback("localhost:7700"));
    assert_false(http_access_listen_is_loopback("0.0.0.0:7700"));
    assert_false(http_access_listen_is_loopback("[::]:7700"));
    assert_false(http_access_listen_is_loopback("10.1.2.3:7700"));
    assert_false(http_access_listen_is_loopback("7700"));
    assert_false(http_access_listen_is_loopback(NULL));
    assert_true(http_access_zmq_is_loopback("tcp://127.0.0.1:7701"));
    assert_true(http_access_zmq_is_loopback("tcp://[::1]:7701"));
    assert_true(http_access_zmq_is_loopback("ipc:///run/inquest/ingest"));
    assert_true(http_access_zmq_is_loopback("inproc://x"));
    assert_false(http_access_zmq_is_loopback("tcp://*:7701"));
    assert_false(http_access_zmq_is_loopback("tcp://0.0.0.0:7701"));
    assert_false(http_access_zmq_is_loopback("tcp://eth0:7701"));
    assert_false(http_access_zmq_is_loopback("tcp://10.0.0.1;127.0.0.1:7701"));
    assert_false(http_access_zmq_is_loopback("pgm://x"));
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_config), cmocka_unit_test(roles),       cmocka_unit_test(external),
        cmocka_unit_test(open_table), cmocka_unit_test(hooks),       cmocka_unit_test(environment),
        cmocka_unit_test(loopback),    cmocka_unit_test(web_ui),
    };

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("http_access", tests, NULL, NULL);
}

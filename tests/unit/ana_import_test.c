/* ana_import_test.c - the history converters on the fixtures and on
 * broken copies: ids and counts, the whole import refused with the place
 * named and nothing appended, hostile channel names, bad ts, and long
 * texts cut on a UTF-8 boundary. */
#include "iq_test.h"
#include <errno.h>
#include <sys/stat.h>
#include "ana_import.h"
#include "iq_event.h"
#include "iq_time.h"

static json_t *fixture(void)
{
    char path[1024], err[IQ_ERR_MAX];
    json_t *doc = NULL;

    snprintf(path, sizeof(path), "%s/tests/data/import/api-v2-incidents.githubstatus.json",
             iq_test_root());
    if (ana_json_load_file(path, &doc, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    return doc;
}

static void test_statuspage(void **state)
{
    struct iq_evvec v = { 0 };
    char err[IQ_ERR_MAX];
    json_t *doc = fixture();
    size_t comps = 0;

    (void)state;
    assert_int_equal(ana_import_statuspage(doc, "gh.json", &v, err, sizeof(err)), 18);
    for (size_t i = 0; i < v.n; i++) {
        comps += strncmp(iq_ev_id(v.v[i]), "component:", 10) == 0;
        assert_string_equal(iq_ev_kind(v.v[i]), "status");
        assert_non_null(v.v[i]->str[IQ_F_INCIDENT_KEY]);
    }
    assert_int_equal(comps, 6);
    assert_string_equal(iq_ev_id(v.v[0]), "incident:69sb0f8lydp4:9lpqk4965mzb");
    /* a second conversion gives the same ids in the same order */
    assert_int_equal(ana_import_statuspage(doc, "gh.json", &v, err, sizeof(err)), 18);
    for (size_t i = 0; i < 18; i++)
        assert_string_equal(iq_ev_id(v.v[i]), iq_ev_id(v.v[18 + i]));
    iq_evvec_clear(&v);
    assert_int_equal(v.n, 0);
    json_decref(doc);
}

static void test_statuspage_refused(void **state)
{
    struct iq_evvec v = { 0 };
    char err[IQ_ERR_MAX];
    json_t *doc = fixture(), *inc1 = json_array_get(json_object_get(doc, "incidents"), 1);
    json_t *upd = json_array_get(json_object_get(inc1, "incident_updates"), 2);
    json_t *arr = json_array();

    (void)state;
    json_object_del(upd, "display_at");
    json_object_del(upd, "created_at");
    assert_int_equal(ana_import_statuspage(doc, "gh.json", &v, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "gh.json: incidents[1].incident_updates[2]: no 'display_at' or "
                             "'created_at' RFC 3339 time");
    assert_int_equal(v.n, 0);
    json_object_del(inc1, "id");
    assert_int_equal(ana_import_statuspage(doc, "gh.json", &v, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "gh.json: incidents[1]: no 'id' (a string of 1-64 bytes)");
    assert_int_equal(ana_import_statuspage(arr, "x.json", &v, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not a Statuspage incidents document"));
    assert_int_equal(v.n, 0);
    json_decref(arr);
    json_decref(doc);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_slack(void **state)
{
    struct iq_evvec v = { 0 };
    char dir[1024], err[IQ_ERR_MAX];

    (void)state;
    snprintf(dir, sizeof(dir), "%s/tests/data/import/slack-export", iq_test_root());
    assert_int_equal(ana_import_slack(dir, &v, err, sizeof(err)), 19);
    /* channels in channels.json order (random first), days in date order */
    assert_string_equal(iq_ev_id(v.v[0]), "slack:C8VAHF5FX:1516454398.000069");
    assert_string_equal(iq_ev_action(v.v[0]), "joined");
    assert_string_equal(iq_ev_id(v.v[11]), "slack:C9INC0001:1516450000.000001");
    assert_int_equal(v.v[13]->at, 1516540005123LL);
    assert_string_equal(iq_event_label(v.v[13], "bot"), "true");
    assert_string_equal(iq_event_label(v.v[3], "user_name"), "k._");
    /* then the user directory: display name, else real name, else name */
    assert_string_equal(iq_ev_id(v.v[15]), "slack:user:U8VAHEVUY");
    assert_string_equal(iq_ev_kind(v.v[15]), "note");
    assert_string_equal(iq_ev_action(v.v[15]), "user");
    assert_null(v.v[15]->str[IQ_F_ACTOR]);
    assert_null(iq_ev_service(v.v[15]));
    assert_string_equal(iq_event_label(v.v[15], "user_name"), "steve");
    assert_string_equal(iq_event_label(v.v[16], "user_name"), "Rishi");
    assert_string_equal(iq_event_label(v.v[18], "user"), "U8X25EBAB");
    assert_string_equal(iq_event_label(v.v[18], "user_name"), "amy");
    iq_evvec_clear(&v);
}

static void test_slack_refused(void **state)
{
    struct iq_evvec v = { 0 };
    char dir[256], path[512], err[IQ_ERR_MAX], cmd[600], *big;
    size_t n = 20000;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/iq-slack-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    assert_int_equal(ana_import_slack(dir, &v, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "no channels.json"));

    snprintf(path, sizeof(path), "%s/channels.json", dir);
    write_file(path, "[{\"id\": \"C1\", \"name\": \"../etc\"}]");
    assert_int_equal(ana_import_slack(dir, &v, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "channels.json[0]: needs an 'id' and a 'name' usable"));

    write_file(path, "[{\"id\": \"C1\", \"name\": \"ops\"}]");
    snprintf(path, sizeof(path), "%s/ops", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/ops/2020-01-01.json", dir);
    write_file(path, "[{\"type\": \"message\", \"text\": \"a\", \"ts\": \"1577836800.000100\"},"
                     " {\"type\": \"message\", \"text\": \"b\", \"ts\": \"soon\"}]");
    assert_int_equal(ana_import_slack(dir, &v, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "ops/2020-01-01.json[1]: no valid 'ts'"));
    assert_int_equal(v.n, 0);

    /* a 3-byte character straddling the text limit is dropped whole */
    big = malloc(n * 3 + 200);
    assert_non_null(big);
    memcpy(big, "[{\"type\": \"message\", \"text\": \"xy", 32);
    for (size_t i = 0; i < n; i++)
        memcpy(big + 32 + 3 * i, "\xe3\x81\x82", 3);
    memcpy(big + 32 + 3 * n, "\", \"ts\": \"1577836800.5\"}]", 26);
    write_file(path, big);
    free(big);
    assert_int_equal(ana_import_slack(dir, &v, err, sizeof(err)), 1);
    /* 2 + 3k bytes: 16384 would split the 5461st character, so 16382 */
    assert_int_equal(strlen(v.v[0]->str[IQ_F_TEXT]), 16382);
    assert_true(iq_utf8_valid(v.v[0]->str[IQ_F_TEXT], 16382));
    assert_int_equal(v.v[0]->at, 1577836800500LL);
    assert_string_equal(iq_ev_id(v.v[0]), "slack:C1:1577836800.5");
    iq_evvec_clear(&v);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_statuspage),
    cmocka_unit_test(test_statuspage_refused),
    cmocka_unit_test(test_slack),
    cmocka_unit_test(test_slack_refused),
};

TEST_MAIN(tests)

/* ana_query_test.c - cross-incident queries on a generated history with
 * known answers, in a real RocksDB store in a temp directory: statistics
 * (nearest-rank medians and p90), grouping, filters, analysts' class
 * notes, recurring failures, classes computed from member events, and the
 * draft's Recurrence section.
 *
 * The history: 20 incidents, one a week from BASE (a Monday); incident i
 * is on service "web" (i even) or "api" (i odd), class "dns" when i % 3 == 0
 * else "database", severity "critical" when i % 4 == 0 else "warning";
 * time to detect 60(i+1) s, acknowledge 60(i+2) s, mitigate and impact
 * 600 + 60i s, resolve 1200 + 60i s.  Expected values below are worked out
 * by hand from that description. */
#include "iq_test.h"
#include <errno.h>
#include "ana_classes.h"
#include "ana_query.h"
#include "iq_codec.h"
#include "store.h"
#include "store_keys.h"
#include "iq_event.h"
#include "iq_time.h"

#define BASE 1767571200000LL   /* 2026-01-05T00:00:00Z, a Monday */
#define WEEK (7 * 86400000LL)
#define N 20

static char dir[256];
static struct store *st;

static void put_incident(int i, bool with_classes, const char *event_id)
{
    char id[32], at[IQ_TIME_STRLEN], key[64], *s;
    json_t *inc;
    size_t kl;

    snprintf(id, sizeof(id), "inc-20260105-%08x", (unsigned)i);
    iq_time_format(BASE + i * WEEK, at, sizeof(at));
    inc = json_pack("{s:s, s:s, s:[s], s:s, s:s, s:{s:{s:s}}, s:{s:I, s:I, s:I, s:I, s:I}, s:[s]}",
                    "id", id, "title", "t", "services", i % 2 ? "api" : "web",
                    "severity", i % 4 == 0 ? "critical" : "warning", "opened_at", at,
                    "milestones", "impact_start", "at", at,
                    "durations", "time_to_detect", (json_int_t)(60 * (i + 1)),
                    "time_to_acknowledge", (json_int_t)(60 * (i + 2)),
                    "time_to_mitigate", (json_int_t)(600 + 60 * i),
                    "time_to_resolve", (json_int_t)(1200 + 60 * i),
                    "impact", (json_int_t)(600 + 60 * i), "event_ids", event_id ? event_id : "none");
    assert_non_null(inc);
    if (with_classes)
        json_object_set_new(inc, "classes",
                            json_pack("[{s:s, s:f}]", "class", i % 3 == 0 ? "dns" : "database",
                                      "confidence", 0.9));
    s = json_dumps(inc, JSON_COMPACT);
    kl = (size_t)snprintf(key, sizeof(key), "i%s", id);

    assert_int_equal(store_kv_put(st, STORE_CF_INCIDENTS, key, kl, s, strlen(s)), 0);
    free(s);
    json_decref(inc);
}

/* Store an alert event id titled title at ms (ev, when not NULL, gets the
 * event, still owned by the caller). */
static void put_alert(const char *id, const char *title, int64_t at, struct iq_event **ev)
{
    struct iq_event *e = iq_event_new();
    char err[IQ_ERR_MAX];
    uint8_t outcome[1];

    iq_event_set_str(e, IQ_F_ID, id);
    iq_event_set_str(e, IQ_F_SOURCE, "test");
    iq_event_set_str(e, IQ_F_KIND, "alert");
    iq_event_set_str(e, IQ_F_ACTION, "firing");
    iq_event_set_str(e, IQ_F_TITLE, title);
    e->at = at;
    assert_int_equal(iq_event_validate(e, err, sizeof(err)), 0);
    assert_int_equal(store_put_events(st, &e, 1, outcome), 1);
    if (ev)
        *ev = e;
    else
        iq_event_destroy(&e);
}

static int setup(void **state)
{
    struct store_opts o = { 0 };

    (void)state;
    snprintf(dir, sizeof(dir), "%s/iq-ana-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir) || store_open(dir, &o, &st) < 0)
        return -1;
    for (int i = 0; i < N; i++)
        put_incident(i, true, NULL);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    store_close(&st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

static json_t *query(const struct ana_query *q)
{
    json_t *res = NULL;

    assert_int_equal(ana_query_run(st, NULL, q, &res), 0);
    return res;
}

static json_int_t metric(const json_t *g, const char *m, const char *which)
{
    return json_integer_value(json_object_get(json_object_get(g, m), which));
}

static const json_t *group(const json_t *res, const char *key)
{
    const json_t *g;
    size_t i;

    json_array_foreach(json_object_get(res, "groups"), i, g)
        if (strcmp(json_string_value(json_object_get(g, "key")), key) == 0)
            return g;
    fail_msg("no group %s", key);
    return NULL;
}

static void test_totals(void **state)
{
    struct ana_query q = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE };
    json_t *res = query(&q);
    const json_t *g = group(res, "all");

    (void)state;
    assert_int_equal(json_integer_value(json_object_get(res, "incidents")), N);
    assert_int_equal(json_integer_value(json_object_get(g, "count")), N);
    /* ttd 60..1200: rank 10 -> 600, rank 18 -> 1080 */
    assert_int_equal(metric(g, "mttd", "median"), 600);
    assert_int_equal(metric(g, "mttd", "p90"), 1080);
    assert_int_equal(metric(g, "mtta", "median"), 660);
    assert_int_equal(metric(g, "mttm", "median"), 600 + 60 * 9);
    assert_int_equal(metric(g, "mttr", "p90"), 1200 + 60 * 17);
    /* sum(600 + 60i) = 12000 + 11400 = 23400 s */
    assert_true(json_real_value(json_object_get(g, "impact_minutes")) == 390.0);
    assert_string_equal(json_string_value(json_object_get(g, "first_seen")), "2026-01-05T00:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(g, "last_seen")), "2026-05-18T00:00:00.000Z");
    json_decref(res);
}

/* The list the web UI reads: every matching incident once, in opening
 * order, with its durations, severity and stored classes; the month
 * report: the groups of ana_query_run with class counts, and the
 * recurring pairs of ana_query_recurring, from one read. */
static void test_list_and_report(void **state)
{
    struct ana_query q = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE, .service = "api" };
    struct ana_list *l = NULL;
    const struct ana_row *r;
    json_t *rep = NULL, *rec = NULL;
    const json_t *jan, *mar;

    (void)state;
    assert_int_equal(ana_query_list(st, NULL, &q, &l), 0);
    assert_int_equal(ana_list_count(l), N / 2);
    r = ana_list_rows(l);
    assert_string_equal(r[0].id, "inc-20260105-00000001");
    assert_string_equal(r[0].title, "t");
    assert_string_equal(r[0].severity, "warning");
    assert_int_equal(r[0].dur[ANA_D_TTD], 120);
    assert_int_equal(r[0].dur[ANA_D_IMPACT], 660);
    assert_string_equal(json_string_value(json_array_get(r[0].classes, 0)), "database");
    for (size_t i = 1; i < ana_list_count(l); i++)
        assert_true(r[i].opened > r[i - 1].opened);
    ana_list_free(&l);
    assert_null(l);

    q = (struct ana_query){ .since = IQ_TIME_NONE, .until = IQ_TIME_NONE,
                            .group = ANA_GROUP_MONTH, .class_counts = true };
    assert_int_equal(ana_query_report(st, NULL, &q, ANA_RECUR_WINDOW_MS, &rep), 0);
    assert_int_equal(json_array_size(json_object_get(rep, "groups")), 5);
    jan = group(rep, "2026-01");   /* i = 0..3: dns 0 and 3 */
    mar = group(rep, "2026-03");   /* i = 8..12: dns 9 and 12 */
    assert_int_equal(json_integer_value(json_object_get(jan, "count")), 4);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(jan, "classes"), "dns")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(jan, "classes"), "database")), 2);
    assert_int_equal(json_integer_value(json_object_get(mar, "count")), 5);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(mar, "classes"), "database")), 3);
    assert_int_equal(ana_query_recurring(st, NULL, &q, ANA_RECUR_WINDOW_MS, &rec), 0);
    assert_true(json_array_size(rec) > 0);
    assert_true(json_equal(rec, json_object_get(rep, "recurring")));
    json_decref(rep);
    json_decref(rec);
}

static void test_groups_and_filters(void **state)
{
    struct ana_query q = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE, .group = ANA_GROUP_CLASS };
    json_t *res = query(&q);

    (void)state;
    /* dns: i = 0,3,...,18 (7 incidents): ttd 60,240,...,1140 -> rank 4 = 600, rank 7 = 1140 */
    assert_int_equal(json_integer_value(json_object_get(group(res, "dns"), "count")), 7);
    assert_int_equal(metric(group(res, "dns"), "mttd", "median"), 600);
    assert_int_equal(metric(group(res, "dns"), "mttd", "p90"), 1140);
    assert_int_equal(json_integer_value(json_object_get(group(res, "database"), "count")), 13);
    json_decref(res);

    q.group = ANA_GROUP_SERVICE;
    q.severity = "critical";          /* i = 0,4,8,12,16: all on web */
    res = query(&q);
    assert_int_equal(json_array_size(json_object_get(res, "groups")), 1);
    assert_int_equal(json_integer_value(json_object_get(group(res, "web"), "count")), 5);
    json_decref(res);

    q = (struct ana_query){ .since = BASE + 4 * WEEK, .until = BASE + 8 * WEEK,
                            .group = ANA_GROUP_MONTH, .service = "api", .class_name = "database" };
    res = query(&q);                  /* i = 5, 7: Feb 9 and Feb 23 */
    assert_int_equal(json_integer_value(json_object_get(res, "incidents")), 2);
    assert_int_equal(json_integer_value(json_object_get(group(res, "2026-02"), "count")), 2);
    json_decref(res);

    q = (struct ana_query){ .since = IQ_TIME_NONE, .until = IQ_TIME_NONE, .group = ANA_GROUP_WEEK };
    res = query(&q);
    assert_int_equal(json_array_size(json_object_get(res, "groups")), N);
    assert_int_equal(json_integer_value(json_object_get(group(res, "2026-01-12"), "count")), 1);
    json_decref(res);
}

static void put_note(const char *id, int64_t at, const char *inc, const char *cls, const char *op)
{
    struct iq_event *ev = iq_event_new();
    char err[IQ_ERR_MAX];
    uint8_t outcome[1];

    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_SOURCE, "inquest");
    iq_event_set_str(ev, IQ_F_KIND, "note");
    iq_event_set_str(ev, IQ_F_ACTION, "class");
    iq_event_set_str(ev, IQ_F_INCIDENT_KEY, ANA_CLASS_NOTE_KEY);
    iq_event_set_label(ev, "incident", inc);
    iq_event_set_label(ev, "class", cls);
    iq_event_set_label(ev, "op", op);
    ev->at = at;
    assert_int_equal(iq_event_validate(ev, err, sizeof(err)), 0);
    assert_int_equal(store_put_events(st, &ev, 1, outcome), 1);
    iq_event_destroy(&ev);
}

static void test_recurring_and_notes(void **state)
{
    struct ana_query q = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE };
    json_t *res = NULL;
    const json_t *e;

    (void)state;
    /* dns on web: i = 0, 6, 12, 18 (6 weeks apart); dns on api: 3, 9, 15 */
    assert_int_equal(ana_query_recurring(st, NULL, &q, 90 * 86400000LL, &res), 0);
    assert_int_equal(json_array_size(res), 4);
    e = json_array_get(res, 0);       /* database/api: 1,5,7,11,13,17,19 = 7 */
    assert_string_equal(json_string_value(json_object_get(e, "class")), "database");
    assert_string_equal(json_string_value(json_object_get(e, "service")), "api");
    assert_int_equal(json_integer_value(json_object_get(e, "count")), 7);
    json_decref(res);
    /* with a 5-week window the 6-weekly dns incidents do not recur */
    assert_int_equal(ana_query_recurring(st, NULL, &q, 35 * 86400000LL, &res), 0);
    assert_int_equal(json_array_size(res), 2);
    json_decref(res);

    /* an analyst removes dns from incident 0 and sets network on it */
    put_note("n1", BASE + 100 * WEEK, "inc-20260105-00000000", "dns", "remove");
    put_note("n2", BASE + 100 * WEEK + 1, "inc-20260105-00000000", "network", "set");
    q.group = ANA_GROUP_CLASS;
    assert_int_equal(ana_query_run(st, NULL, &q, &res), 0);
    assert_int_equal(json_integer_value(json_object_get(group(res, "dns"), "count")), 6);
    assert_int_equal(json_integer_value(json_object_get(group(res, "network"), "count")), 1);
    json_decref(res);
    put_note("n3", BASE + 101 * WEEK, "inc-20260105-00000000", "dns", "set");
    put_note("n4", BASE + 101 * WEEK + 1, "inc-20260105-00000000", "network", "remove");
}

static void test_recurrence_section(void **state)
{
    json_t *inc = json_pack("{s:s}", "id", "inc-20260105-0000000c"), *res = NULL;
    const json_t *e;

    (void)state;
    /* incident 12: dns on web; earlier dns on web: 0 (12 weeks before), 6 (6 weeks) */
    assert_int_equal(ana_recurrence(st, inc, &res), 0);
    assert_int_equal(json_array_size(json_object_get(res, "earlier")), 2);
    e = json_array_get(json_object_get(res, "earlier"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "id")), "inc-20260105-00000000");
    assert_string_equal(json_string_value(json_object_get(e, "date")), "2026-01-05T00:00:00.000Z");
    assert_int_equal(json_integer_value(json_object_get(e, "duration")), 1200);
    /* 0 is 84 days before, 6 is 42: three in 90 days */
    assert_int_equal(json_integer_value(json_object_get(res, "repeats_90d")), 3);
    assert_true(json_is_true(json_object_get(res, "review_recommended")));
    assert_non_null(strstr(json_string_value(json_object_get(res, "recommendation")),
                           "architecture or SLO review"));
    json_decref(res);
    json_decref(inc);
    /* incident 6: only 0 before it: no review */
    inc = json_pack("{s:s}", "id", "inc-20260105-00000006");
    assert_int_equal(ana_recurrence(st, inc, &res), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "repeats_90d")), 2);
    assert_false(json_is_true(json_object_get(res, "review_recommended")));
    assert_true(json_is_null(json_object_get(res, "recommendation")));
    json_decref(res);
    json_decref(inc);
    inc = json_pack("{s:s}", "id", "inc-nope");
    assert_int_equal(ana_recurrence(st, inc, &res), -ENOENT);
    json_decref(inc);
}

/* An incident without stored classes is classified from its events. */
static void test_computed_classes(void **state)
{
    struct ana_query q = { .since = BASE + 50 * WEEK, .until = IQ_TIME_NONE,
                           .group = ANA_GROUP_CLASS };
    struct ana_classes *c = NULL;
    char path[1024], err[IQ_ERR_MAX];
    json_t *res = NULL;

    (void)state;
    snprintf(path, sizeof(path), "%s/schemas/classes.json", iq_test_root());
    assert_int_equal(ana_classes_new(&c), 0);
    assert_true(ana_classes_add_file(c, path, err, sizeof(err)) > 0);
    put_alert("ev-disk", "Disk full on logs-1: no space left on device", BASE + 60 * WEEK, NULL);
    put_incident(60, false, "ev-disk");
    assert_int_equal(ana_query_run(st, c, &q, &res), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "incidents")), 1);
    assert_int_equal(json_integer_value(json_object_get(group(res, "storage-full"), "count")), 1);
    json_decref(res);
    ana_classes_destroy(&c);
}

/* Replace the stored value of event id (at ms) by ev's encoding, as if
 * it had always said that: the memo cannot notice. */
static void restore_event(const char *id, int64_t at, const struct iq_event *ev)
{
    char key[300];
    size_t kl = store_key_time(key, at, id, strlen(id));
    msgpack_sbuffer sb;

    assert_int_equal(iq_event_encode(ev, &sb), 0);
    assert_int_equal(store_kv_put(st, STORE_CF_BY_TIME, key, kl, sb.data, sb.size), 0);
    msgpack_sbuffer_destroy(&sb);
}

/* Classes computed from events are remembered by the taxonomy for the
 * incident's stored text: the same text reuses them even when the events
 * would now say otherwise; a changed text, or a changed taxonomy,
 * computes again. */
static void test_memo(void **state)
{
    struct ana_query dns = { .since = BASE + 61 * WEEK, .until = IQ_TIME_NONE,
                             .class_name = "dns" };
    struct ana_query disk = dns;
    struct iq_event *ev = NULL;
    struct ana_classes *c = NULL;
    char path[PATH_MAX], err[IQ_ERR_MAX];
    json_t *res = NULL;

    (void)state;
    disk.class_name = "storage-full";
    snprintf(path, sizeof(path), "%s/schemas/classes.json", iq_test_root());
    assert_int_equal(ana_classes_new(&c), 0);
    assert_true(ana_classes_add_file(c, path, err, sizeof(err)) > 0);
    put_alert("ev-memo", "DNS resolution failed: NXDOMAIN for db.internal", BASE + 61 * WEEK, &ev);
    put_incident(61, false, "ev-memo");
    assert_int_equal(ana_query_run(st, c, &dns, &res), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "incidents")), 1);
    json_decref(res);
    /* the event now reads as a full disk; the incident's text is the same */
    iq_event_set_str(ev, IQ_F_TITLE, "Disk full on logs-1: no space left on device");
    restore_event("ev-memo", ev->at, ev);
    assert_int_equal(ana_query_run(st, c, &dns, &res), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "incidents")), 1);
    json_decref(res);
    /* a new text (another title) is classified again */
    assert_int_equal(store_kv_put(st, STORE_CF_INCIDENTS, "iinc-20260105-0000003d", 22,
                                  "{\"id\":\"inc-20260105-0000003d\",\"title\":\"again\","
                                  "\"services\":[\"web\"],\"opened_at\":\"2027-03-08T00:00:00.000Z\","
                                  "\"event_ids\":[\"ev-memo\"]}", 128), 0);
    assert_int_equal(ana_query_run(st, c, &disk, &res), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "incidents")), 1);
    json_decref(res);
    assert_int_equal(ana_query_run(st, c, &dns, &res), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "incidents")), 0);
    json_decref(res);
    iq_event_destroy(&ev);
    ana_classes_destroy(&c);
}

/* Odd but valid text (escapes, spaces, members in any order) falls back
 * to the full parse and reads the same; a value that is not an incident
 * is skipped. */
static void test_odd_text(void **state)
{
    static const char odd[] =
        "{ \"title\" : \"a \\\"quoted\\\" title\", \"services\" : [ \"pay\\u00e9\" ],\n"
        "  \"durations\": {\"time_to_detect\": 30, \"impact\": null},\n"
        "  \"opened_at\": \"2027-06-01T00:00:00.000Z\", \"id\": \"inc-20270301-00000001\" }";
    struct ana_query q = { .since = BASE + 70 * WEEK, .until = IQ_TIME_NONE,
                           .group = ANA_GROUP_SERVICE };
    json_t *res = NULL;

    (void)state;
    assert_int_equal(store_kv_put(st, STORE_CF_INCIDENTS, "iinc-20270301-00000001", 22, odd,
                                  strlen(odd)), 0);
    assert_int_equal(store_kv_put(st, STORE_CF_INCIDENTS, "izzz", 4, "[1,2]", 5), 0);
    assert_int_equal(ana_query_run(st, NULL, &q, &res), 0);
    assert_int_equal(json_integer_value(json_object_get(res, "incidents")), 1);
    assert_int_equal(metric(group(res, "pay\xc3\xa9"), "mttd", "median"), 30);
    json_decref(res);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_totals),
    cmocka_unit_test(test_list_and_report),
    cmocka_unit_test(test_groups_and_filters),
    cmocka_unit_test(test_recurring_and_notes),
    cmocka_unit_test(test_recurrence_section),
    cmocka_unit_test(test_computed_classes),
    cmocka_unit_test(test_memo),
    cmocka_unit_test(test_odd_text),
};

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--test") == 0 && i + 1 < argc)
            cmocka_set_test_filter(argv[++i]);
    return cmocka_run_group_tests(tests, setup, teardown);
}

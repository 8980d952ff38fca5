/* pm_store_test.c - finished postmortems in a real RocksDB store (a temp
 * directory): versions deduplicated by content hash with their history,
 * published_at, the follow-ups computed from records and incidents (days
 * overdue at the edges of a day, reviews due, late postmortems, filters),
 * the reminder marks and payloads.
 *
 * The world: two incidents resolved on RES (2026-11-02T10:00Z), "inc-a" on
 * checkout-api with a postmortem, "inc-b" on search-api without one; NOW
 * is 2026-12-02T09:00Z, the day the 30-day review of inc-a is due. */
#include "iq_test.h"
#include <errno.h>
#include "cor_store.h"
#include "store.h"
#include "iq_time.h"
#include "pm_follow.h"
#include "pm_daemon.h"
#include "pm_store.h"
#include "pm_words.h"

#define DAY 86400000LL
#define RES 1793613600000LL   /* 2026-11-02T10:00:00Z */
#define NOW 1796202000000LL   /* 2026-12-02T09:00:00Z */

static char dir[256];
static struct store *st;

static json_t *incident(const char *id, const char *svc)
{
    char opened[IQ_TIME_STRLEN], res[IQ_TIME_STRLEN];

    iq_time_format(RES - 3600000, opened, sizeof(opened));
    iq_time_format(RES, res, sizeof(res));
    return json_pack("{s:s, s:s, s:[s], s:s, s:s, s:{s:{s:s, s:n, s:s}}}", "id", id, "title", id,
                    "services", svc, "opened_at", opened, "closed_at", res, "milestones",
                    "resolved", "at", res, "event", "rule", "manual");
}

static int setup(void **state)
{
    struct store_opts o = { 0 };
    json_t *incs[2] = { incident("inc-a", "checkout-api"), incident("inc-b", "search-api") };
    int r = -1;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/iq-pm-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");

    if (mkdtemp(dir) && store_open(dir, &o, &st) == 0 && incs[0] && incs[1])
        r = cor_store_replace(st, incs, 2, IQ_TIME_NONE);
    json_decref(incs[0]);
    json_decref(incs[1]);
    return r;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    store_close(&st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

/* A record as pm_doc_read makes it, with items due relative to NOW's day. */
static json_t *record(const char *status)
{
    char d_yesterday[16], d_today[16];

    pm_date_format(pm_day_of(NOW) - DAY, d_yesterday, sizeof(d_yesterday));
    pm_date_format(pm_day_of(NOW), d_today, sizeof(d_today));
    return json_pack("{s:s, s:s, s:s, s:[{s:i, s:s}, {s:i, s:s}], s:[{s:i, s:s, s:s, s:s, s:s, s:b, s:s},"
                     "{s:i, s:s, s:s, s:s, s:s, s:b, s:s}, {s:i, s:s, s:s, s:s, s:s, s:b, s:s},"
                     "{s:i, s:s, s:n, s:n, s:s, s:b, s:s}]}",
                     "incident", "inc-a", "status", status, "owner", "@Dana", "reviews",
                     "after_days", 30, "state", "open", "after_days", 60, "state", "open",
                     "items",
                     "line", 10, "text", "late item", "owner", "@bob", "due", d_yesterday,
                     "strength", "tool", "weak", 0, "state", "open",
                     "line", 11, "text", "due today", "owner", "Carol", "due", d_today,
                     "strength", "rule", "weak", 0, "state", "open",
                     "line", 12, "text", "late but done", "owner", "@bob", "due", d_yesterday,
                     "strength", "mechanism", "weak", 0, "state", "done",
                     "line", 13, "text", "no date", "owner", "due", "strength", "promise",
                     "weak", 1, "state", "open");
}

static void versions(void **state)
{
    char h1[PM_HASH_HEX], h2[PM_HASH_HEX], *text = NULL;
    json_t *rec = record("draft"), *cur = NULL, *hist = NULL;
    enum pm_put put;
    size_t len;

    (void)state;
    pm_hash("v1", 2, h1);
    pm_hash("v2", 2, h2);
    assert_string_not_equal(h1, h2);
    assert_int_equal(pm_store_put(st, rec, "a.md", "v1", 2, h1, NOW - 3 * DAY, &put), 0);
    assert_int_equal(put, PM_PUT_NEW);
    assert_int_equal(pm_store_put(st, rec, "a.md", "v1", 2, h1, NOW - 2 * DAY, &put), 0);
    assert_int_equal(put, PM_PUT_UNCHANGED);
    json_object_set_new(rec, "status", json_string("published"));
    assert_int_equal(pm_store_put(st, rec, "moved/a.md", "v2", 2, h2, NOW - DAY, &put), 0);
    assert_int_equal(put, PM_PUT_UPDATED);
    assert_int_equal(pm_store_put(st, rec, "moved/a.md", "v1", 2, h1, NOW, &put), 0);
    assert_int_equal(put, PM_PUT_UPDATED);   /* back to the first text: a third version */
    assert_int_equal(pm_store_get(st, "inc-a", &cur), 0);
    assert_int_equal(json_integer_value(json_object_get(cur, "versions")), 3);
    assert_string_equal(json_string_value(json_object_get(cur, "path")), "moved/a.md");
    /* published since the version synced the day before, kept after */
    assert_string_equal(json_string_value(json_object_get(cur, "published_at")),
                        "2026-12-01T09:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(cur, "first_synced_at")),
                        "2026-11-29T09:00:00.000Z");
    assert_int_equal(pm_store_history(st, "inc-a", &hist), 0);
    assert_int_equal(json_array_size(hist), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(hist, 0), "status")), "draft");
    assert_string_equal(json_string_value(json_object_get(json_array_get(hist, 1), "hash")), h2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(hist, 2), "hash")), h1);
    assert_int_equal(pm_store_text(st, h2, &text, &len), 0);
    assert_memory_equal(text, "v2", 2);
    free(text);
    assert_int_equal(pm_store_get(st, "inc-b", &hist), -ENOENT);
    json_decref(hist);
    json_decref(cur);
    json_decref(rec);
}

static const json_t *row(const json_t *res, const char *kind, const char *incident, const char *item)
{
    const json_t *r;
    size_t i;

    json_array_foreach(json_object_get(res, "followups"), i, r)
        if (strcmp(json_string_value(json_object_get(r, "kind")), kind) == 0 &&
            strcmp(json_string_value(json_object_get(r, "incident")), incident) == 0 &&
            (!item || strcmp(json_string_value(json_object_get(r, "item")), item) == 0))
            return r;
    return NULL;
}

static json_t *follow(const char *k1, const char *v1, const char *k2, const char *v2)
{
    struct pm_follow_query q;
    char err[160];
    json_t *res = NULL;

    pm_follow_query_init(&q);
    q.now = NOW;
    if (k1)
        assert_int_equal(pm_follow_query_set(&q, k1, v1, err, sizeof(err)), 0);
    if (k2)
        assert_int_equal(pm_follow_query_set(&q, k2, v2, err, sizeof(err)), 0);
    assert_int_equal(pm_followups(st, &q, &res), 0);
    return res;
}

static json_int_t days_of(const json_t *r)
{
    const json_t *d = json_object_get(r, "days_overdue");

    assert_non_null(r);
    return json_is_integer(d) ? json_integer_value(d) : -1;
}

static void followups(void **state)
{
    json_t *rec = record("in-review"), *res;
    char h[PM_HASH_HEX], err[160];
    struct pm_follow_query q;

    (void)state;
    pm_hash("v3", 2, h);
    assert_int_equal(pm_store_put(st, rec, "a.md", "v3", 2, h, NOW, NULL), 0);
    res = follow(NULL, NULL, NULL, NULL);
    assert_int_equal(days_of(row(res, "item", "inc-a", "late item")), 1);
    assert_int_equal(days_of(row(res, "item", "inc-a", "due today")), -1);
    assert_int_equal(days_of(row(res, "item", "inc-a", "late but done")), -1);
    assert_int_equal(days_of(row(res, "item", "inc-a", "no date")), -1);
    /* resolved 2026-11-02: the 30-day review is due today (0 days), the 60-day one later */
    assert_int_equal(days_of(row(res, "review", "inc-a", "follow-up review (30 days after resolution)")), 0);
    assert_int_equal(days_of(row(res, "review", "inc-a", "follow-up review (60 days after resolution)")), -1);
    /* in review 30 days after resolution, a week late: 23 days; none synced for inc-b */
    assert_int_equal(days_of(row(res, "unpublished", "inc-a", NULL)), 23);
    assert_string_equal(json_string_value(json_object_get(row(res, "unpublished", "inc-b", NULL), "item")),
                        "no postmortem synced");
    assert_string_equal(json_string_value(json_object_get(row(res, "unpublished", "inc-b", NULL), "state")),
                        "missing");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "counts"), "overdue")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(res, "counts"), "reviews_due")), 1);
    json_decref(res);
    /* filters */
    res = follow("overdue", "1", NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(res, "followups")), 4);
    json_decref(res);
    res = follow("owner", "BOB", "overdue", "");
    assert_int_equal(json_array_size(json_object_get(res, "followups")), 1);
    assert_non_null(row(res, "item", "inc-a", "late item"));
    json_decref(res);
    res = follow("owner", "@dana", NULL, NULL);   /* the document's owner has its reviews */
    assert_non_null(row(res, "review", "inc-a", NULL));
    assert_null(row(res, "item", "inc-a", NULL));
    json_decref(res);
    res = follow("service", "search-api", "unpublished_after", "31d");
    assert_int_equal(json_array_size(json_object_get(res, "followups")), 0);
    json_decref(res);
    res = follow("service", "search-api", "unpublished_after", "29d");
    assert_int_equal(json_array_size(json_object_get(res, "followups")), 1);
    json_decref(res);
    pm_follow_query_init(&q);
    assert_int_equal(pm_follow_query_set(&q, "colour", "blue", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "unknown parameter 'colour'"));
    assert_int_equal(pm_follow_query_set(&q, "unpublished_after", "soon", err, sizeof(err)), -EINVAL);
    assert_int_equal(pm_follow_query_set(&q, "overdue", "perhaps", err, sizeof(err)), -EINVAL);
    json_decref(rec);
}

static void marks(void **state)
{
    int64_t day = pm_day_of(NOW);

    (void)state;
    assert_int_equal(pm_store_mark_get(st, day, "k:item:inc-a:1"), 0);
    assert_int_equal(pm_store_mark_put(st, day, "k:item:inc-a:1"), 0);
    assert_int_equal(pm_store_mark_put(st, day - 9 * DAY, "k:item:inc-a:1"), 0);
    assert_int_equal(pm_store_mark_get(st, day, "k:item:inc-a:1"), 1);
    assert_int_equal(pm_store_mark_get(st, day + DAY, "k:item:inc-a:1"), 0);
    assert_int_equal(pm_store_marks_prune(st, day - 7 * DAY), 0);
    assert_int_equal(pm_store_mark_get(st, day - 9 * DAY, "k:item:inc-a:1"), 0);
    assert_int_equal(pm_store_mark_get(st, day, "k:item:inc-a:1"), 1);
}

static void payloads(void **state)
{
    json_t *r = json_pack("{s:s, s:s, s:[s], s:s, s:s, s:s, s:s, s:I}", "kind", "item", "incident",
                          "inc-a", "services", "checkout-api", "item", "late item", "owner", "@bob",
                          "due", "2026-12-01", "ticket", "OPS-1", "days_overdue", (json_int_t)1);
    json_t *s = pm_remind_payload(IQ_HOOK_SLACK, r), *g = pm_remind_payload(IQ_HOOK_GENERIC, r);

    (void)state;
    assert_string_equal(json_string_value(json_object_get(s, "text")),
                        "Overdue action item of inc-a (1 days, due 2026-12-01, owner @bob, OPS-1): late item");
    assert_string_equal(json_string_value(json_object_get(g, "type")), "inquest.followup.overdue");
    assert_null(json_object_get(g, "kind"));
    assert_string_equal(json_string_value(json_object_get(g, "item")), "late item");
    json_decref(s);
    json_decref(g);
    json_object_set_new(r, "kind", json_string("review"));
    g = pm_remind_payload(IQ_HOOK_GENERIC, r);
    assert_string_equal(json_string_value(json_object_get(g, "type")), "inquest.followup.review_due");
    json_decref(g);
    json_decref(r);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(versions),
    cmocka_unit_test(followups),
    cmocka_unit_test(marks),
    cmocka_unit_test(payloads),
};

TEST_MAIN_GROUP(tests, setup, teardown)

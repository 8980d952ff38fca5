/* rnd_model_test.c - unit tests of the draft's wording (render/rnd_fmt.c)
 * and of the timeline (render/rnd_timeline.c): durations as people write
 * them, dates, safe links, joined lists, repeated notifications collapsed,
 * milestone markers, day headings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "iq_time.h"
#include "rnd_fmt.h"
#include "rnd_people.h"
#include "rnd_timeline.h"

static int64_t t(const char *s)
{
    int64_t ms = 0;

    assert_int_equal(iq_time_parse_rfc3339(s, strlen(s), &ms), 0);
    return ms;
}

static void durations(void **state)
{
    static const struct { int64_t s; const char *want; } rows[] = {
        { 0, "0 s" }, { 45, "45 s" }, { 60, "1 min" }, { 150, "2 min 30 s" }, { 599, "9 min 59 s" },
        { 601, "10 min" }, { 2520, "42 min" }, { 3600, "1 h" }, { 4320, "1 h 12 min" },
        { 86400, "1 d" }, { 183600, "2 d 3 h" }, { -1, "unknown" },
    };
    char buf[48];

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        rnd_fmt_duration(rows[i].s, buf, sizeof(buf));
        assert_string_equal(buf, rows[i].want);
    }
}

static void dates(void **state)
{
    char buf[64];
    int64_t ms = t("2026-10-21T13:42:59.999Z");

    (void)state;
    rnd_fmt_date_short(ms, buf, sizeof(buf));
    assert_string_equal(buf, "21 Oct 2026");
    rnd_fmt_date_iso(ms, buf, sizeof(buf));
    assert_string_equal(buf, "2026-10-21");
    rnd_fmt_hhmm(ms, buf, sizeof(buf));
    assert_string_equal(buf, "13:42");
    rnd_fmt_day_heading(ms, buf, sizeof(buf));
    assert_string_equal(buf, "Wednesday 21 October 2026");
    rnd_fmt_day_heading(t("2024-02-29T00:00:00Z"), buf, sizeof(buf));
    assert_string_equal(buf, "Thursday 29 February 2024");
    assert_int_equal(rnd_day_of(t("1969-12-31T23:59:59Z")), -1);
}

static void links_and_lists(void **state)
{
    json_t *j, *arr;

    (void)state;
    assert_null(rnd_fmt_link("javascript:alert(1)"));
    assert_null(rnd_fmt_link("ftp://x/y"));
    assert_null(rnd_fmt_link(NULL));
    j = rnd_fmt_link("https://x.example/a b)|<c>\"d'");
    assert_string_equal(json_string_value(j), "https://x.example/a%20b%29%7C%3Cc%3E%22d%27");
    json_decref(j);
    arr = json_pack("[sss]", "a", "b", "c");
    j = rnd_fmt_join(arr);
    assert_string_equal(json_string_value(j), "a, b and c");
    json_decref(j);
    json_array_remove(arr, 2);
    j = rnd_fmt_join(arr);
    assert_string_equal(json_string_value(j), "a and b");
    json_decref(j);
    json_decref(arr);
    j = rnd_fmt_clip("日本語テキスト", 7);   /* cut inside the third character */
    assert_string_equal(json_string_value(j), "日本…");
    json_decref(j);
}

static struct iq_event *ev(const char *id, const char *kind, const char *action, const char *at,
                           const char *title, const char *inst, const char *actor)
{
    struct iq_event *e = iq_event_new();

    assert_non_null(e);
    iq_event_set_str(e, IQ_F_ID, id);
    iq_event_set_str(e, IQ_F_SOURCE, "test");
    iq_event_set_str(e, IQ_F_KIND, kind);
    iq_event_set_str(e, IQ_F_ACTION, action);
    iq_event_set_str(e, IQ_F_TITLE, title);
    if (inst)
        iq_event_set_label(e, "instance", inst);
    if (actor)
        iq_event_set_str(e, IQ_F_ACTOR, actor);
    e->at = t(at);
    return e;
}

static const char *cell(json_t *days, size_t d, size_t r, const char *key)
{
    return json_string_value(json_object_get(
        json_array_get(json_object_get(json_array_get(days, d), "rows"), r), key));
}

static void timeline_collapse_and_marks(void **state)
{
    struct iq_event *evs[20];
    struct rnd_mark marks[2];
    struct rnd_people *p = rnd_people_new(NULL, true);
    static const char *const inst[] = { "db-1", "db-2", "db-3" };
    json_t *days = NULL;
    char id[16], at[32];
    size_t n = 0;

    (void)state;
    for (int i = 0; i < 14; i++) {
        snprintf(id, sizeof(id), "a-%d", i);
        snprintf(at, sizeof(at), "2026-10-21T23:%02d:05Z", 50 + (i % 10));
        evs[n++] = ev(id, "alert", "firing", at, "ServiceDown", inst[i % 3], NULL);
    }
    evs[n++] = ev("c-1", "chat", "posted", "2026-10-22T00:02:00Z", "#inc", NULL, "alice");
    evs[n++] = ev("p-ack", "page", "acknowledged", "2026-10-22T00:03:10Z", "db down", NULL, "alice");
    iq_event_set_str(evs[n - 2], IQ_F_TEXT, "alice here, looking");
    marks[0] = (struct rnd_mark){ .at = t("2026-10-21T23:48:00Z"), .event = "a-0", .marker = "IMPACT BEGINS",
                                  .rule = "alert_starts_at" };
    marks[1] = (struct rnd_mark){ .at = t("2026-10-22T00:03:10Z"), .event = "p-ack", .marker = "ACKNOWLEDGED",
                                  .rule = "page_acknowledged" };
    /* events sorted by time as the caller guarantees */
    for (size_t i = 1; i < 14; i++)
        for (size_t k = i; k > 0 && evs[k]->at < evs[k - 1]->at; k--) {
            struct iq_event *x = evs[k];

            evs[k] = evs[k - 1];
            evs[k - 1] = x;
        }
    assert_int_equal(rnd_timeline_build(evs, n, marks, 2, p, &days), 0);
    assert_int_equal(json_array_size(days), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(days, 0), "day")),
                        "Wednesday 21 October 2026");
    /* IMPACT BEGINS on its own row (another minute), then the folded alerts */
    assert_string_equal(cell(days, 0, 0, "time"), "23:48");
    assert_string_equal(cell(days, 0, 0, "marker"), "IMPACT BEGINS");
    assert_string_equal(cell(days, 0, 1, "event"), "ServiceDown fired x14 on 3 instances");
    assert_int_equal(json_array_size(json_object_get(json_array_get(days, 0), "rows")), 2);
    assert_string_equal(cell(days, 1, 0, "event"), "responder A: alice here, looking");
    assert_string_equal(cell(days, 1, 1, "marker"), "ACKNOWLEDGED");
    assert_string_equal(cell(days, 1, 1, "event"), "Page acknowledged: db down by responder A");
    json_decref(days);
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
    rnd_people_destroy(&p);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(durations),
        cmocka_unit_test(dates),
        cmocka_unit_test(links_and_lists),
        cmocka_unit_test(timeline_collapse_and_marks),
    };

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("rnd_model", tests, NULL, NULL);
}

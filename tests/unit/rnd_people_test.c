/* rnd_people_test.c - unit tests of render/rnd_people.c: Slack users shown
 * by display name (event label, directory, configured map), never by id,
 * mentions in text rewritten, pseudonyms over display names, and the
 * configured map's checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_event.h"
#include "rnd_people.h"
#include "rnd_pseudo.h"

static struct iq_event *chat(const char *source, const char *actor, const char *name,
                             const char *text)
{
    struct iq_event *e = iq_event_new();

    assert_non_null(e);
    iq_event_set_str(e, IQ_F_ID, "c-1");
    iq_event_set_str(e, IQ_F_SOURCE, source);
    iq_event_set_str(e, IQ_F_KIND, "chat");
    iq_event_set_str(e, IQ_F_ACTION, "posted");
    iq_event_set_str(e, IQ_F_ACTOR, actor);
    if (text)
        iq_event_set_str(e, IQ_F_TEXT, text);
    if (name)
        iq_event_set_label(e, "user_name", name);
    return e;
}

static void slack_ids(void **state)
{
    (void)state;
    assert_true(rnd_people_is_slack_id("U06NU4E26M9"));
    assert_true(rnd_people_is_slack_id("W012A3CDE"));
    assert_true(rnd_people_is_slack_id("B0123ABCD"));
    assert_false(rnd_people_is_slack_id("alice"));
    assert_false(rnd_people_is_slack_id("U12"));
    assert_false(rnd_people_is_slack_id("u06nu4e26m9"));
    assert_false(rnd_people_is_slack_id(NULL));
}

static void names_in_order(void **state)
{
    json_t *dir = json_pack("{s:s}", "U0DIRECT01", "Bo from the directory");
    struct rnd_people *p = rnd_people_new(dir, false);
    struct iq_event *own = chat("slack", "U0OWNNAME1", "Ana", NULL);
    struct iq_event *looked = chat("slack", "U0DIRECT01", NULL, NULL);
    struct iq_event *unknown = chat("slack", "U0NOBODY01", NULL, NULL);
    struct iq_event *bot = chat("slack", "B0BOTBOT01", NULL, NULL);
    struct iq_event *empty = chat("slack", "U0DIRECT01", "", NULL);
    struct iq_event *other = chat("pagerduty", "U0LOOKSLIKE", NULL, NULL);

    (void)state;
    assert_string_equal(rnd_people_actor(p, own), "Ana");
    assert_string_equal(rnd_people_actor(p, looked), "Bo from the directory");
    assert_string_equal(rnd_people_actor(p, unknown), RND_PEOPLE_UNKNOWN);
    assert_string_equal(rnd_people_actor(p, bot), RND_PEOPLE_BOT);
    assert_string_equal(rnd_people_actor(p, empty), "Bo from the directory");
    /* only Slack events carry Slack ids */
    assert_string_equal(rnd_people_actor(p, other), "U0LOOKSLIKE");
    assert_null(rnd_people_pseudo(p));
    iq_event_destroy(&own);
    iq_event_destroy(&looked);
    iq_event_destroy(&unknown);
    iq_event_destroy(&bot);
    iq_event_destroy(&empty);
    iq_event_destroy(&other);
    rnd_people_destroy(&p);
    rnd_people_destroy(&p);
    json_decref(dir);
}

static void mentions(void **state)
{
    json_t *dir = json_pack("{s:s}", "U0DIRECT01", "Bo");
    struct rnd_people *p = rnd_people_new(dir, false);
    struct iq_event *e = chat("slack", "U0OWNNAME1", "Ana",
                              "<@U0DIRECT01> and <@U0NOBODY01|old> see <!channel> <@bad> <@U0DIRECT01");
    bool oom;
    char *s = rnd_people_text(p, e, &oom);

    (void)state;
    assert_false(oom);
    assert_string_equal(s, "@Bo and @a responder see <!channel> <@bad> <@U0DIRECT01");
    free(s);
    iq_event_destroy(&e);
    e = chat("slack", "U0OWNNAME1", "Ana", NULL);
    assert_null(rnd_people_text(p, e, &oom));
    assert_false(oom);
    iq_event_destroy(&e);
    rnd_people_destroy(&p);
    json_decref(dir);
}

static void pseudonyms_over_names(void **state)
{
    json_t *dir = json_pack("{s:s}", "U0DIRECT01", "Bo");
    struct rnd_people *p = rnd_people_new(dir, true);
    struct iq_event *a = chat("slack", "U0OWNNAME1", "Ana", "hi <@U0DIRECT01>");
    struct iq_event *b = chat("slack", "U0DIRECT01", NULL, "Ana, on it");
    struct iq_event *u = chat("slack", "U0NOBODY01", NULL, NULL);
    json_t *doc;
    bool oom;
    char *s;

    (void)state;
    assert_string_equal(rnd_people_actor(p, a), "responder A");
    assert_string_equal(rnd_people_actor(p, b), "responder B");
    assert_string_equal(rnd_people_actor(p, u), "responder C");
    s = rnd_people_text(p, a, &oom);
    assert_string_equal(s, "hi @responder B");
    /* names in free text become the same pseudonyms; no id or name is left */
    doc = json_pack("{s:s, s:s}", "a", "Ana, on it", "b", s);
    assert_int_equal(rnd_pseudo_json(rnd_people_pseudo(p), doc), 1);
    assert_string_equal(json_string_value(json_object_get(doc, "a")), "responder A, on it");
    free(s);
    json_decref(doc);
    iq_event_destroy(&a);
    iq_event_destroy(&b);
    iq_event_destroy(&u);
    rnd_people_destroy(&p);
    json_decref(dir);
}

static void configured_map(void **state)
{
    json_t *ok = json_pack("{s:s}", "U0123ABCD", "Ana");
    json_t *bad_id = json_pack("{s:s}", "alice", "Ana");
    json_t *bad_name = json_pack("{s:i}", "U0123ABCD", 3);
    json_t *empty_name = json_pack("{s:s}", "U0123ABCD", "");
    json_t *not_obj = json_pack("[s]", "U0123ABCD");
    char err[256];

    (void)state;
    assert_int_equal(rnd_people_check_map(NULL, err, sizeof(err)), 0);
    assert_int_equal(rnd_people_check_map(ok, err, sizeof(err)), 0);
    assert_int_equal(rnd_people_check_map(bad_id, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "entry \"alice\""));
    assert_int_equal(rnd_people_check_map(bad_name, err, sizeof(err)), -EINVAL);
    assert_int_equal(rnd_people_check_map(empty_name, err, sizeof(err)), -EINVAL);
    assert_int_equal(rnd_people_check_map(not_obj, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "expected an object"));
    json_decref(ok);
    json_decref(bad_id);
    json_decref(bad_name);
    json_decref(empty_name);
    json_decref(not_obj);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(slack_ids),
        cmocka_unit_test(names_in_order),
        cmocka_unit_test(mentions),
        cmocka_unit_test(pseudonyms_over_names),
        cmocka_unit_test(configured_map),
    };

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("rnd_people", tests, NULL, NULL);
}

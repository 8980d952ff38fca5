/* iq_event_test.c - canonical event validation, its error messages, and
 * the agreement of the C field table with schemas/event.schema.json. */
#include "iq_test.h"
#include <errno.h>
#include <jansson.h>
#include "iq_event.h"
#include "iq_time.h"

#define GOOD "{\"id\":\"a1\",\"source\":\"cli\",\"kind\":\"alert\",\"action\":\"firing\"," \
             "\"at\":\"2026-10-21T13:42:00+02:00\""

/* Parse json text as an event; return the error message (static) or NULL. */
static const char *try_event(const char *text)
{
    static char err[IQ_ERR_MAX];
    struct iq_event *ev = NULL;
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    int r;

    assert_non_null(j);
    err[0] = '\0';
    r = iq_event_from_json(j, &ev, err, sizeof(err));
    json_decref(j);
    if (r == 0) {
        assert_non_null(ev);
        iq_event_destroy(&ev);
        assert_null(ev);
        return NULL;
    }
    assert_null(ev);
    return err;
}

static void test_valid_minimal_and_full(void **state)
{
    (void)state;
    assert_null(try_event(GOOD "}"));
    assert_null(try_event(GOOD ",\"ends_at\":\"2026-10-21T12:50:00Z\",\"service\":\"checkout\","
                               "\"environment\":\"prod\",\"severity\":\"critical\",\"title\":\"t\","
                               "\"text\":\"line1\\nline2\",\"actor\":\"bot\",\"url\":\"https://x\","
                               "\"incident_key\":\"k\",\"labels\":{\"a\":\"b\"},\"raw\":{\"x\":[1,2]}}"));
    assert_null(try_event(GOOD ",\"service\":null,\"ends_at\":null}"));
}

static void test_messages_name_the_field(void **state)
{
    (void)state;
    assert_string_equal(try_event("{\"id\":\"a\",\"source\":\"cli\",\"kind\":\"alert\",\"action\":"
                                  "\"firing\",\"at\":\"yesterday\"}"),
                        "field 'at': not an RFC 3339 time with offset: \"yesterday\"");
    assert_string_equal(try_event("{\"source\":\"cli\",\"kind\":\"alert\",\"action\":\"firing\","
                                  "\"at\":\"2026-10-21T13:42:00Z\"}"),
                        "field 'id': required");
    assert_string_equal(try_event(GOOD ",\"kind\":\"alarm\"}"),
                        "field 'kind': unknown kind \"alarm\" (alert, page, deploy, change, chat, "
                        "status, log, note)");
    assert_string_equal(try_event(GOOD ",\"service\":42}"),
                        "field 'service': expected a string, got a number");
    assert_string_equal(try_event(GOOD ",\"labels\":{\"a\":1}}"),
                        "field 'labels.a': expected a string, got a number");
    assert_string_equal(try_event(GOOD ",\"colour\":\"red\"}"), "unknown field 'colour'");
    assert_string_equal(try_event(GOOD ",\"ends_at\":\"2026-10-21T11:00:00Z\"}"),
                        "field 'ends_at': before 'at'");
    assert_string_equal(try_event("[1]"), "event: expected a JSON object, got an array");
    assert_non_null(strstr(try_event(GOOD ",\"source\":\"Alert Manager\"}"), "is not a name"));
    assert_non_null(strstr(try_event(GOOD ",\"at\":\"2026-10-21T13:42:00\"}"), "with offset"));
}

static void test_limits(void **state)
{
    char *big = malloc(20000), *text = malloc(21000);

    (void)state;
    memset(big, 'x', 201);
    big[201] = '\0';
    snprintf(text, 21000, GOOD ",\"id\":\"%s\"}", big);
    assert_string_equal(try_event(text), "field 'id': 201 bytes, over the limit of 200");
    memset(big, 'x', 200);
    big[200] = '\0';
    snprintf(text, 21000, GOOD ",\"id\":\"%s\"}", big);
    assert_null(try_event(text));
    memset(big, 'y', 16385);
    big[16385] = '\0';
    snprintf(text, 21000, GOOD ",\"text\":\"%s\"}", big);
    assert_string_equal(try_event(text), "field 'text': 16385 bytes, over the limit of 16384");
    assert_non_null(strstr(try_event(GOOD ",\"id\":\"a\\u0001b\"}"), "control character"));
    free(big);
    free(text);
}

static void test_labels_limit_and_sort(void **state)
{
    struct iq_event *ev = iq_event_new();
    char k[16], err[IQ_ERR_MAX];

    (void)state;
    for (int i = 0; i < IQ_LABELS_MAX; i++) {
        snprintf(k, sizeof(k), "k%02d", IQ_LABELS_MAX - i);
        assert_int_equal(iq_event_set_label(ev, k, "v"), 0);
    }
    assert_int_equal(iq_event_set_label(ev, "one-too-many", "v"), -E2BIG);
    iq_event_set_str(ev, IQ_F_ID, "x");
    iq_event_set_str(ev, IQ_F_SOURCE, "cli");
    iq_event_set_str(ev, IQ_F_KIND, "note");
    iq_event_set_str(ev, IQ_F_ACTION, "set");
    ev->at = 0;
    assert_int_equal(iq_event_validate(ev, err, sizeof(err)), 0);
    assert_string_equal(ev->labels[0].key, "k01");
    assert_string_equal(iq_event_label(ev, "k64"), "v");
    iq_event_destroy(&ev);
}

static void test_field_lookup(void **state)
{
    static const char *const others[] = { "at", "ends_at", "labels", "raw", "i", "sx", "actors",
                                          "idx", "", "ID", "text2", "u", "r", "received",
                                          NULL };

    (void)state;
    for (int i = 0; i < IQ_F_NSTR; i++)
        assert_int_equal(iq_field_lookup(iq_fields[i].name), i);
    for (int i = 0; others[i]; i++)
        assert_int_equal(iq_field_lookup(others[i]), -1);
}

/* The one predicate every way in uses to spot audit notes: every event
 * claiming the reserved source, whatever its kind. */
static void test_is_audit_note(void **state)
{
    static const char *const cases[][3] = {   /* source, kind, "1" when a note */
        { "inquest", "note", "1" }, { "inquest", "alert", "1" }, { "inquest", "log", "1" },
        { "cli", "note", "" }, { "Inquest", "note", "" }, { "inquest2", "note", "" },
        { "inquest-bot", "note", "" }, { "github", "note", "" }, { NULL, "note", "" },
    };
    struct iq_event *ev;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ev = iq_event_new();
        if (cases[i][0])
            iq_event_set_str(ev, IQ_F_SOURCE, cases[i][0]);
        iq_event_set_str(ev, IQ_F_KIND, cases[i][1]);
        assert_int_equal(iq_event_is_audit_note(ev), cases[i][2][0] == '1');
        iq_event_destroy(&ev);
    }
}

static void test_utf8(void **state)
{
    (void)state;
    /* the 8-byte ASCII fast path must still catch NUL and high bytes */
    assert_true(iq_utf8_valid("abcdefgh12345678xyz", 19));
    assert_false(iq_utf8_valid("abcdefgh\0bcdefgh", 16));
    assert_false(iq_utf8_valid("abcdefghabcdefg\xff", 16));
    assert_true(iq_utf8_valid("abcdefgh\xc3\xa9" "bcdefgh", 17));
    assert_false(iq_utf8_valid("abcdefgh\xc3", 9));
    assert_true(iq_utf8_valid("caf\xc3\xa9 \xe9\x9a\x9c\xe5\xae\xb3", 12));
    assert_false(iq_utf8_valid("\xc3", 1));
    assert_false(iq_utf8_valid("\xc0\xaf", 2));           /* overlong */
    assert_false(iq_utf8_valid("\xed\xa0\x80", 3));       /* surrogate */
    assert_false(iq_utf8_valid("\xf4\x90\x80\x80", 4));   /* > U+10FFFF */
    assert_false(iq_utf8_valid("a\0b", 3));
}

/* The schema and the C table must agree field by field. */
static void test_schema_agrees_with_table(void **state)
{
    char path[1024];
    json_error_t je;
    json_t *schema, *props, *req, *p;
    int nprops = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/schemas/event.schema.json", iq_test_root());
    schema = json_load_file(path, 0, &je);
    assert_non_null(schema);
    props = json_object_get(schema, "properties");
    req = json_object_get(schema, "required");
    for (int i = 0; i < IQ_F_NSTR; i++) {
        bool required = false;
        size_t k;
        json_t *v;

        p = json_object_get(props, iq_fields[i].name);
        assert_non_null(p);
        assert_int_equal(json_integer_value(json_object_get(p, "maxLength")),
                         (json_int_t)iq_fields[i].max_len);
        json_array_foreach(req, k, v) required |= strcmp(json_string_value(v), iq_fields[i].name) == 0;
        assert_int_equal(required, iq_fields[i].required);
    }
    /* kinds enum */
    p = json_object_get(json_object_get(props, "kind"), "enum");
    for (int i = 0; iq_kinds[i]; i++)
        assert_string_equal(json_string_value(json_array_get(p, (size_t)i)), iq_kinds[i]);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(props, "labels"),
                                                        "maxProperties")), IQ_LABELS_MAX);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(props, "raw"),
                                                        "maxLength")), IQ_RAW_MAX);
    nprops = (int)json_object_size(props);
    assert_int_equal(nprops, IQ_F_NSTR + 4); /* + at, ends_at, labels, raw */
    json_decref(schema);
}

static void test_json_round_trip(void **state)
{
    json_t *in = json_loads(GOOD ",\"labels\":{\"b\":\"2\",\"a\":\"1\"},\"raw\":{\"k\":true}}", 0, NULL);
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX];
    json_t *out;
    char *s;

    (void)state;
    assert_int_equal(iq_event_from_json(in, &ev, err, sizeof(err)), 0);
    out = iq_event_to_json(ev);
    s = json_dumps(out, JSON_COMPACT);
    assert_string_equal(s, "{\"id\":\"a1\",\"source\":\"cli\",\"kind\":\"alert\",\"action\":\"firing\","
                           "\"at\":\"2026-10-21T11:42:00.000Z\",\"labels\":{\"a\":\"1\",\"b\":\"2\"},"
                           "\"raw\":{\"k\":true}}");
    free(s);
    json_decref(out);
    json_decref(in);
    iq_event_destroy(&ev);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valid_minimal_and_full),
    cmocka_unit_test(test_messages_name_the_field),
    cmocka_unit_test(test_limits),
    cmocka_unit_test(test_labels_limit_and_sort),
    cmocka_unit_test(test_field_lookup),
    cmocka_unit_test(test_is_audit_note),
    cmocka_unit_test(test_utf8),
    cmocka_unit_test(test_schema_agrees_with_table),
    cmocka_unit_test(test_json_round_trip),
};

TEST_MAIN(tests)

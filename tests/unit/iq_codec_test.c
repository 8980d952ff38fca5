/* iq_codec_test.c - msgpack round trip of events, and decoding of hostile
 * msgpack: wrong types, oversized strings, unknown keys, truncation; a
 * decoded event (strings in one block) stays editable by every setter.
 * The structural pre-scan (iq_mpcheck.h) is held to a table of hostile
 * headers (huge counts and lengths, truncation, reserved bytes, depth),
 * the regression inputs of issue #13: an array32 count of 0xdddddddd, an
 * empty map key (memcpy from NULL), raw that is not JSON. */
#include "iq_test.h"
#include <errno.h>
#include <msgpack.h>
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_json.h"
#include "iq_mpcheck.h"
#include "iq_time.h"

static struct iq_event *sample(void)
{
    struct iq_event *ev = iq_event_new();
    char err[IQ_ERR_MAX];

    iq_event_set_str(ev, IQ_F_ID, "am-7f3a-firing");
    iq_event_set_str(ev, IQ_F_SOURCE, "alertmanager");
    iq_event_set_str(ev, IQ_F_KIND, "alert");
    iq_event_set_str(ev, IQ_F_ACTION, "firing");
    iq_event_set_str(ev, IQ_F_SERVICE, "checkout-api");
    iq_event_set_str(ev, IQ_F_TEXT, "5xx ratio above 5%\n\xe9\x9a\x9c\xe5\xae\xb3");
    iq_event_set_label(ev, "severity", "critical");
    iq_event_set_label(ev, "instance", "10.0.0.1:9100");
    ev->at = -1234;
    ev->ends_at = 1792590120123LL;
    ev->raw = strdup("{\"a\":1}");
    ev->raw_len = 7;
    assert_int_equal(iq_event_validate(ev, err, sizeof(err)), 0);
    return ev;
}

static void test_round_trip(void **state)
{
    struct iq_event *ev = sample(), *back = NULL;
    msgpack_sbuffer sb;
    char err[IQ_ERR_MAX];

    (void)state;
    iq_event_encode(ev, &sb);
    assert_int_equal(iq_event_decode(sb.data, sb.size, &back, err, sizeof(err)), 0);
    for (int i = 0; i < IQ_F_NSTR; i++) {
        if (ev->str[i])
            assert_string_equal(ev->str[i], back->str[i]);
        else
            assert_null(back->str[i]);
    }
    assert_int_equal(back->at, -1234);
    assert_int_equal(back->ends_at, 1792590120123LL);
    assert_int_equal(back->n_labels, 2);
    assert_string_equal(iq_event_label(back, "instance"), "10.0.0.1:9100");
    assert_string_equal(back->raw, "{\"a\":1}");
    /* truncated input of every length is refused, never crashes */
    for (size_t n = 0; n < sb.size; n++) {
        struct iq_event *t = NULL;

        assert_int_not_equal(iq_event_decode(sb.data, n, &t, err, sizeof(err)), 0);
        assert_null(t);
    }
    msgpack_sbuffer_destroy(&sb);
    iq_event_destroy(&ev);
    iq_event_destroy(&back);
}

/* Build a map from alternating key/value callbacks. */
static const char *decode_map(void (*fill)(msgpack_packer *pk))
{
    static char err[IQ_ERR_MAX];
    msgpack_sbuffer sb;
    msgpack_packer pk;
    struct iq_event *ev = NULL;
    int r;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    fill(&pk);
    r = iq_event_decode(sb.data, sb.size, &ev, err, sizeof(err));
    msgpack_sbuffer_destroy(&sb);
    if (r == 0) {
        iq_event_destroy(&ev);
        return NULL;
    }
    return err;
}

static void kv(msgpack_packer *pk, const char *k, const char *v)
{
    msgpack_pack_str(pk, strlen(k));
    msgpack_pack_str_body(pk, k, strlen(k));
    msgpack_pack_str(pk, strlen(v));
    msgpack_pack_str_body(pk, v, strlen(v));
}

static void base(msgpack_packer *pk, int extra)
{
    msgpack_pack_map(pk, 5 + extra);
    kv(pk, "id", "x");
    kv(pk, "source", "cli");
    kv(pk, "kind", "note");
    kv(pk, "action", "set");
    msgpack_pack_str(pk, 2);
    msgpack_pack_str_body(pk, "at", 2);
    msgpack_pack_int64(pk, 5);
}

static void fill_ok(msgpack_packer *pk) { base(pk, 0); }
static void fill_at_string(msgpack_packer *pk)
{
    msgpack_pack_map(pk, 5);
    kv(pk, "id", "x");
    kv(pk, "source", "cli");
    kv(pk, "kind", "note");
    kv(pk, "action", "set");
    kv(pk, "at", "2026-10-21T13:42:00Z");
}
static void fill_unknown(msgpack_packer *pk) { base(pk, 1); kv(pk, "colour", "red"); }
static void fill_int_title(msgpack_packer *pk)
{
    base(pk, 1);
    msgpack_pack_str(pk, 5);
    msgpack_pack_str_body(pk, "title", 5);
    msgpack_pack_int(pk, 3);
}
static void fill_huge_label_count(msgpack_packer *pk)
{
    base(pk, 1);
    msgpack_pack_str(pk, 6);
    msgpack_pack_str_body(pk, "labels", 6);
    msgpack_pack_map(pk, 65);
    for (int i = 0; i < 65; i++) {
        char k[16];

        snprintf(k, sizeof(k), "k%d", i);
        kv(pk, k, "v");
    }
}
static void fill_nul_in_id(msgpack_packer *pk)
{
    msgpack_pack_map(pk, 5);
    msgpack_pack_str(pk, 2);
    msgpack_pack_str_body(pk, "id", 2);
    msgpack_pack_str(pk, 3);
    msgpack_pack_str_body(pk, "a\0b", 3);
    kv(pk, "source", "cli");
    kv(pk, "kind", "note");
    kv(pk, "action", "set");
    msgpack_pack_str(pk, 2);
    msgpack_pack_str_body(pk, "at", 2);
    msgpack_pack_int64(pk, 5);
}
static void fill_array(msgpack_packer *pk) { msgpack_pack_array(pk, 0); }

static void test_hostile(void **state)
{
    (void)state;
    assert_null(decode_map(fill_ok));
    assert_string_equal(decode_map(fill_at_string),
                        "field 'at': expected an integer of UTC milliseconds");
    assert_string_equal(decode_map(fill_unknown), "unknown field 'colour'");
    assert_string_equal(decode_map(fill_int_title), "field 'title': expected a string");
    assert_string_equal(decode_map(fill_huge_label_count),
                        "field 'labels': 65 labels, over the limit of 64");
    assert_string_equal(decode_map(fill_nul_in_id), "field 'id': contains a NUL character");
    assert_string_equal(decode_map(fill_array), "event: expected a msgpack map");
}

/* Setters on a decoded event: replaced strings, a replaced label value,
 * labels beyond the reserved room, a new raw; ASan checks that nothing
 * inside the block is freed on its own and nothing outside it leaks. */
static void test_decoded_is_editable(void **state)
{
    struct iq_event *ev = sample(), *back = NULL;
    msgpack_sbuffer sb;
    char err[IQ_ERR_MAX], key[24];

    (void)state;
    iq_event_encode(ev, &sb);
    assert_int_equal(iq_event_decode(sb.data, sb.size, &back, err, sizeof(err)), 0);
    assert_non_null(back->block);
    assert_int_equal(iq_event_set_str(back, IQ_F_TITLE, "a title set after decoding"), 0);
    assert_int_equal(iq_event_set_str(back, IQ_F_SERVICE, "payments"), 0);
    assert_int_equal(iq_event_set_label(back, "severity", "warning"), 0);
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof(key), "extra%d", i);
        assert_int_equal(iq_event_set_label(back, key, "x"), 0);
    }
    assert_int_equal(iq_event_set_raw(back, "{\"b\":2}", 7), 0);
    assert_int_equal(iq_event_set_raw(back, "{\"b\0\":2}", 8), -EINVAL);
    assert_int_equal(iq_event_validate(back, err, sizeof(err)), 0);
    assert_string_equal(iq_ev_service(back), "payments");
    assert_string_equal(iq_event_label(back, "severity"), "warning");
    assert_string_equal(iq_event_label(back, "instance"), "10.0.0.1:9100");
    assert_string_equal(iq_event_label(back, "extra4"), "x");
    assert_int_equal(back->n_labels, 7);
    assert_string_equal(back->raw, "{\"b\":2}");
    assert_string_equal(iq_ev_id(back), "am-7f3a-firing");
    msgpack_sbuffer_destroy(&sb);
    iq_event_destroy(&ev);
    iq_event_destroy(&back);
}

struct mp_case {
    const char *name;
    const char *bytes;
    size_t len;
    unsigned depth;
    uint64_t objects;
    const char *want;          /* substring of the error, NULL when accepted */
};

#define B(s) s, sizeof(s) - 1

static const struct mp_case mp_cases[] = {
    { "array32 0xdddddddd", B("\xdd\xdd\xdd\xdd\xdd\x01\x02"), 8, 0,
      "offset 0: array of 3722304989 elements, only 2 bytes follow" },
    { "map32 max", B("\xdf\xff\xff\xff\xff\xc0\xc0"), 8, 0,
      "offset 0: map of 4294967295 entries, only 2 bytes follow" },
    { "map16 odd bytes", B("\xde\x00\x02\x01\x02\x03"), 8, 0,
      "map of 2 entries, only 3 bytes follow" },
    { "array16 short", B("\xdc\x00\x10\x01\x02"), 8, 0,
      "array of 16 elements, only 2 bytes follow" },
    { "nested huge count", B("\x92\x01\xdd\x7f\xff\xff\xff"), 8, 0,
      "offset 2: array of 2147483647 elements, only 0 bytes follow" },
    { "str32 max", B("\xdb\xff\xff\xff\xff" "abc"), 8, 0,
      "offset 0: string of 4294967295 bytes, only 3 bytes follow" },
    { "str32 'negative'", B("\xdb\x80\x00\x00\x00" "abc"), 8, 0,
      "string of 2147483648 bytes" },
    { "str8 over", B("\xd9\x05" "abc"), 8, 0, "string of 5 bytes, only 3 bytes follow" },
    { "fixstr over", B("\xa5" "ab"), 8, 0, "string of 5 bytes, only 2 bytes follow" },
    { "bin32 max", B("\xc6\xff\xff\xff\xff\x00"), 8, 0, "binary of 4294967295 bytes" },
    { "ext32 max", B("\xc9\xff\xff\xff\xff\x01\x00"), 8, 0, "extension of 4294967295 bytes" },
    { "str32 header cut", B("\xdb\x00\x00"), 8, 0, "offset 0: truncated string header" },
    { "array32 header cut", B("\xdd\x00"), 8, 0, "offset 0: truncated array header" },
    { "float64 cut", B("\xcb\x00\x00"), 8, 0, "offset 0: truncated value header" },
    { "fixext16 cut", B("\xd8\x01\x00"), 8, 0, "truncated value header" },
    { "element missing", B("\x93\x01\x02"), 8, 0,
      "array of 3 elements, only 2 bytes follow" },
    { "reserved byte", B("\x91\xc1"), 8, 0, "offset 1: reserved byte 0xc1" },
    { "empty", "", 0, 8, 0, "offset 0: truncated (no value)" },
    { "trailing", B("\x01\x02"), 8, 0, "offset 1: 1 bytes after the value" },
    { "too deep", B("\x91\x91\x91\x91\x91\x91\x91\x91\x91\x01"), 8, 0,
      "offset 8: nested deeper than 8 levels" },
    { "deep enough", B("\x91\x91\x91\x91\x91\x91\x91\x91\x01"), 8, 0, NULL },
    { "object cap", B("\x9f\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"), 8,
      10, "more than 10 msgpack values" },
    { "scalars", B("\x9a\xc0\xc2\xc3\xcc\x01\xcd\x00\x01\xd0\xff\xca\x00\x00\x00\x00"
                   "\xd4\x01\x02\xc4\x01\x00\xa1z"), 8, 0, NULL },
    { "map", B("\x82\xa1k\xc0\xa0\xde\x00\x00"), 8, 0, NULL },
};

static void test_mp_check_table(void **state)
{
    char err[IQ_ERR_MAX];

    (void)state;
    for (size_t i = 0; i < sizeof(mp_cases) / sizeof(mp_cases[0]); i++) {
        const struct mp_case *c = &mp_cases[i];
        struct iq_mp_limits lim = { .depth = c->depth, .objects = c->objects };
        int r;

        err[0] = '\0';
        r = iq_mp_check(c->bytes, c->len, &lim, err, sizeof(err));
        if (!c->want) {
            if (r != 0)
                fail_msg("%s: refused: %s", c->name, err);
            continue;
        }
        if (r != -EPROTO || !strstr(err, c->want))
            fail_msg("%s: got %d \"%s\", want \"%s\"", c->name, r, err, c->want);
    }
}

/* The audit's input: without the pre-scan libmsgpackc asks for 128 GiB. */
static void test_decode_huge_count(void **state)
{
    static const char frame[] = "\xdd\xdd\xdd\xdd\xdd\x81\xa2id\xa1x";
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX];

    (void)state;
    assert_int_equal(iq_event_decode(frame, sizeof(frame) - 1, &ev, err, sizeof(err)), -EINVAL);
    assert_null(ev);
    assert_non_null(strstr(err, "array of 3722304989 elements"));
    assert_int_equal(iq_event_decode("\xdf\xdd\xdd\xdd\xdd", 5, &ev, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "map of 3722304989 entries, only 0 bytes follow"));
}

/* Unpack fill's map as an event from the wire (iq_event_unpack). */
static const char *unpack_wire(void (*fill)(msgpack_packer *pk), struct iq_event **ret)
{
    static char err[IQ_ERR_MAX];
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_unpacked u;
    struct iq_event *ev = NULL;
    size_t off = 0;
    int r;

    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    fill(&pk);
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, &off), MSGPACK_UNPACK_SUCCESS);
    r = iq_event_unpack(&u.data, &ev, err, sizeof(err));
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&sb);
    if (r < 0)
        return err;
    if (ret)
        *ret = ev;
    else
        iq_event_destroy(&ev);
    return NULL;
}

static void fill_empty_key(msgpack_packer *pk) { base(pk, 1); kv(pk, "", "v"); }
static void fill_empty_values(msgpack_packer *pk)
{
    base(pk, 2);
    kv(pk, "title", "");
    msgpack_pack_str(pk, 6);
    msgpack_pack_str_body(pk, "labels", 6);
    msgpack_pack_map(pk, 1);
    kv(pk, "empty", "");
}
static void fill_empty_label_key(msgpack_packer *pk)
{
    base(pk, 1);
    msgpack_pack_str(pk, 6);
    msgpack_pack_str_body(pk, "labels", 6);
    msgpack_pack_map(pk, 1);
    kv(pk, "", "v");
}
static const char *raw_text;
static void fill_raw(msgpack_packer *pk) { base(pk, 1); kv(pk, "raw", raw_text); }
static void fill_received_from(msgpack_packer *pk) { base(pk, 1); kv(pk, "received_from", "admin"); }

/* Empty strings come from libmsgpackc with a NULL pointer: every copy must
 * cope (UBSan reports memcpy/memchr from NULL in the sanitized build). */
static void test_empty_strings(void **state)
{
    struct iq_event *ev = NULL;

    (void)state;
    assert_string_equal(unpack_wire(fill_empty_key, NULL), "unknown field ''");
    assert_string_equal(decode_map(fill_empty_key), "unknown field ''");
    assert_null(unpack_wire(fill_empty_values, &ev));
    assert_string_equal(ev->str[IQ_F_TITLE], "");
    assert_string_equal(iq_event_label(ev, "empty"), "");
    iq_event_destroy(&ev);
    assert_string_equal(unpack_wire(fill_empty_label_key, NULL),
                        "field 'labels': key is not a string of 1 to 128 bytes");
}

/* raw from the wire must be JSON text; a stored value is not parsed again. */
static void test_raw_must_be_json(void **state)
{
    static const char *const bad[] = { "}{", "", "{\"a\":1", "{\"a\":1} x", "\xff", NULL };
    static const char *const good[] = { "{\"a\":[1,2,{}]}", "3", "\"s\"", "null", NULL };
    struct iq_event *ev = NULL;
    const char *err;

    (void)state;
    for (int i = 0; bad[i]; i++) {
        raw_text = bad[i];
        err = unpack_wire(fill_raw, NULL);
        if (!err || strncmp(err, "field 'raw': not JSON text", 26) != 0)
            fail_msg("raw %s: %s", bad[i], err ? err : "accepted");
    }
    for (int i = 0; good[i]; i++) {
        raw_text = good[i];
        if ((err = unpack_wire(fill_raw, &ev)))
            fail_msg("raw %s: %s", good[i], err);
        assert_string_equal(ev->raw, good[i]);
        iq_event_destroy(&ev);
    }
    raw_text = "}{";
    assert_null(decode_map(fill_raw));
}

/* received_from is the receiving ingest's: ignored from a sender (wire,
 * JSON), kept in a stored value. */
static void test_received_from(void **state)
{
    struct iq_event *ev = NULL, *back = NULL;
    msgpack_sbuffer sb;
    char err[IQ_ERR_MAX];
    json_t *j;

    (void)state;
    assert_null(unpack_wire(fill_received_from, &ev));
    assert_null(ev->str[IQ_F_RECEIVED_FROM]);
    assert_int_equal(iq_event_set_str(ev, IQ_F_RECEIVED_FROM, "collector-eu"), 0);
    iq_event_encode(ev, &sb);
    assert_int_equal(iq_event_decode(sb.data, sb.size, &back, err, sizeof(err)), 0);
    assert_string_equal(back->str[IQ_F_RECEIVED_FROM], "collector-eu");
    j = iq_event_to_json(back);
    assert_string_equal(json_string_value(json_object_get(j, "received_from")), "collector-eu");
    iq_event_destroy(&back);
    assert_int_equal(iq_event_from_json(j, &back, err, sizeof(err)), 0);
    assert_null(back->str[IQ_F_RECEIVED_FROM]);
    json_decref(j);
    msgpack_sbuffer_destroy(&sb);
    iq_event_destroy(&ev);
    iq_event_destroy(&back);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_round_trip),
    cmocka_unit_test(test_decoded_is_editable),
    cmocka_unit_test(test_hostile),
    cmocka_unit_test(test_mp_check_table),
    cmocka_unit_test(test_decode_huge_count),
    cmocka_unit_test(test_empty_strings),
    cmocka_unit_test(test_raw_must_be_json),
    cmocka_unit_test(test_received_from),
};

TEST_MAIN(tests)

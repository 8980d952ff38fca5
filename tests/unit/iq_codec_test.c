/* iq_codec_test.c - msgpack round trip of events, and decoding of hostile
 * msgpack: wrong types, oversized strings, unknown keys, truncation; a
 * decoded event (strings in one block) stays editable by every setter. */
#include "iq_test.h"
#include <errno.h>
#include <msgpack.h>
#include "iq_codec.h"
#include "iq_event.h"
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

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_round_trip),
    cmocka_unit_test(test_decoded_is_editable),
    cmocka_unit_test(test_hostile),
};

TEST_MAIN(tests)

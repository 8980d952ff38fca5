/* cor_decode_test.c - the correlator's in-place decoder of stored events
 * (cor_decode.h) against the general one (iq_event_decode) on varied
 * events, on every truncation and on random byte damage (refused or read,
 * never past the end); cor_decode_unless's choice; and the msgpack reader
 * under it (iq_mp_read, iq_mp_skip) on every integer width and on
 * containers. */
#include "iq_test.h"
#include <errno.h>
#include <msgpack.h>
#include "cor_arena.h"
#include "cor_decode.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_mpcheck.h"
#include "iq_time.h"

/* Event i of a varied set: every field present in some, labels, ends_at,
 * raw, negative and large times. */
static struct iq_event *varied(int i)
{
    static const char *const kinds[] = { "alert", "deploy", "chat", "log", "note", "status" };
    struct iq_event *ev = iq_event_new();
    char id[32], v[32], err[IQ_ERR_MAX];

    snprintf(id, sizeof(id), "ev-%d", i);
    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_SOURCE, "test");
    iq_event_set_str(ev, IQ_F_KIND, kinds[i % 6]);
    iq_event_set_str(ev, IQ_F_ACTION, i % 2 ? "firing" : "resolved");
    if (i % 3)
        iq_event_set_str(ev, IQ_F_SERVICE, "checkout");
    if (i % 4 == 1)
        iq_event_set_str(ev, IQ_F_TEXT, "5xx above 5%\n\xe9\x9a\x9c\xe5\xae\xb3 (a longer text to "
                                        "pass the fixstr limit of thirty-one bytes)");
    if (i % 5 == 2)
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, "PD123");
    for (int k = 0; k < i % 4; k++) {
        char key[16];

        snprintf(key, sizeof(key), "k%d", k);
        snprintf(v, sizeof(v), "v%d-%d", i, k);
        iq_event_set_label(ev, key, v);
    }
    ev->at = i % 7 == 3 ? -1234 - i : 1767225600000LL + (int64_t)i * 123457;
    if (i % 3 == 0)
        ev->ends_at = ev->at + 60000;
    if (i % 2) {
        ev->raw = strdup("{\"payload\":[1,2,{\"x\":null}]}");
        ev->raw_len = strlen(ev->raw);
    }
    assert_int_equal(iq_event_validate(ev, err, sizeof(err)), 0);
    return ev;
}

static void same(const struct iq_event *a, const struct iq_event *b)
{
    for (int f = 0; f < IQ_F_NSTR; f++) {
        if (a->str[f])
            assert_string_equal(a->str[f], b->str[f]);
        else
            assert_null(b->str[f]);
    }
    assert_int_equal(a->at, b->at);
    assert_int_equal(a->ends_at, b->ends_at);
    assert_int_equal(a->n_labels, b->n_labels);
    for (uint32_t i = 0; i < a->n_labels; i++) {
        assert_string_equal(a->labels[i].key, b->labels[i].key);
        assert_string_equal(a->labels[i].value, b->labels[i].value);
    }
    assert_null(b->raw);
}

static void test_like_iq_event_decode(void **state)
{
    struct cor_arena a = { 0 };

    (void)state;
    for (int i = 0; i < 60; i++) {
        struct iq_event *ev = varied(i), *ref = NULL, *got = NULL;
        msgpack_sbuffer sb;
        char err[IQ_ERR_MAX];

        iq_event_encode(ev, &sb);
        assert_int_equal(iq_event_decode(sb.data, sb.size, &ref, err, sizeof(err)), 0);
        assert_int_equal(cor_decode(&a, sb.data, sb.size, &got), 0);
        same(ev, got);
        assert_int_equal(ref->at, got->at);
        /* every truncation is refused */
        for (size_t n = 0; n < sb.size; n++) {
            struct iq_event *t = NULL;

            assert_int_equal(cor_decode(&a, sb.data, n, &t), -EINVAL);
            assert_null(t);
        }
        iq_event_destroy(&ref);
        iq_event_destroy(&ev);
        msgpack_sbuffer_destroy(&sb);
    }
    cor_arena_release(&a);
}

/* Random damage: each result is a refusal or an event whose strings are
 * NUL-terminated inside the arena (ASan checks the reads). */
static void test_damage(void **state)
{
    struct cor_arena a = { 0 };
    unsigned seed = 12345;
    size_t refused = 0, read = 0;

    (void)state;
    for (int i = 0; i < 2000; i++) {
        struct iq_event *ev = varied(i % 60), *got = NULL;
        msgpack_sbuffer sb;
        char *copy;
        int r;

        iq_event_encode(ev, &sb);
        copy = malloc(sb.size);     /* exact size: a read past it is caught */
        memcpy(copy, sb.data, sb.size);
        for (int k = 0; k < 1 + i % 3; k++) {
            seed = seed * 1103515245u + 12345u;
            copy[(seed >> 8) % sb.size] ^= (char)(1u << ((seed >> 4) % 8));
        }
        r = cor_decode(&a, copy, sb.size, &got);
        assert_true(r == 0 || r == -EINVAL);
        if (r == 0) {
            read++;
            assert_non_null(iq_ev_id(got));
            assert_non_null(iq_ev_kind(got));
            for (uint32_t l = 0; l < got->n_labels; l++)
                assert_true(strlen(got->labels[l].key) <= sb.size);
        } else {
            refused++;
        }
        free(copy);
        iq_event_destroy(&ev);
        msgpack_sbuffer_destroy(&sb);
    }
    assert_true(refused > 100);
    assert_true(read > 100);    /* a flipped bit inside a string body is read as is */
    cor_arena_release(&a);
}

static void test_unless(void **state)
{
    static const char *const keep[] = { "deploy", "change", NULL };
    struct cor_arena a = { 0 };
    struct iq_event *ev = iq_event_new(), *got = NULL;
    msgpack_sbuffer sb;

    (void)state;
    iq_event_set_str(ev, IQ_F_ID, "x");
    iq_event_set_str(ev, IQ_F_SOURCE, "t");
    iq_event_set_str(ev, IQ_F_KIND, "chat");
    ev->at = 1000;
    iq_event_encode(ev, &sb);
    assert_int_equal(cor_decode_unless(&a, sb.data, sb.size, keep, 2000, &got), 1);
    assert_null(got);
    assert_int_equal(cor_decode_unless(&a, sb.data, sb.size, keep, 1000, &got), 0);
    assert_string_equal(iq_ev_id(got), "x");
    msgpack_sbuffer_destroy(&sb);
    /* an end time from `from` on keeps it */
    ev->ends_at = 2500;
    iq_event_encode(ev, &sb);
    got = NULL;
    assert_int_equal(cor_decode_unless(&a, sb.data, sb.size, keep, 2000, &got), 0);
    assert_int_equal(got->ends_at, 2500);
    msgpack_sbuffer_destroy(&sb);
    /* a kept kind, however early */
    ev->ends_at = IQ_TIME_NONE;
    iq_event_set_str(ev, IQ_F_KIND, "deploy");
    iq_event_encode(ev, &sb);
    got = NULL;
    assert_int_equal(cor_decode_unless(&a, sb.data, sb.size, keep, 5000, &got), 0);
    assert_string_equal(iq_ev_kind(got), "deploy");
    /* damaged: handed to cor_decode, which refuses it */
    assert_int_equal(cor_decode_unless(&a, sb.data, 3, keep, 5000, &got), -EINVAL);
    msgpack_sbuffer_destroy(&sb);
    iq_event_destroy(&ev);
    cor_arena_release(&a);
}

/* Every integer width through iq_mp_read, and skipping nested containers. */
static void test_mp_reader(void **state)
{
    static const int64_t vals[] = { 0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295LL,
                                    4294967296LL, INT64_MAX, -1, -32, -33, -128, -129,
                                    -32768, -32769, -2147483648LL, -2147483649LL, INT64_MIN };
    msgpack_sbuffer sb;
    msgpack_packer pk;
    struct iq_mp_value v;
    size_t pos = 0;

    (void)state;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
        msgpack_pack_int64(&pk, vals[i]);
    msgpack_pack_uint8(&pk, 200);
    msgpack_pack_int16(&pk, -300);
    msgpack_pack_uint64(&pk, UINT64_MAX);
    for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        assert_int_equal(iq_mp_read(sb.data, sb.size, &pos, &v), 0);
        assert_int_equal(v.type, IQ_MP_INT);
        if (vals[i] < 0)
            assert_true(v.neg && v.i == vals[i]);
        else
            assert_true(!v.neg && v.u == (uint64_t)vals[i]);
    }
    assert_int_equal(iq_mp_read(sb.data, sb.size, &pos, &v), 0);
    assert_true(!v.neg && v.u == 200);
    assert_int_equal(iq_mp_read(sb.data, sb.size, &pos, &v), 0);
    assert_true(v.neg && v.i == -300);
    assert_int_equal(iq_mp_read(sb.data, sb.size, &pos, &v), 0);
    assert_true(!v.neg && v.u == UINT64_MAX);
    assert_int_equal(pos, sb.size);
    assert_int_equal(iq_mp_read(sb.data, sb.size, &pos, &v), -EPROTO);

    /* [ {"a": [1, "xy", nil]}, 2.5, bin(3) ] then "end" */
    sb.size = 0;
    msgpack_pack_array(&pk, 3);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str_with_body(&pk, "a", 1);
    msgpack_pack_array(&pk, 3);
    msgpack_pack_int(&pk, 1);
    msgpack_pack_str_with_body(&pk, "xy", 2);
    msgpack_pack_nil(&pk);
    msgpack_pack_double(&pk, 2.5);
    msgpack_pack_bin_with_body(&pk, "\0\1\2", 3);
    msgpack_pack_str_with_body(&pk, "end", 3);
    pos = 0;
    assert_int_equal(iq_mp_skip(sb.data, sb.size, &pos), 0);
    assert_int_equal(iq_mp_read(sb.data, sb.size, &pos, &v), 0);
    assert_int_equal(v.type, IQ_MP_STR);
    assert_int_equal(v.len, 3);
    assert_memory_equal(v.ptr, "end", 3);
    /* truncated anywhere inside the container: refused */
    for (size_t n = 0; n + 4 < sb.size; n++) {
        pos = 0;
        assert_int_equal(iq_mp_skip(sb.data, n, &pos), -EPROTO);
    }
    msgpack_sbuffer_destroy(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_like_iq_event_decode),
        cmocka_unit_test(test_damage),
        cmocka_unit_test(test_unless),
        cmocka_unit_test(test_mp_reader),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

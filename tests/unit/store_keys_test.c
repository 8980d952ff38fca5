/* store_keys_test.c - key layouts: time order across the sign boundary,
 * service prefixes that cannot collide, splitting keys back. */
#include "iq_test.h"
#include "store_keys.h"

static int keycmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);

    return c ? c : (al > bl) - (al < bl);
}

static void test_time_order(void **state)
{
    static const int64_t times[] = { INT64_MIN / 2, -86400000, -1, 0, 1, 999, 1792590120123LL,
                                     INT64_MAX / 2 };
    char a[STORE_KEY_MAX], b[STORE_KEY_MAX];

    (void)state;
    for (size_t i = 0; i + 1 < sizeof(times) / sizeof(times[0]); i++) {
        size_t al = store_key_time(a, times[i], "z", 1), bl = store_key_time(b, times[i + 1], "a", 1);

        assert_true(keycmp(a, al, b, bl) < 0);
        assert_int_equal(store_be64_get(a), times[i]);
    }
}

static void test_index_prefix_isolation(void **state)
{
    char a[STORE_KEY_MAX], p[STORE_KEY_MAX];
    size_t al, pl;
    const char *id;
    size_t idlen;
    int64_t at;

    (void)state;
    /* "api" must not be a key prefix of service "api-gateway" entries */
    al = store_key_index(a, "api-gateway", 11, 5, "e1", 2);
    pl = store_key_index_prefix(p, "api", 3);
    assert_true(al >= pl);
    assert_int_not_equal(memcmp(a, p, pl), 0);
    assert_int_equal(store_key_index_split(a, al, &at, &id, &idlen), 0);
    assert_int_equal(at, 5);
    assert_int_equal(idlen, 2);
    assert_memory_equal(id, "e1", 2);
    assert_int_not_equal(store_key_index_split(a, 5, &at, &id, &idlen), 0);
    assert_int_not_equal(store_key_time_split(a, 8, &at, &id, &idlen), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_time_order),
    cmocka_unit_test(test_index_prefix_isolation),
};

TEST_MAIN(tests)

/* http_addr_test.c - client addresses of the HTTP server: address and
 * range parsing (with the errors users see), range matching across
 * families, the client behind X-Forwarded-For (right-most untrusted hop,
 * forged left parts, garbage, several header lines), and the per-address
 * count table at its limits and through deletions that reshuffle probe
 * chains. */
#include "iq_test.h"
#include "http_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

static struct http_addr addr(const char *s)
{
    struct http_addr a;

    if (http_addr_parse(s, strlen(s), &a) < 0)
        fail_msg("cannot parse %s", s);
    return a;
}

static const char *text(const struct http_addr *a)
{
    static char buf[HTTP_ADDR_TEXT];

    http_addr_format(a, buf, sizeof(buf));
    return buf;
}

static void test_parse(void **state)
{
    static const char *const good[][2] = {
        { "192.0.2.1", "192.0.2.1" },   { " 192.0.2.1 ", "192.0.2.1" },
        { "192.0.2.1:443", "192.0.2.1" }, { "2001:db8::1", "2001:db8::1" },
        { "[2001:db8::1]", "2001:db8::1" }, { "[2001:db8::1]:8080", "2001:db8::1" },
        { "::ffff:192.0.2.1", "192.0.2.1" },
    };
    static const char *const bad[] = {
        "", "192.0.2", "192.0.2.1:", "192.0.2.1:x", "192.0.2.1:123456", "[2001:db8::1",
        "[2001:db8::1]x", "2001:db8::1]:80", "unknown", "192.0.2.256",
    };
    struct http_addr a;
    struct sockaddr_in sin = { .sin_family = AF_INET };

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(http_addr_parse(good[i][0], strlen(good[i][0]), &a), 0);
        assert_string_equal(text(&a), good[i][1]);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(http_addr_parse(bad[i], strlen(bad[i]), &a), -EINVAL);
    inet_pton(AF_INET, "198.51.100.7", &sin.sin_addr);
    assert_int_equal(http_addr_from_sockaddr((struct sockaddr *)&sin, &a), 0);
    assert_string_equal(text(&a), "198.51.100.7");
}

static void test_cidrs(void **state)
{
    struct http_cidrs *c = NULL;
    char err[200];
    struct http_addr a;

    (void)state;
    assert_int_equal(http_cidrs_parse("127.0.0.1, 10.0.0.0/8 fd00::/8,192.168.4.0/22", &c, err,
                                      sizeof(err)), 0);
    assert_int_equal(http_cidrs_count(c), 4);
    a = addr("127.0.0.1");
    assert_true(http_cidrs_match(c, &a));
    a = addr("127.0.0.2");
    assert_false(http_cidrs_match(c, &a));
    a = addr("10.255.1.2");
    assert_true(http_cidrs_match(c, &a));
    a = addr("11.0.0.1");
    assert_false(http_cidrs_match(c, &a));
    a = addr("192.168.7.255");
    assert_true(http_cidrs_match(c, &a));
    a = addr("192.168.8.0");
    assert_false(http_cidrs_match(c, &a));
    a = addr("fdab::1");
    assert_true(http_cidrs_match(c, &a));
    a = addr("fe80::1");
    assert_false(http_cidrs_match(c, &a));
    a = addr("::ffff:10.1.1.1");     /* mapped IPv4 matches the IPv4 range */
    assert_true(http_cidrs_match(c, &a));
    http_cidrs_free(&c);
    assert_null(c);

    assert_int_equal(http_cidrs_parse(NULL, &c, err, sizeof(err)), 0);
    assert_int_equal(http_cidrs_count(c), 0);
    a = addr("127.0.0.1");
    assert_false(http_cidrs_match(c, &a));
    http_cidrs_free(&c);
    assert_int_equal(http_cidrs_parse("0.0.0.0/0", &c, err, sizeof(err)), 0);
    assert_true(http_cidrs_match(c, &a));
    http_cidrs_free(&c);

    assert_int_equal(http_cidrs_parse("10.0.0.0/8, 10.0.0.1/8", &c, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "'10.0.0.1/8' is not an address or a range"));
    assert_null(c);
    assert_int_equal(http_cidrs_parse("10.0.0.0/33", &c, err, sizeof(err)), -EINVAL);
    assert_int_equal(http_cidrs_parse("fd00::/129", &c, err, sizeof(err)), -EINVAL);
    assert_int_equal(http_cidrs_parse("10.0.0.0/", &c, err, sizeof(err)), -EINVAL);
    assert_int_equal(http_cidrs_parse("proxy.local", &c, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "proxy.local"));
}

/* The client for XFF lines behind peer, trusting 10.0.0.0/8 and 127.0.0.1. */
static const char *client(const char *peer, const char *const *lines, size_t n)
{
    static struct http_cidrs *trusted;
    struct http_addr a = addr(peer);
    char err[200];

    if (!trusted && http_cidrs_parse("10.0.0.0/8, 127.0.0.1", &trusted, err, sizeof(err)) < 0)
        fail_msg("%s", err);
    http_addr_forwarded(trusted, lines, n, &a);
    return text(&a);
}

static void test_forwarded(void **state)
{
    const char *one[1], *two[2];
    char many[1024] = "";

    (void)state;
    one[0] = "203.0.113.7";
    assert_string_equal(client("127.0.0.1", one, 1), "203.0.113.7");
    one[0] = "198.51.100.1, 203.0.113.7";         /* forged left part ignored */
    assert_string_equal(client("127.0.0.1", one, 1), "203.0.113.7");
    one[0] = "198.51.100.1, 203.0.113.7, 10.1.1.1"; /* through two proxies */
    assert_string_equal(client("127.0.0.1", one, 1), "203.0.113.7");
    one[0] = "10.3.3.3,10.2.2.2";                   /* every hop trusted: the left-most */
    assert_string_equal(client("127.0.0.1", one, 1), "10.3.3.3");
    one[0] = "203.0.113.7, junk";                   /* garbage: stop at the hop before it */
    assert_string_equal(client("127.0.0.1", one, 1), "127.0.0.1");
    one[0] = "junk, 10.1.1.1";
    assert_string_equal(client("127.0.0.1", one, 1), "10.1.1.1");
    one[0] = "";
    assert_string_equal(client("127.0.0.1", one, 1), "127.0.0.1");
    one[0] = "[2001:db8::7]:4711";
    assert_string_equal(client("127.0.0.1", one, 1), "2001:db8::7");
    assert_string_equal(client("127.0.0.1", NULL, 0), "127.0.0.1");
    two[0] = "198.51.100.1, 203.0.113.7";           /* lines read as one list */
    two[1] = "10.1.1.1";
    assert_string_equal(client("127.0.0.1", two, 2), "203.0.113.7");
    two[1] = "198.51.100.9";
    assert_string_equal(client("127.0.0.1", two, 2), "198.51.100.9");
    for (int i = 0; i < 70; i++)                    /* past 64 hops: stop there */
        snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s10.0.0.%d",
                 i ? "," : "", i % 200 + 1);
    one[0] = many;
    assert_string_equal(client("127.0.0.1", one, 1), "10.0.0.7");
}

static void test_counts(void **state)
{
    struct http_addr_counts *t = NULL;
    struct http_addr a = addr("192.0.2.1"), b = addr("2001:db8::1"), k;

    (void)state;
    assert_int_equal(http_addr_counts_new(200, &t), 0);
    assert_int_equal(http_addr_counts_add(t, &a, 2), 1);
    assert_int_equal(http_addr_counts_add(t, &a, 2), 2);
    assert_int_equal(http_addr_counts_add(t, &a, 2), -EBUSY);   /* at the limit */
    assert_int_equal(http_addr_counts_add(t, &b, 2), 1);
    http_addr_counts_del(t, &a);
    assert_int_equal(http_addr_counts_add(t, &a, 2), 2);
    http_addr_counts_del(t, &a);
    http_addr_counts_del(t, &a);
    http_addr_counts_del(t, &b);
    /* fill to max_keys, then delete every other key: the rest stay found */
    for (int i = 0; i < 200; i++) {
        k = a;
        k.b[14] = (uint8_t)(i >> 8);
        k.b[15] = (uint8_t)i;
        assert_int_equal(http_addr_counts_add(t, &k, 5), 1);
    }
    assert_int_equal(http_addr_counts_add(t, &b, 5), -ENOSPC);
    for (int i = 0; i < 200; i += 2) {
        k = a;
        k.b[14] = (uint8_t)(i >> 8);
        k.b[15] = (uint8_t)i;
        http_addr_counts_del(t, &k);
    }
    for (int i = 0; i < 200; i++) {
        k = a;
        k.b[14] = (uint8_t)(i >> 8);
        k.b[15] = (uint8_t)i;
        assert_int_equal(http_addr_counts_add(t, &k, 5), i % 2 ? 2 : 1);
    }
    http_addr_counts_free(&t);
    assert_null(t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse),
    cmocka_unit_test(test_cidrs),
    cmocka_unit_test(test_forwarded),
    cmocka_unit_test(test_counts),
};

TEST_MAIN(tests)

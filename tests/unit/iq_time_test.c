/* iq_time_test.c - RFC 3339 parsing and formatting: offsets, fractions,
 * leap days and seconds, garbage, and the lenient vendor variants. */
#include "iq_test.h"
#include <errno.h>
#include "iq_time.h"

static int64_t parse(const char *s)
{
    int64_t ms = 12345;

    assert_int_equal(iq_time_parse_rfc3339(s, strlen(s), &ms), 0);
    return ms;
}

static void refuse(const char *s)
{
    int64_t ms = 777;

    assert_int_equal(iq_time_parse_rfc3339(s, strlen(s), &ms), -EINVAL);
    assert_int_equal(ms, 777); /* out-param untouched */
}

static void test_utc_and_offsets(void **state)
{
    (void)state;
    assert_int_equal(parse("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse("2026-10-21T13:42:00Z"), 1792590120000LL);
    assert_int_equal(parse("2026-10-21T15:42:00+02:00"), 1792590120000LL);
    assert_int_equal(parse("2026-10-21T08:12:00-05:30"), 1792590120000LL);
    assert_int_equal(parse("2026-10-21t13:42:00z"), 1792590120000LL);
    /* offset crossing midnight and the year */
    assert_int_equal(parse("2027-01-01T01:00:00+02:00"), parse("2026-12-31T23:00:00Z"));
}

static void test_fractions(void **state)
{
    (void)state;
    assert_int_equal(parse("2018-03-07T06:33:21.873077559-05:00"), 1520422401873LL);
    assert_int_equal(parse("2026-10-21T13:42:00.1Z") % 1000, 100);
    assert_int_equal(parse("2026-10-21T13:42:00.12Z") % 1000, 120);
    assert_int_equal(parse("2026-10-21T13:42:00.999999Z") % 1000, 999);
    refuse("2026-10-21T13:42:00.Z");
}

static void test_leap(void **state)
{
    (void)state;
    assert_int_equal(parse("2024-02-29T00:00:00Z") - parse("2024-02-28T00:00:00Z"), 86400000);
    assert_int_equal(parse("2000-02-29T12:00:00Z") > 0, 1);
    refuse("2026-02-29T00:00:00Z");
    refuse("1900-02-29T00:00:00Z");
    /* a leap second folds onto the last millisecond of its minute */
    assert_int_equal(parse("2016-12-31T23:59:60Z"), parse("2016-12-31T23:59:59.999Z"));
    assert_int_equal(parse("1969-12-31T23:59:59Z"), -1000);
}

static void test_garbage(void **state)
{
    (void)state;
    refuse("yesterday");
    refuse("");
    refuse("2026-10-21T13:42:00");          /* no offset */
    refuse("2026-10-21 13:42:00Z");         /* space: strict */
    refuse("2026-10-21T13:42:00+0200");     /* no colon: strict */
    refuse("2026-13-01T00:00:00Z");
    refuse("2026-10-32T00:00:00Z");
    refuse("2026-10-21T24:00:00Z");
    refuse("2026-10-21T13:60:00Z");
    refuse("2026-10-21T13:42:00Zjunk");
    refuse("2026-10-21T13:42:00+25:00");
    refuse("20261021T134200Z");
}

static void test_lenient(void **state)
{
    int64_t a, b;
    const char *gl = "2021-04-28 21:50:00 +0200", *utc = "2020-11-02 12:55:12 UTC";
    const char *pd = "2015-07-17T08:42:58.315+0000";

    (void)state;
    assert_int_equal(iq_time_parse_lenient(gl, strlen(gl), &a), 0);
    assert_int_equal(a, parse("2021-04-28T19:50:00Z"));
    assert_int_equal(iq_time_parse_lenient(utc, strlen(utc), &b), 0);
    assert_int_equal(b, parse("2020-11-02T12:55:12Z"));
    assert_int_equal(iq_time_parse_lenient(pd, strlen(pd), &a), 0);
    assert_int_equal(a, parse("2015-07-17T08:42:58.315Z"));
    assert_int_equal(iq_time_parse_lenient("2021-04-28 21:50:00", 19, &a), -EINVAL);
}

static void test_format(void **state)
{
    char buf[IQ_TIME_STRLEN];

    (void)state;
    iq_time_format(1792590120123LL, buf, sizeof(buf));
    assert_string_equal(buf, "2026-10-21T13:42:00.123Z");
    iq_time_format(-1, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    iq_time_format_minute(parse("2024-02-29T23:59:59.999Z"), buf, sizeof(buf));
    assert_string_equal(buf, "2024-02-29 23:59");
    /* outside years 0..9999, and into a short buffer: as printf writes it */
    iq_time_format(253402300800000LL, buf, sizeof(buf));
    assert_string_equal(buf, "10000-01-01T00:00:00.000Z");
    iq_time_format(-62167219200001LL, buf, sizeof(buf));
    assert_string_equal(buf, "-001-12-31T23:59:59.999Z");
    iq_time_format(-62167219200000LL, buf, sizeof(buf));
    assert_string_equal(buf, "0000-01-01T00:00:00.000Z");
    iq_time_format(1792590120123LL, buf, 11);
    assert_string_equal(buf, "2026-10-21");
    /* round trip over a range of days, leap years included */
    for (int64_t t = -5000000000000LL; t < 5000000000000LL; t += 86400000LL * 37 + 1234) {
        iq_time_format(t, buf, sizeof(buf));
        assert_int_equal(parse(buf), t);
    }
}

static void test_durations(void **state)
{
    int64_t ms;

    (void)state;
    assert_int_equal(iq_duration_parse("90s", &ms), 0);
    assert_int_equal(ms, 90000);
    assert_int_equal(iq_duration_parse("30m", &ms), 0);
    assert_int_equal(ms, 1800000);
    assert_int_equal(iq_duration_parse("2h", &ms), 0);
    assert_int_equal(ms, 7200000);
    assert_int_equal(iq_duration_parse("90d", &ms), 0);
    assert_int_equal(ms, 90LL * 86400000);
    assert_int_equal(iq_duration_parse("1500ms", &ms), 0);
    assert_int_equal(ms, 1500);
    assert_int_equal(iq_duration_parse("5x", &ms), -EINVAL);
    assert_int_equal(iq_duration_parse("", &ms), -EINVAL);
    assert_int_equal(iq_duration_parse("99999999999999999999s", &ms), -EINVAL);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_utc_and_offsets),
    cmocka_unit_test(test_fractions),
    cmocka_unit_test(test_leap),
    cmocka_unit_test(test_garbage),
    cmocka_unit_test(test_lenient),
    cmocka_unit_test(test_format),
    cmocka_unit_test(test_durations),
};

TEST_MAIN(tests)

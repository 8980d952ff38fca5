/* iq_tz_test.c - time zones read from the zoneinfo database (iq_tz.c)
 * against the C library: for zones east and west, with and without DST,
 * northern and southern, half-hour and historical offsets, every few days
 * from 1900 to 2100 (past the files' last transitions, where the footer
 * rule applies) and around each DST change, the offset and abbreviation
 * must be what glibc's localtime_r says with TZ set to the same zone (set
 * here, single-threaded).  Also POSIX TZ strings, unknown and unsafe
 * names, and the display format. */
#include "iq_test.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "iq_file.h"
#include "iq_tz.h"

static const char *const zones[] = {
    "Asia/Tokyo", "America/New_York", "Europe/London", "Europe/Berlin", "Australia/Sydney",
    "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Auckland", "Africa/Casablanca",
    "Australia/Lord_Howe", "America/St_Johns", "UTC", "EST5EDT",
};

static void check_at(const struct iq_tz *z, const char *name, time_t t)
{
    struct tm tm;
    char abbr[IQ_TZ_ABBR_MAX];
    int32_t off;

    assert_non_null(localtime_r(&t, &tm));
    iq_tz_at(z, (int64_t)t * 1000, &off, abbr);
    if (off != tm.tm_gmtoff || strcmp(abbr, tm.tm_zone) != 0)
        fail_msg("%s at %lld: got %d %s, localtime_r says %ld %s", name, (long long)t, off,
                 abbr, tm.tm_gmtoff, tm.tm_zone);
}

static void compare_zone(const char *name)
{
    struct iq_tz *z = NULL;
    char err[256];
    int32_t prev = 0, off;
    char abbr[IQ_TZ_ABBR_MAX];

    assert_int_equal(iq_tz_load(name, false, &z, err, sizeof(err)), 0);
    setenv("TZ", name, 1);
    tzset();
    for (time_t t = -2208988800LL; t < 4102444800LL; t += 3 * 86400 + 3607) {
        check_at(z, name, t);
        iq_tz_at(z, (int64_t)t * 1000, &off, abbr);
        if (off != prev) {   /* a change in between: look at it by the second */
            for (time_t u = t - 3 * 86400 - 3607; u <= t; u += 1800)
                check_at(z, name, u);
            prev = off;
        }
    }
    iq_tz_free(&z);
}

static void test_against_libc(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
        compare_zone(zones[i]);
    unsetenv("TZ");
    tzset();
}

static void test_tz_strings(void **state)
{
    static const char *const rules[] = { "EST5EDT,M3.2.0,M11.1.0", "JST-9", "<+0530>-5:30",
                                         "AEST-10AEDT,M10.1.0,M4.1.0/3", "CET-1CEST,M3.5.0,M10.5.0/3",
                                         "NZST-12NZDT,M9.5.0,M4.1.0/3", "XXX3YYY,J60/1,300/23" };
    (void)state;
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        struct iq_tz *z = NULL;
        char err[256];

        assert_int_equal(iq_tz_load(rules[i], false, &z, err, sizeof(err)), 0);
        setenv("TZ", rules[i], 1);
        tzset();
        for (time_t t = 946684800; t < 2524608000LL; t += 86400 + 1799)
            check_at(z, rules[i], t);
        iq_tz_free(&z);
    }
    unsetenv("TZ");
    tzset();
}

static void test_refused(void **state)
{
    static const char *const bad[] = { "Mars/Olympus_Mons", "../../etc/passwd", "Asia/../../x",
                                       "/etc/localtime", "", "NOPE", "AB5", "JST-9JDT,M13.1.0,M1.1.0",
                                       "Asia/Tokyo\n" };
    struct iq_tz *z = NULL;
    char err[256];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (iq_tz_load(bad[i], false, &z, err, sizeof(err)) != -ENOENT)
            fail_msg("%s: accepted", bad[i]);
        assert_null(z);
        assert_non_null(strstr(err, "unknown time zone"));
    }
    assert_non_null(strstr(err, "Asia/Tokyo"));
    /* a path only when allowed, as TZ=:/etc/localtime in the CLI */
    assert_int_equal(iq_tz_load(":/usr/share/zoneinfo/Asia/Tokyo", true, &z, err, sizeof(err)), 0);
    iq_tz_free(&z);
}

/* Damaged zone files (every prefix of a real one, and bytes flipped) and
 * hostile TZ strings load cleanly or fail with -EINVAL/-ENOENT, never
 * read out of bounds (the ASan build runs this too). */
static void test_damaged(void **state)
{
    char dir[] = "/tmp/iq-tz-XXXXXX", path[300], err[256], *good = NULL;
    static const char *const strings[] = { "<", "<+0530", "A<>1", "ABC-", "ABC+25", "ABC1DEF,",
                                           "ABC1DEF,M", "ABC1DEF,M1.1.7,M2.1.0", "ABC1DEF,J0,J1",
                                           "ABC1DEF,J1/200,J2", "ABC1:60", "ABCDEFGHIJKLMNOPQRS1" };
    struct iq_tz *z = NULL;
    size_t len = 0;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(iq_read_file("/usr/share/zoneinfo/America/New_York", 1 << 20, &good, &len), 0);
    setenv("TZDIR", dir, 1);
    snprintf(path, sizeof(path), "%s/Bad", dir);
    for (size_t cut = 0; cut <= len; cut += cut < 120 ? 1 : 37) {
        for (int flip = -1; flip < 3; flip++) {
            char *copy = malloc(len ? len : 1);
            int r;

            memcpy(copy, good, len);
            if (flip >= 0 && cut > 0)
                copy[(cut * 7 + (size_t)flip * 13) % cut] ^= (char)(0x5a + flip);
            assert_non_null(f = fopen(path, "wb"));
            assert_int_equal(fwrite(copy, 1, cut, f), cut);
            fclose(f);
            r = iq_tz_load("Bad", false, &z, err, sizeof(err));
            assert_true(r == 0 || r == -EINVAL || r == -ENOENT);
            if (r == 0) {
                char buf[64];

                iq_tz_format(z, 4102444800000LL, true, buf, sizeof(buf));
                iq_tz_format(z, -4102444800000LL, true, buf, sizeof(buf));
            }
            iq_tz_free(&z);
            free(copy);
        }
    }
    unlink(path);
    rmdir(dir);
    unsetenv("TZDIR");
    free(good);
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        assert_int_equal(iq_tz_load(strings[i], false, &z, err, sizeof(err)), -ENOENT);
        assert_null(z);
    }
}

static void test_format(void **state)
{
    struct iq_tz *z = NULL;
    char err[256], buf[64];

    (void)state;
    assert_int_equal(iq_tz_load("Asia/Tokyo", false, &z, err, sizeof(err)), 0);
    assert_false(iq_tz_is_utc(z));
    assert_string_equal(iq_tz_name(z), "Asia/Tokyo");
    iq_tz_format(z, 1792590180000LL, false, buf, sizeof(buf));   /* 2026-10-21T13:43:00Z */
    assert_string_equal(buf, "22:43 JST");
    iq_tz_format(z, 1792590180000LL, true, buf, sizeof(buf));
    assert_string_equal(buf, "2026-10-21 22:43:00 JST");
    iq_tz_free(&z);
    assert_int_equal(iq_tz_load(":America/New_York", false, &z, err, sizeof(err)), 0);
    /* 2026-03-08 06:59:59Z is 01:59:59 EST; a second later it is 03:00 EDT */
    iq_tz_format(z, 1772953199000LL, true, buf, sizeof(buf));
    assert_string_equal(buf, "2026-03-08 01:59:59 EST");
    iq_tz_format(z, 1772953200000LL, true, buf, sizeof(buf));
    assert_string_equal(buf, "2026-03-08 03:00:00 EDT");
    iq_tz_free(&z);
    assert_int_equal(iq_tz_load("Etc/UTC", false, &z, err, sizeof(err)), 0);
    assert_true(iq_tz_is_utc(z));
    iq_tz_free(&z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_libc),
        cmocka_unit_test(test_tz_strings),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

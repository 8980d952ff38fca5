/* store_disk_test.c - the free-space guard on the real filesystem of a temp
 * directory: min_free_disk parsing (sizes, percentages, both, garbage),
 * busy below the minimum with a reason naming the directory, and the
 * reserve file (created 0600, released on a failed write, recreated). */
#include "iq_test.h"
#include <errno.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "store_disk.h"

static char dir[256], reserve[300];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "%s/iq-disk-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    snprintf(reserve, sizeof(reserve), "%s/%s", dir, STORE_DISK_RESERVE_NAME);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(reserve);
    return rmdir(dir);
}

static void parse_ok(const char *s, int64_t bytes, double fraction)
{
    struct store_disk_limit l;
    char err[200];

    assert_int_equal(store_disk_limit_parse(s, &l, err, sizeof(err)), 0);
    assert_int_equal(l.bytes, bytes);
    assert_true(l.fraction > fraction - 1e-9 && l.fraction < fraction + 1e-9);
}

static void parse_bad(const char *s)
{
    struct store_disk_limit l = { 123, 0.5 };
    char err[200] = "";

    assert_int_equal(store_disk_limit_parse(s, &l, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "min_free_disk"));
    assert_int_equal(l.bytes, 123);           /* out-param untouched */
}

static void test_limit_parse(void **state)
{
    (void)state;
    parse_ok("1G", 1LL << 30, -1);
    parse_ok("512M", 512LL << 20, -1);
    parse_ok("5%", -1, 0.05);
    parse_ok("0.5%", -1, 0.005);
    parse_ok("1G,5%", 1LL << 30, 0.05);
    parse_ok("5%,1G", 1LL << 30, 0.05);
    parse_ok("0", 0, -1);
    parse_ok(STORE_DISK_MIN_FREE_DEFAULT, 1LL << 30, 0.05);
    parse_bad("");
    parse_bad("x");
    parse_bad("95%");
    parse_bad("-1%");
    parse_bad("5%%");
    parse_bad("1G,2G");
    parse_bad("5%,6%");
    parse_bad("1G,");
    parse_bad("1G,5%,2G");
}

static int64_t free_now(void)
{
    struct statvfs v;

    assert_int_equal(statvfs(dir, &v), 0);
    return (int64_t)v.f_bavail * (int64_t)v.f_frsize;
}

static void test_busy_below_minimum(void **state)
{
    struct store_disk_opts o = { .min_free = { .bytes = free_now() + (1LL << 30), .fraction = -1 } };
    struct store_disk *d = NULL;
    struct store_disk_state ds;
    char why[512];

    (void)state;
    assert_int_equal(store_disk_new(dir, &o, &d), 0);
    assert_int_equal(store_disk_admit(d, 100), -ENOSPC);
    store_disk_state(d, &ds);
    assert_true(ds.busy);
    assert_int_equal(ds.min_free, o.min_free.bytes);
    assert_true(ds.free_bytes > 0 && ds.total_bytes >= ds.free_bytes);
    store_disk_reason(d, why, sizeof(why));
    assert_non_null(strstr(why, "disk full on "));
    assert_non_null(strstr(why, dir));
    store_disk_destroy(&d);
    assert_null(d);

    o.min_free.bytes = 0;                        /* guard off */
    assert_int_equal(store_disk_new(dir, &o, &d), 0);
    assert_int_equal(store_disk_admit(d, 1 << 20), 0);
    assert_int_equal(store_disk_refresh(d), 0);
    store_disk_destroy(&d);
}

static void test_percentage_of_the_filesystem(void **state)
{
    struct store_disk_opts o = { .min_free = { .bytes = 1LL << 50, .fraction = 0.01 } };
    struct store_disk *d = NULL;
    struct store_disk_state ds;

    (void)state;
    assert_int_equal(store_disk_new(dir, &o, &d), 0);
    store_disk_state(d, &ds);
    /* whichever is smaller: 1 % of the filesystem, not 1 PiB */
    assert_true(ds.min_free >= ds.total_bytes / 100 - 1 && ds.min_free <= ds.total_bytes / 100);
    store_disk_destroy(&d);
}

static void test_reserve(void **state)
{
    struct store_disk_opts o = { .min_free = { .bytes = 0, .fraction = -1 }, .reserve = 1 << 20 };
    struct store_disk *d = NULL;
    struct store_disk_state ds;
    struct stat st;

    (void)state;
    assert_int_equal(store_disk_new(dir, &o, &d), 0);
    assert_int_equal(stat(reserve, &st), 0);
    assert_int_equal(st.st_size, 1 << 20);
    assert_int_equal(st.st_mode & 07777, 0600);
    store_disk_state(d, &ds);
    assert_true(ds.reserve_held);
    store_disk_write_failed(d);                    /* released at once */
    assert_int_equal(stat(reserve, &st), -1);
    store_disk_state(d, &ds);
    assert_false(ds.reserve_held);
    assert_int_equal(store_disk_refresh(d), 0);   /* room again: recreated */
    assert_int_equal(stat(reserve, &st), 0);
    store_disk_destroy(&d);
    assert_int_equal(store_disk_new(dir, &o, &d), 0);   /* adopted, not rewritten */
    store_disk_state(d, &ds);
    assert_true(ds.reserve_held);
    store_disk_destroy(&d);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_limit_parse),
    cmocka_unit_test_setup_teardown(test_busy_below_minimum, setup, teardown),
    cmocka_unit_test_setup_teardown(test_percentage_of_the_filesystem, setup, teardown),
    cmocka_unit_test_setup_teardown(test_reserve, setup, teardown),
};

TEST_MAIN(tests)

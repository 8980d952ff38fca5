/* store_version_test.c - the data format version of a real RocksDB
 * store: stamped on creation with the release that wrote it, an unstamped
 * store (from before versions were recorded) read as format 1 and stamped
 * by the next writable open only, and a newer or garbled version refused
 * by writable and read-only opens alike. */
#include "iq_test.h"
#include <errno.h>
#include <unistd.h>
#include "store.h"
#include "iq_version.h"

IQ_TEST_SCRATCH(dir, "iq-version")

/* The value of meta key k in a store, or NULL when absent (caller frees). */
static char *meta(struct store *st, const char *k)
{
    char *v = NULL;
    size_t len;
    int r = store_kv_get(st, STORE_CF_META, k, strlen(k), &v, &len);

    assert_true(r == 0 || r == -ENOENT);
    return v;
}

static void sub_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void test_stamped_on_creation(void **state)
{
    struct store_opts rw = { 0 };
    struct store *st = NULL;
    char d[300], *v;

    (void)state;
    sub_dir(d, sizeof(d), "fresh");
    assert_int_equal(store_open(d, &rw, &st), 0);
    assert_int_equal(store_format(st), STORE_FORMAT);
    v = meta(st, "schema");
    assert_non_null(v);
    assert_string_equal(v, "1");
    free(v);
    v = meta(st, "written_by");
    assert_non_null(v);
    assert_string_equal(v, IQ_VERSION);
    free(v);
    store_close(&st);
}

static void test_unstamped_is_format_1(void **state)
{
    struct store_opts rw = { 0 }, ro = { .read_only = true };
    struct store *st = NULL;
    char d[300], *v;

    (void)state;
    sub_dir(d, sizeof(d), "old");
    assert_int_equal(store_open(d, &rw, &st), 0);
    assert_int_equal(store_kv_delete(st, STORE_CF_META, "schema", 6), 0);
    assert_int_equal(store_kv_delete(st, STORE_CF_META, "written_by", 10), 0);
    store_close(&st);
    /* a reader takes it as format 1 and writes nothing */
    assert_int_equal(store_open(d, &ro, &st), 0);
    assert_int_equal(store_format(st), 1);
    assert_null(meta(st, "schema"));
    store_close(&st);
    /* the next writable open stamps it */
    assert_int_equal(store_open(d, &rw, &st), 0);
    v = meta(st, "schema");
    assert_non_null(v);
    assert_string_equal(v, "1");
    free(v);
    v = meta(st, "written_by");
    assert_string_equal(v, IQ_VERSION);
    free(v);
    store_close(&st);
}

/* A store whose version key says val is refused by both kinds of open. */
static void refused(const char *name, const char *val)
{
    struct store_opts rw = { 0 }, ro = { .read_only = true };
    struct store *st = NULL;
    char d[300];

    sub_dir(d, sizeof(d), name);
    assert_int_equal(store_open(d, &rw, &st), 0);
    assert_int_equal(store_kv_put(st, STORE_CF_META, "schema", 6, val, strlen(val)), 0);
    assert_int_equal(store_kv_put(st, STORE_CF_META, "written_by", 10, "9.9.9", 5), 0);
    store_close(&st);
    assert_int_equal(store_open(d, &rw, &st), -EPROTO);
    assert_null(st);
    assert_int_equal(store_open(d, &ro, &st), -EPROTO);
    assert_null(st);
}

static void test_newer_refused(void **state)
{
    (void)state;
    refused("newer", "2");
    refused("garbled", "one");
    refused("zero", "0");
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_stamped_on_creation),
    cmocka_unit_test(test_unstamped_is_format_1),
    cmocka_unit_test(test_newer_refused),
};

TEST_MAIN_GROUP(tests, scratch_setup, scratch_teardown)

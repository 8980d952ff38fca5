/* ing_spool_test.c - the collector's spool on real RocksDB files in a temp
 * directory: appends read back in order with their sequences and times,
 * release of an acknowledged prefix (depth, bytes and oldest age follow),
 * everything held surviving a close and reopen, the spool_max bound
 * (refused whole, busy with a reason, room again after a release), the
 * per-entry limit, read limits, waiting for an append (and a wake), and a
 * directory that holds another database refused. */
#include "iq_test.h"
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <rocksdb/c.h>
#include "ing_spool.h"
#include "iq_time.h"

/* a fresh directory for each test (per-test fixtures, below) */
IQ_TEST_SCRATCH(dir, "iq-spool")

static struct ing_spool *open_spool(uint64_t max)
{
    struct ing_spool_opts o = { .max_bytes = max };
    struct ing_spool *sp = NULL;

    assert_int_equal(ing_spool_open(dir, &o, &sp), 0);
    return sp;
}

/* Append n values "v<first>".."v<first+n-1>" in one call. */
static int append_n(struct ing_spool *sp, int first, int n)
{
    char bufs[64][16];
    const char *vals[64];
    size_t lens[64];

    assert_true(n <= 64);
    for (int i = 0; i < n; i++) {
        lens[i] = (size_t)snprintf(bufs[i], sizeof(bufs[i]), "v%d", first + i);
        vals[i] = bufs[i];
    }
    return ing_spool_append(sp, vals, lens, (size_t)n);
}

struct seen {
    uint64_t seq[256];
    char val[256][16];
    int64_t at[256];
    int n;
    int stop_after;     /* return 1 from the callback after this many; 0: never */
};

static int on_entry(void *ud, uint64_t seq, int64_t at, const char *val, size_t len)
{
    struct seen *s = ud;

    assert_true(s->n < 256 && len < sizeof(s->val[0]));
    s->seq[s->n] = seq;
    s->at[s->n] = at;
    memcpy(s->val[s->n], val, len);
    s->val[s->n][len] = '\0';
    s->n++;
    return s->stop_after && s->n == s->stop_after;
}

static void test_append_read_release(void **state)
{
    struct ing_spool *sp = open_spool(0);
    struct ing_spool_stats st;
    struct seen s = { .n = 0 };
    int64_t before = iq_time_now_ms();

    (void)state;
    ing_spool_stats(sp, &st);
    assert_int_equal(st.events, 0);
    assert_int_equal(st.bytes, 0);
    assert_true(st.oldest_at == IQ_TIME_NONE);
    assert_int_equal(append_n(sp, 0, 3), 3);
    assert_int_equal(append_n(sp, 3, 2), 2);
    ing_spool_stats(sp, &st);
    assert_int_equal(st.events, 5);
    assert_int_equal(st.bytes, 10);                 /* "v0".."v4" */
    assert_int_equal(st.next - st.head, 5);
    assert_true(st.oldest_at >= before && st.oldest_at <= iq_time_now_ms());
    assert_int_equal(ing_spool_read(sp, st.head, 100, 1 << 20, on_entry, &s), 5);
    for (int i = 0; i < 5; i++) {
        char want[16];

        snprintf(want, sizeof(want), "v%d", i);
        assert_string_equal(s.val[i], want);
        assert_int_equal(s.seq[i], st.head + (uint64_t)i);
        assert_true(s.at[i] >= before);
    }
    /* release the first two: depth and bytes follow, reads start after them */
    assert_int_equal(ing_spool_release(sp, st.head + 1), 0);
    ing_spool_stats(sp, &st);
    assert_int_equal(st.events, 3);
    assert_int_equal(st.bytes, 6);
    s.n = 0;
    assert_int_equal(ing_spool_read(sp, 0, 100, 1 << 20, on_entry, &s), 3);
    assert_string_equal(s.val[0], "v2");
    /* reading from the end finds nothing; releasing past the end empties */
    assert_int_equal(ing_spool_read(sp, st.next, 100, 1 << 20, on_entry, &s), 0);
    assert_int_equal(ing_spool_release(sp, st.next + 100), 0);
    ing_spool_stats(sp, &st);
    assert_int_equal(st.events, 0);
    assert_int_equal(st.bytes, 0);
    assert_true(st.oldest_at == IQ_TIME_NONE);
    ing_spool_close(&sp);
    assert_null(sp);
}

static void test_reopen_keeps_what_is_held(void **state)
{
    struct ing_spool *sp = open_spool(0);
    struct ing_spool_stats a, b;
    struct seen s = { .n = 0 };

    (void)state;
    assert_int_equal(append_n(sp, 0, 10), 10);
    ing_spool_stats(sp, &a);
    assert_int_equal(ing_spool_release(sp, a.head + 3), 0);   /* 4 released */
    ing_spool_stats(sp, &a);
    ing_spool_close(&sp);
    sp = open_spool(0);
    ing_spool_stats(sp, &b);
    assert_int_equal(b.events, 6);
    assert_int_equal(b.bytes, a.bytes);
    assert_int_equal(b.head, a.head);
    assert_int_equal(b.next, a.next);
    assert_true(b.oldest_at == a.oldest_at);
    /* sequences go on after the reopen */
    assert_int_equal(append_n(sp, 10, 1), 1);
    assert_int_equal(ing_spool_read(sp, 0, 100, 1 << 20, on_entry, &s), 7);
    assert_string_equal(s.val[0], "v4");
    assert_string_equal(s.val[6], "v10");
    assert_int_equal(s.seq[6], b.next);
    ing_spool_close(&sp);
}

static void test_bounded(void **state)
{
    struct ing_spool *sp = open_spool(20);          /* 20 bytes of values */
    struct ing_spool_stats st;
    char reason[400];

    (void)state;
    assert_int_equal(append_n(sp, 0, 5), 5);       /* 10 bytes */
    assert_int_equal(append_n(sp, 10, 6), -ENOBUFS); /* 18 more: refused whole */
    ing_spool_stats(sp, &st);
    assert_int_equal(st.events, 5);
    assert_true(st.full);
    ing_spool_reason(sp, reason, sizeof(reason));
    assert_non_null(strstr(reason, "spool full"));
    assert_non_null(strstr(reason, dir));
    assert_non_null(strstr(reason, "5 events"));
    assert_int_equal(append_n(sp, 5, 5), 5);       /* 10 bytes: exactly 20 */
    ing_spool_stats(sp, &st);
    assert_false(st.full);
    assert_int_equal(append_n(sp, 20, 1), -ENOBUFS);
    assert_int_equal(ing_spool_release(sp, st.head + 4), 0);
    ing_spool_stats(sp, &st);
    assert_false(st.full);
    ing_spool_reason(sp, reason, sizeof(reason));
    assert_string_equal(reason, "");
    assert_int_equal(append_n(sp, 20, 1), 1);
    ing_spool_close(&sp);
}

static void test_limits(void **state)
{
    struct ing_spool *sp = open_spool(0);
    struct seen s = { .n = 0 };
    char *big = calloc(1, (1u << 20) + 1);
    const char *vals[1] = { big };
    size_t lens[1] = { (1u << 20) + 1 };

    (void)state;
    assert_non_null(big);
    assert_int_equal(ing_spool_append(sp, vals, lens, 1), -E2BIG);
    free(big);
    assert_int_equal(append_n(sp, 0, 30), 30);
    assert_int_equal(ing_spool_read(sp, 0, 7, 1 << 20, on_entry, &s), 7);
    s.n = 0;
    /* max_bytes stops after the entry that reaches it: "v0" "v1" "v2" = 6 */
    assert_int_equal(ing_spool_read(sp, 0, 100, 5, on_entry, &s), 3);
    s.n = 0;
    s.stop_after = 2;
    assert_int_equal(ing_spool_read(sp, 0, 100, 1 << 20, on_entry, &s), 1);
    assert_int_equal(s.n, 2);
    ing_spool_close(&sp);
}

struct waiter {
    struct ing_spool *sp;
    uint64_t seq;
    bool got;
    int64_t ms;
};

static void *wait_main(void *arg)
{
    struct waiter *w = arg;
    int64_t t0 = iq_time_mono_ms();

    w->got = ing_spool_wait(w->sp, w->seq, 20000);
    w->ms = iq_time_mono_ms() - t0;
    return NULL;
}

static void test_wait_and_wake(void **state)
{
    struct ing_spool *sp = open_spool(0);
    struct ing_spool_stats st;
    struct waiter w = { .sp = sp };
    pthread_t th;
    int64_t t0;

    (void)state;
    ing_spool_stats(sp, &st);
    t0 = iq_time_mono_ms();
    assert_false(ing_spool_wait(sp, st.next, 50));      /* nothing: times out */
    assert_true(iq_time_mono_ms() - t0 >= 40);
    /* an append wakes a waiter at once */
    w.seq = st.next;
    assert_int_equal(pthread_create(&th, NULL, wait_main, &w), 0);
    assert_int_equal(append_n(sp, 0, 1), 1);
    pthread_join(th, NULL);
    assert_true(w.got);
    assert_true(w.ms < 10000);
    assert_true(ing_spool_wait(sp, st.next, 0));         /* already there */
    /* a wake ends a wait with nothing to read (it is kept until a waiter
     * takes it, so it works whether or not the waiter is waiting yet) */
    w.seq = st.next + 5;
    assert_int_equal(pthread_create(&th, NULL, wait_main, &w), 0);
    ing_spool_wake(sp);
    pthread_join(th, NULL);
    assert_false(w.got);
    assert_true(w.ms < 10000);
    ing_spool_close(&sp);
}

static void test_refuses_another_database(void **state)
{
    rocksdb_options_t *o = rocksdb_options_create();
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    struct ing_spool_opts so = { 0 };
    struct ing_spool *sp = NULL;
    char *err = NULL;
    rocksdb_t *db;

    (void)state;
    rocksdb_options_set_create_if_missing(o, 1);
    db = rocksdb_open(o, dir, &err);
    assert_null(err);
    rocksdb_put(db, wo, "not-a-sequence", 14, "x", 1, &err);
    assert_null(err);
    rocksdb_close(db);
    rocksdb_writeoptions_destroy(wo);
    rocksdb_options_destroy(o);
    assert_int_equal(ing_spool_open(dir, &so, &sp), -EINVAL);
    assert_null(sp);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_append_read_release, scratch_setup, scratch_teardown),
    cmocka_unit_test_setup_teardown(test_reopen_keeps_what_is_held, scratch_setup, scratch_teardown),
    cmocka_unit_test_setup_teardown(test_bounded, scratch_setup, scratch_teardown),
    cmocka_unit_test_setup_teardown(test_limits, scratch_setup, scratch_teardown),
    cmocka_unit_test_setup_teardown(test_wait_and_wake, scratch_setup, scratch_teardown),
    cmocka_unit_test_setup_teardown(test_refuses_another_database, scratch_setup, scratch_teardown),
};

TEST_MAIN(tests)

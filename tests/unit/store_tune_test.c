/* store_tune_test.c - the store's options and memory budget
 * (store/store_tune.c) on real RocksDB files in a temp directory: a full
 * compaction leaves log-like events in fewer bytes than their text (the
 * compression by level is in effect), store_memory reports memtables that
 * a compaction empties, table readers that stay small (index and filter
 * blocks live in the block cache) and a cache that keeps to its size after
 * every event was read; a read-only store refuses to compact. */
#include "iq_test.h"
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include "store.h"
#include "store_test.h"
#include "iq_time.h"

IQ_TEST_SCRATCH(dir, "iq-store-tune")

#define N_EVENTS 20000
#define BATCH 500
#define CACHE (4u << 20)

/* Bytes of the table files (*.sst) in dir. */
static long long sst_bytes(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    long long n = 0;
    char path[512];
    struct stat s;

    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);

        if (l < 4 || strcmp(e->d_name + l - 4, ".sst") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &s) == 0)
            n += (long long)s.st_size;
    }
    closedir(d);
    return n;
}

/* N_EVENTS log-like events: one of a few message templates with varying
 * numbers, on one of ten services.  Returns the bytes of their texts. */
static long long put_log_events(struct store *st)
{
    static const char *const tmpl[] = {
        "GET /api/v1/orders/%d returned 502 after %d ms (upstream checkout-%d)",
        "connection pool exhausted: %d of %d connections busy, waited %d ms",
        "payment provider timeout for order %d after %d ms, retry %d of 3",
    };
    struct iq_event *evs[BATCH];
    uint8_t out[BATCH];
    long long text = 0;

    for (int done = 0; done < N_EVENTS; done += BATCH) {
        for (int i = 0; i < BATCH; i++) {
            int k = done + i;
            char id[32], svc[16], msg[160];

            snprintf(id, sizeof(id), "log-%08d", k);
            snprintf(svc, sizeof(svc), "svc-%d", k % 10);
            snprintf(msg, sizeof(msg), tmpl[k % 3], k * 7919 % 100000, k % 997, k % 13);
            evs[i] = store_test_event(id, 1700000000000 + (int64_t)k * 1000, svc, NULL, false);
            assert_int_equal(iq_event_set_str(evs[i], IQ_F_TEXT, msg), 0);
            text += (long long)strlen(msg) + (long long)strlen(id) + (long long)strlen(svc);
        }
        assert_int_equal(store_put_events(st, evs, BATCH, out), BATCH);
        for (int i = 0; i < BATCH; i++)
            iq_event_destroy(&evs[i]);
    }
    return text;
}

static struct store *open_writable(void)
{
    struct store_opts o = { .block_cache = CACHE };
    struct store *st = NULL;

    assert_int_equal(store_open(dir, &o, &st), 0);
    return st;
}

static void test_compaction_compresses(void **state)
{
    struct store *st = open_writable();
    struct store_memory m;
    long long text = put_log_events(st), sst;

    (void)state;
    store_memory(st, &m);
    assert_true(m.memtables > 0);               /* not flushed yet */
    assert_int_equal(store_compact(st), 0);
    store_memory(st, &m);
    assert_true(m.memtables < 1 << 20);         /* flushed: empty memtables */
    sst = sst_bytes();
    /* every event is in a table file: its text, id and service at least,
     * plus the three indexes; uncompressed that is more than the text */
    assert_true(sst > 0);
    assert_true(sst < text / 2);
    store_close(&st);
}

static int count_val(void *ud, const char *v, size_t len)
{
    return store_test_count_val(ud, v, len);
}

static void test_memory_stays_in_budget(void **state)
{
    struct store *st = open_writable();
    struct store_filter all = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE };
    struct store_memory m;
    int n = 0;

    (void)state;
    put_log_events(st);
    assert_int_equal(store_compact(st), 0);
    assert_int_equal(store_scan(st, &all, count_val, &n), 0);
    assert_int_equal(n, N_EVENTS);
    for (int k = 0; k < N_EVENTS; k += 97) {
        char id[32];
        struct iq_event *ev = NULL;

        snprintf(id, sizeof(id), "log-%08d", k);
        assert_int_equal(store_get_event(st, id, &ev), 0);
        iq_event_destroy(&ev);
    }
    store_memory(st, &m);
    /* the index and filter blocks were read through the cache: the table
     * readers hold only the pinned top levels */
    assert_true(m.table_readers < 256 << 10);
    assert_true(m.block_cache > 0);
    assert_true(m.block_cache <= (int64_t)CACHE + (CACHE >> 3));
    store_close(&st);
}

static void test_read_only_refuses(void **state)
{
    struct store *st = open_writable();
    struct store_opts ro = { .read_only = true };

    (void)state;
    put_log_events(st);
    store_close(&st);
    assert_int_equal(store_open(dir, &ro, &st), 0);
    assert_int_equal(store_compact(st), -EROFS);
    store_close(&st);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_compaction_compresses, scratch_setup, scratch_teardown),
    cmocka_unit_test_setup_teardown(test_memory_stays_in_budget, scratch_setup, scratch_teardown),
    cmocka_unit_test_setup_teardown(test_read_only_refuses, scratch_setup, scratch_teardown),
};

TEST_MAIN(tests)

/* store_test.c - the RocksDB store on real files in a temp directory:
 * dedup across and within batches, scans by time and service, read-only
 * opens, reopen after close, kv batches, concurrent writers sharing
 * group commits without storing an id twice, and batched reads by id. */
#include "iq_test.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include "store.h"
#include "store_test.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_time.h"

IQ_TEST_SCRATCH(dir, "iq-store")

static struct iq_event *mk(const char *id, int64_t at, const char *svc)
{
    return store_test_event(id, at, svc, NULL, false);
}


struct collect {
    char ids[16][32];
    int n;
};

static int on_val(void *ud, const char *v, size_t len)
{
    struct collect *c = ud;
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX];

    assert_int_equal(iq_event_decode(v, len, &ev, err, sizeof(err)), 0);
    if (c->n < 16)
        snprintf(c->ids[c->n++], 32, "%s", iq_ev_id(ev));
    iq_event_destroy(&ev);
    return 0;
}

static void test_dedup_and_scan(void **state)
{
    struct store_opts o = { 0 };
    struct store *st = NULL;
    struct iq_event *evs[4];
    uint8_t out[4];
    struct collect c = { 0 };
    struct store_filter all = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE };
    struct store_filter api = { .since = 0, .until = 100, .service = "api" };
    struct iq_event *got = NULL;

    (void)state;
    assert_int_equal(store_open(dir, &o, &st), 0);
    evs[0] = mk("b", 20, "api");
    evs[1] = mk("a", 10, "api-gateway");
    evs[2] = mk("b", 20, "api");      /* repeated within the batch */
    evs[3] = mk("c", -5, "api");
    assert_int_equal(store_put_events(st, evs, 4, out), 3);
    assert_int_equal(out[0], STORE_STORED);
    assert_int_equal(out[2], STORE_DUPLICATE);
    /* the same batch again: all duplicates, nothing written */
    assert_int_equal(store_put_events(st, evs, 4, out), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(out[i], STORE_DUPLICATE);
        iq_event_destroy(&evs[i]);
    }
    assert_int_equal(store_scan(st, &all, on_val, &c), 0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.ids[0], "c");   /* time order, negative first */
    assert_string_equal(c.ids[1], "a");
    assert_string_equal(c.ids[2], "b");
    memset(&c, 0, sizeof(c));
    assert_int_equal(store_scan(st, &api, on_val, &c), 0);
    assert_int_equal(c.n, 1);             /* not api-gateway, not before 0 */
    assert_string_equal(c.ids[0], "b");
    assert_int_equal(store_get_event(st, "a", &got), 0);
    assert_string_equal(iq_ev_service(got), "api-gateway");
    iq_event_destroy(&got);
    assert_int_equal(store_get_event(st, "zz", &got), -ENOENT);
    store_close(&st);
    assert_null(st);
}

static void test_reopen_and_read_only(void **state)
{
    struct store_opts rw = { 0 }, ro = { .read_only = true };
    struct store *st = NULL, *rd = NULL;
    struct iq_event *ev = mk("d", 30, NULL);
    uint8_t out;
    struct collect c = { 0 };
    struct store_filter all = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE };

    (void)state;
    assert_int_equal(store_open(dir, &rw, &st), 0);
    /* a read-only open beside the writer sees what was written before it */
    assert_int_equal(store_put_events(st, &ev, 1, &out), 1);
    assert_int_equal(store_open(dir, &ro, &rd), 0);
    assert_int_equal(store_scan(rd, &all, on_val, &c), 0);
    assert_int_equal(c.n, 4);
    assert_int_equal(store_put_events(rd, &ev, 1, &out), -EROFS);
    store_close(&rd);
    store_close(&st);
    iq_event_destroy(&ev);
    assert_int_equal(store_open("/nonexistent/iq-nothing", &ro, &rd), -ENOENT);
}

static void test_kv_batch(void **state)
{
    struct store_opts rw = { 0 };
    struct store *st = NULL;
    struct store_batch *b;
    char *v = NULL;
    size_t vl;
    int n = 0;

    (void)state;
    assert_int_equal(store_open(dir, &rw, &st), 0);
    b = store_batch_new(st);
    store_batch_put(b, STORE_CF_INCIDENTS, "i1", 2, "one", 3);
    store_batch_put(b, STORE_CF_INCIDENTS, "i2", 2, "two", 3);
    assert_int_equal(store_batch_commit(b), 0);
    store_batch_destroy(&b);
    assert_int_equal(store_kv_get(st, STORE_CF_INCIDENTS, "i2", 2, &v, &vl), 0);
    assert_string_equal(v, "two");
    free(v);
    assert_int_equal(store_kv_scan(st, STORE_CF_INCIDENTS, "i", 1, store_test_count_kv, &n), 0);
    assert_int_equal(n, 2);
    b = store_batch_new(st);
    store_batch_clear_cf(b, STORE_CF_INCIDENTS);
    assert_int_equal(store_batch_commit(b), 0);
    store_batch_destroy(&b);
    n = 0;
    assert_int_equal(store_kv_scan(st, STORE_CF_INCIDENTS, "", 0, store_test_count_kv, &n), 0);
    assert_int_equal(n, 0);
    store_close(&st);
}


/* Concurrent writers sending (almost) the same ids at the same time, with
 * fsync so that writes are slow and requests pile up into groups: group
 * commit must store each id once, report STORED for exactly one of its
 * copies, and tell the listener about each stored event once. */
#define GC_THREADS 6
#define GC_BATCHES 150
#define GC_BATCH 8
#define GC_IDS 700

struct gc_arg {
    struct store *st;
    int t;
    int stored;
};

static atomic_int gc_heard;

static void gc_listen(void *ud, struct iq_event *const *evs, const uint8_t *out, size_t n)
{
    (void)ud;
    (void)evs;
    for (size_t i = 0; i < n; i++)
        if (out[i] == STORE_STORED)
            atomic_fetch_add(&gc_heard, 1);
}

static void *gc_writer(void *p)
{
    struct gc_arg *a = p;

    for (int b = 0; b < GC_BATCHES; b++) {
        struct iq_event *evs[GC_BATCH];
        uint8_t out[GC_BATCH];
        char id[32];
        int r;

        for (int i = 0; i < GC_BATCH; i++) {
            snprintf(id, sizeof(id), "gc-%d", (b * GC_BATCH + i + a->t % 2) % GC_IDS);
            evs[i] = mk(id, 1000 + i, "api");
        }
        r = store_put_events(a->st, evs, GC_BATCH, out);
        if (r >= 0)
            for (int i = 0; i < GC_BATCH; i++)
                a->stored += out[i] == STORE_STORED;
        for (int i = 0; i < GC_BATCH; i++)
            iq_event_destroy(&evs[i]);
        if (r < 0)
            return NULL;
    }
    return p;
}

static void test_group_commit(void **state)
{
    struct store_opts o = { .fsync = true };
    struct store *st = NULL;
    struct store_filter all = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE };
    struct gc_arg a[GC_THREADS];
    pthread_t th[GC_THREADS];
    bool seen[GC_IDS] = { false };
    int distinct = 0, stored = 0, scanned = 0;
    char sub[300];

    (void)state;
    for (int t = 0; t < GC_THREADS; t++)
        for (int b = 0; b < GC_BATCHES; b++)
            for (int i = 0; i < GC_BATCH; i++)
                seen[(b * GC_BATCH + i + t % 2) % GC_IDS] = true;
    for (int k = 0; k < GC_IDS; k++)
        distinct += seen[k];
    snprintf(sub, sizeof(sub), "%s/group", dir);
    assert_int_equal(store_open(sub, &o, &st), 0);
    store_set_listener(st, gc_listen, NULL);
    for (int t = 0; t < GC_THREADS; t++) {
        a[t] = (struct gc_arg){ .st = st, .t = t };
        assert_int_equal(pthread_create(&th[t], NULL, gc_writer, &a[t]), 0);
    }
    for (int t = 0; t < GC_THREADS; t++) {
        void *ok;

        pthread_join(th[t], &ok);
        assert_non_null(ok);
        stored += a[t].stored;
    }
    assert_int_equal(stored, distinct);
    assert_int_equal(atomic_load(&gc_heard), distinct);
    assert_int_equal(store_scan(st, &all, store_test_count_val, &scanned), 0);
    assert_int_equal(scanned, distinct);
    store_close(&st);
}

/* store_get_events: every id in its place, across the batches of 1024,
 * missing and malformed ids as NULL, the same events store_get_event
 * reads, after a reopen as well (from the files, not the memtable). */
static void test_get_events(void **state)
{
    enum { N = 2500 };
    struct store_opts rw = { 0 };
    struct store *st = NULL;
    static struct iq_event *evs[N], *got[N + 3];
    static const char *ids[N + 3];
    static char names[N][24];
    static uint8_t out[N];

    (void)state;
    assert_int_equal(store_open(dir, &rw, &st), 0);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof(names[i]), "many-%04d", i);
        evs[i] = mk(names[i], 1000 + (i * 7919) % N, i % 3 ? "search" : NULL);
    }
    assert_int_equal(store_put_events(st, evs, N, out), N);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < N; i++)   /* reversed, with gaps */
            ids[i < 1500 ? i : i + 2] = names[N - 1 - i];
        ids[1500] = "not-stored";
        ids[1501] = "";
        ids[N + 2] = names[0];       /* twice */
        assert_int_equal(store_get_events(st, ids, N + 3, got), 0);
        assert_null(got[1500]);
        assert_null(got[1501]);
        for (int i = 0; i < N + 3; i++) {
            if (i == 1500 || i == 1501)
                continue;
            assert_non_null(got[i]);
            assert_string_equal(iq_ev_id(got[i]), ids[i]);
            iq_event_destroy(&got[i]);
        }
        store_close(&st);
        assert_int_equal(store_open(dir, &rw, &st), 0);
    }
    assert_int_equal(store_get_events(st, ids, 0, got), 0);
    store_close(&st);
    for (int i = 0; i < N; i++)
        iq_event_destroy(&evs[i]);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_dedup_and_scan),
    cmocka_unit_test(test_reopen_and_read_only),
    cmocka_unit_test(test_kv_batch),
    cmocka_unit_test(test_group_commit),
    cmocka_unit_test(test_get_events),
};

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--test") == 0 && i + 1 < argc)
            cmocka_set_test_filter(argv[++i]);
    return cmocka_run_group_tests(tests, scratch_setup, scratch_teardown);
}

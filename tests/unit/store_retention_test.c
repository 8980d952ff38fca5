/* store_retention_test.c - retention on a real RocksDB store: exactly
 * the events past the cutoff go, from every family (by_time, ids,
 * by_service, by_key), and only the raw payloads past their cutoff, except
 * what the keep callback keeps; a removed id can be stored again; passes
 * across many chunks remove exact counts; and events written while a pass
 * runs (in the range it deletes) end fully present or fully removed,
 * never half. */
#include "iq_test.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include "store.h"
#include "store_test.h"
#include "iq_event.h"
#include "iq_time.h"

IQ_TEST_SCRATCH(dir, "iq-retain")
static int ndirs;

static struct store *open_new(void)
{
    struct store_opts o = { 0 };
    struct store *st = NULL;
    char d[300];

    snprintf(d, sizeof(d), "%s/s%d", dir, ndirs++);
    assert_int_equal(store_open(d, &o, &st), 0);
    return st;
}

static void put(struct store *st, struct iq_event *ev)
{
    uint8_t out;

    assert_int_equal(store_put_events(st, &ev, 1, &out), 1);
    iq_event_destroy(&ev);
}

static int count(struct store *st, enum store_cf cf)
{
    int n = 0;

    assert_int_equal(store_kv_scan(st, cf, "", 0, store_test_count_kv, &n), 0);
    return n;
}

/* Keep the events whose id starts with "keep". */
static unsigned keep_prefix(void *ud, const struct iq_event *ev)
{
    (void)ud;
    return strncmp(iq_ev_id(ev), "keep", 4) == 0 ? STORE_KEEP_EVENT | STORE_KEEP_RAW : 0;
}

static bool has_raw(struct store *st, const char *id)
{
    struct iq_event *ev = NULL;
    bool raw;

    assert_int_equal(store_get_event(st, id, &ev), 0);
    raw = ev->raw != NULL;
    iq_event_destroy(&ev);
    return raw;
}

static int scan_n(struct store *st, const char *svc, const char *ikey)
{
    struct store_filter sc = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE, .service = svc,
                               .incident_key = ikey };
    int n = 0;

    assert_int_equal(store_scan(st, &sc, store_test_count_val, &n), 0);
    return n;
}

static void test_cutoffs_and_families(void **state)
{
    struct store *st = open_new();
    struct store_retention rt = { .events_before = 3500, .raw_before = 4500, .keep = keep_prefix,
                                .compact = true };
    struct store_retention_stats s;
    struct iq_event *ev = NULL;
    uint8_t out;

    (void)state;
    put(st, store_test_event("old-a", 1000, "search", "k1", true));
    put(st, store_test_event("keep-b", 2000, "search", "k1", true));
    put(st, store_test_event("old-c", 3000, "checkout", "k2", true));
    put(st, store_test_event("mid-d", 4000, "checkout", NULL, true));
    put(st, store_test_event("new-e", 5000, "search", "k2", true));
    assert_int_equal(store_retain(st, &rt, &s), 0);
    assert_int_equal(s.events_removed, 2);
    assert_int_equal(s.raws_dropped, 1);
    assert_int_equal(s.kept_events, 1);
    assert_int_equal(s.kept_raws, 1);
    assert_int_equal(s.scanned, 4);
    assert_int_equal(store_get_event(st, "old-a", &ev), -ENOENT);
    assert_int_equal(store_get_event(st, "old-c", &ev), -ENOENT);
    assert_true(has_raw(st, "keep-b"));
    assert_false(has_raw(st, "mid-d"));
    assert_true(has_raw(st, "new-e"));
    /* every family agrees */
    assert_int_equal(count(st, STORE_CF_BY_TIME), 3);
    assert_int_equal(count(st, STORE_CF_IDS), 3);
    assert_int_equal(count(st, STORE_CF_BY_SERVICE), 3);
    assert_int_equal(count(st, STORE_CF_BY_KEY), 2);
    assert_int_equal(scan_n(st, "search", NULL), 2);
    assert_int_equal(scan_n(st, "checkout", NULL), 1);
    assert_int_equal(scan_n(st, NULL, "k1"), 1);
    assert_int_equal(scan_n(st, NULL, "k2"), 1);
    /* a second pass finds nothing more to do */
    assert_int_equal(store_retain(st, &rt, &s), 0);
    assert_int_equal(s.events_removed + s.raws_dropped, 0);
    /* a removed id may be stored again */
    ev = store_test_event("old-a", 1000, "search", "k1", false);
    assert_int_equal(store_put_events(st, &ev, 1, &out), 1);
    assert_int_equal(out, STORE_STORED);
    iq_event_destroy(&ev);
    store_close(&st);
}

/* Many chunks: every 7th event kept, the rest before the cutoff removed. */
static unsigned keep_sevenths(void *ud, const struct iq_event *ev)
{
    (void)ud;
    return strtol(iq_ev_id(ev) + 2, NULL, 10) % 7 == 0 ? STORE_KEEP_EVENT : 0;
}

static void test_many_chunks(void **state)
{
    struct store *st = open_new();
    struct store_retention rt = { .events_before = 9000, .raw_before = IQ_TIME_NONE,
                                .keep = keep_sevenths };
    struct store_retention_stats s;
    struct iq_event *evs[500];
    uint8_t out[500];
    char id[32];
    int kept = 0;

    (void)state;
    for (int b = 0; b < 24; b++) {
        for (int i = 0; i < 500; i++) {
            int n = b * 500 + i;

            snprintf(id, sizeof(id), "e-%d", n);
            evs[i] = store_test_event(id, n, i % 2 ? "a" : "b", NULL, false);
            kept += n < 9000 && n % 7 == 0;
        }
        assert_int_equal(store_put_events(st, evs, 500, out), 500);
        for (int i = 0; i < 500; i++)
            iq_event_destroy(&evs[i]);
    }
    assert_int_equal(store_retain(st, &rt, &s), 0);
    assert_int_equal(s.scanned, 9000);
    assert_int_equal(s.kept_events, kept);
    assert_int_equal(s.events_removed, 9000 - kept);
    assert_int_equal(count(st, STORE_CF_BY_TIME), 3000 + kept);
    assert_int_equal(count(st, STORE_CF_IDS), 3000 + kept);
    assert_int_equal(count(st, STORE_CF_BY_SERVICE), 3000 + kept);
    store_close(&st);
}

/* Writers adding old events while a pass deletes their range. */
struct racer {
    struct store *st;
    atomic_bool stop;
    int written;
};

static void *race_writer(void *p)
{
    struct racer *rc = p;
    char id[32];
    uint8_t out;

    while (!atomic_load(&rc->stop) && rc->written < 20000) {
        struct iq_event *ev;

        snprintf(id, sizeof(id), "late-%d", rc->written);
        ev = store_test_event(id, 2 * rc->written + 1, "a", "k", false);   /* between the old ones */
        if (store_put_events(rc->st, &ev, 1, &out) == 1)
            rc->written++;
        iq_event_destroy(&ev);
    }
    return NULL;
}

struct ids {
    int n;
    struct store *st;
    int missing;
};

static int check_indexed(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct ids *x = ud;
    struct iq_event *ev = NULL;
    char id[256];

    (void)v;
    (void)vl;
    snprintf(id, sizeof(id), "%.*s", (int)kl, k);
    if (store_get_event(x->st, id, &ev) != 0)
        x->missing++;
    iq_event_destroy(&ev);
    x->n++;
    return 0;
}

static void test_concurrent_writers(void **state)
{
    struct store *st = open_new();
    struct store_retention rt = { .events_before = 40000, .raw_before = IQ_TIME_NONE };
    struct store_retention_stats s;
    struct racer rc = { .st = st };
    struct ids x = { .st = st };
    struct iq_event *evs[1000];
    uint8_t out[1000];
    pthread_t t;
    char id[32];

    (void)state;
    for (int b = 0; b < 20; b++) {
        for (int i = 0; i < 1000; i++) {
            snprintf(id, sizeof(id), "old-%d", b * 1000 + i);
            evs[i] = store_test_event(id, 2 * (b * 1000 + i), "a", "k", false);
        }
        assert_int_equal(store_put_events(st, evs, 1000, out), 1000);
        for (int i = 0; i < 1000; i++)
            iq_event_destroy(&evs[i]);
    }
    assert_int_equal(pthread_create(&t, NULL, race_writer, &rc), 0);
    while (rc.written < 50)
        usleep(1000);
    assert_int_equal(store_retain(st, &rt, &s), 0);
    atomic_store(&rc.stop, true);
    pthread_join(t, NULL);
    /* every id left has its event, and every family has as many entries */
    assert_int_equal(store_kv_scan(st, STORE_CF_IDS, "", 0, check_indexed, &x), 0);
    assert_int_equal(x.missing, 0);
    assert_int_equal(count(st, STORE_CF_BY_TIME), x.n);
    assert_int_equal(count(st, STORE_CF_BY_SERVICE), x.n);
    assert_int_equal(count(st, STORE_CF_BY_KEY), x.n);
    assert_true(s.events_removed >= 20000);
    assert_int_equal(x.n, 20000 + rc.written - (int)s.events_removed);
    store_close(&st);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_cutoffs_and_families),
    cmocka_unit_test(test_many_chunks),
    cmocka_unit_test(test_concurrent_writers),
};

TEST_MAIN_GROUP(tests, scratch_setup, scratch_teardown)

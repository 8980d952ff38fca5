/* store_scan_test.c - long scans step aside for the store's reopen
 * (store/store_scan.c), on a real RocksDB store in a temp directory.
 *
 * The reopen is the daemon's own path: a write that RocksDB fails with
 * ENOSPC (its WAL's descriptor is pointed at /dev/full, as a full disk
 * would answer) marks the store failed, and the monitor thread reopens it.
 * The scan's first callback causes that failure and returns once the
 * store logs "reopening" (its writer is then announced); the next
 * callback waits, bounded, for the store to be ready again.  Without
 * yielding scans the writer waits for the scan's end, so that wait fails.
 * Cases:
 *  - one scan of 200 000 keys: the reopen happens after its first key, and
 *    it still visits every key exactly once, in order, plus a key written
 *    after it started that sorts after its position;
 *  - two scans at once: the writer gets in although each scan alone
 *    would find the other one still holding the lock;
 *  - a reopen that fails: the scan ends with -EIO. */
#include "iq_test.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include "store.h"
#include "iq_file.h"

IQ_TEST_SCRATCH(dir, "iq-store-scan")

#define N_KEYS 200000
#define N_KEYS_TWO 50000
#define KEY_LEN 8                   /* "k" and 7 digits */
#define NEW_KEY "k0100000+"         /* sorts after k0100000 */
#define WAIT_MS 20000

static char sdir[300];             /* the store of the running case */
static char logpath[300];
static int saved_stderr = -1;

/* Send this process's stderr (the store's log lines) to a file in the
 * scratch directory until log_end, which copies it back to stderr. */
static void log_begin(void)
{
    int fd;

    snprintf(logpath, sizeof(logpath), "%s/stderr.log", dir);
    fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    saved_stderr = dup(STDERR_FILENO);
    assert_true(saved_stderr >= 0);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    close(fd);
}

static bool log_has(const char *needle)
{
    char *text = NULL;
    size_t len;
    bool has;

    if (iq_read_file(logpath, 1 << 20, &text, &len) < 0)
        return false;
    has = strstr(text, needle) != NULL;
    free(text);
    return has;
}

static void log_end(void)
{
    char *text = NULL;
    size_t len;

    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    if (iq_read_file(logpath, 1 << 20, &text, &len) == 0 && write(STDERR_FILENO, text, len) < 0)
        len = 0;
    free(text);
}

static void pause_1ms(void)
{
    struct timespec ts = { 0, 1000000L };

    nanosleep(&ts, NULL);
}

static bool store_ready(struct store *st)
{
    struct store_status s;

    store_status(st, &s);
    return s.busy == STORE_READY;
}

/* Poll until cond(arg) holds, at most WAIT_MS. */
static bool wait_until(bool (*cond)(void *), void *arg)
{
    for (int t = 0; t < WAIT_MS; t++) {
        if (cond(arg))
            return true;
        pause_1ms();
    }
    return cond(arg);
}

static bool cond_reopening(void *arg)
{
    (void)arg;
    return log_has("reopening");
}

static bool cond_ready(void *arg)
{
    return store_ready(arg);
}

/* Point every open descriptor of the store's WAL (dir/NNNNNN.log) at
 * /dev/full: RocksDB's next write fails with ENOSPC.  Returns how many. */
static int wal_to_dev_full(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    char link[300], target[512];
    size_t dl = strlen(sdir);
    int n = 0, full = open("/dev/full", O_WRONLY);

    if (!d || full < 0)
        return -1;
    while ((e = readdir(d))) {
        ssize_t tl;

        snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
        tl = readlink(link, target, sizeof(target) - 1);
        if (tl <= 4)
            continue;
        target[tl] = '\0';
        if (strncmp(target, sdir, dl) == 0 && target[dl] == '/' &&
            strcmp(target + tl - 4, ".log") == 0 &&
            dup2(full, (int)strtol(e->d_name, NULL, 10)) >= 0)
            n++;
    }
    closedir(d);
    close(full);
    return n;
}

/* Where break_dir moves the data directory. */
static const char *moved_dir(void)
{
    static char moved[320];

    snprintf(moved, sizeof(moved), "%s.moved", sdir);
    return moved;
}

static bool make_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

    return fd >= 0 && close(fd) == 0;
}

/* n keys k0000000.. in the state family. */
static void fill(struct store *st, int n)
{
    struct store_batch *b = store_batch_new(st);
    char k[16];

    assert_non_null(b);
    for (int i = 0; i < n; i++) {
        snprintf(k, sizeof(k), "k%07d", i);
        store_batch_put(b, STORE_CF_STATE, k, KEY_LEN, "v", 1);
        if (i % 10000 == 9999 || i == n - 1) {
            assert_int_equal(store_batch_commit(b), 0);
            store_batch_destroy(&b);
            b = store_batch_new(st);
            assert_non_null(b);
        }
    }
    store_batch_destroy(&b);
}

/* One scanning thread.  Failures are kept in why (cmocka asserts only
 * on the main thread) and stop the scan. */
struct scan_ctx {
    struct store *st;
    int n_keys;
    bool cause;                 /* this scan makes the write fail */
    bool break_dir;             /* and then the reopen too */
    atomic_int *at_first;       /* scans at their first key */
    int n_scans;
    unsigned char *seen;
    int visits, extra, r;
    bool ready;                 /* ready again at the second key */
    char last[16];
    size_t last_len;
    const char *why;
};

static bool cond_all_first(void *arg)
{
    struct scan_ctx *c = arg;

    return atomic_load(c->at_first) == c->n_scans;
}

/* At the first key: write NEW_KEY, make a write fail (the cause), and
 * return once the reopen waits for the lock. */
static const char *first_key(struct scan_ctx *c)
{
    atomic_fetch_add(c->at_first, 1);
    if (!wait_until(cond_all_first, c))
        return "the other scan never reached its first key";
    if (c->cause) {
        if (store_kv_put(c->st, STORE_CF_STATE, NEW_KEY, strlen(NEW_KEY), "v", 1) < 0)
            return "the write of " NEW_KEY " failed";
        if (wal_to_dev_full() < 1)
            return "no WAL descriptor found";
        if (store_kv_put(c->st, STORE_CF_STATE, "x", 1, "v", 1) != -ENOSPC)
            return "the write to a full WAL did not fail with ENOSPC";
    }
    if (!wait_until(cond_reopening, NULL))
        return "the store never started its reopen";
    if (c->break_dir && (rename(sdir, moved_dir()) < 0 || !make_file(sdir)))
        return "cannot put a file where the data directory was";
    return NULL;
}

/* Is k after the last key visited? */
static bool after_last(const struct scan_ctx *c, const char *k, size_t kl)
{
    int cmp = memcmp(k, c->last, kl < c->last_len ? kl : c->last_len);

    return c->visits == 0 || cmp > 0 || (cmp == 0 && kl > c->last_len);
}

static int on_key(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct scan_ctx *c = ud;
    char num[8];
    long i;

    (void)v;
    (void)vl;
    if (!after_last(c, k, kl))
        c->why = "keys out of order or repeated";
    else if (kl == strlen(NEW_KEY) && memcmp(k, NEW_KEY, kl) == 0)
        c->extra++;
    else if (kl != KEY_LEN || k[0] != 'k')
        c->why = "a key that was never written";
    else {
        memcpy(num, k + 1, 7);
        num[7] = '\0';
        i = strtol(num, NULL, 10);
        if (i < 0 || i >= c->n_keys || c->seen[i]++)
            c->why = "a key seen twice";
    }
    memcpy(c->last, k, kl < sizeof(c->last) ? kl : sizeof(c->last));
    c->last_len = kl < sizeof(c->last) ? kl : sizeof(c->last);
    if (!c->why && c->visits == 0)
        c->why = first_key(c);
    else if (!c->why && c->visits == 1)
        c->ready = wait_until(cond_ready, c->st);
    c->visits++;
    return c->why ? 1 : 0;
}

static void *scan_main(void *arg)
{
    struct scan_ctx *c = arg;

    c->r = store_kv_scan(c->st, STORE_CF_STATE, "k", 1, on_key, c);
    return NULL;
}

/* Open a store in dir/name with n_keys keys, run n_scans scans of it at
 * once, the first one causing the reopen (with break_dir, one that
 * fails), and return the open store. */
static struct store *run_scans(const char *name, struct scan_ctx *c, int n_scans, int n_keys,
                               bool break_dir)
{
    struct store_opts o = { 0 };
    struct store *st = NULL;
    pthread_t th[2];
    atomic_int at_first = 0;

    snprintf(sdir, sizeof(sdir), "%s/%s", dir, name);
    assert_int_equal(store_open(sdir, &o, &st), 0);
    fill(st, n_keys);
    log_begin();
    for (int s = 0; s < n_scans; s++) {
        c[s] = (struct scan_ctx){ .st = st, .n_keys = n_keys, .cause = s == 0,
                                  .break_dir = break_dir && s == 0, .at_first = &at_first,
                                  .n_scans = n_scans, .seen = calloc((size_t)n_keys, 1) };
        assert_non_null(c[s].seen);
        assert_int_equal(pthread_create(&th[s], NULL, scan_main, &c[s]), 0);
    }
    for (int s = 0; s < n_scans; s++)
        pthread_join(th[s], NULL);
    log_end();
    for (int s = 0; s < n_scans; s++)
        if (c[s].why)
            fail_msg("scan %d: %s", s, c[s].why);
    return st;
}

/* The scan saw every key once, and the store was ready again at its
 * second key: the reopen did not wait for the scan's end. */
static void check_whole(struct scan_ctx *c, int n_keys)
{
    assert_int_equal(c->r, 0);
    assert_true(c->ready);
    for (int i = 0; i < n_keys; i++)
        assert_int_equal(c->seen[i], 1);
    assert_int_equal(c->extra, 1);    /* written after the scan began, after its position */
    assert_int_equal(c->visits, n_keys + 1);
    free(c->seen);
}

static void test_scan_yields_to_reopen(void **state)
{
    struct scan_ctx c[1];
    struct store *st;

    (void)state;
    st = run_scans("one", c, 1, N_KEYS, false);
    check_whole(&c[0], N_KEYS);
    assert_true(log_has("reopened"));
    assert_int_equal(store_kv_put(st, STORE_CF_STATE, "after", 5, "v", 1), 0);
    store_close(&st);
}

static void test_two_scans_let_the_writer_in(void **state)
{
    struct scan_ctx c[2];
    struct store *st;

    (void)state;
    st = run_scans("two", c, 2, N_KEYS_TWO, false);
    check_whole(&c[0], N_KEYS_TWO);
    check_whole(&c[1], N_KEYS_TWO);
    store_close(&st);
}

/* A reopen that fails (the data directory became a file) leaves no
 * database: the scan that stepped aside for it ends with -EIO. */
static void test_scan_ends_when_the_reopen_fails(void **state)
{
    struct scan_ctx c[1];
    struct store *st;

    (void)state;
    st = run_scans("gone", c, 1, N_KEYS_TWO, true);
    assert_int_equal(c[0].r, -EIO);
    assert_int_equal(c[0].visits, 1);
    free(c[0].seen);
    assert_int_equal(store_kv_put(st, STORE_CF_STATE, "after", 5, "v", 1), -ENOSPC);
    store_close(&st);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_scan_yields_to_reopen),
    cmocka_unit_test(test_two_scans_let_the_writer_in),
    cmocka_unit_test(test_scan_ends_when_the_reopen_fails),
};

TEST_MAIN_GROUP(tests, scratch_setup, scratch_teardown)

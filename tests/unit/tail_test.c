/* tail_test.c - the follower on real files: lines and offsets, an
 * unterminated line held back, over-long lines, truncation (copy-truncate),
 * rotation by rename, files that appear later, resuming a saved position
 * (also after a rotation while stopped), the state file, and the
 * error-rate signal. */
#include "iq_test.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tail_errrate.h"
#include "tail.h"
#include "tail_state.h"
#include "iq_event.h"
#include "iq_time.h"

#define MAXL 64

struct got {
    char line[MAXL][256];
    uint64_t off[MAXL], fid[MAXL];
    bool trunc[MAXL];
    int n, switches;
};

static int collect(void *ud, const struct tail_item *it)
{
    struct got *g = ud;

    if (it->what == TAIL_SWITCH) {
        g->switches++;
        return 0;
    }
    assert_true(g->n < MAXL);
    snprintf(g->line[g->n], sizeof(g->line[0]), "%.*s", (int)it->len, it->line);
    g->off[g->n] = it->offset;
    g->fid[g->n] = it->fid;
    g->trunc[g->n] = it->truncated;
    g->n++;
    return 0;
}

struct dir {
    char path[64];
    char file[128];
};

static void mkdir_tmp(struct dir *d)
{
    snprintf(d->path, sizeof(d->path), "/tmp/iq-tail-XXXXXX");
    assert_non_null(mkdtemp(d->path));
    snprintf(d->file, sizeof(d->file), "%s/app.log", d->path);
}

static void rm_tmp(struct dir *d)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
    assert_int_equal(system(cmd), 0);
}

static void append(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
    close(fd);
}

static struct tail *follower(const char *path, size_t line_max)
{
    struct tail_opts o = { .line_max = line_max };
    struct tail *t = NULL;

    assert_int_equal(tail_new(&o, &t), 0);
    assert_int_equal(tail_add(t, path), 0);
    return t;
}

static void test_lines_offsets_partial(void **state)
{
    struct dir d;
    struct tail *t;
    struct tail_pos pos;
    struct got g = { 0 };

    (void)state;
    mkdir_tmp(&d);
    t = follower(d.file, 0);
    assert_int_equal(tail_poll(t, collect, &g, 1000), 0); /* appears later */
    append(d.file, "one\r\ntwo\nthr");
    assert_int_equal(tail_poll(t, collect, &g, 1000), 2);
    assert_string_equal(g.line[0], "one");
    assert_string_equal(g.line[1], "two");
    assert_int_equal(g.off[1], 5);
    assert_true(g.fid[0] != 0 && g.fid[0] == g.fid[1]);
    assert_true(tail_position(t, 0, &pos));
    assert_int_equal(pos.offset, 9);                 /* "thr" is held back */
    append(d.file, "ee\n");
    assert_int_equal(tail_poll(t, collect, &g, 1000), 1);
    assert_string_equal(g.line[2], "three");
    assert_int_equal(g.off[2], 9);
    assert_true(tail_idle(t));
    tail_destroy(&t);
    assert_null(t);
    rm_tmp(&d);
}

/* --from-end: a file without a checkpoint starts at its end; standard
 * input is read to its end with offsets but without an identity. */
static void test_from_end(void **state)
{
    struct tail_opts o = { .from_end = true };
    struct tail *t = NULL;
    struct got g = { 0 };
    struct dir d;

    (void)state;
    mkdir_tmp(&d);
    append(d.file, "old line\n");
    assert_int_equal(tail_new(&o, &t), 0);
    assert_int_equal(tail_add(t, d.file), 0);
    assert_int_equal(tail_add(t, d.file), -EEXIST);
    assert_int_equal(tail_poll(t, collect, &g, 1000), 0);
    append(d.file, "new line\n");
    assert_int_equal(tail_poll(t, collect, &g, 1000), 1);
    assert_string_equal(g.line[0], "new line");
    assert_int_equal(g.off[0], 9);
    tail_destroy(&t);
    o.line_max = 10;
    assert_int_equal(tail_new(&o, &t), -EINVAL);
    rm_tmp(&d);
}

static void test_long_line(void **state)
{
    struct dir d;
    struct tail *t;
    struct got g = { 0 };
    char big[300];

    (void)state;
    mkdir_tmp(&d);
    memset(big, 'x', sizeof(big) - 2);
    big[sizeof(big) - 2] = '\n';
    big[sizeof(big) - 1] = '\0';
    append(d.file, "a\n");
    append(d.file, big);
    append(d.file, "b\n");
    t = follower(d.file, 100);
    assert_int_equal(tail_poll(t, collect, &g, 1000), 3);
    assert_int_equal(strlen(g.line[1]), 100);
    assert_true(g.trunc[1]);
    assert_false(g.trunc[2]);
    assert_string_equal(g.line[2], "b");
    assert_int_equal(g.off[2], 2 + 299);
    tail_destroy(&t);
    rm_tmp(&d);
}

static void test_copy_truncate(void **state)
{
    struct dir d;
    struct tail *t;
    struct got g = { 0 };

    (void)state;
    mkdir_tmp(&d);
    append(d.file, "first file line one\nfirst file line two\n");
    t = follower(d.file, 0);
    assert_int_equal(tail_poll(t, collect, &g, 1000), 2);
    assert_int_equal(truncate(d.file, 0), 0);
    append(d.file, "after truncate\n");
    tail_poll(t, collect, &g, 1000);
    tail_poll(t, collect, &g, 1000);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.switches, 1);
    assert_string_equal(g.line[2], "after truncate");
    assert_int_equal(g.off[2], 0);
    assert_true(g.fid[2] != g.fid[0]);
    /* rewritten in place past the old size: the fingerprint tells */
    assert_int_equal(truncate(d.file, 0), 0);
    append(d.file, "a much longer replacement first line than before\nsecond\n");
    tail_poll(t, collect, &g, 1000);
    tail_poll(t, collect, &g, 1000);
    assert_int_equal(g.switches, 2);
    assert_string_equal(g.line[g.n - 2], "a much longer replacement first line than before");
    assert_string_equal(g.line[g.n - 1], "second");
    tail_destroy(&t);
    rm_tmp(&d);
}

static void test_rename_rotation(void **state)
{
    struct dir d;
    struct tail *t;
    struct got g = { 0 };
    char old[160];

    (void)state;
    mkdir_tmp(&d);
    snprintf(old, sizeof(old), "%s.1", d.file);
    append(d.file, "old 1\n");
    t = follower(d.file, 0);
    assert_int_equal(tail_poll(t, collect, &g, 1000), 1);
    append(d.file, "old 2\nold tail");
    assert_int_equal(rename(d.file, old), 0);
    append(old, " done\n");                 /* the writer still has the old file open */
    append(d.file, "new 1\n");
    tail_poll(t, collect, &g, 1000);
    tail_poll(t, collect, &g, 1000);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.line[1], "old 2");
    assert_string_equal(g.line[2], "old tail done");
    assert_string_equal(g.line[3], "new 1");
    assert_int_equal(g.off[3], 0);
    assert_int_equal(g.switches, 1);
    tail_destroy(&t);
    rm_tmp(&d);
}

static void test_resume_and_state(void **state)
{
    struct dir d;
    struct tail *t;
    struct tail_pos pos;
    struct tail_ckpt c;
    struct got g = { 0 };
    char st[160], old[160], err[IQ_ERR_MAX];

    (void)state;
    mkdir_tmp(&d);
    snprintf(st, sizeof(st), "%s/state", d.path);
    snprintf(old, sizeof(old), "%s.1", d.file);
    append(d.file, "l1\nl2\n");
    t = follower(d.file, 0);
    assert_int_equal(tail_poll(t, collect, &g, 1000), 2);
    assert_true(tail_position(t, 0, &pos));
    c = (struct tail_ckpt){ d.file, pos };
    assert_int_equal(tail_state_save(st, &c, 1, err, sizeof(err)), 0);
    tail_destroy(&t);
    /* while stopped: more lines, then rotation by rename, then a new file */
    append(d.file, "l3\n");
    assert_int_equal(rename(d.file, old), 0);
    append(d.file, "n1\n");
    t = follower(d.file, 0);
    assert_int_equal(tail_state_load(st, t, err, sizeof(err)), 1);
    memset(&g, 0, sizeof(g));
    tail_poll(t, collect, &g, 1000);
    tail_poll(t, collect, &g, 1000);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.line[0], "l3");
    assert_int_equal(g.off[0], 6);
    assert_string_equal(g.line[1], "n1");
    tail_destroy(&t);
    /* a damaged state file changes nothing and names itself */
    append(st, "garbage");
    t = follower(d.file, 0);
    assert_int_equal(tail_state_load(st, t, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, st));
    tail_destroy(&t);
    rm_tmp(&d);
}

struct trans {
    char action[8][32];
    int64_t minute[8];
    uint32_t count[8];
    int n;
};

static int on_trans(void *ud, const char *service, const char *action, int64_t minute_ms,
                    uint32_t count, uint32_t threshold)
{
    struct trans *tr = ud;

    assert_string_equal(service, "api");
    assert_int_equal(threshold, 3);
    snprintf(tr->action[tr->n], sizeof(tr->action[0]), "%s", action);
    tr->minute[tr->n] = minute_ms;
    tr->count[tr->n++] = count;
    return 0;
}

static void test_error_rate(void **state)
{
    struct tail_errrate *e = NULL;
    struct iq_event *ev = NULL;
    struct trans tr = { 0 };
    int64_t m0 = 1792590120000LL;

    (void)state;
    assert_int_equal(tail_errrate_new(0, 0, &e), -EINVAL);
    assert_int_equal(tail_errrate_new(3, 5000, &e), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(tail_errrate_add(e, "api", m0 + i * 1000, on_trans, &tr), 0);
    for (int i = 0; i < 4; i++)   /* minute 1: 4 errors, closes minute 0 (2: quiet) */
        assert_int_equal(tail_errrate_add(e, "api", m0 + 60000 + i, on_trans, &tr), 0);
    assert_int_equal(tr.n, 0);
    assert_int_equal(tail_errrate_add(e, "api", m0 + 120000, on_trans, &tr), 0);
    assert_int_equal(tr.n, 1);
    assert_string_equal(tr.action[0], "error_rate_rise");
    assert_int_equal(tr.minute[0], m0 + 60000);
    assert_int_equal(tr.count[0], 4);
    /* the open minute closes by the clock, after the grace period */
    assert_int_equal(tail_errrate_tick(e, m0 + 180000 + 4000, on_trans, &tr), 0);
    assert_int_equal(tr.n, 1);
    assert_int_equal(tail_errrate_tick(e, m0 + 180000 + 5000, on_trans, &tr), 0);
    assert_int_equal(tr.n, 2);
    assert_string_equal(tr.action[1], "error_rate_normal");
    assert_int_equal(tr.count[1], 1);
    assert_int_equal(tail_errrate_event("api", "error_rate_rise", m0, 4, 3, &ev), 0);
    assert_string_equal(iq_ev_kind(ev), "log");
    assert_string_equal(iq_ev_action(ev), "error_rate_rise");
    assert_string_equal(iq_ev_service(ev), "api");
    assert_int_equal(ev->at, m0);
    assert_string_equal(iq_event_label(ev, "error_lines"), "4");
    iq_event_destroy(&ev);
    tail_errrate_destroy(&e);
    assert_null(e);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_lines_offsets_partial),
    cmocka_unit_test(test_from_end),
    cmocka_unit_test(test_long_line),
    cmocka_unit_test(test_copy_truncate),
    cmocka_unit_test(test_rename_rotation),
    cmocka_unit_test(test_resume_and_state),
    cmocka_unit_test(test_error_rate),
};

TEST_MAIN(tests)

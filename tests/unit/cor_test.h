/* cor_test.h - what the correlator's unit tests share (cor_engine_test.c,
 * cor_stream_test.c): a fixture with a real RocksDB store in a temporary
 * directory and a config, the tests' pseudo-random numbers, and the
 * concurrent corpus.  Include after iq_test.h. */
#ifndef COR_TEST_H
#define COR_TEST_H

#include <glob.h>
#include <unistd.h>
#include "cor_config.h"
#include "store.h"
#include "iq_event.h"

struct fx {
    char dir[64];
    struct store *st;
    struct cor_config cfg;
};

static inline int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    snprintf(f->dir, sizeof(f->dir), "/tmp/cor-test.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(store_open(f->dir, &(struct store_opts){ 0 }, &f->st), 0);
    cor_config_init(&f->cfg);
    *state = f;
    return 0;
}

static inline int teardown(void **state)
{
    struct fx *f = *state;
    char cmd[128];

    store_close(&f->st);
    cor_config_release(&f->cfg);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* The tests' own generator: the same sequence on every platform. */
static inline unsigned next_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

/* Every event of the concurrent corpus (tests/data/concurrent/c*.ndjson),
 * the situations interleaved; *n events in evs (caller owns them). */
static inline size_t load_corpus(struct iq_event **evs, size_t max)
{
    char pat[512], line[8192], err[IQ_ERR_MAX];
    size_t n = 0;
    glob_t g;

    snprintf(pat, sizeof(pat), "%s/tests/data/concurrent/c*.ndjson", iq_test_root());
    assert_int_equal(glob(pat, 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 12);
    for (size_t f = 0; f < g.gl_pathc; f++) {
        FILE *in = fopen(g.gl_pathv[f], "r");

        assert_non_null(in);
        while (fgets(line, sizeof(line), in)) {
            json_t *j = json_loads(line, 0, NULL);

            assert_true(n < max);
            if (iq_event_from_json(j, &evs[n], err, sizeof(err)) < 0)
                fail_msg("%s: %s", g.gl_pathv[f], err);
            json_decref(j);
            n++;
        }
        fclose(in);
    }
    globfree(&g);
    return n;
}

/* With COR_TEST_DUMP set, write two texts that should have been equal
 * to the files a and b, to compare them by hand. */
static inline void dump_pair(const char *x, const char *y, const char *a, const char *b)
{
    FILE *o, *p;

    if (!getenv("COR_TEST_DUMP") || !(o = fopen(a, "w")))
        return;
    if ((p = fopen(b, "w"))) {
        fputs(x, o);
        fputs(y, p);
        fclose(p);
    }
    fclose(o);
}

#endif

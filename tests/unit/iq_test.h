/* iq_test.h - shared main() for cmocka unit tests.
 *
 *   TEST_MAIN(tests)   with `static const struct CMUnitTest tests[]`
 *   TEST_MAIN_GROUP(tests, setup, teardown)   the same with group fixtures
 * gives every test binary `--list` and `--test PATTERN`, and finds fixtures
 * through IQ_TEST_DATA (tests/data, overridable with $IQ_ROOT). */
#ifndef IQ_TEST_H
#define IQ_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static inline const char *iq_test_root(void)
{
    const char *r = getenv("IQ_ROOT");

    return r ? r : ".";
}

/* A scratch directory for one test binary: IQ_TEST_SCRATCH(dir, "name")
 * declares `static char dir[256]` and the group fixtures scratch_setup
 * (makes $TMPDIR/name-XXXXXX) and scratch_teardown (removes it and all in
 * it), for TEST_MAIN_GROUP(tests, scratch_setup, scratch_teardown). */
#define IQ_TEST_SCRATCH(dir, name)                                                \
    static char dir[256];                                                         \
    static int scratch_setup(void **state)                                        \
    {                                                                             \
        const char *t = getenv("TMPDIR");                                         \
                                                                                  \
        (void)state;                                                              \
        snprintf(dir, sizeof(dir), "%s/%s-XXXXXX", t && *t ? t : "/tmp", name);   \
        return mkdtemp(dir) ? 0 : -1;                                             \
    }                                                                             \
    static int scratch_teardown(void **state)                                     \
    {                                                                             \
        char cmd[300];                                                            \
                                                                                  \
        (void)state;                                                              \
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);                           \
        return system(cmd);                                                       \
    }

#define TEST_MAIN(tests) TEST_MAIN_GROUP(tests, NULL, NULL)

/* The same with a group setup and teardown run around all the tests. */
#define TEST_MAIN_GROUP(tests, setup, teardown)                                   \
    int main(int argc, char **argv)                                               \
    {                                                                             \
        for (int i = 1; i < argc; i++) {                                          \
            if (strcmp(argv[i], "--list") == 0) {                                 \
                for (size_t t = 0; t < sizeof(tests) / sizeof(tests[0]); t++)      \
                    puts(tests[t].name);                                          \
                return 0;                                                         \
            }                                                                     \
            if (strcmp(argv[i], "--test") == 0 && i + 1 < argc)                   \
                cmocka_set_test_filter(argv[++i]);                                \
        }                                                                         \
        return cmocka_run_group_tests(tests, setup, teardown);                    \
    }

#endif

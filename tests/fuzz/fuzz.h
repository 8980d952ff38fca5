/* fuzz.h - what every harness of tests/fuzz/ shares.
 *
 * A harness is one fuzz_NAME.c defining LLVMFuzzerTestOneInput.  It is
 * built twice: with clang and libFuzzer under ASan and UBSan for
 * `make fuzz` (build-fuzz/fuzz/fuzz_NAME), and with the project's compiler
 * against tests/fuzz/replay.c for `make test`, which feeds it every file of
 * tests/fuzz/corpus/NAME and tests/fuzz/regress/NAME
 * (build/tests/fuzz_NAME_replay).  docs/fuzzing.md explains both.
 *
 * Harnesses load what they need once (mapping files, rules) from the
 * checkout: $IQ_ROOT when set (tests/run.sh sets it), else the current
 * directory.  A failed set-up is fatal: a harness that silently tests
 * nothing cannot fail. */
#ifndef IQ_FUZZ_H
#define IQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The libFuzzer entry point: 0 always (a finding aborts). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are skipped.  Under libFuzzer
 * (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) the bound is small so that
 * every run stays fast; the replay takes larger stored inputs (a deep
 * nesting case, a long line) too. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define FUZZ_MAX_INPUT (64u * 1024)
#else
#define FUZZ_MAX_INPUT (1024u * 1024)
#endif

/* Report a broken expectation and abort, so that libFuzzer keeps the input
 * as a crash and the replay fails. */
static inline void fuzz_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "%s:%d: fuzz check failed: %s\n", file, line, what);
    abort();
}

#define FUZZ_CHECK(cond) \
    do { if (!(cond)) fuzz_fail(#cond, __FILE__, __LINE__); } while (0)

/* A set-up step failed: say what and stop. */
static inline void fuzz_setup_failed(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz: set-up failed: %s: %s\n", what, detail);
    abort();
}

/* Write "$IQ_ROOT/rel" (or "./rel") into buf. */
static inline void fuzz_path(const char *rel, char *buf, size_t size)
{
    const char *root = getenv("IQ_ROOT");

    if ((size_t)snprintf(buf, size, "%s/%s", root && *root ? root : ".", rel) >= size)
        fuzz_setup_failed(rel, "path too long");
}

/* A NUL-terminated copy of size bytes of data.  Caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (!s)
        fuzz_setup_failed("malloc", "out of memory");
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif

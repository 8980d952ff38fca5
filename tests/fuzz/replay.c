/* replay.c - the main() that turns a libFuzzer harness into a plain test:
 * feed every file of the directories (or files) named on the command line
 * to LLVMFuzzerTestOneInput, in name order, once each.
 *
 * `make test` links each tests/fuzz/fuzz_NAME.c with this file using the
 * project's compiler (no clang needed) and tests/run.sh runs
 *   fuzz_NAME_replay tests/fuzz/corpus/NAME tests/fuzz/regress/NAME
 * so every seed and every input that once found a bug is checked on every
 * build, under ASan and UBSan too with `make test-asan`.  A harness aborts
 * on a finding, which fails the test; a crash does the same.
 *
 * A missing directory is an error (a typo must not turn the test into one
 * that cannot fail), and so is replaying no input at all.  Each input is
 * named on stderr before it runs, so a failure points at the file. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "iq_paths.h"

#define REPLAY_FILE_MAX (16u * 1024 * 1024)   /* bytes of one stored input */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run one stored input.  0, or -errno when it cannot be read. */
static int replay_file(const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    int r = iq_read_file(path, REPLAY_FILE_MAX, &buf, &len);

    if (r < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(-r));
        return r;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    free(buf);
    return 0;
}

/* Run every regular file of dir (not those starting with '.') in name
 * order; add their number to *n.  0 or -errno. */
static int replay_dir(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL, path[4096];
    size_t count = 0, cap = 0;
    int r = 0;

    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -errno;
    }
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (count == cap) {
            char **g = realloc(names, (cap ? cap * 2 : 64) * sizeof(*names));

            if (!g) {
                r = -ENOMEM;
                goto out;
            }
            names = g;
            cap = cap ? cap * 2 : 64;
        }
        if (!(names[count] = strdup(de->d_name))) {
            r = -ENOMEM;
            goto out;
        }
        count++;
    }
    qsort(names, count, sizeof(*names), cmp_names);
    for (size_t i = 0; i < count && r == 0; i++) {
        struct stat st;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        r = replay_file(path);
        *n += r == 0;
    }
out:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return r;
}

int main(int argc, char **argv)
{
    size_t n = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int r;

        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            r = replay_dir(argv[i], &n);
        } else {
            r = replay_file(argv[i]);
            n += r == 0;
        }
        if (r < 0)
            return 1;
    }
    if (n == 0) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    printf("%s: %zu inputs replayed\n", argv[0], n);
    return 0;
}

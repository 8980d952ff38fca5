/* store_meta.c - test helper: read or change one key of a stopped store's
 * meta family, to make the stores that releases other than this one
 * would leave (a newer data format, a store from before the format was
 * recorded).
 *
 *   store_meta DIR get KEY          print the value (exit 1 when absent)
 *   store_meta DIR set KEY VALUE... in one open (pairs)
 *   store_meta DIR delete KEY...    in one open (a writable open stamps a
 *                                   store without a version: delete both
 *                                   "schema" and "written_by" at once)
 * The store is opened through store_open (read-only for get, which
 * therefore stamps nothing), so it must be one this build accepts (do
 * "set schema 2" last).  Exit 2 on errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

int main(int argc, char **argv)
{
    struct store_opts o = { 0 };
    struct store *st = NULL;
    char *val = NULL;
    size_t len = 0;
    int r, status = 2;

    if (argc < 4 || (strcmp(argv[2], "set") == 0 && argc % 2 != 1) ||
        (strcmp(argv[2], "get") == 0 && argc != 4)) {
        fprintf(stderr, "usage: store_meta DIR get KEY | set KEY VALUE... | delete KEY...\n");
        return 2;
    }
    o.read_only = strcmp(argv[2], "get") == 0;      /* a reader stamps nothing */
    if ((r = store_open(argv[1], &o, &st)) < 0) {
        fprintf(stderr, "store_meta: %s: %s\n", argv[1], strerror(-r));
        return 2;
    }
    if (strcmp(argv[2], "get") == 0) {
        r = store_kv_get(st, STORE_CF_META, argv[3], strlen(argv[3]), &val, &len);
        if (r == 0)
            printf("%.*s\n", (int)len, val);
        status = r == 0 ? 0 : r == -ENOENT ? 1 : 2;
    } else if (strcmp(argv[2], "set") == 0) {
        r = 0;
        for (int i = 3; i + 1 < argc && r == 0; i += 2)
            r = store_kv_put(st, STORE_CF_META, argv[i], strlen(argv[i]), argv[i + 1],
                                 strlen(argv[i + 1]));
        status = r == 0 ? 0 : 2;
    } else if (strcmp(argv[2], "delete") == 0) {
        r = 0;
        for (int i = 3; i < argc && r == 0; i++) {
            r = store_kv_delete(st, STORE_CF_META, argv[i], strlen(argv[i]));
            status = r == 0 ? 0 : 2;
        }
    } else {
        fprintf(stderr, "store_meta: unknown action '%s'\n", argv[2]);
    }
    free(val);
    store_close(&st);
    return status;
}

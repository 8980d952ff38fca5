/* store_version.c - the data format version of a store, checked at
 * every open: a newer store is refused, an older one is brought up to date.
 *
 * The meta family (the default column family) holds two keys:
 *   "schema"      the data format version, in decimal ("1"); the key
 *                 name is historical, the value is what counts;
 *   "written_by"  the inquest release that last opened the store for
 *                 writing ("0.1.0"), named in the refusal message.
 * The format version changes only when the bytes on disk change meaning
 * (a key layout, a value encoding, a new family that must be filled); a
 * release that only adds code keeps it.  At open:
 *  - no "schema" key: a store from before the key existed, which is
 *    format 1; a writable open stamps it, a read-only one reads it as is;
 *  - the same version: nothing to do (a writable open refreshes
 *    written_by);
 *  - a newer version, or a value that is not a version: refused with
 *    -EPROTO and a message naming both versions and what to do (docs/
 *    operations.md, "Upgrades").
 * Format 1 is the first format, so no store is older than this build but
 * the unstamped ones.  The release that introduces format 2 adds its
 * migration here: run by a writable open, stamping the new version only
 * after it succeeded, with read-only opens of an older store refused. */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_log.h"
#include "iq_version.h"

#define KEY_FORMAT "schema"
#define KEY_WRITTEN_BY "written_by"

/* The decimal version in val (len bytes), or -1 when it is not one. */
static int parse_version(const char *val, size_t len)
{
    int v = 0;

    if (len == 0 || len > 6)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (val[i] < '0' || val[i] > '9')
            return -1;
        v = v * 10 + (val[i] - '0');
    }
    return v > 0 ? v : -1;
}

/* The release that last wrote the store, into buf ("an unknown release"
 * when the key is absent). */
static void written_by(struct store *st, char *buf, size_t size)
{
    char *val = NULL;
    size_t len = 0;

    if (store_kv_get(st, STORE_CF_META, KEY_WRITTEN_BY, strlen(KEY_WRITTEN_BY), &val, &len) == 0)
        snprintf(buf, size, "inquest %.*s", (int)(len < 32 ? len : 32), val);
    else
        snprintf(buf, size, "an unknown release");
    free(val);
}

/* Stamp version v and this release.  0 or a negative errno. */
static int stamp(struct store *st, int v)
{
    char num[16];
    int n = snprintf(num, sizeof(num), "%d", v);
    int r = store_kv_put(st, STORE_CF_META, KEY_FORMAT, strlen(KEY_FORMAT), num, (size_t)n);

    return r < 0 ? r : store_kv_put(st, STORE_CF_META, KEY_WRITTEN_BY, strlen(KEY_WRITTEN_BY),
                                        IQ_VERSION, strlen(IQ_VERSION));
}

static int refuse_newer(struct store *st, const char *val, size_t len, int v)
{
    char who[64];

    written_by(st, who, sizeof(who));
    if (v < 0)
        iq_error("store", "%s: invalid data format version \"%.*s\" (written by %s); this build "
                 "reads data format %d", st->dir, (int)(len < 16 ? len : 16), val, who,
                 STORE_FORMAT);
    else
        iq_error("store", "%s: data format %d (written by %s) is newer than this inquest %s "
                 "reads (data format %d): run a release that reads format %d, or restore a "
                 "backup taken before the upgrade (docs/operations.md, \"Upgrades\")", st->dir, v,
                 who, IQ_VERSION, STORE_FORMAT, v);
    return -EPROTO;
}

int store_version_check(struct store *st)
{
    char *val = NULL;
    size_t len = 0;
    int r = store_kv_get(st, STORE_CF_META, KEY_FORMAT, strlen(KEY_FORMAT), &val, &len);
    int v;

    if (r == -ENOENT)
        return st->read_only ? 0 : stamp(st, STORE_FORMAT);
    if (r < 0)
        return r;
    v = parse_version(val, len);
    if (v < 0 || v > STORE_FORMAT)
        r = refuse_newer(st, val, len, v);
    else if (!st->read_only)
        r = stamp(st, STORE_FORMAT);
    free(val);
    return r;
}

int store_format(struct store *st)
{
    char *val = NULL;
    size_t len = 0;
    int r = store_kv_get(st, STORE_CF_META, KEY_FORMAT, strlen(KEY_FORMAT), &val, &len);

    if (r == -ENOENT)
        return 1;
    if (r == 0)
        r = parse_version(val, len) < 0 ? -EPROTO : parse_version(val, len);
    free(val);
    return r;
}

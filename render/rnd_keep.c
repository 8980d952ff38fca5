/* rnd_keep.c - draft files that people edit: never overwrite their work.
 *
 * inquestd writes DIR/ID.md and DIR/ID.html when an incident closes, and
 * again when a late event changes it.  Responders edit ID.md in place (the
 * narrative sections are theirs), so before replacing a file the daemon
 * checks that it still holds what the daemon wrote last: the SHA-256 of
 * every file it writes is kept in the store's state family
 * ("rnd.hash.ID.md", "rnd.hash.ID.next.md").  When the file on disk
 * matches the last version written in place, or the last version written
 * beside it (someone accepted it by copying it over), it is replaced.
 * Otherwise it was changed by hand (or was never written by this daemon:
 * a draft from before these hashes existed, a file put there by someone)
 * and stays untouched; the new version goes beside it as ID.next.md, for
 * a person to merge (`inquest draft ID --diff ID.md` shows what changed
 * in the facts).  A missing file is simply written.
 *
 * The facts of a draft (rnd_keep_facts) are what the renderer states from
 * the events: every section but those the template leaves to people,
 * which it marks with RND_HUMAN_MARK ("✍️", the templates' convention).
 * Which sections those are is read from the draft inquestd would write
 * now, so a person who filled a section in (and so removed its mark)
 * still has it left out.  The YAML front matter (between the opening
 * "---" lines) is left out too: it says when and with which template the
 * file was made, not what happened.
 *
 * Every file is written to NAME.tmp and renamed into place, so a reader
 * never sees half a draft.  A hash is recorded only after its file is in
 * place; a crash between the two leaves a file that looks hand-edited,
 * which errs on the side of keeping it. */
#include "rnd_keep.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "store.h"
#include "iq_buf.h"
#include "iq_file.h"
#include "iq_paths.h"

#define KEY_PREFIX "rnd.hash."
#define DRAFT_FILE_MAX (64u << 20)
#define HEX_LEN (crypto_hash_sha256_BYTES * 2)

static void hash_hex(const char *doc, size_t len, char hex[HEX_LEN + 1])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, (const unsigned char *)doc, len);
    sodium_bin2hex(hex, HEX_LEN + 1, h, sizeof(h));
}

/* The state key of file NAME (e.g. "ID.md", "ID.next.md"). */
static int key_of(const char *name, char *key, size_t size)
{
    return (size_t)snprintf(key, size, KEY_PREFIX "%s", name) < size ? 0 : -ENAMETOOLONG;
}

/* Does the recorded hash of name equal hex?  false when none is recorded. */
static bool recorded(struct store *st, const char *name, const char *hex)
{
    char key[PATH_MAX], *v = NULL;
    size_t vl = 0;
    bool same;

    if (key_of(name, key, sizeof(key)) < 0 ||
        store_kv_get(st, STORE_CF_STATE, key, strlen(key), &v, &vl) < 0)
        return false;
    same = vl == HEX_LEN && memcmp(v, hex, HEX_LEN) == 0;
    free(v);
    return same;
}

/* Write doc to DIR/NAME and record its hash. */
static int put(struct store *st, const char *dir, const char *name, const char *doc,
               size_t len, const char *hex)
{
    char path[PATH_MAX], key[PATH_MAX];
    int r;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
        key_of(name, key, sizeof(key)) < 0)
        return -ENAMETOOLONG;
    if ((r = iq_write_atomic(path, doc, len)) < 0)
        return r;
    return store_kv_put(st, STORE_CF_STATE, key, strlen(key), hex, HEX_LEN);
}

int rnd_keep_write(struct store *st, const char *dir, const char *id, const char *ext,
                   const char *doc, size_t len)
{
    char name[NAME_MAX + 1], next[NAME_MAX + 1], path[PATH_MAX];
    char new_hex[HEX_LEN + 1], cur_hex[HEX_LEN + 1];
    char *cur = NULL;
    size_t cur_len = 0;
    int r;

    if (sodium_init() < 0)
        return -EIO;
    if ((size_t)snprintf(name, sizeof(name), "%s.%s", id, ext) >= sizeof(name) ||
        (size_t)snprintf(next, sizeof(next), "%s.next.%s", id, ext) >= sizeof(next) ||
        (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
        return -ENAMETOOLONG;
    hash_hex(doc, len, new_hex);
    r = iq_read_file(path, DRAFT_FILE_MAX, &cur, &cur_len);
    if (r == -ENOENT)
        return put(st, dir, name, doc, len, new_hex);
    if (r < 0)
        return r;
    hash_hex(cur, cur_len, cur_hex);
    free(cur);
    if (strcmp(cur_hex, new_hex) == 0 || recorded(st, name, cur_hex) ||
        recorded(st, next, cur_hex))
        return put(st, dir, name, doc, len, new_hex);
    r = put(st, dir, next, doc, len, new_hex);
    return r < 0 ? r : 1;
}

/* The heading of a line that opens a section of level 1 or 2 ("# ",
 * "## "), as its length; 0 for any other line. */
static size_t heading(const char *p, size_t n)
{
    return (n >= 2 && memcmp(p, "# ", 2) == 0) || (n >= 3 && memcmp(p, "## ", 3) == 0) ? n : 0;
}

/* Does the set (headings joined by '\n', each followed by one) hold the
 * heading line p (n bytes)? */
static bool in_set(const struct iq_buf *set, const char *p, size_t n)
{
    for (const char *s = set->p; s && *s;) {
        const char *nl = strchr(s, '\n');

        if ((size_t)(nl - s) == n && memcmp(s, p, n) == 0)
            return true;
        s = nl + 1;
    }
    return false;
}

/* The headings of ref whose sections hold RND_HUMAN_MARK, into set. */
static int human_sections(const char *ref, size_t len, struct iq_buf *set)
{
    const char *cur = NULL, *p = ref, *end = ref + len;
    size_t cur_n = 0;
    bool marked = false;
    int r = 0;

    while (p < end && r == 0) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (heading(p, n)) {
            if (cur && marked && (r = iq_buf_add(set, cur, cur_n)) == 0)
                r = iq_buf_addc(set, '\n');
            cur = p[1] == '#' ? p : NULL;      /* only "## " sections are people's */
            cur_n = n;
            marked = false;
        } else if (memmem(p, n, RND_HUMAN_MARK, strlen(RND_HUMAN_MARK))) {
            marked = true;
        }
        p += n + 1;
    }
    if (r == 0 && cur && marked && (r = iq_buf_add(set, cur, cur_n)) == 0)
        r = iq_buf_addc(set, '\n');
    return r;
}

/* Past the front matter of doc ("---\n" ... "---\n" at its start), or
 * doc itself when it has none. */
static const char *past_front_matter(const char *doc, size_t len)
{
    const char *end = doc + len, *p;

    if (len < 4 || memcmp(doc, "---\n", 4) != 0)
        return doc;
    for (p = doc + 4; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (n == 3 && memcmp(p, "---", 3) == 0)
            return nl ? nl + 1 : end;
        p += n + 1;
    }
    return doc;                 /* never closed: not front matter */
}

int rnd_keep_facts(const char *doc, size_t len, const char *ref, size_t ref_len, char **ret,
                   size_t *ret_len)
{
    struct iq_buf set, out;
    const char *p = past_front_matter(doc, len), *end = doc + len;
    bool skip = false;
    int r;

    iq_buf_init(&set, ref_len + 1);
    iq_buf_init(&out, len + 1);
    r = human_sections(ref, ref_len, &set);
    while (r == 0 && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

        if (heading(p, n))
            skip = in_set(&set, p, n);
        if (!skip && (r = iq_buf_add(&out, p, n)) == 0)
            r = iq_buf_addc(&out, '\n');
        p += n + 1;
    }
    if (r == 0 && !(*ret = iq_buf_take(&out, ret_len)))
        r = -ENOMEM;
    iq_buf_free(&set);
    iq_buf_free(&out);
    return r == -ENOBUFS ? -ENOMEM : r;
}

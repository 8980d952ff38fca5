/* pm_store.c - finished postmortems in the store's "postmortems" family
 * (layout in pm_store.h).
 *
 * Design notes:
 * - Content decides: a document is known by the sha256 of its bytes.  The
 *   same bytes synced again write nothing; an edit adds a version keyed by
 *   its number (1, 2, ...), so history is a prefix scan of "v" | id in the
 *   order the versions were synced, whatever clock each sync had;
 *   a text goes to "b" | hash once, however many versions or incidents
 *   point at it.
 * - The record, the version and the text of one sync are one WriteBatch:
 *   a crash leaves the previous state or the new one, never a version
 *   without its text.
 * - Ids are checked by the reader (pm_id_valid: no NUL, at most 128
 *   bytes), so "v" | id | 0x00 never makes one id's prefix another's. */
#include "pm_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "store.h"
#include "iq_json.h"
#include "iq_time.h"
#include "pm_doc.h"
#include "pm_words.h"

#define KEY_MAX 512

void pm_hash(const char *text, size_t len, char hex[PM_HASH_HEX])
{
    unsigned char d[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(d, (const unsigned char *)text, len);
    sodium_bin2hex(hex, PM_HASH_HEX, d, sizeof(d));
}

static size_t key2(char *buf, char tag, const char *s)
{
    size_t n = strlen(s);

    if (n + 2 > KEY_MAX)
        return 0;
    buf[0] = tag;
    memcpy(buf + 1, s, n);
    return n + 1;
}

static void put_be32(char *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--) {
        p[i] = (char)(v & 0xff);
        v >>= 8;
    }
}

static int get_json(struct store *st, const char *k, size_t kl, json_t **ret)
{
    char *v = NULL;
    size_t vl;
    int r = store_kv_get(st, STORE_CF_DOCS, k, kl, &v, &vl);

    if (r < 0)
        return r;
    r = iq_json_parse(v, vl, 0, ret, NULL);
    free(v);
    return r == -ENOMEM ? r : r < 0 ? -EINVAL : 0;
}

int pm_store_get(struct store *st, const char *id, json_t **ret)
{
    char k[KEY_MAX];
    size_t kl = key2(k, 'd', id);

    return kl ? get_json(st, k, kl, ret) : -ENOENT;
}

/* The string value of member key of o, or "". */
static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s ? s : "";
}

static int count_done(const json_t *rec)
{
    const json_t *it;
    size_t i;
    int n = 0;

    json_array_foreach(json_object_get(rec, "items"), i, it)
        n += strcmp(jstr(it, "state"), "done") == 0;
    return n;
}

/* published_at: the front matter's, else kept from the previous record
 * while the status stays published, else now when it just became so. */
static int set_published(json_t *cur, const json_t *prev, int64_t now)
{
    const char *status = json_string_value(json_object_get(cur, "status"));
    const json_t *was = json_object_get(prev, "published_at");
    char buf[IQ_TIME_STRLEN];

    if (json_object_get(cur, "published_at"))
        return 0;
    if (!status || strcmp(status, "published") != 0)
        return 0;
    if (was && strcmp(jstr(prev, "status"), "published") == 0)
        return json_object_set(cur, "published_at", (json_t *)was);
    iq_time_format(now, buf, sizeof(buf));
    return json_object_set_new(cur, "published_at", json_string(buf));
}

/* The record as stored: a copy of record with the sync's fields. */
static json_t *stored_record(const json_t *record, const json_t *prev, const char *path,
                             const char *hash, int64_t now, bool new_version)
{
    json_t *cur = json_deep_copy(record);
    char t[IQ_TIME_STRLEN];
    json_int_t versions = json_integer_value(json_object_get(prev, "versions"));

    if (!cur)
        return NULL;
    iq_time_format(now, t, sizeof(t));
    if (json_object_set_new(cur, "hash", json_string(hash)) < 0 ||
        json_object_set_new(cur, "path", json_string(path)) < 0 ||
        json_object_set_new(cur, "synced_at", json_string(t)) < 0 ||
        json_object_set_new(cur, "versions", json_integer(versions + new_version)) < 0 ||
        json_object_set_new(cur, "parser", json_integer(PM_PARSER_VERSION)) < 0 ||
        json_object_set(cur, "first_synced_at",
                        prev ? json_object_get(prev, "first_synced_at") : json_object_get(cur, "synced_at")) < 0 ||
        set_published(cur, prev, now) < 0) {
        json_decref(cur);
        return NULL;
    }
    return cur;
}

static int batch_json(struct store_batch *b, const char *k, size_t kl, const json_t *j)
{
    size_t vl;
    char *v = iq_json_dump_compact(j, &vl);

    if (!v)
        return -ENOMEM;
    store_batch_put(b, STORE_CF_DOCS, k, kl, v, vl);
    free(v);
    return 0;
}

int pm_store_put(struct store *st, const json_t *record, const char *path, const char *text,
                 size_t len, const char *hash, int64_t now, enum pm_put *ret)
{
    const char *id = json_string_value(json_object_get(record, "incident"));
    json_t *prev = NULL, *cur = NULL, *ver = NULL;
    struct store_batch *b = NULL;
    char k[KEY_MAX], t[IQ_TIME_STRLEN];
    enum pm_put out;
    size_t kl;
    int r = id ? pm_store_get(st, id, &prev) : -EINVAL;

    if (r < 0 && r != -ENOENT)
        return r;
    out = !prev ? PM_PUT_NEW
                : strcmp(jstr(prev, "hash"), hash) == 0
                      ? PM_PUT_UNCHANGED : PM_PUT_UPDATED;
    r = -ENOMEM;
    if (!(cur = stored_record(record, prev, path, hash, now, out != PM_PUT_UNCHANGED)) ||
        !(b = store_batch_new(st)))
        goto out;
    if ((r = batch_json(b, k, key2(k, 'd', id), cur)) < 0)
        goto out;
    if (out != PM_PUT_UNCHANGED) {
        json_int_t n = json_integer_value(json_object_get(cur, "versions"));

        iq_time_format(now, t, sizeof(t));
        kl = key2(k, 'v', id);
        k[kl++] = '\0';
        put_be32(k + kl, (uint32_t)n);
        kl += 4;
        ver = json_pack("{s:I, s:s, s:s, s:s, s:O, s:I, s:i}", "version", n, "hash", hash, "path",
                        path, "synced_at", t, "status", json_object_get(record, "status"), "items",
                        (json_int_t)json_array_size(json_object_get(record, "items")), "done",
                        count_done(record));
        r = ver ? batch_json(b, k, kl, ver) : -ENOMEM;
        if (r < 0)
            goto out;
        kl = key2(k, 'b', hash);
        store_batch_put(b, STORE_CF_DOCS, k, kl, text, len);
    }
    if ((r = store_batch_commit(b)) == 0 && ret)
        *ret = out;
out:
    store_batch_destroy(&b);
    json_decref(prev);
    json_decref(cur);
    json_decref(ver);
    return r;
}

struct each {
    pm_record_fn fn;
    void *ud;
    int err;
};

static int on_record(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct each *e = ud;
    json_t *j = NULL;
    int r;

    (void)k;
    (void)kl;
    r = iq_json_parse(v, vl, 0, &j, NULL);
    if (r == -ENOMEM)
        return e->err = r;
    if (r < 0)
        return 0;   /* a corrupt record is skipped, not fatal to a listing */
    r = e->fn(e->ud, j);
    json_decref(j);
    return r;
}

int pm_store_each(struct store *st, pm_record_fn fn, void *ud)
{
    struct each e = { .fn = fn, .ud = ud };
    int r = store_kv_scan(st, STORE_CF_DOCS, "d", 1, on_record, &e);

    return e.err ? e.err : r;
}

static int add_to_object(void *ud, json_t *rec)
{
    const char *id = json_string_value(json_object_get(rec, "incident"));

    return id && json_object_set(ud, id, rec) < 0 ? -ENOMEM : 0;
}

int pm_store_all(struct store *st, json_t **ret)
{
    json_t *all = json_object();
    int r = all ? pm_store_each(st, add_to_object, all) : -ENOMEM;

    if (r < 0) {
        json_decref(all);
        return r;
    }
    *ret = all;
    return 0;
}

static int append_version(void *ud, json_t *rec)
{
    return json_array_append(ud, rec) < 0 ? -ENOMEM : 0;
}

int pm_store_history(struct store *st, const char *id, json_t **ret)
{
    struct each e = { .fn = append_version };
    char k[KEY_MAX];
    size_t kl = key2(k, 'v', id);
    json_t *arr = json_array();
    int r;

    if (!arr || !kl) {
        json_decref(arr);
        return arr ? -ENOENT : -ENOMEM;
    }
    k[kl++] = '\0';
    e.ud = arr;
    r = store_kv_scan(st, STORE_CF_DOCS, k, kl, on_record, &e);
    if (e.err)
        r = e.err;
    if (r < 0) {
        json_decref(arr);
        return r;
    }
    *ret = arr;
    return 0;
}

int pm_store_text(struct store *st, const char *hash, char **ret, size_t *ret_len)
{
    char k[KEY_MAX];
    size_t kl = key2(k, 'b', hash);

    return kl ? store_kv_get(st, STORE_CF_DOCS, k, kl, ret, ret_len) : -ENOENT;
}

static size_t mark_key(char *k, int64_t day, const char *key)
{
    char d[16];
    size_t n = strlen(key);

    pm_date_format(day, d, sizeof(d));
    if (n + 10 > KEY_MAX)
        return 0;
    k[0] = 's';
    memcpy(k + 1, d, 4);
    memcpy(k + 5, d + 5, 2);
    memcpy(k + 7, d + 8, 2);
    memcpy(k + 9, key, n);
    return n + 9;
}

int pm_store_mark_get(struct store *st, int64_t day, const char *key)
{
    char k[KEY_MAX], *v = NULL;
    size_t vl, kl = mark_key(k, day, key);
    int r = kl ? store_kv_get(st, STORE_CF_DOCS, k, kl, &v, &vl) : -EINVAL;

    free(v);
    return r == 0 ? 1 : r == -ENOENT ? 0 : r;
}

int pm_store_mark_put(struct store *st, int64_t day, const char *key)
{
    char k[KEY_MAX];
    size_t kl = mark_key(k, day, key);

    return kl ? store_kv_put(st, STORE_CF_DOCS, k, kl, "", 0) : -EINVAL;
}

struct prune {
    char before[9];
    struct store_batch *b;
    unsigned n;
};

static int on_mark(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct prune *p = ud;

    (void)v;
    (void)vl;
    if (kl < 9 || memcmp(k + 1, p->before, 8) >= 0)
        return 1;   /* marks are in day order: the rest are newer */
    store_batch_delete(p->b, STORE_CF_DOCS, k, kl);
    p->n++;
    return 0;
}

int pm_store_marks_prune(struct store *st, int64_t day)
{
    struct prune p = { .b = store_batch_new(st) };
    char k[KEY_MAX];
    int r;

    if (!p.b)
        return -ENOMEM;
    mark_key(k, day, "");
    memcpy(p.before, k + 1, 8);
    p.before[8] = '\0';
    r = store_kv_scan(st, STORE_CF_DOCS, "s", 1, on_mark, &p);
    if (r >= 0 && p.n)
        r = store_batch_commit(p.b);
    store_batch_destroy(&p.b);
    return r < 0 ? r : 0;
}

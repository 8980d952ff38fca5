/* cor_out.c - where a streaming rebuild (cor_stream.h) writes: incidents
 * and unattached records in batches of a megabyte as they are
 * final, and at the end the deletion of whatever stored incident, index
 * entry or record this rebuild did not write.
 *
 * Design notes:
 * - A batch is committed once it holds COR_OUT_BATCH bytes (1 MiB: the
 *   few batches in flight are reused, where bigger ones were freshly
 *   faulted-in memory for most of a rebuild; less for a small
 *   rebuild_memory, a sixteenth of it, at least COR_OUT_BATCH_MIN), so memory
 *   stays flat whatever the number of incidents; a rebuild small enough
 *   for one batch still replaces everything in one atomic write, as the
 *   in-memory rebuild does.  A bigger one is not atomic: a reader sees old
 *   and new incidents side by side until the end, and an interrupted
 *   rebuild leaves both (the next full rebuild, which inquestd runs at
 *   every start, repairs it).
 * - When the end may patch texts (audit notes exist), the texts of the
 *   batch not yet committed are kept beside it, so that a patch
 *   (cor_out_patch_recurrence) needs no commit.
 * - What was written is remembered as a set of 64-bit FNV-1a hashes of
 *   the keys (8 bytes a key, two or three keys an incident), not the
 *   keys: the final sweep deletes a key whose hash is not in the set.  A collision could only keep a stale
 *   key, never delete a fresh one.
 * - Full batches are committed without RocksDB's write-ahead log (a
 *   rebuild writes its whole output, hundreds of megabytes for ten
 *   million events, and can be made again: inquestd runs a full rebuild at
 *   every start); the family is flushed to table files before the last
 *   batch, which is logged, deletes what they replace.
 * - Without patches, full batches are committed by a thread of their own
 *   (cor_pipe, at most COR_PIPE_RING batches waiting), so the walk does
 *   not stop for RocksDB's write path; the final sweep runs once that
 *   thread has committed everything.  With patches, commits stay inline:
 *   a patch reads back incidents of earlier batches from the store. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_incident.h"
#include "cor_pipe.h"
#include "cor_run.h"
#include "cor_store.h"
#include "cor_text.h"
#include "cor_unattached.h"
#include "cor_window.h"
#include "store_keys.h"
#include "store.h"
#include "iq_event.h"
#include "iq_hash.h"
#include "iq_time.h"

#define COR_OUT_BATCH (1u << 20)
#define COR_OUT_BATCH_MIN (16u << 10)
#define SPARES 2                   /* committed batches kept for reuse */

struct hset {
    uint64_t *v;               /* 0 = empty slot (a hash of 0 is stored as 1) */
    size_t n, cap;
};

struct pending {
    char id[COR_ID_LEN];
    char *text;                /* owned */
};

struct cor_out {
    struct store *st;
    struct store_batch *b;
    size_t bytes;              /* queued in b */
    size_t batch;              /* b is committed at this size */
    size_t batches;            /* committed or handed to the committer */
    struct pending *p;         /* incidents queued in b (only when patches may come) */
    size_t n_p, cap_p;
    bool patches;
    struct hset written;
    size_t incidents, unatt;
    struct cor_pipe pipe;      /* full batches to the committing thread */
    pthread_t committer;
    bool threaded;             /* the committer runs */
    pthread_mutex_t spare_lock;
    struct store_batch *spare[SPARES];   /* committed, emptied, for reuse; owned */
    size_t n_spare;
};

/* The hash of key k in the written set.  A names entry ("r" + id) is
 * written with every incident text ("i" + id), so both share the hash of
 * the text's key: one entry less per incident. */
static uint64_t key_hash(const char *k, size_t kl)
{
    uint64_t h = IQ_FNV_INIT;

    if (kl > 0) {
        char first = k[0] == 'r' ? 'i' : k[0];

        h = iq_fnv1a(iq_fnv1a(h, &first, 1), k + 1, kl - 1);
    }
    return h ? h : 1;
}

static bool hset_has(const struct hset *s, uint64_t h)
{
    if (!s->cap)
        return false;
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->v[i] == h)
            return true;
        if (!s->v[i])
            return false;
    }
}

static void hset_put_slot(uint64_t *v, size_t cap, uint64_t h)
{
    size_t i = h & (cap - 1);

    while (v[i] && v[i] != h)
        i = (i + 1) & (cap - 1);
    v[i] = h;
}

static int hset_add(struct hset *s, uint64_t h)
{
    if (hset_has(s, h))
        return 0;
    if ((s->n + 1) * 2 > s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        uint64_t *nv = calloc(ncap, sizeof(*nv));

        if (!nv)
            return -ENOMEM;
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i])
                hset_put_slot(nv, ncap, s->v[i]);
        free(s->v);
        s->v = nv;
        s->cap = ncap;
    }
    hset_put_slot(s->v, s->cap, h);
    s->n++;
    return 0;
}

static void batch_drop(void *b)
{
    store_batch_destroy((struct store_batch **)&b);
}

/* Keep committed batch b, emptied, for the next one (its grown buffer
 * spares the next batch the reallocations and page faults), or free it. */
static void recycle(struct cor_out *o, struct store_batch *b)
{
    pthread_mutex_lock(&o->spare_lock);
    if (o->n_spare < SPARES) {
        store_batch_clear(b);
        o->spare[o->n_spare++] = b;
        b = NULL;
    }
    pthread_mutex_unlock(&o->spare_lock);
    store_batch_destroy(&b);
}

/* A batch to fill: a recycled one, or a new one.  NULL on OOM. */
static struct store_batch *batch_get(struct cor_out *o)
{
    struct store_batch *b = NULL;

    pthread_mutex_lock(&o->spare_lock);
    if (o->n_spare > 0)
        b = o->spare[--o->n_spare];
    pthread_mutex_unlock(&o->spare_lock);
    return b ? b : store_batch_new(o->st);
}

/* The committing thread: each batch in turn, until the pipe is closed. */
static void *commit_all(void *arg)
{
    struct cor_out *o = arg;
    struct store_batch *b;
    int r = 0;

    while ((b = cor_pipe_pop(&o->pipe))) {
        if (r == 0 && (r = store_batch_commit_unlogged(b)) < 0)
            cor_pipe_fail(&o->pipe, r);
        recycle(o, b);
    }
    return NULL;
}

int cor_out_new(struct store *st, bool patches, size_t budget, struct cor_out **ret)
{
    struct cor_out *o = calloc(1, sizeof(*o));

    if (!o || !(o->b = store_batch_new(st))) {
        free(o);
        return -ENOMEM;
    }
    o->st = st;
    o->patches = patches;
    o->batch = budget / 16 < COR_OUT_BATCH_MIN ? COR_OUT_BATCH_MIN
             : budget / 16 > COR_OUT_BATCH ? COR_OUT_BATCH : budget / 16;
    cor_pipe_init(&o->pipe);
    pthread_mutex_init(&o->spare_lock, NULL);
    if (!patches && pthread_create(&o->committer, NULL, commit_all, o) == 0) {
        pthread_setname_np(o->committer, "cor-commit");
        o->threaded = true;
    }
    *ret = o;
    return 0;
}

/* Wait until the committer has written every batch handed over; its
 * error, if any. */
static int drain(struct cor_out *o)
{
    if (!o->threaded)
        return 0;
    cor_pipe_close(&o->pipe);
    pthread_join(o->committer, NULL);
    o->threaded = false;
    return cor_pipe_err(&o->pipe);
}

static void drop_pending(struct cor_out *o)
{
    for (size_t i = 0; i < o->n_p; i++)
        free(o->p[i].text);
    o->n_p = 0;
}

/* Commit the batch (inline, or through the committer) and start another. */
static int flush(struct cor_out *o)
{
    int r;

    if (o->threaded) {
        r = cor_pipe_push(&o->pipe, (void **)&o->b);
        store_batch_destroy(&o->b);     /* only when the push failed */
    } else {
        r = store_batch_commit_unlogged(o->b);
        recycle(o, o->b);
        o->b = NULL;
    }
    drop_pending(o);
    o->bytes = 0;
    o->batches++;
    if (r < 0)
        return r;
    return (o->b = batch_get(o)) ? 0 : -ENOMEM;
}

static int written(struct cor_out *o, const char *k, size_t kl, size_t bytes)
{
    int r = hset_add(&o->written, key_hash(k, kl));

    o->bytes += bytes;
    if (r == 0 && o->bytes >= o->batch)
        r = flush(o);
    return r;
}

/* Keep a copy of the text queued for id (replacing an earlier one). */
static int keep_pending(struct cor_out *o, const char *id, const char *text)
{
    char *copy;
    size_t i = 0;

    if (!o->patches)
        return 0;
    if (!(copy = strdup(text)))
        return -ENOMEM;
    while (i < o->n_p && strcmp(o->p[i].id, id) != 0)
        i++;
    if (i == o->n_p) {
        if (o->n_p == o->cap_p) {
            size_t ncap = o->cap_p ? o->cap_p * 2 : 256;
            struct pending *np = realloc(o->p, ncap * sizeof(*np));

            if (!np) {
                free(copy);
                return -ENOMEM;
            }
            o->p = np;
            o->cap_p = ncap;
        }
        snprintf(o->p[o->n_p].id, sizeof(o->p[o->n_p].id), "%s", id);
        o->p[o->n_p++].text = NULL;
    }
    free(o->p[i].text);
    o->p[i].text = copy;
    return 0;
}

int cor_out_incident(struct cor_out *o, const char *id, int64_t opened_at, int64_t closed_at,
                     const char *text, const char *names, size_t names_len)
{
    char key[1 + 8 + 64];
    size_t idlen = strlen(id);
    int r = cor_store_queue_text(o->b, id, opened_at, closed_at, text, names, names_len);

    if (r < 0 || (r = keep_pending(o, id, text)) < 0)
        return r;
    o->incidents++;
    key[0] = 'i';     /* and 'r' (key_hash) */
    memcpy(key + 1, id, idlen);
    if ((r = hset_add(&o->written, key_hash(key, 1 + idlen))) < 0)
        return r;
    key[0] = 't';
    store_be64_put(key + 1, opened_at);
    memcpy(key + 9, id, idlen);
    if (cor_span_long(&(struct cor_span){ .opened_at = opened_at, .closed_at = closed_at })) {
        key[0] = 'l';
        if ((r = hset_add(&o->written, key_hash(key, 9 + idlen))) < 0)
            return r;
        key[0] = 't';
    }
    return written(o, key, 9 + idlen, strlen(text) + 64);
}

int cor_out_unatt(struct cor_out *o, const struct cor_unatt *u)
{
    char key[1 + 8 + IQ_ID_MAX];
    size_t idlen = strlen(u->id);

    if (idlen > IQ_ID_MAX)
        idlen = IQ_ID_MAX;
    cor_unattached_put(o->b, u);
    o->unatt++;
    key[0] = 'u';
    store_be64_put(key + 1, u->at);
    memcpy(key + 9, u->id, idlen);
    return written(o, key, 9 + idlen, strlen(u->text) + 64);
}

/* The incident id as JSON: from the batch not yet committed, else from
 * the store.  Caller owns *ret. */
static int load(struct cor_out *o, const char *id, json_t **ret)
{
    for (size_t i = 0; i < o->n_p; i++) {
        if (strcmp(o->p[i].id, id) != 0)
            continue;
        *ret = json_loads(o->p[i].text, JSON_REJECT_DUPLICATES, NULL);
        return *ret ? 0 : -ENOMEM;
    }
    return cor_incident_load(o->st, id, ret);
}

int cor_out_patch_recurrence(struct cor_out *o, const char *id, const char *rec)
{
    json_t *inc = NULL;
    char *text = NULL, *names = NULL;
    const char *s;
    size_t names_len = 0;
    int64_t opened, closed = IQ_TIME_NONE;
    int r;

    if ((r = load(o, id, &inc)) < 0)
        return r;
    r = -ENOMEM;
    if (json_object_set_new(inc, "recurrence_of", rec[0] ? json_string(rec) : json_null()) < 0 ||
        !(text = cor_store_text(inc)) || cor_store_names_of(inc, &names, &names_len) < 0)
        goto out;
    r = -EINVAL;
    s = json_string_value(json_object_get(inc, "opened_at"));
    if (!s || iq_time_parse_rfc3339(s, strlen(s), &opened) < 0)
        goto out;
    s = json_string_value(json_object_get(inc, "closed_at"));
    if (s && iq_time_parse_rfc3339(s, strlen(s), &closed) < 0)
        goto out;
    if ((r = cor_store_queue_text(o->b, id, opened, closed, text, names, names_len)) == 0 &&
        (r = keep_pending(o, id, text)) == 0)
        o->bytes += strlen(text) + 64;
out:
    free(text);
    free(names);
    json_decref(inc);
    return r;
}

struct sweep {
    struct cor_out *o;
    struct store_batch *del;
};

/* A stored index entry ("l", "t" or "u" key) this rebuild did not write
 * is deleted.  For a "t" entry (opened_at, id) the incident's text and
 * names ("i" and "r" + id) go with it unless this rebuild wrote that id
 * (under another opening time, its "t" entry is stale and its text new). */
static int sweep_one(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct sweep *s = ud;
    char key[1 + 64];
    size_t idlen = kl > 9 ? kl - 9 : 0;

    (void)v;
    (void)vl;
    if (hset_has(&s->o->written, key_hash(k, kl)))
        return 0;
    store_batch_delete(s->del, STORE_CF_INCIDENTS, k, kl);
    if (k[0] != 't' || idlen == 0 || idlen > 64)
        return 0;
    key[0] = 'i';
    memcpy(key + 1, k + 9, idlen);
    if (!hset_has(&s->o->written, key_hash(key, 1 + idlen))) {
        store_batch_delete(s->del, STORE_CF_INCIDENTS, key, 1 + idlen);
        key[0] = 'r';
        store_batch_delete(s->del, STORE_CF_INCIDENTS, key, 1 + idlen);
    }
    return 0;
}

/* Sweep what the stored incidents' index names: the "t" entries name
 * every stored incident (its text, names and index entries are written
 * and deleted in one batch: cor_store.c), so the texts themselves (most
 * of the family's bytes) are not read. */
static int sweep(struct cor_out *o)
{
    static const char prefixes[] = "ltu";
    struct sweep s = { o, o->b };
    int r = 0;

    for (size_t i = 0; prefixes[i] && r == 0; i++)
        r = store_kv_scan_bulk(o->st, STORE_CF_INCIDENTS, &prefixes[i], 1, sweep_one, &s);
    return r;
}

int cor_out_finish(struct cor_out *o, size_t *ret_incidents, size_t *ret_unatt)
{
    int r = drain(o);

    /* the batches went without the write-ahead log: made durable before
     * the last batch, which is logged, deletes what they replace (the
     * flush runs while the sweep reads, and is waited for after it) */
    if (r == 0)
        r = store_flush(o->st, STORE_CF_INCIDENTS, false);
    if (r < 0)
        return r;
    /* the deletions go with the last writes: a rebuild that fits in one
     * batch replaces everything atomically; with it, every long incident
     * is under "l" */
    r = sweep(o);
    store_batch_put(o->b, STORE_CF_INCIDENTS, COR_LONG_MARKER, 1, "1", 1);
    if (r == 0)
        r = store_flush(o->st, STORE_CF_INCIDENTS, true);
    if (r == 0)
        r = store_batch_commit(o->b);      /* logged: what makes the rebuild whole */
    o->batches++;
    drop_pending(o);
    o->bytes = 0;
    if (r < 0)
        return r;
    *ret_incidents = o->incidents;
    *ret_unatt = o->unatt;
    return 0;
}

size_t cor_out_batches(const struct cor_out *o)
{
    return o->batches;
}

void cor_out_destroy(struct cor_out **po)
{
    if (!po || !*po)
        return;
    if ((*po)->threaded) {
        cor_pipe_fail(&(*po)->pipe, -ECANCELED);   /* nothing more is committed */
        drain(*po);
    }
    cor_pipe_destroy(&(*po)->pipe, batch_drop);
    store_batch_destroy(&(*po)->b);
    for (size_t i = 0; i < (*po)->n_spare; i++)
        store_batch_destroy(&(*po)->spare[i]);
    pthread_mutex_destroy(&(*po)->spare_lock);
    drop_pending(*po);
    free((*po)->p);
    free((*po)->written.v);
    free(*po);
    *po = NULL;
}

/* cor_load.c - read a range of stored events into a correlation run, on
 * two threads.
 *
 * A full rebuild spends most of its time here: iterating RocksDB and
 * decoding msgpack.  The calling thread iterates and copies the raw values
 * into chunks; a second thread decodes and classifies them (cor_decode,
 * cor_run_add).  Only the second thread touches the run, so the run needs
 * no lock; the chunk queue is a small ring under one mutex, bounded so
 * memory stays at a few chunks whatever the size of the store.
 *
 * Design notes:
 * - Chunk layout: repeated [u32 length][value bytes].  A value larger than
 *   a chunk gets a chunk of its own size.
 * - Errors: the decoder thread records -ENOMEM and the producer stops at
 *   its next value; the store's own errors stop the producer and the
 *   decoder drains what was queued.  Either way both threads meet at the
 *   join, then the first error is returned. */
#include "cor_load.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cor_decode.h"
#include "cor_run.h"
#include "store.h"
#include "iq_event.h"

#define CHUNK_BYTES (1u << 20)
#define RING 4

struct chunk {
    char *buf;
    size_t len, cap;
};

struct loader {
    struct cor_run *run;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct chunk *ring[RING];
    size_t head, count;
    bool done;
    int err;
    size_t added;
    struct chunk *cur;       /* producer's chunk being filled */
};

static void chunk_free(struct chunk **pc)
{
    if (!pc || !*pc)
        return;
    free((*pc)->buf);
    free(*pc);
    *pc = NULL;
}

static struct chunk *chunk_new(size_t cap)
{
    struct chunk *c = calloc(1, sizeof(*c));

    if (c && !(c->buf = malloc(cap)))
        chunk_free(&c);
    if (c)
        c->cap = cap;
    return c;
}

/* Hand the current chunk to the decoder, waiting while the ring is full.
 * Returns the decoder's error, if any. */
static int push(struct loader *l)
{
    int err;

    pthread_mutex_lock(&l->lock);
    while (l->count == RING && !l->err)
        pthread_cond_wait(&l->cond, &l->lock);
    if (!l->err && l->cur) {
        l->ring[(l->head + l->count) % RING] = l->cur;
        l->count++;
        l->cur = NULL;
        pthread_cond_broadcast(&l->cond);
    }
    err = l->err;
    pthread_mutex_unlock(&l->lock);
    chunk_free(&l->cur);
    return err;
}

static int on_value(void *ud, const char *val, size_t len)
{
    struct loader *l = ud;
    uint32_t n = (uint32_t)len;

    if (len > UINT32_MAX)
        return 0;
    if (l->cur && l->cur->len + 4 + len > l->cur->cap && push(l) < 0)
        return 1;
    if (!l->cur && !(l->cur = chunk_new(len + 4 > CHUNK_BYTES ? len + 4 : CHUNK_BYTES))) {
        pthread_mutex_lock(&l->lock);
        l->err = -ENOMEM;
        pthread_mutex_unlock(&l->lock);
        return 1;
    }
    memcpy(l->cur->buf + l->cur->len, &n, 4);
    memcpy(l->cur->buf + l->cur->len + 4, val, len);
    l->cur->len += 4 + len;
    return 0;
}

static int decode_chunk(struct loader *l, struct cor_decoder *dec, const struct chunk *c)
{
    for (size_t off = 0; off + 4 <= c->len;) {
        struct iq_event *ev = NULL;
        uint32_t n;

        memcpy(&n, c->buf + off, 4);
        off += 4;
        if (cor_decode(dec, &l->run->arena, c->buf + off, n, &ev) == 0) {
            if (cor_run_add(l->run, ev) < 0)
                return -ENOMEM;
            l->added++;
        }
        off += n;
    }
    return 0;
}

static void *consume(void *arg)
{
    struct loader *l = arg;
    struct cor_decoder dec;
    struct chunk *c;
    int r = cor_decoder_init(&dec);

    pthread_mutex_lock(&l->lock);
    if (r < 0)
        l->err = r;
    for (;;) {
        while (l->count == 0 && !l->done && !l->err)
            pthread_cond_wait(&l->cond, &l->lock);
        if (l->count == 0 || l->err)
            break;
        c = l->ring[l->head];
        l->head = (l->head + 1) % RING;
        l->count--;
        pthread_cond_broadcast(&l->cond);
        pthread_mutex_unlock(&l->lock);
        r = decode_chunk(l, &dec, c);
        chunk_free(&c);
        pthread_mutex_lock(&l->lock);
        if (r < 0) {
            l->err = r;
            pthread_cond_broadcast(&l->cond);
        }
    }
    pthread_mutex_unlock(&l->lock);
    cor_decoder_release(&dec);
    return NULL;
}

int cor_load_range(struct store *st, struct cor_run *run, int64_t from, int64_t to,
                   size_t *count)
{
    struct store_filter scan = { .since = from, .until = to };
    struct loader l = { .run = run };
    pthread_t th;
    int r;

    pthread_mutex_init(&l.lock, NULL);
    pthread_cond_init(&l.cond, NULL);
    r = pthread_create(&th, NULL, consume, &l);
    if (r != 0) {
        r = -r;
        goto out;
    }
    r = store_scan(st, &scan, on_value, &l);
    if (l.cur)
        push(&l);
    pthread_mutex_lock(&l.lock);
    l.done = true;
    pthread_cond_broadcast(&l.cond);
    pthread_mutex_unlock(&l.lock);
    pthread_join(th, NULL);
    for (; l.count > 0; l.count--, l.head = (l.head + 1) % RING)
        chunk_free(&l.ring[l.head]);
    chunk_free(&l.cur);
    if (l.err)
        r = l.err;
    else if (r > 0)
        r = 0;
    *count = l.added;
out:
    pthread_cond_destroy(&l.cond);
    pthread_mutex_destroy(&l.lock);
    return r < 0 ? r : 0;
}

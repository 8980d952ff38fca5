/* cor_load.c - read a range of stored events into a correlation run, on
 * two threads.
 *
 * An in-memory run over all of history (`inquest correlate --diff`) spends
 * most of its time here: iterating RocksDB and decoding msgpack.  The
 * calling thread iterates and copies the raw values into chunks; a second
 * thread decodes and classifies them (cor_decode, cor_run_add).  Only the
 * second thread touches the run, so the run needs no lock; the chunks go
 * through a bounded pipe (cor_pipe.h), so memory stays at a few chunks
 * whatever the size of the store.
 *
 * Design notes:
 * - Chunk layout: repeated [u32 length][value bytes].  A value larger than
 *   a chunk gets a chunk of its own size.
 * - Errors: the decoder thread fails the pipe and the producer stops at
 *   its next value; the store's own errors stop the producer.  Either way
 *   both threads meet at the join, then the first error is returned. */
#include "cor_load.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cor_decode.h"
#include "cor_pipe.h"
#include "cor_run.h"
#include "store.h"
#include "iq_event.h"

#define CHUNK_BYTES (1u << 20)

struct chunk {
    char *buf;
    size_t len, cap;
};

struct loader {
    struct cor_run *run;
    struct cor_pipe pipe;
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

static void chunk_drop(void *c)
{
    chunk_free((struct chunk **)&c);
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

/* Hand the current chunk to the decoder, waiting while the pipe is full.
 * Returns the decoder's error, if any. */
static int push(struct loader *l)
{
    int err = cor_pipe_push(&l->pipe, (void **)&l->cur);

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
        cor_pipe_fail(&l->pipe, -ENOMEM);
        return 1;
    }
    memcpy(l->cur->buf + l->cur->len, &n, 4);
    memcpy(l->cur->buf + l->cur->len + 4, val, len);
    l->cur->len += 4 + len;
    return 0;
}

static int decode_chunk(struct loader *l, const struct chunk *c)
{
    for (size_t off = 0; off + 4 <= c->len;) {
        struct iq_event *ev = NULL;
        uint32_t n;

        memcpy(&n, c->buf + off, 4);
        off += 4;
        if (cor_decode(&l->run->arena, c->buf + off, n, &ev) == 0) {
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
    struct chunk *c;
    int r = 0;

    while (r == 0 && (c = cor_pipe_pop(&l->pipe))) {
        r = decode_chunk(l, c);
        chunk_free(&c);
        if (r < 0)
            cor_pipe_fail(&l->pipe, r);
    }
    return NULL;
}

int cor_load_range(struct store *st, struct cor_run *run, int64_t from, int64_t to,
                   size_t *count)
{
    struct store_filter scan = { .since = from, .until = to };
    struct loader l = { .run = run };
    pthread_t th;
    int r;

    cor_pipe_init(&l.pipe);
    r = pthread_create(&th, NULL, consume, &l);
    if (r != 0) {
        r = -r;
        goto out;
    }
    r = store_scan(st, &scan, on_value, &l);
    if (l.cur)
        push(&l);
    cor_pipe_close(&l.pipe);
    pthread_join(th, NULL);
    chunk_free(&l.cur);
    if (cor_pipe_err(&l.pipe))
        r = cor_pipe_err(&l.pipe);
    else if (r > 0)
        r = 0;
    *count = l.added;
out:
    cor_pipe_destroy(&l.pipe, chunk_drop);
    return r < 0 ? r : 0;
}

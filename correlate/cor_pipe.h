/* cor_pipe.h - a bounded queue of items between two threads: the reading
 * thread of a rebuild and the one that decodes or walks what it read
 * (cor_load.c, cor_stream.c).
 *
 * At most COR_PIPE_RING items wait, so memory stays at a few items
 * whatever the size of the store.  Either side can fail the pipe: the
 * other sees the error at its next push or pop.  Items are opaque; the
 * pipe owns those queued until they are popped (cor_pipe_destroy frees
 * what is left). */
#ifndef COR_PIPE_H
#define COR_PIPE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define COR_PIPE_RING 4

struct cor_pipe {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    void *ring[COR_PIPE_RING];
    size_t head, count;
    bool done;                 /* the producer will push nothing more */
    int err;                   /* first error of either side, or 0 */
};

void cor_pipe_init(struct cor_pipe *p);

/* Free the items still queued with free_item, then the pipe's locks. */
void cor_pipe_destroy(struct cor_pipe *p, void (*free_item)(void *));

/* Queue *item, waiting while the pipe is full: on success *item is taken
 * (NULLed) and 0 returned; once the pipe failed, its error (*item is then
 * the caller's still). */
int cor_pipe_push(struct cor_pipe *p, void **item);

/* The next item (caller owns it), waiting while none is queued; NULL when
 * the producer is done and nothing is left, or the pipe failed. */
void *cor_pipe_pop(struct cor_pipe *p);

/* Are COR_PIPE_RING items waiting (a push would wait)?  A hint: the
 * consumer may pop the next moment. */
bool cor_pipe_full(struct cor_pipe *p);

/* The producer pushes nothing more. */
void cor_pipe_close(struct cor_pipe *p);

/* Fail the pipe with err (negative errno; the first one is kept) and wake
 * both sides. */
void cor_pipe_fail(struct cor_pipe *p, int err);

/* The pipe's error, or 0. */
int cor_pipe_err(struct cor_pipe *p);

#endif

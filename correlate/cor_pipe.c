/* cor_pipe.c - the bounded two-thread queue of cor_pipe.h.
 *
 * One mutex and one condition variable for both directions: the queue is
 * short and each item is a large chunk of work (a megabyte of raw values,
 * thousands of decoded events), so a wake-up per item costs nothing that
 * matters, and a single condition keeps "full", "empty", "done" and
 * "failed" in one place. */
#include "cor_pipe.h"

void cor_pipe_init(struct cor_pipe *p)
{
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->head = p->count = 0;
    p->done = false;
    p->err = 0;
}

void cor_pipe_destroy(struct cor_pipe *p, void (*free_item)(void *))
{
    for (; p->count > 0; p->count--, p->head = (p->head + 1) % COR_PIPE_RING)
        free_item(p->ring[p->head]);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
}

int cor_pipe_push(struct cor_pipe *p, void **item)
{
    int err;

    pthread_mutex_lock(&p->lock);
    while (p->count == COR_PIPE_RING && !p->err)
        pthread_cond_wait(&p->cond, &p->lock);
    if (!p->err) {
        p->ring[(p->head + p->count) % COR_PIPE_RING] = *item;
        p->count++;
        *item = NULL;
        pthread_cond_broadcast(&p->cond);
    }
    err = p->err;
    pthread_mutex_unlock(&p->lock);
    return err;
}

void *cor_pipe_pop(struct cor_pipe *p)
{
    void *item = NULL;

    pthread_mutex_lock(&p->lock);
    while (p->count == 0 && !p->done && !p->err)
        pthread_cond_wait(&p->cond, &p->lock);
    if (p->count > 0 && !p->err) {
        item = p->ring[p->head];
        p->head = (p->head + 1) % COR_PIPE_RING;
        p->count--;
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    return item;
}

bool cor_pipe_full(struct cor_pipe *p)
{
    bool full;

    pthread_mutex_lock(&p->lock);
    full = p->count == COR_PIPE_RING;
    pthread_mutex_unlock(&p->lock);
    return full;
}

void cor_pipe_close(struct cor_pipe *p)
{
    pthread_mutex_lock(&p->lock);
    p->done = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

void cor_pipe_fail(struct cor_pipe *p, int err)
{
    pthread_mutex_lock(&p->lock);
    if (!p->err)
        p->err = err;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

int cor_pipe_err(struct cor_pipe *p)
{
    int err;

    pthread_mutex_lock(&p->lock);
    err = p->err;
    pthread_mutex_unlock(&p->lock);
    return err;
}

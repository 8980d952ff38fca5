/* cor_arena.c - bump allocation in large blocks, freed all at once.
 *
 * Blocks are COR_ARENA_BLOCK bytes (an allocation larger than a quarter of
 * that gets a block of its own, inserted behind the current one so the
 * free space of the current block is not lost).  Alignment is that of
 * max_align_t.  A full rebuild of a million events allocates a few
 * hundred blocks instead of some ten million small chunks, and frees them
 * in a few hundred calls.
 *
 * A mark and rewind give back what one event's decoding took when the
 * event turns out not to be kept (cor_stream.c skips plain log lines):
 * the blocks added since the mark are freed, the free space of the
 * marked block is restored.
 *
 * Blocks are mapped pages (mmap), not malloc chunks: a streaming rebuild
 * allocates and frees gigabytes of them over its walk from two threads,
 * and through malloc the freed blocks stayed in glibc's heaps, scattered
 * between live ones, so the resident size crept up with the length of
 * history (88 MB after 1 M events, 140 after 10 M, same live data).  An
 * unmapped block is given back at once; a few freed blocks are kept
 * mapped for reuse by any arena (block_new), and each arena keeps one
 * spare for its own mark and rewind.
 *
 * An arena doing bulk work (a full rebuild) asks for its fresh blocks as
 * transparent huge pages: it fills them whole, and a page fault costs
 * about as much as decoding twenty events on a virtual machine (10-15 us
 * a 4 KiB page): two a block instead of a thousand.  Other arenas (an
 * update in inquestd touches a few pages of a block) keep 4 KiB pages, so
 * what they leave resident stays small.  Without transparent huge pages
 * (or with them "never") the advice does nothing. */
#include "cor_arena.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ALIGN alignof(max_align_t)

struct cor_arena_block {
    struct cor_arena_block *next;
    size_t size;
    alignas(max_align_t) char data[];
};

/* Standard blocks given back, kept mapped for the next arena: a partial
 * rebuild (one per new event in the daemon) would otherwise map, fault in
 * and unmap its blocks every time.  At most CACHED, so they bound what
 * stays resident. */
#define CACHED 4
static struct {
    pthread_mutex_t lock;
    struct cor_arena_block *b[CACHED];
    int n;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

#define HUGE (2u << 20)         /* a transparent huge page, where the kernel has them */

/* len bytes of fresh pages, or NULL.  With huge, they start on a huge
 * page boundary and ask for huge pages (cor_arena.h says when). */
static void *map_block(size_t len, bool huge)
{
    size_t span = huge ? len + HUGE : len;
    char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *a;
    size_t head;

    if (p == MAP_FAILED)
        return NULL;
    if (!huge)
        return p;
    a = (char *)(((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
    head = (size_t)(a - p);
    len = (len + 4095) & ~(size_t)4095;
    if (head)
        munmap(p, head);
    munmap(a + len, span - head - len);
    madvise(a, len & ~(size_t)(HUGE - 1), MADV_HUGEPAGE);
    return a;
}

static struct cor_arena_block *block_new(size_t size, struct cor_arena_block *next, bool huge)
{
    struct cor_arena_block *b = NULL;

    if (size == COR_ARENA_BLOCK) {
        pthread_mutex_lock(&cache.lock);
        if (cache.n > 0)
            b = cache.b[--cache.n];
        pthread_mutex_unlock(&cache.lock);
    }
    if (!b && !(b = map_block(sizeof(*b) + size, huge)))
        return NULL;
    b->next = next;
    b->size = size;
    return b;
}

static void block_free(struct cor_arena_block *b)
{
    if (b->size == COR_ARENA_BLOCK) {
        pthread_mutex_lock(&cache.lock);
        if (cache.n < CACHED) {
            cache.b[cache.n++] = b;
            b = NULL;
        }
        pthread_mutex_unlock(&cache.lock);
    }
    if (b)
        munmap(b, sizeof(*b) + b->size);
}

/* A standard block: the spare if there is one. */
static struct cor_arena_block *block_std(struct cor_arena *a)
{
    struct cor_arena_block *b = a->spare;

    if (!b)
        return block_new(COR_ARENA_BLOCK, a->head, a->huge);
    a->spare = NULL;
    b->next = a->head;
    return b;
}

/* Keep b as the spare when it is a standard block and there is none yet. */
static void block_drop(struct cor_arena *a, struct cor_arena_block *b)
{
    if (!a->spare && b->size == COR_ARENA_BLOCK)
        a->spare = b;
    else
        block_free(b);
}

void *cor_arena_alloc(struct cor_arena *a, size_t size)
{
    struct cor_arena_block *b;
    size_t need;
    char *p;

    if (size == 0 || size > SIZE_MAX / 2)
        return NULL;
    need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    a->used += need;
    if (a->cur && (size_t)(a->end - a->cur) >= need) {
        p = a->cur;
        a->cur += need;
        return p;
    }
    if (need > COR_ARENA_BLOCK / 4) {
        /* a large object: its own block, behind the current one */
        if (!a->head)
            return (a->head = block_new(need, NULL, a->huge)) ? a->head->data : NULL;
        b = block_new(need, a->head->next, a->huge);
        if (!b)
            return NULL;
        a->head->next = b;
        return b->data;
    }
    b = block_std(a);
    if (!b)
        return NULL;
    a->head = b;
    a->cur = b->data + need;
    a->end = b->data + COR_ARENA_BLOCK;
    return b->data;
}

char *cor_arena_strndup(struct cor_arena *a, const char *s, size_t len)
{
    char *d = cor_arena_alloc(a, len + 1);

    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

void cor_arena_mark(const struct cor_arena *a, struct cor_arena_mark *ret)
{
    ret->head = a->head;
    ret->next = a->head ? a->head->next : NULL;
    ret->cur = a->cur;
    ret->end = a->end;
    ret->used = a->used;
}

void cor_arena_rewind(struct cor_arena *a, const struct cor_arena_mark *m)
{
    while (a->head && a->head != m->head) {
        struct cor_arena_block *b = a->head;

        a->head = b->next;
        block_drop(a, b);
    }
    /* large objects went in behind the marked head */
    while (a->head && a->head->next != m->next) {
        struct cor_arena_block *b = a->head->next;

        a->head->next = b->next;
        block_drop(a, b);
    }
    a->cur = m->cur;
    a->end = m->end;
    a->used = m->used;
}

void cor_arena_reset(struct cor_arena *a)
{
    struct cor_arena_block *keep = NULL;

    if (!a)
        return;
    while (a->head) {
        struct cor_arena_block *b = a->head;

        a->head = b->next;
        if (!keep && b->size == COR_ARENA_BLOCK)
            keep = b;
        else
            block_free(b);
    }
    if (a->spare && !keep)
        keep = a->spare;
    else if (a->spare)
        block_free(a->spare);
    a->spare = NULL;
    a->head = keep;
    a->cur = keep ? keep->data : NULL;
    a->end = keep ? keep->data + COR_ARENA_BLOCK : NULL;
    a->used = 0;
    if (keep)
        keep->next = NULL;
}

void cor_arena_release(struct cor_arena *a)
{
    if (!a)
        return;
    while (a->head) {
        struct cor_arena_block *b = a->head;

        a->head = b->next;
        block_free(b);
    }
    if (a->spare)
        block_free(a->spare);
    a->spare = NULL;
    a->cur = a->end = NULL;
    a->used = 0;
}

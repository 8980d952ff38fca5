/* cor_arena.h - a bump allocator for the memory of one correlation run.
 *
 * A run decodes up to millions of events and drops them all at once, so
 * their records and strings come from large blocks instead of one malloc
 * each, and are freed together by cor_arena_release.  Nothing is freed
 * individually.  Not thread-safe: one thread allocates at a time. */
#ifndef COR_ARENA_H
#define COR_ARENA_H

#include <stdbool.h>
#include <stddef.h>

#define COR_ARENA_BLOCK (4u << 20)   /* bytes of a standard block */

struct cor_arena_block;

struct cor_arena {
    struct cor_arena_block *head;   /* newest block; owned */
    struct cor_arena_block *spare;  /* a standard block a rewind gave back; owned */
    char *cur, *end;                /* free space of head */
    size_t used;                    /* bytes handed out (for memory budgets) */
    bool huge;                      /* fresh blocks as transparent huge pages: set for
                                       bulk work that fills them whole (a full rebuild) */
};

/* A point to return to: what was allocated after it can be given back. */
struct cor_arena_mark {
    struct cor_arena_block *head, *next;
    char *cur, *end;
    size_t used;
};

/* size bytes aligned for any object, uninitialised.  Borrowed: valid
 * until the arena is released.  NULL on OOM or size 0. */
void *cor_arena_alloc(struct cor_arena *a, size_t size);

/* Copy of len bytes of s, NUL-terminated.  Borrowed as above; NULL on OOM. */
char *cor_arena_strndup(struct cor_arena *a, const char *s, size_t len);

/* Remember the arena's state in *ret. */
void cor_arena_mark(const struct cor_arena *a, struct cor_arena_mark *ret);

/* Give back everything allocated since mark m (taken on this arena, with
 * no rewind to an earlier mark in between): blocks added since are freed,
 * but one standard block is kept as the arena's spare, so that a mark and
 * rewind around each value at a block boundary does not map and unmap a
 * block every time. */
void cor_arena_rewind(struct cor_arena *a, const struct cor_arena_mark *m);

/* Empty the arena but keep one standard block for reuse (no page of it
 * needs to be faulted in again): the others are freed.  NULL-safe. */
void cor_arena_reset(struct cor_arena *a);

/* Free every block; the arena is empty and reusable.  NULL-safe. */
void cor_arena_release(struct cor_arena *a);

#endif

/* cor_stream.c - a full rebuild in one pass over history, on two threads,
 * with bounded memory (cor_stream.h).
 *
 * The in-memory run (cor_run.c) reads every event, sorts them and runs its
 * passes over the whole array; its memory grows with history.  Each of its
 * passes only needs a bounded neighbourhood of an event or an incident,
 * so here the same passes run as the walk goes (cor_window.c), and what
 * the rest of the walk can no longer look at is dropped (cor_window_gc.c).
 *
 * Threads: the reading thread iterates the store's by_time family and
 * decodes each value into the arena of a batch (cor_decode); a plain log
 * line that can change no incident
 * (cor_event_relevant) is given back at once, leaving only its time, which
 * still counts for closing quiet incidents at the end.  Batches (8192 kept
 * events or 3 MiB, less for a small budget) go through a ring of four to
 * the calling thread, which reorders them (the store gives events by `at`,
 * the passes want them by effective time, later for a resolved alert with
 * an end time: a heap holds each event until the reader is past its
 * effective time) and walks them.  Decoding is about as costly as the
 * rest, so both cores work.  The window gives the arenas of walked
 * batches back at its compactions, the walker their event arrays, and the
 * reader decodes into them again.
 *
 * Classification (cor_classify) goes to whichever thread has room: the
 * reader classifies a batch itself when the ring is full (the walker is
 * behind, and it would only wait), the walker classifies the others.
 * Which thread does it changes nothing in the result: it depends on the
 * event and the configuration only, and writes into the batch's arena.
 *
 * Audit notes are read first, through the "inquest" service index (they
 * are few): the ids they name decide what is held to the end (cor_held.c),
 * and an event named by an attach note is kept even when it is a plain
 * log line.
 *
 * Errors: the walker's error stops the reader at its next value; the
 * reader's stops the walk after what was queued.  Both meet at the join;
 * the first error is returned and nothing of the final sweep runs (what
 * was written stays; the next full rebuild repairs it). */
#include "cor_stream.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cor_decode.h"
#include "cor_engine.h"
#include "cor_pipe.h"
#include "cor_window.h"
#include "store.h"
#include "iq_event.h"
#include "iq_time.h"

#define BATCH_EVENTS 8192
#define BATCH_BYTES (COR_ARENA_BLOCK / 4 * 3)
#define BATCH_MIN (16u << 10)
#define POOL 8                     /* arenas kept for reuse */

struct batch {
    struct cor_arena arena;    /* the events' memory */
    struct cor_ev *evs;
    size_t n, cap, scanned;
    bool classified;           /* by the reader */
    int64_t scan_at;           /* at of the last value read: later ones are not earlier */
    int64_t skip_at;           /* latest at of a log line given back, or IQ_TIME_NONE */
};

struct reader {
    struct store *st;
    const struct cor_window *w;    /* for what the notes name; read-only */
    struct cor_run cls;            /* the walker's classification context: cfg, batch arena */
    struct cor_run rcls;           /* the reader's */
    struct batch *cur;
    struct cor_pipe pipe;          /* batches to the walker */
    pthread_mutex_t lock;          /* of the pool */
    size_t read;                   /* values decoded */
    size_t batch_bytes;            /* a batch is handed over at this size ... */
    size_t batch_events;           /* ... or this many events */
    int64_t cpu_ms;                /* the reading thread's CPU time */
    enum cor_stream_classify side;
    size_t batches, classified;    /* handed over; of them classified by the reader */
    struct cor_arena pool[POOL];   /* emptied arenas, each with one block, for new batches */
    size_t n_pool;
    struct cor_ev *evs_pool[POOL]; /* event arrays of walked batches (batch_events each); owned */
    size_t n_evs_pool;
};

static int64_t thread_cpu_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void batch_free(struct batch **pb)
{
    if (!pb || !*pb)
        return;
    cor_arena_release(&(*pb)->arena);
    free((*pb)->evs);
    free(*pb);
    *pb = NULL;
}

/* A new batch, its arena and event array from the pools when they have
 * one (reused pages need no page faults). */
static struct batch *batch_new(struct reader *rd)
{
    struct batch *b = calloc(1, sizeof(*b));

    if (!b)
        return NULL;
    b->cap = rd->batch_events;
    b->scan_at = b->skip_at = IQ_TIME_NONE;
    pthread_mutex_lock(&rd->lock);
    if (rd->n_pool)
        b->arena = rd->pool[--rd->n_pool];
    if (rd->n_evs_pool)
        b->evs = rd->evs_pool[--rd->n_evs_pool];
    pthread_mutex_unlock(&rd->lock);
    b->arena.huge = true;      /* filled whole: cor_arena.h */
    if (!b->evs && !(b->evs = malloc(rd->batch_events * sizeof(*b->evs))))
        batch_free(&b);
    return b;
}

/* Batch b is walked: its event array goes back to the pool, then b. */
static void batch_done(struct reader *rd, struct batch **pb)
{
    pthread_mutex_lock(&rd->lock);
    if (rd->n_evs_pool < POOL) {
        rd->evs_pool[rd->n_evs_pool++] = (*pb)->evs;
        (*pb)->evs = NULL;
    }
    pthread_mutex_unlock(&rd->lock);
    batch_free(pb);
}

/* The window is done with arena a: keep its block for a later batch.
 * Pages a batch touched stay resident, so reusing them saves the page
 * faults of fresh memory (a large share of a rebuild's time otherwise). */
static void recycle(void *ud, struct cor_arena *a)
{
    struct reader *rd = ud;

    cor_arena_reset(a);
    pthread_mutex_lock(&rd->lock);
    if (rd->n_pool < POOL && a->head) {
        rd->pool[rd->n_pool++] = *a;
        memset(a, 0, sizeof(*a));
    }
    pthread_mutex_unlock(&rd->lock);
}

static void batch_drop(void *b)
{
    batch_free((struct batch **)&b);
}

/* Classify the events of batch b, into its arena, with the context cls
 * of the calling thread. */
static int classify(struct cor_run *cls, struct batch *b)
{
    int r = 0;

    cls->arena = b->arena;
    for (size_t i = 0; i < b->n && r == 0; i++)
        r = cor_classify(cls, &b->evs[i]);
    b->arena = cls->arena;
    memset(&cls->arena, 0, sizeof(cls->arena));
    return r;
}

/* Hand the current batch to the walker, waiting while the pipe is full
 * (classified here first then, rather than waiting idle).  Returns the
 * first error, if any. */
static int push(struct reader *rd)
{
    int err = 0;

    if (rd->side == COR_CLASSIFY_READER ||
        (rd->side == COR_CLASSIFY_EITHER && cor_pipe_full(&rd->pipe))) {
        if ((err = classify(&rd->rcls, rd->cur)) < 0)
            cor_pipe_fail(&rd->pipe, err);
        rd->cur->classified = true;
        rd->classified++;
    }
    rd->batches++;
    if (err == 0)
        err = cor_pipe_push(&rd->pipe, (void **)&rd->cur);
    batch_free(&rd->cur);
    return err;
}

/* Keep ev in the batch (the walker classifies it), or give it back when
 * it can change nothing. */
static void keep(struct reader *rd, struct batch *b, struct iq_event *ev,
                 const struct cor_arena_mark *m)
{
    struct cor_ev *e;

    if (!cor_event_relevant(ev) && !cor_window_attach_named(rd->w, iq_ev_id(ev))) {
        if (b->skip_at == IQ_TIME_NONE || ev->at > b->skip_at)
            b->skip_at = ev->at;
        cor_arena_rewind(&b->arena, m);
        return;
    }
    e = &b->evs[b->n++];
    memset(e, 0, sizeof(*e));
    e->ev = ev;
}

static int on_value(void *ud, const char *val, size_t len)
{
    struct reader *rd = ud;
    struct cor_arena_mark m;
    struct iq_event *ev = NULL;
    struct batch *b;

    if (!rd->cur && !(rd->cur = batch_new(rd))) {
        cor_pipe_fail(&rd->pipe, -ENOMEM);
        return 1;
    }
    b = rd->cur;
    cor_arena_mark(&b->arena, &m);
    b->scanned++;
    if (cor_decode(&b->arena, val, len, &ev) < 0) {
        cor_arena_rewind(&b->arena, &m);     /* unreadable: skipped, as `inquest events` does */
        return 0;
    }
    rd->read++;
    b->scan_at = ev->at;
    keep(rd, b, ev, &m);
    if ((b->n == b->cap || b->arena.used >= rd->batch_bytes || b->scanned >= 4 * b->cap) &&
        push(rd) < 0)
        return 1;
    return 0;
}

static void *read_all(void *arg)
{
    struct reader *rd = arg;
    struct store_filter scan = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE, .bulk = true };
    int r = store_scan(rd->st, &scan, on_value, rd);

    if (r < 0)
        cor_pipe_fail(&rd->pipe, r);
    if (rd->cur)
        push(rd);
    rd->cpu_ms = thread_cpu_ms();      /* read by the walker after the join */
    cor_pipe_close(&rd->pipe);
    return NULL;
}

/* Walk every batch the reader hands over: each event goes to the reorder
 * heap, and every queued event before its time (no later value is
 * earlier) is taken in order.  The batch's arena joins the window's once
 * the batch is through; until then a compaction copies what it needs
 * from it and leaves it alone. */
static int walk(struct reader *rd, struct cor_window *w)
{
    struct batch *b;
    int r = 0;

    while (r == 0 && (b = cor_pipe_pop(&rd->pipe))) {
        if (!b->classified && (r = classify(&rd->cls, b)) < 0) {
            batch_free(&b);
            break;
        }
        w->reading = &b->arena;
        for (size_t i = 0; r == 0 && i < b->n; i++)
            if ((r = cor_window_push(w, &b->evs[i])) == 0)
                r = cor_window_flow(w, b->evs[i].ev->at);
        if (b->skip_at != IQ_TIME_NONE && (w->t_close == IQ_TIME_NONE || b->skip_at > w->t_close))
            w->t_close = b->skip_at;
        if (r == 0 && b->scan_at != IQ_TIME_NONE)
            r = cor_window_flow(w, b->scan_at);
        w->reading = NULL;
        if (r == 0)
            r = cor_window_take(w, &b->arena);
        batch_done(rd, &b);
    }
    if (r < 0)
        cor_pipe_fail(&rd->pipe, r);
    return r;
}

/* ---- what the notes name ---- */

struct note_scan {
    struct cor_named *named;
    struct cor_run run;        /* cfg for classification; arena for decoding */
    int err;
};

static int name_label(struct note_scan *ns, uint8_t tag, const struct iq_event *ev,
                      const char *label)
{
    const char *v = iq_event_label(ev, label), *c;

    if (!v)
        return 0;
    if (!(c = cor_arena_strndup(&ns->named->arena, v, strlen(v))))
        return -ENOMEM;
    return cor_map_put(&ns->named->ids, tag, c, 1);
}

static int on_note(void *ud, const char *val, size_t len)
{
    struct note_scan *ns = ud;
    struct cor_ev e = { 0 };
    int r;

    if (cor_decode(&ns->run.arena, val, len, &e.ev) < 0)
        return 0;
    if ((r = cor_classify(&ns->run, &e)) == 0 && e.sig == COR_SIG_CONTROL) {
        ns->named->notes++;
        if ((r = name_label(ns, 'i', e.ev, "incident")) == 0 &&
            (r = name_label(ns, 'i', e.ev, "other")) == 0 &&
            strcmp(iq_ev_action(e.ev), "attach") == 0)
            r = name_label(ns, 'e', e.ev, "event");
    }
    if (r < 0) {
        ns->err = r;
        return 1;
    }
    return 0;
}

static int read_named(struct store *st, const struct cor_config *cfg, struct cor_named *ret)
{
    struct store_filter scan = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE, .service = "inquest" };
    struct note_scan ns = { .named = ret };
    int r;

    cor_run_init(&ns.run, cfg);
    r = store_scan(st, &scan, on_note, &ns);
    cor_run_free(&ns.run);
    return ns.err ? ns.err : r < 0 ? r : 0;
}

static void named_release(struct cor_named *n)
{
    cor_map_clear(&n->ids);
    cor_arena_release(&n->arena);
}

/* ---- the rebuild ---- */

static void reader_release(struct reader *rd)
{
    cor_pipe_destroy(&rd->pipe, batch_drop);
    batch_free(&rd->cur);
    for (size_t i = 0; i < rd->n_pool; i++)
        cor_arena_release(&rd->pool[i]);
    for (size_t i = 0; i < rd->n_evs_pool; i++)
        free(rd->evs_pool[i]);
    cor_run_free(&rd->cls);
    cor_run_free(&rd->rcls);
    pthread_mutex_destroy(&rd->lock);
}

int cor_stream_rebuild(struct store *st, const struct cor_config *cfg,
                       struct cor_result *ret, struct cor_stream_stats *stats)
{
    return cor_stream_rebuild_classify(st, cfg, COR_CLASSIFY_EITHER, ret, stats);
}

int cor_stream_rebuild_classify(struct store *st, const struct cor_config *cfg,
                                enum cor_stream_classify side, struct cor_result *ret,
                                struct cor_stream_stats *stats)
{
    struct cor_named named = { 0 };
    struct cor_window w;
    struct reader rd = { .st = st, .w = &w, .side = side };
    struct cor_result res = { .from = IQ_TIME_NONE, .to = IQ_TIME_NONE };
    pthread_t th;
    int64_t t0;
    int r;

    memset(&w, 0, sizeof(w));
    pthread_mutex_init(&rd.lock, NULL);
    cor_pipe_init(&rd.pipe);
    cor_run_init(&rd.cls, cfg);
    cor_run_init(&rd.rcls, cfg);
    if ((r = read_named(st, cfg, &named)) < 0 || (r = cor_window_init(&w, st, cfg, &named)) < 0)
        goto out;
    w.recycle = recycle;
    w.recycle_ud = &rd;
    /* read-ahead is part of the budget: an eighth of it at most */
    rd.batch_bytes = cfg->rebuild_memory / 8;
    rd.batch_bytes = rd.batch_bytes < BATCH_MIN ? BATCH_MIN : rd.batch_bytes > BATCH_BYTES ? BATCH_BYTES
                                                                                          : rd.batch_bytes;
    rd.batch_events = rd.batch_bytes / 384 < BATCH_EVENTS ? rd.batch_bytes / 384 : BATCH_EVENTS;
    if ((r = pthread_create(&th, NULL, read_all, &rd)) != 0) {
        r = -r;
        goto out;
    }
    pthread_setname_np(th, "cor-read");     /* for top -H and perf */
    t0 = thread_cpu_ms();
    r = walk(&rd, &w);
    pthread_join(th, NULL);
    if (r == 0)
        r = cor_pipe_err(&rd.pipe);
    if (r == 0)
        r = cor_window_end(&w, &res);
    res.events = rd.read;
    w.stats.read_cpu_ms = rd.cpu_ms;
    w.stats.batches = rd.batches;
    w.stats.reader_classified = rd.classified;
    w.stats.walk_cpu_ms = thread_cpu_ms() - t0;
    if (r == 0) {
        *ret = res;
        if (stats)
            *stats = w.stats;
    }
out:
    cor_window_release(&w);
    reader_release(&rd);
    named_release(&named);
    return r;
}

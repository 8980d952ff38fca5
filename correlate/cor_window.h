/* cor_window.h - the state of a streaming rebuild (cor_stream.h), shared
 * by its parts:
 *   cor_stream.c     reading thread, reorder heap, driver
 *   cor_window.c     one event at a time: group, absorb, finalise, write
 *   cor_window_gc.c  compaction: keep what is still needed, drop the rest
 *   cor_held.c       the audit notes at the end, recurrence fix-ups, and
 *                    incidents rendered from a re-read of the store
 *   cor_out.c        writing incidents and unattached records in batches
 * Internal to correlate/. */
#ifndef COR_WINDOW_H
#define COR_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cor_recur.h"
#include "cor_run.h"
#include "cor_stream.h"

/* e->inc of an event kept in the window whose incident was written and
 * dropped from it: in an incident, but not one to look at. */
#define COR_GONE (UINT32_MAX - 1)

struct cor_out;
struct cor_unatt;
struct cor_span;
struct store;

/* What the audit notes name (read before the walk): tag 'i' incident ids
 * (labels incident and other), tag 'e' event ids (label event of attach);
 * strings in arena. */
struct cor_named {
    struct cor_map ids;
    struct cor_arena arena;
    size_t notes;              /* merge/split/set/attach notes stored */
};

/* An incident's recurrence facts, kept for every finalised incident when
 * audit notes exist, so that the end can redo recurrences with the notes
 * applied (cor_held.c). */
struct cor_rec {
    int64_t opened_at, closed_at, seq;
    char id[COR_ID_LEN];
    char rec[COR_ID_LEN];      /* recurrence_of as written, "" for none */
    size_t names;              /* first name in the window's rec_names */
    uint32_t n_names;
};

struct cor_window {
    struct cor_run run;        /* evs: the window in (t, id) order; incs: incidents
                                  still needed, in opening order; arena: the
                                  survivors of the last compaction */
    struct cor_group g;        /* grouping state, across the whole walk */
    struct cor_map rb;         /* rollback state (cor_rollback_step) */
    struct cor_recur recur;    /* recurrence index of absorbed incidents */
    struct cor_map scratch;    /* absorption names */
    const char **nbuf;         /* an incident's recurrence names */
    size_t nbuf_cap;
    const struct cor_named *named;   /* borrowed */
    struct store *st;      /* borrowed */
    struct cor_out *out;       /* owned */
    struct cor_ev *spare_evs;  /* the events array before the last compaction, kept for the next */
    size_t spare_cap;
    struct cor_ev *heap;       /* events read but not yet in order (min-heap on t, id) */
    size_t n_heap, cap_heap;
    const struct cor_arena *reading;  /* arena of the batch being walked; borrowed */
    struct cor_arena *gens;    /* arenas of the events read since the last compaction */
    size_t n_gens, cap_gens;
    void (*recycle)(void *ud, struct cor_arena *a);   /* takes a freed arena; NULL: release */
    void *recycle_ud;
    size_t limit;              /* compact when the events held pass this */
    int64_t G;                 /* effective time of the last event taken in order */
    int64_t t_close;           /* latest time a grouping step (or a skipped event) saw */
    int64_t horizon;           /* every deploy and change from here on is in the window */
    bool ended;                /* all events are in: everything may be finalised */
    bool notes_done;           /* the notes are applied: every record may be written */
    uint32_t *live;            /* incidents not written yet, in opening order */
    size_t n_live, cap_live;
    uint32_t *watch;           /* events that may end unattached, in order */
    size_t watch_head, n_watch, cap_watch;
    uint32_t *amb;             /* settled unattached events waiting for their candidates */
    size_t n_amb, cap_amb;
    struct cor_rec *recs;      /* with notes only */
    size_t n_recs, cap_recs;
    const char **rec_names;    /* strings in rec_arena */
    size_t n_rec_names, cap_rec_names;
    struct cor_arena rec_arena;
    struct cor_stream_stats stats;
};

/* Start a window over st (borrowed) with cfg (borrowed) and what the
 * notes name (borrowed).  0 or -ENOMEM. */
int cor_window_init(struct cor_window *w, struct store *st, const struct cor_config *cfg,
                    const struct cor_named *named);

/* Take ownership of the arena holding events pushed (its content moves
 * out of *a, which is left empty).  While events of an arena not yet taken
 * are pushed, w->reading points to it.  0 or -ENOMEM. */
int cor_window_take(struct cor_window *w, struct cor_arena *a);

/* Queue event e (copied by value; its memory in an arena given to
 * cor_window_take, or the one w->reading points to), the next the store
 * gives in (at, id) order; it is taken at once when nothing queued is
 * before it.  cor_window_flow takes in order every queued event before
 * time frontier (events still to come have at >= frontier).  0, -ENOMEM,
 * -EIO. */
int cor_window_push(struct cor_window *w, const struct cor_ev *e);
int cor_window_flow(struct cor_window *w, int64_t frontier);

/* No more events: take the rest, close, finalise everything, apply the
 * notes, write, delete the stale incidents.  0 or a negative errno. */
int cor_window_end(struct cor_window *w, struct cor_result *res);

/* Free everything.  NULL-safe. */
void cor_window_release(struct cor_window *w);

/* cor_window.c, for the other parts: */
int cor_window_records(struct cor_window *w);

/* Does an attach note name event_id? */
static inline bool cor_window_attach_named(const struct cor_window *w, const char *event_id)
{
    int64_t v;

    return w->named->notes && cor_map_get(&w->named->ids, 'e', event_id, &v);
}

/* cor_window_gc.c: keep what is needed, copy it into a fresh arena, free
 * the rest.  0 or -ENOMEM. */
int cor_window_compact(struct cor_window *w);

/* cor_held.c */
/* inc's recurrence names (cor_inc_names) in w->nbuf: their count, or
 * -ENOMEM. */
ptrdiff_t cor_held_names(struct cor_window *w, const struct cor_inc *inc);
/* Write inc, its recurrence picked in idx, its text made in the window,
 * or from the store when side is set or its look-back reaches before the
 * deploys the window keeps.  0 or a negative errno. */
int cor_held_write(struct cor_window *w, struct cor_inc *inc, const struct cor_recur *idx,
                   bool side);
/* Note inc's recurrence facts (with notes only).  0 or -ENOMEM. */
int cor_held_record(struct cor_window *w, const struct cor_inc *inc);
/* After the walk: apply the notes to the incidents kept for them, redo
 * the recurrences they change and write the kept incidents (the
 * unattached records waiting for them are the caller's).  0 or a negative
 * errno. */
int cor_held_finish(struct cor_window *w);
/* The text of inc with its trigger candidates read again from the store
 * (for an incident whose look-back reaches before the window).  *ret:
 * caller owns.  0 or a negative errno. */
int cor_held_side_text(struct cor_window *w, const struct cor_inc *inc, char **ret,
                       char **ret_names, size_t *ret_names_len);

/* cor_out.c */
/* patches: cor_out_patch_recurrence may be called.  Batches are
 * committed at a sixteenth of budget (rebuild_memory), 16 KiB to 1 MiB. */
int cor_out_new(struct store *st, bool patches, size_t budget, struct cor_out **ret);
int cor_out_incident(struct cor_out *o, const char *id, int64_t opened_at, int64_t closed_at,
                     const char *text, const char *names, size_t names_len);
int cor_out_unatt(struct cor_out *o, const struct cor_unatt *u);
/* Reread, patch the recurrence_of of incident id to rec ("" none) and
 * rewrite it.  0, -ENOENT, -EIO, -ENOMEM. */
int cor_out_patch_recurrence(struct cor_out *o, const char *id, const char *rec);
/* Commit what is queued, then delete every stored incident and record
 * not written since cor_out_new.  0 or a negative errno. */
int cor_out_finish(struct cor_out *o, size_t *ret_incidents, size_t *ret_unatt);
/* Batches committed so far. */
size_t cor_out_batches(const struct cor_out *o);
void cor_out_destroy(struct cor_out **po);

#endif

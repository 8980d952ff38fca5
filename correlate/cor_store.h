/* cor_store.h - the correlator's state in the store's incidents family.
 *
 * Layout (STORE_CF_INCIDENTS):
 *   "i" | id                        -> incident JSON (compact, sorted keys)
 *   "t" | be64(opened_at) | id      -> be64(closed_at), or "" while open
 *   "l" | be64(opened_at) | id      -> the same, for the incidents open or
 *                                      lasting more than COR_LONG_MS
 *   "L"                             -> "1" once every "l" entry is there
 *   "r" | id                        -> the names a later incident may recur
 *                                      by: its services and incident keys
 *                                      (cor_inc_text_names), so that a
 *                                      partial rebuild reads no JSON for them
 *   "u" | be64(at) | event id       -> unattached record (cor_unattached.h)
 * The "t" index gives the incidents in opening order and their spans
 * without parsing JSON; cor_incident.h reads through the same layout. */
#ifndef COR_STORE_H
#define COR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct store_batch;
struct store;
struct cor_unatt;

struct cor_span {
    char id[32];
    int64_t opened_at;
    int64_t closed_at;        /* IQ_TIME_NONE while open */
};

#define COR_LONG_MS (24 * 3600000LL)
#define COR_LONG_MARKER "L"

/* Open, or lasting more than COR_LONG_MS: listed under "l". */
bool cor_span_long(const struct cor_span *sp);

/* The spans of the stored incidents around some times (cor_spans.c): s
 * holds every span opened in [lo, hi) and every long one, in opening
 * order; all of them when the store has no "l" marker (all). */
struct cor_spanset {
    struct store *st;     /* borrowed */
    struct cor_span *s;       /* owned */
    size_t n, cap;
    int64_t lo, hi;
    bool loaded, all;
};

/* Start a set over st with the long spans.  0, -EIO, -ENOMEM (ss is then
 * empty). */
int cor_spanset_open(struct cor_spanset *ss, struct store *st);

/* Make the set hold the spans opened in [lo, hi) too (IQ_TIME_NONE: open
 * end).  Pointers into ss->s move.  0, -EIO, -ENOMEM. */
int cor_spanset_cover(struct cor_spanset *ss, int64_t lo, int64_t hi);

void cor_spanset_free(struct cor_spanset *ss);

/* Replace the stored incidents atomically: those with opened_at in
 * [from, to) (IQ_TIME_NONE: open end; both open: every incident) by
 * incs[0..n) (borrowed JSON objects with id, opened_at, closed_at).
 * 0, -EIO, -EROFS, -ENOMEM, -EINVAL (an incident without a valid id or
 * opened_at). */
int cor_store_replace_range(struct store *st, json_t *const *incs, size_t n, int64_t from,
                            int64_t to);

/* The same with the stored texts already made: texts[i] (borrowed) is the
 * text of the incident whose id, opened_at and closed_at are spans[i]
 * (borrowed), e.g. from cor_inc_text on several threads, names[i] (may be
 * NULL) its names.  stored[0..ns)
 * (borrowed) are the spans of the stored incidents as cor_store_spans
 * just gave them, so they are not read twice; NULL: read them here.  The
 * unattached records of the same time range are replaced by u[0..nu)
 * (borrowed) in the same batch.
 * 0, -EIO, -EROFS, -ENOMEM, -EINVAL (an empty or over-long id). */
int cor_store_replace_texts(struct store *st, const struct cor_span *stored, size_t ns,
                            const struct cor_span *spans, char *const *texts, size_t n,
                            char *const *names, const size_t *names_len, int64_t from,
                            int64_t to, const struct cor_unatt *u, size_t nu);

/* Queue in b the text (borrowed) of incident id opened at opened, closed
 * at closed (IQ_TIME_NONE: open), with its index entries and its names
 * (names_len bytes as cor_inc_text_names gives them; NULL: taken from the
 * text).  0, -ENOMEM, -EINVAL (an empty or over-long id, no opening time,
 * a text that is not an incident). */
int cor_store_queue_text(struct store_batch *b, const char *id, int64_t opened, int64_t closed,
                         const char *text, const char *names, size_t names_len);

/* The names of stored incident id ("r"), as cor_inc_text_names gives
 * them.  *ret: caller owns.  0, -ENOENT (none stored: read the JSON),
 * -EIO, -ENOMEM. */
int cor_store_names(struct store *st, const char *id, char **ret, size_t *ret_len);

/* The names of an incident's JSON (services, incident_keys) in the same
 * form.  0, -ENOMEM. */
int cor_store_names_of(const json_t *inc, char **ret, size_t *ret_len);

/* cor_store_replace_range(st, incs, n, from, IQ_TIME_NONE). */
int cor_store_replace(struct store *st, json_t *const *incs, size_t n, int64_t from);

/* The spans of all stored incidents in opening order.  Caller owns *ret
 * (free).  0, -EIO, -ENOMEM. */
int cor_store_spans(struct store *st, struct cor_span **ret, size_t *n);

/* Canonical text of an incident as stored (compact, keys sorted).  Caller
 * owns (free).  NULL on OOM. */
char *cor_store_text(const json_t *inc);

#endif

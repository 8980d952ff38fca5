/* cor_unattached.h - evidence that could belong to several open
 * incidents and so joined none: made by a correlation run, stored with the
 * incidents (key "u" | be64(at) | event id of STORE_CF_INCIDENTS), read by
 * `inquest incidents --unattached` and GET /api/v1/unattached. */
#ifndef COR_UNATTACHED_H
#define COR_UNATTACHED_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct cor_ev;
struct cor_run;
struct store_batch;
struct store;

struct cor_unatt {
    int64_t at;                /* the event's effective time */
    char *id;                  /* event id; owned */
    char *text;                /* the record, compact JSON with sorted keys; owned */
};

/* The unattached records of a correlated run, in event order.  *ret is
 * owned by the caller (cor_unatt_free).  0 or -ENOMEM (*ret untouched). */
int cor_unattached_collect(const struct cor_run *run, struct cor_unatt **ret, size_t *ret_n);

/* The record of one unattached event e of run (ambiguous, in no
 * incident).  ret's strings: caller owns (free).  0 or -ENOMEM. */
int cor_unattached_one(const struct cor_run *run, const struct cor_ev *e, struct cor_unatt *ret);

/* Queue the write of record u (borrowed) in b. */
void cor_unattached_put(struct store_batch *b, const struct cor_unatt *u);

/* Free an array from cor_unattached_collect and NULL the pointer. */
void cor_unatt_free(struct cor_unatt **pu, size_t n);

/* Queue in b the replacement of the stored records with at in [from, to)
 * (IQ_TIME_NONE: open ends; both open: the caller cleared the family) by
 * u[0..n).  0, -EIO, -ENOMEM. */
int cor_unattached_queue(struct store *st, struct store_batch *b, const struct cor_unatt *u,
                         size_t n, int64_t from, int64_t to);

/* Every stored record at or after since (IQ_TIME_NONE: all), in time
 * order, as a JSON array.  Caller owns *ret.  -EIO, -ENOMEM. */
int cor_unattached_list(struct store *st, int64_t since, json_t **ret);

#endif

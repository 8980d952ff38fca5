/* cor_decode.h - read stored events back for correlation.
 *
 * A projection of iq_event_decode for the correlator's hot path: the same
 * msgpack layout (common/iq_codec.h), every type and length still checked,
 * but read in place without an unpacked tree, the raw payload skipped, the
 * record and its strings from the run's arena (no malloc per event) and
 * the values not validated again (the store only holds events that passed
 * iq_event_validate when they were written).  Stateless: any thread may
 * decode into its own arena. */
#ifndef COR_DECODE_H
#define COR_DECODE_H

#include <stddef.h>
#include <stdint.h>

struct cor_arena;
struct iq_event;

/* Decode one stored value (exactly one msgpack map) into arena a.  On
 * success *ret is set (raw is NULL); the record, its strings and labels
 * live in a: borrowed, valid until a is released, never to be given to
 * iq_event_destroy.  -EINVAL (malformed, a wrong type or a missing id,
 * kind or time), -ENOMEM.  *ret untouched on failure (what was allocated
 * stays in a until it is released). */
int cor_decode(struct cor_arena *a, const char *buf, size_t len,
               struct iq_event **ret);

/* The same, but first the map's kind and times only: a value whose kind
 * is none of keep (NULL-terminated) and whose at and ends_at are both
 * before from is skipped: 1, nothing allocated.  For the context of a
 * partial rebuild, where only some kinds matter. */
int cor_decode_unless(struct cor_arena *a, const char *buf, size_t len,
                      const char *const *keep, int64_t from, struct iq_event **ret);

/* A copy of ev (decoded by cor_decode, or any event) in arena a, without
 * its raw payload: borrowed as for cor_decode.  NULL on OOM (what was
 * allocated stays in a). */
struct iq_event *cor_event_copy(struct cor_arena *a, const struct iq_event *ev);

#endif

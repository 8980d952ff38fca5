/* cor_live.h - the correlator as a daemon stage: keeps the stored
 * incidents current as events are stored.
 *
 * The store's listener (cor_live_listener, registered by cor_live_start)
 * only notes the earliest time among the new events and whether an audit
 * note arrived; the correlator's own thread then re-derives the incidents
 * from that time on (cor_engine partial rebuild), or everything when a
 * note arrived.  Since incidents are always recomputed from the stored
 * events, late and out-of-order events give the same incidents as in-order
 * delivery.  Updates are batched for `debounce` ms; an incident reflects a
 * new event well within a second. */
#ifndef COR_LIVE_H
#define COR_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "cor_config.h"

struct cor_live;
struct store;
struct iq_metrics;

struct cor_live_stats {
    uint64_t events;          /* stored events seen by the listener */
    uint64_t partial;         /* partial rebuilds run */
    uint64_t full;            /* full rebuilds run (start-up, notes) */
    uint64_t failures;        /* rebuilds that failed (retried on the next event) */
    int64_t last_ms;          /* duration of the last rebuild */
    uint64_t incidents;       /* incidents written by the last rebuild */
};

/* st and cfg are borrowed and must outlive the stage.  Caller owns *ret.
 * -ENOMEM. */
int cor_live_new(struct store *st, const struct cor_config *cfg, int64_t debounce_ms,
                 struct cor_live **ret);

/* Register the store listener and start the thread, which first rebuilds
 * every incident (catch-up).  0 or a negative errno. */
int cor_live_start(struct cor_live *l);

/* Block until no update is pending or running, or timeout_ms passed.
 * 0, or -ETIMEDOUT. */
int cor_live_wait_idle(struct cor_live *l, int64_t timeout_ms);

void cor_live_stats(struct cor_live *l, struct cor_live_stats *ret);

/* Use cfg (borrowed, must outlive the stage or the next call) from the
 * next update on: waits for the update in progress (the safe point: no
 * update reads the old rules after this returns, so the caller may free
 * them), then asks for a full rebuild with the new rules. */
void cor_live_use_config(struct cor_live *l, const struct cor_config *cfg);

/* Ask for a full rebuild soon (after retention removed events: incidents
 * made only of them go, as a restart's catch-up would do). */
void cor_live_request_full(struct cor_live *l);

/* Register inquest_correlator_* into reg (borrowed, must outlive l; NULL:
 * nothing), before cor_live_start.  0 or -ENOMEM. */
int cor_live_set_metrics(struct cor_live *l, struct iq_metrics *reg);

/* Unregister the listener, stop the thread (an update in progress
 * finishes), free, NULL *pl.  NULL-safe.  Call before closing the store. */
void cor_live_destroy(struct cor_live **pl);

#endif

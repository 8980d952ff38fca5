/* rnd_status.h - what the status page said during an incident: the
 * components involved and the time each spent in each state. */
#ifndef RND_STATUS_H
#define RND_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct iq_event;

#define RND_STATUS_COMPONENTS_MAX 256   /* components tracked per draft */

/* Add to impact (an object of the context):
 *   "components"        the components' names joined ("a, b and c"); when
 *                       status events exist but name none, a sentence
 *                       saying so; "" without status events;
 *   "component_states"  [{component, text, states[{state, label,
 *                       duration, seconds}]}], one per component that was
 *                       not operational, states worst first.
 * The durations come from the incident's "component_states" (the
 * correlator's, one computation for both) when it has that member; the
 * open last stretch of a component lasts until end (UTC ms; IQ_TIME_NONE:
 * the last event).  Only an incident without it (stored before the
 * correlator gave it) falls back to reading the status events: the
 * status events' labels `component` and `components` (affected
 * components), a component event's service, and the payloads' component,
 * affected_components and incident.components, each state lasting from
 * the event that set it to the component's next change, or to end.
 * Components are also named from the incident's "components".  The
 * events always tell whether the status page was involved.  inc, evs
 * (time order) borrowed.  0 or -ENOMEM. */
int rnd_status_impact(const json_t *inc, struct iq_event *const *evs, size_t n, int64_t end,
                      json_t *impact);

/* One stretch of a status-page component in one state. */
struct rnd_status_stretch {
    char *component;     /* owned */
    const char *state;   /* "partial_outage", "operational", ...; static */
    int64_t from, to;    /* UTC ms, from <= to */
    bool open;           /* the component's last state, drawn until end */
};

/* The stretches behind rnd_status_impact's durations, one computation:
 * every state of every component (operational included), from the
 * incident's component_states, else from its status events, the last one
 * lasting until end (IQ_TIME_NONE: the last event) and marked open.
 * Sorted by component name, then time.  Caller owns *ret
 * (rnd_status_stretches_free); *ret is NULL when there are none.
 * 0 or -ENOMEM. */
int rnd_status_stretches(const json_t *inc, struct iq_event *const *evs, size_t n, int64_t end,
                         struct rnd_status_stretch **ret, size_t *ret_n);
void rnd_status_stretches_free(struct rnd_status_stretch **ps, size_t n);

#endif

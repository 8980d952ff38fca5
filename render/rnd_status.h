/* rnd_status.h - what the status page said during an incident: the
 * components involved and the time each spent in each state. */
#ifndef RND_STATUS_H
#define RND_STATUS_H

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
 * Components come from the incident's "components", the status events'
 * labels `component` and `components` (affected components), a component
 * event's service, and the payloads' component, affected_components and
 * incident.components.  Each state lasts from the event that set it to
 * the next change of that component, or to end (UTC ms; IQ_TIME_NONE:
 * the last event).  inc, evs (time order) borrowed.  0 or -ENOMEM. */
int rnd_status_impact(const json_t *inc, struct iq_event *const *evs, size_t n, int64_t end,
                      json_t *impact);

#endif

/* cor_incident.h - reading derived incidents back from the store.
 *
 * The correlator (cor_engine.h) writes each incident as compact JSON in the
 * STORE_CF_INCIDENTS column family; its shape is schemas/incident.schema.json.
 * These calls are what the renderer, the CLI and the HTTP API use: they
 * work on a store opened read-only as well as on the daemon's own. */
#ifndef COR_INCIDENT_H
#define COR_INCIDENT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct store;
struct iq_event;

/* Load incident id as JSON (schemas/incident.schema.json).  Caller owns
 * *ret (json_decref).  -ENOENT when there is no such incident, -EIO,
 * -EINVAL (stored value corrupt), -ENOMEM.  *ret untouched on failure. */
int cor_incident_load(struct store *st, const char *id, json_t **ret);

/* The incident's member events in (at, id) order, for a timeline.  On
 * success *ret is a malloc'ed array of *n events; caller owns the array and
 * every event (cor_events_free).  Events missing from the store are skipped.
 * -ENOENT (no such incident), -EIO, -ENOMEM. */
int cor_incident_events(struct store *st, const char *id, struct iq_event ***ret, size_t *n);

/* Free an array from cor_incident_events and NULL the pointer. NULL-safe. */
void cor_events_free(struct iq_event ***pevs, size_t n);

/* Every incident whose opened_at is >= since (IQ_TIME_NONE: all), in
 * opened_at order, as a JSON array.  Caller owns *ret.  -EIO, -ENOMEM.
 * Its memory follows the number of incidents: to go through a long
 * history, cor_incident_each. */
int cor_incident_list(struct store *st, int64_t since, json_t **ret);

/* Call fn with each incident cor_incident_list would list, parsed (inc is
 * borrowed for the call), one at a time: memory stays that of one
 * incident plus the span index.  fn returns 0, or a negative errno that
 * stops the walk and is returned.  0, -EIO, -ENOMEM, or fn's error. */
int cor_incident_each(struct store *st, int64_t since,
                      int (*fn)(void *ud, const json_t *inc), void *ud);

#endif

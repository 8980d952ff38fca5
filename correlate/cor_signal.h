/* cor_signal.h - how the correlator reads one event on its own: which
 * alert, page or status-page incident it belongs to, when a resolved
 * alert really ended, and whether a deploy is a rollback.
 *
 * cor_classify.c classifies every event of a run with these functions,
 * and the stages above that draw what the correlator counted (the visual
 * timeline, render/rnd_svg_read.c) call the same ones, so a bar of an
 * alert spans exactly the interval the correlator measured.  Readings
 * that need the whole run (a deploy that returns a service to an earlier
 * version, cor_classify_rollbacks) are not here: they show in the
 * incident's milestones (rule rollback_deploy). */
#ifndef COR_SIGNAL_H
#define COR_SIGNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iq_event;

#define COR_IDENT_MAX 1400   /* room for an alert identity built from labels */

/* The identity that ties the events of one alert together: its label
 * fingerprint when set (a pointer into ev), else "alertname|instance|
 * service" written to buf (size COR_IDENT_MAX; alertname falls back to the
 * title).  Borrowed from ev or buf. */
const char *cor_alert_ident(const struct iq_event *ev, char *buf, size_t size);

/* The identity of a page (its incident_key, else its own id) and of a
 * status-page incident update (its incident_key, NULL without one).
 * Borrowed from ev. */
const char *cor_page_ident(const struct iq_event *ev);
const char *cor_status_ident(const struct iq_event *ev);

/* When an alert event takes effect: a resolution's ends_at when the
 * source gave one (Alertmanager sends the resolution with startsAt as the
 * event time), else the event's time. */
int64_t cor_alert_time(const struct iq_event *ev);

/* Is the deploy event a rollback by itself: action rolled_back, or
 * succeeded with a rollback cue (label rollback=true, task or operation
 * "rollback", or a title or text saying it rolls back or reverts)? */
bool cor_deploy_rollback(const struct iq_event *ev);

#endif

/* cli_note.h - audit notes (merge, split, set, attach, class): one builder
 * for the CLI and for inquestd's POST /api/v1/incidents/ID/notes.
 *
 * A note request is a JSON object, the same whether the CLI sends it over
 * ZeroMQ (as the event this builds) or over HTTP (as the object itself):
 *   {"action": "merge", "other": "B"}
 *   {"action": "split", "at": "2026-03-08T09:30:00Z"}     (or "-2h")
 *   {"action": "split", "service": "search"}
 *   {"action": "set", "field": "resolved", "value": "2026-...Z" or "null"}
 *   {"action": "set", "field": "title", "value": "any text"}
 *   {"action": "attach", "event": "slack:C0INC:1776161160.000400"}
 *   {"action": "class", "class": "capacity", "op": "set" or "remove"}
 * with an optional "actor" (who says they are making it).  The event is
 * kind note, source inquest (iq_event_is_audit_note), the details in
 * labels as docs/correlation.md and docs/analysis.md list them. */
#ifndef CLI_NOTE_H
#define CLI_NOTE_H

#include <stddef.h>
#include <jansson.h>

struct iq_event;
struct store;

/* Build and validate the note about incident from req (borrowed).  by,
 * when not NULL, is the authenticated credential's name, kept as the label
 * "by".  Caller owns *ret.  -EINVAL with err naming the key (unknown
 * action, missing or extra key, bad time, unknown milestone, merge into
 * itself), -ENOMEM.  *ret is untouched on failure. */
int cli_note_build(const char *incident, const json_t *req, const char *by,
                   struct iq_event **ret, char *err, size_t errsz);

/* May stored event event_id be attached to incident (both borrowed)?
 * The CLI and the notes route ask before they send or store an attach, so
 * a mistake is refused with its reason instead of skipped by the
 * correlator.  0 yes; -ENOENT no such event; -EINVAL an audit note, the
 * event that opened another incident (that incident is named after it),
 * or already a member of incident; err says which.  -EIO, -ENOMEM. */
int cli_note_check_attach(struct store *st, const char *incident, const char *event_id,
                          char *err, size_t errsz);

#endif

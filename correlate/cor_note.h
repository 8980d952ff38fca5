/* cor_note.h - audit notes (merge, split, set, attach; and the rows other
 * stages add, such as analyze's class): one builder for the CLI and for
 * inquestd's POST /api/v1/incidents/ID/notes.
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
 * labels as docs/correlation.md and docs/analysis.md list them.
 *
 * Each action is one row of a const table, owned by the stage that reads
 * the note: the correlator's four are cor_note_actions; analyze/ana_note.h
 * has the class note.  The builder takes the list of tables to look in, so
 * the correlator needs no knowledge of the stages above it; the program
 * that wires the stages (cli/) passes every table. */
#ifndef COR_NOTE_H
#define COR_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct iq_event;
struct store;

/* One note action.  A table of them ends with a row whose name is NULL. */
struct cor_note_action {
    const char *name;         /* the request's "action" */
    const char *keys;         /* the keys it takes besides action and actor, each
                                 between spaces: " at service " */
    bool audit_service;       /* the note's service is IQ_AUDIT_SOURCE; false: none */
    /* Check req's keys (each a string, already checked) and fill the note
     * ev, which has id, source, kind, action, title, the "incident" label
     * and the time already.  -EINVAL with err naming the key, -ENOMEM. */
    int (*fill)(struct iq_event *ev, const json_t *req, char *err, size_t errsz);
};

/* The correlator's notes: merge, split, set and attach (cor_notes.c
 * applies them). */
extern const struct cor_note_action cor_note_actions[];

/* The string member key of req (borrowed), or NULL: for fill functions. */
const char *cor_note_str(const json_t *req, const char *key);

/* Build and validate the note about incident from req (borrowed), its
 * action looked up in tables (a NULL-terminated list of tables, searched
 * in order).  by, when not NULL, is the authenticated credential's name,
 * kept as the label "by".  Caller owns *ret.  -EINVAL with err naming the
 * key (unknown action, listing the actions of tables; missing or extra
 * key, bad time, unknown milestone, merge into itself), -ENOMEM.  *ret is
 * untouched on failure. */
int cor_note_build(const struct cor_note_action *const *tables, const char *incident,
                   const json_t *req, const char *by, struct iq_event **ret, char *err,
                   size_t errsz);

/* May stored event event_id be attached to incident (both borrowed)?
 * The CLI and the notes route ask before they send or store an attach, so
 * a mistake is refused with its reason instead of skipped by the
 * correlator.  0 yes; -ENOENT no such event; -EINVAL an audit note, the
 * event that opened another incident (that incident is named after it),
 * or already a member of incident; err says which.  -EIO, -ENOMEM. */
int cor_note_check_attach(struct store *st, const char *incident, const char *event_id,
                          char *err, size_t errsz);

#endif

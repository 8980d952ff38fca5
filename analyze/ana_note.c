/* ana_note.c - the class note's row for the note builder
 * (correlate/cor_note.c): its keys and how they become the note.
 *
 * An analyst records a failure-class decision as an audit note, through
 * `inquest class set|remove` or POST /api/v1/incidents/ID/notes with
 * {"action": "class", "class": NAME, "op": "set" or "remove"}.  The note
 * is keyed ANA_CLASS_NOTE_KEY, so the queries (ana_query.c) find an
 * incident's class notes by key, and its id is
 * "note:class:<incident>:<class>:<op>:<ms>" (docs/analysis.md).  Unlike
 * the correlator's notes it carries no service (the row says so).  The
 * row lives here, with the stage that reads the note; the correlator's
 * builder sees it only because the caller passes this table. */
#include "ana_note.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ana_query.h"
#include "iq_event.h"

static int fill_class(struct iq_event *ev, const json_t *req, char *err, size_t errsz)
{
    const char *cls = cor_note_str(req, "class"), *op = cor_note_str(req, "op");
    const char *inc = iq_event_label(ev, "incident");
    char id[IQ_ID_MAX], title[300];

    if (!cls || !*cls || !op || (strcmp(op, "set") != 0 && strcmp(op, "remove") != 0)) {
        snprintf(err, errsz, "class: 'class' and 'op' (set or remove) are required");
        return -EINVAL;
    }
    snprintf(id, sizeof(id), "note:class:%.40s:%.64s:%s:%lld", inc, cls, op, (long long)ev->at);
    snprintf(title, sizeof(title), "class %.64s %s on %.40s", cls,
             strcmp(op, "set") == 0 ? "set" : "removed", inc);
    if (iq_event_set_str(ev, IQ_F_ID, id) < 0 || iq_event_set_str(ev, IQ_F_TITLE, title) < 0 ||
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, ANA_CLASS_NOTE_KEY) < 0 ||
        iq_event_set_label(ev, "class", cls) < 0 || iq_event_set_label(ev, "op", op) < 0)
        return -ENOMEM;
    return 0;
}

const struct cor_note_action ana_note_actions[] = {
    { "class", " class op ", false, fill_class },
    { NULL, NULL, false, NULL },
};

/* ana_note.h - the class note: an analyst sets or removes a failure class
 * on an incident ({"action": "class", "class": NAME, "op": "set" or
 * "remove"}), one row for the note builder of correlate/cor_note.h. */
#ifndef ANA_NOTE_H
#define ANA_NOTE_H

#include "cor_note.h"

/* analyze's note actions: "class" (ana_query.c and ana_classify read the
 * notes; docs/analysis.md).  Pass it to cor_note_build with the
 * correlator's table. */
extern const struct cor_note_action ana_note_actions[];

#endif

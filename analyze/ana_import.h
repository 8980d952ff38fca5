/* ana_import.h - history import: vendor exports turned into canonical
 * events for the normal ingest path.
 *
 * Two formats are read:
 *   - a Statuspage /api/v2/incidents.json document: one status event per
 *     incident update (action = the update's status) and one per component
 *     change in it (action = the component's new_status);
 *   - a Slack workspace export directory: channels.json, users.json and
 *     <channel>/<YYYY-MM-DD>.json arrays of messages: one chat event each,
 *     then one user-directory entry per named user of users.json (a note
 *     event "slack:user:ID" with the label user_name, which drafts read
 *     to show people by name).
 * Event ids are derived from the vendor's own ids (the same ids the
 * webhook mappings in schemas/sources/ produce), so importing twice, or
 * importing what a webhook already delivered, stores nothing new.
 *
 * The whole input is converted and validated before anything is returned:
 * a bad entry fails the import with an error naming the file and the entry,
 * and nothing is sent. */
#ifndef ANA_IMPORT_H
#define ANA_IMPORT_H

#include <stddef.h>
#include <jansson.h>

#include "iq_event.h"   /* struct iq_evvec */

struct iq_event;

#define ANA_IMPORT_FILE_MAX   (256u << 20)   /* bytes of one JSON file */
#define ANA_IMPORT_EVENTS_MAX 5000000u       /* events of one import */

/* Imports collect events in an iq_evvec (common/iq_event.h), bounded:
 * take ownership of *pev (NULLed) and append it.  -ENOMEM (ev freed),
 * -E2BIG past ANA_IMPORT_EVENTS_MAX. */
int ana_evvec_push(struct iq_evvec *vec, struct iq_event **pev);

/* Move every event of src to the end of dst; src is then empty.  -ENOMEM
 * or -E2BIG with dst as it was (src keeps its events). */
int ana_evvec_move(struct iq_evvec *dst, struct iq_evvec *src);

/* Read path as JSON (at most ANA_IMPORT_FILE_MAX bytes, duplicate keys
 * refused) through iq_file_load_json.  Caller owns *ret.  -errno of
 * open/read, -EFBIG, -EINVAL; err names the file and, for syntax errors,
 * the line and column. */
int ana_json_load_file(const char *path, json_t **ret, char *err, size_t errsz);

/* Statuspage incidents document (borrowed) into events appended to out.
 * origin names the document in errors.  Returns the number of events added,
 * or -EINVAL/-ENOMEM/-E2BIG with err set, e.g.
 * "history.json: incidents[3].incident_updates[0]: no 'status'"; out is
 * left as it was on failure. */
int ana_import_statuspage(const json_t *doc, const char *origin, struct iq_evvec *out,
                          char *err, size_t errsz);

/* Slack export directory into events appended to out, channels in the
 * order of channels.json, days in date order, then the user directory.  Returns the number of
 * events added, or a negative errno with err set; out left as it was on
 * failure. */
int ana_import_slack(const char *dir, struct iq_evvec *out, char *err, size_t errsz);

/* Set field f to s cut to the field's size limit on a UTF-8 character
 * boundary (long update bodies and messages are kept, shortened).
 * s NULL is a no-op.  0 or -ENOMEM. */
int ana_set_field_cut(struct iq_event *ev, int f, const char *s);

/* Set label key to s cut at a character boundary to the label limit.
 * 0 or -ENOMEM. */
int ana_set_label_cut(struct iq_event *ev, const char *key, const char *s);

#endif

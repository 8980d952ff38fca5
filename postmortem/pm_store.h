/* pm_store.h - finished postmortems in the store: the current record of
 * each incident's document, every distinct version with its sync time,
 * the texts (once per content hash), and the marks of reminders sent.
 *
 * Layout (STORE_CF_DOCS, family "postmortems"):
 *   "d" | id                               -> the current record (JSON)
 *   "v" | id | 0x00 | be32(n)      -> version n (1, 2, ...): {"version",
 *                                     "hash", "path", "synced_at", "status",
 *                                     "items", "done"}
 *   "b" | sha256 hex                       -> a document's text
 *   "s" | YYYYMMDD | key                   -> "" (a reminder sent that day)
 * The current record is pm_doc_read's plus "hash", "path", "synced_at",
 * "first_synced_at", "versions" (count), "parser" and "published_at" (the
 * front matter's, else the first sync that saw status published).
 * Every call may be made from any thread; a store opened read-only reads. */
#ifndef PM_STORE_H
#define PM_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct store;

#define PM_HASH_HEX 65          /* sha256 in hex, with the NUL */

enum pm_put { PM_PUT_NEW = 0, PM_PUT_UPDATED, PM_PUT_UNCHANGED };

/* The sha256 of len bytes of text, in lower-case hex. */
void pm_hash(const char *text, size_t len, char hex[PM_HASH_HEX]);

/* The current record of incident id.  Caller owns *ret.  -ENOENT when
 * none was synced, -EIO, -EINVAL (corrupt), -ENOMEM. */
int pm_store_get(struct store *st, const char *id, json_t **ret);

/* Store the document text (len bytes, hash its pm_hash) read from path
 * as record (borrowed; pm_doc_read's, for record's "incident") at time
 * now, in one batch.  A text whose hash is the current one's only
 * replaces the record (a newer reader); a different one adds a version;
 * the text itself is written once per hash.  *ret says which (NULL
 * allowed).  0, -EIO, -EROFS (read-only store), -ENOMEM. */
int pm_store_put(struct store *st, const json_t *record, const char *path, const char *text,
                 size_t len, const char *hash, int64_t now, enum pm_put *ret);

/* Call fn with every current record (borrowed for the call), in incident
 * id order.  A non-zero return stops the walk and is returned. */
typedef int (*pm_record_fn)(void *ud, json_t *record);
int pm_store_each(struct store *st, pm_record_fn fn, void *ud);

/* The current records of every incident, as an object id -> record.
 * Caller owns *ret.  0, -EIO, -ENOMEM. */
int pm_store_all(struct store *st, json_t **ret);

/* The versions of id's document, oldest first (an array of the version
 * objects above; [] when none).  Caller owns *ret. */
int pm_store_history(struct store *st, const char *id, json_t **ret);

/* The text whose hash is hash.  Caller owns *ret (NUL-terminated).
 * -ENOENT, -EIO, -ENOMEM. */
int pm_store_text(struct store *st, const char *hash, char **ret, size_t *ret_len);

/* Reminder marks: was key sent on day (UTC midnight, ms)?  1 yes, 0 no,
 * negative errno. */
int pm_store_mark_get(struct store *st, int64_t day, const char *key);
int pm_store_mark_put(struct store *st, int64_t day, const char *key);
/* Remove the marks of the days before day.  0 or negative errno. */
int pm_store_marks_prune(struct store *st, int64_t day);

#endif

/* ing_logevent.h - canonical events from parsed log lines.
 *
 * An error line (or, when configured, a line no rule parses) becomes a
 * `kind: log` event from source "tail".  Its id is derived from the file's
 * identity and the line's byte offset (for standard input: from the line's
 * content and offset), so sending the same line again after a crash
 * stores nothing new. */
#ifndef ING_LOGEVENT_H
#define ING_LOGEVENT_H

#include <stdint.h>

#include "ing_logrule.h"
#include "ing_tail.h"

struct iq_event;

/* ll: the parse result, or NULL for an unparsed line sent raw.
 * service: the service to use when the line names none (--service), or
 * NULL (then the rule's default).  now_ms: the time for lines without a
 * readable time.  Caller owns *ret.  -ENOMEM, -EINVAL (with err). */
int ing_logevent_build(const struct ing_logline *ll, const struct ing_tail_item *it,
                       const char *service, int64_t now_ms, struct iq_event **ret,
                       char *err, size_t errsz);

/* The service an error line counts under for the error-rate signal:
 * the line's, else the given one, else the rule's default, else
 * "unknown".  Writes a cleaned NUL-terminated copy into buf. */
void ing_logevent_service(const struct ing_logline *ll, const char *service, char *buf,
                          size_t size);

#endif

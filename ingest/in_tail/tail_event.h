/* tail_event.h - canonical events from parsed log lines.
 *
 * An error line (or, when configured, a line no rule parses) becomes a
 * `kind: log` event from source "tail".  Its id is derived from the file's
 * identity and the line's byte offset (for standard input: from the line's
 * content and offset), so sending the same line again after a crash
 * stores nothing new. */
#ifndef TAIL_EVENT_H
#define TAIL_EVENT_H

#include <stdint.h>

#include "tail_rule.h"
#include "tail.h"

struct iq_event;

/* ll: the parse result, or NULL for an unparsed line sent raw.
 * service: the service to use when the line names none (--service), or
 * NULL (then the rule's default).  now_ms: the time for lines without a
 * readable time.  Caller owns *ret.  -ENOMEM, -EINVAL (with err). */
int tail_event_build(const struct tail_line *ll, const struct tail_item *it,
                     const char *service, int64_t now_ms, struct iq_event **ret,
                     char *err, size_t errsz);

/* The service an error line counts under for the error-rate signal:
 * the line's, else the given one, else the rule's default, else
 * "unknown".  Writes a cleaned NUL-terminated copy into buf. */
void tail_event_service(const struct tail_line *ll, const char *service, char *buf,
                        size_t size);

#endif

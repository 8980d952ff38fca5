/* iq_lines.h - bounded line reader over a file descriptor or FILE.
 *
 * Yields lines without their "\n" (and "\r\n"), each at most max bytes; a
 * longer line is reported once as too long, with its first max bytes, and
 * the rest of it skipped, so one bad line never stops a stream. */
#ifndef IQ_LINES_H
#define IQ_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct iq_lines;

/* f is borrowed.  Caller owns *ret. -ENOMEM. */
int iq_lines_new(FILE *f, size_t max, struct iq_lines **ret);
void iq_lines_destroy(struct iq_lines **pl);

/* Next line: *ret_line (borrowed until the next call), *ret_len, and
 * *ret_truncated when the line was longer than max.  Returns 1 for a line,
 * 0 at end of input, -errno on a read error.  Line numbers start at 1. */
int iq_lines_next(struct iq_lines *l, const char **ret_line, size_t *ret_len,
                  bool *ret_truncated);
unsigned long iq_lines_number(const struct iq_lines *l);

#endif

/* iq_diff.h - a unified diff of two texts, line by line (iq_diff.c). */
#ifndef IQ_DIFF_H
#define IQ_DIFF_H

#include <stddef.h>

struct iq_buf;

/* Compare a (alen bytes) with b, line by line.  0 when they are the same;
 * 1 when they differ, with the unified diff appended to out ("--- aname",
 * "+++ bname", then hunks with three lines of context, as diff -u
 * writes them); -ENOMEM, -E2BIG (over a million lines, or past out's
 * cap). */
int iq_diff_unified(const char *a, size_t alen, const char *b, size_t blen, const char *aname,
                    const char *bname, struct iq_buf *out);

#endif

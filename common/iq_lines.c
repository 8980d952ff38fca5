/* iq_lines.c - a line reader with a hard cap on line length.
 *
 * getline(3) grows its buffer to whatever the input holds; an NDJSON
 * producer gone wrong could make it allocate gigabytes.  This reader keeps
 * one buffer of max + 1 bytes: a line that does not fit is returned
 * truncated and flagged, and the reader discards input up to its end. */
#include "iq_lines.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct iq_lines {
    FILE *f;
    size_t max;
    char *buf;
    unsigned long lineno;
};

int iq_lines_new(FILE *f, size_t max, struct iq_lines **ret)
{
    struct iq_lines *l = calloc(1, sizeof(*l));

    if (!l)
        return -ENOMEM;
    l->buf = malloc(max + 2);
    if (!l->buf) {
        free(l);
        return -ENOMEM;
    }
    l->f = f;
    l->max = max;
    *ret = l;
    return 0;
}

void iq_lines_destroy(struct iq_lines **pl)
{
    if (!pl || !*pl)
        return;
    free((*pl)->buf);
    free(*pl);
    *pl = NULL;
}

unsigned long iq_lines_number(const struct iq_lines *l)
{
    return l->lineno;
}

int iq_lines_next(struct iq_lines *l, const char **ret_line, size_t *ret_len,
                  bool *ret_truncated)
{
    size_t n = 0;
    bool trunc = false;
    int c;

    while ((c = getc_unlocked(l->f)) != EOF) {
        if (c == '\n')
            break;
        if (n < l->max)
            l->buf[n++] = (char)c;
        else
            trunc = true;
    }
    if (c == EOF) {
        if (ferror(l->f))
            return -EIO;
        if (n == 0 && !trunc)
            return 0;
    }
    if (n > 0 && l->buf[n - 1] == '\r' && !trunc)
        n--;
    l->buf[n] = '\0';
    l->lineno++;
    *ret_line = l->buf;
    *ret_len = n;
    *ret_truncated = trunc;
    return 1;
}

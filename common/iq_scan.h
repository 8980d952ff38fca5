/* iq_scan.h - the one digit and literal scanner for hand-written parsers
 * of times and numbers (common/iq_time.c, the log time formats of
 * ingest/in_tail/tail_time.c, decimal epoch seconds in ingest/in_webhook/wh_source_value.c).
 *
 * A struct iq_scan is a cursor over a bounded span (not NUL-terminated).
 * Each function either consumes what it reads and succeeds, or leaves the
 * cursor where it was.  They are static inline: they run per field of
 * every timestamp on the webhook and log paths. */
#ifndef IQ_SCAN_H
#define IQ_SCAN_H

#include <stdbool.h>

struct iq_scan {
    const char *p;     /* next byte */
    const char *end;   /* one past the span */
};

/* Exactly n ASCII digits (1 <= n <= 9) as *ret. */
static inline bool iq_scan_digits(struct iq_scan *sc, int n, int *ret)
{
    int v = 0;

    if (sc->end - sc->p < n)
        return false;
    for (int i = 0; i < n; i++) {
        if (sc->p[i] < '0' || sc->p[i] > '9')
            return false;
        v = v * 10 + (sc->p[i] - '0');
    }
    sc->p += n;
    *ret = v;
    return true;
}

/* The byte c. */
static inline bool iq_scan_lit(struct iq_scan *sc, char c)
{
    if (sc->p >= sc->end || *sc->p != c)
        return false;
    sc->p++;
    return true;
}

/* A run of fraction digits (after the '.', which the caller reads) as
 * milliseconds, truncated: "5" is 500, "123456" is 123.  Returns the
 * number of digits read (0: none, *ret_ms set to 0). */
static inline int iq_scan_fraction_ms(struct iq_scan *sc, int *ret_ms)
{
    int ms = 0, n = 0;

    while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
        if (n < 3)
            ms = ms * 10 + (*sc->p - '0');
        n++;
        sc->p++;
    }
    for (int k = n; k < 3; k++)
        ms *= 10;
    *ret_ms = ms;
    return n;
}

#endif

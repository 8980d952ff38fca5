/* cor_spans.c - the spans of the stored incidents around some times,
 * without reading them all (cor_store.h).
 *
 * A partial rebuild (cor_engine.c) looks for a quiet point before its new
 * events and a gap after them, claims the members of incidents that
 * closed shortly before, and deletes the incidents it replaces: all of it
 * about the incidents near its window.  Reading every span for that made
 * each update cost in proportion to history.
 *
 * An incident that spans a time t opened before t; if it lasted at most
 * COR_LONG_MS, it opened in [t - COR_LONG_MS, t), a short range of the
 * "t" index.  The few that last longer, or are still open, are listed
 * under "l" (cor_store_queue_text writes both).  So a span set holds every
 * "l" entry plus the "t" entries of the ranges asked for so far
 * (cor_spanset_cover), and answers "what spans t" exactly for any t whose
 * [t - COR_LONG_MS, t] it covers.
 *
 * The "l" list is complete only in a store whose incidents were all
 * written since it exists: a full rebuild writes the marker "L" when it
 * is.  Without the marker the set reads every span at once, as before. */
#include "cor_store.h"
#include "iq_buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_keys.h"
#include "store.h"
#include "iq_time.h"

struct collect {
    struct cor_spanset *ss;
    int64_t until;             /* stop at opened_at >= until (IQ_TIME_NONE: the end) */
    bool skip_long;            /* long spans are in the set already */
};

static int add(struct cor_spanset *ss, const struct cor_span *sp)
{
    struct cor_span *ns = iq_array_grow(ss->s, ss->n, &ss->cap, sizeof(*ns), 64);

    if (!ns)
        return -ENOMEM;
    ss->s = ns;
    ss->s[ss->n++] = *sp;
    return 0;
}

static int visit(void *ud, const char *k, size_t kl, const char *v, size_t vl)
{
    struct collect *c = ud;
    struct cor_span sp;

    if (kl < 10 || kl - 9 >= sizeof(sp.id))
        return 0;
    sp.opened_at = store_be64_get(k + 1);
    if (c->until != IQ_TIME_NONE && sp.opened_at >= c->until)
        return 1;
    memcpy(sp.id, k + 9, kl - 9);
    sp.id[kl - 9] = '\0';
    sp.closed_at = vl == 8 ? store_be64_get(v) : IQ_TIME_NONE;
    if (c->skip_long && cor_span_long(&sp))
        return 0;
    return add(c->ss, &sp);
}

bool cor_span_long(const struct cor_span *sp)
{
    return sp->closed_at == IQ_TIME_NONE || sp->closed_at - sp->opened_at > COR_LONG_MS;
}

static int cmp_span(const void *a, const void *b)
{
    const struct cor_span *x = a, *y = b;

    if (x->opened_at != y->opened_at)
        return x->opened_at < y->opened_at ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* The "t" entries opened in [from, until) into the set (long ones
 * skipped: they came with the "l" list). */
static int load_range(struct cor_spanset *ss, int64_t from, int64_t until)
{
    struct collect c = { ss, until, true };
    char start[9];

    start[0] = 't';
    store_be64_put(start + 1, from == IQ_TIME_NONE ? INT64_MIN : from);
    return store_kv_scan_from(ss->st, STORE_CF_INCIDENTS, start, 9, "t", 1, visit, &c);
}

int cor_spanset_open(struct cor_spanset *ss, struct store *st)
{
    struct collect c = { ss, IQ_TIME_NONE, false };
    char *v = NULL;
    size_t vl;
    int r;

    memset(ss, 0, sizeof(*ss));
    ss->st = st;
    if (!(ss->s = malloc(16 * sizeof(*ss->s))))       /* never NULL: "no spans" is not "unknown" */
        return -ENOMEM;
    ss->cap = 16;
    r = store_kv_get(st, STORE_CF_INCIDENTS, COR_LONG_MARKER, 1, &v, &vl);
    free(v);
    if (r == -ENOENT) {
        ss->all = true;
        r = store_kv_scan(st, STORE_CF_INCIDENTS, "t", 1, visit, &c);
    } else if (r == 0) {
        r = store_kv_scan(st, STORE_CF_INCIDENTS, "l", 1, visit, &c);
    }
    if (r < 0) {
        cor_spanset_free(ss);
        return r;
    }
    qsort(ss->s, ss->n, sizeof(*ss->s), cmp_span);
    return 0;
}

int cor_spanset_cover(struct cor_spanset *ss, int64_t lo, int64_t hi)
{
    int r = 0;

    if (ss->all)
        return 0;
    if (lo == IQ_TIME_NONE)
        lo = INT64_MIN;
    if (hi == IQ_TIME_NONE)
        hi = INT64_MAX;
    if (!ss->loaded) {
        r = load_range(ss, lo, hi == INT64_MAX ? IQ_TIME_NONE : hi);
        ss->lo = lo;
        ss->hi = hi;
        ss->loaded = r == 0;
    } else {
        if (lo < ss->lo && (r = load_range(ss, lo, ss->lo)) == 0)
            ss->lo = lo;
        if (r == 0 && hi > ss->hi &&
            (r = load_range(ss, ss->hi, hi == INT64_MAX ? IQ_TIME_NONE : hi)) == 0)
            ss->hi = hi;
    }
    if (r == 0)
        qsort(ss->s, ss->n, sizeof(*ss->s), cmp_span);
    return r;
}

void cor_spanset_free(struct cor_spanset *ss)
{
    if (!ss)
        return;
    free(ss->s);
    ss->s = NULL;
    ss->n = ss->cap = 0;
}

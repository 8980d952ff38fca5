/* iq_diff.c - a unified diff of two texts, line by line (Myers).
 *
 * `inquest draft ID --diff FILE` shows what changed between a draft a
 * person keeps and the one inquestd would write now.  The shortest edit
 * script comes from Myers' O((N+M)D) greedy algorithm ("An O(ND)
 * Difference Algorithm and Its Variations", 1986): for each number of
 * edits d, the furthest point reached on every diagonal k is kept, and the
 * script is read back from the saved rows.  The saved rows grow with d;
 * past DIFF_CELLS_MAX cells (texts that share almost nothing) the whole
 * of one text is shown replaced by the other, which is still a correct
 * diff.  Hunks carry three lines of context, with GNU diff's headers. */
#include "iq_diff.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iq_buf.h"

#define CONTEXT 3
#define DIFF_CELLS_MAX (4u << 20)    /* saved diagonal positions: 16 MiB */
#define LINES_MAX (1u << 20)         /* lines of a text (positions fit an int32_t) */

struct lines {
    const char **p;
    size_t *len;
    size_t n;
};

enum op { OP_EQ = 0, OP_DEL, OP_INS };

static int split(const char *s, size_t len, struct lines *ret)
{
    size_t n = 0, cap = 0;

    ret->p = NULL;
    ret->len = NULL;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t l = nl ? (size_t)(nl - (s + i)) : len - i;

        if (n == cap) {
            const char **np;
            size_t *nlen, pcap = cap;   /* two arrays of one capacity */

            /* no growth past LINES_MAX (the next doubling would pass it) */
            if (cap > LINES_MAX / 2 || !(np = iq_array_grow(ret->p, n, &pcap, sizeof(*np), 64)))
                return -E2BIG;
            ret->p = np;
            if (!(nlen = iq_array_grow(ret->len, n, &cap, sizeof(*nlen), 64)))
                return -ENOMEM;
            ret->len = nlen;
        }
        ret->p[n] = s + i;
        ret->len[n++] = l;
        i += l + 1;
    }
    ret->n = n;
    return 0;
}

static bool same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
    return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* The edit script of a into b: ops[] (n_ops of them), each EQ, DEL or
 * INS, in order.  -ENOMEM; -E2BIG when the saved rows would pass
 * DIFF_CELLS_MAX (the caller then replaces everything). */
static int myers(const struct lines *a, const struct lines *b, uint8_t **ret, size_t *ret_n)
{
    /* diagonals -max-1 .. max+1 (the rows read one beyond the current d) */
    size_t n = a->n, m = b->n, max = n + m, off = max + 1, width = 2 * max + 3, d;
    size_t found = SIZE_MAX;
    int32_t *v, *trace = NULL;
    uint8_t *ops;
    int r = -E2BIG;

    if (!(v = calloc(width, sizeof(*v))))
        return -ENOMEM;
    for (d = 0; d <= max && found == SIZE_MAX; d++) {
        int32_t *t;

        if ((d + 1) * width > DIFF_CELLS_MAX || !(t = realloc(trace, (d + 1) * width * sizeof(*t))))
            goto out;
        trace = t;
        for (long k = -(long)d; k <= (long)d; k += 2) {
            int32_t x = k == -(long)d || (k != (long)d && v[off + k - 1] < v[off + k + 1])
                            ? v[off + k + 1] : v[off + k - 1] + 1;
            long y = x - k;

            while ((size_t)x < n && (size_t)y < m && same(a, (size_t)x, b, (size_t)y))
                x++, y++;
            v[off + k] = x;
            if ((size_t)x >= n && (size_t)y >= m)
                found = d;
        }
        memcpy(trace + d * width, v, width * sizeof(*v));
    }
    r = -ENOMEM;
    if (!(ops = malloc(max + 1)))
        goto out;
    /* read the script back from (n, m) */
    {
        long x = (long)n, y = (long)m;
        size_t k_ops = 0;

        for (d = found; d > 0; d--) {
            const int32_t *pv = trace + (d - 1) * width;
            long k = x - y, pk, px, py;

            pk = k == -(long)d || (k != (long)d && pv[off + k - 1] < pv[off + k + 1]) ? k + 1
                                                                                      : k - 1;
            px = pv[off + pk];
            py = px - pk;
            while (x > px && y > py && (x--, y--, 1))
                ops[k_ops++] = OP_EQ;
            ops[k_ops++] = pk == k + 1 ? OP_INS : OP_DEL;
            x = px;
            y = py;
        }
        while (x > 0 && y > 0 && (x--, y--, 1))
            ops[k_ops++] = OP_EQ;
        for (size_t i = 0; i < k_ops / 2; i++) {
            uint8_t o = ops[i];

            ops[i] = ops[k_ops - 1 - i];
            ops[k_ops - 1 - i] = o;
        }
        *ret = ops;
        *ret_n = k_ops;
    }
    r = 0;
out:
    free(v);
    free(trace);
    return r;
}

/* The script that deletes all of a and inserts all of b. */
static int replace_all(const struct lines *a, const struct lines *b, uint8_t **ret, size_t *ret_n)
{
    uint8_t *ops = malloc(a->n + b->n + 1);

    if (!ops)
        return -ENOMEM;
    memset(ops, OP_DEL, a->n);
    memset(ops + a->n, OP_INS, b->n);
    *ret = ops;
    *ret_n = a->n + b->n;
    return 0;
}

static int add_line(struct iq_buf *out, char mark, const char *p, size_t len)
{
    int r = iq_buf_addc(out, mark);

    if (r == 0)
        r = iq_buf_add(out, p, len);
    return r ? r : iq_buf_addc(out, '\n');
}

/* One hunk: ops [from, to) with a starting at line ai, b at bi. */
static int hunk(struct iq_buf *out, const struct lines *a, const struct lines *b,
                const uint8_t *ops, size_t from, size_t to, size_t ai, size_t bi)
{
    size_t na = 0, nb = 0;
    int r;

    for (size_t i = from; i < to; i++) {
        na += ops[i] != OP_INS;
        nb += ops[i] != OP_DEL;
    }
    r = iq_buf_printf(out, "@@ -%zu,%zu +%zu,%zu @@\n", na ? ai + 1 : ai, na, nb ? bi + 1 : bi, nb);
    for (size_t i = from; r == 0 && i < to; i++) {
        if (ops[i] == OP_EQ)
            r = add_line(out, ' ', a->p[ai], a->len[ai]), ai++, bi++;
        else if (ops[i] == OP_DEL)
            r = add_line(out, '-', a->p[ai], a->len[ai]), ai++;
        else
            r = add_line(out, '+', b->p[bi], b->len[bi]), bi++;
    }
    return r;
}

/* Group the script into hunks with CONTEXT lines around each change. */
static int hunks(struct iq_buf *out, const struct lines *a, const struct lines *b,
                 const uint8_t *ops, size_t n)
{
    size_t i = 0, ai = 0, bi = 0;
    int r = 0;

    while (r == 0 && i < n) {
        size_t start, end, sa, sb, eq;

        while (i < n && ops[i] == OP_EQ)
            i++, ai++, bi++;
        if (i == n)
            break;
        start = i >= CONTEXT ? i - CONTEXT : 0;
        for (size_t k = start; k < i; k++)
            ai--, bi--;          /* back to the first context line */
        sa = ai;
        sb = bi;
        for (end = i, eq = 0; end < n && eq <= 2 * CONTEXT; end++)
            eq = ops[end] == OP_EQ ? eq + 1 : 0;
        end -= eq > CONTEXT ? eq - CONTEXT : 0;
        r = hunk(out, a, b, ops, start, end, sa, sb);
        for (size_t k = start; k < end; k++) {
            ai += ops[k] != OP_INS;
            bi += ops[k] != OP_DEL;
        }
        i = end;
    }
    return r;
}

int iq_diff_unified(const char *a, size_t alen, const char *b, size_t blen, const char *aname,
                    const char *bname, struct iq_buf *out)
{
    struct lines la = { 0 }, lb = { 0 };
    uint8_t *ops = NULL;
    size_t n = 0;
    int r;

    if ((r = split(a, alen, &la)) < 0 || (r = split(b, blen, &lb)) < 0)
        goto out;
    r = myers(&la, &lb, &ops, &n);
    if (r == -E2BIG)
        r = replace_all(&la, &lb, &ops, &n);
    if (r < 0)
        goto out;
    for (size_t i = 0; i < n && r == 0; i++)
        r = ops[i] != OP_EQ;
    if (r == 1 && (iq_buf_printf(out, "--- %s\n+++ %s\n", aname, bname) < 0 ||
                   hunks(out, &la, &lb, ops, n) < 0))
        r = -ENOMEM;
out:
    free(ops);
    free(la.p);
    free(la.len);
    free(lb.p);
    free(lb.len);
    return r;
}

/* rev_train.c - stochastic gradient descent for the lint model.
 *
 * A few hundred to a few thousand short texts, a few hundred features
 * each: plain SGD on the logistic loss converges in a fraction of a second,
 * so the trainer needs no numerical library.  Design notes:
 *  - AdaGrad gives every coordinate its own step size, so rare n-grams (most
 *    of them) still move while frequent ones settle;
 *  - the L2 penalty is applied to the coordinates an example touches (the
 *    usual lazy form), which keeps each step proportional to the example;
 *  - class weights n/(2*n_class) stop the larger class from dominating;
 *  - the order of the examples comes from a seeded xorshift generator, so a
 *    run is reproducible bit for bit on the same platform;
 *  - buckets seen in fewer than min_df examples are frozen at 0 (a document
 *    frequency cut-off): n-grams seen once are memorised, not learnt. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rev_train.h"

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

/* The indices of the examples in play, shuffled in place each pass. */
static size_t *order_new(const struct rev_train_example *ex, size_t n, size_t *ret_m,
                         double cw[2])
{
    size_t *ord = malloc((n ? n : 1) * sizeof(*ord)), m = 0, pos = 0;

    if (!ord)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (ex[i].skip)
            continue;
        ord[m++] = i;
        pos += ex[i].y;
    }
    *ret_m = m;
    cw[1] = pos ? (double)m / (2.0 * (double)pos) : 0;
    cw[0] = m > pos ? (double)m / (2.0 * (double)(m - pos)) : 0;
    return ord;
}

static void shuffle(size_t *ord, size_t m, uint64_t *state)
{
    for (size_t i = m; i > 1; i--) {
        size_t j = (size_t)(xorshift(state) % i), t = ord[i - 1];

        ord[i - 1] = ord[j];
        ord[j] = t;
    }
}

/* Document frequencies of the buckets over the examples in play, capped
 * at 255; NULL on OOM. */
static unsigned char *doc_freq(const struct rev_train_example *ex, size_t n, size_t nb)
{
    unsigned char *df = calloc(nb, 1), *seen = calloc(nb, 1);

    if (!df || !seen) {
        free(df);
        free(seen);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (ex[i].skip)
            continue;
        for (size_t k = 0; k < ex[i].f.n; k++) {
            uint32_t j = ex[i].f.idx[k];

            if (!seen[j] && df[j] < 255)
                df[j]++;
            seen[j] = 1;
        }
        for (size_t k = 0; k < ex[i].f.n; k++)
            seen[ex[i].f.idx[k]] = 0;
    }
    free(seen);
    return df;
}

/* One SGD step on example e with class weight cw; buckets whose df is
 * below min_df are left alone. */
static void step(const struct rev_train_example *e, double cw, const struct rev_train_params *p,
                 const unsigned char *df, float *w, float *g2, double *bias, double *bg2)
{
    double x = e->f.n ? 1.0 / sqrt((double)e->f.n) : 0, z = 0, err;

    for (size_t k = 0; k < e->f.n; k++)
        z += w[e->f.idx[k]];
    z = z * x + *bias;
    err = cw * ((e->y ? 1.0 : 0.0) - 1.0 / (1.0 + exp(-z)));
    for (size_t k = 0; k < e->f.n; k++) {
        uint32_t j = e->f.idx[k];
        double g = err * x - p->l2 * w[j];

        if (df[j] < p->min_df)
            continue;
        g2[j] += (float)(g * g);
        w[j] += (float)(p->rate * g / sqrt(g2[j] + 1e-8));
    }
    *bg2 += err * err;
    *bias += p->rate * err / sqrt(*bg2 + 1e-8);
}

int rev_train_fit(const struct rev_train_example *ex, size_t n,
                  const struct rev_train_params *p, float *w, double *ret_bias)
{
    size_t nb = (size_t)1 << p->bits, m = 0;
    uint64_t state = p->seed ? p->seed : 0x9e3779b97f4a7c15ull;
    double cw[2], bias = 0, bg2 = 0;
    size_t *ord = order_new(ex, n, &m, cw);
    float *g2 = calloc(nb, sizeof(*g2));
    unsigned char *df = doc_freq(ex, n, nb);
    int r = 0;

    if (!ord || !g2 || !df) {
        r = -ENOMEM;
        goto out;
    }
    if (cw[0] == 0 || cw[1] == 0) {
        r = -EINVAL;
        goto out;
    }
    memset(w, 0, nb * sizeof(*w));
    for (unsigned ep = 0; ep < p->epochs; ep++) {
        shuffle(ord, m, &state);
        for (size_t i = 0; i < m; i++)
            step(&ex[ord[i]], cw[ex[ord[i]].y], p, df, w, g2, &bias, &bg2);
    }
    *ret_bias = bias;
out:
    free(ord);
    free(g2);
    free(df);
    return r;
}

/* iq_metrics.c - the metrics registry and its text exposition.
 *
 * A registry is a list of families in registration order; a family is a
 * list of series in creation order.  Both lists only grow (a series is
 * never removed: Prometheus expects a counter to stay), under the
 * registry's mutex, and are freed with the registry.  Hot paths hold
 * series pointers and update them with relaxed atomics:
 *   - a counter or gauge keeps an integer part n (fetch-add; a gauge's may
 *     go negative) and a float part f, the bits of a double updated by
 *     compare-and-swap; its value is n + f;
 *   - a histogram keeps one count per bucket (not cumulative: each
 *     observation touches one bucket) and its sum in f; the cumulative
 *     counts and _count are summed at rendering, so _count always equals
 *     the +Inf bucket even while observations race a scrape.
 * A series made by iq_metric_get_lazy is hidden until its first update
 * (a flag each update sets after changing the value).
 * Rendering follows the text format 0.0.4: "# HELP" (backslash and
 * newline escaped), "# TYPE", then one line per sample with label values
 * escaped (backslash, double quote, newline); floats are written with the
 * fewest digits that read back to the same double, integers without a
 * fraction, and +Inf, -Inf, NaN by name. */
#include "iq_metrics.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_buf.h"

const double iq_metric_latency_buckets[IQ_METRIC_LATENCY_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};

struct iq_metric {
    struct iq_metric *next;
    struct iq_metric_family *fam;
    char *values[IQ_METRIC_LABELS_MAX];
    _Atomic int64_t n;            /* integer part (counter, gauge) */
    _Atomic uint64_t f;           /* bits of a double: float part, or a histogram's sum */
    _Atomic uint64_t *buckets;    /* histogram: nb + 1 counts, the last one +Inf */
    _Atomic bool shown;           /* rendered (false: lazy, not yet updated) */
};

struct iq_metric_family {
    struct iq_metric_family *next;
    struct iq_metrics *reg;
    enum iq_metric_type type;
    char *name, *help;
    char *labels[IQ_METRIC_LABELS_MAX];
    size_t nl;
    double bounds[IQ_METRIC_BUCKETS_MAX];
    size_t nb;
    struct iq_metric *head, *tail;
};

struct hook {
    struct hook *next;
    int id;
    void (*fn)(void *ud);
    void *ud;
};

struct iq_metrics {
    pthread_mutex_t lock;
    struct iq_metric_family *head, *tail;
    struct hook *hooks;
    int next_id;
};

static const char *const type_names[] = { "counter", "gauge", "histogram" };

int iq_metrics_new(struct iq_metrics **ret)
{
    struct iq_metrics *reg = calloc(1, sizeof(*reg));

    if (!reg)
        return -ENOMEM;
    pthread_mutex_init(&reg->lock, NULL);
    *ret = reg;
    return 0;
}

static void series_free(struct iq_metric *m)
{
    for (size_t i = 0; i < IQ_METRIC_LABELS_MAX; i++)
        free(m->values[i]);
    free(m->buckets);
    free(m);
}

static void family_free(struct iq_metric_family *f)
{
    struct iq_metric *m, *next;

    if (!f)
        return;
    for (m = f->head; m; m = next) {
        next = m->next;
        series_free(m);
    }
    for (size_t i = 0; i < f->nl; i++)
        free(f->labels[i]);
    free(f->name);
    free(f->help);
    free(f);
}

void iq_metrics_destroy(struct iq_metrics **pm)
{
    struct iq_metrics *reg = pm ? *pm : NULL;
    struct iq_metric_family *f, *fnext;
    struct hook *h, *hnext;

    if (!reg)
        return;
    for (f = reg->head; f; f = fnext) {
        fnext = f->next;
        family_free(f);
    }
    for (h = reg->hooks; h; h = hnext) {
        hnext = h->next;
        free(h);
    }
    pthread_mutex_destroy(&reg->lock);
    free(reg);
    *pm = NULL;
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for metric names (colon allowed), the same
 * without colons for label names. */
static bool valid_name(const char *s, bool colon)
{
    if (!s || !*s || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || (colon && *s == ':')))
            return false;
    return true;
}

/* Check a declaration's label names and buckets; count the labels. */
static bool valid_decl(enum iq_metric_type type, const char *name, const char *const *labels,
                       const double *buckets, size_t nb, size_t *ret_nl)
{
    size_t nl = 0;

    if (!valid_name(name, true) || type > IQ_METRIC_HISTOGRAM)
        return false;
    for (; labels && labels[nl]; nl++)
        if (nl == IQ_METRIC_LABELS_MAX || !valid_name(labels[nl], false) ||
            strncmp(labels[nl], "__", 2) == 0 ||
            (type == IQ_METRIC_HISTOGRAM && strcmp(labels[nl], "le") == 0))
            return false;
    if (type == IQ_METRIC_HISTOGRAM && (nb == 0 || nb > IQ_METRIC_BUCKETS_MAX || !buckets))
        return false;
    for (size_t i = 1; type == IQ_METRIC_HISTOGRAM && i < nb; i++)
        if (!(buckets[i] > buckets[i - 1]))
            return false;
    *ret_nl = nl;
    return true;
}

/* Does family f match a redeclaration? */
static bool same_decl(const struct iq_metric_family *f, enum iq_metric_type type,
                      const char *const *labels, size_t nl, const double *buckets, size_t nb)
{
    if (f->type != type || f->nl != nl || (type == IQ_METRIC_HISTOGRAM && f->nb != nb))
        return false;
    for (size_t i = 0; i < nl; i++)
        if (strcmp(f->labels[i], labels[i]) != 0)
            return false;
    return type != IQ_METRIC_HISTOGRAM || memcmp(f->bounds, buckets, nb * sizeof(*buckets)) == 0;
}

static struct iq_metric_family *family_create(struct iq_metrics *reg, enum iq_metric_type type,
                                              const char *name, const char *help,
                                              const char *const *labels, size_t nl,
                                              const double *buckets, size_t nb)
{
    struct iq_metric_family *f = calloc(1, sizeof(*f));
    bool oom = !f;

    if (f) {
        f->reg = reg;
        f->type = type;
        f->name = strdup(name);
        f->help = strdup(help ? help : "");
        oom = !f->name || !f->help;
        for (f->nl = 0; f->nl < nl; f->nl++)
            oom |= !(f->labels[f->nl] = strdup(labels[f->nl]));
        if (type == IQ_METRIC_HISTOGRAM) {
            memcpy(f->bounds, buckets, nb * sizeof(*buckets));
            f->nb = nb;
        }
    }
    if (oom) {
        family_free(f);
        return NULL;
    }
    return f;
}

struct iq_metric_family *iq_metrics_family(struct iq_metrics *reg, enum iq_metric_type type,
                                           const char *name, const char *help,
                                           const char *const *labels, const double *buckets,
                                           size_t nb)
{
    struct iq_metric_family *f;
    size_t nl = 0;

    if (!reg)
        return NULL;
    if (!valid_decl(type, name, labels, buckets, nb, &nl)) {
        fprintf(stderr, "iq_metrics: bad declaration of %s\n", name ? name : "(null)");
        return NULL;
    }
    pthread_mutex_lock(&reg->lock);
    for (f = reg->head; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            break;
    if (f && !same_decl(f, type, labels, nl, buckets, nb)) {
        fprintf(stderr, "iq_metrics: %s declared twice with different types or labels\n", name);
        f = NULL;
    } else if (!f && (f = family_create(reg, type, name, help, labels, nl, buckets, nb))) {
        if (reg->tail)
            reg->tail->next = f;
        else
            reg->head = f;
        reg->tail = f;
    }
    pthread_mutex_unlock(&reg->lock);
    return f;
}

static bool series_match(const struct iq_metric *m, const char *const *values, size_t nl)
{
    for (size_t i = 0; i < nl; i++)
        if (strcmp(m->values[i], values[i] ? values[i] : "") != 0)
            return false;
    return true;
}

static struct iq_metric *series_create(struct iq_metric_family *f, const char *const *values,
                                       bool shown)
{
    struct iq_metric *m = calloc(1, sizeof(*m));
    bool oom = !m;

    if (m) {
        m->fam = f;
        atomic_init(&m->shown, shown);
        for (size_t i = 0; i < f->nl; i++)
            oom |= !(m->values[i] = strdup(values[i] ? values[i] : ""));
        if (f->type == IQ_METRIC_HISTOGRAM)
            oom |= !(m->buckets = calloc(f->nb + 1, sizeof(*m->buckets)));
    }
    if (oom && m) {
        series_free(m);
        m = NULL;
    }
    return m;
}

/* The series of f with values, made (shown or hidden) when absent. */
static struct iq_metric *series_get(struct iq_metric_family *f, const char *const *values,
                                    bool shown)
{
    struct iq_metric *m;

    if (!f || (f->nl && !values))
        return NULL;
    pthread_mutex_lock(&f->reg->lock);
    for (m = f->head; m; m = m->next)
        if (series_match(m, values, f->nl))
            break;
    if (!m && (m = series_create(f, values, shown))) {
        if (f->tail)
            f->tail->next = m;
        else
            f->head = m;
        f->tail = m;
    }
    pthread_mutex_unlock(&f->reg->lock);
    return m;
}

struct iq_metric *iq_metric_get(struct iq_metric_family *f, const char *const *values)
{
    return series_get(f, values, true);
}

struct iq_metric *iq_metric_get_lazy(struct iq_metric_family *f, const char *const *values)
{
    return series_get(f, values, false);
}

struct iq_metric *iq_metrics_counter(struct iq_metrics *reg, const char *name, const char *help)
{
    return iq_metric_get(iq_metrics_family(reg, IQ_METRIC_COUNTER, name, help, NULL, NULL, 0),
                         NULL);
}

struct iq_metric *iq_metrics_gauge(struct iq_metrics *reg, const char *name, const char *help)
{
    return iq_metric_get(iq_metrics_family(reg, IQ_METRIC_GAUGE, name, help, NULL, NULL, 0),
                         NULL);
}

struct iq_metric *iq_metrics_histogram(struct iq_metrics *reg, const char *name,
                                       const char *help, const double *buckets, size_t nb)
{
    return iq_metric_get(iq_metrics_family(reg, IQ_METRIC_HISTOGRAM, name, help, NULL, buckets,
                                           nb), NULL);
}

struct iq_metric *iq_metrics_counter1(struct iq_metrics *reg, const char *name, const char *help,
                                      const char *label, const char *value)
{
    const char *labels[] = { label, NULL }, *values[] = { value };

    return iq_metric_get(iq_metrics_family(reg, IQ_METRIC_COUNTER, name, help, labels, NULL, 0),
                         values);
}

int iq_metrics_series(struct iq_metrics *reg, enum iq_metric_type type, const char *name,
                      const char *help, const char *label, const char *const *values, size_t n,
                      const double *buckets, size_t nb, struct iq_metric **ret)
{
    const char *labels[] = { label, NULL };
    struct iq_metric_family *f;

    memset(ret, 0, n * sizeof(*ret));
    if (!reg)
        return 0;
    if (!(f = iq_metrics_family(reg, type, name, help, labels, buckets, nb)))
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!(ret[i] = iq_metric_get(f, &values[i])))
            return -ENOMEM;
    return 0;
}

/* One row of a table: its family and series into ret (see
 * struct iq_metric_def).  As iq_metrics_series. */
static int register_def(struct iq_metrics *reg, const struct iq_metric_def *d,
                        struct iq_metric **ret)
{
    struct iq_metric_family *f;

    if (d->label)
        return iq_metrics_series(reg, d->type, d->name, d->help, d->label, d->values, d->n,
                                 d->buckets, d->nb, ret);
    *ret = NULL;
    if (!reg)
        return 0;
    if (!(f = iq_metrics_family(reg, d->type, d->name, d->help, NULL, d->buckets, d->nb)))
        return -EINVAL;
    return (*ret = iq_metric_get(f, NULL)) ? 0 : -ENOMEM;
}

int iq_metrics_register_table(struct iq_metrics *reg, const struct iq_metric_def *t, size_t n,
                              void *base)
{
    int r;

    for (size_t i = 0; i < n; i++)
        if ((r = register_def(reg, &t[i], (struct iq_metric **)((char *)base + t[i].off))) < 0)
            return r;
    return 0;
}

/* ---- updates ------------------------------------------------------------ */

static double bits_double(uint64_t b)
{
    double d;

    memcpy(&d, &b, sizeof(d));
    return d;
}

static uint64_t double_bits(double d)
{
    uint64_t b;

    memcpy(&b, &d, sizeof(b));
    return b;
}

static void float_add(_Atomic uint64_t *a, double v)
{
    uint64_t old = atomic_load_explicit(a, memory_order_relaxed);

    while (!atomic_compare_exchange_weak_explicit(a, &old, double_bits(bits_double(old) + v),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

/* Show a lazy series after its first update (one load once shown). */
static void touch(struct iq_metric *m)
{
    if (!atomic_load_explicit(&m->shown, memory_order_relaxed))
        atomic_store_explicit(&m->shown, true, memory_order_relaxed);
}

void iq_metric_inc(struct iq_metric *m)
{
    if (!m)
        return;
    atomic_fetch_add_explicit(&m->n, 1, memory_order_relaxed);
    touch(m);
}

void iq_metric_add(struct iq_metric *m, uint64_t n)
{
    if (!m)
        return;
    atomic_fetch_add_explicit(&m->n, (int64_t)n, memory_order_relaxed);
    touch(m);
}

void iq_metric_add_float(struct iq_metric *m, double v)
{
    if (!m)
        return;
    if (v > 0)
        float_add(&m->f, v);
    touch(m);
}

void iq_metric_set(struct iq_metric *m, double v)
{
    if (!m)
        return;
    atomic_store_explicit(&m->f, double_bits(v), memory_order_relaxed);
    atomic_store_explicit(&m->n, 0, memory_order_relaxed);
    touch(m);
}

void iq_metric_gauge_add(struct iq_metric *m, int64_t delta)
{
    if (!m)
        return;
    atomic_fetch_add_explicit(&m->n, delta, memory_order_relaxed);
    touch(m);
}

void iq_metric_observe(struct iq_metric *m, double v)
{
    const struct iq_metric_family *f;
    size_t b = 0;

    if (!m || !m->buckets)
        return;
    f = m->fam;
    while (b < f->nb && v > f->bounds[b])
        b++;
    atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
    float_add(&m->f, v);
    touch(m);
}

uint64_t iq_metric_count(const struct iq_metric *m)
{
    uint64_t n = 0;

    if (!m)
        return 0;
    if (!m->buckets)
        return (uint64_t)atomic_load_explicit(&m->n, memory_order_relaxed);
    for (size_t b = 0; b <= m->fam->nb; b++)
        n += atomic_load_explicit(&m->buckets[b], memory_order_relaxed);
    return n;
}

double iq_metric_value(const struct iq_metric *m)
{
    double f;

    if (!m)
        return 0;
    f = bits_double(atomic_load_explicit(&m->f, memory_order_relaxed));
    return m->buckets ? f : (double)atomic_load_explicit(&m->n, memory_order_relaxed) + f;
}

/* ---- hooks -------------------------------------------------------------- */

int iq_metrics_hook_add(struct iq_metrics *reg, void (*fn)(void *ud), void *ud)
{
    struct hook *h;
    int id;

    if (!reg)
        return 0;
    if (!(h = calloc(1, sizeof(*h))))
        return -ENOMEM;
    h->fn = fn;
    h->ud = ud;
    pthread_mutex_lock(&reg->lock);
    id = h->id = ++reg->next_id;
    h->next = reg->hooks;
    reg->hooks = h;
    pthread_mutex_unlock(&reg->lock);
    return id;
}

void iq_metrics_hook_remove(struct iq_metrics *reg, int id)
{
    struct hook **pp, *h = NULL;

    if (!reg || id <= 0)
        return;
    pthread_mutex_lock(&reg->lock);
    for (pp = &reg->hooks; *pp; pp = &(*pp)->next)
        if ((*pp)->id == id) {
            h = *pp;
            *pp = h->next;
            break;
        }
    pthread_mutex_unlock(&reg->lock);
    free(h);
}

/* ---- exposition --------------------------------------------------------- */

/* v with the fewest digits that read back the same (at most 17). */
static void fmt_double(char *buf, size_t size, double v)
{
    if (isnan(v)) {
        snprintf(buf, size, "NaN");
    } else if (isinf(v)) {
        snprintf(buf, size, v > 0 ? "+Inf" : "-Inf");
    } else if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, size, "%.0f", v);
    } else {
        for (int prec = 6; prec <= 17; prec++) {
            snprintf(buf, size, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                break;
        }
    }
}

/* Append s escaped: backslash and newline always, the double quote in
 * label values (quote true). */
static int add_escaped(struct iq_buf *b, const char *s, bool quote)
{
    int r = 0;

    for (; *s && r == 0; s++) {
        if (*s == '\\')
            r = iq_buf_adds(b, "\\\\");
        else if (*s == '\n')
            r = iq_buf_adds(b, "\\n");
        else if (*s == '"' && quote)
            r = iq_buf_adds(b, "\\\"");
        else
            r = iq_buf_addc(b, *s);
    }
    return r;
}

/* name{labels[,le="bound"]} value\n; le may be NULL. */
static int add_sample(struct iq_buf *b, const struct iq_metric *m, const char *suffix,
                      const char *le, double v)
{
    const struct iq_metric_family *f = m->fam;
    char num[40];
    int r = iq_buf_printf(b, "%s%s", f->name, suffix);

    for (size_t i = 0; r == 0 && i < f->nl; i++) {
        r = iq_buf_printf(b, "%s%s=\"", i ? "," : "{", f->labels[i]);
        if (r == 0)
            r = add_escaped(b, m->values[i], true);
        if (r == 0)
            r = iq_buf_addc(b, '"');
    }
    if (r == 0 && le)
        r = iq_buf_printf(b, "%sle=\"%s\"", f->nl ? "," : "{", le);
    if (r == 0 && (f->nl || le))
        r = iq_buf_addc(b, '}');
    fmt_double(num, sizeof(num), v);
    return r ? r : iq_buf_printf(b, " %s\n", num);
}

static int add_histogram(struct iq_buf *b, const struct iq_metric *m)
{
    const struct iq_metric_family *f = m->fam;
    uint64_t cum = 0;
    char le[40];
    int r = 0;

    for (size_t i = 0; r == 0 && i <= f->nb; i++) {
        cum += atomic_load_explicit(&m->buckets[i], memory_order_relaxed);
        if (i < f->nb)
            fmt_double(le, sizeof(le), f->bounds[i]);
        r = add_sample(b, m, "_bucket", i < f->nb ? le : "+Inf", (double)cum);
    }
    if (r == 0)
        r = add_sample(b, m, "_sum", NULL, iq_metric_value(m));
    return r ? r : add_sample(b, m, "_count", NULL, (double)cum);
}

static bool shown(const struct iq_metric *m)
{
    return atomic_load_explicit(&m->shown, memory_order_relaxed);
}

static int add_family(struct iq_buf *b, const struct iq_metric_family *f)
{
    const struct iq_metric *m = f->head;
    int r;

    while (m && !shown(m))
        m = m->next;
    if (!m)
        return 0;    /* a labelled family with no series (shown) yet */
    r = iq_buf_printf(b, "# HELP %s ", f->name);
    if (r == 0)
        r = add_escaped(b, f->help, false);
    if (r == 0)
        r = iq_buf_printf(b, "\n# TYPE %s %s\n", f->name, type_names[f->type]);
    for (; r == 0 && m; m = m->next)
        if (shown(m))
            r = f->type == IQ_METRIC_HISTOGRAM ? add_histogram(b, m)
                                               : add_sample(b, m, "", NULL, iq_metric_value(m));
    return r;
}

int iq_metrics_render(struct iq_metrics *reg, char **ret, size_t *ret_len)
{
    struct iq_buf b;
    char *page = NULL;
    int r = 0;

    iq_buf_init(&b, IQ_METRICS_PAGE_MAX);
    pthread_mutex_lock(&reg->lock);
    for (struct hook *h = reg->hooks; h; h = h->next)
        h->fn(h->ud);
    for (const struct iq_metric_family *f = reg->head; r == 0 && f; f = f->next)
        r = add_family(&b, f);
    pthread_mutex_unlock(&reg->lock);
    if (r == 0 && !(page = iq_buf_take(&b, ret_len)))
        r = -ENOMEM;
    iq_buf_free(&b);
    if (r == -ENOBUFS)
        r = -E2BIG;
    if (r == 0)
        *ret = page;
    return r;
}

/* iq_metrics.h - the one metrics registry of inquestd: counters, gauges
 * and histograms with fixed buckets, rendered in the Prometheus text
 * exposition format (version 0.0.4) for GET /metrics.
 *
 * Each stage registers its families into the daemon's registry when it
 * starts and keeps the series pointers it updates; no stage formats text.
 * Updates are relaxed atomics (an integer fetch-add, or a compare-and-swap
 * loop for float sums), so hot paths take no lock.  Registration, series
 * creation and rendering take the registry's mutex.  Values that are read
 * from elsewhere (RocksDB properties, /proc) are set by collect hooks that
 * run under that mutex just before each rendering.
 *
 * Every update function is NULL-safe: code shared with the CLI (the store,
 * the log collector) registers nothing without a registry and updates
 * NULL series at the cost of one branch.  The registry owns every family
 * and series: pointers stay valid until iq_metrics_destroy, so a stage
 * that stops early leaves its (final) values behind without dangling. */
#ifndef IQ_METRICS_H
#define IQ_METRICS_H

#include <stddef.h>
#include <stdint.h>

enum iq_metric_type { IQ_METRIC_COUNTER = 0, IQ_METRIC_GAUGE, IQ_METRIC_HISTOGRAM };

struct iq_metrics;          /* the registry */
struct iq_metric_family;    /* one metric name: HELP, TYPE, label names */
struct iq_metric;           /* one series of a family (one set of label values) */

#define IQ_METRIC_LABELS_MAX 4       /* label names per family */
#define IQ_METRIC_BUCKETS_MAX 24     /* histogram buckets, +Inf not counted */
#define IQ_METRICS_PAGE_MAX (64u << 20)

/* Exponential-ish latency buckets in seconds, 0.5 ms to 10 s (14 bounds). */
extern const double iq_metric_latency_buckets[];
#define IQ_METRIC_LATENCY_BUCKETS 14

/* A new, empty registry.  Caller owns *ret.  0 or -ENOMEM. */
int iq_metrics_new(struct iq_metrics **ret);

/* Free the registry with every family, series and hook; NULL *pm.
 * NULL-safe.  No update may run any more. */
void iq_metrics_destroy(struct iq_metrics **pm);

/* Declare a family: name (Prometheus rules: [a-zA-Z_:][a-zA-Z0-9_:]*),
 * help (one line), labels (NULL-terminated label names, at most
 * IQ_METRIC_LABELS_MAX, or NULL), and for histograms the ascending upper
 * bounds of the buckets (nb of them, at most IQ_METRIC_BUCKETS_MAX; +Inf
 * is implied).  Declaring the same name again with the same type and
 * labels returns the same family (a stage may register on every start).
 * Strings are copied.  Borrowed result, valid until the registry is
 * destroyed; NULL when reg is NULL, on a bad name or label, a conflicting
 * redeclaration (a programmer error, also logged to stderr) or OOM. */
struct iq_metric_family *iq_metrics_family(struct iq_metrics *reg, enum iq_metric_type type,
                                           const char *name, const char *help,
                                           const char *const *labels, const double *buckets,
                                           size_t nb);

/* The series of fam with these label values (one per label name, in
 * order; NULL for a family without labels), created on first use.
 * Values are copied.  Borrowed, valid until the registry is destroyed;
 * NULL when fam is NULL or on OOM. */
struct iq_metric *iq_metric_get(struct iq_metric_family *fam, const char *const *values);

/* The same, but a series this call creates is left out of the exposition
 * until its first update (any iq_metric_inc/add/set/observe, even of 0):
 * for series that should appear only once something happened (an answer
 * that is rare), in an order fixed now.  A family none of whose series is
 * shown is left out whole.  An existing series is returned as it is. */
struct iq_metric *iq_metric_get_lazy(struct iq_metric_family *fam, const char *const *values);

/* Shorthands for families without labels: the family's only series. */
struct iq_metric *iq_metrics_counter(struct iq_metrics *reg, const char *name, const char *help);
struct iq_metric *iq_metrics_gauge(struct iq_metrics *reg, const char *name, const char *help);
struct iq_metric *iq_metrics_histogram(struct iq_metrics *reg, const char *name,
                                       const char *help, const double *buckets, size_t nb);

/* The same with exactly one label: the series of family name whose label
 * has value value. */
struct iq_metric *iq_metrics_counter1(struct iq_metrics *reg, const char *name, const char *help,
                                      const char *label, const char *value);

/* A family with one label and its series for each of values[0..n-1],
 * into ret[0..n-1] (buckets and nb for a histogram, else NULL and 0).
 * 0 (every ret[i] NULL when reg is NULL), or -ENOMEM / -EINVAL (a bad
 * declaration). */
int iq_metrics_series(struct iq_metrics *reg, enum iq_metric_type type, const char *name,
                      const char *help, const char *label, const char *const *values, size_t n,
                      const double *buckets, size_t nb, struct iq_metric **ret);

/* One row of a stage's const table of families (iq_metrics_register_table):
 * the declaration, and where in the stage's struct the series go.  A row
 * without a label is a family of one series, stored in the struct
 * iq_metric * at offset off; a row with a label has one series for each
 * of values[0..n-1], stored in that order in the array of n pointers at
 * off.  For example:
 *     { IQ_METRIC_COUNTER, "inquest_x_total", "Things done.",
 *       .off = offsetof(struct x_metrics, done) },
 *     { IQ_METRIC_COUNTER, "inquest_x_results_total", "Things by result.",
 *       .label = "result", .values = results, .n = 2,
 *       .off = offsetof(struct x_metrics, results) }, */
struct iq_metric_def {
    enum iq_metric_type type;
    const char *name;
    const char *help;
    const char *label;              /* the one label name, or NULL */
    const char *const *values;      /* with a label: its n values */
    size_t n;
    const double *buckets;          /* histograms: nb ascending upper bounds */
    size_t nb;
    size_t off;                     /* offsetof the series pointer (or array) */
};

/* Register the n families of table t in order (the order of the
 * exposition), storing each row's series in the struct at base.  0
 * (every series pointer NULL when reg is NULL), -EINVAL on a bad
 * declaration, -ENOMEM; the rows before a failing one stay registered. */
int iq_metrics_register_table(struct iq_metrics *reg, const struct iq_metric_def *t, size_t n,
                              void *base);
#define IQ_METRICS_TABLE_N(t) (sizeof(t) / sizeof((t)[0]))

/* Counters: add 1, n, or a non-negative float amount (seconds). */
void iq_metric_inc(struct iq_metric *m);
void iq_metric_add(struct iq_metric *m, uint64_t n);
void iq_metric_add_float(struct iq_metric *m, double v);

/* Gauges: set to v, or move by delta.  A gauge is either set or moved,
 * not both.  iq_metric_set also mirrors a counter kept elsewhere (a
 * collect hook copying a total). */
void iq_metric_set(struct iq_metric *m, double v);
void iq_metric_gauge_add(struct iq_metric *m, int64_t delta);

/* Histograms: count one observation of v (seconds, bytes, ...). */
void iq_metric_observe(struct iq_metric *m, double v);

/* The current value of a counter or gauge, or the sum of a histogram;
 * iq_metric_count gives a histogram's number of observations (a
 * counter's integer part otherwise).  0 for NULL. */
double iq_metric_value(const struct iq_metric *m);
uint64_t iq_metric_count(const struct iq_metric *m);

/* A collect hook: fn(ud) runs under the registry's lock before every
 * rendering, to set gauges from state kept elsewhere.  It must not call
 * iq_metrics_family, iq_metric_get or the hook functions.  Returns a hook
 * id (> 0) or -ENOMEM; 0 when reg is NULL. */
int iq_metrics_hook_add(struct iq_metrics *reg, void (*fn)(void *ud), void *ud);

/* Remove hook id: once this returns, fn is neither running nor called
 * again, so ud may be freed.  Unknown ids and id 0 are ignored. */
void iq_metrics_hook_remove(struct iq_metrics *reg, int id);

/* Run the hooks and render every family, in registration order, as the
 * text exposition format 0.0.4 (HELP and TYPE lines, escaped label
 * values, cumulative histogram buckets with _sum and _count).  Caller
 * owns *ret (NUL-terminated).  0, -ENOMEM, -E2BIG past
 * IQ_METRICS_PAGE_MAX. */
int iq_metrics_render(struct iq_metrics *reg, char **ret, size_t *ret_len);

/* The standard process_* metrics, read from /proc at each rendering as
 * the Prometheus client libraries do: process_cpu_seconds_total,
 * process_resident_memory_bytes, process_virtual_memory_bytes,
 * process_open_fds, process_max_fds, process_start_time_seconds.
 * (iq_metrics_proc.c.)  0, -ENOMEM; 0 when reg is NULL. */
int iq_metrics_process_register(struct iq_metrics *reg);

#endif

/* iq_metrics_proc.c - the standard process_* metrics from /proc, as the
 * Prometheus client libraries export them (client_golang's process
 * collector): CPU time, resident and virtual memory, open and maximum
 * file descriptors, start time.
 *
 * A collect hook reads /proc/self/stat (utime, stime, vsize, rss) and
 * counts /proc/self/fd at each scrape; the start time is computed once,
 * from the boot time in /proc/stat plus the process's start in clock
 * ticks.  Where /proc is missing the gauges stay at their last value (0
 * at first): a scrape never fails for them. */
#include "iq_metrics.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "iq_file.h"

#define PROC_FILE_MAX 65536

struct proc_metrics {
    struct iq_metric *cpu, *rss, *vsize, *open_fds, *max_fds, *start;
};

/* The process_* families, in exposition order (client_golang's names and
 * help texts). */
static const struct iq_metric_def families[] = {
    { IQ_METRIC_COUNTER, "process_cpu_seconds_total",
      "Total user and system CPU time spent in seconds.",
      .off = offsetof(struct proc_metrics, cpu) },
    { IQ_METRIC_GAUGE, "process_resident_memory_bytes", "Resident memory size in bytes.",
      .off = offsetof(struct proc_metrics, rss) },
    { IQ_METRIC_GAUGE, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
      .off = offsetof(struct proc_metrics, vsize) },
    { IQ_METRIC_GAUGE, "process_open_fds", "Number of open file descriptors.",
      .off = offsetof(struct proc_metrics, open_fds) },
    { IQ_METRIC_GAUGE, "process_max_fds", "Maximum number of open file descriptors.",
      .off = offsetof(struct proc_metrics, max_fds) },
    { IQ_METRIC_GAUGE, "process_start_time_seconds",
      "Start time of the process since unix epoch in seconds.",
      .off = offsetof(struct proc_metrics, start) },
};

/* The proc metrics of the registry that registered them (one per
 * process: every registry reads the same /proc/self). */
static struct proc_metrics proc;

/* Field k (1-based, as in proc(5)) of /proc/self/stat, after the command
 * name in parentheses (which may hold spaces), into ret.  0 or -EINVAL. */
static int stat_field(const char *stat, int k, unsigned long long *ret)
{
    const char *p = strrchr(stat, ')');
    char *end;
    int field = 2;

    if (!p)
        return -EINVAL;
    p++;
    while (*p && field < k) {
        while (*p == ' ')
            p++;
        field++;
        if (field == k)
            break;
        while (*p && *p != ' ')
            p++;
    }
    if (field != k || *p < '0' || *p > '9')
        return -EINVAL;
    errno = 0;
    *ret = strtoull(p, &end, 10);
    return errno || end == p ? -EINVAL : 0;
}

static long count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    long n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n > 0 ? n - 1 : 0;    /* not the descriptor of the listing itself */
}

/* Seconds since the epoch when the process started: boot time plus the
 * start in clock ticks.  -1 when unknown. */
static double start_time(const char *stat, long ticks)
{
    unsigned long long start;
    char *text = NULL, *p, *end;
    size_t n;
    double btime = -1;

    if (stat_field(stat, 22, &start) < 0 || iq_read_file("/proc/stat", 1 << 20, &text, &n) < 0)
        return -1;
    p = strstr(text, "\nbtime ");
    if (p) {
        errno = 0;
        btime = (double)strtoull(p + 7, &end, 10);
        if (errno || end == p + 7)
            btime = -1;
    }
    free(text);
    return btime < 0 ? -1 : btime + (double)start / (double)ticks;
}

static void collect(void *ud)
{
    struct proc_metrics *pm = ud;
    unsigned long long ut, st, vsize, rss;
    long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE), fds = count_fds();
    struct rlimit rl;
    char *stat = NULL;
    size_t n;

    if (fds >= 0)
        iq_metric_set(pm->open_fds, (double)fds);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        iq_metric_set(pm->max_fds, rl.rlim_cur == RLIM_INFINITY ? -1 : (double)rl.rlim_cur);
    if (ticks <= 0 || page <= 0 || iq_read_file("/proc/self/stat", PROC_FILE_MAX, &stat, &n) < 0)
        return;
    if (stat_field(stat, 14, &ut) == 0 && stat_field(stat, 15, &st) == 0)
        iq_metric_set(pm->cpu, (double)(ut + st) / (double)ticks);
    if (stat_field(stat, 23, &vsize) == 0)
        iq_metric_set(pm->vsize, (double)vsize);
    if (stat_field(stat, 24, &rss) == 0)
        iq_metric_set(pm->rss, (double)rss * (double)page);
    free(stat);
}

int iq_metrics_process_register(struct iq_metrics *reg)
{
    struct proc_metrics *pm = &proc;
    long ticks = sysconf(_SC_CLK_TCK);
    char *stat = NULL;
    size_t n;
    double t;
    int r;

    if (!reg)
        return 0;
    if ((r = iq_metrics_register_table(reg, families, IQ_METRICS_TABLE_N(families), pm)) < 0)
        return r;
    if (ticks > 0 && iq_read_file("/proc/self/stat", PROC_FILE_MAX, &stat, &n) == 0) {
        if ((t = start_time(stat, ticks)) >= 0)
            iq_metric_set(pm->start, t);
        free(stat);
    }
    r = iq_metrics_hook_add(reg, collect, pm);
    return r < 0 ? r : 0;
}

/* correlate.c - benchmark of the correlator on a real RocksDB store.
 *
 *   build/bench/correlate [--events N] [--store DIR] [--dir DIR]
 *                         [--fill | --rebuild | --updates M] [--budget BYTES]
 * A store of N canonical events (default 1,000,000) forming N/100
 * incidents is written under DIR (default $TMPDIR), or kept in --store DIR
 * (written there when absent, reused when present).  Then, each step in
 * the process that runs it, so that its peak RSS is its own:
 *   --fill      only write the store (needs --store) and compact it fully,
 *               as a store that has lived a while is (the compaction's
 *               time is printed, not charged to the steps below);
 *   --rebuild   the baseline, a bare scan of every stored value decoded
 *               on one thread (the floor a rebuild cannot beat), then the
 *               full rebuild (streaming, cor_stream.h): events/s, CPU time
 *               of each thread, peak RSS, and rebuild/baseline;
 *   --updates M the incremental cost: M single events, each stored and
 *               followed by the update the daemon runs for it
 *               (cor_engine_update over its time), half in the last 20
 *               incidents and half late in 97 incidents in the middle of
 *               history (so that no incident grows with M): CPU per event
 *               of the updating thread, and of the process with RocksDB's
 *               background flushes and compactions; baseline, in the same
 *               run, M single events only stored;
 * and without any of them all three.  Each result is also printed as one
 * line "RESULT key=value ..." for bench/correlate.sh, which runs the
 * sizes, the repeats and the ratios.
 *
 * Each incident: a deploy 20 minutes before, 20 alerts firing and
 * resolved, a page triggered/acknowledged/resolved, four status-page
 * updates and two component changes, one log error-rate rise and 30 chat
 * messages in a linked channel; incidents are 2 hours apart on 50
 * services.  A store made in DIR is removed afterwards. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cor_arena.h"
#include "cor_config.h"
#include "cor_decode.h"
#include "cor_engine.h"
#include "cor_stream.h"
#include "store.h"
#include "iq_event.h"
#include "iq_time.h"

#define T0 1767225600000LL       /* 2026-01-01T00:00:00Z */
#define MIN 60000LL
#define PER_INCIDENT 100
#define BATCH 10000
static struct iq_event *ev_new(const char *id, const char *kind, const char *action,
                               const char *service, int64_t at)
{
    struct iq_event *ev = iq_event_new();

    if (!ev)
        abort();
    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_SOURCE, "bench");
    iq_event_set_str(ev, IQ_F_KIND, kind);
    iq_event_set_str(ev, IQ_F_ACTION, action);
    if (service)
        iq_event_set_str(ev, IQ_F_SERVICE, service);
    ev->at = at;
    return ev;
}

/* Event j (0..99) of incident k. */
static struct iq_event *gen(uint64_t k, int j)
{
    char id[64], svc[32], fp[48], key[48];
    int64_t t = T0 + (int64_t)k * 120 * MIN;
    struct iq_event *ev;

    snprintf(id, sizeof(id), "b%llu-%d", (unsigned long long)k, j);
    snprintf(svc, sizeof(svc), "svc-%llu", (unsigned long long)(k % 50));
    if (j == 0) {
        ev = ev_new(id, "deploy", "succeeded", svc, t - 20 * MIN);
        iq_event_set_label(ev, "sha", id);
    } else if (j <= 40) {
        int a = (j - 1) % 20;

        snprintf(fp, sizeof(fp), "fp-%llu-%d", (unsigned long long)k, a);
        ev = ev_new(id, "alert", j <= 20 ? "firing" : "resolved", svc,
                    t + (j <= 20 ? a * 10000LL : 40 * MIN + a * 10000LL));
        iq_event_set_str(ev, IQ_F_SEVERITY, a % 3 ? "warning" : "critical");
        iq_event_set_label(ev, "fingerprint", fp);
    } else if (j <= 43) {
        static const char *const act[] = { "triggered", "acknowledged", "resolved" };
        static const int64_t off[] = { 1, 4, 55 };

        snprintf(key, sizeof(key), "PD%llu", (unsigned long long)k);
        ev = ev_new(id, "page", act[j - 41], svc, t + off[j - 41] * MIN);
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, key);
        if (j == 42)
            iq_event_set_str(ev, IQ_F_ACTOR, "responder");
    } else if (j <= 47) {
        static const char *const act[] = { "investigating", "identified", "monitoring", "resolved" };

        snprintf(key, sizeof(key), "SP%llu", (unsigned long long)k);
        ev = ev_new(id, "status", act[j - 44], svc, t + (10 + 12 * (j - 44)) * MIN);
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, key);
    } else if (j <= 49) {
        ev = ev_new(id, "status", j == 48 ? "partial_outage" : "operational", svc,
                    t + (j == 48 ? 11 : 48) * MIN);
        iq_event_set_label(ev, "component", "API");
    } else if (j == 50) {
        ev = ev_new(id, "log", "error_rate_rise", svc, t - 2 * MIN);
    } else {
        ev = ev_new(id, "chat", "posted", NULL, t + (j - 50) * MIN);
        iq_event_set_str(ev, IQ_F_ACTOR, "U1");
        iq_event_set_label(ev, "channel", "incidents");
    }
    return ev;
}

static int fill(struct store *st, uint64_t n_events)
{
    struct iq_event **evs = calloc(BATCH, sizeof(*evs));
    uint8_t *out = calloc(BATCH, 1);
    char err[IQ_ERR_MAX];
    uint64_t done = 0;
    int r = 0;

    if (!evs || !out)
        return -ENOMEM;
    while (done < n_events && r >= 0) {
        size_t n = 0;

        for (; n < BATCH && done < n_events; n++, done++) {
            evs[n] = gen(done / PER_INCIDENT, (int)(done % PER_INCIDENT));
            if (iq_event_validate(evs[n], err, sizeof(err)) < 0) {
                fprintf(stderr, "correlate bench: generated event invalid: %s\n", err);
                abort();
            }
        }
        r = store_put_events(st, evs, n, out);
        for (size_t i = 0; i < n; i++)
            iq_event_destroy(&evs[i]);
    }
    free(evs);
    free(out);
    return r < 0 ? r : 0;
}

/* User + system CPU time of the process (every thread) so far, in ms: on a
 * shared machine it varies less than the wall clock. */
static int64_t cpu_ms(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return 0;
    return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static double cpu_us(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* CPU time of the calling thread, in microseconds: the correlator's own
 * work, without RocksDB's background flushes and compactions. */
static double thread_us(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
        return 0;
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Peak resident set size of the process, in MB. */
static long peak_rss_mb(void)
{
    struct rusage ru;

    return getrusage(RUSAGE_SELF, &ru) < 0 ? 0 : ru.ru_maxrss / 1024;
}

/* Where the rebuild's memory is at its end: peak RSS after the baseline
 * alone, RocksDB's parts (store_memory) and the malloc heap in use. */
static void memory_parts(struct store *st, long base_peak_mb)
{
    struct store_memory m;
    struct mallinfo2 mi = mallinfo2();

    store_memory(st, &m);
    printf("rebuild memory:  peak RSS %ld MB after the baseline alone; at the end RocksDB "
           "memtables %.1f MB, block cache %.1f MB (pinned %.1f), table readers %.1f MB; "
           "malloc in use %.1f MB (heap %.1f MB, mmapped %.1f MB)\n", base_peak_mb,
           m.memtables / 1048576.0, m.block_cache / 1048576.0, m.block_cache_pinned / 1048576.0,
           m.table_readers / 1048576.0, (double)mi.uordblks / 1048576.0,
           (double)mi.arena / 1048576.0, (double)mi.hblkhd / 1048576.0);
}

/* ---- rebuild ---- */

struct scan {
    struct cor_arena arena;
    size_t n;
};

static int scan_one(void *ud, const char *val, size_t len)
{
    struct scan *s = ud;
    struct cor_arena_mark m;
    struct iq_event *ev;

    cor_arena_mark(&s->arena, &m);
    if (cor_decode(&s->arena, val, len, &ev) == 0)
        s->n++;
    cor_arena_rewind(&s->arena, &m);
    return 0;
}

/* The baseline: every stored value read and decoded, one thread. */
static int baseline_scan(struct store *st, size_t *ret_n, int64_t *ret_ms)
{
    struct store_filter sc = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE, .bulk = true };
    struct scan s = { .n = 0 };
    int64_t t0 = iq_time_mono_ms();
    int r;

    r = store_scan(st, &sc, scan_one, &s);
    *ret_ms = iq_time_mono_ms() - t0;
    *ret_n = s.n;
    cor_arena_release(&s.arena);
    return r;
}

static int rebuild(struct store *st, const struct cor_config *cfg)
{
    struct cor_result res = { 0 };
    struct cor_stream_stats ss;
    size_t nb = 0;
    int64_t tb = 0, t0, c0, t, c, busier;
    long base_peak;
    int r;

    if ((r = baseline_scan(st, &nb, &tb)) < 0)
        return r;
    printf("baseline:        scan + decode of %zu stored events on one thread in %lld ms "
           "= %.0f events/s\n", nb, (long long)tb, tb ? nb * 1000.0 / (double)tb : 0.0);
    fflush(stdout);
    base_peak = peak_rss_mb();
    c0 = cpu_ms();
    t0 = iq_time_mono_ms();
    if ((r = cor_stream_rebuild(st, cfg, &res, &ss)) < 0)
        return r;
    t = iq_time_mono_ms() - t0;
    c = cpu_ms() - c0;
    busier = ss.read_cpu_ms > ss.walk_cpu_ms ? ss.read_cpu_ms : ss.walk_cpu_ms;
    printf("full rebuild:    %zu incidents from %zu events in %lld ms = %.0f events/s "
           "(target 1000000 on 2 cores)\n", res.n, res.events, (long long)t,
           t ? (double)res.events * 1000.0 / (double)t : 0.0);
    printf("rebuild cpu:     %lld ms user+sys: reading thread %lld ms, walking thread %lld ms "
           "(%.0f events per CPU-second of the busier one; %zu of %zu batches classified by the "
           "reader); %zu compactions, %.1f MB of events "
           "held at most (budget %.1f MB); peak RSS %ld MB (target < 256)\n", (long long)c,
           (long long)ss.read_cpu_ms, (long long)ss.walk_cpu_ms,
           (double)res.events * 1000.0 / (double)(busier + 1), ss.reader_classified, ss.batches,
           ss.compactions,
           (double)ss.peak_bytes / 1048576.0, (double)cfg->rebuild_memory / 1048576.0,
           peak_rss_mb());
    memory_parts(st, base_peak);
    printf("ratio rebuild/baseline: %.2f (events/s)\n",
           tb && t ? ((double)res.events / (double)t) / ((double)nb / (double)tb) : 0.0);
    printf("RESULT rebuild events=%zu incidents=%zu wall_ms=%lld cpu_ms=%lld read_ms=%lld "
           "walk_ms=%lld rss_mb=%ld base_events=%zu base_ms=%lld\n", res.events, res.n,
           (long long)t, (long long)c, (long long)ss.read_cpu_ms, (long long)ss.walk_cpu_ms,
           peak_rss_mb(), nb, (long long)tb);
    cor_result_free(&res);
    return 0;
}

/* ---- incremental ---- */

/* The event of update u: chat in a linked channel, in incident k. */
static struct iq_event *update_event(const char *tag, int u, uint64_t k)
{
    char id[96];
    struct iq_event *ev;

    snprintf(id, sizeof(id), "%s-%d-%ld", tag, u, (long)getpid());
    ev = ev_new(id, "chat", "posted", NULL, T0 + (int64_t)k * 120 * MIN + 30 * MIN + u);
    iq_event_set_str(ev, IQ_F_ACTOR, "U2");
    iq_event_set_label(ev, "channel", "incidents");
    return ev;
}

/* M single events, each stored (and, with correlate, followed by the
 * daemon's update for it); half at the end of history, half late in the
 * middle of it.  *ret_us: CPU microseconds per event of the process (with
 * RocksDB's background work), *ret_own_us of this thread alone. */
static int singles(struct store *st, const struct cor_config *cfg, uint64_t incs, int m,
                   bool correlate, double *ret_us, double *ret_own_us)
{
    double c0 = cpu_us(), o0 = thread_us();
    uint8_t out[1];
    int r = 0;

    for (int u = 0; u < m && r >= 0; u++) {
        /* spread over recent incidents (20) and older ones (97), so that
         * no incident grows with the number of updates measured: an
         * update costs in proportion to the incidents it touches */
        uint64_t k = u % 2 ? incs - 1 - (uint64_t)(u / 2) % 20 : incs / 2 + (uint64_t)u % 97;
        struct iq_event *ev = update_event(correlate ? "late" : "put", u, k);
        struct cor_result res;

        r = store_put_events(st, &ev, 1, out);
        if (r >= 0 && correlate &&
            (r = cor_engine_update(st, cfg, ev->at, ev->at, IQ_TIME_NONE, &res)) >= 0)
            cor_result_free(&res);
        iq_event_destroy(&ev);
    }
    *ret_us = (cpu_us() - c0) / (m ? m : 1);
    *ret_own_us = (thread_us() - o0) / (m ? m : 1);
    return r < 0 ? r : 0;
}

static int incremental(struct store *st, const struct cor_config *cfg, uint64_t n_events,
                       int m)
{
    uint64_t incs = n_events / PER_INCIDENT;
    double put_us = 0, upd_us = 0, put_own = 0, upd_own = 0;
    int64_t t0 = iq_time_mono_ms();
    int r;

    if ((r = singles(st, cfg, incs, m, false, &put_us, &put_own)) < 0 ||
        (r = singles(st, cfg, incs, m, true, &upd_us, &upd_own)) < 0)
        return r;
    printf("incremental:     %d single events stored and correlated as the daemon does, half "
           "of them late: cpu %.3f ms per event in the updating thread (target <= 1), %.3f ms "
           "with RocksDB's background work; baseline, storing alone: %.3f ms (%.3f); ratio "
           "%.1f (%lld ms wall in all)\n", m, upd_own / 1000.0, upd_us / 1000.0,
           put_own / 1000.0, put_us / 1000.0, put_own > 0 ? upd_own / put_own : 0.0,
           (long long)(iq_time_mono_ms() - t0));
    printf("RESULT updates n=%d cpu_us=%.1f proc_us=%.1f put_us=%.1f put_proc_us=%.1f\n", m,
           upd_own, upd_us, put_own, put_us);
    return 0;
}

/* ---- main ---- */

/* A decimal count with nothing after it.  0 or -EINVAL. */
static int parse_count(const char *s, uint64_t *ret)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -EINVAL;
    *ret = v;
    return 0;
}

struct args {
    uint64_t events, budget;
    int updates;
    const char *base, *keep;
    bool fill, rebuild, update, sized;
};

static int parse_args(int argc, char **argv, struct args *a)
{
    for (int i = 1; i < argc; i++) {
        uint64_t v = 0;
        bool num = i + 1 < argc && parse_count(argv[i + 1], &v) == 0;

        if (strcmp(argv[i], "--fill") == 0)
            a->fill = true;
        else if (strcmp(argv[i], "--rebuild") == 0)
            a->rebuild = true;
        else if (strcmp(argv[i], "--events") == 0 && num && v >= PER_INCIDENT && v <= 100000000)
            a->events = v, a->sized = true, i++;
        else if (strcmp(argv[i], "--updates") == 0 && num && v <= 100000)
            a->updates = (int)v, a->update = true, i++;
        else if (strcmp(argv[i], "--budget") == 0 && num && v >= 1024)
            a->budget = v, i++;
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            a->base = argv[++i];
        else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc && strlen(argv[i + 1]) < 400)
            a->keep = argv[++i];
        else
            return -EINVAL;
    }
    if (a->fill && !a->keep)
        return -EINVAL;
    if (!a->fill && !a->rebuild && !a->update)
        a->rebuild = a->update = true;
    return 0;
}

/* The store in dir written when it is not there yet. */
static int ensure_filled(struct store *st, const char *dir, bool filled, struct args *a)
{
    int64_t t0, c0;
    int r;

    if (filled) {
        if (!a->sized) {
            a->events = store_count_estimate(st);
            a->events -= a->events % PER_INCIDENT;
        }
        return 0;
    }
    printf("writing %llu events (%llu incidents) to %s ...\n", (unsigned long long)a->events,
           (unsigned long long)(a->events / PER_INCIDENT), dir);
    fflush(stdout);
    t0 = iq_time_mono_ms();
    if ((r = fill(st, a->events)) < 0)
        return r;
    t0 = iq_time_mono_ms() - t0;
    printf("store fill:      %lld ms (%.0f events/s)\n", (long long)t0,
           t0 ? a->events * 1000.0 / (double)t0 : 0.0);
    /* a store that has lived a while is compacted: without this, the
     * compactions owed by the fill would run during the steps below and
     * be charged to them (their CPU, their RSS) */
    t0 = iq_time_mono_ms();
    c0 = cpu_ms();
    if ((r = store_compact(st)) < 0)
        return r;
    printf("store compacted: %lld ms, %lld ms CPU (not counted below)\n",
           (long long)(iq_time_mono_ms() - t0), (long long)(cpu_ms() - c0));
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    struct args a = { .events = 1000000, .updates = 200 };
    char dir[512], err[IQ_ERR_MAX], cmd[600], probe[600];
    bool filled = false;
    struct store *st = NULL;
    struct cor_config cfg;
    json_t *sec;
    int r;

    a.base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    if (parse_args(argc, argv, &a) < 0) {
        fprintf(stderr, "usage: correlate [--events N (%d..100000000)] [--dir DIR] [--store DIR] "
                "[--fill | --rebuild | --updates M (0..100000)] [--budget BYTES]\n", PER_INCIDENT);
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s/iq-bench-cor.XXXXXX", a.base);
    if (a.keep) {
        snprintf(dir, sizeof(dir), "%s", a.keep);
        snprintf(probe, sizeof(probe), "%s/CURRENT", a.keep);
        filled = access(probe, F_OK) == 0;
    } else if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    cor_config_init(&cfg);
    sec = json_pack("{s:[s]}", "linked_channels", "incidents");
    if (cor_config_apply(&cfg, sec, err, sizeof(err)) < 0) {
        fprintf(stderr, "correlate bench: %s\n", err);
        return 2;
    }
    json_decref(sec);
    if (a.budget)
        cfg.rebuild_memory = a.budget;
    /* as `inquest correlate --rebuild` opens it */
    if ((r = store_open(dir, &(struct store_opts){ .write_buffer = COR_REBUILD_WRITE_BUFFER, .log_level = getenv("CORBENCH_LOG") ? 4 : 0 },
                            &st)) < 0 ||
        (r = ensure_filled(st, dir, filled, &a)) < 0)
        goto out;
    if (a.rebuild && (r = rebuild(st, &cfg)) < 0)
        goto out;
    if (a.update && (r = incremental(st, &cfg, a.events, a.updates)) < 0)
        goto out;
out:
    if (r < 0)
        fprintf(stderr, "correlate bench: %s\n", strerror(-r));
    store_close(&st);
    cor_config_release(&cfg);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (!a.keep && system(cmd) != 0)
        fprintf(stderr, "correlate bench: could not remove %s\n", dir);
    return r < 0 ? 1 : 0;
}

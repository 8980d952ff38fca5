/* correlate.c - benchmark of the correlator on a real RocksDB store.
 *
 *   build/bench/correlate [--events N] [--dir DIR] [--updates M]
 * Writes N canonical events (default 1,000,000) forming N/100 incidents
 * into a fresh store under DIR (default $TMPDIR) with ing_store_put_events,
 * then times:
 *   - a full rebuild (read, classify, group, milestones, JSON, write):
 *     events/s, target >= 500,000;
 *   - the incremental cost: M single events (default 200), each stored and
 *     followed by the partial rebuild the daemon runs (cor_engine_rebuild
 *     from its time), half at the end of history and half late, in the
 *     middle of it: ms per event.
 * Each incident: a deploy 20 minutes before, 20 alerts firing and resolved,
 * a page triggered/acknowledged/resolved, four status-page updates and two
 * component changes, one log error-rate rise and 30 chat messages in a
 * linked channel; incidents are 2 hours apart on 50 services.  The store is
 * removed afterwards, unless given with --store DIR: then it is kept, and
 * a store already there is reused without writing (for profiling the
 * rebuild alone; use --updates 0 so it is not changed). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cor_config.h"
#include "cor_engine.h"
#include "cor_stream.h"
#include "ing_store.h"
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

static int fill(struct ing_store *st, uint64_t n_events)
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
        r = ing_store_put_events(st, evs, n, out);
        for (size_t i = 0; i < n; i++)
            iq_event_destroy(&evs[i]);
    }
    free(evs);
    free(out);
    return r < 0 ? r : 0;
}

/* M single events, each stored then correlated as the daemon does. */
static int incremental(struct ing_store *st, const struct cor_config *cfg, uint64_t n_events,
                       int updates, double *ret_ms)
{
    uint64_t incs = n_events / PER_INCIDENT;
    int64_t t0 = iq_time_mono_ms();
    uint8_t out[1];
    int r = 0;

    for (int u = 0; u < updates && r >= 0; u++) {
        /* half at the end of history, half late in the middle of it */
        uint64_t k = u % 2 ? incs - 1 : incs / 2 + (uint64_t)u % 97;
        char id[64];
        struct cor_result res;
        struct iq_event *ev;

        snprintf(id, sizeof(id), "late-%d", u);
        ev = ev_new(id, "chat", "posted", NULL, T0 + (int64_t)k * 120 * MIN + 30 * MIN + u);
        iq_event_set_str(ev, IQ_F_ACTOR, "U2");
        iq_event_set_label(ev, "channel", "incidents");
        r = ing_store_put_events(st, &ev, 1, out);
        if (r >= 0)
            r = cor_engine_rebuild(st, cfg, ev->at, ev->at, &res);
        if (r >= 0)
            cor_result_free(&res);
        iq_event_destroy(&ev);
    }
    *ret_ms = (double)(iq_time_mono_ms() - t0) / (updates ? updates : 1);
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

/* Peak resident set size of the process, in MB. */
static long peak_rss_mb(void)
{
    struct rusage ru;

    return getrusage(RUSAGE_SELF, &ru) < 0 ? 0 : ru.ru_maxrss / 1024;
}

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

int main(int argc, char **argv)
{
    uint64_t n_events = 1000000;
    int updates = 200;
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    const char *keep = NULL;
    char dir[512], err[IQ_ERR_MAX], cmd[600], probe[600];
    bool filled = false;
    struct ing_store *st = NULL;
    struct cor_config cfg;
    struct cor_result res = { 0 };
    json_t *sec;
    int64_t t0, t_fill, t_rebuild, c0, c_rebuild, c_incr;
    long rss_fill;
    double per_event = 0;
    int r;

    for (int i = 1; i < argc; i += 2) {
        uint64_t v = 0;
        bool num = i + 1 < argc && parse_count(argv[i + 1], &v) == 0;

        if (strcmp(argv[i], "--events") == 0 && num && v >= PER_INCIDENT && v <= 100000000)
            n_events = v;
        else if (strcmp(argv[i], "--updates") == 0 && num && v <= 100000)
            updates = (int)v;
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            base = argv[i + 1];
        else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc && strlen(argv[i + 1]) < 400)
            keep = argv[i + 1];
        else {
            fprintf(stderr, "usage: correlate [--events N (%d..100000000)] [--dir DIR] "
                    "[--updates M (0..100000)] [--store DIR]\n", PER_INCIDENT);
            return 2;
        }
    }
    snprintf(dir, sizeof(dir), "%s/iq-bench-cor.XXXXXX", base);
    if (keep) {
        snprintf(dir, sizeof(dir), "%s", keep);
        snprintf(probe, sizeof(probe), "%s/CURRENT", keep);
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
    if (getenv("BUDGET"))
        cfg.rebuild_memory = strtoull(getenv("BUDGET"), NULL, 10);
    r = ing_store_open(dir, &(struct ing_store_opts){ 0 }, &st);
    if (r < 0)
        goto out;
    printf("%s %llu events (%llu incidents) %s %s ...\n", filled ? "reusing" : "writing",
           (unsigned long long)n_events, (unsigned long long)(n_events / PER_INCIDENT),
           filled ? "in" : "to", dir);
    fflush(stdout);
    t0 = iq_time_mono_ms();
    if (!filled && (r = fill(st, n_events)) < 0)
        goto out;
    t_fill = iq_time_mono_ms() - t0;
    rss_fill = peak_rss_mb();
    c0 = cpu_ms();
    t0 = iq_time_mono_ms();
    {
        struct cor_stream_stats ss;
        if ((r = cor_stream_rebuild(st, &cfg, &res, &ss)) < 0)
            goto out;
        printf("stream: read %lld ms walk %lld ms, %zu compactions, peak %zu bytes\n", (long long)ss.read_cpu_ms, (long long)ss.walk_cpu_ms, ss.compactions, ss.peak_bytes);
    }
    t_rebuild = iq_time_mono_ms() - t0;
    c_rebuild = cpu_ms() - c0;
    printf("store fill:      %lld ms (%.0f events/s)\n", (long long)t_fill,
           t_fill ? n_events * 1000.0 / (double)t_fill : 0.0);
    printf("full rebuild:    %zu incidents from %zu events in %lld ms = %.0f events/s "
           "(target 500000)\n", res.n, res.events, (long long)t_rebuild,
           t_rebuild ? (double)res.events * 1000.0 / (double)t_rebuild : 0.0);
    printf("rebuild cpu:     %lld ms user+sys (%.0f events per cpu-s); peak RSS %ld MB "
           "after fill, %ld MB after rebuild\n", (long long)c_rebuild,
           c_rebuild ? (double)res.events * 1000.0 / (double)c_rebuild : 0.0, rss_fill,
           peak_rss_mb());
    fflush(stdout);
    c0 = cpu_ms();
    if ((r = incremental(st, &cfg, n_events, updates, &per_event)) < 0)
        goto out;
    c_incr = cpu_ms() - c0;
    printf("incremental:     %.2f ms per event (%d single events stored and correlated, "
           "half of them late); cpu %.2f ms per event\n", per_event, updates,
           updates ? (double)c_incr / updates : 0.0);
out:
    if (r < 0)
        fprintf(stderr, "correlate bench: %s\n", strerror(-r));
    cor_result_free(&res);
    ing_store_close(&st);
    cor_config_release(&cfg);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (!keep && system(cmd) != 0)
        fprintf(stderr, "correlate bench: could not remove %s\n", dir);
    return r < 0 ? 1 : 0;
}

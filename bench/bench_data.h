/* bench_data.h - the data the benchmarks share, so that each measures the
 * same realistic shapes: a busy three-day incident of N events with its
 * incident JSON (bench/svg.c, bench/ui.c), a history of stored incidents
 * (bench/query.c, bench/ui.c), and the timing helpers.  Header-only (each
 * bench/<name>.c is its own program), every function static inline. */
#ifndef BENCH_DATA_H
#define BENCH_DATA_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "iq_event.h"
#include "iq_time.h"
#include "store.h"

#define BENCH_T0 1793602800000LL   /* 2026-11-02T08:00:00Z */
#define BENCH_SPAN (3 * 86400000LL - 3600000LL)

static const char *const bench_names[] = { "alice", "bob", "carol", "dave", "erin", "frank" };
static const char *const bench_comp_states[] = { "degraded_performance", "partial_outage", "major_outage",
                                           "degraded_performance", "operational" };
static const char *const bench_status_states[] = { "investigating", "identified", "monitoring" };

static inline struct iq_event *bench_ev_new(size_t i, const char *kind, const char *action, int64_t at)
{
    struct iq_event *ev = iq_event_new();
    char id[32];

    if (!ev)
        return NULL;
    snprintf(id, sizeof(id), "ev-%06zu", i);
    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_KIND, kind);
    iq_event_set_str(ev, IQ_F_ACTION, action);
    iq_event_set_str(ev, IQ_F_SERVICE, "search");
    ev->at = at;
    return ev;
}

/* Event i of n: the mix of a long, busy incident.  Caller owns; NULL on OOM. */
static inline struct iq_event *bench_event(size_t i, size_t n)
{
    int64_t at = BENCH_T0 + (int64_t)((double)BENCH_SPAN * (double)i / (double)n);
    size_t k = i % 20;
    struct iq_event *ev;
    char buf[160];

    if (k < 8) {   /* alerts: 300 identities, each resolved about 85 min after it fired */
        bool res = k % 2;
        size_t id = (i / 2 + (res ? 200 : 0)) % 300;

        if (!(ev = bench_ev_new(i, "alert", res ? "resolved" : "firing", at)))
            return NULL;
        snprintf(buf, sizeof(buf), "fp-%zu", id);
        iq_event_set_label(ev, "fingerprint", buf);
        snprintf(buf, sizeof(buf), "search-%zu:9100", id);
        iq_event_set_label(ev, "instance", buf);
        iq_event_set_str(ev, IQ_F_SOURCE, "alertmanager");
        iq_event_set_str(ev, IQ_F_SEVERITY, id % 7 ? "warning" : "critical");
        iq_event_set_str(ev, IQ_F_TITLE, id % 7 ? "SearchLatencyHigh" : "SearchErrors");
    } else if (k < 10) {   /* pages: trigger, acknowledge, resolve */
        static const char *const acts[] = { "triggered", "acknowledged", "resolved" };

        ev = bench_ev_new(i, "page", acts[(i / 20) % 3], at);
        if (!ev)
            return NULL;
        snprintf(buf, sizeof(buf), "P%zu", (i / 60) % 50);
        iq_event_set_str(ev, IQ_F_INCIDENT_KEY, buf);
        iq_event_set_str(ev, IQ_F_SOURCE, "pagerduty");
        iq_event_set_str(ev, IQ_F_TITLE, "[FIRING] SearchLatencyHigh search");
        iq_event_set_str(ev, IQ_F_ACTOR, bench_names[i % 6]);
    } else if (k == 10) {   /* status-page updates and component changes */
        bool comp = (i / 20) % 2;

        ev = bench_ev_new(i, "status", comp ? bench_comp_states[(i / 40) % 5] : bench_status_states[(i / 40) % 3], at);
        if (!ev)
            return NULL;
        iq_event_set_str(ev, IQ_F_SOURCE, "statuspage");
        iq_event_set_str(ev, IQ_F_TITLE, comp ? "Search API" : "Slow search results");
        if (comp)
            iq_event_set_label(ev, "component", (i / 40) % 3 ? "Search API" : "Indexing");
        else
            iq_event_set_str(ev, IQ_F_INCIDENT_KEY, "sp-90");
    } else if (k == 11 && (i / 20) % 10 == 0) {   /* deploys, changes, rollbacks */
        static const char *const kinds[] = { "deploy", "change", "deploy" };
        size_t w = (i / 200) % 3;

        ev = bench_ev_new(i, kinds[w], w == 2 ? "rolled_back" : "succeeded", at);
        if (!ev)
            return NULL;
        iq_event_set_str(ev, IQ_F_SOURCE, "github");
        snprintf(buf, sizeof(buf), "%s search v3.%zu", w == 1 ? "flag for" : "deploy", i / 200);
        iq_event_set_str(ev, IQ_F_TITLE, buf);
    } else {   /* chat */
        ev = bench_ev_new(i, "chat", "posted", at);
        if (!ev)
            return NULL;
        iq_event_set_str(ev, IQ_F_SOURCE, "slack");
        iq_event_set_str(ev, IQ_F_TITLE, "#inc-search");
        snprintf(buf, sizeof(buf), "looking at shard %zu, p99 at %zu ms, ping @%s", i % 40, 800 + i % 900,
                 bench_names[(i + 1) % 6]);
        iq_event_set_str(ev, IQ_F_TEXT, buf);
        iq_event_set_str(ev, IQ_F_ACTOR, bench_names[i % 6]);
    }
    return ev;
}

/* The incident of events evs (n >= 20, from bench_event): milestones on
 * its events, durations, impact, counts, a trigger candidate.  Caller owns. */
static inline json_t *bench_incident(struct iq_event *const *evs, size_t n)
{
    char at[6][IQ_TIME_STRLEN], dep[IQ_TIME_STRLEN];
    static const int64_t off[6] = { 3600000, 3630000, 4200000, 9000000, 180000000, 250000000 };
    const char *dep_id = NULL;

    for (size_t i = 0; i < 6; i++)
        iq_time_format(BENCH_T0 + off[i], at[i], sizeof(at[i]));
    for (size_t i = 0; i < n && !dep_id; i++)
        if (strcmp(iq_ev_kind(evs[i]), "deploy") == 0) {
            dep_id = iq_ev_id(evs[i]);
            iq_time_format(evs[i]->at, dep, sizeof(dep));
        }
    return json_pack("{s:s, s:s, s:[s], s:s, s:s, s:{s:{s:s,s:s,s:s}, s:{s:s,s:s,s:s}, s:{s:s,s:s,s:s},"
                     " s:{s:s,s:s,s:s}, s:{s:s,s:s,s:s}, s:{s:s,s:s,s:s}}, s:{s:I,s:I,s:I,s:I,s:I},"
                     " s:{s:{}, s:{}}, s:{s:I,s:I,s:I,s:I,s:I,s:I},"
                     " s:[{s:s, s:s, s:s, s:s, s:s, s:I, s:f, s:b, s:s}], s:[s]}",
                     "id", "inc-20261102-00000bec", "title", "SearchLatencyHigh on search",
                     "services", "search", "status", "resolved", "opened_at", at[0],
                     "milestones",
                     "impact_start", "at", at[0], "event", iq_ev_id(evs[0]), "rule", "alert_starts_at",
                     "detected", "at", at[1], "event", iq_ev_id(evs[2]), "rule", "alert_received",
                     "acknowledged", "at", at[2], "event", iq_ev_id(evs[8]), "rule", "page_acknowledged",
                     "identified", "at", at[3], "event", iq_ev_id(evs[10]), "rule", "status_identified",
                     "mitigated", "at", at[4], "event", iq_ev_id(evs[n / 2]), "rule", "alerts_resolved",
                     "resolved", "at", at[5], "event", iq_ev_id(evs[n - 1]), "rule", "status_resolved",
                     "durations", "time_to_detect", (json_int_t)30, "time_to_acknowledge", (json_int_t)600,
                     "time_to_mitigate", (json_int_t)176400, "time_to_resolve", (json_int_t)246400,
                     "impact", (json_int_t)176400,
                     "impact", "by_severity", "by_component_state",
                     "counts", "events", (json_int_t)n, "alerts", (json_int_t)300, "pages", (json_int_t)50,
                     "chat", (json_int_t)(n * 8 / 20), "deploys", (json_int_t)(n / 200),
                     "status_updates", (json_int_t)(n / 20),
                     "trigger_candidates", "event", dep_id ? dep_id : "none", "at", dep_id ? dep : at[0],
                     "service", "search", "title", "deploy search", "kind", "deploy",
                     "lead_time", (json_int_t)600, "score", 0.9, "likely", 1, "reason", "same service",
                     "components", "Search API");
}

#define BENCH_BASE 1735689600000LL   /* 2025-01-01T00:00:00Z */

static const char *const bench_classes[] = {
    "config-change", "deploy-regression", "capacity-overload", "dependency-failure", "dns",
    "certificate-expiry", "database", "network", "storage-full", "memory-exhaustion",
    "hardware-power", "time-clock", "error-handling", "security", "data-loss",
};

static uint64_t bench_rng = 88172645463325252ULL;

static inline unsigned bench_rnd(unsigned n)
{
    bench_rng ^= bench_rng << 13;
    bench_rng ^= bench_rng >> 7;
    bench_rng ^= bench_rng << 17;
    return (unsigned)(bench_rng % n);
}

static inline json_t *bench_dur(unsigned max)
{
    return bench_rnd(10) == 0 ? json_null() : json_integer(60 + bench_rnd(max));
}

/* Incident i of a history (one every 50 minutes from 2025-01-01, one to
 * three services of 40, a stored class of 15, durations set or null), put
 * into st's incidents family.  0, -ENOMEM or the store's error. */
static inline int bench_put_incident(struct store *st, size_t i)
{
    char id[32], at[IQ_TIME_STRLEN], svc[3][16], key[64], *s;
    unsigned ns = 1 + bench_rnd(3);
    json_t *inc, *svcs = json_array();
    size_t kl;
    int r;

    for (unsigned k = 0; k < ns; k++) {
        snprintf(svc[k], sizeof(svc[k]), "svc-%02u", bench_rnd(40));
        json_array_append_new(svcs, json_string(svc[k]));
    }
    snprintf(id, sizeof(id), "inc-20250101-%08zx", i);
    iq_time_format(BENCH_BASE + (int64_t)i * 3000000, at, sizeof(at));
    inc = json_pack("{s:s, s:s, s:o, s:s, s:s, s:{s:o, s:o, s:o, s:o, s:o}, s:[{s:s}]}",
                    "id", id, "title", "generated", "services", svcs,
                    "severity", bench_rnd(3) ? "warning" : "critical", "opened_at", at,
                    "durations", "time_to_detect", bench_dur(900), "time_to_acknowledge", bench_dur(1800),
                    "time_to_mitigate", bench_dur(7200), "time_to_resolve", bench_dur(14400),
                    "impact", bench_dur(7200), "classes", "class", bench_classes[bench_rnd(15)]);
    if (!inc)
        return -ENOMEM;
    s = json_dumps(inc, JSON_COMPACT);
    kl = (size_t)snprintf(key, sizeof(key), "i%s", id);
    r = s ? store_kv_put(st, STORE_CF_INCIDENTS, key, kl, s, strlen(s)) : -ENOMEM;
    free(s);
    json_decref(inc);
    return r;
}

/* Milliseconds from a to b. */
static inline double bench_ms(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

#endif

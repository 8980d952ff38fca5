/* tail_errrate.c - the error-rate signal of the log collector.
 *
 * A burst of error lines is often the earliest sign that impact began;
 * the correlator takes `kind: log` events with action error_rate_rise /
 * error_rate_normal and a service as impact evidence.  This module turns
 * the stream of matched error lines into those transitions.
 *
 * Design notes: one small record per service (linear search; a log file
 * names few services), holding the open minute, its count and whether the
 * signal is raised.  Lines older than the open minute count into it (logs
 * are nearly ordered; going back would re-open closed minutes).  A gap of
 * empty minutes after a rise closes as one quiet minute, which lowers the
 * signal. */
#include "tail_errrate.h"
#include "iq_hash.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tail.h"
#include "iq_event.h"
#include "iq_time.h"

#define MINUTE_MS 60000LL

struct svc {
    char *name;
    int64_t minute;       /* start of the open minute, IQ_TIME_NONE if none */
    uint32_t count;
    bool raised;
};

struct tail_errrate {
    uint32_t threshold;
    int64_t grace_ms;
    struct svc *svcs;
    uint32_t n;
};

int tail_errrate_new(uint32_t threshold, int64_t grace_ms, struct tail_errrate **ret)
{
    struct tail_errrate *e;

    if (threshold == 0 || grace_ms < 0)
        return -EINVAL;
    e = calloc(1, sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->threshold = threshold;
    e->grace_ms = grace_ms;
    *ret = e;
    return 0;
}

void tail_errrate_destroy(struct tail_errrate **pe)
{
    if (!pe || !*pe)
        return;
    for (uint32_t i = 0; i < (*pe)->n; i++)
        free((*pe)->svcs[i].name);
    free((*pe)->svcs);
    free(*pe);
    *pe = NULL;
}

static struct svc *find_svc(struct tail_errrate *e, const char *service)
{
    struct svc *ns;

    for (uint32_t i = 0; i < e->n; i++)
        if (strcmp(e->svcs[i].name, service) == 0)
            return &e->svcs[i];
    if (e->n >= TAIL_ERRRATE_SERVICES_MAX)
        return NULL;
    ns = realloc(e->svcs, (e->n + 1) * sizeof(*ns));
    if (!ns)
        return NULL;
    e->svcs = ns;
    ns[e->n] = (struct svc){ .name = strdup(service), .minute = IQ_TIME_NONE };
    if (!ns[e->n].name)
        return NULL;
    return &ns[e->n++];
}

/* Close the open minute of s with its count and report a transition. */
static int close_minute(struct tail_errrate *e, struct svc *s, tail_errrate_fn fn, void *ud)
{
    bool high = s->count >= e->threshold;
    int r = 0;

    if (high && !s->raised)
        r = fn(ud, s->name, "error_rate_rise", s->minute, s->count, e->threshold);
    else if (!high && s->raised)
        r = fn(ud, s->name, "error_rate_normal", s->minute, s->count, e->threshold);
    if (r < 0)
        return r;
    s->raised = high;
    s->minute = IQ_TIME_NONE;
    s->count = 0;
    return 0;
}

static int64_t minute_of(int64_t ms)
{
    int64_t m = ms / MINUTE_MS;

    if (ms < 0 && ms % MINUTE_MS)
        m--;
    return m * MINUTE_MS;
}

int tail_errrate_add(struct tail_errrate *e, const char *service, int64_t at_ms,
                     tail_errrate_fn fn, void *ud)
{
    struct svc *s = find_svc(e, service);
    int64_t m = minute_of(at_ms);
    int r;

    if (!s)
        return -ENOSPC;
    if (s->minute != IQ_TIME_NONE && m > s->minute) {
        int64_t closed = s->minute;

        if ((r = close_minute(e, s, fn, ud)) < 0)
            return r;
        if (s->raised && m > closed + MINUTE_MS) {
            s->minute = closed + MINUTE_MS;
            if ((r = close_minute(e, s, fn, ud)) < 0)
                return r;
        }
    }
    if (s->minute == IQ_TIME_NONE)
        s->minute = m;
    s->count++;
    return 0;
}

int tail_errrate_tick(struct tail_errrate *e, int64_t now_ms, tail_errrate_fn fn, void *ud)
{
    for (uint32_t i = 0; i < e->n; i++) {
        struct svc *s = &e->svcs[i];
        int r;

        if (s->minute == IQ_TIME_NONE)
            continue;
        if (now_ms != INT64_MAX && s->minute + MINUTE_MS + e->grace_ms > now_ms)
            continue;
        if ((r = close_minute(e, s, fn, ud)) < 0)
            return r;
    }
    return 0;
}

int tail_errrate_event(const char *service, const char *action, int64_t minute_ms,
                       uint32_t count, uint32_t threshold, struct iq_event **ret)
{
    struct iq_event *ev = iq_event_new();
    char id[IQ_ID_MAX], title[512], num[32];
    bool rise = strcmp(action, "error_rate_rise") == 0;
    int r = -ENOMEM;

    if (!ev)
        return -ENOMEM;
    snprintf(id, sizeof(id), "log-rate-%016llx-%lld-%s",
             (unsigned long long)iq_fnv1a(IQ_FNV_INIT, service, strlen(service)),
             (long long)minute_ms, rise ? "rise" : "normal");
    snprintf(title, sizeof(title), "%.200s: error lines %s %u per minute (threshold %u)", service,
             rise ? "rose to" : "fell back to", count, threshold);
    ev->at = minute_ms;
    ev->ends_at = minute_ms + MINUTE_MS;
    if (iq_event_set_str(ev, IQ_F_ID, id) < 0 || iq_event_set_str(ev, IQ_F_SOURCE, "tail") < 0 ||
        iq_event_set_str(ev, IQ_F_KIND, "log") < 0 ||
        iq_event_set_str(ev, IQ_F_ACTION, action) < 0 ||
        iq_event_set_str(ev, IQ_F_SERVICE, service) < 0 ||
        iq_event_set_str(ev, IQ_F_SEVERITY, rise ? "error" : "info") < 0 ||
        iq_event_set_str(ev, IQ_F_TITLE, title) < 0)
        goto fail;
    snprintf(num, sizeof(num), "%u", count);
    if (iq_event_set_label(ev, "error_lines", num) < 0)
        goto fail;
    snprintf(num, sizeof(num), "%u", threshold);
    if (iq_event_set_label(ev, "threshold", num) < 0 ||
        iq_event_set_label(ev, "window", "1m") < 0)
        goto fail;
    if ((r = iq_event_validate(ev, NULL, 0)) < 0)
        goto fail;
    *ret = ev;
    return 0;
fail:
    iq_event_destroy(&ev);
    return r;
}

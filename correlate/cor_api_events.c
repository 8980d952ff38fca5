/* cor_api_events.c - GET /api/v1/events on inquestd: the stored events, as
 * `inquest events` lists them from the data directory, for a CLI (or any
 * client) that reaches the daemon but not its disk.
 *
 *   GET /api/v1/events[?since=T][&until=T][&service=S][&kind=K]
 *
 * answers NDJSON (application/x-ndjson): one canonical event
 * (schemas/event.schema.json) a line, in the order of the store's by_time
 * index, or of its by_service index with service=S; T is RFC 3339 or
 * "-2h" style.  Stored values that cannot be decoded are skipped (and
 * counted in the daemon's log).  It needs the read role, like
 * every route the access table (http/http_access.c) does not name.
 *
 * Design notes: the handler runs on the HTTP server's threads and only
 * reads the store (thread-safe).  The answer is built in memory and
 * bounded (EVENTS_BODY_MAX): a scan that would pass the bound stops and
 * the request is answered 413 with the advice to narrow it, never a
 * truncated list that looks complete. */
#include "cor_api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iq_buf.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"
#include "store.h"

#define EVENTS_PATH "/api/v1/events"
#define EVENTS_BODY_MAX (64u * 1024 * 1024)
#define VALUE_MAX 256

struct scan_state {
    struct iq_buf body;
    const char *kind;        /* NULL: every kind */
    unsigned long skipped;
    bool full;
};

/* One stored value: its canonical JSON line onto the body. */
static int on_value(void *ud, const char *val, size_t len)
{
    struct scan_state *s = ud;
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX], *line = NULL;
    json_t *j = NULL;
    int r = 0;

    if (iq_event_decode(val, len, &ev, err, sizeof(err)) < 0) {
        s->skipped++;
        return 0;
    }
    if (!s->kind || strcmp(s->kind, iq_ev_kind(ev)) == 0) {
        j = iq_event_to_json(ev);
        line = j ? json_dumps(j, JSON_COMPACT) : NULL;
        r = line ? iq_buf_printf(&s->body, "%s\n", line) : -ENOMEM;
        if (r == -ENOBUFS)
            s->full = true;
    }
    free(line);
    json_decref(j);
    iq_event_destroy(&ev);
    return r;
}

/* The filter of the query string; -EINVAL with the parameter in bad. */
static int parse(const char *query, struct store_filter *f, char *service, char *kind,
                 bool *has_kind, const char **bad)
{
    static const char *const times[] = { "since", "until" };
    char v[VALUE_MAX];
    int r;

    for (int i = 0; i < 2; i++) {
        *bad = times[i];
        if ((r = http_query_get(query, times[i], v, sizeof(v))) < 0 ||
            (r > 0 && iq_time_parse_arg(v, i ? &f->until : &f->since) < 0))
            return -EINVAL;
    }
    *bad = "service";
    if ((r = http_query_get(query, "service", service, VALUE_MAX)) < 0)
        return -EINVAL;
    f->service = r > 0 ? service : NULL;
    *bad = "kind";
    if ((r = http_query_get(query, "kind", kind, VALUE_MAX)) < 0)
        return -EINVAL;
    *has_kind = r > 0;
    return 0;
}

/* GET /api/v1/events (an http_handler_fn; ud the store). */
static int api_events(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct store_filter f = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE, .bulk = true };
    struct scan_state s = { 0 };
    char service[VALUE_MAX], kind[VALUE_MAX], msg[160];
    const char *bad = "";
    bool has_kind = false;
    int r;

    if (strcmp(rq->path, EVENTS_PATH) != 0 && strcmp(rq->path, EVENTS_PATH "/") != 0)
        return http_reply_json(resp, 404, json_pack("{s:s}", "error", "not found"));
    if (parse(rq->query, &f, service, kind, &has_kind, &bad) < 0) {
        snprintf(msg, sizeof(msg), "bad query parameter '%s' (since, until: RFC 3339 or "
                 "-DURATION; service, kind: names)", bad);
        return http_reply_json(resp, 400, json_pack("{s:s}", "error", msg));
    }
    s.kind = has_kind ? kind : NULL;
    iq_buf_init(&s.body, EVENTS_BODY_MAX);
    r = store_scan(ud, &f, on_value, &s);
    if (s.full) {
        iq_buf_free(&s.body);
        snprintf(msg, sizeof(msg), "more than %u MiB of events match: narrow the request with "
                 "since, until, service or kind", EVENTS_BODY_MAX >> 20);
        return http_reply_json(resp, 413, json_pack("{s:s}", "error", msg));
    }
    if (r < 0) {
        iq_buf_free(&s.body);
        return r;
    }
    if (s.skipped)
        iq_warn("api", "GET %s: %lu stored values unreadable, skipped", EVENTS_PATH, s.skipped);
    resp->status = 200;
    resp->content_type = "application/x-ndjson";
    resp->body = iq_buf_take(&s.body, &resp->len);
    return resp->body ? 0 : -ENOMEM;
}

int cor_api_events_add(struct http_server *http, struct store *st)
{
    return http_add_route(http, EVENTS_PATH, api_events, st);
}

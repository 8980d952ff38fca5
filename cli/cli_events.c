/* cli_events.c - `inquest events`: list stored events.
 *
 * Opens the data directory read-only (works beside a running inquestd, or
 * on a copy of its data) and scans the by_time index, or the by_service
 * index when --service is given; or, with --http, asks inquestd's GET
 * /api/v1/events (correlate/cor_api_events.c), which scans the same way
 * and answers the canonical events as NDJSON.  Either way each event goes
 * through the same printer: a table in UTC, or NDJSON of the canonical
 * events with --json. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_exit.h"
#include "cli_remote.h"
#include "cli_tz.h"
#include "store.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_time.h"
#include "iq_tz.h"

struct events_state {
    const char *kind;
    bool json;
    unsigned long n, bad;
    int64_t timeout_ms;      /* --timeout, for --http */
    const struct iq_tz *tz;  /* --tz/TZ: a LOCAL column beside UTC, or NULL */
};

static void print_row(const struct events_state *st, const struct iq_event *ev)
{
    char ts[IQ_TIME_STRLEN], local[CLI_TZ_CELL];
    const char *title = ev->str[IQ_F_TITLE] ? ev->str[IQ_F_TITLE]
                      : ev->str[IQ_F_TEXT] ? ev->str[IQ_F_TEXT] : "";

    iq_time_format(ev->at, ts, sizeof(ts));
    printf("%-24s  ", ts);
    if (st->tz) {
        cli_tz_cell_ms(st->tz, ev->at, local, sizeof(local));
        printf("%-26s  ", local);
    }
    printf("%-12.12s  %-6s %-20.20s  %-18.18s  %.80s\n", iq_ev_source(ev),
           iq_ev_kind(ev), iq_ev_action(ev), iq_ev_service(ev) ? iq_ev_service(ev) : "-", title);
}

static void print_header(const struct events_state *st)
{
    if (st->json)
        return;
    printf("%-24s  ", "TIME (UTC)");
    if (st->tz)
        printf("%-26s  ", "LOCAL TIME");
    printf("%-12s  %-27s  %-18s  %s\n", "SOURCE", "KIND/ACTION", "SERVICE", "TITLE");
}

/* Print ev (owned) when it is of the kind asked for. */
static void emit(struct events_state *st, struct iq_event *ev)
{
    json_t *j;
    char *s;

    if (!st->kind || strcmp(st->kind, iq_ev_kind(ev)) == 0) {
        st->n++;
        if (st->json) {
            j = iq_event_to_json(ev);
            s = j ? json_dumps(j, JSON_COMPACT) : NULL;
            if (s)
                puts(s);
            free(s);
            json_decref(j);
        } else {
            print_row(st, ev);
        }
    }
    iq_event_destroy(&ev);
}

static int on_event(void *ud, const char *val, size_t len)
{
    struct events_state *st = ud;
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX];

    if (iq_event_decode(val, len, &ev, err, sizeof(err)) < 0)
        st->bad++;
    else
        emit(st, ev);
    return 0;
}

/* The events from inquestd's API: NDJSON, each line through emit. */
static int scan_remote(const struct cli_ctx *ctx, const struct store_filter *scan,
                       struct events_state *st)
{
    struct cli_remote_req rq = { .path = "/api/v1/events", .n = 4, .timeout_ms = st->timeout_ms };
    char since[IQ_TIME_STRLEN], until[IQ_TIME_STRLEN], err[IQ_ERR_MAX], *body = NULL, *p, *nl;
    size_t len = 0;
    int r;

    rq.params[0] = (struct cli_remote_param){ "since", cli_remote_time(scan->since, since,
                                                                       sizeof(since)) };
    rq.params[1] = (struct cli_remote_param){ "until", cli_remote_time(scan->until, until,
                                                                       sizeof(until)) };
    rq.params[2] = (struct cli_remote_param){ "service", scan->service };
    rq.params[3] = (struct cli_remote_param){ "kind", st->kind };
    if ((r = cli_remote_get(ctx, "events", &rq, &body, &len)))
        return r;
    print_header(st);
    for (p = body; p < body + len; p = nl + 1) {
        struct iq_event *ev = NULL;
        json_t *j;

        nl = memchr(p, '\n', (size_t)(body + len - p));
        if (!nl)
            nl = body + len;
        if (nl == p)
            continue;
        j = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, NULL);
        if (!j || iq_event_from_json(j, &ev, err, sizeof(err)) < 0)
            st->bad++;
        else
            emit(st, ev);
        json_decref(j);
    }
    free(body);
    return 0;
}

static int parse_args(int argc, char **argv, struct store_filter *scan, struct events_state *st)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--json") == 0) {
            st->json = true;
            continue;
        }
        if (!v)
            return cli_usage("events: '%s' needs a value or is unknown", a);
        i++;
        if (strcmp(a, "--since") == 0 || strcmp(a, "--until") == 0) {
            int64_t *t = a[2] == 's' ? &scan->since : &scan->until;

            if (iq_time_parse_arg(v, t) < 0)
                return cli_usage("events: %s: not an RFC 3339 time or -DURATION: \"%s\"", a, v);
        } else if (strcmp(a, "--service") == 0) {
            scan->service = v;
        } else if (strcmp(a, "--kind") == 0) {
            st->kind = v;
        } else if (strcmp(a, "--timeout") == 0) {
            int r = cli_remote_timeout("events", v, &st->timeout_ms);

            if (r)
                return r;
        } else {
            return cli_usage("events: unknown option '%s'", a);
        }
    }
    return 0;
}

static int events_run(const struct cli_ctx *ctx, bool remote, const struct store_filter *scan,
                      struct events_state *st)
{
    struct store_opts o = { .read_only = true };
    struct store *store = NULL;
    int r;

    if (!remote && store_open(ctx->data_dir, &o, &store) < 0) {
        fprintf(stderr, "inquest: events: cannot open data directory %s\n", ctx->data_dir);
        return CLI_EXIT_UNAVAILABLE;
    }
    if (!remote)
        print_header(st);
    if (remote) {
        if ((r = scan_remote(ctx, scan, st)))
            return r;
    } else {
        r = store_scan(store, scan, on_event, st);
        store_close(&store);
    }
    if (r < 0) {
        fprintf(stderr, "inquest: events: read error: %s\n", strerror(-r));
        return 2;
    }
    if (st->bad)
        fprintf(stderr, "inquest: events: %lu stored values unreadable, skipped\n", st->bad);
    fflush(stdout);
    if (!st->json)
        fprintf(stderr, "%lu events\n", st->n);
    return 0;
}

int cli_events_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct store_filter scan = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE };
    struct events_state st = { .timeout_ms = CLI_REMOTE_TIMEOUT_MS };
    struct iq_tz *tz = NULL;
    const char *tz_name;
    bool remote;
    int r;

    if ((r = parse_args(argc, argv, &scan, &st)) || (r = cli_remote_choose(ctx, "events", &remote)))
        return r;
    if (!st.json && (r = cli_tz_open(ctx, "events", &tz, &tz_name)))
        return r;
    st.tz = tz;
    r = events_run(ctx, remote, &scan, &st);
    iq_tz_free(&tz);
    return r;
}

/* cli_events.c - `inquest events`: list stored events.
 *
 * Opens the data directory read-only (works beside a running inquestd, or
 * on a copy of its data) and scans the by_time index, or the by_service
 * index when --service is given.  Prints a table in UTC, or NDJSON of the
 * canonical events with --json. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_exit.h"
#include "store.h"
#include "iq_codec.h"
#include "iq_event.h"
#include "iq_time.h"

struct events_state {
    const char *kind;
    bool json;
    unsigned long n, bad;
};

static void print_row(const struct iq_event *ev)
{
    char ts[IQ_TIME_STRLEN];
    const char *title = ev->str[IQ_F_TITLE] ? ev->str[IQ_F_TITLE]
                      : ev->str[IQ_F_TEXT] ? ev->str[IQ_F_TEXT] : "";

    iq_time_format(ev->at, ts, sizeof(ts));
    printf("%-24s  %-12.12s  %-6s %-20.20s  %-18.18s  %.80s\n", ts, iq_ev_source(ev),
           iq_ev_kind(ev), iq_ev_action(ev), iq_ev_service(ev) ? iq_ev_service(ev) : "-", title);
}

static int on_event(void *ud, const char *val, size_t len)
{
    struct events_state *st = ud;
    struct iq_event *ev = NULL;
    char err[IQ_ERR_MAX];
    json_t *j;
    char *s;

    if (iq_event_decode(val, len, &ev, err, sizeof(err)) < 0) {
        st->bad++;
        return 0;
    }
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
            print_row(ev);
        }
    }
    iq_event_destroy(&ev);
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
        } else {
            return cli_usage("events: unknown option '%s'", a);
        }
    }
    return 0;
}

int cli_events_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct store_filter scan = { .since = IQ_TIME_NONE, .until = IQ_TIME_NONE };
    struct store_opts o = { .read_only = true };
    struct events_state st = { 0 };
    struct store *store = NULL;
    int r;

    if ((r = parse_args(argc, argv, &scan, &st)))
        return r;
    if (store_open(ctx->data_dir, &o, &store) < 0) {
        fprintf(stderr, "inquest: events: cannot open data directory %s\n", ctx->data_dir);
        return CLI_EXIT_UNAVAILABLE;
    }
    if (!st.json)
        printf("%-24s  %-12s  %-27s  %-18s  %s\n", "TIME (UTC)", "SOURCE", "KIND/ACTION",
               "SERVICE", "TITLE");
    r = store_scan(store, &scan, on_event, &st);
    store_close(&store);
    if (r < 0) {
        fprintf(stderr, "inquest: events: read error: %s\n", strerror(-r));
        return 2;
    }
    if (st.bad)
        fprintf(stderr, "inquest: events: %lu stored values unreadable, skipped\n", st.bad);
    fflush(stdout);
    if (!st.json)
        fprintf(stderr, "%lu events\n", st.n);
    return 0;
}

/* cli_incident.c - `inquest incidents` and `inquest incident show|merge|split|set|attach`.
 *
 * The reading commands open the data directory read-only (they work beside
 * a running inquestd, seeing what it had written when they opened it), or
 * ask inquestd's API (GET /api/v1/incidents, /api/v1/unattached,
 * /api/v1/incidents/ID; cli_remote.h), and print the incidents the
 * correlator derived from the same JSON either way: a table, or the JSON of
 * schemas/incident.schema.json with --json.  The writing subcommands live
 * in cli_incident_note.c: they never edit incidents, they send an audit
 * note that the daemon's correlator applies.  That file also opens the
 * data directory for both (cli_incident_open): this one dispatches to it,
 * never the other way round. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_exit.h"
#include "cli_incident.h"
#include "cli_remote.h"
#include "cli_tz.h"
#include "cor_incident.h"
#include "cor_unattached.h"
#include "store.h"
#include "iq_time.h"
#include "iq_tz.h"

static const char *str_or(const json_t *o, const char *k, const char *def)
{
    const char *s = json_string_value(json_object_get(o, k));

    return s ? s : def;
}

static void join(const json_t *arr, char *buf, size_t size)
{
    size_t i, off = 0;
    json_t *v;

    buf[0] = '\0';
    json_array_foreach(arr, i, v) {
        int n = snprintf(buf + off, size - off, "%s%s", i ? "," : "", json_string_value(v));

        if (n < 0 || (size_t)n >= size - off)
            break;
        off += (size_t)n;
    }
}

static void print_json(const json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

    if (s)
        puts(s);
    free(s);
}

/* `inquest incidents`: the table (or JSON array) printed one incident at
 * a time, so that a local listing of a long history holds one incident,
 * not all of them (cor_incident_each). */
struct lister {
    bool json, unattached;
    const struct iq_tz *tz;
    size_t n;
};

static void list_header(const struct lister *l)
{
    if (l->json)
        return;
    if (l->unattached) {
        printf("%-24s  ", "AT (UTC)");
        if (l->tz)
            printf("%-26s  ", "AT (LOCAL)");
        printf("%-40s  %-11s  %-46s  %s\n", "EVENT", "REASON", "CANDIDATES", "TITLE");
        return;
    }
    printf("%-22s  %-24s  ", "ID", "OPENED (UTC)");
    if (l->tz)
        printf("%-26s  ", "OPENED (LOCAL)");
    printf("%-8s  %-8s  %-20s  %6s  %s\n", "STATUS", "SEVERITY", "SERVICES", "EVENTS", "TITLE");
}

/* One element of the array json_dumps(list, JSON_INDENT(2) | JSON_SORT_KEYS)
 * writes, byte for byte: each line of the element indented two more. */
static int json_element(const struct lister *l, const json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);

    if (!s)
        return -ENOMEM;
    fputs(l->n ? ",\n  " : "[\n  ", stdout);
    for (const char *p = s, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl) {
            fputs(p, stdout);
            break;
        }
        fwrite(p, 1, (size_t)(nl + 1 - p), stdout);
        fputs("  ", stdout);
    }
    free(s);
    return 0;
}

/* Evidence that could belong to several open incidents: time, event,
 * candidates, title. */
static void unattached_row(const struct lister *l, const json_t *u)
{
    char cands[256], local[CLI_TZ_CELL];

    join(json_object_get(u, "candidates"), cands, sizeof(cands));
    printf("%-24s  ", str_or(u, "at", "?"));
    if (l->tz) {
        cli_tz_cell(l->tz, str_or(u, "at", NULL), local, sizeof(local));
        printf("%-26s  ", local);
    }
    printf("%-40.40s  %-11s  %-46.46s  %.60s\n", str_or(u, "event", "?"), str_or(u, "reason", "?"),
           cands[0] ? cands : "-", str_or(u, "title", ""));
}

static void incident_row(const struct lister *l, const json_t *inc)
{
    char svc[256], local[CLI_TZ_CELL];

    join(json_object_get(inc, "services"), svc, sizeof(svc));
    printf("%-22s  %-24s  ", str_or(inc, "id", "?"), str_or(inc, "opened_at", "?"));
    if (l->tz) {
        cli_tz_cell(l->tz, str_or(inc, "opened_at", NULL), local, sizeof(local));
        printf("%-26s  ", local);
    }
    printf("%-8s  %-8s  %-20.20s  %6lld  %.80s\n", str_or(inc, "status", "?"),
           str_or(inc, "severity", "-"), svc[0] ? svc : "-",
           (long long)json_integer_value(json_object_get(json_object_get(inc, "counts"), "events")),
           str_or(inc, "title", ""));
}

static int list_one(void *ud, const json_t *v)
{
    struct lister *l = ud;
    int r = 0;

    if (l->json)
        r = json_element(l, v);
    else if (l->unattached)
        unattached_row(l, v);
    else
        incident_row(l, v);
    if (r == 0)
        l->n++;
    return r;
}

static void list_footer(const struct lister *l)
{
    if (l->json)
        puts(l->n ? "\n]" : "[]");
    else
        fprintf(stderr, "%zu %s\n", l->n, l->unattached ? "unattached events" : "incidents");
}

/* The list of incidents (or unattached evidence) since since, from the
 * store or the API, printed: 0, or the exit status (printed).  Incidents
 * from the store are read one at a time. */
static int list(const struct cli_ctx *ctx, struct lister *l, int64_t since, int64_t timeout_ms)
{
    struct cli_remote_req rq = { .path = l->unattached ? "/api/v1/unattached" : "/api/v1/incidents",
                                 .n = 1, .timeout_ms = timeout_ms };
    char t[IQ_TIME_STRLEN];
    struct store *st = NULL;
    json_t *all = NULL, *v;
    bool remote;
    size_t i;
    int r;

    if ((r = cli_remote_choose(ctx, "incidents", &remote)))
        return r;
    if (remote) {
        rq.params[0] = (struct cli_remote_param){ "since", cli_remote_time(since, t, sizeof(t)) };
        if ((r = cli_remote_get_json(ctx, "incidents", &rq, &all)))
            return r;
    } else if ((r = cli_incident_open(ctx, "incidents", &st))) {
        return r;
    } else if (l->unattached) {
        r = cor_unattached_list(st, since, &all);
    }
    if (r == 0)
        list_header(l);
    if (r == 0 && all)
        json_array_foreach(all, i, v)
            if ((r = list_one(l, v)) < 0)
                break;
    if (r == 0 && !all)
        r = cor_incident_each(st, since, list_one, l);
    store_close(&st);
    json_decref(all);
    if (r < 0) {
        fflush(stdout);
        fprintf(stderr, "inquest: incidents: read error: %s\n", strerror(-r));
        return 2;
    }
    list_footer(l);
    return 0;
}

int cli_incidents_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    int64_t since = IQ_TIME_NONE, timeout_ms = CLI_REMOTE_TIMEOUT_MS;
    struct lister l = { .json = false };
    struct iq_tz *tz = NULL;
    const char *tz_name;
    int r;

    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--json") == 0)
            l.json = true;
        else if (strcmp(argv[a], "--unattached") == 0)
            l.unattached = true;
        else if (strcmp(argv[a], "--since") == 0 && a + 1 < argc) {
            if (iq_time_parse_arg(argv[++a], &since) < 0)
                return cli_usage("incidents: --since: not an RFC 3339 time or -DURATION: \"%s\"",
                                 argv[a]);
        } else if (strcmp(argv[a], "--timeout") == 0 && a + 1 < argc) {
            if ((r = cli_remote_timeout("incidents", argv[++a], &timeout_ms)))
                return r;
        } else
            return cli_usage("incidents: unknown option '%s' (usage: incidents [--since T] "
                             "[--unattached] [--json] [--timeout DURATION])", argv[a]);
    }
    if (!l.json && (r = cli_tz_open(ctx, "incidents", &tz, &tz_name)))
        return r;
    l.tz = tz;
    r = list(ctx, &l, since, timeout_ms);
    iq_tz_free(&tz);
    return r;
}

static void print_duration(const char *name, const json_t *v)
{
    long long s = json_integer_value(v);

    if (!json_is_integer(v))
        printf("  %-20s -\n", name);
    else
        printf("  %-20s %lldh%02lldm%02llds\n", name, s / 3600, (s % 3600) / 60, s % 60);
}

/* The time s, followed by " (LOCAL)" with a zone, into buf. */
static const char *with_local(const char *s, const struct iq_tz *tz, char *buf, size_t size)
{
    char local[CLI_TZ_CELL];

    if (!tz || !s || strcmp(s, "-") == 0 || strcmp(s, "?") == 0)
        return s;
    cli_tz_cell(tz, s, local, sizeof(local));
    snprintf(buf, size, "%s (%s)", s, local);
    return buf;
}

static void print_show(const json_t *inc, const struct iq_tz *tz)
{
    char t1[80], t2[80];
    static const char *const ms[] = { "impact_start", "detected", "acknowledged", "identified",
                                      "mitigated", "resolved", NULL };
    static const char *const durs[] = { "time_to_detect", "time_to_acknowledge",
                                        "time_to_mitigate", "time_to_resolve", "impact", NULL };
    const json_t *m = json_object_get(inc, "milestones"), *d = json_object_get(inc, "durations");
    const char *k;
    json_t *v;
    size_t i;
    char buf[512];

    printf("%s  %s\n", str_or(inc, "id", "?"), str_or(inc, "title", ""));
    join(json_object_get(inc, "services"), buf, sizeof(buf));
    printf("status %s, severity %s, services %s\n", str_or(inc, "status", "?"),
           str_or(inc, "severity", "-"), buf[0] ? buf : "-");
    printf("opened %s, closed %s\n\nmilestones:\n",
           with_local(str_or(inc, "opened_at", "?"), tz, t1, sizeof(t1)),
           with_local(str_or(inc, "closed_at", "-"), tz, t2, sizeof(t2)));
    for (int n = 0; ms[n]; n++) {
        const json_t *x = json_object_get(m, ms[n]);

        if (!json_is_object(x))
            printf("  %-14s -\n", ms[n]);
        else
            printf("  %-14s %s  (%s, event %s)\n", ms[n],
                   with_local(str_or(x, "at", "?"), tz, t1, sizeof(t1)),
                   str_or(x, "rule", "?"), str_or(x, "event", "-"));
    }
    printf("\ndurations:\n");
    for (int n = 0; durs[n]; n++)
        print_duration(durs[n], json_object_get(d, durs[n]));
    printf("\nimpact by severity:\n");
    json_object_foreach(json_object_get(json_object_get(inc, "impact"), "by_severity"), k, v)
        print_duration(k, v);
    printf("impact by component state:\n");
    json_object_foreach(json_object_get(json_object_get(inc, "impact"), "by_component_state"), k, v)
        print_duration(k, v);
    printf("\ntrigger candidates:\n");
    json_array_foreach(json_object_get(inc, "trigger_candidates"), i, v)
        printf("  %s%-24s %s  %s (%s)\n", json_is_true(json_object_get(v, "likely")) ? "* " : "  ",
               with_local(str_or(v, "at", "?"), tz, t1, sizeof(t1)), str_or(v, "event", "?"), str_or(v, "title", ""),
               str_or(v, "reason", ""));
    if (json_array_size(json_object_get(inc, "trigger_candidates")) == 0)
        printf("  none\n");
    if (json_is_string(json_object_get(inc, "recurrence_of")))
        printf("\npossible recurrence of %s\n", str_or(inc, "recurrence_of", ""));
    printf("\n%lld events\n", (long long)json_integer_value(
               json_object_get(json_object_get(inc, "counts"), "events")));
}

/* Incident id from the store or the API: 0 with *ret set, or the exit
 * status (printed; 3 for an unknown id either way). */
static int read_one(const struct cli_ctx *ctx, const char *id, int64_t timeout_ms, json_t **ret)
{
    char notfound[100];
    struct cli_remote_req rq = { .path = "/api/v1/incidents", .id = id,
                                 .timeout_ms = timeout_ms, .notfound = notfound };
    struct store *st = NULL;
    bool remote;
    int r;

    snprintf(notfound, sizeof(notfound), "no incident \"%.64s\"", id);
    if ((r = cli_remote_choose(ctx, "incident show", &remote)))
        return r;
    if (remote)
        return cli_remote_get_json(ctx, "incident show", &rq, ret);
    if ((r = cli_incident_open(ctx, "incident show", &st)))
        return r;
    r = cor_incident_load(st, id, ret);
    store_close(&st);
    if (r == -ENOENT) {
        fprintf(stderr, "inquest: incident show: %s\n", notfound);
        return CLI_EXIT_NOTFOUND;
    }
    if (r < 0) {
        fprintf(stderr, "inquest: incident show: %s: read error: %s\n", id, strerror(-r));
        return 2;
    }
    return 0;
}

static int show_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    int64_t timeout_ms = CLI_REMOTE_TIMEOUT_MS;
    struct iq_tz *tz = NULL;
    const char *tz_name;
    const char *id = NULL;
    bool json = false;
    json_t *inc = NULL;
    int r;

    for (int a = 2; a < argc; a++) {
        if (strcmp(argv[a], "--json") == 0)
            json = true;
        else if (strcmp(argv[a], "--timeout") == 0 && a + 1 < argc) {
            if ((r = cli_remote_timeout("incident show", argv[++a], &timeout_ms)))
                return r;
        } else if (argv[a][0] == '-' || id)
            return cli_usage("incident show: unexpected '%s' (usage: incident show ID [--json])",
                             argv[a]);
        else
            id = argv[a];
    }
    if (!id)
        return cli_usage("incident show: missing ID (usage: incident show ID [--json])");
    if (!json && (r = cli_tz_open(ctx, "incident show", &tz, &tz_name)))
        return r;
    if ((r = read_one(ctx, id, timeout_ms, &inc))) {
        iq_tz_free(&tz);
        return r;
    }
    if (json)
        print_json(inc);
    else
        print_show(inc, tz);
    iq_tz_free(&tz);
    json_decref(inc);
    return 0;
}

int cli_incident_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";

    if (strcmp(sub, "show") == 0)
        return show_main(ctx, argc, argv);
    if (strcmp(sub, "merge") == 0 || strcmp(sub, "split") == 0 || strcmp(sub, "set") == 0 ||
        strcmp(sub, "attach") == 0)
        return cli_incident_note_main(ctx, argc, argv);
    return cli_usage("incident: expected show, merge, split, set or attach (usage: incident show "
                     "ID [--json] | merge A B | split A --at T | split A --service S | "
                     "set A FIELD=VALUE | attach A EVENT_ID)");
}

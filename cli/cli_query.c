/* cli_query.c - `inquest query`: cross-incident statistics, and `inquest
 * query recurring`: failures that came back on the same service.
 *
 * Reads the data directory read-only (beside a running inquestd, or on a
 * copy), runs analyze/ana_query, and prints a table, CSV or JSON.  The
 * taxonomy (needed for --class, --group-by class and recurring, when
 * incidents carry no stored classes) is schemas/classes.json plus the
 * "classes" section of --config plus --classes FILE.
 *
 *   inquest query [--since T] [--until T] [--service S] [--class C]
 *                 [--severity S] [--group-by class|service|month|week]
 *                 [--format table|csv|json] [--classes FILE]
 *   inquest query recurring [--window 90d] [the same filters and formats]
 *
 * Table durations are rounded to minutes ("1h05m"); CSV and JSON give
 * seconds.  Each group also counts the incidents whose classes a finished
 * postmortem confirmed (`inquest postmortems sync`), its action items open
 * and done, the share of weak ones, and the median time from resolution to
 * a published postmortem (days in the table).  Exit status 0, or 2 on usage, taxonomy or store errors.
 *
 * The same answers are served by inquestd at GET /api/v1/query
 * (analyze/ana_http.c); with --http (cli_remote.h) the command asks it and
 * prints its JSON with the same code, so the output is the same bytes
 * (the taxonomy is then the daemon's: --classes is refused). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_classes.h"
#include "ana_query.h"
#include "cli.h"
#include "cli_exit.h"
#include "cli_remote.h"
#include "store.h"
#include "iq_event.h"
#include "iq_time.h"

enum fmt { FMT_TABLE = 0, FMT_CSV, FMT_JSON };

struct query_args {
    struct ana_query q;
    bool recurring;
    int64_t window;
    enum fmt fmt;
    const char *classes_path;
    int64_t timeout_ms;        /* --timeout, for --http */
};

static const char usage_text[] =
    "query [recurring [--window 90d]] [--since T] [--until T] [--service S] [--class C] "
    "[--severity S] [--group-by class|service|month|week] [--format table|csv|json] "
    "[--classes FILE]";

static int parse_fmt(const char *s, enum fmt *ret)
{
    static const char *const names[] = { "table", "csv", "json" };

    for (size_t i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *ret = (enum fmt)i;
            return 0;
        }
    return -EINVAL;
}

/* One option with a value; returns 1 when consumed, 0 when not ours,
 * 2 (usage printed) on a bad value. */
static int parse_opt(struct query_args *a, const char *opt, const char *v)
{
    if (strcmp(opt, "--since") == 0 || strcmp(opt, "--until") == 0) {
        if (iq_time_parse_arg(v, opt[2] == 's' ? &a->q.since : &a->q.until) < 0)
            return cli_usage("query: %s takes an RFC 3339 time or -2h/now", opt);
    } else if (strcmp(opt, "--window") == 0) {
        if (iq_duration_parse(v, &a->window) < 0 || a->window <= 0)
            return cli_usage("query: --window takes a duration such as 90d");
    } else if (strcmp(opt, "--group-by") == 0) {
        if (ana_group_parse(v, &a->q.group) < 0)
            return cli_usage("query: --group-by takes class, service, month or week");
    } else if (strcmp(opt, "--format") == 0) {
        if (parse_fmt(v, &a->fmt) < 0)
            return cli_usage("query: --format takes table, csv or json");
    } else if (strcmp(opt, "--service") == 0) {
        a->q.service = v;
    } else if (strcmp(opt, "--class") == 0) {
        a->q.class_name = v;
    } else if (strcmp(opt, "--severity") == 0) {
        a->q.severity = v;
    } else if (strcmp(opt, "--classes") == 0) {
        a->classes_path = v;
    } else if (strcmp(opt, "--timeout") == 0) {
        return cli_remote_timeout("query", v, &a->timeout_ms) ? 2 : 1;
    } else {
        return 0;
    }
    return 1;
}

static int parse_args(int argc, char **argv, struct query_args *a)
{
    int i = 1, r;

    a->q.since = a->q.until = IQ_TIME_NONE;
    a->window = ANA_RECUR_WINDOW_MS;
    if (i < argc && strcmp(argv[i], "recurring") == 0) {
        a->recurring = true;
        i++;
    }
    for (; i < argc; i++) {
        if (argv[i][0] != '-' || i + 1 >= argc ||
            (r = parse_opt(a, argv[i], argv[i + 1])) == 0)
            return cli_usage("query: unexpected '%s' (usage: %s)", argv[i], usage_text);
        if (r != 1)
            return r;
        i++;
    }
    if (a->window != ANA_RECUR_WINDOW_MS && !a->recurring)
        return cli_usage("query: --window is for `query recurring`");
    return 0;
}

/* "1h05m", "12m", "45s" or "-" into buf. */
static void fmt_dur(const json_t *v, char *buf, size_t size)
{
    long long s = json_is_integer(v) ? (long long)json_integer_value(v) : -1, m;

    if (s < 0 || s > 100LL * 365 * 86400) {
        snprintf(buf, size, "-");
        return;
    }
    m = (s + 30) / 60;
    if (s < 60)
        snprintf(buf, size, "%llds", s);
    else if (m < 60)
        snprintf(buf, size, "%lldm", m);
    else
        snprintf(buf, size, "%lldh%02lldm", m / 60, m % 60);
}

static const char *const metrics[] = { "mttd", "mtta", "mttm", "mttr" };

/* The postmortem columns of a group: confirmed classes, action items
 * open/done, the share of weak ones, median days from resolution to a
 * published postmortem ("-" when none). */
static void pm_cols(const json_t *g, char *buf, size_t size)
{
    const json_t *a = json_object_get(g, "actions"), *w = json_object_get(g, "weak_share");
    const json_t *p = json_object_get(json_object_get(g, "time_to_publish"), "median");
    char weak[16] = "-", pub[16] = "-";

    if (json_is_number(w))
        snprintf(weak, sizeof(weak), "%.0f%%", 100.0 * json_number_value(w));
    if (json_is_integer(p))
        snprintf(pub, sizeof(pub), "%.1fd", (double)json_integer_value(p) / 86400.0);
    snprintf(buf, size, "%9lld  %5lld/%-5lld %5s  %7s",
             (long long)json_integer_value(json_object_get(g, "confirmed")),
             (long long)json_integer_value(json_object_get(a, "open")),
             (long long)json_integer_value(json_object_get(a, "done")), weak, pub);
}

static void print_table(const json_t *res)
{
    const json_t *g;
    size_t i;

    printf("%-24s %6s  %-13s %-13s %-13s %-13s %11s  %-10s  %-10s  %9s  %11s %5s  %7s\n",
           "GROUP", "COUNT", "MTTD med/p90", "MTTA med/p90", "MTTM med/p90", "MTTR med/p90",
           "IMPACT(min)", "FIRST", "LAST", "CONFIRMED", "ITEMS o/d", "WEAK", "PUBLISH");
    json_array_foreach(json_object_get(res, "groups"), i, g) {
        char cols[4][48], pm[64];

        for (int k = 0; k < 4; k++) {
            const json_t *m = json_object_get(g, metrics[k]);
            char a[20], b[20];

            fmt_dur(json_object_get(m, "median"), a, sizeof(a));
            fmt_dur(json_object_get(m, "p90"), b, sizeof(b));
            snprintf(cols[k], sizeof(cols[k]), "%s/%s", a, b);
        }
        pm_cols(g, pm, sizeof(pm));
        printf("%-24.24s %6lld  %-13s %-13s %-13s %-13s %11.0f  %-10.10s  %-10.10s  %s\n",
               json_string_value(json_object_get(g, "key")),
               (long long)json_integer_value(json_object_get(g, "count")), cols[0], cols[1],
               cols[2], cols[3], json_number_value(json_object_get(g, "impact_minutes")),
               json_string_value(json_object_get(g, "first_seen")),
               json_string_value(json_object_get(g, "last_seen")), pm);
    }
    printf("%lld incidents\n", (long long)json_integer_value(json_object_get(res, "incidents")));
}

static void csv_num(const json_t *v)
{
    if (json_is_integer(v))
        printf(",%lld", (long long)json_integer_value(v));
    else
        fputs(",", stdout);
}

/* Keys are class, service or period names: quote them CSV-style. */
static void csv_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static const char *const pm_states[] = { "open", "done", "wontfix" };

static void print_csv(const json_t *res)
{
    const json_t *g;
    size_t i;

    puts("group,count,mttd_median_s,mttd_p90_s,mtta_median_s,mtta_p90_s,mttm_median_s,"
         "mttm_p90_s,mttr_median_s,mttr_p90_s,impact_minutes,first_seen,last_seen,confirmed,"
         "actions_open,actions_done,actions_wontfix,weak_share,publish_median_s");
    json_array_foreach(json_object_get(res, "groups"), i, g) {
        csv_str(json_string_value(json_object_get(g, "key")));
        printf(",%lld", (long long)json_integer_value(json_object_get(g, "count")));
        for (int k = 0; k < 4; k++) {
            csv_num(json_object_get(json_object_get(g, metrics[k]), "median"));
            csv_num(json_object_get(json_object_get(g, metrics[k]), "p90"));
        }
        printf(",%.1f,%s,%s", json_number_value(json_object_get(g, "impact_minutes")),
               json_string_value(json_object_get(g, "first_seen")),
               json_string_value(json_object_get(g, "last_seen")));
        csv_num(json_object_get(g, "confirmed"));
        for (int k = 0; k < 3; k++)
            csv_num(json_object_get(json_object_get(g, "actions"), pm_states[k]));
        if (json_is_number(json_object_get(g, "weak_share")))
            printf(",%.3f", json_number_value(json_object_get(g, "weak_share")));
        else
            fputs(",", stdout);
        csv_num(json_object_get(json_object_get(g, "time_to_publish"), "median"));
        putchar('\n');
    }
}

static void print_ids(const json_t *ids, const char *sep)
{
    const json_t *v;
    size_t i;

    json_array_foreach(ids, i, v)
        printf("%s%s", i ? sep : "", json_string_value(v));
}

static void print_recurring(const json_t *res, enum fmt fmt)
{
    const json_t *e;
    size_t i;

    if (fmt == FMT_CSV)
        puts("class,service,count,first_seen,last_seen,incidents");
    else
        printf("%-20s %-24s %5s  %-10s  %-10s  %s\n", "CLASS", "SERVICE", "COUNT", "FIRST",
               "LAST", "INCIDENTS");
    json_array_foreach(res, i, e) {
        const char *cls = json_string_value(json_object_get(e, "class"));
        const char *svc = json_string_value(json_object_get(e, "service"));
        long long n = (long long)json_integer_value(json_object_get(e, "count"));
        const char *f = json_string_value(json_object_get(e, "first_seen"));
        const char *l = json_string_value(json_object_get(e, "last_seen"));

        if (fmt == FMT_CSV) {
            csv_str(cls);
            putchar(',');
            csv_str(svc);
            printf(",%lld,%s,%s,\"", n, f, l);
            print_ids(json_object_get(e, "incidents"), " ");
            puts("\"");
        } else {
            printf("%-20.20s %-24.24s %5lld  %-10.10s  %-10.10s  ", cls, svc, n, f, l);
            print_ids(json_object_get(e, "incidents"), ",");
            putchar('\n');
        }
    }
}

static int print_result(const struct query_args *a, json_t *res)
{
    if (a->fmt == FMT_JSON) {
        char *s = json_dumps(res, JSON_COMPACT);

        if (s)
            puts(s);
        free(s);
    } else if (a->recurring) {
        print_recurring(res, a->fmt);
    } else if (a->fmt == FMT_CSV) {
        print_csv(res);
    } else {
        print_table(res);
    }
    json_decref(res);
    return 0;
}

static int run(struct store *st, const struct ana_classes *c, const struct query_args *a)
{
    json_t *res = NULL;
    int r = a->recurring ? ana_query_recurring(st, c, &a->q, a->window, &res)
                         : ana_query_run(st, c, &a->q, &res);

    if (r < 0) {
        fprintf(stderr, "inquest: query: %s\n", strerror(-r));
        return 2;
    }
    return print_result(a, res);
}

/* The same over inquestd's GET /api/v1/query. */
static int run_remote(const struct cli_ctx *ctx, const struct query_args *a)
{
    static const char *const groups[] = { [ANA_GROUP_CLASS] = "class",
                                          [ANA_GROUP_SERVICE] = "service",
                                          [ANA_GROUP_MONTH] = "month",
                                          [ANA_GROUP_WEEK] = "week" };
    struct cli_remote_req rq = { .path = "/api/v1/query", .timeout_ms = a->timeout_ms };
    char since[IQ_TIME_STRLEN], until[IQ_TIME_STRLEN], window[32];
    json_t *res = NULL;
    int r;

    if (a->classes_path)
        return cli_usage("query: --classes: over --http the daemon's taxonomy applies");
    snprintf(window, sizeof(window), "%lldms", (long long)a->window);
    rq.params[rq.n++] = (struct cli_remote_param){ "since", cli_remote_time(a->q.since, since,
                                                                            sizeof(since)) };
    rq.params[rq.n++] = (struct cli_remote_param){ "until", cli_remote_time(a->q.until, until,
                                                                            sizeof(until)) };
    rq.params[rq.n++] = (struct cli_remote_param){ "service", a->q.service };
    rq.params[rq.n++] = (struct cli_remote_param){ "class", a->q.class_name };
    rq.params[rq.n++] = (struct cli_remote_param){ "severity", a->q.severity };
    rq.params[rq.n++] = (struct cli_remote_param){
        "group_by", (size_t)a->q.group < sizeof(groups) / sizeof(groups[0])
                        ? groups[a->q.group] : NULL };
    rq.params[rq.n++] = (struct cli_remote_param){ "recurring", a->recurring ? "1" : NULL };
    rq.params[rq.n++] = (struct cli_remote_param){ "window", a->recurring ? window : NULL };
    if ((r = cli_remote_get_json(ctx, "query", &rq, &res)))
        return r;
    return print_result(a, res);
}

int cli_query_main(const struct cli_ctx *ctx, int argc, char **argv)
{
    struct store_opts so = { .read_only = true };
    struct query_args a = { 0 };
    struct ana_classes *c = NULL;
    struct store *st = NULL;
    char err[IQ_ERR_MAX];
    bool remote;
    int r;

    a.timeout_ms = CLI_REMOTE_TIMEOUT_MS;
    if ((r = parse_args(argc, argv, &a)) || (r = cli_remote_choose(ctx, "query", &remote)))
        return r;
    if (remote)
        return run_remote(ctx, &a);
    if ((a.recurring || a.q.class_name || a.q.group == ANA_GROUP_CLASS) &&
        ana_classes_load_config(ctx->config_path, a.classes_path, &c, err, sizeof(err)) < 0) {
        fprintf(stderr, "inquest: query: %s\n", err);
        return 2;
    }
    if ((r = store_open(ctx->data_dir, &so, &st)) < 0) {
        fprintf(stderr, "inquest: query: cannot open the store in %s: %s\n", ctx->data_dir,
                strerror(-r));
        ana_classes_destroy(&c);
        return CLI_EXIT_UNAVAILABLE;
    }
    r = run(st, c, &a);
    store_close(&st);
    ana_classes_destroy(&c);
    return r;
}

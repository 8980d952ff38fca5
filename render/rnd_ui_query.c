/* rnd_ui_query.c - GET /ui/query: the analytics page of the web UI.
 *
 * The same filters as `inquest query` and GET /api/v1/query:
 *
 *   since=T  until=T (RFC 3339 or -30d, on opened_at)  service=NAME
 *   class=NAME  severity=NAME  window=DURATION (recurring; default 90d)
 *
 * and three answers: incidents per month stacked by failure class, the
 * median time to detect, acknowledge, mitigate and resolve per month (two
 * inline SVG charts, rnd_ui_chart.c, each with its data table beside it),
 * and the recurring failures: each class that came back on a service
 * within the window, with links to its incidents and to the list filtered
 * to them.
 *
 * Design notes: one read of the stored incidents answers the page
 * (ana_query_report: the groups of `inquest query --group-by month`, with
 * class counts, and the pairs of `inquest query recurring`), so the page,
 * the CLI and the JSON API cannot disagree. */
#include "rnd_ui_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_classes.h"
#include "ana_query.h"
#include "http.h"
#include "iq_buf.h"
#include "iq_time.h"

enum { P_SINCE, P_UNTIL, P_SERVICE, P_CLASS, P_SEVERITY, P_WINDOW, P_N };

static const struct rnd_ui_param params[P_N] = {
    [P_SINCE] = { "since", UI_TIME, NULL, 0, 0, "an RFC 3339 time or -DURATION such as -30d" },
    [P_UNTIL] = { "until", UI_TIME, NULL, 0, 0, "an RFC 3339 time or -DURATION such as -30d" },
    [P_SERVICE] = { "service", UI_TEXT, NULL, 0, 200, "a service name (at most 200 bytes)" },
    [P_CLASS] = { "class", UI_NAME, NULL, 0, 64, "a failure class name ([a-z0-9._-])" },
    [P_SEVERITY] = { "severity", UI_NAME, NULL, 0, 32, "a severity such as critical or warning" },
    [P_WINDOW] = { "window", UI_DURATION, NULL, 0, 0, "a duration such as 90d or 12h" },
};

static const char *const metric_keys[] = { "mttd", "mtta", "mttm", "mttr" };

static int input_of(struct iq_buf *b, const char *label, int p, const char *placeholder,
                    const struct rnd_ui_args *a)
{
    int r;

    if ((r = iq_buf_printf(b, "<label>%s<input name=\"%s\" placeholder=\"%s\" value=\"", label,
                           params[p].name, placeholder)) < 0 ||
        (r = rnd_ui_text(b, rnd_ui_arg(a, (size_t)p))) < 0)
        return r;
    return iq_buf_adds(b, "\"></label>");
}

static int class_select(struct iq_buf *b, const struct rnd_ui *ui, const struct rnd_ui_args *a)
{
    const char *cur = rnd_ui_arg(a, P_CLASS);
    size_t n = ana_classes_count(ui->classes);
    int r;

    if (n == 0)
        return input_of(b, "Class", P_CLASS, "dns", a);
    if ((r = iq_buf_adds(b, "<label>Class<select name=\"class\"><option value=\"\">any</option>")) < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        const char *name = ana_classes_name(ui->classes, i);

        if ((r = iq_buf_printf(b, "<option%s>", cur && strcmp(cur, name) == 0 ? " selected" : "")) < 0 ||
            (r = rnd_ui_text(b, name)) < 0 || (r = iq_buf_adds(b, "</option>")) < 0)
            return r;
    }
    return iq_buf_adds(b, "</select></label>");
}

static int filters(struct iq_buf *b, const struct rnd_ui *ui, const struct rnd_ui_args *a)
{
    int r;

    if ((r = iq_buf_adds(b, "<form class=\"filters\" method=\"get\" action=\"" RND_UI_PREFIX
                            "/query\">")) < 0 ||
        (r = input_of(b, "Opened since", P_SINCE, "-365d", a)) < 0 ||
        (r = input_of(b, "Opened before", P_UNTIL, "2026-12-01T00:00:00Z", a)) < 0 ||
        (r = input_of(b, "Service", P_SERVICE, "checkout", a)) < 0 ||
        (r = class_select(b, ui, a)) < 0 ||
        (r = input_of(b, "Severity", P_SEVERITY, "critical", a)) < 0 ||
        (r = input_of(b, "Recurring within", P_WINDOW, "90d", a)) < 0)
        return r;
    return iq_buf_adds(b, "<button type=\"submit\">Apply</button><a href=\"" RND_UI_PREFIX
                          "/query\">Clear</a></form>\n");
}

/* "dns 3, network 1" from a month's class counts, the biggest first. */
static int class_cell(struct iq_buf *b, const struct rnd_ui_month *m)
{
    struct rnd_ui_series all;
    int r = 0;

    if (!m->group)
        return iq_buf_adds(b, "–");
    rnd_ui_series_pick(m, 1, &all);
    for (size_t k = 0; k < all.n && r == 0; k++) {
        long long c = json_integer_value(json_object_get(json_object_get(m->group, "classes"),
                                                         all.name[k]));

        if ((k && (r = iq_buf_adds(b, ", ")) < 0) ||
            (r = rnd_ui_text(b, strcmp(all.name[k], "-") ? all.name[k] : "unclassified")) < 0)
            break;
        r = iq_buf_printf(b, " %lld", c);
    }
    if (r == 0 && all.other)
        r = iq_buf_adds(b, ", …");
    return r;
}

static int counts_section(struct iq_buf *b, const struct rnd_ui_month *m, size_t n)
{
    static const char *const cols[] = { "Month", "#Incidents", "By class", NULL };
    struct rnd_ui_series s;
    int r;

    rnd_ui_series_pick(m, n, &s);
    if ((r = iq_buf_adds(b, "<h2 id=\"per-month\">Incidents per month by failure class</h2>\n"
                            "<div class=\"chart-pair\"><figure class=\"chart\">")) < 0 ||
        (r = rnd_ui_chart_counts(b, m, n, &s)) < 0 ||
        (r = iq_buf_adds(b, "<figcaption>An incident with several failure classes counts once "
                            "in each; the most frequent classes are named, the rest are "
                            "\"other classes\".</figcaption></figure>\n")) < 0 ||
        (r = rnd_ui_table(b, "class=\"data\" id=\"per-month-data\"", "Incidents per month",
                          cols)) < 0)
        return r;
    for (size_t i = 0; i < n; i++)
        if ((r = iq_buf_printf(b, "<tr data-month=\"%s\"><th scope=\"row\">%s</th>"
                                  "<td class=\"num\">%lld</td><td>", m[i].key, m[i].key,
                               (long long)json_integer_value(json_object_get(m[i].group,
                                                                             "count")))) < 0 ||
            (r = class_cell(b, &m[i])) < 0 || (r = iq_buf_adds(b, "</td></tr>\n")) < 0)
            return r;
    return iq_buf_adds(b, "</tbody></table></div></div>\n");
}

static int medians_section(struct iq_buf *b, const struct rnd_ui_month *m, size_t n)
{
    static const char *const cols[] = { "Month", "#Incidents", "#MTTD", "#MTTA", "#MTTM", "#MTTR",
                                        NULL };
    int r;

    if ((r = iq_buf_adds(b, "<h2 id=\"medians\">Median times per month</h2>\n<div class=\"chart-pair\">"
                            "<figure class=\"chart\">")) < 0 ||
        (r = rnd_ui_chart_medians(b, m, n)) < 0 ||
        (r = iq_buf_adds(b, "<figcaption>Medians (nearest rank) over the month's incidents with "
                            "that milestone; a gap is a month without one. Times are from the "
                            "start of impact.</figcaption></figure>\n")) < 0 ||
        (r = rnd_ui_table(b, "class=\"data\" id=\"medians-data\"", "Median times per month",
                          cols)) < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        if ((r = iq_buf_printf(b, "<tr data-month=\"%s\"><th scope=\"row\">%s</th><td class=\"num\">"
                                  "%lld</td>", m[i].key, m[i].key,
                               (long long)json_integer_value(json_object_get(m[i].group,
                                                                             "count")))) < 0)
            return r;
        for (size_t k = 0; k < 4; k++) {
            const json_t *v = json_object_get(json_object_get(m[i].group, metric_keys[k]), "median");

            if ((r = iq_buf_adds(b, "<td class=\"num\">")) < 0 ||
                (r = rnd_ui_dur(b, json_is_integer(v) ? json_integer_value(v) : -1)) < 0 ||
                (r = iq_buf_adds(b, "</td>")) < 0)
                return r;
        }
        if ((r = iq_buf_adds(b, "</tr>\n")) < 0)
            return r;
    }
    return iq_buf_adds(b, "</tbody></table></div></div>\n");
}

static int recurring_row(struct iq_buf *b, const json_t *e)
{
    const char *cls = json_string_value(json_object_get(e, "class"));
    const char *svc = json_string_value(json_object_get(e, "service"));
    int64_t first = IQ_TIME_NONE, last = IQ_TIME_NONE;
    const json_t *id;
    const char *s;
    size_t i;
    int r;

    if ((s = json_string_value(json_object_get(e, "first_seen"))))
        iq_time_parse_rfc3339(s, strlen(s), &first);
    if ((s = json_string_value(json_object_get(e, "last_seen"))))
        iq_time_parse_rfc3339(s, strlen(s), &last);
    if ((r = iq_buf_adds(b, "<tr><td>")) < 0 || (r = rnd_ui_text(b, cls)) < 0 ||
        (r = iq_buf_adds(b, "</td><td>")) < 0 || (r = rnd_ui_text(b, svc)) < 0 ||
        (r = iq_buf_adds(b, "</td><td class=\"num\"><a href=\"" RND_UI_PREFIX "/?class=")) < 0 ||
        (r = rnd_ui_url(b, cls)) < 0 || (r = iq_buf_adds(b, "&amp;service=")) < 0 ||
        (r = rnd_ui_url(b, svc)) < 0 ||
        (r = iq_buf_printf(b, "\">%lld</a></td><td>", (long long)json_integer_value(
                                                            json_object_get(e, "count")))) < 0 ||
        (r = rnd_ui_time(b, first)) < 0 || (r = iq_buf_adds(b, "</td><td>")) < 0 ||
        (r = rnd_ui_time(b, last)) < 0 || (r = iq_buf_adds(b, "</td><td>")) < 0)
        return r;
    json_array_foreach(json_object_get(e, "incidents"), i, id)
        if ((i && (r = iq_buf_adds(b, ", ")) < 0) ||
            (r = rnd_ui_incident_link(b, json_string_value(id), NULL)) < 0)
            return r;
    return iq_buf_adds(b, "</td></tr>\n");
}

static int recurring_section(struct iq_buf *b, const json_t *rec, const struct rnd_ui_args *a)
{
    static const char *const cols[] = { "Class", "Service", "#Incidents", "First", "Last", "Which",
                                        NULL };
    const char *w = rnd_ui_arg(a, P_WINDOW);
    const json_t *e;
    size_t i;
    int r;

    if ((r = iq_buf_adds(b, "<h2 id=\"recurring\">Recurring failures</h2>\n<p>Failure classes "
                            "that came back on the same service within ")) < 0 ||
        (r = rnd_ui_text(b, w ? w : "90 days")) < 0 ||
        (r = iq_buf_adds(b, " of the previous incident of the class there.</p>\n")) < 0)
        return r;
    if (json_array_size(rec) == 0)
        return iq_buf_adds(b, "<p>None: no failure class hit a service twice within the window."
                              "</p>\n");
    if ((r = rnd_ui_table(b, "class=\"recurring\"", NULL, cols)) < 0)
        return r;
    json_array_foreach(rec, i, e)
        if ((r = recurring_row(b, e)) < 0)
            return r;
    return iq_buf_adds(b, "</tbody></table></div>\n");
}

static int build(struct iq_buf *b, const struct rnd_ui *ui, const struct rnd_ui_args *a,
                 const json_t *rep, const struct rnd_ui_month *m, size_t n)
{
    json_int_t total = json_integer_value(json_object_get(rep, "incidents"));
    int r;

    if ((r = rnd_ui_begin(b, "Analytics", UI_NAV_QUERY)) < 0 ||
        (r = iq_buf_adds(b, "<h1>Analytics</h1>\n")) < 0 || (r = filters(b, ui, a)) < 0 ||
        (r = iq_buf_printf(b, "<p class=\"summary\"><strong data-count=\"%lld\">%lld</strong> "
                              "%s.</p>\n", (long long)total, (long long)total,
                           total == 1 ? "incident matches" : "incidents match")) < 0)
        return r;
    if (n && ((r = counts_section(b, m, n)) < 0 || (r = medians_section(b, m, n)) < 0))
        return r;
    if ((r = recurring_section(b, json_object_get(rep, "recurring"), a)) < 0)
        return r;
    return rnd_ui_end(b);
}

int rnd_ui_query_page(struct rnd_ui *ui, const struct http_request *rq,
                      struct http_response *resp)
{
    struct rnd_ui_args *a = calloc(1, sizeof(*a));
    struct rnd_ui_month *m = calloc(RND_UI_MONTHS_MAX, sizeof(*m));
    struct ana_query q = { .group = ANA_GROUP_MONTH, .class_counts = true };
    json_t *rep = NULL;
    struct iq_buf b;
    char err[512];
    int r = -ENOMEM, n;

    iq_buf_init(&b, RND_UI_PAGE_MAX);
    if (!a || !m)
        goto out;
    if (rnd_ui_args_parse(params, P_N, rq->query, a, err, sizeof(err)) < 0) {
        r = rnd_ui_error(resp, 400, "Bad request", err);
        goto out;
    }
    if (a->set[P_SINCE] && a->set[P_UNTIL] && a->num[P_SINCE] >= a->num[P_UNTIL]) {
        r = rnd_ui_error(resp, 400, "Bad request", "parameter 'since' must be before 'until'");
        goto out;
    }
    q.since = a->set[P_SINCE] ? a->num[P_SINCE] : IQ_TIME_NONE;
    q.until = a->set[P_UNTIL] ? a->num[P_UNTIL] : IQ_TIME_NONE;
    q.service = rnd_ui_arg(a, P_SERVICE);
    q.class_name = rnd_ui_arg(a, P_CLASS);
    q.severity = rnd_ui_arg(a, P_SEVERITY);
    if ((r = ana_query_report(ui->st, ui->classes, &q, a->set[P_WINDOW] ? a->num[P_WINDOW]
                                                                        : ANA_RECUR_WINDOW_MS,
                              &rep)) < 0) {
        r = rnd_ui_fail(resp, r);
        goto out;
    }
    if ((n = rnd_ui_months(json_object_get(rep, "groups"), m, RND_UI_MONTHS_MAX)) < 0) {
        r = rnd_ui_fail(resp, -EIO);
        goto out;
    }
    r = build(&b, ui, a, rep, m, (size_t)n);
    r = r < 0 ? rnd_ui_fail(resp, r) : rnd_ui_reply(resp, 200, &b);
out:
    json_decref(rep);
    iq_buf_free(&b);
    free(m);
    free(a);
    return r;
}

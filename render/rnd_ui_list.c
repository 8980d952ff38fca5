/* rnd_ui_list.c - GET /ui/: the incidents list of the web UI.
 *
 * One row per incident: title and id, status, severity, services, when it
 * opened, time to detect, to mitigate and to resolve, customer impact,
 * failure classes, and the unattached evidence that could belong to it.
 * Filters (status, severity, service, class, since, until), a search in
 * titles and ids, sortable columns and pages, all as query parameters, so
 * every view is a link and works without JavaScript:
 *
 *   status=open|mitigated|resolved|stale  severity=NAME  service=NAME
 *   class=NAME  since=T  until=T (RFC 3339 or -30d, on opened_at)
 *   q=TEXT (case-insensitive, in title or id)
 *   sort=opened|title|status|severity|ttd|ttm|ttr|impact  order=asc|desc
 *   page=N (from 1)  per_page=10..500 (default 50)
 *
 * Design notes:
 *  - The rows come from analyze/'s list (ana_query_list): the same read,
 *    filters and classes as `inquest query` and GET /api/v1/query; this
 *    file only adds the status filter, the search, the order and the
 *    page.  The counts of unattached evidence are the correlator's list
 *    (GET /api/v1/unattached), counted per candidate incident.
 *  - Sorting is stable and total: ties fall back to the opening time
 *    (newest first), then the id; unknown values (a null duration, no
 *    severity) sort last in either order. */
#include "rnd_ui_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ana_classes.h"
#include "ana_query.h"
#include "cor_unattached.h"
#include "http.h"
#include "iq_buf.h"
#include "iq_time.h"

enum { P_STATUS, P_SEVERITY, P_SERVICE, P_CLASS, P_SINCE, P_UNTIL, P_Q, P_SORT, P_ORDER,
       P_PAGE, P_PER, P_N };

enum col { COL_OPENED = 0, COL_TITLE, COL_STATUS, COL_SEVERITY, COL_TTD, COL_TTM, COL_TTR,
           COL_IMPACT };

static const char *const statuses[] = { "open", "mitigated", "resolved", "stale", NULL };
static const char *const severities[] = { "critical", "error", "warning", "minor", "info", NULL };
static const char *const cols[] = { "opened", "title", "status", "severity", "ttd", "ttm", "ttr",
                                    "impact", NULL };
static const char *const orders[] = { "asc", "desc", NULL };

static const struct rnd_ui_param params[P_N] = {
    [P_STATUS] = { "status", UI_CHOICE, statuses, 0, 0, "open, mitigated, resolved or stale" },
    [P_SEVERITY] = { "severity", UI_NAME, NULL, 0, 32, "a severity such as critical or warning" },
    [P_SERVICE] = { "service", UI_TEXT, NULL, 0, 200, "a service name (at most 200 bytes)" },
    [P_CLASS] = { "class", UI_NAME, NULL, 0, 64, "a failure class name ([a-z0-9._-])" },
    [P_SINCE] = { "since", UI_TIME, NULL, 0, 0, "an RFC 3339 time or -DURATION such as -30d" },
    [P_UNTIL] = { "until", UI_TIME, NULL, 0, 0, "an RFC 3339 time or -DURATION such as -30d" },
    [P_Q] = { "q", UI_TEXT, NULL, 0, 200, "text to find in titles (at most 200 bytes)" },
    [P_SORT] = { "sort", UI_CHOICE, cols, 0, 0,
                 "opened, title, status, severity, ttd, ttm, ttr or impact" },
    [P_ORDER] = { "order", UI_CHOICE, orders, 0, 0, "asc or desc" },
    [P_PAGE] = { "page", UI_UINT, NULL, 1, 1000000, "a page number from 1 to 1000000" },
    [P_PER] = { "per_page", UI_UINT, NULL, 10, 500, "a number of rows from 10 to 500" },
};

#define PER_PAGE_DEFAULT 50

/* What the page shows, from the parameters. */
struct view {
    struct rnd_ui_args a;
    enum col col;
    bool desc;
    size_t page, per;
};

static int rank(const char *s, const char *const *table)
{
    int i = 0;

    for (; s && *s && table[i]; i++)
        if (strcmp(s, table[i]) == 0)
            return i;
    return s && *s ? i : i + 1;   /* unknown words after known ones, none last */
}

/* The sort key of a row for a numeric column; -1 when unknown. */
static int64_t num_key(const struct ana_row *r, enum col c)
{
    switch (c) {
    case COL_OPENED: return r->opened;
    case COL_STATUS: return rank(r->status, statuses);
    case COL_SEVERITY: return rank(r->severity, severities);
    case COL_TTD: return r->dur[ANA_D_TTD];
    case COL_TTM: return r->dur[ANA_D_TTM];
    case COL_TTR: return r->dur[ANA_D_TTR];
    case COL_IMPACT: return r->dur[ANA_D_IMPACT];
    default: return 0;
    }
}

static int cmp_rows(const void *x, const void *y, void *ud)
{
    const struct ana_row *a = *(const struct ana_row *const *)x;
    const struct ana_row *b = *(const struct ana_row *const *)y;
    const struct view *v = ud;
    bool durs = v->col >= COL_TTD;
    int64_t ka = num_key(a, v->col), kb = num_key(b, v->col);
    int c = 0;

    if (v->col == COL_TITLE)
        c = strcasecmp(a->title, b->title);
    else if (durs && (ka < 0) != (kb < 0))
        return ka < 0 ? 1 : -1;        /* unknown last, either order */
    else
        c = ka < kb ? -1 : ka > kb;
    if (c)
        return v->desc ? -c : c;
    if (a->opened != b->opened)
        return a->opened > b->opened ? -1 : 1;
    return strcmp(a->id, b->id);
}

static bool row_kept(const struct ana_row *r, const struct view *v)
{
    const char *status = rnd_ui_arg(&v->a, P_STATUS), *q = rnd_ui_arg(&v->a, P_Q);

    if (status && strcmp(r->status, status) != 0)
        return false;
    return !q || strcasestr(r->title, q) || strcasestr(r->id, q);
}

/* Unattached evidence per candidate incident: {id: count}, and the total
 * into *total.  Caller owns *ret. */
static int unattached_counts(struct store *st, json_t **ret, size_t *total)
{
    json_t *list = NULL, *counts = json_object(), *rec, *id;
    size_t i, k;
    int r;

    if (!counts)
        return -ENOMEM;
    if ((r = cor_unattached_list(st, IQ_TIME_NONE, &list)) < 0) {
        json_decref(counts);
        return r;
    }
    *total = json_array_size(list);
    json_array_foreach(list, i, rec)
        json_array_foreach(json_object_get(rec, "candidates"), k, id) {
            const char *s = json_string_value(id);

            if (s && json_object_set_new(counts, s, json_integer(json_integer_value(
                                             json_object_get(counts, s)) + 1)) < 0)
                r = -ENOMEM;
        }
    json_decref(list);
    if (r < 0) {
        json_decref(counts);
        return r;
    }
    *ret = counts;
    return 0;
}

/* "/ui/?" with the view's parameters, parameter skip left out and, when
 * name is not NULL, name=value added (an attribute value: & as &amp;). */
static int view_url(struct iq_buf *b, const struct view *v, int skip, const char *name,
                    const char *value)
{
    bool first = true;
    int r = iq_buf_adds(b, RND_UI_PREFIX "/");

    for (int i = 0; r == 0 && i < P_N; i++) {
        if (i == skip || !rnd_ui_arg(&v->a, (size_t)i) || (name && i == P_PAGE))
            continue;
        if ((r = iq_buf_adds(b, first ? "?" : "&amp;")) < 0 ||
            (r = iq_buf_printf(b, "%s=", params[i].name)) < 0)
            break;
        r = rnd_ui_url(b, rnd_ui_arg(&v->a, (size_t)i));
        first = false;
    }
    if (r == 0 && name && (r = iq_buf_adds(b, first ? "?" : "&amp;")) == 0 &&
        (r = iq_buf_printf(b, "%s=", name)) == 0)
        r = rnd_ui_url(b, value);
    return r;
}

/* A select of choices, the current one selected. */
static int select_of(struct iq_buf *b, const char *label, int p, const char *const *choices,
                     const struct view *v)
{
    const char *cur = rnd_ui_arg(&v->a, (size_t)p);
    int r = iq_buf_printf(b, "<label>%s<select name=\"%s\"><option value=\"\">any</option>",
                          label, params[p].name);

    for (size_t i = 0; r == 0 && choices[i]; i++) {
        if ((r = iq_buf_printf(b, "<option%s>", cur && strcmp(cur, choices[i]) == 0
                                                     ? " selected" : "")) == 0 &&
            (r = rnd_ui_text(b, choices[i])) == 0)
            r = iq_buf_adds(b, "</option>");
    }
    return r < 0 ? r : iq_buf_adds(b, "</select></label>");
}

static int input_of(struct iq_buf *b, const char *label, int p, const char *placeholder,
                    const struct view *v)
{
    int r;

    if ((r = iq_buf_printf(b, "<label>%s<input name=\"%s\" placeholder=\"%s\" value=\"", label,
                           params[p].name, placeholder)) < 0 ||
        (r = rnd_ui_text(b, rnd_ui_arg(&v->a, (size_t)p))) < 0)
        return r;
    return iq_buf_adds(b, "\"></label>");
}

/* The filter form; the taxonomy's classes in a select when known. */
static int filters(struct iq_buf *b, const struct rnd_ui *ui, const struct view *v)
{
    size_t n = ana_classes_count(ui->classes);
    const char *names[ANA_CLASSES_MAX + 1];
    int r;

    for (size_t i = 0; i < n && i < ANA_CLASSES_MAX; i++)
        names[i] = ana_classes_name(ui->classes, i);
    names[n < ANA_CLASSES_MAX ? n : ANA_CLASSES_MAX] = NULL;
    if ((r = iq_buf_adds(b, "<form class=\"filters\" method=\"get\" action=\"" RND_UI_PREFIX
                            "/\" role=\"search\">")) < 0 ||
        (r = input_of(b, "Title or id", P_Q, "search", v)) < 0 ||
        (r = select_of(b, "Status", P_STATUS, statuses, v)) < 0 ||
        (r = select_of(b, "Severity", P_SEVERITY, severities, v)) < 0 ||
        (r = input_of(b, "Service", P_SERVICE, "checkout", v)) < 0 ||
        (r = (n ? select_of(b, "Class", P_CLASS, names, v)
                : input_of(b, "Class", P_CLASS, "dns", v))) < 0 ||
        (r = input_of(b, "Opened since", P_SINCE, "-30d", v)) < 0 ||
        (r = input_of(b, "Opened before", P_UNTIL, "2026-12-01T00:00:00Z", v)) < 0)
        return r;
    if (rnd_ui_arg(&v->a, P_SORT) &&
        ((r = iq_buf_printf(b, "<input type=\"hidden\" name=\"sort\" value=\"%s\">",
                            cols[v->col])) < 0 ||
         (r = iq_buf_printf(b, "<input type=\"hidden\" name=\"order\" value=\"%s\">",
                            v->desc ? "desc" : "asc")) < 0))
        return r;
    if (rnd_ui_arg(&v->a, P_PER) &&
        (r = iq_buf_printf(b, "<input type=\"hidden\" name=\"per_page\" value=\"%zu\">",
                           v->per)) < 0)
        return r;
    return iq_buf_adds(b, "<button type=\"submit\">Filter</button><a href=\"" RND_UI_PREFIX
                          "/\">Clear</a></form>\n");
}

/* A sortable column's header: a link that sorts by it (or flips the order). */
static int sort_head(struct iq_buf *b, const struct view *v, enum col c, const char *label,
                     bool num)
{
    bool cur = v->col == c, desc = cur ? !v->desc : (c != COL_TITLE && c != COL_STATUS &&
                                                      c != COL_SEVERITY);
    struct view next = *v;
    int r;

    next.a.set[P_ORDER] = false;
    if ((r = iq_buf_printf(b, "<th scope=\"col\"%s%s><a href=\"", num ? " class=\"num\"" : "",
                           !cur ? "" : v->desc ? " aria-sort=\"descending\""
                                               : " aria-sort=\"ascending\"")) < 0 ||
        (r = view_url(b, &next, P_SORT, "sort", cols[c])) < 0 ||
        (r = iq_buf_printf(b, "&amp;order=%s\">%s%s</a></th>", desc ? "desc" : "asc", label,
                           !cur ? "" : v->desc ? " ▼" : " ▲")) < 0)
        return r;
    return 0;
}

static int head(struct iq_buf *b, const struct view *v)
{
    int r;

    if ((r = iq_buf_adds(b, "<div class=\"scroll\"><table class=\"incidents\"><thead><tr>")) < 0 ||
        (r = sort_head(b, v, COL_TITLE, "Incident", false)) < 0 ||
        (r = sort_head(b, v, COL_STATUS, "Status", false)) < 0 ||
        (r = sort_head(b, v, COL_SEVERITY, "Severity", false)) < 0 ||
        (r = iq_buf_adds(b, "<th scope=\"col\">Services</th>")) < 0 ||
        (r = sort_head(b, v, COL_OPENED, "Opened (UTC)", false)) < 0 ||
        (r = sort_head(b, v, COL_TTD, "<abbr title=\"time to detect\">TTD</abbr>", true)) < 0 ||
        (r = sort_head(b, v, COL_TTM, "<abbr title=\"time to mitigate\">TTM</abbr>", true)) < 0 ||
        (r = sort_head(b, v, COL_TTR, "<abbr title=\"time to resolve\">TTR</abbr>", true)) < 0 ||
        (r = sort_head(b, v, COL_IMPACT, "Impact", true)) < 0)
        return r;
    return iq_buf_adds(b, "<th scope=\"col\">Failure classes</th><th scope=\"col\" class=\"num\">"
                          "<abbr title=\"evidence that could belong to this incident and "
                          "joined none\">Unattached</abbr></th></tr></thead>\n<tbody>\n");
}

/* The strings of arr joined with ", " (escaped). */
static int joined(struct iq_buf *b, const json_t *arr)
{
    const json_t *s;
    size_t i;
    int r = 0;

    if (json_array_size(arr) == 0)
        return iq_buf_adds(b, "–");
    json_array_foreach(arr, i, s)
        if ((i && (r = iq_buf_adds(b, ", ")) < 0) || (r = rnd_ui_text(b, json_string_value(s))) < 0)
            return r;
    return r;
}

static int row(struct iq_buf *b, const struct ana_row *x, const json_t *unatt)
{
    json_int_t u = json_integer_value(json_object_get(unatt, x->id));
    int r;

    if ((r = iq_buf_adds(b, "<tr data-incident=\"")) < 0 || (r = rnd_ui_text(b, x->id)) < 0 ||
        (r = iq_buf_adds(b, "\"><td>")) < 0 || (r = rnd_ui_incident_link(b, x->id, x->title)) < 0 ||
        (r = iq_buf_adds(b, "<br><span class=\"muted small\">")) < 0 ||
        (r = rnd_ui_text(b, x->id)) < 0 || (r = iq_buf_adds(b, "</span></td><td>")) < 0 ||
        (r = rnd_ui_badge(b, "status", x->status)) < 0 || (r = iq_buf_adds(b, "</td><td>")) < 0 ||
        (r = rnd_ui_badge(b, "severity", x->severity)) < 0 ||
        (r = iq_buf_adds(b, "</td><td>")) < 0 || (r = joined(b, x->services)) < 0 ||
        (r = iq_buf_adds(b, "</td><td>")) < 0 || (r = rnd_ui_time(b, x->opened)) < 0)
        return r;
    for (int k = 0; k < ANA_D_N; k++)
        if (k != ANA_D_TTA && ((r = iq_buf_adds(b, "</td><td class=\"num\">")) < 0 ||
                               (r = rnd_ui_dur(b, x->dur[k])) < 0))
            return r;
    if ((r = iq_buf_adds(b, "</td><td>")) < 0 || (r = joined(b, x->classes)) < 0)
        return r;
    return iq_buf_printf(b, "</td><td class=\"num\">%lld</td></tr>\n", (long long)u);
}

static int pager(struct iq_buf *b, const struct view *v, size_t total)
{
    size_t pages = total ? (total + v->per - 1) / v->per : 1;
    char n[24];
    int r;

    if ((r = iq_buf_printf(b, "<nav class=\"pager\" aria-label=\"Pages\"><span>Page %zu of %zu"
                              "</span>", v->page, pages)) < 0)
        return r;
    if (v->page > 1) {   /* past the last page: back to the last one */
        snprintf(n, sizeof(n), "%zu", v->page > pages ? pages : v->page - 1);
        if ((r = iq_buf_adds(b, "<a rel=\"prev\" href=\"")) < 0 ||
            (r = view_url(b, v, P_PAGE, "page", n)) < 0 ||
            (r = iq_buf_adds(b, v->page > pages ? "\">← Last page</a>" : "\">← Newer page</a>")) < 0)
            return r;
    }
    if (v->page < pages) {
        snprintf(n, sizeof(n), "%zu", v->page + 1);
        if ((r = iq_buf_adds(b, "<a rel=\"next\" href=\"")) < 0 ||
            (r = view_url(b, v, P_PAGE, "page", n)) < 0 ||
            (r = iq_buf_adds(b, "\">Next page →</a>")) < 0)
            return r;
    }
    return iq_buf_adds(b, "</nav>\n");
}

/* The list under the filters: summary, table, pager. */
static int body(struct iq_buf *b, const struct view *v, const struct ana_row **kept, size_t n,
                const json_t *unatt, size_t unatt_total)
{
    size_t from = (v->page - 1) * v->per, to = from + v->per < n ? from + v->per : n;
    int r;

    if ((r = iq_buf_printf(b, "<p class=\"summary\"><strong data-count=\"%zu\">%zu</strong> "
                              "incident%s", n, n, n == 1 ? "" : "s")) < 0 ||
        (r = iq_buf_printf(b, " · <a href=\"/api/v1/unattached\">%zu piece%s of evidence</a> "
                              "joined no incident</p>\n", unatt_total,
                           unatt_total == 1 ? "" : "s")) < 0 ||
        (r = head(b, v)) < 0)
        return r;
    for (size_t i = from; i < to; i++)
        if ((r = row(b, kept[i], unatt)) < 0)
            return r;
    if (from >= to && (r = iq_buf_printf(b, "<tr><td colspan=\"11\">%s</td></tr>\n",
                                         n ? "No incidents on this page."
                                           : "No incidents match.")) < 0)
        return r;
    if ((r = iq_buf_adds(b, "</tbody></table></div>\n")) < 0)
        return r;
    return pager(b, v, n);
}

/* The filters of the parameters as an analyze/ query. */
static struct ana_query view_query(const struct view *v)
{
    return (struct ana_query){
        .since = v->a.set[P_SINCE] ? v->a.num[P_SINCE] : IQ_TIME_NONE,
        .until = v->a.set[P_UNTIL] ? v->a.num[P_UNTIL] : IQ_TIME_NONE,
        .service = rnd_ui_arg(&v->a, P_SERVICE), .class_name = rnd_ui_arg(&v->a, P_CLASS),
        .severity = rnd_ui_arg(&v->a, P_SEVERITY),
    };
}

static int page(struct rnd_ui *ui, const struct view *v, struct iq_buf *b)
{
    struct ana_query q = view_query(v);
    struct ana_list *list = NULL;
    const struct ana_row **kept = NULL;
    json_t *unatt = NULL;
    size_t n = 0, total = 0;
    int r;

    if ((r = ana_query_list(ui->st, ui->classes, &q, &list)) < 0 ||
        (r = unattached_counts(ui->st, &unatt, &total)) < 0)
        goto out;
    r = -ENOMEM;
    if (!(kept = calloc(ana_list_count(list) + 1, sizeof(*kept))))
        goto out;
    for (size_t i = 0; i < ana_list_count(list); i++)
        if (row_kept(&ana_list_rows(list)[i], v))
            kept[n++] = &ana_list_rows(list)[i];
    qsort_r(kept, n, sizeof(*kept), cmp_rows, (void *)v);
    if ((r = rnd_ui_begin(b, "Incidents", UI_NAV_LIST)) < 0 ||
        (r = iq_buf_adds(b, "<h1>Incidents</h1>\n")) < 0 || (r = filters(b, ui, v)) < 0 ||
        (r = body(b, v, kept, n, unatt, total)) < 0)
        goto out;
    r = rnd_ui_end(b);
out:
    free(kept);
    json_decref(unatt);
    ana_list_free(&list);
    return r;
}

int rnd_ui_list_page(struct rnd_ui *ui, const struct http_request *rq,
                     struct http_response *resp)
{
    struct view *v = calloc(1, sizeof(*v));
    struct iq_buf b;
    char err[512];
    int r;

    if (!v)
        return -ENOMEM;
    iq_buf_init(&b, RND_UI_PAGE_MAX);
    if (rnd_ui_args_parse(params, P_N, rq->query, &v->a, err, sizeof(err)) < 0) {
        r = rnd_ui_error(resp, 400, "Bad request", err);
        goto out;
    }
    v->col = v->a.set[P_SORT] ? (enum col)v->a.num[P_SORT] : COL_OPENED;
    v->desc = v->a.set[P_ORDER] ? v->a.num[P_ORDER] == 1 : v->col == COL_OPENED;
    v->page = v->a.set[P_PAGE] ? (size_t)v->a.num[P_PAGE] : 1;
    v->per = v->a.set[P_PER] ? (size_t)v->a.num[P_PER] : PER_PAGE_DEFAULT;
    if (v->a.set[P_SINCE] && v->a.set[P_UNTIL] && v->a.num[P_SINCE] >= v->a.num[P_UNTIL]) {
        r = rnd_ui_error(resp, 400, "Bad request", "parameter 'since' must be before 'until'");
        goto out;
    }
    r = page(ui, v, &b);
    r = r < 0 ? rnd_ui_fail(resp, r) : rnd_ui_reply(resp, 200, &b);
out:
    iq_buf_free(&b);
    free(v);
    return r;
}

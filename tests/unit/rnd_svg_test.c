/* rnd_svg_test.c - unit tests of the visual timeline (render/rnd_svg*.c):
 * the axis steps and labels from ten minutes to weeks, the packing of
 * overlapping bars into sub-rows, the escaping of hostile text, and the
 * markup contract of whole charts (the sample incident, a three-day
 * incident, ten thousand events) read back with a real XML parser,
 * libxml2 (Debian libxml2-dev): the SVG must parse, every milestone of the
 * incident must appear once with its time, and each lane must hold the
 * elements its events make. */
#include "iq_test.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "iq_buf.h"
#include "iq_event.h"
#include "iq_time.h"
#include "rnd_svg.h"

#define MIN_MS  60000LL
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS  (24 * HOUR_MS)

static int64_t t_of(const char *s)
{
    int64_t ms = 0;

    assert_int_equal(iq_time_parse_rfc3339(s, strlen(s), &ms), 0);
    return ms;
}

/* -- axis -- */

static void axis_steps(void **state)
{
    static const struct { int64_t span, step; } cases[] = {
        { 10 * MIN_MS, MIN_MS },        { 30 * MIN_MS, 5 * MIN_MS },
        { HOUR_MS, 10 * MIN_MS },       { 2 * HOUR_MS, 15 * MIN_MS },
        { 5 * HOUR_MS, 30 * MIN_MS },   { 6 * HOUR_MS, HOUR_MS },
        { 12 * HOUR_MS, 2 * HOUR_MS },  { DAY_MS, 3 * HOUR_MS },
        { 2 * DAY_MS, 6 * HOUR_MS },    { 3 * DAY_MS, 12 * HOUR_MS },
        { 10 * DAY_MS, DAY_MS },        { 20 * DAY_MS, 2 * DAY_MS },
        { 60 * DAY_MS, 7 * DAY_MS },    { 3000 * DAY_MS, 28 * DAY_MS },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t step = rnd_svg_axis_step(cases[i].span, 11);

        if (step != cases[i].step)
            fail_msg("span %lld ms: step %lld, want %lld", (long long)cases[i].span,
                     (long long)step, (long long)cases[i].step);
        assert_true(cases[i].span / step <= 11 || i + 1 == sizeof(cases) / sizeof(cases[0]));
    }
    /* fewer ticks allowed: a coarser step */
    assert_int_equal(rnd_svg_axis_step(HOUR_MS, 4), 15 * MIN_MS);
}

static void tick_labels(void **state)
{
    char label[32], date[32];

    (void)state;
    /* minutes: time, and the date at the first tick only */
    rnd_svg_tick_label(t_of("2026-10-21T13:40:00Z"), 5 * MIN_MS, true, label, sizeof(label), date,
                       sizeof(date));
    assert_string_equal(label, "13:40");
    assert_string_equal(date, "21 Oct");
    rnd_svg_tick_label(t_of("2026-10-21T13:45:00Z"), 5 * MIN_MS, false, label, sizeof(label), date,
                       sizeof(date));
    assert_string_equal(label, "13:45");
    assert_string_equal(date, "");
    /* hours: the date again at midnight */
    rnd_svg_tick_label(t_of("2026-11-03T00:00:00Z"), 12 * HOUR_MS, false, label, sizeof(label), date,
                       sizeof(date));
    assert_string_equal(label, "00:00");
    assert_string_equal(date, "3 Nov");
    rnd_svg_tick_label(t_of("2026-11-03T12:00:00Z"), 12 * HOUR_MS, false, label, sizeof(label), date,
                       sizeof(date));
    assert_string_equal(label, "12:00");
    assert_string_equal(date, "");
    /* days: the date is the label */
    rnd_svg_tick_label(t_of("2026-12-31T00:00:00Z"), DAY_MS, true, label, sizeof(label), date,
                       sizeof(date));
    assert_string_equal(label, "31 Dec");
    assert_string_equal(date, "");
}

/* -- packing -- */

static void pack_overlapping(void **state)
{
    /* sorted by start; depth 3 at x = 12..14 */
    static const double x0[] = { 0, 5, 10, 12, 16, 31, 40 };
    static const double x1[] = { 14, 11, 15, 30, 20, 35, 41 };
    size_t n = sizeof(x0) / sizeof(x0[0]);
    unsigned row[7], rows;

    (void)state;
    rows = rnd_svg_pack(x0, x1, n, 0.5, 8, row);
    assert_int_equal(rows, 3);
    assert_int_equal(row[0], 0);   /* 0..14 */
    assert_int_equal(row[1], 1);   /* 5..11 overlaps it */
    assert_int_equal(row[2], 2);   /* 10..15 overlaps both */
    assert_int_equal(row[3], 1);   /* 12..30: row 1 is free again after 11 */
    assert_int_equal(row[4], 0);   /* 16..20: row 0 free after 14 */
    assert_int_equal(row[5], 0);   /* 31..35 */
    assert_int_equal(row[6], 0);   /* 40..41 */
    for (size_t i = 0; i < n; i++)   /* no two bars of one row overlap */
        for (size_t k = i + 1; k < n; k++)
            if (row[i] == row[k])
                assert_true(x1[i] + 0.5 <= x0[k] || x1[k] + 0.5 <= x0[i]);
    /* the gap counts: touching bars do not share a row */
    {
        const double a0[] = { 0, 10 }, a1[] = { 10, 20 };

        assert_int_equal(rnd_svg_pack(a0, a1, 2, 2.0, 8, row), 2);
        assert_int_equal(rnd_svg_pack(a0, a1, 2, 0.0, 8, row), 1);
    }
    /* past the row limit: the overflow row, numbered max_rows */
    {
        const double s0[] = { 0, 0, 0, 0, 0 }, s1[] = { 5, 5, 5, 5, 5 };

        assert_int_equal(rnd_svg_pack(s0, s1, 5, 1.0, 3, row), 3);
        assert_int_equal(row[2], 2);
        assert_int_equal(row[3], 3);
        assert_int_equal(row[4], 3);
    }
}

/* -- escaping -- */

static void expect_escaped(const char *in, size_t n, const char *want)
{
    struct iq_buf b;

    iq_buf_init(&b, 4096);
    assert_int_equal(rnd_xml_escape(&b, in, n), 0);
    assert_string_equal(b.p ? b.p : "", want);
    iq_buf_free(&b);
}

#define ESCAPED(lit, want) expect_escaped(lit, sizeof(lit) - 1, want)

static void escape_hostile(void **state)
{
    (void)state;
    ESCAPED("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    ESCAPED("a & b \"q\" 'a'", "a &amp; b &quot;q&quot; &apos;a&apos;");
    ESCAPED("x]]>y", "x]]&gt;y");
    ESCAPED("tab\tnl\ncr\r", "tab nl cr ");
    ESCAPED("\x01\x1b[31m\x7f", "\xEF\xBF\xBD\xEF\xBF\xBD[31m\x7f");
    ESCAPED("bad \xff\xfe utf8 \xc3", "bad \xEF\xBF\xBD\xEF\xBF\xBD utf8 \xEF\xBF\xBD");
    ESCAPED("overlong \xc0\xaf, surrogate \xed\xa0\x80",
            "overlong \xEF\xBF\xBD\xEF\xBF\xBD, surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    ESCAPED("nonchar \xef\xbf\xbe ok \xe2\x9c\x8d\xef\xb8\x8f",
            "nonchar \xEF\xBF\xBD ok \xe2\x9c\x8d\xef\xb8\x8f");
    ESCAPED("a\0b", "a\xEF\xBF\xBD" "b");
    ESCAPED("", "");
}

/* -- whole charts -- */

struct doc {
    xmlDocPtr xml;
    xmlXPathContextPtr xp;
    char *svg;
    size_t len;
};

static void doc_free(struct doc *d)
{
    xmlXPathFreeContext(d->xp);
    xmlFreeDoc(d->xml);
    free(d->svg);
}

/* Render the chart of inc and evs, parse it (a parse error fails). */
static void render(const json_t *inc, struct iq_event **evs, size_t n, struct doc *d)
{
    struct rnd_svg *c = NULL;
    char err[256];

    memset(d, 0, sizeof(*d));
    if (rnd_svg_build(inc, evs, n, NULL, &c, err, sizeof(err)) < 0)
        fail_msg("rnd_svg_build: %s", err);
    assert_int_equal(rnd_svg_string(c, RND_SVG_STANDALONE, 0, &d->svg, &d->len), 0);
    rnd_svg_destroy(&c);
    assert_null(c);
    d->xml = xmlReadMemory(d->svg, (int)d->len, "chart.svg", NULL, XML_PARSE_NONET);
    if (!d->xml)
        fail_msg("the SVG does not parse as XML: %s", xmlGetLastError() ? xmlGetLastError()->message : "?");
    assert_non_null(d->xp = xmlXPathNewContext(d->xml));
    assert_int_equal(xmlXPathRegisterNs(d->xp, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg"), 0);
}

static double xnum(struct doc *d, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->xp);
    double v;

    if (!o)
        fail_msg("bad XPath %s", expr);
    v = xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    return v;
}

/* The string value of expr; caller frees. */
static char *xstr(struct doc *d, const char *expr)
{
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, d->xp);
    char *s;

    assert_non_null(o);
    s = (char *)xmlXPathCastToString(o);
    xmlXPathFreeObject(o);
    return s;
}

static void expect_count(struct doc *d, const char *expr, double want)
{
    double got = xnum(d, expr);

    if (got != want)
        fail_msg("%s = %g, want %g", expr, got, want);
}

static void free_events(struct iq_event **evs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
    free(evs);
}

static int cmp_events(const void *x, const void *y)
{
    const struct iq_event *a = *(struct iq_event *const *)x, *b = *(struct iq_event *const *)y;

    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return strcmp(iq_ev_id(a), iq_ev_id(b));
}

/* Events of an NDJSON fixture under tests/data/render, in (at, id) order. */
static struct iq_event **load_events(const char *name, size_t *ret_n)
{
    char path[1024], *line = NULL, err[IQ_ERR_MAX];
    struct iq_event **evs = NULL;
    size_t cap = 0, n = 0;
    ssize_t len;
    FILE *f;

    snprintf(path, sizeof(path), "%s/tests/data/render/%s", iq_test_root(), name);
    assert_non_null(f = fopen(path, "r"));
    while ((len = getline(&line, &cap, f)) > 0) {
        json_t *j = json_loadb(line, (size_t)len, 0, NULL);
        struct iq_event *ev = NULL;

        assert_non_null(j);
        if (iq_event_from_json(j, &ev, err, sizeof(err)) < 0)
            fail_msg("%s: %s", path, err);
        json_decref(j);
        assert_non_null(evs = realloc(evs, (n + 1) * sizeof(*evs)));
        evs[n++] = ev;
    }
    free(line);
    fclose(f);
    qsort(evs, n, sizeof(*evs), cmp_events);
    *ret_n = n;
    return evs;
}

static json_t *load_incident(const char *name)
{
    char path[1024];
    json_t *j;

    snprintf(path, sizeof(path), "%s/tests/data/render/%s", iq_test_root(), name);
    assert_non_null(j = json_load_file(path, 0, NULL));
    return j;
}

/* Every milestone of inc appears once, with its own time as data-at;
 * returns how many the incident has. */
static size_t expect_milestones(struct doc *d, const json_t *inc)
{
    const json_t *ms = json_object_get(inc, "milestones"), *m;
    const char *key;
    char expr[256];
    size_t n = 0;

    json_object_foreach((json_t *)ms, key, m) {
        const char *at = json_string_value(json_object_get(m, "at"));

        snprintf(expr, sizeof(expr), "count(//*[@data-milestone='%s'])", key);
        expect_count(d, expr, at ? 1 : 0);
        if (!at)
            continue;
        n++;
        snprintf(expr, sizeof(expr), "count(//*[@data-milestone='%s'][@data-at='%s'])", key, at);
        expect_count(d, expr, 1);
    }
    expect_count(d, "count(//*[@data-milestone])", (double)n);
    return n;
}

static void contract_sample(void **state)
{
    json_t *inc = load_incident("sample-incident.json");
    struct iq_event **evs;
    struct doc d;
    size_t n;
    char *s;

    (void)state;
    evs = load_events("sample-events.ndjson", &n);
    render(inc, evs, n, &d);
    expect_count(&d, "count(/s:svg[@class='iq-timeline'])", 1);
    assert_int_equal(expect_milestones(&d, inc), 6);
    /* alerts: two bars, each from its firing to its resolution */
    expect_count(&d, "count(//s:g[@data-lane='alerts']/*[@data-event])", 2);
    expect_count(&d, "count(//*[@data-event='am-3f1c-firing-1'][@data-end-event='am-3f1c-resolved-1']"
                     "[@data-severity='critical'][@data-end='2026-10-21T14:14:00.000Z'])", 1);
    /* pages: triggered up to the acknowledgement, then acknowledged up to the resolution */
    expect_count(&d, "count(//s:g[@data-lane='pages']/*[@data-event])", 2);
    expect_count(&d, "count(//*[@data-event='pd-Q1X2-trigger'][@data-state='triggered']"
                     "[@data-end='2026-10-21T13:47:12.000Z'])", 1);
    expect_count(&d, "count(//*[@data-event='pd-Q1X2-ack'][@data-state='acknowledged']"
                     "[@data-end-event='pd-Q1X2-resolve'])", 1);
    /* status page: investigating, identified (the component change is in its own lane) */
    expect_count(&d, "count(//s:g[@data-lane='status']/*[@data-event])", 2);
    expect_count(&d, "count(//s:g[@data-lane='components']/*[@data-component='Checkout API']"
                     "[@data-state='partial_outage'][@data-end='2026-10-21T14:35:00.000Z'])", 1);
    /* deploys: the change, the top candidate, the rollback */
    expect_count(&d, "count(//s:g[@data-lane='deploys']/*[@data-event])", 3);
    expect_count(&d, "count(//*[@data-event='gh-dep-990-success'][@data-trigger='top'][@data-kind='deploy'])", 1);
    expect_count(&d, "count(//*[@data-event='gh-chg-41'][@data-trigger='candidate'][@data-kind='change'])", 1);
    expect_count(&d, "count(//*[@data-event='gh-dep-991-rollback'][@data-kind='rollback'])", 1);
    expect_count(&d, "count(//s:g[@data-lane='chat']/*[@data-event])", 2);
    /* every event element has a title: its time, description and source */
    expect_count(&d, "count(//*[@data-event][not(s:title)])", 0);
    s = xstr(&d, "string(//*[@data-event='slack-1']/s:title)");
    assert_string_equal(s, "2026-10-21 13:46:02 UTC · alice: looking at checkout errors now, "
                           "dashboards show 5xx since 13:40 · slack");
    xmlFree(s);
    /* the impact is shaded from impact_start for durations.impact */
    expect_count(&d, "count(//*[@class='iq-impact'][@data-from='2026-10-21T13:40:00.000Z']"
                     "[@data-to='2026-10-21T14:12:40.000Z'])", 1);
    doc_free(&d);
    free_events(evs, n);
    json_decref(inc);
}

static void lanes_overlapping_bars(void **state)
{
    static const char *const spec[][4] = {   /* id, fingerprint, firing, resolved (ends_at) */
        { "a1", "fp1", "2026-05-01T10:00:00Z", "2026-05-01T11:00:00Z" },
        { "a2", "fp2", "2026-05-01T10:10:00Z", "2026-05-01T10:40:00Z" },
        { "a3", "fp3", "2026-05-01T10:20:00Z", "2026-05-01T10:30:00Z" },
        { "a4", "fp4", "2026-05-01T10:50:00Z", "2026-05-01T11:20:00Z" },
    };
    json_t *inc = json_pack("{s:s, s:s, s:{}}", "id", "inc-20260501-00000001", "title", "overlap",
                            "milestones");
    struct iq_event *evs[8];
    double y[4];
    struct doc d;
    size_t n = 0;
    char expr[160];

    (void)state;
    for (size_t i = 0; i < 4; i++)
        for (int res = 0; res < 2; res++) {
            struct iq_event *ev = iq_event_new();
            char id[16];

            snprintf(id, sizeof(id), "%s%s", spec[i][0], res ? "-r" : "");
            iq_event_set_str(ev, IQ_F_ID, id);
            iq_event_set_str(ev, IQ_F_SOURCE, "alertmanager");
            iq_event_set_str(ev, IQ_F_KIND, "alert");
            iq_event_set_str(ev, IQ_F_ACTION, res ? "resolved" : "firing");
            iq_event_set_str(ev, IQ_F_TITLE, "Alert");
            iq_event_set_str(ev, IQ_F_SEVERITY, "warning");
            iq_event_set_label(ev, "fingerprint", spec[i][1]);
            ev->at = t_of(spec[i][2]);   /* a resolution carries startsAt, ends at ends_at */
            if (res)
                ev->ends_at = t_of(spec[i][3]);
            evs[n++] = ev;
        }
    qsort(evs, n, sizeof(*evs), cmp_events);
    render(inc, evs, n, &d);
    expect_count(&d, "count(//s:g[@data-lane='alerts']/s:rect[@data-event])", 4);
    for (size_t i = 0; i < 4; i++) {
        snprintf(expr, sizeof(expr), "number(//s:rect[@data-event='%s']/@y)", spec[i][0]);
        y[i] = xnum(&d, expr);
        snprintf(expr, sizeof(expr), "count(//*[@data-event='%s'][@data-end-event='%s-r'][@data-end='%.19s.000Z'])",
                 spec[i][0], spec[i][0], spec[i][3]);
        expect_count(&d, expr, 1);
    }
    /* a1, a2, a3 overlap: three rows; a4 starts after a2 and a3 ended: row 1 again */
    assert_true(y[0] < y[1] && y[1] < y[2]);
    assert_true(y[3] == y[1]);
    doc_free(&d);
    for (size_t i = 0; i < n; i++)
        iq_event_destroy(&evs[i]);
    json_decref(inc);
}

static struct iq_event *simple(const char *id, const char *kind, const char *action, const char *title,
                               int64_t at)
{
    struct iq_event *ev = iq_event_new();

    assert_non_null(ev);
    iq_event_set_str(ev, IQ_F_ID, id);
    iq_event_set_str(ev, IQ_F_SOURCE, "test<source>");
    iq_event_set_str(ev, IQ_F_KIND, kind);
    iq_event_set_str(ev, IQ_F_ACTION, action);
    iq_event_set_str(ev, IQ_F_TITLE, title);
    ev->at = at;
    return ev;
}

static void hostile_titles(void **state)
{
    static const char title[] = "<script>alert(\"x\")</script> & 'q' ]]> \x01\x1b[0m end";
    static const char id[] = "id\"><g onload='x'>&amp;";
    json_t *inc = json_pack("{s:s, s:s, s:{s:{s:s, s:s, s:s}}}", "id", "inc-<&>", "title",
                            "Title </title><script>x</script>", "milestones", "detected", "at",
                            "2026-05-01T10:00:00.000Z", "event", id, "rule", "rule\"><x>");
    struct iq_event *evs[3];
    struct doc d;
    char *s;

    (void)state;
    evs[0] = simple(id, "chat", "posted", title, t_of("2026-05-01T10:00:00Z"));
    evs[1] = simple("d1", "deploy", "succeeded", title, t_of("2026-05-01T10:05:00Z"));
    evs[2] = simple("a1", "alert", "firing", title, t_of("2026-05-01T10:06:00Z"));
    render(inc, evs, 3, &d);
    /* nothing but the chart's own elements */
    expect_count(&d, "count(//*[local-name()='script' or local-name()='x' or @onload])", 0);
    expect_count(&d, "count(//*[@data-event='id\"&gt;&lt;g onload=&apos;x&apos;&gt;&amp;amp;'])", 0);
    s = xstr(&d, "string(//s:g[@data-lane='chat']/*/@data-event)");
    assert_string_equal(s, id);
    xmlFree(s);
    s = xstr(&d, "string(//s:g[@data-lane='deploys']/*/s:title)");
    assert_string_equal(s, "2026-05-01 10:05:00 UTC · Deploy succeeded: <script>alert(\"x\")</script> "
                           "& 'q' ]]> \xEF\xBF\xBD\xEF\xBF\xBD[0m end · test<source>");
    xmlFree(s);
    s = xstr(&d, "string(/s:svg/s:title)");
    assert_string_equal(s, "Visual timeline of inc-<&>: Title </title><script>x</script> (times in UTC)");
    xmlFree(s);
    expect_count(&d, "count(//*[@data-milestone='detected'][@data-at='2026-05-01T10:00:00.000Z'])", 1);
    doc_free(&d);
    for (size_t i = 0; i < 3; i++)
        iq_event_destroy(&evs[i]);
    json_decref(inc);
}

static void contract_multiday(void **state)
{
    json_t *inc = load_incident("multiday-incident.json");
    struct iq_event **evs;
    struct doc d;
    size_t n, chat = 0;
    char *s;

    (void)state;
    evs = load_events("multiday-events.ndjson", &n);
    for (size_t i = 0; i < n; i++)
        chat += strcmp(iq_ev_kind(evs[i]), "chat") == 0;
    render(inc, evs, n, &d);
    assert_int_equal(expect_milestones(&d, inc), 6);
    /* three days on the axis: a tick label per day, hours in between */
    s = xstr(&d, "string(//*[@class='iq-axis'])");
    assert_non_null(strstr(s, "2 Nov"));
    assert_non_null(strstr(s, "3 Nov"));
    assert_non_null(strstr(s, "4 Nov"));
    assert_non_null(strstr(s, "06:00"));
    assert_null(strstr(s, ":30"));
    xmlFree(s);
    /* alerts: latency (one bar over two days), errors twice, CPU */
    expect_count(&d, "count(//s:g[@data-lane='alerts']/*[@data-event])", 4);
    expect_count(&d, "count(//*[@data-event='md-am-lat-1'][@data-end='2026-11-04T02:00:00.000Z'])", 1);
    expect_count(&d, "count(//*[@data-event='md-am-err-2'][@data-severity='critical'])", 1);
    expect_count(&d, "count(//s:g[@data-lane='pages']/*[@data-event])", 2);
    expect_count(&d, "count(//s:g[@data-lane='status']/*[@data-event])", 3);
    expect_count(&d, "count(//s:g[@data-lane='components']/*[@data-component='Search API'])", 4);
    expect_count(&d, "count(//s:g[@data-lane='components']/*[@data-open='true'][@data-state='operational'])", 1);
    expect_count(&d, "count(//s:g[@data-lane='deploys']/*[@data-event])", 3);
    expect_count(&d, "count(//*[@data-event='md-gh-dep-301'][@data-kind='rollback'])", 1);
    /* chat: the burst of five in one minute is one tick that says so */
    expect_count(&d, "count(//*[@data-event='md-slack-burst-0'][@data-count='5'])", 1);
    expect_count(&d, "sum(//s:g[@data-lane='chat']/*/@data-count) + "
                     "count(//s:g[@data-lane='chat']/*[@data-event][not(@data-count)])", (double)chat);
    doc_free(&d);
    free_events(evs, n);
    json_decref(inc);
}

/* Ten thousand events stay a chart of bounded size. */
static void bounded_10k(void **state)
{
    json_t *inc = json_pack("{s:s, s:s, s:{s:{s:s, s:s, s:s}}}", "id", "inc-20260501-0000000a",
                            "title", "storm", "milestones", "impact_start", "at",
                            "2026-05-01T00:00:00.000Z", "event", "x", "rule", "alert_starts_at");
    size_t n = 10000;
    struct iq_event **evs = calloc(n, sizeof(*evs));
    int64_t t0 = t_of("2026-05-01T00:00:00Z");
    struct doc d;

    (void)state;
    assert_non_null(evs);
    for (size_t i = 0; i < n; i++) {
        char id[32], fp[32];
        bool alert = i % 2 == 0;

        snprintf(id, sizeof(id), "ev-%05zu", i);
        evs[i] = simple(id, alert ? "alert" : "chat", alert ? (i % 4 ? "resolved" : "firing") : "posted",
                        "storm event", t0 + (int64_t)i * 9000);
        snprintf(fp, sizeof(fp), "fp-%zu", i / 4 % 300);
        iq_event_set_label(evs[i], "fingerprint", fp);
    }
    render(inc, evs, n, &d);
    assert_true(d.len < 2 * 1024 * 1024);
    assert_true(xnum(&d, "count(//s:g[@data-lane='chat']/*[@data-event])") <= 500);
    assert_true(xnum(&d, "count(//s:g[@data-lane='alerts']/*[@data-event])") <= 9 * 330);
    /* nothing lost: the merged counts add up to the events */
    expect_count(&d, "sum(//s:g[@data-lane='chat']/*/@data-count) + "
                     "count(//s:g[@data-lane='chat']/*[@data-event][not(@data-count)])", 5000);
    doc_free(&d);
    free_events(evs, n);
    json_decref(inc);
}

static void empty_and_open(void **state)
{
    json_t *inc = json_pack("{s:s, s:s, s:{}}", "id", "inc-20260501-0000000b", "title", "quiet",
                            "milestones");
    struct iq_event *evs[2];
    struct doc d;
    char *s;

    (void)state;
    render(inc, NULL, 0, &d);
    expect_count(&d, "count(/s:svg[@class='iq-timeline'])", 1);
    expect_count(&d, "count(//s:g[@data-lane])", 0);
    s = xstr(&d, "string(/s:svg)");
    assert_non_null(strstr(s, "No events to draw."));
    xmlFree(s);
    doc_free(&d);
    /* an alert still firing at the last event: open, drawn to that event */
    evs[0] = simple("f", "alert", "firing", "Disk", t_of("2026-05-01T10:00:00Z"));
    evs[1] = simple("c", "chat", "posted", "still full", t_of("2026-05-01T12:00:00Z"));
    render(inc, evs, 2, &d);
    expect_count(&d, "count(//*[@data-event='f'][@data-open='true'][@data-end='2026-05-01T12:00:00.000Z'])", 1);
    expect_count(&d, "count(//s:g[@data-lane])", 2);   /* lanes without events are left out */
    doc_free(&d);
    iq_event_destroy(&evs[0]);
    iq_event_destroy(&evs[1]);
    /* a malformed milestone time is named */
    {
        json_t *bad = json_pack("{s:s, s:{s:{s:s}}}", "id", "x", "milestones", "resolved", "at", "soon");
        struct rnd_svg *c = NULL;
        char err[128];

        assert_int_equal(rnd_svg_build(bad, NULL, 0, NULL, &c, err, sizeof(err)), -EINVAL);
        assert_null(c);
        assert_string_equal(err, "incident member 'resolved': not an RFC 3339 time");
        json_decref(bad);
    }
    json_decref(inc);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(axis_steps),
    cmocka_unit_test(tick_labels),
    cmocka_unit_test(pack_overlapping),
    cmocka_unit_test(escape_hostile),
    cmocka_unit_test(contract_sample),
    cmocka_unit_test(lanes_overlapping_bars),
    cmocka_unit_test(hostile_titles),
    cmocka_unit_test(contract_multiday),
    cmocka_unit_test(bounded_10k),
    cmocka_unit_test(empty_and_open),
};

TEST_MAIN(tests)

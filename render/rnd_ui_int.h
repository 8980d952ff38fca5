/* rnd_ui_int.h - the web UI's parts between its files: the UI's state,
 * query parameters, the page frame and HTML helpers (rnd_ui_page.c), the
 * pages (rnd_ui_list.c, rnd_ui_incident.c, rnd_ui_query.c) and the
 * analytics charts (rnd_ui_chart.c).  Not for other modules. */
#ifndef RND_UI_INT_H
#define RND_UI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include <pthread.h>

#include "rnd_ui.h"

struct iq_buf;

/* What one request renders with: rnd_ui_get takes a reference on the
 * shared taxonomy and names (a reload may replace them meanwhile) into a
 * view of its own and hands that to the pages. */
struct rnd_ui {
    struct store *st;                  /* borrowed */
    const struct ana_classes *classes; /* the request's reference, may be NULL */
    json_t *people;                    /* drafts.slack_users, or NULL */
    struct ana_http_query *query;      /* shared: where the taxonomy comes from; may be NULL */
    pthread_mutex_t *lock;             /* shared: guards the shared people */
};

#define RND_UI_PAGE_MAX (32u << 20)    /* bytes of one page */

/* -- query parameters (rnd_ui_page.c) -- */

enum rnd_ui_kind {
    UI_TEXT = 0,     /* any text without control characters, at most max bytes */
    UI_NAME,         /* a class name: [A-Za-z0-9._-], at most max bytes */
    UI_TIME,         /* RFC 3339 or "-30d"/"now" (iq_time_parse_arg): num = UTC ms */
    UI_DURATION,     /* "90d" (iq_duration_parse), > 0: num = ms */
    UI_UINT,         /* decimal in [min, max]: num */
    UI_CHOICE,       /* one of choices: num = its index */
};

/* One parameter a page takes.  An empty value counts as absent (a form's
 * empty field). */
struct rnd_ui_param {
    const char *name;
    enum rnd_ui_kind kind;
    const char *const *choices;   /* UI_CHOICE: NULL-terminated */
    int64_t min, max;             /* UI_UINT: bounds; UI_TEXT, UI_NAME: max bytes */
    const char *expect;           /* what it takes, in the 400 message */
};

#define RND_UI_PARAMS_MAX 12
#define RND_UI_VALUE_MAX 256
#define RND_UI_QUERY_MAX 4096

struct rnd_ui_args {
    bool set[RND_UI_PARAMS_MAX];
    int64_t num[RND_UI_PARAMS_MAX];
    char val[RND_UI_PARAMS_MAX][RND_UI_VALUE_MAX];
};

/* Parse query (may be NULL) against the n parameters of t into *a.  0, or
 * -EINVAL with err naming the parameter and what it takes ("parameter
 * 'page': a whole number from 1 to 100000"), for an unknown, repeated,
 * malformed or out-of-range one. */
int rnd_ui_args_parse(const struct rnd_ui_param *t, size_t n, const char *query,
                      struct rnd_ui_args *a, char *err, size_t errsz);

/* Parameter i's value, or NULL when absent. */
const char *rnd_ui_arg(const struct rnd_ui_args *a, size_t i);

/* -- the page frame and HTML (rnd_ui_page.c) -- */

enum rnd_ui_nav { UI_NAV_NONE = 0, UI_NAV_LIST, UI_NAV_QUERY };

/* Open a page titled title (escaped) with the navigation, nav marked. */
int rnd_ui_begin(struct iq_buf *b, const char *title, enum rnd_ui_nav nav);
/* Close it. */
int rnd_ui_end(struct iq_buf *b);

/* Answer the page in b (taken: b is left empty) with status and the UI's
 * headers (Content-Security-Policy, nosniff, no referrer, no framing, no
 * store).  A page over its cap (-ENOBUFS from an append) is answered 500
 * by rnd_ui_fail.  0 or -ENOMEM. */
int rnd_ui_reply(struct http_response *resp, int status, struct iq_buf *b);

/* An error page: status with the message (escaped).  0 or -ENOMEM. */
int rnd_ui_error(struct http_response *resp, int status, const char *title, const char *msg);

/* The answer for a page builder's error r (negative errno): -ENOBUFS
 * (over RND_UI_PAGE_MAX) and -EIO as 500 pages saying so; -ENOMEM is
 * returned as is. */
int rnd_ui_fail(struct http_response *resp, int r);

/* Append s as escaped text (also safe in a quoted attribute); NULL appends
 * nothing. */
int rnd_ui_text(struct iq_buf *b, const char *s);

/* Append s percent-encoded for a query value or a path segment: every byte
 * but A-Z a-z 0-9 - . _ ~ as %XX. */
int rnd_ui_url(struct iq_buf *b, const char *s);

/* <time datetime="RFC 3339">YYYY-MM-DD HH:MM</time>, UTC; "–" for
 * IQ_TIME_NONE. */
int rnd_ui_time(struct iq_buf *b, int64_t ms);

/* A duration in seconds as people write it ("1 h 12 min"), "–" when
 * negative (unknown). */
int rnd_ui_dur(struct iq_buf *b, int64_t seconds);

/* <a href="/ui/incidents/ID">TEXT</a> (text NULL: the id). */
int rnd_ui_incident_link(struct iq_buf *b, const char *id, const char *text);

/* Open a table in a sideways-scrolling box: <table ATTRS> (attrs: its
 * attributes, may be NULL), a caption when caption is not NULL, and a
 * header row of the NULL-terminated column labels cols (a label starting
 * with '#' is a number column, right-aligned: the '#' is not shown).
 * Labels and attrs are markup, not escaped.  Close with
 * "</tbody></table></div>". */
int rnd_ui_table(struct iq_buf *b, const char *attrs, const char *caption,
                 const char *const *cols);

/* <span class="badge KIND-VALUE">VALUE</span> for a status or severity
 * (value NULL or "": "–"). */
int rnd_ui_badge(struct iq_buf *b, const char *kind, const char *value);

/* -- pages -- */

/* GET /ui/: the incidents list. */
int rnd_ui_list_page(struct rnd_ui *ui, const struct http_request *rq,
                     struct http_response *resp);

/* GET /ui/incidents/ID (id checked by the caller). */
int rnd_ui_incident_page(struct rnd_ui *ui, const char *id, const struct http_request *rq,
                         struct http_response *resp);

/* GET /ui/query: the analytics. */
int rnd_ui_query_page(struct rnd_ui *ui, const struct http_request *rq,
                      struct http_response *resp);

/* -- charts (rnd_ui_chart.c) -- */

/* The series a stacked chart splits its bars by (failure classes): names
 * in order, each with its colour; the rest fold into "other". */
#define RND_UI_SERIES_MAX 8

struct rnd_ui_series {
    const char *name[RND_UI_SERIES_MAX];   /* borrowed */
    size_t n;
    bool other;                            /* some classes folded into "other" */
};

/* The classes of the months' groups ("classes" counts), the most frequent
 * first (ties by name), at most RND_UI_SERIES_MAX - 1 named when there are
 * more (the rest: other). */
void rnd_ui_series_pick(const struct rnd_ui_month *m, size_t n, struct rnd_ui_series *ret);

/* The bar chart of incidents per month, each bar stacked by s; every
 * segment has a <title>.  Inline SVG with class "iq-chart". */
int rnd_ui_chart_counts(struct iq_buf *b, const struct rnd_ui_month *m, size_t n,
                        const struct rnd_ui_series *s);

/* The line chart of the median time to detect, acknowledge, mitigate and
 * resolve per month (the groups' mttd, mtta, mttm, mttr medians); a month
 * without a value leaves a gap; every point has a <title>. */
int rnd_ui_chart_medians(struct iq_buf *b, const struct rnd_ui_month *m, size_t n);

#endif

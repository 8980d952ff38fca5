/* ana_http.c - GET /api/v1/query on inquestd: the answers of `inquest
 * query` and `inquest query recurring` as JSON; and GET /api/v1/classes
 * (the taxonomy's names) and /api/v1/classes/ID (an incident's classes),
 * those of `inquest class list|show`.
 *
 * The daemon registers the handler through http_add_route (ingest/
 * http.h).  Parameters, URL-encoded: since, until (RFC 3339 or
 * -2h/now), service, class, severity, group_by (class|service|month|week),
 * recurring (1), window (90d), e.g. /api/v1/query?group_by=class&since=-30d
 * or /api/v1/query?recurring=1&window=30d.  A bad parameter gets a 400
 * with {"error": "bad or unknown parameter 'group_by'"}.
 *
 * Design notes:
 * - The handler runs on MHD's threads: it only reads the store (thread-
 *   safe) and the taxonomy (compiled once, read-only; each classification
 *   has its own pcre2 match data).
 * - The query string is bounded (HTTP_QUERY_MAX bytes, 8 parameters of at
 *   most HTTP_VALUE_MAX bytes each) and decoded into the request's own
 *   buffers. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ana_classes.h"
#include "ana_http.h"
#include "ana_query.h"
#include "http.h"
#include "iq_event.h"
#include "iq_time.h"

/* The parsed parameters of one request. */
struct query_args {
    struct ana_query q;
    bool recurring;
    int64_t window;
};

/* State kept by the daemon for its lifetime. */
struct ana_http_query {
    struct store *st;          /* borrowed */
    pthread_mutex_t lock;          /* classes: a reload replaces them */
    struct ana_classes *classes;   /* a reference; NULL when the taxonomy did not load */
    char warning[IQ_ERR_MAX];      /* why it did not, for the daemon to log */
};

#define HTTP_QUERY_MAX 2048
#define CLASSES_PATH "/api/v1/classes"
#define HTTP_VALUE_MAX 256

/* Decoded parameters; the strings live in vals. */
struct http_params {
    struct query_args a;
    char vals[8][HTTP_VALUE_MAX];
    size_t nvals;
    char err[160];
};

static int http_param(struct http_params *hp, const char *key, const char *v)
{
    static const char *const keys[] = {
        "since", "until", "service", "class", "severity", "group_by", "window", "recurring",
    };
    struct query_args *a = &hp->a;
    size_t i;
    bool ok = true;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcmp(key, keys[i]) == 0)
            break;
    switch (i) {
    case 0: ok = iq_time_parse_arg(v, &a->q.since) == 0; break;
    case 1: ok = iq_time_parse_arg(v, &a->q.until) == 0; break;
    case 2: a->q.service = v; break;
    case 3: a->q.class_name = v; break;
    case 4: a->q.severity = v; break;
    case 5: ok = ana_group_parse(v, &a->q.group) == 0; break;
    case 6: ok = iq_duration_parse(v, &a->window) == 0 && a->window > 0; break;
    case 7: a->recurring = strcmp(v, "1") == 0 || strcmp(v, "true") == 0; break;
    default: ok = false; break;
    }
    if (!ok)
        snprintf(hp->err, sizeof(hp->err), "bad or unknown parameter '%.40s'", key);
    return ok ? 0 : -EINVAL;
}

static int http_parse(const char *query, struct http_params *hp)
{
    const char *p = query ? query : "", *end = p + strlen(p);

    hp->a.q.since = hp->a.q.until = IQ_TIME_NONE;
    hp->a.window = ANA_RECUR_WINDOW_MS;
    if (end - p > HTTP_QUERY_MAX) {
        snprintf(hp->err, sizeof(hp->err), "query string over %d bytes", HTTP_QUERY_MAX);
        return -EINVAL;
    }
    for (;;) {
        char key[32];
        int r;

        if (hp->nvals >= 8)
            r = p < end && *p ? -EINVAL : 0;
        else
            r = http_query_next(&p, key, sizeof(key), hp->vals[hp->nvals], HTTP_VALUE_MAX);
        if (r == 0)
            break;
        if (r < 0) {
            snprintf(hp->err, sizeof(hp->err), "malformed query string");
            return -EINVAL;
        }
        if (http_param(hp, key, hp->vals[hp->nvals++]) < 0)
            return -EINVAL;
    }
    return 0;
}

static int http_query(void *ud, const struct http_request *rq,
                      struct http_response *resp)
{
    const char *path = rq->path, *query = rq->query;
    struct ana_http_query *h = ud;
    struct http_params *hp = calloc(1, sizeof(*hp));
    struct ana_classes *classes;
    json_t *res = NULL;
    int r;

    if (!hp)
        return -ENOMEM;
    if (strcmp(path, "/api/v1/query") != 0 && strcmp(path, "/api/v1/query/") != 0) {
        free(hp);
        return http_reply_json(resp, 404, json_pack("{s:s}", "error", "not found"));
    }
    if (http_parse(query, hp) < 0) {
        r = http_reply_json(resp, 400, json_pack("{s:s}", "error", hp->err));
        free(hp);
        return r;
    }
    classes = ana_http_query_classes_hold(h);
    r = hp->a.recurring ? ana_query_recurring(h->st, classes, &hp->a.q, hp->a.window, &res)
                        : ana_query_run(h->st, classes, &hp->a.q, &res);
    ana_classes_destroy(&classes);
    free(hp);
    if (r < 0)
        return r;
    return http_reply_json(resp, 200, res);
}

/* GET /api/v1/classes: the taxonomy's class names; GET /api/v1/classes/ID:
 * the classes of incident ID (ana_classes_of), as `inquest class list|show`
 * print them. */
static int classes_answer(struct ana_http_query *h, const struct ana_classes *c,
                          const char *rest, struct http_response *resp)
{
    json_t *res = NULL;
    char msg[IQ_ERR_MAX + 64];
    int r;

    if (!c) {
        snprintf(msg, sizeof(msg), "no failure-class taxonomy loaded: %s", h->warning);
        return http_reply_json(resp, 500, json_pack("{s:s}", "error", msg));
    }
    if (*rest == '\0' || strcmp(rest, "/") == 0) {
        if (!(res = json_array()))
            return -ENOMEM;
        for (size_t i = 0; i < ana_classes_count(c); i++)
            if (json_array_append_new(res, json_string(ana_classes_name(c, i))) < 0) {
                json_decref(res);
                return -ENOMEM;
            }
        return http_reply_json(resp, 200, res);
    }
    if (rest[0] != '/' || strchr(rest + 1, '/'))
        return http_reply_json(resp, 404, json_pack("{s:s}", "error", "not found"));
    r = ana_classes_of(h->st, c, rest + 1, &res);
    if (r == -ENOENT) {
        snprintf(msg, sizeof(msg), "%.100s: no such incident", rest + 1);
        return http_reply_json(resp, 404, json_pack("{s:s}", "error", msg));
    }
    return r < 0 ? r : http_reply_json(resp, 200, res);
}

static int http_classes(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct ana_http_query *h = ud;
    struct ana_classes *c = ana_http_query_classes_hold(h);
    int r = classes_answer(h, c, rq->path + strlen(CLASSES_PATH), resp);

    ana_classes_destroy(&c);
    return r;
}

int ana_http_query_add(struct http_server *http, struct store *st, const json_t *classes_section,
                       struct ana_http_query **ret)
{
    struct ana_http_query *h = calloc(1, sizeof(*h));
    char err[IQ_ERR_MAX];
    int r;

    if (!h)
        return -ENOMEM;
    h->st = st;
    pthread_mutex_init(&h->lock, NULL);
    if ((r = ana_classes_load(NULL, classes_section, &h->classes, err, sizeof(err))) < 0)
        snprintf(h->warning, sizeof(h->warning), "%s", err);
    if ((r = http_add_route(http, "/api/v1/query", http_query, h)) < 0 ||
        (r = http_add_route(http, CLASSES_PATH, http_classes, h)) < 0) {
        ana_http_query_free(&h);
        return r;
    }
    *ret = h;
    return 0;
}

void ana_http_query_free(struct ana_http_query **ph)
{
    if (!ph || !*ph)
        return;
    ana_classes_destroy(&(*ph)->classes);
    pthread_mutex_destroy(&(*ph)->lock);
    free(*ph);
    *ph = NULL;
}

const char *ana_http_query_warning(const struct ana_http_query *h)
{
    return h ? h->warning : "";
}

struct ana_classes *ana_http_query_classes_hold(struct ana_http_query *h)
{
    struct ana_classes *c;

    if (!h)
        return NULL;
    pthread_mutex_lock(&h->lock);
    c = ana_classes_ref(h->classes);
    pthread_mutex_unlock(&h->lock);
    return c;
}

int ana_http_query_use(struct ana_http_query *h, const json_t *classes_section, char *err,
                       size_t errsz)
{
    struct ana_classes *c = NULL, *old;
    int r;

    if (!h)
        return 0;
    if ((r = ana_classes_load(NULL, classes_section, &c, err, errsz)) < 0)
        return r;
    pthread_mutex_lock(&h->lock);
    old = h->classes;
    h->classes = c;
    h->warning[0] = '\0';
    pthread_mutex_unlock(&h->lock);
    ana_classes_destroy(&old);         /* freed when its last request is done */
    return 0;
}

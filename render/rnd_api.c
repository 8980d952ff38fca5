/* rnd_api.c - GET /api/v1/incidents/ID/draft.{md,html,json} and .../timeline.svg: postmortem
 * drafts rendered on demand over inquestd's HTTP API.
 *
 * Read-only: the handler loads the incident and its events from the store
 * (RocksDB is thread-safe, so MHD's threads call it concurrently) and
 * renders with the options of the query string (those of `inquest draft`:
 * template, audience, pseudonymize, redact; and timeline, where the
 * Markdown links its timeline, and generated_at, the front matter's time,
 * so the CLI's --http gets the same bytes as its --data).  Template names
 * are names only over HTTP, never paths.  A caller whose token is limited to the
 * external audience gets the external, pseudonymised draft whatever it
 * asks for.  The path lies under /api/v1/incidents, which the correlator's
 * incidents API serves (correlate/cor_api.c): rnd_api_add adds the drafts
 * there as the sub-resources "/draft." and "/timeline.svg", so that API hands those paths
 * here.  The people and link allow-list come from the "drafts" section,
 * the same keys the watcher reads (rnd_watch.c). */
#include "rnd_api.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cor_api.h"
#include "http_access.h"
#include "http.h"
#include "iq_event.h"
#include "iq_log.h"
#include "iq_time.h"
#include "rnd_draft.h"
#include "iq_tz.h"
#include "rnd_external.h"
#include "rnd_local.h"
#include "rnd_people.h"

/* Longest query value: every value of the query is decoded into a buffer
 * of this size while a parameter is looked for (http_query_get). */
#define RND_API_VALUE_MAX 128

struct rnd_api {
    struct store *st;     /* borrowed */
    pthread_mutex_t lock;     /* section and conf: a reload replaces them */
    json_t *section;          /* the drafts section (a reference), or NULL */
    struct rnd_api_conf conf; /* borrowed from section */
};

bool rnd_api_valid_id(const char *s, size_t n)
{
    return n > 0 && n <= RND_API_ID_MAX &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") >= n &&
           s[0] != '.';
}

static int answer(struct http_response *resp, int status, const char *type, char *body,
                  size_t len)
{
    resp->status = status;
    resp->content_type = type;
    resp->body = body;
    resp->len = len;
    return 0;
}

static int answer_text(struct http_response *resp, int status, const char *msg)
{
    char *b = NULL;
    int n = asprintf(&b, "%s\n", msg);

    if (n < 0)
        return -ENOMEM;
    return answer(resp, status, "text/plain; charset=utf-8", b, (size_t)n);
}

/* A boolean parameter: *ret true unless "0" or "false"; untouched when absent. */
static int flag(const char *query, const char *name, bool *ret)
{
    char v[RND_API_VALUE_MAX];
    int r = http_query_get(query, name, v, sizeof(v));

    if (r > 0)
        *ret = strcmp(v, "0") != 0 && strcmp(v, "false") != 0;
    return r < 0 ? r : 0;
}

/* timeline=public|none|relative (default relative: "timeline.svg" beside
 * the draft) and generated_at=T. */
static int parse_more(const char *query, const struct rnd_api_conf *c, const char *id,
                      struct rnd_draft_opts *o, char *ref, size_t rsz)
{
    char v[RND_API_VALUE_MAX];
    int r;

    if ((r = http_query_get(query, "timeline", v, sizeof(v))) < 0)
        return r;
    if (r && strcmp(v, "none") == 0)
        o->svg_ref = NULL;
    else if (r && strcmp(v, "public") == 0)
        o->svg_ref = c->public_url && (size_t)snprintf(ref, rsz, "%s" RND_API_INCIDENTS
                                                       "%s/timeline.svg", c->public_url, id) < rsz
                         ? ref : NULL;
    else if (r && strcmp(v, "relative") != 0)
        return -EINVAL;
    if ((r = http_query_get(query, "generated_at", v, sizeof(v))) < 0)
        return r;
    if (r && (iq_time_parse_rfc3339(v, strlen(v), &o->generated_at) < 0 || o->generated_at <= 0))
        return -EINVAL;
    return 0;
}

static int parse_query(const char *query, struct rnd_draft_opts *o, char *tmpl, size_t tsz)
{
    char v[RND_API_VALUE_MAX];
    int r;

    if ((r = http_query_get(query, "template", tmpl, tsz)) < 0)
        return r;
    if (r) {
        if (strchr(tmpl, '/') || strchr(tmpl, '.'))
            return -EINVAL;   /* names only over HTTP, never paths */
        o->tmpl = tmpl;
    }
    if ((r = http_query_get(query, "audience", v, sizeof(v))) < 0)
        return r;
    if (r) {
        if (strcmp(v, "internal") != 0 && strcmp(v, "external") != 0)
            return -EINVAL;
        o->external = v[0] == 'e';
    }
    if ((r = flag(query, "pseudonymize", &o->pseudonymize)) < 0)
        return r;
    return flag(query, "redact", &o->redact);
}

int rnd_api_draft_get(struct store *st, const json_t *people, const json_t *external_links,
                      const struct http_request *rq, struct http_response *resp)
{
    struct rnd_api_conf c = { .people = people, .external_links = external_links };

    return rnd_api_draft_serve(st, &c, rq, resp);
}

/* The zone of the query's tz=ZONE, else of the configuration for o's
 * template, into *ret (NULL: none, or UTC).  0, or -EINVAL with err. */
static int zone(const char *query, const struct rnd_api_conf *c, const struct rnd_draft_opts *o,
                struct iq_tz **ret, char *err, size_t errsz)
{
    char v[RND_API_VALUE_MAX];
    const char *name;
    int r = http_query_get(query, "tz", v, sizeof(v));

    *ret = NULL;
    if (r < 0) {
        snprintf(err, errsz, "bad query: tz=ZONE");
        return -EINVAL;
    }
    name = r > 0 ? v : rnd_local_zone_for(c->tz, o->tmpl);
    if (name && iq_tz_load(name, false, ret, err, errsz) < 0)
        return -EINVAL;
    if (*ret && iq_tz_is_utc(*ret))
        iq_tz_free(ret);
    return 0;
}

int rnd_api_draft_serve(struct store *st, const struct rnd_api_conf *c,
                        const struct http_request *rq, struct http_response *resp)
{
    struct iq_tz *tz = NULL;
    const char *path = rq->path;
    static const char *const types[] = { "text/markdown; charset=utf-8",
                                         "text/html; charset=utf-8", "application/json",
                                         "image/svg+xml" };
    struct rnd_draft_opts o = { 0 };
    const char *id = path + strlen(RND_API_INCIDENTS), *slash, *ext;
    char idbuf[RND_API_ID_MAX + 1], tmpl[RND_API_VALUE_MAX], err[512], ref[1024], *doc = NULL;
    size_t len = 0;
    int r;

    if (strncmp(path, RND_API_INCIDENTS, strlen(RND_API_INCIDENTS)) != 0 ||
        !(slash = strchr(id, '/')) ||
        (strncmp(slash, "/draft.", 7) != 0 && strcmp(slash, "/timeline.svg") != 0))
        return answer_text(resp, 404, "not found");
    ext = slash[1] == 't' ? "svg" : slash + 7;
    if (!rnd_api_valid_id(id, (size_t)(slash - id)) || rnd_format_parse(ext, &o.format) < 0 ||
        strcmp(ext, "markdown") == 0 || (o.format == RND_FORMAT_SVG && slash[1] != 't'))
        return answer_text(resp, 404, "not found: use /api/v1/incidents/ID/draft.md, .html, .json "
                                      "or /api/v1/incidents/ID/timeline.svg");
    o.svg_ref = "timeline.svg";   /* draft.md: beside it under the same path */
    snprintf(idbuf, sizeof(idbuf), "%.*s", (int)(slash - id), id);
    if (parse_query(rq->query, &o, tmpl, sizeof(tmpl)) < 0 ||
        parse_more(rq->query, c, idbuf, &o, ref, sizeof(ref)) < 0)
        return answer_text(resp, 400, "bad query: template=NAME, audience=internal|external, "
                                      "pseudonymize=1, redact=1, timeline=relative|public|none, "
                                      "generated_at=RFC 3339");
    if (rq->caller->external) {   /* an external-audience token: never the internal draft */
        o.external = true;
        o.pseudonymize = true;
    }
    if (zone(rq->query, c, &o, &tz, err, sizeof(err)) < 0)
        return answer_text(resp, 400, err);
    o.people = c->people;
    o.external_links = c->external_links;
    o.tz = tz;
    r = rnd_draft_from_store(st, idbuf, &o, &doc, &len, err, sizeof(err));
    iq_tz_free(&tz);
    if (r == -ENOENT)
        return answer_text(resp, 404, err);
    if (r == -EINVAL)
        return answer_text(resp, 400, err);
    if (r < 0)
        return answer_text(resp, 500, err);
    return answer(resp, 200, types[o.format], doc, len);
}


static int api_draft(void *ud, const struct http_request *rq, struct http_response *resp)
{
    struct rnd_api *a = ud;
    struct rnd_api_conf conf;
    json_t *section;
    int r;

    pthread_mutex_lock(&a->lock);     /* one version of the settings per request */
    section = json_incref(a->section);
    conf = a->conf;
    pthread_mutex_unlock(&a->lock);
    r = rnd_api_draft_serve(a->st, &conf, rq, resp);
    json_decref(section);
    return r;
}

/* Check section's keys that the drafts API reads; err says which. */
static int check_section(const json_t *section, char *err, size_t errsz)
{
    char why[IQ_ERR_MAX];

    if (rnd_people_check_map(json_object_get(section, "slack_users"), why, sizeof(why)) < 0 ||
        rnd_external_check(json_object_get(section, "external_links"), why, sizeof(why)) < 0 ||
        rnd_local_check(json_object_get(section, "tz"), why, sizeof(why)) < 0) {
        snprintf(err, errsz, "config 'drafts': %s", why);
        return -EINVAL;
    }
    return 0;
}

/* Take section (a reference) into a; returns the previous one (lock held). */
static json_t *set_section(struct rnd_api *a, const json_t *section)
{
    json_t *old = a->section;

    a->section = json_incref((json_t *)section);
    a->conf.people = json_object_get(section, "slack_users");
    a->conf.external_links = json_object_get(section, "external_links");
    a->conf.public_url = json_string_value(json_object_get(section, "public_url"));
    a->conf.tz = json_object_get(section, "tz");
    return old;
}

int rnd_api_use(struct rnd_api *a, const json_t *section, char *err, size_t errsz)
{
    json_t *old;
    int r;

    if (!a)
        return 0;
    if ((r = check_section(section, err, errsz)) < 0)
        return r;
    pthread_mutex_lock(&a->lock);
    old = set_section(a, section);
    pthread_mutex_unlock(&a->lock);
    json_decref(old);            /* requests in progress hold their own reference */
    return 0;
}

int rnd_api_add(struct cor_api *incidents, const json_t *section, struct store *st,
                struct rnd_api **ret)
{
    struct rnd_api *a;
    char err[IQ_ERR_MAX + 32];
    int r;

    if (check_section(section, err, sizeof(err)) < 0) {
        iq_error("drafts", "%s", err);
        return -EINVAL;
    }
    if (!(a = calloc(1, sizeof(*a))))
        return -ENOMEM;
    a->st = st;
    pthread_mutex_init(&a->lock, NULL);
    set_section(a, section);
    if ((r = cor_api_add_sub(incidents, "/draft.", api_draft, a)) < 0 ||
        (r = cor_api_add_sub(incidents, "/timeline.svg", api_draft, a)) < 0) {
        iq_error("drafts", "cannot serve the drafts API: %s", strerror(-r));
        rnd_api_free(&a);
        return r;
    }
    *ret = a;
    return 0;
}

void rnd_api_free(struct rnd_api **pa)
{
    if (!pa || !*pa)
        return;
    json_decref((*pa)->section);
    pthread_mutex_destroy(&(*pa)->lock);
    free(*pa);
    *pa = NULL;
}

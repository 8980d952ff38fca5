/* rnd_link.c - links a reader can follow.
 *
 * A draft links each timeline row and each piece of evidence to where it
 * came from.  Vendors put several URLs in a payload, and some of them are
 * API endpoints that answer JSON (a GitHub deployment's `url` is
 * https://api.github.com/repos/OWNER/REPO/deployments/ID).  The source
 * mappings (the files of schemas/sources) pick pages where the payload has them;
 * this module is the renderer's guard for events stored before that, or
 * by a custom mapping: an API URL is replaced by the first page its raw
 * payload names, and dropped when there is none.
 *
 * Design notes:
 *  - API detection is by host (api.github.com, api.pagerduty.com, any
 *    host starting with "api.") and by the versioned API paths of GitHub
 *    Enterprise and GitLab (/api/v3/, /api/v4/).
 *  - The candidates are fixed paths into the payload, in order of
 *    usefulness: the deploy's own log, the run, the deployed commit, then
 *    the repository or project.  Only http(s) pages that are not API URLs
 *    qualify; rnd_fmt_link makes the winner safe for Markdown and HTML.
 *  - The raw payload is parsed only for events whose URL is an API URL. */
#include "rnd_link.h"
#include "rnd_fmt.h"

#include <stdio.h>
#include <string.h>

#include "iq_event.h"
#include "iq_json.h"

#define URL_MAX 2048

bool rnd_link_is_api(const char *url)
{
    const char *host, *end;
    char path[URL_MAX];
    size_t hl;

    if (!url)
        return false;
    if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else
        return false;
    end = host + strcspn(host, "/?#");
    hl = (size_t)(end - host);
    if (hl >= 4 && strncmp(host, "api.", 4) == 0)
        return true;
    /* the path only: a query string may mention anything */
    snprintf(path, sizeof(path), "%.*s", (int)strcspn(end, "?#"), end);
    return strstr(path, "/api/v3/") || strstr(path, "/api/v4/");
}

static bool page(const char *url)
{
    return url && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0) &&
           !rnd_link_is_api(url);
}

/* The string at a dotted path of raw, or NULL. */
static const char *at_path(const json_t *raw, const char *path)
{
    char key[64];
    const json_t *v = raw;

    while (v && *path) {
        size_t n = strcspn(path, ".");

        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        v = json_object_get(v, key);
        path += n + (path[n] == '.');
    }
    return json_string_value(v);
}

/* The first page named in raw, written to buf; false when none. */
static bool page_in(const json_t *raw, char *buf, size_t size)
{
    static const char *const direct[] = {
        "deployment_status.log_url", "deployment_status.target_url", "workflow_run.html_url",
        "check_run.html_url", "html_url", "web_url", "object_attributes.url", "deployable_url",
        "commit_url", "event.data.html_url", "data.html_url", "incident.shortlink",
    };
    static const char *const shas[] = { "deployment.sha", "workflow_run.head_sha", "after" };
    const char *repo = at_path(raw, "repository.html_url");

    for (size_t i = 0; i < sizeof(direct) / sizeof(direct[0]); i++)
        if (page(at_path(raw, direct[i])))
            return (size_t)snprintf(buf, size, "%s", at_path(raw, direct[i])) < size;
    if (!page(repo))
        repo = at_path(raw, "project.web_url");
    if (!page(repo))
        return false;
    for (size_t i = 0; i < sizeof(shas) / sizeof(shas[0]); i++) {
        const char *sha = at_path(raw, shas[i]);

        if (sha && strlen(sha) >= 7 && strspn(sha, "0123456789abcdef") == strlen(sha))
            return (size_t)snprintf(buf, size, "%s/commit/%s", repo, sha) < size;
    }
    return (size_t)snprintf(buf, size, "%s", repo) < size;
}

json_t *rnd_link_event(const struct iq_event *ev)
{
    const char *url = ev->str[IQ_F_URL];
    char buf[URL_MAX];
    json_t *raw = NULL;
    bool found;

    if (!url || !rnd_link_is_api(url))
        return rnd_fmt_link(url);
    if (!ev->raw || iq_json_parse(ev->raw, ev->raw_len, 0, &raw, NULL) < 0)
        return NULL;
    found = page_in(raw, buf, sizeof(buf));
    json_decref(raw);
    return found ? rnd_fmt_link(buf) : NULL;
}

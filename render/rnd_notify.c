/* rnd_notify.c - outbound webhook notices for drafted postmortems.
 *
 * When inquestd writes the draft of a resolved incident it tells the team
 * where to find it: a Slack incoming webhook gets a one-paragraph message
 * with the summary and a link, any other receiver gets a generic JSON
 * document with the incident's id, title, severity, services, summary and
 * the draft's location.  Receivers are configured as one string of
 * "shape=url" entries.
 *
 * Design notes:
 *  - One POST per try through common/iq_curl.c (libcurl): notices are rare
 *    (one per incident), so simplicity beats connection reuse.
 *  - Retries cover what may heal (connection refused, timeouts, 429, 5xx)
 *    with doubling backoff; a 4xx is the receiver refusing the payload and
 *    is reported at once. */
#include "rnd_notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iq_curl.h"

void rnd_hooks_free(struct rnd_hook **phooks, size_t n)
{
    if (!phooks || !*phooks)
        return;
    for (size_t i = 0; i < n; i++)
        free((*phooks)[i].url);
    free(*phooks);
    *phooks = NULL;
}

/* Parse one "shape=url" entry of length n into h. */
static int parse_entry(const char *s, size_t n, struct rnd_hook *h, char *err, size_t errsz)
{
    const char *eq = memchr(s, '=', n), *url = s;
    size_t ul = n;

    h->shape = RND_HOOK_GENERIC;
    if (eq && (size_t)(eq - s) < 16 && memchr(s, ':', (size_t)(eq - s)) == NULL) {
        size_t kl = (size_t)(eq - s);

        if (kl == 5 && memcmp(s, "slack", 5) == 0)
            h->shape = RND_HOOK_SLACK;
        else if (!(kl == 7 && memcmp(s, "generic", 7) == 0)) {
            snprintf(err, errsz, "webhook \"%.*s\": shape must be slack or generic", (int)n, s);
            return -EINVAL;
        }
        url = eq + 1;
        ul = n - kl - 1;
    }
    if (!((ul > 7 && memcmp(url, "http://", 7) == 0) || (ul > 8 && memcmp(url, "https://", 8) == 0))) {
        snprintf(err, errsz, "webhook \"%.*s\": not an http or https URL", (int)n, s);
        return -EINVAL;
    }
    if (!(h->url = strndup(url, ul)))
        return -ENOMEM;
    return 0;
}

int rnd_hooks_parse(const char *spec, struct rnd_hook **ret, size_t *ret_n, char *err,
                    size_t errsz)
{
    struct rnd_hook *hooks = calloc(RND_HOOKS_MAX, sizeof(*hooks));
    size_t n = 0;
    int r = 0;

    if (!hooks)
        return -ENOMEM;
    for (const char *p = spec ? spec : ""; *p && r == 0;) {
        size_t len = strcspn(p, ", ");

        if (len && n == RND_HOOKS_MAX) {
            snprintf(err, errsz, "more than %d webhooks", RND_HOOKS_MAX);
            r = -E2BIG;
        } else if (len) {
            r = parse_entry(p, len, &hooks[n], err, errsz);
            n += r == 0;
        }
        p += len;
        p += strspn(p, ", ");
    }
    if (r < 0) {
        rnd_hooks_free(&hooks, n);
        return r;
    }
    *ret = hooks;
    *ret_n = n;
    return 0;
}

static const char *cstr(const json_t *ctx, const char *key, const char *alt)
{
    const char *s = json_string_value(json_object_get(ctx, key));

    return s ? s : alt;
}

json_t *rnd_notice_payload(enum rnd_hook_shape shape, const json_t *ctx, const char *url,
                           const char *path)
{
    const json_t *inc = json_object_get(ctx, "incident");
    char *text = NULL;
    json_t *j;

    if (shape == RND_HOOK_SLACK) {
        char *link = NULL;
        int n = url ? asprintf(&link, "<%s|%s>", url, cstr(ctx, "id", "?"))
                    : asprintf(&link, "%s", cstr(ctx, "id", "?"));

        if (n < 0)
            return NULL;
        n = asprintf(&text, "Postmortem draft ready for %s: %s (%s). %s Please review and complete it.",
                     link, cstr(ctx, "title", ""), cstr(ctx, "severity", "unknown"),
                     cstr(ctx, "summary", ""));
        free(link);
        if (n < 0)
            return NULL;
        j = json_pack("{s:s}", "text", text);
        free(text);
        return j;
    }
    j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O*, s:s, s:{s:s*, s:s*}}", "type", "inquest.draft.ready",
                  "id", cstr(ctx, "id", ""), "title", cstr(ctx, "title", ""), "severity",
                  cstr(ctx, "severity", "unknown"), "status", cstr(ctx, "incident_status", "open"),
                  "services", json_object_get(inc, "services"), "summary", cstr(ctx, "summary", ""),
                  "draft", "url", url, "path", path);
    return j;
}

/* One try: 0 on 2xx, 1 for a retryable failure, -EINVAL for a refusal. */
static int post_once(const char *url, const char *body, size_t len, long timeout_ms, char *err,
                     size_t errsz)
{
    struct iq_post p = { .url = url, .body = body, .len = len, .timeout_ms = timeout_ms };
    long code = 0;
    int r = iq_http_post(&p, &code, NULL, err, errsz);

    if (r < 0)
        return 1;
    snprintf(err, errsz, "HTTP status %ld", code);
    if (code >= 200 && code < 300)
        return 0;
    return code >= 400 && code < 500 && code != 429 ? -EINVAL : 1;
}

int rnd_notify_post(const char *url, const char *body, size_t len, unsigned retries,
                    int64_t backoff_ms, long timeout_ms, char *err, size_t errsz)
{
    int r = 1;

    for (unsigned attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) {
            struct timespec ts = { .tv_sec = backoff_ms / 1000, .tv_nsec = backoff_ms % 1000 * 1000000 };

            nanosleep(&ts, NULL);
            backoff_ms *= 2;
        }
        r = post_once(url, body, len, timeout_ms, err, errsz);
        if (r <= 0)
            break;
    }
    if (r == 0)
        err[0] = '\0';
    return r > 0 ? -EIO : r;
}

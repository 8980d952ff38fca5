/* iq_hook.c - outbound webhooks: the receiver list and a POST with retries
 * (see iq_hook.h).
 *
 * Design notes:
 *  - One POST per try through iq_curl.c (libcurl): notices and reminders
 *    are rare (one per incident, one per item a day), so simplicity beats
 *    connection reuse.
 *  - Retries cover what may heal (connection refused, timeouts, 429, 5xx)
 *    with doubling backoff; a 4xx is the receiver refusing the payload and
 *    is reported at once.
 *  - Receivers are one string of "shape=url" entries, separated by commas
 *    or spaces, so a config key or a flag can hold the whole list. */
#include "iq_hook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iq_curl.h"

void iq_hooks_free(struct iq_hook **phooks, size_t n)
{
    if (!phooks || !*phooks)
        return;
    for (size_t i = 0; i < n; i++)
        free((*phooks)[i].url);
    free(*phooks);
    *phooks = NULL;
}

/* Parse one "shape=url" entry of length n into h. */
static int parse_entry(const char *s, size_t n, struct iq_hook *h, char *err, size_t errsz)
{
    const char *eq = memchr(s, '=', n), *url = s;
    size_t ul = n;

    h->shape = IQ_HOOK_GENERIC;
    if (eq && (size_t)(eq - s) < 16 && memchr(s, ':', (size_t)(eq - s)) == NULL) {
        size_t kl = (size_t)(eq - s);

        if (kl == 5 && memcmp(s, "slack", 5) == 0)
            h->shape = IQ_HOOK_SLACK;
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

int iq_hooks_parse(const char *spec, struct iq_hook **ret, size_t *ret_n, char *err,
                    size_t errsz)
{
    struct iq_hook *hooks = calloc(IQ_HOOKS_MAX, sizeof(*hooks));
    size_t n = 0;
    int r = 0;

    if (!hooks)
        return -ENOMEM;
    for (const char *p = spec ? spec : ""; *p && r == 0;) {
        size_t len = strcspn(p, ", ");

        if (len && n == IQ_HOOKS_MAX) {
            snprintf(err, errsz, "more than %d webhooks", IQ_HOOKS_MAX);
            r = -E2BIG;
        } else if (len) {
            r = parse_entry(p, len, &hooks[n], err, errsz);
            n += r == 0;
        }
        p += len;
        p += strspn(p, ", ");
    }
    if (r < 0) {
        iq_hooks_free(&hooks, n);
        return r;
    }
    *ret = hooks;
    *ret_n = n;
    return 0;
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

int iq_hook_post(const char *url, const char *body, size_t len, unsigned retries,
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

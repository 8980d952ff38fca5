/* rnd_notify.h - notices to outbound webhooks when a draft is ready.
 *
 * Two payload shapes: a Slack incoming webhook ({"text": ...}) and a
 * generic JSON document for any other receiver.  Delivery is an HTTP POST
 * with libcurl, retried with backoff on connection errors, 429 and 5xx. */
#ifndef RND_NOTIFY_H
#define RND_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

enum rnd_hook_shape { RND_HOOK_GENERIC = 0, RND_HOOK_SLACK };

struct rnd_hook {
    enum rnd_hook_shape shape;
    char *url;                   /* owned */
};

#define RND_HOOKS_MAX 16

/* Parse "slack=https://hooks.slack.com/...,generic=https://x/y" (an entry
 * without "shape=" is generic; only http and https URLs).  Caller owns
 * *ret (rnd_hooks_free).  -EINVAL with err naming the bad entry, -E2BIG
 * over RND_HOOKS_MAX, -ENOMEM.  An empty spec gives n = 0. */
int rnd_hooks_parse(const char *spec, struct rnd_hook **ret, size_t *ret_n, char *err,
                    size_t errsz);
void rnd_hooks_free(struct rnd_hook **phooks, size_t n);

/* The notice for a draft.  ctx is the draft's context (rnd_draft_context),
 * url the address where the draft is served (may be NULL), path where it
 * was written (may be NULL).  Caller owns; NULL on OOM. */
json_t *rnd_notice_payload(enum rnd_hook_shape shape, const json_t *ctx, const char *url,
                           const char *path);

/* POST body (JSON) to url, trying up to 1 + retries times with backoff_ms
 * doubling between tries; each try times out after timeout_ms.  Returns 0
 * on a 2xx answer, -EIO after the last failure (err says why), -EINVAL for
 * a 4xx other than 429 (not retried). */
int rnd_notify_post(const char *url, const char *body, size_t len, unsigned retries,
                    int64_t backoff_ms, long timeout_ms, char *err, size_t errsz);

#endif

/* iq_hook.h - outbound webhooks: the receivers configured as one string,
 * and a JSON POST to one of them with retries.
 *
 * Two payload shapes exist: a Slack incoming webhook ({"text": ...}) and a
 * generic JSON document for any other receiver.  What goes in the payload
 * is the caller's (render/rnd_notify.c for draft notices, postmortem/
 * pm_remind.c for follow-up reminders); this module only knows where and
 * how to deliver it.  Delivery is an HTTP POST through iq_curl.h, retried
 * with backoff on connection errors, 429 and 5xx. */
#ifndef IQ_HOOK_H
#define IQ_HOOK_H

#include <stddef.h>
#include <stdint.h>

enum iq_hook_shape { IQ_HOOK_GENERIC = 0, IQ_HOOK_SLACK };

struct iq_hook {
    enum iq_hook_shape shape;
    char *url;                   /* owned */
};

#define IQ_HOOKS_MAX 16

/* Parse "slack=https://hooks.slack.com/...,generic=https://x/y" (an entry
 * without "shape=" is generic; only http and https URLs).  Caller owns
 * *ret (iq_hooks_free).  -EINVAL with err naming the bad entry, -E2BIG
 * over IQ_HOOKS_MAX, -ENOMEM.  An empty spec gives n = 0. */
int iq_hooks_parse(const char *spec, struct iq_hook **ret, size_t *ret_n, char *err,
                   size_t errsz);

/* Free the n hooks and NULL *phooks.  NULL-safe. */
void iq_hooks_free(struct iq_hook **phooks, size_t n);

/* POST body (JSON) to url, trying up to 1 + retries times with backoff_ms
 * doubling between tries; each try times out after timeout_ms.  Returns 0
 * on a 2xx answer, -EIO after the last failure (err says why), -EINVAL for
 * a 4xx other than 429 (not retried). */
int iq_hook_post(const char *url, const char *body, size_t len, unsigned retries,
                 int64_t backoff_ms, long timeout_ms, char *err, size_t errsz);

#endif
